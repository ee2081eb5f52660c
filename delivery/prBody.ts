/**
 * The promotion pull request's body: the bundle, then one row per app with the evidence reviewers need
 * (tag → commit, healthy since, soak achieved and required, analysis, alerts), the overrides with their
 * reasons, and the change to the stack file. Markdown; plain text in a terminal too.
 */
import { Bundle } from "./bundle";
import { Evidence, isUnavailable } from "./evidence/collect";
import { AppRow, Verdict } from "./promotionPolicy";

/** The label a pull request with overrides carries; the ruleset's code-owner review approves it. */
export const OVERRIDE_LABEL = "promotion-override";
export const PROMOTION_LABEL = "promotion";

function minutes(value: number | undefined): string {
    if (value === undefined) {
        return "—";
    }
    const days = Math.floor(value / 1440);
    const hours = Math.floor((value % 1440) / 60);
    const rest = value % 60;
    return [days > 0 ? `${days}d` : "", hours > 0 ? `${hours}h` : "", rest > 0 || value === 0 ? `${rest}m` : ""].join(
        "",
    );
}

/** A link to the commit on GitHub, or the short SHA elsewhere. */
export function commitLink(repoUrl: string, sha: string | undefined): string {
    if (sha === undefined) {
        return "—";
    }
    const github = /github\.com[:/]+([^/]+\/[^/]+?)(\.git)?\/?$/.exec(repoUrl);
    return github
        ? `[\`${sha.slice(0, 12)}\`](https://github.com/${github[1]}/commit/${sha})`
        : `\`${sha.slice(0, 12)}\``;
}

function row(r: AppRow, verdict: Verdict, evidence: Evidence): string {
    const refused = verdict.refusals.some((x) => x.app === r.app);
    const overridden = verdict.overridden.some((x) => x.app === r.app);
    const mark = refused ? "refused" : overridden ? "overridden" : "pass";
    const repoUrl = evidence.apps[r.app]?.repoUrl ?? "";
    const since = r.healthySince === undefined ? "not healthy" : `${r.healthySince} (${r.healthFrom})`;
    return `| ${r.app} | \`${r.declared}\` → ${commitLink(repoUrl, r.sha)} | ${since} | ${minutes(r.soakMinutes)} / ${minutes(r.soakRequired)} | ${r.analysis} | ${r.alerts.length === 0 ? "none" : r.alerts.join(", ")} | ${mark} |`;
}

export interface PrBodyInput {
    readonly bundle: Bundle;
    readonly evidence: Evidence;
    readonly verdict: Verdict;
    /** The stack file summary (formatSummary). */
    readonly summary: string;
    /** Apps held back for a second pull request (platform first). */
    readonly deferredApps?: readonly string[];
    readonly rollbackOf?: string;
    readonly run?: string;
}

export function prTitle(bundle: Bundle, rollbackOf?: string): string {
    return rollbackOf === undefined
        ? `Promote ${bundle.from} to ${bundle.to} (bundle ${bundle.id})`
        : `Roll ${bundle.to} back to bundle ${bundle.id}`;
}

/** The commit message: the title, and the bundle id as a trailer git interpret-trailers reads. */
export function commitMessage(bundle: Bundle, rollbackOf?: string): string {
    return `${prTitle(bundle, rollbackOf)}\n\nPromotion-Bundle: ${bundle.id}\n`;
}

export function prLabels(verdict: Verdict): string[] {
    return verdict.overridden.length > 0 ? [PROMOTION_LABEL, OVERRIDE_LABEL] : [PROMOTION_LABEL];
}

export function prBody(input: PrBodyInput): string {
    const { bundle, evidence, verdict } = input;
    const update = isUnavailable(evidence.update) ? undefined : evidence.update.succeeded;
    const lines = [
        `## ${prTitle(bundle, input.rollbackOf)}`,
        "",
        input.rollbackOf === undefined
            ? `Program commit \`${bundle.programCommit}\`, applied by ${bundle.from}'s update ${update?.version ?? "?"} (finished ${update?.finishedAt ?? "?"}). Evidence collected ${evidence.collectedAt}.`
            : `Restores bundle \`${bundle.id}\`, the last one production reported good, replacing \`${input.rollbackOf}\`. Soak is waived for a rollback; the evidence shown is the one the bundle was promoted on (${evidence.collectedAt}).`,
        "",
        "Before `pulumi up`, the production workflow verifies that the program at the merge commit is this program commit, that the stack file holds these commits, and that the evidence is not stale; after it, that production reports every app synced and healthy at them, and records the result in `promotion/ledger.jsonl`.",
        "",
        "| App | Tag → commit | Healthy since | Soak (achieved / required) | Analysis | Alerts | Gate |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...verdict.rows.map((r) => row(r, verdict, evidence)),
    ];
    const platform = Object.entries(bundle.platform);
    if (platform.length > 0) {
        lines.push("", "### Platform", "", "| Setting | Version |", "| --- | --- |");
        lines.push(...platform.map(([label, version]) => `| ${label} | ${version} |`));
    }
    if (input.deferredApps !== undefined && input.deferredApps.length > 0) {
        lines.push(
            "",
            `The platform goes first: ${input.deferredApps.join(", ")} follow in the next promotion, once production reports this bundle good.`,
        );
    }
    if (verdict.overridden.length > 0) {
        lines.push("", `### Overrides (label \`${OVERRIDE_LABEL}\`: a code owner must approve)`, "");
        lines.push(
            ...verdict.overridden.map(
                (o) => `- **${o.app ?? "(stack)"}: ${o.check}**: ${o.message}. Reason: ${o.reason}`,
            ),
        );
    }
    const policies = verdict.rows.filter((r) => r.policyReason !== undefined);
    if (policies.length > 0) {
        lines.push("", "### Apps held to their own policy (promotion.apps)", "");
        lines.push(
            ...policies.map((r) => `- **${r.app}**: soak ${minutes(r.soakRequired)}. Reason: ${r.policyReason}`),
        );
    }
    lines.push("", "### Stack file", "", "```", input.summary, "```", "");
    if (input.run !== undefined) {
        lines.push(`Opened by ${input.run}.`, "");
    }
    lines.push(`Promotion-Bundle: ${bundle.id}`, "");
    return lines.join("\n");
}

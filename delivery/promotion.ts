/**
 * Verified promotion: the source stack's outputs say which apps and versions exist, the evidence says
 * what the source actually runs and whether it has proven itself, the policy decides, and only then are
 * the bundle's commits written into the target's stack file, with a ledger line and the pull request body.
 * `rollback` writes the last bundle production reported good back the same way.
 */
import * as fs from "fs";
import * as path from "path";
import { PlatformConfig, PROJECT } from "../stacks/config";
import { PROMOTION_DEFAULTS, PromotionCheck } from "../stacks/config/promotion";
import { Bundle, bundleFromEvidence, makeBundle } from "./bundle";
import { collectEvidence, Evidence } from "./evidence/collect";
import { EvidenceSource } from "./evidence/source";
import { appendLedger, lastGood, lastPromoted, PromotedEntry, readLedger } from "./ledger";
import { commitMessage, prBody, prLabels, prTitle } from "./prBody";
import {
    applyChanges,
    ConfigChange,
    formatSummary,
    loadStackFile,
    PinnedRevisions,
    planPromotion,
    PromotionRefused,
    PromotionRequest,
    SourceOutputs,
    validateTarget,
} from "./promote";
import { evaluate, formatRefusals, Override, resolvePolicy, Verdict } from "./promotionPolicy";

export interface PromotionOptions extends PromotionRequest {
    readonly dryRun: boolean;
    /** Directory of the Pulumi.<stack>.yaml files and promotion/ledger.jsonl. */
    readonly root: string;
    readonly readOutputs: (stack: string) => SourceOutputs;
    readonly source: EvidenceSource;
    readonly overrides: readonly Override[];
    /** Move platform and apps in one pull request even when the policy says platform first. */
    readonly together?: boolean;
    readonly now: Date;
    /** Where the pull request body, title, labels and commit message go (files); not written when undefined. */
    readonly output?: string;
    /** The workflow run, for the ledger and the body. */
    readonly run?: string;
}

export interface PromotionResult {
    readonly bundle: Bundle;
    readonly verdict: Verdict;
    readonly changes: readonly ConfigChange[];
    readonly summary: string;
}

/** A refused gate: the verdict names every failing app and check; nothing was written. */
export class GateRefused extends PromotionRefused {
    constructor(
        readonly verdict: Verdict | undefined,
        message: string,
    ) {
        super(message);
    }
}

function stackFile(root: string, stack: string): { file: string; text: string } {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new PromotionRefused(`no stack file ${file} for stack ${stack}; nothing was written`);
    }
    return { file, text: fs.readFileSync(file, "utf8") };
}

/** Apps the source stack releases progressively (its stack file's apps[].delivery); none without the file. */
function progressiveApps(root: string, from: string): string[] {
    const file = path.join(root, `Pulumi.${from}.yaml`);
    if (!fs.existsSync(file)) {
        return [];
    }
    return loadStackFile(file, fs.readFileSync(file, "utf8"), from)
        .apps.filter((app) => app.delivery !== undefined)
        .map((app) => app.name);
}

/** owner/name of this program's repository (the drift workflow's issues live there). */
function programRepository(target: PlatformConfig): string {
    const name = target.ci?.repository ?? target.github?.deployRepository?.name;
    return target.githubOwner !== undefined && name !== undefined
        ? `${target.githubOwner}/${name}`
        : (process.env.GITHUB_REPOSITORY ?? "");
}

/** `engine.chartVersion` → the config path it names. */
function platformPath(label: string): (string | number)[] {
    const [section, ...rest] = label.split(".");
    return [`${PROJECT}:${section}`, ...rest];
}

function writeOutputs(
    output: string,
    bundle: Bundle,
    verdict: Verdict,
    body: string,
    rollbackOf: string | undefined,
): void {
    fs.mkdirSync(output, { recursive: true });
    fs.writeFileSync(path.join(output, "body.md"), body);
    fs.writeFileSync(path.join(output, "title.txt"), `${prTitle(bundle, rollbackOf)}\n`);
    fs.writeFileSync(path.join(output, "commit-message.txt"), commitMessage(bundle, rollbackOf));
    fs.writeFileSync(path.join(output, "labels.txt"), `${prLabels(verdict).join("\n")}\n`);
    fs.writeFileSync(path.join(output, "bundle-id.txt"), `${bundle.id}\n`);
}

/** Where the overrides of each bundle are written: a path of their own, for reviewers and CODEOWNERS. */
export const OVERRIDES_DIR = path.join("promotion", "overrides");

function overridesFile(entry: PromotedEntry): string {
    const lines = entry.verdict.overridden.map(
        (o) => `- ${o.app ?? "(stack)"}: ${o.check}: ${o.message}\n  Reason: ${o.reason}`,
    );
    return `# Overrides of bundle ${entry.bundle.id} (${entry.bundle.from} → ${entry.bundle.to}, ${entry.at})\n\n${lines.join("\n")}\n`;
}

function promotedEntry(
    options: { now: Date; run?: string },
    bundle: Bundle,
    evidence: Evidence,
    verdict: Verdict,
    rollbackOf?: string,
): PromotedEntry {
    return {
        type: "promoted",
        at: options.now.toISOString(),
        bundle,
        evidence,
        verdict,
        ...(rollbackOf === undefined ? {} : { rollbackOf }),
        ...(options.run === undefined ? {} : { run: options.run }),
    };
}

/** Writes the stack file, the ledger line, the overrides and the pull request files (unless dry run). */
function commit(
    options: Pick<PromotionOptions, "root" | "dryRun" | "output" | "run" | "now">,
    target: { file: string; text: string },
    written: string | undefined,
    entry: PromotedEntry,
    body: string,
): void {
    if (options.dryRun) {
        return;
    }
    if (written !== undefined) {
        fs.writeFileSync(target.file, written);
    }
    appendLedger(options.root, entry);
    if (entry.verdict.overridden.length > 0) {
        // A file of its own: reviewers see every override as a file in the pull request.
        const file = path.join(options.root, OVERRIDES_DIR, `${entry.bundle.id}.md`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, overridesFile(entry));
    }
    if (options.output !== undefined) {
        writeOutputs(options.output, entry.bundle, entry.verdict, body, entry.rollbackOf);
    }
}

/** Collects the evidence, runs the gate, and writes the bundle. Throws PromotionRefused / GateRefused before writing. */
export async function runPromotion(options: PromotionOptions): Promise<PromotionResult> {
    const target = stackFile(options.root, options.to);
    const outputs = options.readOutputs(options.from);
    // The declared plan first: its refusals (unknown app, branch in production, downgrade, a file the
    // schema refuses) need no evidence.
    const declared = planPromotion(options, outputs, target.text);
    validateTarget(target.file, declared.length > 0 ? applyChanges(target.text, declared) : target.text, options.to);
    const targetConfig = loadStackFile(target.file, target.text, options.to);
    const selected =
        options.apps.length > 0 ? options.apps : targetConfig.apps.map((a) => a.name).filter((n) => n in outputs.apps);
    const policy = resolvePolicy(targetConfig.promotion);
    const apps = Object.fromEntries(
        selected.map((name) => {
            const app = outputs.apps[name];
            return [name, { revision: app.revision, repoUrl: app.repoUrl ?? "", namespace: app.namespace ?? name }];
        }),
    );
    const evidence = await collectEvidence(options.source, {
        from: options.from,
        environment: outputs.environment,
        engine: outputs.engine.type,
        engineNamespace: outputs.engine.namespace ?? outputs.engine.type,
        apps,
        progressive: progressiveApps(options.root, options.from),
        programRepository: programRepository(targetConfig),
        alerts: policy.alerts,
        now: options.now,
    });
    const verdict = evaluate(evidence, policy, { now: options.now, overrides: options.overrides });
    const platform = Object.fromEntries(
        declared.filter((c) => !c.label.startsWith("apps.")).map((c) => [c.label, c.to]),
    );
    const made = bundleFromEvidence(evidence, options.to, platform);
    if (!verdict.passed || made.bundle === undefined) {
        throw new GateRefused(
            verdict,
            `the gate refused promoting ${options.from} to ${options.to}; nothing was written\n${formatRefusals(verdict.refusals)}`,
        );
    }
    const pin = (apps: Bundle["apps"]): PinnedRevisions =>
        Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, { sha: app.sha, tag: app.tag }]));
    const all = planPromotion(
        { ...options, apps: Object.keys(made.bundle.apps) },
        outputs,
        target.text,
        pin(made.bundle.apps),
    );
    const appChanges = all.filter((c) => c.label.startsWith("apps."));
    const deferred = [...new Set(appChanges.map((c) => c.label.split(".")[1]))];
    const platformFirst =
        Object.keys(platform).length > 0 &&
        deferred.length > 0 &&
        options.together !== true &&
        (targetConfig.promotion?.order ?? PROMOTION_DEFAULTS.order) === "platformFirst";
    const { id: _whole, ...content } = made.bundle;
    const bundle = platformFirst ? makeBundle({ ...content, apps: {} }) : made.bundle;
    const changes = platformFirst ? all.filter((c) => !c.label.startsWith("apps.")) : all;
    const written = changes.length > 0 ? applyChanges(target.text, changes) : undefined;
    if (written !== undefined) {
        validateTarget(target.file, written, options.to);
    }
    const summary = formatSummary(options, changes, options.dryRun);
    const body = prBody({
        bundle,
        evidence,
        verdict,
        summary,
        deferredApps: platformFirst ? deferred : [],
        run: options.run,
    });
    const entry = promotedEntry(options, bundle, evidence, verdict);
    // Nothing to change: the target already runs this bundle, and the ledger already says so.
    if (written !== undefined) {
        commit(options, target, written, entry, body);
    }
    return { bundle, verdict, changes, summary };
}

export interface RollbackOptions {
    readonly stack: string;
    readonly root: string;
    readonly dryRun: boolean;
    readonly now: Date;
    readonly output?: string;
    readonly run?: string;
}

/** Checks a rollback does not run: the restored bundle soaked before production reported it good. */
export const ROLLBACK_WAIVES: readonly PromotionCheck[] = ["soak"];

/** Writes the last good bundle of `stack` back into its stack file; refuses when there is none. */
export function rollback(options: RollbackOptions): PromotionResult {
    const target = stackFile(options.root, options.stack);
    const entries = readLedger(options.root);
    const current = lastPromoted(entries, options.stack);
    const good = lastGood(entries, options.stack, current?.bundle.id);
    if (good === undefined) {
        throw new PromotionRefused(
            `promotion/ledger.jsonl records no bundle of ${options.stack} that production reported good${current ? ` other than the current ${current.bundle.id}` : ""}: nothing to roll back to; nothing was written`,
        );
    }
    const bundle = good.bundle;
    const document = loadStackFile(target.file, target.text, options.stack);
    const changes: ConfigChange[] = [
        ...Object.entries(bundle.apps).flatMap(([name, app]) => {
            const index = document.apps.findIndex((a) => a.name === name);
            if (index < 0) {
                throw new PromotionRefused(
                    `bundle ${bundle.id} has app ${name}, which Pulumi.${options.stack}.yaml no longer has: roll back by hand; nothing was written`,
                );
            }
            const from = document.apps[index].source.revision;
            return from === app.sha
                ? []
                : [
                      {
                          path: [`${PROJECT}:apps`, index, "source", "revision"],
                          label: `apps.${name}.revision`,
                          from,
                          to: app.sha,
                          ...(app.tag === app.sha ? {} : { comment: app.tag }),
                      },
                  ];
        }),
        ...Object.entries(bundle.platform).map(([label, to]) => ({
            path: platformPath(label),
            label,
            from: undefined,
            to,
        })),
    ];
    const written = changes.length > 0 ? applyChanges(target.text, changes) : undefined;
    if (written !== undefined) {
        validateTarget(target.file, written, options.stack);
    }
    const evidence: Evidence = good.evidence;
    const verdict = evaluate(evidence, resolvePolicy(document.promotion), {
        now: new Date(evidence.collectedAt),
        waive: ROLLBACK_WAIVES,
    });
    const summary = formatSummary({ from: bundle.from, to: options.stack }, changes, options.dryRun);
    const rollbackOf = current?.bundle.id ?? "(none)";
    const body = prBody({ bundle, evidence, verdict, summary, rollbackOf, run: options.run });
    const entry = promotedEntry(options, bundle, evidence, verdict, rollbackOf);
    commit(options, target, written, entry, body);
    return { bundle, verdict, changes, summary };
}

/**
 * A promotion bundle: what moves together from one stack to the next, identified by a hash of its
 * content. The program commit is the one staging's last succeeded update applied; each app is the
 * commit the source's engine synced (its tag kept for display); the platform versions are the ones
 * `promote --platform` moves. Production applies exactly this program commit and these commits.
 */
import { createHash } from "crypto";
import { Evidence, isUnavailable } from "./evidence/collect";
import { bundleSha } from "./promotionPolicy";

export interface BundleApp {
    readonly sha: string;
    /** The revision the source declares (a tag, usually): display only. */
    readonly tag: string;
    readonly repoUrl: string;
}

export interface Bundle {
    /** sha256 of the canonical content, first 16 hex digits. */
    readonly id: string;
    readonly from: string;
    readonly to: string;
    readonly programCommit: string;
    readonly apps: Readonly<Record<string, BundleApp>>;
    /** Platform config values (label → version), e.g. `engine.chartVersion`; empty when only apps move. */
    readonly platform: Readonly<Record<string, string>>;
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** The id of a bundle's content (from, to, program commit, apps, platform). */
export function bundleId(content: Omit<Bundle, "id">): string {
    return createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 16);
}

export function makeBundle(content: Omit<Bundle, "id">): Bundle {
    return { ...content, id: bundleId(content) };
}

/**
 * The bundle the evidence describes, or the reasons it cannot be made (no program commit, an app
 * without a commit); the policy names the same gaps as refusals.
 */
export function bundleFromEvidence(
    evidence: Evidence,
    to: string,
    platform: Readonly<Record<string, string>>,
): { bundle?: Bundle; missing: string[] } {
    const missing: string[] = [];
    const programCommit = isUnavailable(evidence.update) ? undefined : evidence.update.succeeded?.programCommit;
    if (programCommit === undefined) {
        missing.push(`the program commit of ${evidence.from}'s last succeeded update`);
    }
    const apps: Record<string, BundleApp> = {};
    for (const [name, app] of Object.entries(evidence.apps)) {
        const sha = bundleSha(app);
        if (sha === undefined) {
            missing.push(`the commit ${name} runs in ${evidence.from}`);
        } else {
            apps[name] = { sha, tag: app.declared, repoUrl: app.repoUrl };
        }
    }
    if (programCommit === undefined || missing.length > 0) {
        return { missing };
    }
    return { bundle: makeBundle({ from: evidence.from, to, programCommit, apps, platform }), missing };
}

/** Recomputes the id: a ledger entry whose content was edited no longer matches. */
export function bundleIntact(bundle: Bundle): boolean {
    const { id, ...content } = bundle;
    return bundleId(content) === id;
}

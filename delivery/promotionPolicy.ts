/**
 * The promotion gate: a pure function from evidence, the stack's promotion policy and the overrides to
 * the verdict, every failing app and check named. Nothing here reads a file or the network.
 */
import { isFullCommitSha } from "../components/gitops/revisions";
import { PROMOTION_CHECKS, PROMOTION_DEFAULTS, PromotionCheck, PromotionConfig } from "../stacks/config/promotion";
import { Evidence, isUnavailable } from "./evidence/collect";

export interface AppPolicy {
    readonly soakMinutes: number;
    readonly requireHealthy: boolean;
    readonly alerts: boolean;
    /** Why the app differs from the stack's policy (config `promotion.apps.<app>.reason`). */
    readonly reason?: string;
}

export interface Policy {
    readonly defaults: AppPolicy;
    readonly apps: Readonly<Record<string, AppPolicy>>;
    readonly evidenceMaxAgeMinutes: number;
    /** Undefined: no Prometheus configured, alerts are not part of the evidence. */
    readonly alerts?: { readonly url: string; readonly severities: readonly string[]; readonly windowMinutes: number };
}

/** The policy a stack's `promotion` section means, defaults applied (PROMOTION_DEFAULTS). */
export function resolvePolicy(config: PromotionConfig | undefined): Policy {
    const defaults: AppPolicy = {
        soakMinutes: config?.soak ?? PROMOTION_DEFAULTS.soakMinutes,
        requireHealthy: config?.requireHealthy ?? PROMOTION_DEFAULTS.requireHealthy,
        alerts: true,
    };
    const url = config?.alerts?.prometheusUrl;
    return {
        defaults,
        apps: Object.fromEntries(
            Object.entries(config?.apps ?? {}).map(([name, app]) => [
                name,
                {
                    soakMinutes: app.soak ?? defaults.soakMinutes,
                    requireHealthy: app.requireHealthy ?? defaults.requireHealthy,
                    alerts: app.alerts ?? true,
                    reason: app.reason,
                },
            ]),
        ),
        evidenceMaxAgeMinutes: config?.evidenceMaxAge ?? PROMOTION_DEFAULTS.evidenceMaxAgeMinutes,
        ...(url === undefined
            ? {}
            : {
                  alerts: {
                      url: url.replace(/\/+$/, ""),
                      severities: config?.alerts?.severities ?? PROMOTION_DEFAULTS.alertSeverities,
                      windowMinutes: config?.alerts?.window ?? PROMOTION_DEFAULTS.alertWindowMinutes,
                  },
              }),
    };
}

/** A failed check; `app` undefined for the stack-wide ones (update, drift, the engine's alerts). */
export interface Refusal {
    readonly app?: string;
    readonly check: PromotionCheck;
    readonly message: string;
}

/** A failed check let through, with the reason someone gave. */
export interface Override {
    /** An app, or `*` for every app and the stack-wide checks. */
    readonly app: string;
    readonly check: PromotionCheck;
    readonly reason: string;
}

export interface AppRow {
    readonly app: string;
    readonly declared: string;
    /** The commit the bundle moves (what the engine synced in the source stack). */
    readonly sha?: string;
    readonly healthySince?: string;
    readonly healthFrom?: string;
    readonly soakMinutes?: number;
    readonly soakRequired: number;
    readonly analysis: string;
    readonly alerts: readonly string[];
    readonly policyReason?: string;
}

export interface Verdict {
    readonly passed: boolean;
    readonly refusals: readonly Refusal[];
    readonly overridden: readonly (Refusal & { readonly reason: string })[];
    readonly rows: readonly AppRow[];
}

export interface EvaluateOptions {
    readonly now: Date;
    readonly overrides?: readonly Override[];
    /** Checks not run at all (rollback restores a bundle that already soaked: soak). */
    readonly waive?: readonly PromotionCheck[];
}

/** The commit the engine reports equals the resolved one (Flux charts report a prefix). */
function sameCommit(reported: string, resolved: string): boolean {
    return reported.length >= 7 && resolved.startsWith(reported);
}

/** The commit the bundle moves for an app: what the engine synced, when it names one in full; else the tag's. */
export function bundleSha(evidence: Evidence["apps"][string]): string | undefined {
    const synced = isUnavailable(evidence.engine) ? undefined : evidence.engine.revision;
    if (synced !== undefined && isFullCommitSha(synced)) {
        return synced;
    }
    return isUnavailable(evidence.resolved) ? undefined : evidence.resolved;
}

function stackRefusals(evidence: Evidence, policy: Policy): Refusal[] {
    const refusals: Refusal[] = [];
    const from = evidence.from;
    const update = evidence.update;
    if (isUnavailable(update)) {
        refusals.push({ check: "update", message: `cannot read ${from}'s update history: ${update.unavailable}` });
    } else if (update.last.result !== "succeeded") {
        refusals.push({
            check: "update",
            message: `${from}'s last update (version ${update.last.version}) ${update.last.result}: fix ${from} first`,
        });
    } else if (update.succeeded?.programCommit === undefined) {
        refusals.push({
            check: "update",
            message: `${from}'s last update (version ${update.last.version}) names no program commit (git.head or a SHA message)`,
        });
    } else if (update.succeeded.dirty) {
        refusals.push({
            check: "update",
            message: `${from}'s last update (version ${update.succeeded.version}) ran from a working tree with uncommitted changes`,
        });
    }
    if (isUnavailable(evidence.drift)) {
        refusals.push({ check: "drift", message: `cannot read ${from}'s drift issues: ${evidence.drift.unavailable}` });
    } else if (evidence.drift.length > 0) {
        const list = evidence.drift.map((i) => `#${i.number} ${i.url}`).join(", ");
        refusals.push({ check: "drift", message: `${from} has an open drift issue: ${list}` });
    }
    if (policy.alerts !== undefined) {
        if (evidence.alerts === undefined || isUnavailable(evidence.alerts)) {
            const reason = evidence.alerts === undefined ? "not collected" : evidence.alerts.unavailable;
            refusals.push({ check: "alerts", message: `cannot read alerts from ${policy.alerts.url}: ${reason}` });
        } else {
            const engine = evidence.alerts.filter((a) => a.namespace === evidence.engineNamespace).map((a) => a.name);
            if (engine.length > 0) {
                refusals.push({
                    check: "alerts",
                    message: `alerts fired in the engine's namespace ${evidence.engineNamespace} within ${policy.alerts.windowMinutes}m: ${engine.join(", ")}`,
                });
            }
        }
    }
    return refusals;
}

function appVerdict(
    app: string,
    evidence: Evidence["apps"][string],
    all: Evidence,
    policy: AppPolicy,
    alertsConfigured: boolean,
    now: Date,
): { row: AppRow; refusals: Refusal[] } {
    const refusals: Refusal[] = [];
    const refuse = (check: PromotionCheck, message: string) => refusals.push({ app, check, message });
    const engine = evidence.engine;
    const sha = bundleSha(evidence);
    if (isUnavailable(engine)) {
        refuse("synced", engine.unavailable);
    } else if (!engine.synced || engine.revision === undefined) {
        refuse("synced", `${all.engine} reports ${app} not synced in ${all.from}`);
    }
    if (isUnavailable(evidence.resolved)) {
        refuse("tag", evidence.resolved.unavailable);
    } else if (
        !isUnavailable(engine) &&
        engine.revision !== undefined &&
        !sameCommit(engine.revision, evidence.resolved)
    ) {
        refuse(
            "tag",
            `${evidence.declared} now names ${evidence.resolved}, but ${all.from} runs ${engine.revision}: the tag moved after ${all.from} synced it`,
        );
    }
    if (policy.requireHealthy && !isUnavailable(engine) && !engine.healthy) {
        refuse("healthy", `${app} is ${engine.health} in ${all.from}`);
    }
    const progressive = evidence.progressive;
    let analysis = "n/a";
    if (progressive !== undefined) {
        if (isUnavailable(progressive)) {
            analysis = "unavailable";
            refuse("analysis", progressive.unavailable);
        } else {
            analysis = `${progressive.kind} ${progressive.phase}, analysis ${progressive.analysis}`;
            if (policy.requireHealthy && !progressive.healthy) {
                refuse("analysis", `${progressive.kind} ${app} is ${progressive.phase}, not complete and healthy`);
            } else if (!["Successful", "none"].includes(progressive.analysis)) {
                refuse("analysis", `the last analysis of ${app} is ${progressive.analysis}`);
            }
        }
    }
    const healthy = evidence.healthy;
    const since = isUnavailable(healthy) ? undefined : healthy.since;
    const soakMinutes = since === undefined ? undefined : Math.floor((now.getTime() - Date.parse(since)) / 60000);
    if (policy.soakMinutes > 0) {
        if (soakMinutes === undefined) {
            refuse("soak", `no record of ${app} being healthy at ${sha ?? "its commit"} in ${all.from}`);
        } else if (soakMinutes < policy.soakMinutes) {
            refuse("soak", `${app} has been healthy for ${soakMinutes}m of the ${policy.soakMinutes}m required`);
        }
    }
    const alerts =
        all.alerts === undefined || isUnavailable(all.alerts)
            ? []
            : all.alerts.filter((a) => a.namespace === evidence.namespace).map((a) => `${a.name} (${a.severity})`);
    if (alertsConfigured && policy.alerts && alerts.length > 0) {
        refuse("alerts", `alerts fired in ${evidence.namespace}: ${alerts.join(", ")}`);
    }
    return {
        row: {
            app,
            declared: evidence.declared,
            sha,
            healthySince: since,
            healthFrom: isUnavailable(healthy) ? undefined : healthy.from,
            soakMinutes,
            soakRequired: policy.soakMinutes,
            analysis,
            alerts,
            policyReason: policy.reason,
        },
        refusals,
    };
}

export function evaluate(evidence: Evidence, policy: Policy, options: EvaluateOptions): Verdict {
    const waive = new Set(options.waive ?? []);
    const rows: AppRow[] = [];
    const all: Refusal[] = stackRefusals(evidence, policy);
    for (const [app, appEvidence] of Object.entries(evidence.apps)) {
        const appPolicy = policy.apps[app] ?? policy.defaults;
        const effective = waive.has("soak") ? { ...appPolicy, soakMinutes: 0 } : appPolicy;
        const { row, refusals } = appVerdict(
            app,
            appEvidence,
            evidence,
            effective,
            policy.alerts !== undefined,
            options.now,
        );
        rows.push(row);
        all.push(...refusals);
    }
    const kept = all.filter((r) => !waive.has(r.check));
    const overrideOf = (r: Refusal) =>
        (options.overrides ?? []).find((o) => o.check === r.check && (o.app === "*" || o.app === r.app));
    const overridden = kept.flatMap((r) => {
        const override = overrideOf(r);
        return override ? [{ ...r, reason: override.reason }] : [];
    });
    const refusals = kept.filter((r) => overrideOf(r) === undefined);
    return { passed: refusals.length === 0, refusals, overridden, rows };
}

/** `app:check=reason` (the CLI's --override), checked against the check names. */
export function parseOverride(text: string): Override {
    const match = /^([a-z0-9*][a-z0-9-]*|\*):([a-z]+)=(.+)$/.exec(text);
    if (match === null || !(PROMOTION_CHECKS as readonly string[]).includes(match[2])) {
        throw new Error(
            `--override expects <app>:<check>=<reason> with check one of ${PROMOTION_CHECKS.join(", ")}, got "${text}"`,
        );
    }
    const reason = match[3].trim();
    if (reason.length < 10) {
        throw new Error(
            `--override ${match[1]}:${match[2]} needs a reason of at least 10 characters: reviewers read it`,
        );
    }
    return { app: match[1], check: match[2] as PromotionCheck, reason };
}

export function formatRefusals(refusals: readonly Refusal[]): string {
    return refusals.map((r) => `  - ${r.app ?? "(stack)"}: ${r.check}: ${r.message}`).join("\n");
}

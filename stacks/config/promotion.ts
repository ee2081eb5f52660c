/**
 * `gitops-platform:promotion`: where this stack's versions come from and what the source must have proven
 * before they move (soak, health, analysis, alerts, drift), with per-app overrides that carry a reason.
 * `npm run promote` reads it (delivery/promotionPolicy.ts); defaults live in PROMOTION_DEFAULTS only.
 */
import { z } from "zod";
import { CrossFieldContext, CrossFieldProblem } from "./crossField";
import { dnsLabel, strictObject } from "./rules";

/** Durations as people write them: 90m, 2h, 1d, 1h30m. */
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** Minutes of a duration text (`1h30m` → 90); undefined when it is not one. */
export function durationMinutes(text: string): number | undefined {
    const match = DURATION.exec(text);
    if (match === null || text === "") {
        return undefined;
    }
    const [, days, hours, minutes] = match.map((part) => Number(part ?? 0));
    return days * 1440 + hours * 60 + minutes;
}

const duration = z
    .string()
    .refine((text) => durationMinutes(text) !== undefined, "expected a duration such as 30m, 2h, 1d or 1h30m")
    .transform((text) => durationMinutes(text) as number);

/** The checks a promotion runs, by the names refusals and overrides use. */
export const PROMOTION_CHECKS = ["update", "synced", "healthy", "soak", "analysis", "alerts", "drift", "tag"] as const;
export type PromotionCheck = (typeof PROMOTION_CHECKS)[number];

/** Prometheus alert severities as the kube-prometheus-stack rules label them. */
const severity = z.string().regex(/^[a-z]+$/, "expected an alert severity label value such as critical or warning");

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a UTC time of day such as 16:00");

/** A time when the scheduled dry run opens no promotion pull request (UTC). */
export const denyWindowConfig = strictObject({
    /** Days the window covers; every day when omitted. */
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    /** Start and end of the window on those days, UTC; the whole day when omitted. */
    from: clock.optional(),
    to: clock.optional(),
});

export const appPromotionPolicyConfig = strictObject({
    /** Minutes the app must have been healthy, continuously, at the promoted commit. */
    soak: duration.optional(),
    /** Whether the app must be Healthy (and its analysis successful) in the source stack. */
    requireHealthy: z.boolean().optional(),
    /** Whether firing alerts in the app's namespace refuse it. */
    alerts: z.boolean().optional(),
    /** Why this app is held to another standard than the stack's: shown in the pull request. */
    reason: z.string().trim().min(10, "expected a reason of at least 10 characters: reviewers read it"),
});

export const promotionConfig = strictObject({
    /** The stack whose revisions and versions are promoted into this one. */
    from: z.string().min(1),
    /** Minutes every app must have been healthy at its promoted commit; default 1h. */
    soak: duration.optional(),
    /** Apps must be Healthy (and progressive delivery analysis successful); default true. */
    requireHealthy: z.boolean().optional(),
    /** Evidence older than this when production applies is stale and refused; default 24h. */
    evidenceMaxAge: duration.optional(),
    /** Firing alerts that refuse a promotion: read from Prometheus' HTTP API when `prometheusUrl` is set. */
    alerts: strictObject({
        prometheusUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Default [critical]. */
        severities: z.array(severity).min(1).optional(),
        /** How far back a firing alert counts; default 1h. */
        window: duration.optional(),
    }).optional(),
    /** Per-app policy, each with the reason it differs. */
    apps: z.record(dnsLabel, appPromotionPolicyConfig).optional(),
    /** platformFirst (default): a bundle moving platform versions and apps goes in two pull requests. */
    order: z.enum(["platformFirst", "together"]).optional(),
    /** When the scheduled dry run must not open a promotion pull request. */
    denyWindows: z.array(denyWindowConfig).optional(),
});

export type PromotionConfig = z.infer<typeof promotionConfig>;
export type DenyWindow = z.infer<typeof denyWindowConfig>;

/** What an omitted key means; the policy and the docs read these. */
export const PROMOTION_DEFAULTS = {
    soakMinutes: 60,
    requireHealthy: true,
    evidenceMaxAgeMinutes: 24 * 60,
    alertSeverities: ["critical"],
    alertWindowMinutes: 60,
    order: "platformFirst",
} as const;

/**
 * A stack never promotes from itself; per-app policy names apps of this stack; a deny window ends after
 * it starts.
 */
export function promotionRules(
    config: { readonly promotion?: PromotionConfig; readonly apps?: readonly { readonly name: string }[] },
    { stack }: CrossFieldContext,
): CrossFieldProblem[] {
    const promotion = config.promotion;
    if (promotion === undefined) {
        return [];
    }
    const problems: CrossFieldProblem[] = [];
    if (promotion.from === stack) {
        problems.push({
            path: ["promotion", "from"],
            message: `a stack cannot promote from itself: name the stack before ${stack} (e.g. staging)`,
        });
    }
    if (config.apps !== undefined) {
        const names = config.apps.map((app) => app.name);
        for (const name of Object.keys(promotion.apps ?? {})) {
            if (!names.includes(name)) {
                problems.push({
                    path: ["promotion", "apps", name],
                    message: `no app "${name}" in this stack (it has: ${names.join(", ") || "no apps"}): name one of them, or remove the entry`,
                });
            }
        }
    }
    (promotion.denyWindows ?? []).forEach((window, index) => {
        if (window.from !== undefined && window.to !== undefined && window.to <= window.from) {
            problems.push({
                path: ["promotion", "denyWindows", index, "to"],
                message: `the window ends (${window.to}) before it starts (${window.from}): split a window across midnight into two`,
            });
        }
    });
    return problems;
}

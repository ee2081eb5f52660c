/** Figures and targets of the benchmark: pure functions over measurements. */
import { ALLOWED_STAGES, withinAllowedStages } from "./graph";
import type { PlanAnalysis } from "./measurement";

/** Prefix of the line a child plan prints its measurement on. */
export const RESULT_MARKER = "BENCH_RESULT ";

export interface Spread {
    readonly median: number;
    readonly min: number;
    readonly max: number;
    readonly runs: number;
}

export function spread(values: readonly number[]): Spread {
    if (values.length === 0) {
        throw new Error("no values to summarize");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

export function formatSpread(s: Spread, unit: string, digits = 0): string {
    const f = (n: number) => n.toFixed(digits);
    return `${f(s.median)} ${unit} (${f(s.min)}–${f(s.max)}, n=${s.runs})`;
}

/** A benchmark case's result: the spread of each figure over its runs, or why it failed. */
export type CaseSummary =
    | {
          readonly label: string;
          readonly ok: true;
          readonly resources: number;
          /** Wall time of the child process (Node start, module load, plan), analysis excluded. */
          readonly wallMs: Spread;
          /** Time inside runPlan only. */
          readonly planMs: Spread;
          readonly maxRssMiB: Spread;
          /** planMs per declared resource. */
          readonly msPerResource: Spread;
          readonly analysis?: PlanAnalysis;
      }
    | { readonly label: string; readonly ok: false; readonly error: string };

export interface TargetResult {
    readonly target: string;
    /** undefined: not measurable on this tree (the case failed or declares nothing to check). */
    readonly pass: boolean | undefined;
    readonly measured: string;
}

type Ok = Extract<CaseSummary, { ok: true }>;
const ok = (c: CaseSummary | undefined): c is Ok => c !== undefined && c.ok;

/** Nothing that doesn't need the cluster waits for it, in one stack's plan. */
export function offClusterTarget(stack: CaseSummary | undefined): TargetResult {
    const target = `${stack?.label ?? "stack"}: repositories, deploy keys, store IAM roles, Secrets Manager entries do not wait for the EKS cluster`;
    if (!ok(stack) || stack.analysis === undefined) {
        return { target, pass: undefined, measured: stack && !stack.ok ? `error: ${stack.error}` : "not analysed" };
    }
    const checks = stack.analysis.offCluster;
    const declared = checks.reduce((n, c) => n + c.declared, 0);
    const waiting = checks.filter((c) => c.waiting.length > 0);
    const measured = checks
        .map(
            (c) =>
                `${c.label}: ${c.waiting.length}/${c.declared} wait${c.waiting.length ? ` (${c.waiting.slice(0, 5).join(", ")}${c.waiting.length > 5 ? ", …" : ""})` : ""}`,
        )
        .join("; ");
    return {
        target,
        pass: declared === 0 ? undefined : waiting.length === 0,
        measured: declared === 0 ? `none of these declared yet; ${measured}` : measured,
    };
}

/** The production critical path runs through network → control plane → node group → engine release → app objects at most. */
export function pathTarget(stack: CaseSummary | undefined): TargetResult {
    const target = `${stack?.label ?? "production"}: critical path within ${ALLOWED_STAGES.join(" → ")}`;
    if (!ok(stack) || stack.analysis === undefined) {
        return { target, pass: undefined, measured: stack && !stack.ok ? `error: ${stack.error}` : "not analysed" };
    }
    const stages = stack.analysis.stages;
    return {
        target,
        pass: stages.length === 0 ? undefined : withinAllowedStages(stages),
        measured: stages.length ? stages.join(" → ") : "(empty path)",
    };
}

export function formatTarget(t: TargetResult): string {
    const verdict = t.pass === undefined ? "N/A " : t.pass ? "PASS" : "MISS";
    return `${verdict}  ${t.target}: ${t.measured}`;
}

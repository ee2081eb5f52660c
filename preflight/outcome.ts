/**
 * What a check found, one line per subject: pass, fail (with the fix), skip (the source could not be
 * asked: no credentials, no network; with what was needed), or n/a (the stack has nothing to check).
 */
export type Status = "pass" | "fail" | "skip" | "n/a";

export interface Outcome {
    readonly status: Status;
    /** What was checked: "add-on vpc-cni v1.19.5-eksbuild.1", "chart argo-cd 10.1.1". */
    readonly subject: string;
    /** What was found, or why it was skipped. */
    readonly detail: string;
    /** What to do about a failure (or a skip). */
    readonly fix?: string;
}

export const pass = (subject: string, detail: string): Outcome => ({ status: "pass", subject, detail });
export const fail = (subject: string, detail: string, fix: string): Outcome => ({
    status: "fail",
    subject,
    detail,
    fix,
});
export const skip = (subject: string, detail: string, fix?: string): Outcome => ({
    status: "skip",
    subject,
    detail,
    ...(fix === undefined ? {} : { fix }),
});
export const notApplicable = (subject: string, detail: string): Outcome => ({ status: "n/a", subject, detail });

/** One check's name, what it needs, and its outcomes. */
export interface CheckReport {
    readonly check: string;
    readonly outcomes: readonly Outcome[];
}

const MARK: Readonly<Record<Status, string>> = { pass: "PASS", fail: "FAIL", skip: "SKIP", "n/a": "N/A " };

/** The report as text: a heading per check, a line per outcome, fixes indented under failures and skips. */
export function formatReport(reports: readonly CheckReport[]): string {
    const lines: string[] = [];
    for (const report of reports) {
        lines.push(`${report.check}:`);
        for (const o of report.outcomes) {
            lines.push(`  ${MARK[o.status]} ${o.subject}: ${o.detail}`);
            if (o.fix !== undefined) {
                lines.push(`       fix: ${o.fix}`);
            }
        }
    }
    const all = reports.flatMap((r) => r.outcomes);
    const count = (status: Status) => all.filter((o) => o.status === status).length;
    lines.push(`preflight: ${count("pass")} pass, ${count("fail")} fail, ${count("skip")} skip, ${count("n/a")} n/a`);
    return `${lines.join("\n")}\n`;
}

/** 1 when anything failed, or (strict) when anything was skipped; else 0. */
export function exitCodeOf(reports: readonly CheckReport[], strict: boolean): number {
    const all = reports.flatMap((r) => r.outcomes);
    return all.some((o) => o.status === "fail" || (strict && o.status === "skip")) ? 1 : 0;
}

/**
 * Check "charts": every chart version the stack installs (Pulumi's Helm releases, and the charts its
 * engine installs from Argo CD Applications, ApplicationSets and Flux HelmReleases) is published in its
 * repository. Public repositories need no credentials; one that cannot be reached is skipped.
 */
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";
import { chartVersions, SourceError } from "./sources";
import { PlannedChart, PreflightTarget } from "./target";

const SHOWN = 3;

function where(chart: PlannedChart): string {
    return chart.repository === undefined ? chart.chart : `${chart.repository} (chart ${chart.chart})`;
}

/** The verdict on one chart from the versions its repository publishes (newest first), or why there are none. */
export function judgeChart(stack: string, chart: PlannedChart, published: readonly string[] | SourceError): Outcome {
    const subject = `chart ${chart.chart.replace(/^oci:\/\/.*\//, "")} ${chart.version} (${chart.installedBy})`;
    if (published instanceof SourceError) {
        return published.kind === "unavailable"
            ? skip(subject, published.message, "run where the chart repository is reachable over HTTPS")
            : fail(subject, published.message, `check the chart's name and repository URL (${where(chart)})`);
    }
    if (published.includes(chart.version)) {
        return pass(subject, `published in ${where(chart)}`);
    }
    return fail(
        subject,
        `${chart.version} is not published in ${where(chart)}; newest: ${published.slice(0, SHOWN).join(", ") || "none"}`,
        `pin a published version in Pulumi.${stack}.yaml (or the program's default), or run \`npm run bump -- --stack ${stack}\``,
    );
}

export async function checkCharts(runner: Runner, target: PreflightTarget): Promise<Outcome[]> {
    if (target.charts.length === 0) {
        return [notApplicable("charts", "the stack installs no chart")];
    }
    // One request per repository and chart, however many releases install it.
    const asked = new Map<string, Promise<string[] | SourceError>>();
    const outcomes: Outcome[] = [];
    for (const chart of target.charts) {
        const key = `${chart.repository ?? ""} ${chart.chart}`;
        if (!asked.has(key)) {
            asked.set(
                key,
                chartVersions(runner, chart.repository, chart.chart).catch((error: unknown) => {
                    if (error instanceof SourceError) {
                        return error;
                    }
                    throw error;
                }),
            );
        }
        outcomes.push(judgeChart(target.stack, chart, await asked.get(key)!));
    }
    return outcomes;
}

/**
 * `npm run bump`: the newest versions a stack may take within its version set's lines, checked against
 * their sources (preflight/sources.ts: EKS add-on builds offered for the stack's Kubernetes minor, chart
 * versions in their repositories; the AMI release from EKS's public SSM parameter), written into the
 * stack file as explicit pins with comments kept (promote.ts applyChanges), and summarized with a link
 * to each release. The Kubernetes minor itself never moves here: that is a deliberate upgrade
 * (docs/upgrades.md), one minor at a time.
 */
import * as semver from "semver";
import { compareVersions } from "../components/core/versions";
import { Runner } from "../preflight/runner";
import { addonVersionsOffered, chartVersions, githubReleases, SourceError } from "../preflight/sources";
import { PlatformConfig } from "../stacks/config";
import { CHART_PIN_PATHS, withinLine } from "../stacks/config/versions";
import { AddonKey, ADDONS, ChartKey, CHARTS, releaseLink, VERSION_SETS } from "../stacks/versionSets";
import { installedCharts, stackVersions } from "../stacks/versions";

const PROJECT = "gitops-platform";

/** One pin the bump looked at. */
export interface PinCheck {
    /** Config path as a person reads it, e.g. `cluster.addons.vpcCni`. */
    readonly label: string;
    /** The path in the stack file's document, from `config`. */
    readonly path: readonly (string | number)[];
    readonly current: string;
    /** The newest version within the line that its source offers; undefined when not checked. */
    readonly newest?: string;
    /** Release notes of `newest`. */
    readonly link?: string;
    /** Why it was not checked, or what is wrong with the current pin. */
    readonly note?: string;
    /** The current pin is not offered by its source: a failure the stack must fix. */
    readonly notOffered?: boolean;
}

/** The newest stable version in `offered` within the line of `current`, or undefined. */
export function newestInLine(kind: "addon" | "chart", current: string, offered: readonly string[]): string | undefined {
    // EKS builds are semver pre-releases (-eksbuild.N) by construction; for charts a pre-release is not stable.
    const candidates = offered.filter(
        (v) =>
            semver.valid(v) !== null &&
            (kind === "addon" || semver.prerelease(v) === null) &&
            withinLine(kind, current, v),
    );
    return candidates.sort(compareVersions).at(-1);
}

/** The SSM parameter that names the recommended Amazon Linux 2023 EKS AMI release of a minor. */
export function amiReleaseParameter(minor: string): string {
    // terraform-provider-aws website/docs/r/eks_node_group.html.markdown (and pulumi-aws's NodeGroup
    // example): /aws/service/eks/optimized-ami/<version>/amazon-linux-2023/x86_64/standard/recommended/release_version.
    return `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2023/x86_64/standard/recommended/release_version`;
}

async function amiRelease(runner: Runner, minor: string, region: string | undefined): Promise<string> {
    const args = [
        "ssm",
        "get-parameter",
        "--name",
        amiReleaseParameter(minor),
        ...(region ? ["--region", region] : []),
    ];
    const result = await runner.exec("aws", [...args, "--output", "json"]);
    if (result.exitCode !== 0) {
        throw new SourceError(
            `aws ssm get-parameter failed (exit ${result.exitCode}): ${result.stderr.trim()}`,
            "unavailable",
        );
    }
    const value = (JSON.parse(result.stdout) as { Parameter?: { Value?: string } }).Parameter?.Value;
    if (value === undefined) {
        throw new SourceError(`aws ssm get-parameter printed no Parameter.Value`, "unavailable");
    }
    return value;
}

/** A source's answer, or the reason it gave none. */
async function ask<T>(question: () => Promise<T>): Promise<T | SourceError> {
    try {
        return await question();
    } catch (error) {
        return error instanceof SourceError ? error : new SourceError((error as Error).message, "unavailable");
    }
}

function judge(
    kind: "addon" | "chart",
    base: { label: string; path: readonly (string | number)[]; current: string },
    offered: readonly string[] | SourceError,
    link: (version: string) => string,
): PinCheck {
    if (offered instanceof SourceError) {
        return { ...base, note: `not checked: ${offered.message}`, notOffered: offered.kind === "missing" };
    }
    const newest = newestInLine(kind, base.current, offered);
    const notOffered = !offered.includes(base.current);
    if (newest === undefined) {
        return {
            ...base,
            notOffered,
            note: `its source offers nothing in the line of ${base.current}: the version set must move (stacks/versionSets.ts)`,
        };
    }
    return {
        ...base,
        newest,
        link: link(newest),
        notOffered,
        note: notOffered ? `${base.current} is not offered by its source` : undefined,
    };
}

/** Checks every pin the stack runs against its source. */
export async function checkPins(runner: Runner, config: PlatformConfig): Promise<PinCheck[]> {
    const versions = stackVersions(config);
    const checks: Promise<PinCheck>[] = [];
    if (config.cluster.type === "eks") {
        const region = config.awsRegion;
        for (const [key, current] of Object.entries(versions.addons) as [AddonKey, string][]) {
            const { eksName } = ADDONS[key];
            checks.push(
                ask(() => addonVersionsOffered(runner, eksName, versions.kubernetes, { region })).then((offered) =>
                    judge(
                        "addon",
                        { label: `cluster.addons.${key}`, path: [`${PROJECT}:cluster`, "addons", key], current },
                        offered,
                        (v) => releaseLink({ kind: "addon", key }, v),
                    ),
                ),
            );
        }
        const current = versions.nodeAmiReleaseVersion;
        checks.push(
            ask(() => amiRelease(runner, versions.kubernetes, region)).then((recommended) => {
                const base = {
                    label: "cluster.nodeAmiReleaseVersion",
                    path: [`${PROJECT}:cluster`, "nodeAmiReleaseVersion"],
                    current: current ?? "(EKS's latest)",
                };
                return recommended instanceof SourceError
                    ? { ...base, note: `not checked: ${recommended.message}` }
                    : {
                          ...base,
                          newest: recommended,
                          link: `https://github.com/awslabs/amazon-eks-ami/releases/tag/v${recommended.split("-").at(-1)}`,
                      };
            }),
        );
    }
    for (const chart of installedCharts(config)) {
        const [section, ...rest] = CHART_PIN_PATHS[chart];
        const base = {
            label: CHART_PIN_PATHS[chart].join("."),
            path: [`${PROJECT}:${section}`, ...rest],
            current: versions.charts[chart],
        };
        if (chart === "flux") {
            // A Flux distribution is a fluxcd/flux2 release, not a chart (preflight/sources.ts githubReleases).
            checks.push(
                ask(() => githubReleases(runner, "fluxcd/flux2")).then((releases) =>
                    judge(
                        "chart",
                        base,
                        releases instanceof SourceError
                            ? releases
                            : releases.filter((r) => !r.prerelease).map((r) => r.tag.replace(/^v/, "")),
                        (v) => releaseLink({ kind: "chart", key: chart }, v),
                    ),
                ),
            );
            continue;
        }
        const pin = CHARTS[chart as ChartKey];
        checks.push(
            ask(() => chartVersions(runner, pin.repository, pin.chart)).then((offered) =>
                judge("chart", base, offered, (v) => releaseLink({ kind: "chart", key: chart }, v)),
            ),
        );
    }
    return Promise.all(checks);
}

/** The pins to write: each whose newest version is newer than what the stack runs. */
export function bumps(
    checks: readonly PinCheck[],
): { path: readonly (string | number)[]; label: string; from: string; to: string }[] {
    return checks.flatMap((c) =>
        c.newest !== undefined && (!semver.valid(c.current) || compareVersions(c.newest, c.current) > 0)
            ? [{ path: c.path, label: c.label, from: c.current, to: c.newest }]
            : [],
    );
}

/** The summary a person reads (and the pull request body): each change with its release notes, then what was not checked. */
export function formatBump(
    stack: string,
    config: PlatformConfig,
    checks: readonly PinCheck[],
    written: boolean,
): string {
    const minor = stackVersions(config).kubernetes;
    const changed = bumps(checks);
    const lines = [
        changed.length === 0
            ? `Pulumi.${stack}.yaml already runs the newest versions its version set (Kubernetes ${minor}) allows`
            : `Pulumi.${stack}.yaml ${written ? "now pins" : "would pin"} (version set of Kubernetes ${minor}):`,
        ...changed.map((c) =>
            `  ${c.label}: ${c.from} → ${c.to}  ${checks.find((k) => k.label === c.label)?.link ?? ""}`.trimEnd(),
        ),
    ];
    const notes = checks.filter((c) => c.note !== undefined);
    if (notes.length > 0) {
        lines.push("Notes:", ...notes.map((c) => `  ${c.label} ${c.current}: ${c.note}`));
    }
    const next = `1.${Number(minor.split(".")[1]) + 1}`;
    if (VERSION_SETS[next] !== undefined) {
        lines.push(
            `Kubernetes ${next} has a version set: upgrading is a deliberate change, one minor at a time (docs/upgrades.md).`,
        );
    }
    return lines.join("\n");
}

/**
 * `gitops-platform:versions`, and the rules that hold every explicit pin of a stack to its version
 * set (stacks/versionSets.ts): a pin may move within the set's line (an add-on build within its
 * major.minor; a chart within its major, or its minor below 1.0), not across it; where the set has no
 * build of an add-on the stack must pin one.
 */
import { z } from "zod";
import { compareVersions, versionLine } from "../../components/core/versions";
import { AddonKey, ADDONS, ChartKey, DEFAULT_KUBERNETES_MINOR, VERSION_SETS, VersionSet } from "../versionSets";
import { kubernetesVersion } from "./cluster";
import { exactVersion, strictObject } from "./rules";

/** Charts pinned in the versions section: those without a key of their own in another section. */
export const SECTION_CHARTS = [
    "sealed-secrets",
    "kube-prometheus-stack",
    "argo-rollouts",
    "flagger",
    "argocd-image-updater",
] as const satisfies readonly ChartKey[];

export const versionsConfig = strictObject({
    /**
     * The Kubernetes minor of an existing cluster, naming its version set (default
     * DEFAULT_KUBERNETES_MINOR); an EKS stack names it in cluster.kubernetesVersion.
     */
    kubernetes: kubernetesVersion.optional(),
    /** Chart pins over the set's, within its line. */
    charts: strictObject(Object.fromEntries(SECTION_CHARTS.map((chart) => [chart, exactVersion.optional()]))).default(
        {},
    ),
});

export type VersionsConfig = z.infer<typeof versionsConfig>;

/** Where each chart's explicit pin lives in the stack config. */
export const CHART_PIN_PATHS: Readonly<Record<ChartKey, readonly string[]>> = {
    "argo-cd": ["engine", "chartVersion"],
    "flux-operator": ["engine", "operatorChartVersion"],
    flux: ["engine", "distributionVersion"],
    "external-secrets": ["secrets", "chartVersion"],
    ...(Object.fromEntries(SECTION_CHARTS.map((chart) => [chart, ["versions", "charts", chart]])) as unknown as Record<
        (typeof SECTION_CHARTS)[number],
        readonly string[]
    >),
};

/** Whether `version` stays in the line of `pinned`: add-on builds by major.minor, charts by semver's caret. */
export function withinLine(kind: "addon" | "chart", pinned: string, version: string): boolean {
    if (kind === "addon") {
        return versionLine(pinned) === versionLine(version);
    }
    const [a, b] = [versionLine(pinned).split("."), versionLine(version).split(".")];
    return a[0] === b[0] && (a[0] !== "0" || a[1] === b[1]);
}

/** The version set a stack takes, by its cluster's minor (or versions.kubernetes). */
export function versionSetOf(config: {
    readonly cluster?: { readonly type: string; readonly kubernetesVersion?: string };
    readonly versions?: { readonly kubernetes?: string };
}): VersionSet {
    const minor =
        config.cluster?.type === "eks"
            ? config.cluster.kubernetesVersion
            : (config.versions?.kubernetes ?? DEFAULT_KUBERNETES_MINOR);
    return VERSION_SETS[minor ?? DEFAULT_KUBERNETES_MINOR];
}

interface Problem {
    readonly path: readonly PropertyKey[];
    readonly message: string;
}

/** The sections the rules read, as parsed (each may be missing when broken). */
export interface PinnedSections {
    readonly cluster?: {
        readonly type: string;
        readonly kubernetesVersion?: string;
        readonly workloadIdentity?: string;
        readonly addons?: Readonly<Partial<Record<AddonKey, string>>>;
    };
    readonly engine?: Readonly<Record<string, unknown>>;
    readonly secrets?: Readonly<Record<string, unknown>>;
    readonly versions?: VersionsConfig;
}

function lineProblem(
    kind: "addon" | "chart",
    name: string,
    set: VersionSet,
    pinned: string,
    version: string,
): string | undefined {
    if (withinLine(kind, pinned, version)) {
        return undefined;
    }
    const line = kind === "addon" ? `${versionLine(pinned)}.x` : `the ${pinned.split(".")[0]}.x line`;
    const older = compareVersions(version, pinned) < 0 ? "older than" : "beyond";
    return `${name} ${version} is ${older} the version set of Kubernetes ${set.kubernetes} (${pinned}, ${line}, the line its checks were made at): pin a version of ${line}, or move the set in stacks/versionSets.ts with its checks`;
}

/** Each explicit pin against the stack's version set, and the add-on pins the set cannot supply. */
export function versionProblems(config: PinnedSections): Problem[] {
    const problems: Problem[] = [];
    const { cluster, versions } = config;
    if (cluster?.type === "eks" && versions?.kubernetes !== undefined) {
        problems.push({
            path: ["versions", "kubernetes"],
            message: `an EKS stack names its Kubernetes minor in cluster.kubernetesVersion (${cluster.kubernetesVersion}): remove versions.kubernetes`,
        });
    }
    if (cluster === undefined || (cluster.type === "eks" && cluster.kubernetesVersion === undefined)) {
        return problems;
    }
    const set = versionSetOf(config);
    if (cluster.type === "eks") {
        const needed: AddonKey[] = ["vpcCni", "coreDns", "kubeProxy"];
        if ((cluster.workloadIdentity ?? "podIdentity") === "podIdentity") {
            needed.push("podIdentityAgent");
        }
        for (const key of Object.keys(ADDONS) as AddonKey[]) {
            const explicit = cluster.addons?.[key];
            const pin = set.addons[key];
            if (explicit === undefined && pin === undefined && needed.includes(key)) {
                problems.push({
                    path: ["cluster", "addons", key],
                    message: `the version set of Kubernetes ${set.kubernetes} has no confirmed ${ADDONS[key].eksName} build: pin one that EKS offers (aws eks describe-addon-versions --addon-name ${ADDONS[key].eksName} --kubernetes-version ${set.kubernetes}, or npm run bump)`,
                });
            }
            const problem =
                explicit && pin ? lineProblem("addon", ADDONS[key].eksName, set, pin.version, explicit) : undefined;
            if (problem) {
                problems.push({ path: ["cluster", "addons", key], message: problem });
            }
        }
    }
    for (const [chart, path] of Object.entries(CHART_PIN_PATHS) as [ChartKey, readonly string[]][]) {
        const explicit = pinAt(config, path);
        const problem = explicit ? lineProblem("chart", chart, set, set.charts[chart].version, explicit) : undefined;
        if (problem) {
            problems.push({ path, message: problem });
        }
    }
    return problems;
}

/** A string pin at `path` of the parsed sections. */
export function pinAt(config: PinnedSections, path: readonly string[]): string | undefined {
    let value: unknown = config;
    for (const part of path) {
        value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    }
    return typeof value === "string" ? value : undefined;
}

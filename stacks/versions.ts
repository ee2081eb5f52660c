/** The versions a stack runs: its version set with the stack's explicit pins over it. */
import { AddonKey, CHART_KEYS, ChartKey } from "./versionSets";
import { CHART_PIN_PATHS, PinnedSections, pinAt, versionSetOf } from "./config/versions";

export interface StackVersions {
    readonly kubernetes: string;
    /** Add-on builds; an add-on neither the set nor the stack pins is absent (EKS's default applies). */
    readonly addons: Readonly<Partial<Record<AddonKey, string>>>;
    readonly nodeAmiReleaseVersion?: string;
    readonly charts: Readonly<Record<ChartKey, string>>;
}

/** The set of the stack's minor, each explicit pin over it (validated config: pins are within the set's rules). */
export function stackVersions(
    config: PinnedSections & { readonly cluster: { readonly nodeAmiReleaseVersion?: string } },
): StackVersions {
    const set = versionSetOf(config);
    const explicitAddons = config.cluster.type === "eks" ? (config.cluster.addons ?? {}) : {};
    const addons = Object.fromEntries(Object.entries(set.addons).map(([key, pin]) => [key, pin.version])) as Partial<
        Record<AddonKey, string>
    >;
    for (const [key, version] of Object.entries(explicitAddons)) {
        if (version !== undefined) {
            addons[key as AddonKey] = version;
        }
    }
    return {
        kubernetes: set.kubernetes,
        addons,
        nodeAmiReleaseVersion:
            config.cluster.type === "eks"
                ? (config.cluster.nodeAmiReleaseVersion ?? set.nodeAmiRelease?.version)
                : undefined,
        charts: Object.fromEntries(
            CHART_KEYS.map((chart) => [chart, pinAt(config, CHART_PIN_PATHS[chart]) ?? set.charts[chart].version]),
        ) as Record<ChartKey, string>,
    };
}

/** The parts of a stack's config that decide which charts it installs (parsed config, or a stack file's sections). */
export interface ChartChoices {
    readonly engine?: { readonly type?: string; readonly imageAutomation?: boolean };
    readonly secrets?: { readonly type?: string };
    readonly monitoring?: { readonly enabled?: boolean; readonly installPrometheusStack?: boolean };
    readonly apps?: readonly { readonly delivery?: unknown }[];
}

/**
 * The charts a stack installs: its engine's (and Argo CD Image Updater with image automation), its
 * secrets backend's, kube-prometheus-stack when monitoring installs it, and the engine's progressive
 * delivery controller when an app opts in.
 */
export function installedCharts(config: ChartChoices): ChartKey[] {
    const engine = config.engine?.type;
    const charts: ChartKey[] = engine === "flux" ? ["flux-operator", "flux"] : engine === "argocd" ? ["argo-cd"] : [];
    if (engine === "argocd" && config.engine?.imageAutomation === true) {
        charts.push("argocd-image-updater");
    }
    const secrets = config.secrets?.type;
    if (secrets !== undefined) {
        charts.push(secrets === "sealed-secrets" ? "sealed-secrets" : "external-secrets");
    }
    if (config.monitoring?.enabled === true && config.monitoring.installPrometheusStack === true) {
        charts.push("kube-prometheus-stack");
    }
    if ((config.apps ?? []).some((app) => app.delivery !== undefined) && engine !== undefined) {
        charts.push(engine === "flux" ? "flagger" : "argo-rollouts");
    }
    return charts;
}

/** What the stack outputs under `versions`, for `promote --platform`: the set it runs, installed charts only. */
export function versionsOutput(
    config: PinnedSections & ChartChoices & { readonly cluster: { readonly nodeAmiReleaseVersion?: string } },
) {
    const versions = stackVersions(config);
    const eks = config.cluster.type === "eks";
    return {
        kubernetes: versions.kubernetes,
        ...(eks ? { addons: versions.addons } : {}),
        ...(eks && versions.nodeAmiReleaseVersion ? { nodeAmiReleaseVersion: versions.nodeAmiReleaseVersion } : {}),
        charts: Object.fromEntries(installedCharts(config).map((chart) => [chart, versions.charts[chart]])),
    };
}

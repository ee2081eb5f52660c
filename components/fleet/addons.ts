/**
 * The add-on catalog: what the hub can install on spokes, described once. A spoke opts in with
 * `addons.<name>: true`, which becomes the cluster Secret label `enable_<name>: "true"` that the
 * add-on's ApplicationSet selects on. Names and label keys are gitops-bridge's
 * (gitops-bridge-dev/gitops-bridge: `enable_external_secrets`, and `enable_kube_prometheus_stack` in its
 * examples' oss_addons), so its users' ApplicationSets select the same clusters.
 */
import { DEFAULTS as MONITORING, prometheusStackValues } from "../monitoring";
import { operatorRbac } from "../secrets/objects";
import { DEFAULTS as EXTERNAL_SECRETS } from "../secrets/store";

export interface AddonChart {
    readonly repoURL: string;
    readonly chart: string;
    /** The version the platform itself installs, so hub and spokes run the same release. */
    readonly version: string;
}

export interface AddonDefinition {
    readonly chart: AddonChart;
    /** Namespace the add-on is installed into on each spoke. */
    readonly namespace: string;
    readonly releaseName: string;
    /** Chart values, as the platform sets them where it installs the chart itself. */
    readonly values: Readonly<Record<string, unknown>>;
}

export const ADDON_CATALOG = {
    external_secrets: {
        chart: {
            repoURL: EXTERNAL_SECRETS.chartRepository,
            chart: EXTERNAL_SECRETS.chart,
            version: EXTERNAL_SECRETS.chartVersion,
        },
        namespace: EXTERNAL_SECRETS.namespace,
        releaseName: EXTERNAL_SECRETS.releaseName,
        // The chart's defaults aggregate store rights into admin/edit and let it create any service account's
        // tokens (values.yaml at 2.9.0): the tenancy hole the platform's own release closes, closed here too.
        values: { installCRDs: true, rbac: operatorRbac(false) },
    },
    // Metrics: the Prometheus stack the monitoring component installs on a laptop cluster, the same release.
    kube_prometheus_stack: {
        chart: {
            repoURL: MONITORING.stack.chartRepository,
            chart: MONITORING.stack.chart,
            version: MONITORING.stack.chartVersion,
        },
        namespace: MONITORING.stack.namespace,
        releaseName: MONITORING.stack.releaseName,
        values: prometheusStackValues(),
    },
} as const satisfies Record<string, AddonDefinition>;

export type AddonName = keyof typeof ADDON_CATALOG;

export const ADDON_NAMES = Object.keys(ADDON_CATALOG) as AddonName[];

/** gitops-bridge's label: `enable_external_secrets`. */
export function addonLabel(addon: string): string {
    return `enable_${addon}`;
}

/**
 * Grafana dashboards of the engine, referenced, not copied: one ConfigMap with the label Grafana's
 * dashboards sidecar watches, whose `<name>.json.url` keys hold the upstream file's URL at a pinned
 * commit. The sidecar downloads what a key ending in `.url` points to and writes it as `<name>.json`
 * (kiwigrid/k8s-sidecar 1.30.10 src/resources.py, the version grafana chart 10.1.4 runs; the chart's
 * sidecar.dashboards.label is `grafana_dashboard`, any value, and it watches Grafana's own namespace).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EngineKind } from "./objects";

export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/**
 * The engines' own dashboards, at the commits of the versions this program pins:
 * - Argo CD v3.4.4 (commit 443415b5): examples/dashboard.json, the dashboard docs/operator-manual/metrics.md links.
 * - flux-operator v0.58.1 (commit b3b36020): config/monitoring/dashboards/, built on flux_resource_info and the
 *   controllers' controller-runtime metrics, which the PodMonitors scrape.
 */
export const DASHBOARDS: Readonly<Record<EngineKind, Readonly<Record<string, string>>>> = {
    argocd: {
        argocd: "https://raw.githubusercontent.com/argoproj/argo-cd/443415b5527ac55366e0760c93ef0e1abd0cf273/examples/dashboard.json",
    },
    flux: {
        "flux-performance":
            "https://raw.githubusercontent.com/controlplaneio-fluxcd/flux-operator/b3b36020aca1f8d2172c76949c0bcb6bbf688dde/config/monitoring/dashboards/flux-performance.json",
        "flux-k8s-api-performance":
            "https://raw.githubusercontent.com/controlplaneio-fluxcd/flux-operator/b3b36020aca1f8d2172c76949c0bcb6bbf688dde/config/monitoring/dashboards/flux-k8s-api-performance.json",
    },
};

export interface DashboardConfigMap {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> };
    data: Record<string, string>;
}

/**
 * What Grafana's dashboards sidecar needs to find them, granted by the platform so that the grafana chart's
 * own Role and RoleBinding (rbac.create, which a team's project refuses) can stay off: the sidecar lists and
 * watches ConfigMaps of its namespace (kiwigrid/k8s-sidecar src/resources.py, RESOURCE=configmap, METHOD=WATCH).
 */
export const DASHBOARD_READER_RULES = [
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
] as const;

/** The engine's dashboards as one ConfigMap in Grafana's namespace. */
export function dashboardConfigMap(
    engine: EngineKind,
    namespace: pulumi.Input<string>,
    labels: Readonly<Record<string, string>>,
): DashboardConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `${engine}-dashboards`, namespace, labels: { ...labels, ...DASHBOARD_LABEL } },
        data: Object.fromEntries(Object.entries(DASHBOARDS[engine]).map(([name, url]) => [`${name}.json.url`, url])),
    };
}

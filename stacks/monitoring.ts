/** Config → metrics and alerts for the stack's engine and secrets store (or none when monitoring is off). */
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle } from "../components/cluster/types";
import { GitopsEngine } from "../components/gitops/types";
import { Monitoring } from "../components/monitoring";
import { DEFAULTS as SECRETS_DEFAULTS } from "../components/secrets/store";
import { PlatformConfig } from "./config";
import { stackVersions } from "./versions";

export function createMonitoring(
    config: PlatformConfig,
    cluster: ClusterHandle,
    engine: GitopsEngine,
    /** App namespaces → their Namespace's name: dashboards in an app's namespace wait for it. */
    appNamespaces: ReadonlyMap<string, pulumi.Output<string>> = new Map(),
): Monitoring | undefined {
    const monitoring = config.monitoring;
    if (monitoring === undefined || !monitoring.enabled) {
        return undefined;
    }
    return new Monitoring(`${config.stack}-monitoring`, {
        provider: cluster.provider,
        environment: config.environment,
        engine: engine.kind,
        engineNamespace: engine.namespace,
        engineReady: engine.ready,
        // External Secrets' release only: the sealed-secrets controller has no monitors here.
        secrets:
            config.secrets && config.secrets.type !== "sealed-secrets"
                ? { namespace: config.secrets.namespace, release: SECRETS_DEFAULTS.releaseName }
                : undefined,
        selectorLabels: monitoring.selectorLabels,
        driftFor: monitoring.driftFor,
        stalledFor: monitoring.stalledFor,
        installStack: monitoring.installPrometheusStack,
        stackChartVersion: stackVersions(config).charts["kube-prometheus-stack"],
        dashboardsNamespace:
            monitoring.dashboards === undefined
                ? undefined
                : (appNamespaces.get(monitoring.dashboards.namespace) ?? monitoring.dashboards.namespace),
    });
}

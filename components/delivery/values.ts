/**
 * The progressive delivery controllers' charts, pinned, and their values. Pure functions.
 *
 * Read upstream:
 * - argoproj/argo-helm charts/argo-rollouts 2.41.0 (Chart.yaml appVersion v1.9.0; values.yaml:
 *   installCRDs, keepCRDs, controller.replicas, controller.pdb, controller.metrics.serviceMonitor,
 *   providerRBAC.enabled, dashboard.enabled).
 * - fluxcd/flagger charts/flagger 1.44.0 (Chart.yaml appVersion 1.44.0, repository https://flagger.app
 *   per charts/flagger/README.md; values.yaml: meshProvider, metricsServer, prometheus.install,
 *   noCrossNamespaceRefs, leaderElection, podDisruptionBudget, serviceMonitor; CRDs in crds/).
 */
import type { ProtectedValue } from "../core/values";
import type { DeliveryEngine } from "./objects";

export interface DeliveryChart {
    readonly repository: string;
    readonly chart: string;
    readonly version: string;
    /** The controller version the chart installs (its Chart.yaml appVersion), for the stack outputs. */
    readonly appVersion: string;
    readonly namespace: string;
    /**
     * The controller's metrics port, by its container port name: argo-helm charts/argo-rollouts 2.41.0
     * templates/controller/deployment.yaml `metrics`; flagger v1.44.0 charts/flagger/templates/deployment.yaml
     * `http` (8080, which serves /metrics).
     */
    readonly metricsPort: string;
}

export const DELIVERY_CHARTS: Readonly<Record<DeliveryEngine, DeliveryChart>> = {
    "argo-rollouts": {
        repository: "https://argoproj.github.io/argo-helm",
        chart: "argo-rollouts",
        version: "2.41.0",
        appVersion: "v1.9.0",
        namespace: "argo-rollouts",
        metricsPort: "metrics",
    },
    flagger: {
        repository: "https://flagger.app",
        chart: "flagger",
        version: "1.44.0",
        appVersion: "1.44.0",
        namespace: "flagger-system",
        metricsPort: "http",
    },
};

export interface ControllerSettings {
    /** Two replicas with a disruption budget (leader election for Flagger). */
    readonly highAvailability: boolean;
    /** The stack's Prometheus (monitoring); undefined when it has none. */
    readonly prometheusAddress?: string;
    /** Labels the stack's Prometheus selects monitors by; undefined: no ServiceMonitor. */
    readonly monitorLabels?: Readonly<Record<string, string>>;
    /** Flagger's default traffic provider (its -mesh-provider). */
    readonly meshProvider: string;
}

/** Chart values a user's delivery.values may not set, per controller. */
export const PROTECTED_VALUES: Readonly<Record<DeliveryEngine, readonly ProtectedValue[]>> = {
    "argo-rollouts": [
        { path: ["installCRDs"], reason: "the platform's Rollouts need the CRDs the chart installs" },
        { path: ["keepCRDs"], reason: "deleting the CRDs would delete every Rollout, and the apps' pods with it" },
        {
            path: ["providerRBAC"],
            reason: "Rollouts shift traffic by replica counts: the controller gets no mesh rights",
        },
        { path: ["dashboard", "enabled"], reason: "the Rollouts dashboard has no login" },
    ],
    flagger: [
        {
            path: ["noCrossNamespaceRefs"],
            reason: "a Canary uses its own namespace's templates only (policy flagger-no-cross-namespace-refs)",
        },
        { path: ["meshProvider"], reason: "it follows delivery.meshProvider: set that" },
    ],
};

export function rolloutsValues(settings: ControllerSettings): Record<string, unknown> {
    const monitored = settings.monitorLabels !== undefined;
    return {
        installCRDs: true,
        // Deleting the CRDs would delete every Rollout, and with it the apps' pods.
        keepCRDs: true,
        controller: {
            replicas: settings.highAvailability ? 2 : 1,
            pdb: settings.highAvailability ? { enabled: true, minAvailable: 1 } : { enabled: false },
            metrics: {
                enabled: monitored,
                serviceMonitor: monitored
                    ? { enabled: true, additionalLabels: { ...settings.monitorLabels } }
                    : { enabled: false },
            },
        },
        // Rollouts here shift traffic by replica counts, through no mesh or ingress: no rights on them.
        providerRBAC: { enabled: false },
        dashboard: { enabled: false },
    };
}

export function flaggerValues(settings: ControllerSettings): Record<string, unknown> {
    const monitored = settings.monitorLabels !== undefined;
    return {
        meshProvider: settings.meshProvider,
        // Without the stack's Prometheus, Flagger's own (2 h retention) serves its built-in checks.
        ...(settings.prometheusAddress
            ? { metricsServer: settings.prometheusAddress, prometheus: { install: false } }
            : { prometheus: { install: true } }),
        // A Canary may name MetricTemplates and AlertProviders of its own namespace only (tenancy).
        noCrossNamespaceRefs: true,
        leaderElection: { enabled: settings.highAvailability, replicaCount: settings.highAvailability ? 2 : 1 },
        podDisruptionBudget: { enabled: settings.highAvailability, minAvailable: 1 },
        serviceMonitor: monitored ? { enabled: true, labels: { ...settings.monitorLabels } } : { enabled: false },
    };
}

/** `gitops-platform:monitoring`: PodMonitors and alert rules for an existing Prometheus Operator. */
import { z } from "zod";
import { DEFAULTS } from "../../components/monitoring";
import type { CrossFieldProblem } from "./crossField";
import { dnsLabel, labels, strictObject } from "./rules";

/** A Prometheus duration (model.ParseDuration units), non-zero, as a rule's `for` takes it. */
const promDuration = z
    .string()
    .regex(/^([1-9]\d*(ms|s|m|h|d|w|y))+$/, "expected a Prometheus duration such as 15m, 1h or 1h30m");

export const monitoringConfig = strictObject({
    /** Declare PodMonitors and a PrometheusRule; the cluster must already run the Prometheus Operator (its CRDs). */
    enabled: z.boolean().default(false),
    /**
     * Labels the existing Prometheus selects PodMonitors and PrometheusRules by (its podMonitorSelector
     * and ruleSelector); kube-prometheus-stack selects `release: <its release name>`.
     */
    selectorLabels: labels.default({ ...DEFAULTS.selectorLabels }),
    /** How long an app may be OutOfSync / not Ready before it alerts. */
    driftFor: promDuration.default(DEFAULTS.driftFor),
    /** How long a sync or reconciliation may stay in progress before it alerts. */
    stalledFor: promDuration.default(DEFAULTS.stalledFor),
    /**
     * The engine's upstream Grafana dashboards, for a Grafana whose dashboards sidecar is on
     * (sidecar.dashboards.enabled).
     */
    /**
     * Install kube-prometheus-stack (pinned, components/monitoring DEFAULTS.stack) into namespace monitoring,
     * for a cluster without a Prometheus Operator (local); its Prometheus selects the default selectorLabels.
     */
    installPrometheusStack: z.boolean().default(false),
    /**
     * Where the Prometheus Operator's CRDs (PodMonitor, PrometheusRule) come from when installPrometheusStack is
     * off: `install` (the pinned prometheus-operator-crds chart, components/monitoring DEFAULTS.operatorCrds), or
     * `existing`, an operator installed outside this stack on an existing cluster.
     */
    operatorCrds: z.enum(["install", "existing"]).default("install"),
    dashboards: strictObject({
        /** Grafana's namespace: its sidecar watches that namespace only. */
        namespace: dnsLabel,
        /**
         * Grafana's service account, granted read of that namespace's ConfigMaps by the platform, so the chart's
         * own Role and RoleBinding (rbac.create) can stay off where a team's project refuses RBAC kinds.
         */
        serviceAccount: dnsLabel.optional(),
    }).optional(),
}).superRefine((monitoring, ctx) => {
    const expected = JSON.stringify(DEFAULTS.selectorLabels);
    if (monitoring.installPrometheusStack && JSON.stringify(monitoring.selectorLabels) !== expected) {
        ctx.addIssue({
            code: "custom",
            path: ["selectorLabels"],
            input: monitoring.selectorLabels,
            message: `the kube-prometheus-stack installed by installPrometheusStack selects ${expected}: remove selectorLabels, or installPrometheusStack`,
        });
    }
    if (monitoring.installPrometheusStack && monitoring.operatorCrds === "existing") {
        ctx.addIssue({
            code: "custom",
            path: ["operatorCrds"],
            input: monitoring.operatorCrds,
            message:
                "installPrometheusStack installs the operator and its CRDs: remove operatorCrds, or installPrometheusStack",
        });
    }
});

/**
 * `operatorCrds: existing` on a cluster this stack creates: nothing can have installed the operator before the
 * stack's first `up`, which would then fail on every PodMonitor ("the apiVersion for this resource does not exist").
 */
export function monitoringClusterRule(config: {
    readonly monitoring?: MonitoringConfig;
    readonly cluster?: { readonly type: string };
}): CrossFieldProblem[] {
    const { monitoring, cluster } = config;
    if (monitoring?.enabled && monitoring.operatorCrds === "existing" && cluster?.type === "eks") {
        return [
            {
                path: ["monitoring", "operatorCrds"],
                message:
                    "existing: this stack creates the EKS cluster, so no Prometheus Operator is on it before the first up: remove operatorCrds (the pinned CRDs chart is installed), or set installPrometheusStack",
            },
        ];
    }
    return [];
}

export type MonitoringConfig = z.infer<typeof monitoringConfig>;

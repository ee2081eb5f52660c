/** `gitops-platform:monitoring`: PodMonitors and alert rules for an existing Prometheus Operator. */
import { z } from "zod";
import { DEFAULTS } from "../../components/monitoring";
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
    dashboards: strictObject({
        /** Grafana's namespace: its sidecar watches that namespace only. */
        namespace: dnsLabel,
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
});

export type MonitoringConfig = z.infer<typeof monitoringConfig>;

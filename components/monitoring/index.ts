/**
 * Metrics and alerts for the GitOps engine and External Secrets: PodMonitors for the controllers and
 * one PrometheusRule, labelled so that the cluster's Prometheus selects them. The Prometheus Operator is
 * normally already on the cluster; `installStack` installs kube-prometheus-stack (for a laptop cluster).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY, podSecurityLabels } from "../core/isolation";
import { platformLabels } from "../core/labels";
import { declareObject } from "../core/objects";
import { dashboardConfigMap } from "./dashboards";
import { EngineKind, podMonitors, prometheusRule } from "./objects";

export const DEFAULTS = {
    /** kube-prometheus-stack's Prometheus selects monitors and rules by its release label. */
    selectorLabels: { release: "kube-prometheus-stack" } as Readonly<Record<string, string>>,
    driftFor: "15m",
    stalledFor: "30m",
    /** kube-prometheus-stack, when the component installs it (prometheus-community/helm-charts, August 2026). */
    stack: {
        chartRepository: "https://prometheus-community.github.io/helm-charts",
        chart: "kube-prometheus-stack",
        chartVersion: "88.5.3",
        releaseName: "kube-prometheus-stack",
        namespace: "monitoring",
    },
} as const;

/**
 * kube-prometheus-stack's values (charts/kube-prometheus-stack/values.yaml, 88.5.3): with the
 * *SelectorNilUsesHelmValues switches its Prometheus selects monitors and rules labelled
 * `release: <release name>`, which DEFAULTS.selectorLabels are; its Grafana's sidecar loads
 * ConfigMaps labelled grafana_dashboard "1" from every namespace (grafana.sidecar.dashboards).
 * Set explicitly, as the monitors rely on them.
 */
export function prometheusStackValues(): Record<string, unknown> {
    return {
        crds: { enabled: true },
        // node-exporter needs the host's network and PID namespaces, which baseline Pod Security forbids;
        // the platform's alerts need no node metrics.
        nodeExporter: { enabled: false },
        prometheus: {
            prometheusSpec: {
                podMonitorSelectorNilUsesHelmValues: true,
                ruleSelectorNilUsesHelmValues: true,
                podMonitorNamespaceSelector: {},
                ruleNamespaceSelector: {},
            },
        },
        grafana: {
            enabled: true,
            sidecar: {
                dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" },
            },
        },
    };
}

export interface MonitoringArgs {
    readonly provider: k8s.Provider;
    readonly environment: string;
    readonly engine: EngineKind;
    readonly engineNamespace: string;
    /** The engine's releases: the monitors wait for the namespace and the pods they scrape. */
    readonly engineReady: readonly pulumi.Resource[];
    /** External Secrets' namespace and release; default none (no secrets store). */
    readonly secrets?: { readonly namespace: string; readonly release: string };
    /** Labels the existing Prometheus selects by; default DEFAULTS.selectorLabels. */
    readonly selectorLabels?: Readonly<Record<string, string>>;
    /** Default DEFAULTS.driftFor. */
    readonly driftFor?: string;
    /** Default DEFAULTS.stalledFor. */
    readonly stalledFor?: string;
    /**
     * Grafana's namespace, where its dashboards sidecar finds the engine's dashboards (./dashboards.ts);
     * an Output of its Namespace when the program creates it. Default: no dashboards.
     */
    readonly dashboardsNamespace?: pulumi.Input<string>;
    /** Install kube-prometheus-stack (DEFAULTS.stack) first; needs selectorLabels to be the default. Default: false. */
    readonly installStack?: boolean;
    /** kube-prometheus-stack chart version when installStack. Default: DEFAULTS.stack.chartVersion. */
    readonly stackChartVersion?: string;
}

export class Monitoring extends pulumi.ComponentResource {
    public readonly ruleName: string;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:monitoring:Monitoring", name, {}, opts);
        const settings = {
            engine: args.engine,
            engineNamespace: args.engineNamespace,
            secrets: args.secrets,
            selectorLabels: args.selectorLabels ?? DEFAULTS.selectorLabels,
            labels: platformLabels(args.environment),
            driftFor: args.driftFor ?? DEFAULTS.driftFor,
            stalledFor: args.stalledFor ?? DEFAULTS.stalledFor,
        };
        const stack = args.installStack ? this.installStack(name, args) : [];
        const child = { parent: this, provider: args.provider, dependsOn: [...args.engineReady, ...stack] };
        for (const monitor of podMonitors(settings)) {
            declareObject(`${name}-${monitor.metadata.name}`, monitor, child);
        }
        const rule = prometheusRule(`${name}-alerts`, settings);
        declareObject(`${name}-alerts`, rule, child);
        this.ruleName = rule.metadata.name;
        if (args.dashboardsNamespace !== undefined) {
            new k8s.core.v1.ConfigMap(
                `${name}-dashboards`,
                dashboardConfigMap(args.engine, args.dashboardsNamespace, settings.labels),
                { parent: this, provider: args.provider, dependsOn: stack },
            );
        }
        this.registerOutputs({ ruleName: this.ruleName });
    }

    private installStack(name: string, args: MonitoringArgs): pulumi.Resource[] {
        const selector = args.selectorLabels ?? DEFAULTS.selectorLabels;
        if (JSON.stringify(selector) !== JSON.stringify({ release: DEFAULTS.stack.releaseName })) {
            throw new pulumi.ResourceError(
                `the kube-prometheus-stack this component installs selects release: ${DEFAULTS.stack.releaseName}; selectorLabels ${JSON.stringify(selector)} would never be scraped`,
                this,
            );
        }
        const child = { parent: this, provider: args.provider };
        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: DEFAULTS.stack.namespace,
                    labels: { ...platformLabels(args.environment), ...podSecurityLabels(POD_SECURITY.platform) },
                },
            },
            child,
        );
        const release = new k8s.helm.v3.Release(
            `${name}-stack`,
            {
                name: DEFAULTS.stack.releaseName,
                namespace: namespace.metadata.name,
                chart: DEFAULTS.stack.chart,
                version: args.stackChartVersion ?? DEFAULTS.stack.chartVersion,
                repositoryOpts: { repo: DEFAULTS.stack.chartRepository },
                values: prometheusStackValues(),
            },
            child,
        );
        return [release];
    }
}

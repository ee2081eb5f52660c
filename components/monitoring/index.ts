/**
 * Metrics and alerts for the GitOps engine and External Secrets: PodMonitors for the controllers and
 * one PrometheusRule, labelled so that the cluster's Prometheus selects them. Their CRDs come from the pinned
 * prometheus-operator-crds chart, from kube-prometheus-stack (`installStack`, for a laptop cluster), or from an
 * operator installed outside the stack (`operatorCrds: existing`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY, podSecurityLabels } from "../core/isolation";
import { platformLabels } from "../core/labels";
import { declareObject } from "../core/objects";
import { DASHBOARD_READER_RULES, dashboardConfigMap } from "./dashboards";
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
    /**
     * The Prometheus Operator's CRDs alone, when the stack installs no kube-prometheus-stack
     * (prometheus-community/helm-charts charts/prometheus-operator-crds, tag prometheus-operator-crds-31.0.1:
     * appVersion v0.93.1, the operator kube-prometheus-stack 88.5.3 runs). Its CRDs are templates, so Helm
     * upgrades them with the chart. Cluster-scoped: the release's record lives in kube-system, on every cluster.
     */
    operatorCrds: {
        chartRepository: "https://prometheus-community.github.io/helm-charts",
        chart: "prometheus-operator-crds",
        chartVersion: "31.0.1",
        releaseName: "prometheus-operator-crds",
        namespace: "kube-system",
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
    /** Grafana's service account there, granted read of its namespace's ConfigMaps for its sidecar. Default: none. */
    readonly dashboardsServiceAccount?: string;
    /** Install kube-prometheus-stack (DEFAULTS.stack) first; needs selectorLabels to be the default. Default: false. */
    readonly installStack?: boolean;
    /**
     * Without installStack: `install` the operator's CRDs (DEFAULTS.operatorCrds) before the monitors, or rely on an
     * operator installed outside this stack (`existing`). Default: "install".
     */
    readonly operatorCrds?: "install" | "existing";
    /** kube-prometheus-stack chart version when installStack. Default: DEFAULTS.stack.chartVersion. */
    readonly stackChartVersion?: string;
    /** prometheus-operator-crds chart version when it is installed. Default: DEFAULTS.operatorCrds.chartVersion. */
    readonly operatorCrdsChartVersion?: string;
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
        const stack = args.installStack
            ? this.installStack(name, args)
            : (args.operatorCrds ?? "install") === "install"
              ? [this.installOperatorCrds(name, args.provider, args.operatorCrdsChartVersion)]
              : [];
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
            if (args.dashboardsServiceAccount !== undefined) {
                this.grantDashboardReader(name, args, args.dashboardsNamespace, args.dashboardsServiceAccount);
            }
        }
        this.registerOutputs({ ruleName: this.ruleName });
    }

    /** A Role reading ConfigMaps in Grafana's namespace, bound to its service account. */
    private grantDashboardReader(
        name: string,
        args: MonitoringArgs,
        namespace: pulumi.Input<string>,
        serviceAccount: string,
    ): void {
        const child = { parent: this, provider: args.provider };
        const metadata = { name: "grafana-dashboards-reader", namespace, labels: platformLabels(args.environment) };
        const role = new k8s.rbac.v1.Role(
            `${name}-dashboards-reader`,
            {
                metadata,
                rules: DASHBOARD_READER_RULES.map((rule) => ({
                    apiGroups: [...rule.apiGroups],
                    resources: [...rule.resources],
                    verbs: [...rule.verbs],
                })),
            },
            child,
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-dashboards-reader`,
            {
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace }],
            },
            child,
        );
    }

    /** The monitors' CRDs; the monitors depend on this release. */
    private installOperatorCrds(name: string, provider: k8s.Provider, version?: string): pulumi.Resource {
        const crds = DEFAULTS.operatorCrds;
        return new k8s.helm.v3.Release(
            `${name}-operator-crds`,
            {
                name: crds.releaseName,
                namespace: crds.namespace,
                chart: crds.chart,
                version: version ?? crds.chartVersion,
                repositoryOpts: { repo: crds.chartRepository },
            },
            { parent: this, provider },
        );
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

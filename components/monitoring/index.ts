/**
 * Metrics and alerts for the GitOps engine and External Secrets, for a Prometheus Operator that is
 * already on the cluster (this program does not install one): PodMonitors for the controllers and
 * one PrometheusRule, labelled so that the existing Prometheus selects them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformLabels } from "../core/labels";
import { declareObject } from "../core/objects";
import { dashboardConfigMap } from "./dashboards";
import { EngineKind, podMonitors, prometheusRule } from "./objects";

export const DEFAULTS = {
    /** kube-prometheus-stack's Prometheus selects monitors and rules by its release label. */
    selectorLabels: { release: "kube-prometheus-stack" } as Readonly<Record<string, string>>,
    driftFor: "15m",
    stalledFor: "30m",
} as const;

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
        const child = { parent: this, provider: args.provider, dependsOn: [...args.engineReady] };
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
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({ ruleName: this.ruleName });
    }
}

/**
 * Progressive delivery: the controller (Argo Rollouts on Argo CD stacks, Flagger on Flux stacks) as a
 * pinned Helm release, and per app that opts in the objects that release its Deployment from Git,
 * with read access for its team. What a team may ship itself is in DELIVERY_TENANT_KINDS.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { teamSubjects } from "../apps/teamAccess";
import { declareObject } from "../core/objects";
import { declarePlatformChart } from "../core/platformChart";
import { AppDeliverySettings, DeliveryEngine, deliveryObjects, deliveryReadRules } from "./objects";
import { ControllerSettings, DELIVERY_CHARTS, flaggerValues, PROTECTED_VALUES, rolloutsValues } from "./values";
import { ChartValues, withUserValues } from "../core/values";

export * from "./objects";
export { DELIVERY_CHARTS } from "./values";

export const DEFAULTS = {
    meshProvider: "kubernetes",
    /** An app's release, where its config says nothing. */
    steps: [10, 25, 50] as readonly number[],
    interval: "1m",
    checks: 5,
    progressDeadlineSeconds: 600,
    replicas: 2,
    /** Helm's own default (helm.v3.Release `timeout`). */
    timeoutSeconds: 300,
} as const;

export interface DeliveryControllerArgs {
    readonly engine: DeliveryEngine;
    readonly provider: k8s.Provider;
    /** Labels on every object (the platform's). Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** What must exist before the chart installs (node groups). Default: none. */
    readonly clusterReady?: readonly pulumi.Resource[];
    /** Default: false. */
    readonly highAvailability?: boolean;
    /** The stack's Prometheus; default none. */
    readonly prometheusAddress?: string;
    /** Labels the stack's Prometheus selects monitors by; default none (no ServiceMonitor). */
    readonly monitorLabels?: Readonly<Record<string, string>>;
    /** Flagger's default traffic provider; default DEFAULTS.meshProvider. */
    readonly meshProvider?: string;
    /** The controller chart's values merged over the program's (core/values.ts); none at PROTECTED_VALUES. Default: none. */
    readonly values?: ChartValues;
    /** The controller's chart version. Default: DELIVERY_CHARTS[engine].version. */
    readonly chartVersion?: string;
}

export class DeliveryController extends pulumi.ComponentResource {
    public readonly engine: DeliveryEngine;
    public readonly namespace: string;
    /** The release: every Rollout or Canary waits for its CRDs. */
    public readonly ready: pulumi.Resource[];
    public readonly versions: { readonly chart: string; readonly app: string };

    constructor(name: string, args: DeliveryControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:delivery:DeliveryController", name, {}, opts);
        const chart = DELIVERY_CHARTS[args.engine];
        this.engine = args.engine;
        this.namespace = chart.namespace;
        const version = args.chartVersion ?? chart.version;
        // The app version is known for the pinned chart only (its Chart.yaml appVersion).
        this.versions = { chart: version, app: version === chart.version ? chart.appVersion : "unrecorded" };
        const settings: ControllerSettings = {
            highAvailability: args.highAvailability ?? false,
            prometheusAddress: args.prometheusAddress,
            monitorLabels: args.monitorLabels,
            meshProvider: args.meshProvider ?? DEFAULTS.meshProvider,
        };
        const { release } = declarePlatformChart(
            name,
            {
                namespace: chart.namespace,
                labels: args.labels,
                // The controllers take no webhooks: only their own pods (Flagger's bundled Prometheus) and
                // scrapes of the metrics port reach them.
                ingress: { scrapedPorts: [chart.metricsPort] },
                release: {
                    name: chart.chart,
                    chart: chart.chart,
                    version,
                    repository: chart.repository,
                    timeoutSeconds: DEFAULTS.timeoutSeconds,
                    values: withUserValues(
                        chart.chart,
                        args.engine === "argo-rollouts" ? rolloutsValues(settings) : flaggerValues(settings),
                        args.values,
                        PROTECTED_VALUES[args.engine],
                        this,
                    ),
                },
            },
            { parent: this, provider: args.provider, releaseDependsOn: args.clusterReady },
        );
        this.ready = [release];
        this.registerOutputs({ namespace: this.namespace, versions: this.versions });
    }
}

export interface AppDeliveryArgs {
    readonly controller: DeliveryController;
    readonly provider: k8s.Provider;
    readonly settings: AppDeliverySettings;
    /** The team's groups: they read the app's releases. Required. */
    readonly groups: readonly string[];
    readonly team: string;
    /** What must exist first (the app: its namespace). Default: none. */
    readonly dependsOn?: readonly pulumi.Resource[];
}

export class AppDelivery extends pulumi.ComponentResource {
    /** Kinds and names of what was declared, e.g. `Rollout/payments-api`. */
    public readonly objects: string[];

    constructor(name: string, args: AppDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:delivery:AppDelivery", name, {}, opts);
        const { settings, provider } = args;
        const child = { parent: this, provider, dependsOn: [...args.controller.ready, ...(args.dependsOn ?? [])] };
        const objects = deliveryObjects(args.controller.engine, settings);
        for (const object of objects) {
            declareObject(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, child);
        }
        const metadata = {
            name: `team-${args.team}-delivery`,
            namespace: settings.namespace,
            labels: { ...settings.labels, team: args.team },
        };
        const role = new k8s.rbac.v1.Role(
            `${name}-team-role`,
            { metadata, rules: deliveryReadRules(args.controller.engine) },
            child,
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-team-binding`,
            {
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: teamSubjects(args.groups),
            },
            child,
        );
        this.objects = objects.map((o) => `${o.kind}/${o.metadata.name}`);
        this.registerOutputs({ objects: this.objects });
    }
}

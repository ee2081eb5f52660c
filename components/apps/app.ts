/**
 * One application of a stack: its namespace with quota, container defaults and team access, its
 * secrets from the store, and its registration with the GitOps engine. Pulumi owns the namespace
 * and what governs it; the engine owns what runs inside, from Git.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApplicationRegistration, GitopsEngine } from "../gitops/types";
import { AppSecretSource } from "../secrets/types";
import { appLabels } from "../core/labels";
import {
    APP_EGRESS_POLICY,
    AppEgress,
    appEgressSpec,
    DEFAULT_DENY_POLICY,
    defaultDenySpec,
    POD_SECURITY,
    podSecurityLabels,
} from "../core/isolation";
import { teamSubjects } from "./teamAccess";

/** Namespace totals (ResourceQuota `hard`). */
export interface QuotaSettings {
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
    readonly pods: number;
}

/** Per-container defaults (LimitRange), so pods that set no resources still fit the quota. */
export interface ContainerLimits {
    readonly defaultCpu: string;
    readonly defaultMemory: string;
    readonly defaultRequestCpu: string;
    readonly defaultRequestMemory: string;
}

export function quotaHard(quota: QuotaSettings): Record<string, string> {
    return {
        "requests.cpu": quota.requestsCpu,
        "requests.memory": quota.requestsMemory,
        "limits.cpu": quota.limitsCpu,
        "limits.memory": quota.limitsMemory,
        pods: String(quota.pods),
    };
}

export function containerLimitRange(limits: ContainerLimits): k8s.types.input.core.v1.LimitRangeItem {
    return {
        type: "Container",
        default: { cpu: limits.defaultCpu, memory: limits.defaultMemory },
        defaultRequest: { cpu: limits.defaultRequestCpu, memory: limits.defaultRequestMemory },
    };
}

export interface AppArgs {
    /** The app as the engine registers it (name, team, namespace, source, sync policy, dependencies). Required. */
    readonly registration: ApplicationRegistration;
    /** Labels on every object (the platform's labels); the team is added. Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** The team's groups, bound in the app's namespace to the stack's team ClusterRole. Required, at least one. */
    readonly groups: readonly string[];
    /** The namespace's quota. Required. */
    readonly quota: QuotaSettings;
    /** Defaults of every container in the namespace. Required. */
    readonly limits: ContainerLimits;
    /** Name of the ClusterRole (components/apps/teamAccess.ts) the team is bound to in the namespace. Required. */
    readonly teamRole: pulumi.Input<string>;
    /** The namespace stays behind when the app is removed, so its data is not lost. Required. */
    readonly retainNamespace: boolean;
    /** Keys the app reads from the secrets store. Default: none. */
    readonly secretKeys?: readonly string[];
    /** Provider of the cluster every object goes to. Required. */
    readonly provider: k8s.Provider;
    readonly engine: GitopsEngine;
    /** The backend the app's secrets come from. Default: none (then secretKeys must be empty). */
    readonly secrets?: AppSecretSource;
    /** What the app's workloads reach beyond the namespace's default deny. Default: nothing more. */
    readonly egress?: AppEgress;
    /** What must exist before the app is registered (the team's AppProject). Default: none. */
    readonly dependsOn?: readonly pulumi.Resource[];
}

export class App extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:apps:App", name, {}, opts);
        const { registration: app, provider } = args;
        const secretKeys = args.secretKeys ?? [];
        if (secretKeys.length > 0 && args.secrets === undefined) {
            throw new pulumi.ResourceError(
                `app ${name} reads secrets ${secretKeys.join(", ")} but the stack has no secrets store`,
                this,
            );
        }
        const labels = appLabels(app.team, args.labels);
        const child = { parent: this, provider };

        const annotations = args.engine.tenantNamespaceAnnotations;
        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: app.namespace,
                    labels: { ...labels, ...podSecurityLabels(POD_SECURITY.app) },
                    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
                },
            },
            { ...child, retainOnDelete: args.retainNamespace },
        );
        const inNamespace = (objectName: string) => ({ name: objectName, namespace: namespace.metadata.name, labels });

        const quota = new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: inNamespace("app-quota"),
                spec: { hard: quotaHard(args.quota) },
            },
            child,
        );
        const limits = new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: inNamespace("container-defaults"),
                spec: { limits: [containerLimitRange(args.limits)] },
            },
            child,
        );
        const isolation = new k8s.networking.v1.NetworkPolicy(
            `${name}-default-deny`,
            {
                metadata: inNamespace(DEFAULT_DENY_POLICY),
                spec: defaultDenySpec(args.engine.namespace),
            },
            child,
        );
        const egressSpec = args.egress === undefined ? undefined : appEgressSpec(args.egress);
        const egress =
            egressSpec === undefined
                ? []
                : [
                      new k8s.networking.v1.NetworkPolicy(
                          `${name}-egress`,
                          { metadata: inNamespace(APP_EGRESS_POLICY), spec: egressSpec },
                          child,
                      ),
                  ];
        new k8s.rbac.v1.RoleBinding(
            `${name}-team-binding`,
            {
                metadata: inNamespace(`team-${app.team}`),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: args.teamRole },
                subjects: teamSubjects(args.groups),
            },
            child,
        );

        const secret =
            secretKeys.length > 0
                ? args.secrets?.appSecret(
                      { app: name, namespace: namespace.metadata.name, keys: secretKeys },
                      { parent: this, dependsOn: [namespace] },
                  )
                : undefined;
        // Workloads start only once their namespace, its quota defaults, its isolation and their secrets exist.
        args.engine.registerApplication(app, {
            parent: this,
            dependsOn: [
                namespace,
                quota,
                limits,
                isolation,
                ...egress,
                ...(secret ? [secret] : []),
                ...(args.dependsOn ?? []),
            ],
        });

        this.namespace = namespace.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

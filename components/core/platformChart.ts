/**
 * How a platform component installs its controller: a namespace of its own at the platform's Pod
 * Security level, the platform-ingress NetworkPolicy in it, and the chart as a pinned Helm release there.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    PLATFORM_INGRESS_POLICY,
    PlatformIngress,
    platformIngressSpec,
    POD_SECURITY,
    podSecurityLabels,
} from "./isolation";

export interface PlatformChart {
    /** The namespace, which the release installs into. */
    readonly namespace: string;
    /** The platform's labels, on the namespace and the policy. */
    readonly labels: Readonly<Record<string, string>>;
    /** What reaches the controller's pods from outside the namespace. */
    readonly ingress: PlatformIngress;
    readonly release: {
        readonly name: string;
        readonly chart: string;
        readonly version: string;
        readonly repository: string;
        /** Seconds Helm waits for the release; none: the provider's default. */
        readonly timeoutSeconds?: number;
        readonly values: pulumi.Input<Record<string, unknown>>;
    };
}

/**
 * `<name>-namespace`, `<name>-network-policy` and `<name>-release`, children as `opts` says; the release
 * also waits for `releaseDependsOn` (the cluster's nodes, the controller's IAM role).
 */
export function declarePlatformChart(
    name: string,
    chart: PlatformChart,
    opts: {
        readonly parent: pulumi.Resource;
        readonly provider: k8s.Provider;
        readonly releaseDependsOn?: readonly pulumi.Resource[];
    },
): { namespace: k8s.core.v1.Namespace; release: k8s.helm.v3.Release } {
    const child = { parent: opts.parent, provider: opts.provider };
    const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        {
            metadata: {
                name: chart.namespace,
                labels: { ...chart.labels, ...podSecurityLabels(POD_SECURITY.platform) },
            },
        },
        child,
    );
    new k8s.networking.v1.NetworkPolicy(
        `${name}-network-policy`,
        {
            metadata: { name: PLATFORM_INGRESS_POLICY, namespace: namespace.metadata.name, labels: chart.labels },
            spec: platformIngressSpec(chart.ingress),
        },
        child,
    );
    const { release } = chart;
    return {
        namespace,
        release: new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: release.name,
                namespace: namespace.metadata.name,
                chart: release.chart,
                version: release.version,
                repositoryOpts: { repo: release.repository },
                ...(release.timeoutSeconds === undefined ? {} : { timeout: release.timeoutSeconds }),
                values: release.values,
            },
            { ...child, dependsOn: [...(opts.releaseDependsOn ?? [])] },
        ),
    };
}

/** Config → cluster component. */
import { EksCluster } from "../components/cluster/eks";
import { EksAddonVersions, EksClusterArgs } from "../components/cluster/eksArgs";
import { ExistingCluster } from "../components/cluster/existing";
import { ClusterHandle } from "../components/cluster/types";
import { EksClusterConfig, PlatformConfig, PROJECT } from "./config";
import { profileOf } from "./profiles";
import { endpointPublicAccess } from "./config/reach";
import { StackVersions, stackVersions } from "./versions";

/**
 * The region's first N zones by letter (eu-west-1a, eu-west-1b, ...). Names known before deployment
 * key the subnets stably and show in the offline plan; a lookup's answer would only arrive later.
 */
export function zoneNames(region: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

/** Tags on every AWS resource of the stack: the configured ones plus environment and project. */
export function stackTags(config: PlatformConfig): Record<string, string> {
    return { ...config.tags, environment: config.environment, project: PROJECT };
}

/** The EKS cluster's name: `<project>-<stack>`, known before the cluster exists. */
export function eksClusterName(stack: string): string {
    return `${PROJECT}-${stack}`;
}

export function eksClusterArgs(config: PlatformConfig, eks: EksClusterConfig): EksClusterArgs {
    const profile = profileOf(config.environment);
    if (!config.awsRegion) {
        // loadConfig reports a missing aws:region for EKS stacks; this guards direct callers.
        throw new Error("an EKS cluster needs aws:region");
    }
    const versions = stackVersions(config);
    return {
        clusterName: eksClusterName(config.stack),
        region: config.awsRegion,
        kubernetesVersion: eks.kubernetesVersion,
        network: {
            vpcCidr: eks.network.vpcCidr,
            availabilityZones: zoneNames(config.awsRegion, eks.network.availabilityZones),
            natGateways: eks.network.natGateways,
            publicSubnetCidrs: eks.network.publicSubnetCidrs,
            privateSubnetCidrs: eks.network.privateSubnetCidrs,
        },
        // Never public by omission: only where the environment allows it, and with the ranges that may reach it listed.
        endpointPublicAccess: endpointPublicAccess(eks.endpoint, config.environment),
        publicAccessCidrs: eks.endpoint.publicAccessCidrs,
        adminRoleArns: eks.adminRoleArns,
        viewerRoleArns: eks.viewerRoleArns,
        adminViewRoleArns: eks.adminViewRoleArns,
        // The runners that reach a private endpoint come from their own network (ci.runners, validated).
        privateApiCidrs: endpointPublicAccess(eks.endpoint, config.environment)
            ? []
            : (config.ci?.runners?.cidrs ?? []),
        // Teams with a role reach the cluster as their groups, which only their namespaces bind.
        teamAccess: Object.fromEntries(
            Object.entries(config.teams).flatMap(([team, t]) =>
                t.roleArn === undefined ? [] : [[team, { roleArn: t.roleArn, groups: t.groups }]],
            ),
        ),
        workloadIdentity: eks.workloadIdentity,
        nodeGroups: eks.nodeGroups,
        addons: addonVersions(versions.addons),
        nodeAmiReleaseVersion: versions.nodeAmiReleaseVersion,
        logRetentionDays: eks.logRetentionDays,
        tags: stackTags(config),
        protect: profile.protect,
    };
}

/** The add-on builds the component takes; loadConfig has required the ones the version set lacks. */
function addonVersions(addons: StackVersions["addons"]): EksAddonVersions {
    const { vpcCni, coreDns, kubeProxy } = addons;
    if (vpcCni === undefined || coreDns === undefined || kubeProxy === undefined) {
        throw new Error("the cluster's add-on builds are incomplete: validate the config with loadConfig first");
    }
    return { ...addons, vpcCni, coreDns, kubeProxy };
}

export function createCluster(config: PlatformConfig): ClusterHandle {
    const name = `${config.stack}-cluster`;
    switch (config.cluster.type) {
        case "existing":
            return new ExistingCluster(name, {
                kubeconfig: config.cluster.kubeconfig,
                context: config.cluster.context,
            });
        case "eks":
            return new EksCluster(name, eksClusterArgs(config, config.cluster));
    }
}

/**
 * What a fleet hub needs to know about reaching this stack's cluster, and what others must admit to be reached
 * from it: the endpoint's public access and ranges (a spoke's), and the NAT addresses the cluster's pods leave
 * from (a hub's). Stack outputs under `cluster`; none for an existing cluster.
 */
export function clusterReachOutputs(config: PlatformConfig, cluster: ClusterHandle): Record<string, unknown> {
    if (config.cluster.type !== "eks" || !(cluster instanceof EksCluster)) {
        return {};
    }
    const args = eksClusterArgs(config, config.cluster);
    return {
        endpointAccess: {
            publicAccess: args.endpointPublicAccess ?? false,
            publicAccessCidrs: args.publicAccessCidrs ?? [],
        },
        egressIps: cluster.egressIps(),
    };
}

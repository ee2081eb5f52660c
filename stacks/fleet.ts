/**
 * Config → the hub's fleet, for Argo CD or Flux: each `fleet.spokes` entry becomes an EKS spoke (its
 * stack's outputs read through a StackReference) or an existing one (credentials in the secrets store). Nothing is
 * declared for a stack without a fleet section, so single-cluster stacks plan as before.
 */
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { EksCluster } from "../components/cluster/eks";
import { ClusterHandle } from "../components/cluster/types";
import { EndpointAccess, hubReachProblem } from "../components/fleet/reach";
import { Fleet, SpokeArgs } from "../components/fleet";
import { platformLabels } from "../components/core/labels";
import { GitopsEngine } from "../components/gitops/types";
import { RepositoryHandle } from "../components/repository/types";
import { SecretsStore } from "../components/secrets/types";
import { eksClusterName, stackTags } from "./cluster";
import { PlatformConfig, SpokeConfig } from "./config";
import { profileOf } from "./profiles";

export interface FleetDeps {
    readonly cluster: ClusterHandle;
    readonly engine: GitopsEngine;
    readonly repositories: RepositoryHandle;
    readonly secrets?: SecretsStore;
}

/** What a spoke stack publishes (stacks/platform.ts outputs `cluster` and, for EKS, `kubeconfig`). */
export interface SpokeStackOutputs {
    /** endpointAccess: published by stacks of this version on (stacks/cluster.ts clusterReachOutputs). */
    readonly cluster: { readonly name: string; readonly endpoint: string; readonly endpointAccess?: EndpointAccess };
    readonly kubeconfig: string;
}

/**
 * The spoke's endpoint, once the hub is known to reach it: a spoke that publishes its endpoint's access and does
 * not admit the hub's NAT addresses fails the hub's up here, naming the fix, instead of leaving a fleet whose
 * syncs time out. A spoke stack deployed before it published endpointAccess is taken as it is.
 */
export function reachableEndpoint(
    spoke: string,
    spokeStack: string,
    cluster: pulumi.Output<SpokeStackOutputs["cluster"]>,
    hubEgressIps: pulumi.Input<string[]>,
): pulumi.Output<string> {
    return pulumi.all([cluster, hubEgressIps]).apply(([outputs, ips]) => {
        const problem =
            outputs.endpointAccess === undefined
                ? undefined
                : hubReachProblem(spoke, spokeStack, outputs.endpointAccess, ips);
        if (problem !== undefined) {
            throw new Error(problem);
        }
        return outputs.endpoint;
    });
}

/** The CA of the kubeconfig an EKS stack outputs (components/cluster/eks.ts eksKubeconfig: one cluster). */
export function kubeconfigCa(text: string): string {
    const kubeconfig = YAML.parse(text) as { clusters?: { cluster?: Record<string, unknown> }[] } | null;
    const ca = kubeconfig?.clusters?.[0]?.cluster?.["certificate-authority-data"];
    if (typeof ca !== "string" || ca === "") {
        throw new Error("the spoke stack's kubeconfig output has no clusters[0].cluster.certificate-authority-data");
    }
    return ca;
}

function spokeArgs(
    fleetName: string,
    name: string,
    spoke: SpokeConfig,
    hubEgressIps: pulumi.Input<string[]>,
): SpokeArgs {
    const common = {
        environment: spoke.environment,
        labels: spoke.labels,
        addons: Object.entries(spoke.addons)
            .filter(([, enabled]) => enabled)
            .map(([addon]) => addon),
    };
    if (spoke.type === "existing") {
        return { kind: "existing", ...common, cloud: spoke.cloud, server: spoke.server, storeKey: spoke.secretKey };
    }
    const reference = new pulumi.StackReference(`${fleetName}-${name}-stack`, { name: spoke.stack });
    const cluster = reference.requireOutput("cluster") as pulumi.Output<SpokeStackOutputs["cluster"]>;
    const kubeconfig = reference.requireOutput("kubeconfig") as pulumi.Output<string>;
    return {
        kind: "eks",
        ...common,
        region: spoke.region,
        clusterName: cluster.name,
        endpoint: reachableEndpoint(name, spoke.stack, cluster, hubEgressIps),
        caData: kubeconfig.apply(kubeconfigCa),
    };
}

export function createFleet(config: PlatformConfig, deps: FleetDeps): Fleet | undefined {
    const fleet = config.fleet;
    if (fleet === undefined) {
        return undefined;
    }
    const profile = profileOf(config.environment);
    const name = `${config.stack}-fleet`;
    const hubEgressIps = deps.cluster instanceof EksCluster ? deps.cluster.egressIps() : pulumi.output([]);
    return new Fleet(name, {
        provider: deps.cluster.provider,
        engine: config.engine.type === "flux" ? { kind: "flux", multitenancy: config.engine.multitenancy } : undefined,
        engineNamespace: deps.engine.namespace,
        engineReady: deps.engine.ready,
        hub: deps.cluster.aws
            ? {
                  clusterName: deps.cluster.clusterName,
                  configuredName: eksClusterName(config.stack),
                  accountId: deps.cluster.aws.accountId,
              }
            : undefined,
        spokes: Object.fromEntries(
            Object.entries(fleet.spokes).map(([spoke, settings]) => [
                spoke,
                spokeArgs(name, spoke, settings, hubEgressIps),
            ]),
        ),
        placements: fleet.placements,
        gitops: { url: deps.repositories.gitops.url, revision: deps.repositories.gitops.branch },
        storeName: deps.secrets?.storeName,
        storeReady: deps.secrets?.ready,
        // The root app's prune: off in production, where nothing is deleted without a person deciding.
        sync: { prune: profile.rootPrune, selfHeal: profile.sync.selfHeal },
        labels: platformLabels(config.environment),
        tags: stackTags(config),
    });
}

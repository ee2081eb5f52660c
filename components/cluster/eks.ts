/**
 * The EksCluster component. Its steps live next to it: the Args and their checks (eksArgs.ts), the
 * network (network.ts), the control plane (controlPlane.ts), access entries (access.ts), workload
 * identity (identity.ts), the managed add-ons (addons.ts) and the node groups (nodeGroups.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../core/aws";
import { accessEntries } from "./access";
import { networkingAddons, nodeAddons } from "./addons";
import { controlPlane } from "./controlPlane";
import { EksClusterArgs, EksStep, validateEksClusterArgs, withDefaults } from "./eksArgs";
import { EksWorkloadIdentity, workloadIdentity } from "./identity";
import { Network } from "./network";
import { nodeGroups } from "./nodeGroups";
import { ClusterHandle } from "./types";

export interface KubeconfigInput {
    readonly clusterName: string;
    readonly endpoint: string;
    readonly certificateAuthority: string;
    readonly region: string;
}

/** A kubeconfig that authenticates with `aws eks get-token`, so it holds no credential of its own. */
export function eksKubeconfig(input: KubeconfigInput): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: input.clusterName,
                cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthority },
            },
        ],
        contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user: input.clusterName } }],
        "current-context": input.clusterName,
        users: [
            {
                name: input.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", input.clusterName, "--region", input.region],
                    },
                },
            },
        ],
    });
}

/**
 * An EKS cluster with its VPC, KMS-encrypted secrets, control-plane logs, managed node groups in
 * private subnets, managed core add-ons, cluster-admin access entries, and per-workload IAM.
 */
export class EksCluster extends pulumi.ComponentResource implements ClusterHandle {
    readonly kind = "eks" as const;
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthority: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly ready: pulumi.Resource[];
    readonly workloadIdentity: EksWorkloadIdentity;
    readonly aws: { readonly region: string; readonly accountId: pulumi.Output<string> };
    readonly network: Network;
    readonly cluster: aws.eks.Cluster;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:cluster:EksCluster", name, {}, opts);
        const problems = validateEksClusterArgs(args);
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`invalid EksCluster arguments:\n  ${problems.join("\n  ")}`, this);
        }
        const settings = withDefaults(args);
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const step: EksStep = {
            name,
            clusterName: settings.clusterName ?? name,
            settings,
            tags: settings.tags,
            protect: settings.protect,
            accountId,
            parent: this,
        };
        this.aws = { region: settings.region, accountId };

        this.network = new Network(
            `${name}-network`,
            { ...settings.network, tags: step.tags, protect: step.protect },
            { parent: this },
        );
        this.cluster = controlPlane(step, this.network.privateSubnetIds);
        this.clusterName = this.cluster.name;
        this.endpoint = this.cluster.endpoint;
        this.certificateAuthority = this.cluster.certificateAuthority.apply((ca) => ca.data ?? "");
        const access = accessEntries(step, this.cluster);
        this.workloadIdentity = workloadIdentity(step, this.cluster);
        const target = { cluster: this.cluster, identity: this.workloadIdentity };
        const networking = networkingAddons(step, target);
        const groups = nodeGroups(step, this.cluster, this.network.privateSubnetIds, networking);
        this.ready = [...groups, ...nodeAddons(step, target, networking, groups)];
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.cluster.endpoint, this.certificateAuthority])
                .apply(([cluster, endpoint, ca]) =>
                    eksKubeconfig({
                        clusterName: cluster,
                        endpoint,
                        certificateAuthority: ca,
                        region: settings.region,
                    }),
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: this.kubeconfig,
                // Only a different cluster replaces the provider (and everything deployed through it).
                clusterIdentifier: this.cluster.arn,
            },
            { parent: this, dependsOn: access },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            certificateAuthority: this.certificateAuthority,
            kubeconfig: this.kubeconfig,
        });
    }
}

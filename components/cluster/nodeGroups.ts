/** The managed node groups of an EKS cluster: their role and, per group, a launch template and the group. */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { NetworkingAddons } from "./addons";
import { amiTypeFor, DEFAULTS, EksStep } from "./eksArgs";
import { MANAGED_POLICIES } from "./iam";
import { attachManaged, serviceRole } from "./roles";

/**
 * The node role and the managed node groups, each with its launch template. Every group names the
 * cluster's Kubernetes version and the pinned AMI release: terraform-provider-aws
 * website/docs/r/eks_node_group.html.markdown (the resource behind aws.eks.NodeGroup): `version`
 * "Defaults to EKS Cluster Kubernetes version. Terraform will only perform drift detection if a
 * configuration value is provided", and `release_version` "Defaults to latest version for Kubernetes
 * version". Unset, raising the cluster's version would leave every node on the old kubelet.
 * Groups wait for the control plane and the networking add-ons: control plane → add-ons → nodes.
 */
export function nodeGroups(
    { name, clusterName, settings, tags, parent }: EksStep,
    cluster: aws.eks.Cluster,
    subnetIds: pulumi.Output<string>[],
    networking: NetworkingAddons,
): aws.eks.NodeGroup[] {
    const nodeRole = serviceRole(
        `${name}-node`,
        `Nodes of EKS cluster ${clusterName}`,
        "ec2.amazonaws.com",
        tags,
        parent,
    );
    const nodeAttachments = attachManaged(`${name}-node`, nodeRole, MANAGED_POLICIES.node, parent);

    return Object.entries(settings.nodeGroups).map(([group, spec]) => {
        const groupName = `${name}-${group}`;
        const template = new aws.ec2.LaunchTemplate(
            groupName,
            {
                description: `Nodes of ${clusterName}/${group}`,
                // IMDSv2 only, one hop: pods can't reach the node role's credentials; they get their own roles.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeSize: spec.diskSizeGiB ?? DEFAULTS.diskSizeGiB,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: { ...tags, Name: groupName },
                })),
                updateDefaultVersion: true,
                tags,
            },
            { parent },
        );
        return new aws.eks.NodeGroup(
            groupName,
            {
                clusterName: cluster.name,
                version: cluster.version,
                releaseVersion: settings.nodeAmiReleaseVersion,
                nodeRoleArn: nodeRole.arn,
                subnetIds,
                instanceTypes: [...spec.instanceTypes],
                capacityType: spec.capacityType ?? DEFAULTS.capacityType,
                amiType: amiTypeFor(spec.instanceTypes),
                scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
                labels: spec.labels ?? {},
                launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
                updateConfig: { maxUnavailable: 1 },
                tags,
            },
            {
                parent,
                dependsOn: [
                    cluster,
                    ...nodeAttachments,
                    networking.vpcCni,
                    networking.kubeProxy,
                    ...networking.afterAgent,
                ],
            },
        );
    });
}

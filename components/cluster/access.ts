/** Who reaches the EKS cluster: access entries of admins, teams, viewers and readers; CI runners on a private endpoint. */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { EksStep } from "./eksArgs";
import { ADMIN_VIEW_ACCESS_POLICY, CLUSTER_ADMIN_ACCESS_POLICY, VIEW_ACCESS_POLICY } from "./iam";

/** The last path segment of a role ARN, used as a stable resource key. */
export function roleNameOf(roleArn: string): string {
    return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

/**
 * Access entries of admins, teams and viewers. Returns the admins' entries and policy associations:
 * with creator-admin off, only these let anyone in, so the Kubernetes provider waits for all of them.
 */
export function accessEntries({ name, settings, tags, parent }: EksStep, cluster: aws.eks.Cluster): pulumi.Resource[] {
    const access = settings.adminRoleArns.flatMap((roleArn) =>
        policyAccess(
            `${name}-admin-${roleNameOf(roleArn)}`,
            roleArn,
            CLUSTER_ADMIN_ACCESS_POLICY,
            tags,
            cluster,
            parent,
        ),
    );
    for (const [team, access] of Object.entries(settings.teamAccess)) {
        new aws.eks.AccessEntry(
            `${name}-team-${team}`,
            {
                clusterName: cluster.name,
                principalArn: access.roleArn,
                type: "STANDARD",
                kubernetesGroups: [...access.groups],
                tags,
            },
            { parent },
        );
    }
    for (const roleArn of settings.viewerRoleArns) {
        policyAccess(`${name}-viewer-${roleNameOf(roleArn)}`, roleArn, VIEW_ACCESS_POLICY, tags, cluster, parent);
    }
    for (const roleArn of settings.adminViewRoleArns) {
        policyAccess(`${name}-reader-${roleNameOf(roleArn)}`, roleArn, ADMIN_VIEW_ACCESS_POLICY, tags, cluster, parent);
    }
    for (const cidr of settings.privateApiCidrs) {
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-api-from-${cidr.replace(/[./]/g, "-")}`,
            {
                securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
                description: "Kubernetes API from CI runners (ci.runners.cidrs)",
                cidrIpv4: cidr,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                tags,
            },
            { parent },
        );
    }
    return access;
}

/** An access entry for the role and the cluster-wide association of one EKS access policy. */
function policyAccess(
    entryName: string,
    roleArn: string,
    policyArn: string,
    tags: Record<string, string>,
    cluster: aws.eks.Cluster,
    parent: pulumi.Resource,
): [aws.eks.AccessEntry, aws.eks.AccessPolicyAssociation] {
    const entry = new aws.eks.AccessEntry(
        entryName,
        { clusterName: cluster.name, principalArn: roleArn, type: "STANDARD", tags },
        { parent },
    );
    const association = new aws.eks.AccessPolicyAssociation(
        entryName,
        {
            clusterName: cluster.name,
            principalArn: entry.principalArn,
            policyArn,
            accessScope: { type: "cluster" },
        },
        { parent },
    );
    return [entry, association];
}

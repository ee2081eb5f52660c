/** Per-workload IAM for an EKS cluster: EKS Pod Identity, or IRSA through the cluster's OIDC provider. */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { EksStep } from "./eksArgs";
import { irsaTrustPolicy, podIdentityTrustPolicy, ServiceAccountRef } from "./iam";
import { json } from "./roles";
import { WorkloadIdentity, WorkloadIdentityGrant, WorkloadRole } from "./types";

interface IdentitySettings {
    readonly mode: "podIdentity" | "irsa";
    /**
     * The cluster's name as configured, known before the cluster exists: Pod Identity trust policies
     * name it without waiting for the cluster, so IAM roles are created while EKS is.
     */
    readonly clusterName: string;
    /** The created cluster's name: associations need the cluster to exist. */
    readonly createdClusterName: pulumi.Output<string>;
    readonly accountId: pulumi.Output<string>;
    readonly oidcProvider?: aws.iam.OpenIdConnectProvider;
    readonly tags: Record<string, string>;
}

/** Per-workload IAM roles through EKS Pod Identity or IRSA, whichever the cluster uses. */
export class EksWorkloadIdentity implements WorkloadIdentity {
    constructor(private readonly settings: IdentitySettings) {}

    /** A role only the given service account of this cluster can assume. */
    role(name: string, ref: ServiceAccountRef, parent: pulumi.Resource): aws.iam.Role {
        const { mode, clusterName, accountId, oidcProvider } = this.settings;
        const trust =
            mode === "podIdentity"
                ? accountId.apply((account) =>
                      json(podIdentityTrustPolicy({ ...ref, clusterName, accountId: account })),
                  )
                : pulumi
                      .all([oidcProvider!.arn, oidcProvider!.url])
                      .apply(([providerArn, issuerUrl]) => json(irsaTrustPolicy({ ...ref, providerArn, issuerUrl })));
        return new aws.iam.Role(
            `${name}-role`,
            {
                description: `${ref.namespace}/${ref.serviceAccount} on EKS cluster ${clusterName}`,
                assumeRolePolicy: trust,
                tags: this.settings.tags,
            },
            { parent },
        );
    }

    grant(name: string, grant: WorkloadIdentityGrant, opts: { parent: pulumi.Resource }): WorkloadRole {
        const role = this.role(name, grant, opts.parent);
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.name, policy: grant.policyDocument },
            { parent: opts.parent },
        );
        const ready: pulumi.Resource[] = [role, policy];
        if (this.settings.mode === "podIdentity") {
            ready.push(
                new aws.eks.PodIdentityAssociation(
                    `${name}-association`,
                    {
                        clusterName: this.settings.createdClusterName,
                        namespace: grant.namespace,
                        serviceAccount: grant.serviceAccount,
                        roleArn: role.arn,
                        tags: this.settings.tags,
                    },
                    { parent: opts.parent },
                ),
            );
        }
        return {
            roleArn: role.arn,
            serviceAccountAnnotations: this.settings.mode === "irsa" ? { "eks.amazonaws.com/role-arn": role.arn } : {},
            ready,
        };
    }
}

/** Workload identity: the IRSA OIDC provider when the cluster uses IRSA; Pod Identity needs none. */
export function workloadIdentity(
    { name, clusterName, settings, tags, accountId, parent }: EksStep,
    cluster: aws.eks.Cluster,
): EksWorkloadIdentity {
    const oidcProvider =
        settings.workloadIdentity === "irsa"
            ? new aws.iam.OpenIdConnectProvider(
                  `${name}-oidc`,
                  {
                      url: cluster.identities.apply((ids) => ids[0].oidcs[0].issuer),
                      clientIdLists: ["sts.amazonaws.com"],
                      tags,
                  },
                  { parent },
              )
            : undefined;
    return new EksWorkloadIdentity({
        mode: settings.workloadIdentity,
        clusterName,
        createdClusterName: cluster.name,
        accountId,
        oidcProvider,
        tags,
    });
}

/** The EKS control plane: its role, the secrets key, the audit log group and its key, and the cluster. */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, EksStep } from "./eksArgs";
import { clusterKmsPolicy, logGroupKeyPolicy, MANAGED_POLICIES } from "./iam";
import { attachManaged, json, serviceRole } from "./roles";

/** The log group EKS writes control-plane logs to; created first, so EKS does not create an unmanaged one. */
export function controlPlaneLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** The control plane in the given subnets. */
export function controlPlane(
    { name, clusterName, settings, tags, protect, accountId, parent }: EksStep,
    subnetIds: pulumi.Output<string>[],
): aws.eks.Cluster {
    const key = kmsKey(
        `${name}-secrets`,
        `Envelope encryption of Kubernetes secrets in EKS cluster ${clusterName}`,
        {},
        tags,
        {
            parent,
            protect,
        },
    );

    const clusterRole = serviceRole(
        `${name}-cluster`,
        `EKS control plane of ${clusterName}`,
        "eks.amazonaws.com",
        tags,
        parent,
    );
    const clusterRoleParts = [
        ...attachManaged(`${name}-cluster`, clusterRole, MANAGED_POLICIES.cluster, parent),
        new aws.iam.RolePolicy(
            `${name}-cluster-kms`,
            { role: clusterRole.name, policy: key.arn.apply((arn) => json(clusterKmsPolicy(arn))) },
            { parent },
        ),
    ];

    // The audit trail outlives the stack where the environment protects: a destroy or a removal
    // leaves the log group and the key its logs need in AWS.
    const keepLogs = { parent, protect, retainOnDelete: protect };
    const logGroupName = controlPlaneLogGroupName(clusterName);
    const logKey = kmsKey(
        `${name}-logs`,
        `Encryption of the control-plane logs of EKS cluster ${clusterName}`,
        {
            policy: accountId.apply((account) =>
                json(logGroupKeyPolicy({ accountId: account, region: settings.region, logGroupName })),
            ),
        },
        tags,
        keepLogs,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            name: logGroupName,
            retentionInDays: settings.logRetentionDays,
            // CloudWatch Logs takes the key's ARN
            // (terraform-provider-aws internal/service/logs/group.go: kms_key_id → KmsKeyId).
            kmsKeyId: logKey.arn,
            tags,
        },
        keepLogs,
    );

    return new aws.eks.Cluster(
        `${name}-eks`,
        {
            name: clusterName,
            version: settings.kubernetesVersion,
            roleArn: clusterRole.arn,
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            // Managed add-ons below replace the self-managed ones EKS would install.
            bootstrapSelfManagedAddons: false,
            vpcConfig: {
                subnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: settings.endpointPublicAccess,
                publicAccessCidrs:
                    settings.endpointPublicAccess && settings.publicAccessCidrs.length > 0
                        ? [...settings.publicAccessCidrs]
                        : undefined,
            },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
            upgradePolicy: { supportType: DEFAULTS.supportType },
            enabledClusterLogTypes: [...DEFAULTS.logTypes],
            deletionProtection: protect,
            tags,
        },
        {
            parent,
            protect,
            dependsOn: [logGroup, ...clusterRoleParts],
            // Both only take effect when the cluster is created, and the provider replaces the
            // cluster when they differ from state (e.g. after an import, or the provider's default
            // changing): never worth a new cluster.
            ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"],
        },
    );
}

/** A rotating KMS key with the component's deletion window. */
function kmsKey(
    resourceName: string,
    description: string,
    extra: Partial<aws.kms.KeyArgs>,
    tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): aws.kms.Key {
    return new aws.kms.Key(
        resourceName,
        {
            description,
            enableKeyRotation: true,
            deletionWindowInDays: DEFAULTS.kmsDeletionWindowDays,
            ...extra,
            tags,
        },
        opts,
    );
}

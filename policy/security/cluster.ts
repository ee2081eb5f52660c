/**
 * Security rules of the cluster and its AWS side (issue 15): KMS, node launch templates, the EKS
 * endpoint, access entries and control-plane logs, IAM trust, and what production keeps on delete.
 */
import { PRODUCTION_LOG_RETENTION_DAYS } from "../../stacks/config/production";
import { at, isProduction, isTeamNamespace, list, nameOf, OPAQUE, resource, stack, T, truthy, unless } from "./shared";

// ---- AWS ----

export const kmsKeyRotation = resource(
    "kms-key-rotation",
    "KMS keys rotate their key material yearly (enableKeyRotation).",
    [T.kmsKey],
    (r) =>
        unless(truthy(r.props.enableKeyRotation), `KMS key ${r.name} does not rotate: set enableKeyRotation to true`),
);

export const imdsHopLimit = resource(
    "launch-template-imds-hop-limit",
    "Node launch templates keep IMDS one hop away, so pods cannot reach the node role's credentials.",
    [T.launchTemplate],
    (r) =>
        unless(
            at(r.props, "metadataOptions", "httpPutResponseHopLimit") === 1,
            `launch template ${r.name} has IMDS hop limit ${JSON.stringify(at(r.props, "metadataOptions", "httpPutResponseHopLimit") ?? null)}: set metadataOptions.httpPutResponseHopLimit to 1`,
        ),
);

export const encryptedVolumes = resource(
    "launch-template-encrypted-volumes",
    "Node volumes are encrypted.",
    [T.launchTemplate],
    (r) =>
        list(r.props.blockDeviceMappings)
            .filter((m) => !truthy(at(m, "ebs", "encrypted")))
            .map(
                (m) =>
                    `launch template ${r.name} has an unencrypted volume ${String(at(m, "deviceName"))}: set ebs.encrypted to true`,
            ),
);

export const privateEndpoint = resource(
    "eks-private-endpoint",
    "The EKS API has its private endpoint on.",
    [T.eksCluster],
    (r) =>
        unless(
            at(r.props, "vpcConfig", "endpointPrivateAccess") === true,
            `EKS cluster ${r.name} has no private endpoint: set vpcConfig.endpointPrivateAccess to true`,
        ),
);

export const publicEndpoint = resource(
    "eks-public-endpoint-restricted",
    "A public EKS endpoint is never open to the internet, and is off in production.",
    [T.eksCluster],
    (r) => {
        if (at(r.props, "vpcConfig", "endpointPublicAccess") !== true) {
            return [];
        }
        if (isProduction(r)) {
            return [
                `EKS cluster ${r.name} has a public endpoint in production: set vpcConfig.endpointPublicAccess to false`,
            ];
        }
        const cidrs = list(at(r.props, "vpcConfig", "publicAccessCidrs"));
        return unless(
            cidrs.length > 0 && !cidrs.includes("0.0.0.0/0"),
            `EKS cluster ${r.name} has a public endpoint open to ${cidrs.length === 0 ? "everyone (no publicAccessCidrs)" : "0.0.0.0/0"}: list the CIDRs that may reach it`,
        );
    },
);

export const accessEntriesOnly = resource(
    "eks-access-entries-without-creator-admin",
    "EKS access is through access entries only (API mode) and the creator gets no implicit admin.",
    [T.eksCluster],
    (r) =>
        unless(
            at(r.props, "accessConfig", "authenticationMode") === "API" &&
                at(r.props, "accessConfig", "bootstrapClusterCreatorAdminPermissions") === false,
            `EKS cluster ${r.name} trusts more than access entries: set accessConfig { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false }`,
        ),
);

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
export const controlPlaneLogs = resource(
    "eks-control-plane-logs",
    `EKS clusters send the ${CONTROL_PLANE_LOGS.join(", ")} logs to CloudWatch.`,
    [T.eksCluster],
    (r) => {
        const missing = CONTROL_PLANE_LOGS.filter((t) => !list(r.props.enabledClusterLogTypes).includes(t));
        return unless(
            missing.length === 0,
            `EKS cluster ${r.name} does not log ${missing.join(", ")}: add them to enabledClusterLogTypes`,
        );
    },
);

export const logRetention = resource(
    "log-group-retention",
    `Log groups keep logs for a set period (not forever, not unset), in production at least ${PRODUCTION_LOG_RETENTION_DAYS} days.`,
    [T.logGroup],
    (r) => {
        const days = r.props.retentionInDays;
        if (typeof days !== "number" || days <= 0) {
            return [`log group ${r.name} has no retention: set retentionInDays`];
        }
        return unless(
            !isProduction(r) || days >= PRODUCTION_LOG_RETENTION_DAYS,
            `log group ${r.name} keeps logs ${days} days in production: keep them at least ${PRODUCTION_LOG_RETENTION_DAYS} (cluster.logRetentionDays)`,
        );
    },
);

export const logEncryption = resource(
    "log-group-kms-encrypted",
    "Log groups are encrypted with a customer-managed KMS key (kmsKeyId).",
    [T.logGroup],
    (r) =>
        unless(
            typeof r.props.kmsKeyId === "string" && r.props.kmsKeyId !== "",
            `log group ${r.name} is not encrypted with a KMS key: set kmsKeyId to a key whose policy admits logs.<region>.amazonaws.com for it`,
        ),
);

/** retainOnDelete as for namespaces: judged where the offline plan records it. */
export const logsKeptInProduction = resource(
    "log-group-kept-in-production",
    "Production's log groups (the control plane's audit trail) are protected and stay in AWS when removed (retainOnDelete).",
    [T.logGroup],
    (r) =>
        unless(
            !isProduction(r) || (r.options.protect && r.options.retainOnDelete !== false),
            `log group ${r.name} would be deleted with the stack in production: declare it with protect: true and retainOnDelete: true`,
        ),
);

export const deletionProtection = resource(
    "eks-deletion-protection-in-production",
    "Production EKS clusters have deletion protection.",
    [T.eksCluster],
    (r) =>
        unless(
            !isProduction(r) || r.props.deletionProtection === true,
            `EKS cluster ${r.name} can be deleted through the API: set deletionProtection to true`,
        ),
);

/** Trust statements that let any principal assume a role without a condition. */
export const trustOpenToAnyone = resource(
    "iam-trust-no-open-principal",
    'Role trust policies name their principals (no "*" without a condition).',
    [T.iamRole],
    (r) => {
        const document = r.props.assumeRolePolicy;
        if (typeof document !== "string" || OPAQUE.includes(document)) {
            return [];
        }
        const statements = [at(JSON.parse(document), "Statement")].flat();
        const open = statements.filter(
            (s) =>
                at(s, "Effect") === "Allow" &&
                at(s, "Condition") === undefined &&
                (at(s, "Principal") === "*" || [at(s, "Principal", "AWS")].flat().includes("*")),
        );
        return unless(
            open.length === 0,
            `role ${r.name} may be assumed by anyone: name the principal or add a condition`,
        );
    },
);

export const adminScopes = resource(
    "eks-admin-policy-cluster-scope-only",
    "Namespace-scoped access entries never carry the cluster-admin access policy.",
    [T.accessPolicyAssociation],
    (r) =>
        unless(
            !(
                String(r.props.policyArn).endsWith("/AmazonEKSClusterAdminPolicy") &&
                at(r.props, "accessScope", "type") !== "cluster"
            ),
            `access policy association ${r.name} grants AmazonEKSClusterAdminPolicy on namespaces: use AmazonEKSEditPolicy or AmazonEKSViewPolicy there`,
        ),
);

export const teamEntriesNamespaced = stack(
    "eks-team-access-through-groups-only",
    "Access entries that map a role to Kubernetes groups carry no access policy: only the groups' namespaced RoleBindings apply.",
    (resources) =>
        resources
            .filter((e) => e.type === T.accessEntry && list(e.props.kubernetesGroups).length > 0)
            .filter((e) =>
                resources.some(
                    (a) => a.type === T.accessPolicyAssociation && a.props.principalArn === e.props.principalArn,
                ),
            )
            .map((e) => ({
                urn: e.urn,
                message: `access entry ${e.name} maps groups and also has an access policy: drop the association, the groups' RoleBindings scope it`,
            })),
);

// ---- production safety options ----

/** Resources whose replacement or deletion loses the environment or its data. */
const PROTECTED_IN_PRODUCTION: readonly string[] = [T.eksCluster, T.kmsKey, T.vpc, T.repository];
export const protectInProduction = resource(
    "protect-in-production",
    "Production's cluster, KMS key, VPC and repositories carry `protect`.",
    PROTECTED_IN_PRODUCTION,
    (r) =>
        unless(
            !isProduction(r) || r.options.protect,
            `${r.type.split(":").pop()} ${r.name} is not protected in production: declare it with protect: true`,
        ),
);

/** Judged where retainOnDelete is known: the offline plan records it, a preview's policy options (1.21.0) do not. */
export const retainNamespaces = resource(
    "retain-app-namespaces-in-production",
    "Removing an app from production keeps its namespace (retainOnDelete).",
    [T.namespace],
    (r) =>
        unless(
            !isProduction(r) || !isTeamNamespace(r) || r.options.retainOnDelete !== false,
            `namespace "${nameOf(r)}" would be deleted with its app in production: declare it with retainOnDelete: true`,
        ),
);

/**
 * On a fleet hub the controllers' Pod Identity role is cluster-admin on every spoke (each cluster Secret
 * names one spoke role): the user-facing argocd-server must not share it (components/fleet/iam.ts).
 */
export const fleetServerNoSpokeRole = stack(
    "fleet-server-no-spoke-role",
    "argocd-server gets no Pod Identity role that the Argo CD controllers use to reach spokes.",
    (resources) => {
        const associations = resources.filter((r) => r.type === T.podIdentityAssociation);
        const controllerRoles = associations
            .filter((a) => String(a.props.serviceAccount).startsWith("argocd-application"))
            .map((a) => a.props.roleArn);
        return associations
            .filter(
                (a) =>
                    a.props.serviceAccount === "argocd-server" &&
                    !OPAQUE.includes(String(a.props.roleArn)) &&
                    controllerRoles.includes(a.props.roleArn),
            )
            .map((a) => ({
                urn: a.urn,
                message: `${a.name} gives argocd-server the role the controllers reach spokes with (cluster-admin there): remove the association`,
            }));
    },
);

/**
 * The AWS actions each resource type of the program needs, per provider operation, as data: the CI
 * credential invariant (test/ci-aws-credentials.test.ts) asks an IAM simulator whether each CI role
 * allows them for each command its workflow runs. Read in hashicorp/terraform-provider-aws (v6, the
 * provider under @pulumi/aws 7.x), each resource's Create/Read/Update/Delete functions in
 * internal/service/<service>/<file>.go, named per entry, and AWS's service authorization reference for
 * the actions an API call needs besides its own (iam:PassRole, tagging on create, service-linked roles).
 * "read" is also what every create and update ends with (the provider reads the resource back).
 */
export type Operation = "read" | "create" | "update" | "delete";

export interface AwsNeed {
    readonly read: readonly string[];
    readonly create: readonly string[];
    readonly update: readonly string[];
    readonly delete: readonly string[];
    readonly source: string;
}

const tags = (service: string) => [`${service}:TagResource`, `${service}:UntagResource`];

export const AWS_NEEDS: Readonly<Record<string, AwsNeed>> = {
    "aws:iam/role:Role": {
        read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
        // Tags on CreateRole need iam:TagRole (IAM User Guide, "Permissions required to tag IAM resources").
        create: ["iam:CreateRole", "iam:TagRole"],
        update: ["iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"],
        delete: ["iam:DeleteRole", "iam:ListInstanceProfilesForRole"],
        source: "iam/role.go: CreateRole, GetRole, ListRolePolicies, ListAttachedRolePolicies, UpdateRole, UpdateAssumeRolePolicy, DeleteRole (after removing instance profiles)",
    },
    "aws:iam/rolePolicy:RolePolicy": {
        read: ["iam:GetRolePolicy"],
        create: ["iam:PutRolePolicy"],
        update: ["iam:PutRolePolicy"],
        delete: ["iam:DeleteRolePolicy"],
        source: "iam/role_policy.go: PutRolePolicy, GetRolePolicy, DeleteRolePolicy",
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        read: ["iam:ListAttachedRolePolicies"],
        create: ["iam:AttachRolePolicy"],
        update: [],
        delete: ["iam:DetachRolePolicy"],
        source: "iam/role_policy_attachment.go: AttachRolePolicy, ListAttachedRolePolicies, DetachRolePolicy",
    },
    // The workload boundary (components/ci): declared with the CI roles, changed by an administrator only.
    "aws:iam/policy:Policy": {
        read: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags"],
        create: ["iam:CreatePolicy", "iam:TagPolicy"],
        update: [
            "iam:CreatePolicyVersion",
            "iam:ListPolicyVersions",
            "iam:DeletePolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ],
        delete: ["iam:ListPolicyVersions", "iam:DeletePolicyVersion", "iam:DeletePolicy"],
        source: "iam/policy.go: CreatePolicy, GetPolicy, ListPolicyTags, GetPolicyVersion, CreatePolicyVersion (pruning with ListPolicyVersions, DeletePolicyVersion), DeletePolicy (after its other versions)",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        read: ["iam:GetOpenIDConnectProvider"],
        create: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
        update: [
            "iam:UpdateOpenIDConnectProviderThumbprint",
            "iam:AddClientIDToOpenIDConnectProvider",
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            "iam:TagOpenIDConnectProvider",
            "iam:UntagOpenIDConnectProvider",
        ],
        delete: ["iam:DeleteOpenIDConnectProvider"],
        source: "iam/openid_connect_provider.go: CreateOpenIDConnectProvider, GetOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint, Add/RemoveClientIDToOpenIDConnectProvider, DeleteOpenIDConnectProvider",
    },
    "aws:kms/key:Key": {
        read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
        create: ["kms:CreateKey", "kms:EnableKeyRotation", "kms:TagResource"],
        update: ["kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:EnableKeyRotation", ...tags("kms")],
        delete: ["kms:ScheduleKeyDeletion"],
        source: "kms/key.go: CreateKey, DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags, PutKeyPolicy, EnableKeyRotation, ScheduleKeyDeletion",
    },
    "aws:secretsmanager/secret:Secret": {
        read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
        create: ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
        update: ["secretsmanager:UpdateSecret", ...tags("secretsmanager")],
        delete: ["secretsmanager:DeleteSecret"],
        source: "secretsmanager/secret.go: CreateSecret, DescribeSecret, GetResourcePolicy, UpdateSecret, DeleteSecret",
    },
    "aws:secretsmanager/secretVersion:SecretVersion": {
        // Refreshing a version reads its value: what a drift check of the platform's secrets needs.
        read: ["secretsmanager:GetSecretValue"],
        create: ["secretsmanager:PutSecretValue"],
        update: ["secretsmanager:UpdateSecretVersionStage"],
        delete: ["secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret"],
        source: "secretsmanager/secret_version.go: PutSecretValue, GetSecretValue, UpdateSecretVersionStage (delete removes its stages)",
    },
    "aws:ec2/vpc:Vpc": {
        read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"],
        create: ["ec2:CreateVpc", "ec2:CreateTags", "ec2:ModifyVpcAttribute"],
        update: ["ec2:ModifyVpcAttribute", "ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:DeleteVpc"],
        source: "ec2/vpc_.go: CreateVpc, DescribeVpcs, DescribeVpcAttribute, ModifyVpcAttribute, DeleteVpc",
    },
    "aws:ec2/subnet:Subnet": {
        read: ["ec2:DescribeSubnets"],
        create: ["ec2:CreateSubnet", "ec2:CreateTags", "ec2:ModifySubnetAttribute"],
        update: ["ec2:ModifySubnetAttribute", "ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:DeleteSubnet"],
        source: "ec2/vpc_subnet.go: CreateSubnet, DescribeSubnets, ModifySubnetAttribute, DeleteSubnet",
    },
    "aws:ec2/internetGateway:InternetGateway": {
        read: ["ec2:DescribeInternetGateways"],
        create: ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:CreateTags"],
        update: ["ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
        source: "ec2/vpc_internet_gateway.go: CreateInternetGateway, AttachInternetGateway, DescribeInternetGateways, DetachInternetGateway, DeleteInternetGateway",
    },
    "aws:ec2/eip:Eip": {
        read: ["ec2:DescribeAddresses"],
        create: ["ec2:AllocateAddress", "ec2:CreateTags"],
        update: ["ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:ReleaseAddress", "ec2:DisassociateAddress"],
        source: "ec2/ec2_eip.go: AllocateAddress, DescribeAddresses, DisassociateAddress, ReleaseAddress",
    },
    "aws:ec2/natGateway:NatGateway": {
        read: ["ec2:DescribeNatGateways"],
        create: ["ec2:CreateNatGateway", "ec2:CreateTags"],
        update: ["ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:DeleteNatGateway"],
        source: "ec2/vpc_nat_gateway.go: CreateNatGateway, DescribeNatGateways, DeleteNatGateway",
    },
    "aws:ec2/routeTable:RouteTable": {
        read: ["ec2:DescribeRouteTables"],
        create: ["ec2:CreateRouteTable", "ec2:CreateRoute", "ec2:CreateTags"],
        update: ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:DeleteRouteTable"],
        source: "ec2/vpc_route_table.go: CreateRouteTable, CreateRoute, DescribeRouteTables, ReplaceRoute, DeleteRoute, DeleteRouteTable",
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        read: ["ec2:DescribeRouteTables"],
        create: ["ec2:AssociateRouteTable"],
        update: ["ec2:ReplaceRouteTableAssociation"],
        delete: ["ec2:DisassociateRouteTable"],
        source: "ec2/vpc_route_table_association.go: AssociateRouteTable, DescribeRouteTables, ReplaceRouteTableAssociation, DisassociateRouteTable",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
        create: ["ec2:CreateLaunchTemplate", "ec2:CreateTags"],
        update: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
        delete: ["ec2:DeleteLaunchTemplate"],
        source: "ec2/ec2_launch_template.go: CreateLaunchTemplate, DescribeLaunchTemplates, DescribeLaunchTemplateVersions, CreateLaunchTemplateVersion, ModifyLaunchTemplate, DeleteLaunchTemplate",
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        read: ["ec2:DescribeSecurityGroupRules"],
        create: ["ec2:AuthorizeSecurityGroupIngress", "ec2:CreateTags"],
        update: ["ec2:ModifySecurityGroupRules", "ec2:CreateTags", "ec2:DeleteTags"],
        delete: ["ec2:RevokeSecurityGroupIngress"],
        source: "vpc/security_group_ingress_rule.go: AuthorizeSecurityGroupIngress, DescribeSecurityGroupRules, ModifySecurityGroupRules, RevokeSecurityGroupIngress",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
        create: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource"],
        update: ["logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", ...tags("logs")],
        delete: ["logs:DeleteLogGroup"],
        source: "logs/group.go: CreateLogGroup, PutRetentionPolicy, DescribeLogGroups, ListTagsForResource, AssociateKmsKey, DeleteLogGroup",
    },
    "aws:eks/cluster:Cluster": {
        read: ["eks:DescribeCluster"],
        // The creator passes the cluster role, and lets EKS use the secrets key (EKS User Guide,
        // "Encrypt Kubernetes secrets with KMS": kms:DescribeKey and kms:CreateGrant); the first
        // cluster of an account creates EKS's service-linked role.
        create: [
            "eks:CreateCluster",
            "eks:TagResource",
            "iam:PassRole",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "iam:CreateServiceLinkedRole",
        ],
        update: ["eks:UpdateClusterConfig", "eks:UpdateClusterVersion", ...tags("eks")],
        delete: ["eks:DeleteCluster"],
        source: "eks/cluster.go: CreateCluster, DescribeCluster, UpdateClusterConfig, UpdateClusterVersion, DeleteCluster",
    },
    "aws:eks/accessEntry:AccessEntry": {
        read: ["eks:DescribeAccessEntry"],
        create: ["eks:CreateAccessEntry", "eks:TagResource"],
        update: ["eks:UpdateAccessEntry", ...tags("eks")],
        delete: ["eks:DeleteAccessEntry"],
        source: "eks/access_entry.go: CreateAccessEntry, DescribeAccessEntry, UpdateAccessEntry, DeleteAccessEntry",
    },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        read: ["eks:ListAssociatedAccessPolicies"],
        create: ["eks:AssociateAccessPolicy"],
        update: [],
        delete: ["eks:DisassociateAccessPolicy"],
        source: "eks/access_policy_association.go: AssociateAccessPolicy, ListAssociatedAccessPolicies, DisassociateAccessPolicy",
    },
    "aws:eks/addon:Addon": {
        read: ["eks:DescribeAddon"],
        create: ["eks:CreateAddon", "eks:TagResource", "iam:PassRole"],
        update: ["eks:UpdateAddon", ...tags("eks")],
        delete: ["eks:DeleteAddon"],
        source: "eks/addon.go: CreateAddon (passes service_account_role_arn), DescribeAddon, UpdateAddon, DeleteAddon",
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        read: ["eks:DescribePodIdentityAssociation"],
        // EKS User Guide, "Assign an IAM role to a Kubernetes service account": iam:PassRole and iam:GetRole.
        create: ["eks:CreatePodIdentityAssociation", "eks:TagResource", "iam:PassRole", "iam:GetRole"],
        update: ["eks:UpdatePodIdentityAssociation", "iam:PassRole", ...tags("eks")],
        delete: ["eks:DeletePodIdentityAssociation"],
        source: "eks/pod_identity_association.go: CreatePodIdentityAssociation, DescribePodIdentityAssociation, UpdatePodIdentityAssociation, DeletePodIdentityAssociation",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        read: ["eks:DescribeNodegroup"],
        // The node role is passed; the first node group creates EKS's node group service-linked role.
        create: [
            "eks:CreateNodegroup",
            "eks:TagResource",
            "iam:PassRole",
            "ec2:DescribeLaunchTemplateVersions",
            "iam:CreateServiceLinkedRole",
        ],
        update: ["eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion", ...tags("eks")],
        delete: ["eks:DeleteNodegroup"],
        source: "eks/node_group.go: CreateNodegroup, DescribeNodegroup, UpdateNodegroupConfig, UpdateNodegroupVersion, DeleteNodegroup",
    },
};

/**
 * Provider functions the program calls (plan/mocks.ts CALLS), run by every command, preview
 * included. sts:GetCallerIdentity needs no permission (AWS STS API Reference, GetCallerIdentity:
 * "No permissions are required"); getRegion and getPartition answer from the provider's configuration.
 */
export const AWS_CALL_NEEDS: Readonly<Record<string, readonly string[]>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": [],
    "aws:index/getRegion:getRegion": [],
    "aws:index/getPartition:getPartition": [],
    "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
    "aws:eks/getAddonVersion:getAddonVersion": ["eks:DescribeAddonVersions"],
};

/** What a CI command does to each resource: a preview only diffs, a refresh reads, up writes, destroy deletes. */
export type CiCommand = "preview" | "refresh" | "up" | "destroy";

export const COMMAND_OPERATIONS: Readonly<Record<CiCommand, readonly Operation[]>> = {
    preview: [],
    refresh: ["read"],
    // Updates may replace (create, then delete the old one); every write ends with a read.
    up: ["create", "update", "delete", "read"],
    destroy: ["delete", "read"],
};

/**
 * IAM documents of the cluster, built by pure functions so that tests read exactly what AWS gets.
 * Sources: Amazon EKS User Guide, "Amazon EKS cluster IAM role", "Amazon EKS node IAM role",
 * "Create IAM role with trust policy required by EKS Pod Identity" and "Assign IAM roles to
 * Kubernetes service accounts" (IRSA).
 */

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: { readonly Service?: string; readonly Federated?: string; readonly AWS?: string };
    readonly Action: string | string[];
    readonly Resource?: string | string[];
    /** Every resource but these (a Deny that exempts one key). */
    readonly NotResource?: string | string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: PolicyStatement[];
}

/** AWS managed policies, by the role that needs them. */
export const MANAGED_POLICIES = {
    cluster: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
    // The node role gets only what the kubelet needs: EC2 describe + Pod Identity agent, and image
    // pulls from ECR. The CNI's permissions go to the aws-node service account's own role, as the
    // EKS User Guide recommends, so no other pod can use them through the node.
    node: [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ],
    vpcCni: ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
    ebsCsiDriver: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
} as const;

/** EKS access policy that makes an access entry cluster-admin. */
export const CLUSTER_ADMIN_ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
/** EKS access policy of the Kubernetes `view` role: read most objects, not Secrets. */
export const VIEW_ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
/**
 * EKS access policy that lists and reads every resource, Kubernetes Secrets included (EKS User Guide,
 * access-policy-reference.adoc, AmazonEKSAdminViewPolicy, awsdocs/amazon-eks-user-guide 4d52b4d0):
 * what refreshing Secrets and Helm releases (stored as Secrets) needs, and no write.
 */
export const ADMIN_VIEW_ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy";

/** Trust policy letting an AWS service (eks.amazonaws.com, ec2.amazonaws.com) assume the role. */
export function serviceTrustPolicy(service: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    };
}

export interface ServiceAccountRef {
    readonly namespace: string;
    readonly serviceAccount: string;
}

/**
 * EKS Pod Identity trust: the Pod Identity service assumes the role and tags the session with the
 * cluster, namespace and service account, which the conditions pin; aws:SourceAccount keeps other
 * accounts' clusters out.
 */
export function podIdentityTrustPolicy(
    ref: ServiceAccountRef & { readonly clusterName: string; readonly accountId: string },
): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": ref.accountId,
                        "aws:RequestTag/eks-cluster-name": ref.clusterName,
                        "aws:RequestTag/kubernetes-namespace": ref.namespace,
                        "aws:RequestTag/kubernetes-service-account": ref.serviceAccount,
                    },
                },
            },
        ],
    };
}

/**
 * "https://oidc.eks.eu-west-1.amazonaws.com/id/X" → "oidc.eks.eu-west-1.amazonaws.com/id/X", the prefix of IRSA
 * condition keys.
 */
export function oidcIssuerHostPath(issuerUrl: string): string {
    return issuerUrl.replace(/^https:\/\//, "");
}

/** IRSA trust: tokens of the cluster's OIDC issuer, for this one service account, meant for STS. */
export function irsaTrustPolicy(
    ref: ServiceAccountRef & { readonly providerArn: string; readonly issuerUrl: string },
): PolicyDocument {
    const issuer = oidcIssuerHostPath(ref.issuerUrl);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: ref.providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${ref.namespace}:${ref.serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}

/** What the control plane needs on its secrets-encryption key (the key policy defers to IAM). */
export function clusterKmsPolicy(keyArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                Resource: keyArn,
            },
        ],
    };
}

/** The key administrators statement's actions (AWS KMS Developer Guide, "Default key policy"). */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
] as const;

/**
 * Key policy of the control-plane log group's KMS key. The account administers the key through IAM
 * (the actions of the key administrators statement of the AWS KMS Developer Guide, "Default key
 * policy", so the key never becomes unmanageable) but does not use it; CloudWatch Logs, a service
 * principal of its region, may use it only for this one log group: the encryption context it sends is
 * the log group's ARN (Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using
 * AWS Key Management Service", step 2). Reading the logs needs no key permission: the service decrypts.
 */
export function logGroupKeyPolicy(ref: {
    readonly accountId: string;
    readonly region: string;
    readonly logGroupName: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersTheKey",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ref.accountId}:root` },
                Action: [...KEY_ADMINISTRATION_ACTIONS],
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsEncryptsThisLogGroup",
                Effect: "Allow",
                Principal: { Service: `logs.${ref.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnEquals: {
                        "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${ref.region}:${ref.accountId}:log-group:${ref.logGroupName}`,
                    },
                },
            },
        ],
    };
}

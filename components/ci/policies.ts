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

/** Inline policy of the preview role: an explicit Deny wins over any Allow, ReadOnlyAccess included. */
export function previewDenyPolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        // Data keys come with their plaintext: as good as a decrypt.
        Statement: [
            { Sid: "NoSecretReads", Effect: "Deny", Action: [...SECRET_READS, "kms:GenerateDataKey*"], Resource: "*" },
        ],
    };
}

/** Verbs of every service the deploy role manages: the lifecycle of what the program declares. */
const LIFECYCLE = ["Create*", "Delete*", "Describe*", "Get*", "List*", "Update*", "Put*", "Tag*", "Untag*"];
/** Verbs beyond the lifecycle, per service (VPC wiring, node groups' add-ons, key rotation and use). */
const DEPLOY_VERBS: Readonly<Record<string, readonly string[]>> = {
    ec2: [
        ...LIFECYCLE,
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
    eks: [...LIFECYCLE, "Associate*", "Disassociate*"],
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

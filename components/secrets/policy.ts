/**
 * What the External Secrets Operator may read in AWS, as a pure function so tests read exactly
 * what IAM gets. Sources: AWS Secrets Manager User Guide, "Authentication and access control"
 * (secret ARNs end in "-" and six random characters, hence the trailing "*") and "Secret
 * encryption and decryption" (kms:ViaService for Secrets Manager); external-secrets docs
 * provider/aws-secrets-manager.md (the read actions GetSecretValue and DescribeSecret).
 */
import { PolicyDocument, PolicyStatement } from "../cluster/iam";

/** The only Secrets Manager actions the operator gets: read a value and its metadata. */
export const READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;

/** `gitops-platform/<stack>`: every secret of a stack lives under it, so stacks cannot read each other's. */
export function defaultPrefix(project: string, stack: string): string {
    return `${project}/${stack}`;
}

/** ARN pattern of every secret under the prefix. The "/" before "*" keeps `.../staging` from matching `.../staging-old`. */
export function secretArnPattern(region: string, accountId: string, prefix: string): string {
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${prefix}/*`;
}

export interface ReaderPolicySettings {
    readonly region: string;
    readonly accountId: string;
    readonly prefix: string;
    /** Customer-managed key that encrypts the secrets; none when they use the AWS managed key. */
    readonly kmsKeyArn?: string;
}

/**
 * Read-only access to the stack's secrets, and decryption with their key only through Secrets Manager.
 * The whole stack prefix on purpose: one operator role serves the platform's store and every app's,
 * and IAM cannot tell them apart. Each store's `prefix` (`<prefix>/platform/`, `<prefix>/<app>/`),
 * usable only from its namespace, is the per-namespace boundary. That holds because the role has
 * no ListSecrets or BatchGetSecretValue: ESO's `dataFrom.find` lists and batch-reads without the
 * store's prefix (secretsmanager.go findByName, fetchWithBatch).
 */
export function secretsReaderPolicy(settings: ReaderPolicySettings): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "ReadStackSecrets",
            Effect: "Allow",
            Action: [...READ_ACTIONS],
            Resource: secretArnPattern(settings.region, settings.accountId, settings.prefix),
        },
    ];
    if (settings.kmsKeyArn !== undefined) {
        statements.push({
            Sid: "DecryptThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: settings.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${settings.region}.amazonaws.com` } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

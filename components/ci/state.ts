/**
 * The rights of the CI roles on a self-managed (S3) Pulumi state backend, and the bucket policy
 * documented in docs/ci.md. What the backend does, read in pulumi/pulumi pkg/backend/diy
 * (backend.go and lock.go at 002d849298513ad2419f5c500f737534d7b83920):
 * - every command reads the stack's checkpoint under `<prefix>.pulumi/stacks/` and lists keys
 *   (`pulumi stack select`, checkForLock's listBucket): s3:GetObject, s3:ListBucket;
 * - `preview` (plain or `--refresh`) runs apply with DryRun: no lock, no history, no checkpoint write;
 * - `up` and `destroy` take a lock (WriteAll, then Delete of `.pulumi/locks/...`), save the checkpoint
 *   (backupTarget copies and deletes), and add history and a backup: s3:PutObject, s3:DeleteObject.
 * With the awskms secrets provider, loading the stack decrypts its data key with KMS on every command
 * (pulumi/pulumi pkg/secrets/cloud/manager.go, SecretsManagerFromState: keeper.Decrypt): kms:Decrypt
 * on that key; kms:Encrypt only when the key is first set (`pulumi stack init --secrets-provider`),
 * which the bootstrap admin does.
 */
import type { PolicyDocument, PolicyStatement } from "../cluster/iam";

export interface StateBackend {
    /** The bucket of `pulumi login s3://<bucket>/<prefix>`. */
    readonly bucket: string;
    /** The path after the bucket, "" or ending in "/": the backend keeps everything under `<prefix>.pulumi/`. */
    readonly prefix: string;
    /** The awskms:// secrets provider's key ARN, when the stack encrypts its secrets with KMS. */
    readonly secretsKeyArn?: string;
}

export type StateAccess = "read" | "write";

export const STATE_READ_ACTIONS = ["s3:GetObject", "s3:ListBucket"] as const;
export const STATE_WRITE_ACTIONS = ["s3:PutObject", "s3:DeleteObject"] as const;

/** The ARN of every object of the backend, and of the bucket. */
export function stateArns(backend: StateBackend): { bucket: string; objects: string } {
    return {
        bucket: `arn:aws:s3:::${backend.bucket}`,
        objects: `arn:aws:s3:::${backend.bucket}/${backend.prefix}.pulumi/*`,
    };
}

/** The statements a role needs on the backend: read for previews and drift, write for up and destroy. */
export function stateBackendStatements(backend: StateBackend, access: StateAccess): PolicyStatement[] {
    const { bucket, objects } = stateArns(backend);
    return [
        {
            Sid: "StateList",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: bucket,
            Condition: { StringLike: { "s3:prefix": [`${backend.prefix}.pulumi/*`] } },
        },
        {
            Sid: access === "write" ? "StateReadWrite" : "StateRead",
            Effect: "Allow",
            Action: access === "write" ? ["s3:GetObject", ...STATE_WRITE_ACTIONS] : "s3:GetObject",
            Resource: objects,
        },
        ...(backend.secretsKeyArn === undefined
            ? []
            : [
                  {
                      Sid: "StateSecretsKey",
                      Effect: "Allow" as const,
                      Action: "kms:Decrypt",
                      Resource: backend.secretsKeyArn,
                  },
              ]),
    ];
}

export function stateBackendPolicy(backend: StateBackend, access: StateAccess): PolicyDocument {
    return { Version: "2012-10-17", Statement: stateBackendStatements(backend, access) };
}

/**
 * The state bucket's own policy (the bucket is made by hand before the first `pulumi login`: a stack
 * cannot keep its state in a bucket it declares): TLS only, and state objects written or deleted only
 * by the deploy roles and the named admins, whatever their identity policies say.
 */
export function stateBucketPolicy(backend: StateBackend, writers: readonly string[]): PolicyDocument {
    const { bucket, objects } = stateArns(backend);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                Resource: [bucket, `${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "StateWritersOnly",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: [...STATE_WRITE_ACTIONS],
                Resource: objects,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": [...writers] } },
            },
        ],
    };
}

/**
 * The secrets key's own policy (made by hand with the bucket): the account administers it and IAM
 * policies grant its use, as AWS's default key policy does (AWS KMS Developer Guide, "Default key
 * policy", statement "Enable IAM User Permissions"); the roles' policies above then decide who decrypts.
 */
export function stateKeyPolicy(accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EnableIamUserPermissions",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    };
}

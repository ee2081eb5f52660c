/**
 * External Secrets Operator with AWS Secrets Manager (EKS stacks). The operator's service account
 * gets an IAM role through the cluster's workload identity (Pod Identity or IRSA) that may only read
 * secrets under the stack's prefix; platform-owned values are written to Secrets Manager from
 * Pulumi secrets, app values are put there out of band.
 *
 * One role serves every store, so IAM cannot tell the engine's namespace from an app's: the stores'
 * `prefix` is the per-namespace boundary. The platform's ClusterSecretStore (engine namespace only)
 * reads `<prefix>/platform/`, each app's SecretStore (its namespace only) `<prefix>/<app>/`.
 */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "../cluster/types";
import { awsProvider, fieldEntries } from "./objects";
import { secretsReaderPolicy } from "./policy";
import { AppEntry, AppStore, DEFAULTS, ExternalSecretsStore, ExternalSecretsStoreArgs, StoredSecret } from "./store";
import { AppSecrets, PlatformSecret } from "./types";

export interface AwsSecretsManagerStoreArgs extends ExternalSecretsStoreArgs {
    /** The cluster's per-workload IAM helper. Required. */
    readonly workloadIdentity: WorkloadIdentity;
    /** Region of the cluster and the secrets. Required. */
    readonly region: string;
    /** Account of the secrets. Required. */
    readonly accountId: pulumi.Input<string>;
    /** Every secret name starts with `<prefix>/`; the operator may read nothing else. Required (stacks default: gitops-platform/<stack>). */
    readonly prefix: string;
    /** Customer-managed KMS key of the secrets; the operator may decrypt with it. Default: the AWS managed key. */
    readonly kmsKeyArn?: string;
    /** Days a deleted platform secret can be restored; 0 deletes at once. Default: 30. */
    readonly recoveryWindowInDays?: number;
    /** Tags on the AWS resources. Default: none. */
    readonly tags?: Record<string, string>;
}

/** `<prefix>/platform/`: what the platform's ClusterSecretStore reaches. */
export function platformScope(prefix: string): string {
    return `${prefix}/${DEFAULTS.platformScope}/`;
}

/** `<prefix>/<app>/`: what the app's SecretStore reaches. */
export function appScope(prefix: string, app: string): string {
    return `${prefix}/${app}/`;
}

/** `<prefix>/platform/<name>`: one Secrets Manager secret per platform secret, its keys as JSON fields. */
export function platformSecretKey(prefix: string, name: string): string {
    return `${platformScope(prefix)}${name}`;
}

/** `<prefix>/<app>/<key>`: one Secrets Manager secret per app key, holding the plain value. */
export function appSecretKey(prefix: string, app: string, key: string): string {
    return `${appScope(prefix, app)}${key}`;
}

export class AwsSecretsManagerStore extends ExternalSecretsStore {
    public readonly prefix: string;
    public readonly roleArn: pulumi.Output<string>;
    private readonly region: string;
    private readonly kmsKeyArn?: string;
    private readonly recoveryWindowInDays: number;
    private readonly tags?: Record<string, string>;

    constructor(name: string, args: AwsSecretsManagerStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:secrets:AwsSecretsManagerStore", name, args, opts);
        this.prefix = args.prefix;
        this.region = args.region;
        this.kmsKeyArn = args.kmsKeyArn;
        this.recoveryWindowInDays = args.recoveryWindowInDays ?? DEFAULTS.recoveryWindowInDays;
        this.tags = args.tags;

        // The whole stack prefix: the stores' prefixes, not IAM, keep each namespace to its own scope.
        const policyDocument = pulumi.output(args.accountId).apply((accountId) =>
            JSON.stringify(
                secretsReaderPolicy({
                    region: args.region,
                    accountId,
                    prefix: args.prefix,
                    kmsKeyArn: args.kmsKeyArn,
                }),
            ),
        );
        const role = args.workloadIdentity.grant(
            `${name}-operator`,
            {
                namespace: this.operatorNamespace,
                serviceAccount: DEFAULTS.serviceAccount,
                policyDocument,
            },
            { parent: this },
        );
        this.roleArn = role.roleArn;

        this.install(name, args, {
            values: { serviceAccountAnnotations: role.serviceAccountAnnotations, serviceAccountTokenCreate: false },
            storeProvider: awsProvider(args.region, platformScope(args.prefix)),
            // Without its association (or role) the operator would start with no credentials.
            operatorNeeds: role.ready,
            storeNeeds: [],
        });
        this.registerOutputs({ storeName: this.storeName, roleArn: this.roleArn });
    }

    protected writeValues(name: string, secret: PlatformSecret, parent: pulumi.Resource): StoredSecret {
        const key = platformSecretKey(this.prefix, name);
        this.claim(key, `platform secret ${name}`);
        const stored = new aws.secretsmanager.Secret(
            `${name}-aws-secret`,
            {
                name: key,
                description: `${secret.secretName}: written by Pulumi, read by the External Secrets Operator`,
                kmsKeyId: this.kmsKeyArn,
                recoveryWindowInDays: this.recoveryWindowInDays,
                tags: this.tags,
            },
            { parent },
        );
        const version = new aws.secretsmanager.SecretVersion(
            `${name}-aws-secret-version`,
            {
                secretId: stored.id,
                secretString: pulumi.secret(pulumi.output(secret.data).apply((data) => JSON.stringify(data))),
            },
            { parent },
        );
        // Keys are relative to the platform store's prefix.
        return {
            entries: fieldEntries(secret.data, name),
            written: [version],
        };
    }

    protected appEntry(app: string, key: string): AppEntry {
        return { entry: { secretKey: key, key }, stored: appSecretKey(this.prefix, app, key) };
    }

    /** The operator's own identity, like the platform's store, reaching `<prefix>/<app>/` only; nothing else to create. */
    protected appStore(secrets: AppSecrets): AppStore {
        return { provider: awsProvider(this.region, appScope(this.prefix, secrets.app)), needs: [] };
    }
}

import * as pulumi from "@pulumi/pulumi";

export interface PlatformSecret {
    /** Namespace the Secret is materialized in. */
    readonly namespace: pulumi.Input<string>;
    /** Name of the Kubernetes Secret. */
    readonly secretName: string;
    /** Labels the consumer needs on the Secret (e.g. argocd.argoproj.io/secret-type). */
    readonly labels?: Record<string, string>;
    /** Values the platform owns, each a Pulumi secret. */
    readonly data: Record<string, pulumi.Input<string>>;
}

/** Puts a Secret the platform owns into a namespace, through a store or directly. */
export interface SecretDelivery {
    deliver(
        name: string,
        secret: PlatformSecret,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource;
}

export interface AppSecrets {
    readonly app: string;
    readonly namespace: pulumi.Input<string>;
    /** Key names; values live in the store under <prefix>/<app>/<key>. */
    readonly keys: readonly string[];
}

/** Where an app's `secretKeys` come from: a store (ExternalSecrets) or Git (SealedSecrets). */
export interface AppSecretSource {
    /**
     * What the app's workloads wait for before they start, declaring what the backend needs in the
     * app's namespace; undefined for an app with no keys.
     */
    appSecret(
        secrets: AppSecrets,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource | undefined;
}

export interface SecretsStore extends SecretDelivery, AppSecretSource {
    /** Name of the platform's ClusterSecretStore, which deliver() uses; only the engine's namespace may use it. */
    readonly storeName: string;
    /** The external-secrets chart version the operator runs. */
    readonly chartVersion: string;
    /** IAM role the operator reads the store with (AWS); published in the platform metadata. */
    readonly roleArn?: pulumi.Output<string>;
    /** The operator release and the platform's store: ExternalSecrets depend on them. */
    readonly ready: pulumi.Resource[];
    /**
     * The app's own store in its namespace, reaching the app's keys only, and one ExternalSecret
     * through it with one entry per key (the ExternalSecret is returned); undefined for an app with no keys.
     */
    appSecret(
        secrets: AppSecrets,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource | undefined;
}

/** Config → secrets store (or none: the engine then gets its credentials through DirectSecretDelivery). */
import { platformLabels } from "../components/core/labels";
import { AwsSecretsManagerStore } from "../components/secrets/aws";
import { KubernetesSecretsStore } from "../components/secrets/kubernetes";
import { VaultSecretsStore } from "../components/secrets/vault";
import { SEALED_SECRET_KIND, SealedSecretsController } from "../components/secrets/sealed";
import { TenantKind } from "../components/gitops/tenancy";
import { defaultPrefix } from "../components/secrets/policy";
import { SecretsStore } from "../components/secrets/types";
import { ClusterHandle } from "../components/cluster/types";
import { stackTags } from "./cluster";
import { AppConfig, PlatformConfig, PROJECT } from "./config";
import { profileOf } from "./profiles";
import { stackVersions } from "./versions";

/** Secrets Manager name prefix (or Vault path prefix) of the stack: `secrets.prefix`, else gitops-platform/<stack>. */
export function secretsPrefix(config: PlatformConfig): string {
    return (
        (config.secrets?.type === "aws-secrets-manager" || config.secrets?.type === "vault"
            ? config.secrets.prefix
            : undefined) ?? defaultPrefix(PROJECT, config.stack)
    );
}

/**
 * The engine's namespace: the only one whose ExternalSecrets may use the platform's ClusterSecretStore
 * (its Git deploy keys). Apps read their secrets through their own SecretStore instead.
 */
export function allowedNamespaces(config: PlatformConfig): string[] {
    return [config.engine.namespace];
}

/**
 * The `secrets` stack output: what the promotion command compares between stacks; the chart version
 * the store (or the sealed-secrets controller) runs, and kubeseal's command to fetch the certificate.
 */
export function secretsOutputs(
    config: PlatformConfig,
    store: (Pick<SecretsStore, "chartVersion"> & { readonly fetchCertCommand?: string }) | undefined,
): { type: string; chartVersion: string; prefix?: string; fetchCert?: string } | undefined {
    if (config.secrets === undefined || store === undefined) {
        return undefined;
    }
    const chartVersion = store.chartVersion;
    const fetchCert = store.fetchCertCommand === undefined ? {} : { fetchCert: store.fetchCertCommand };
    return config.secrets.type === "aws-secrets-manager" || config.secrets.type === "vault"
        ? { type: config.secrets.type, chartVersion, prefix: secretsPrefix(config) }
        : { type: config.secrets.type, chartVersion, ...fetchCert };
}

/** An app with keys on a sealed-secrets stack: its team commits the SealedSecret, so it may ship that kind. */
export function sealedTenantKinds(app: AppConfig, config: PlatformConfig): readonly TenantKind[] {
    return config.secrets?.type === "sealed-secrets" && app.secretKeys.length > 0 ? [SEALED_SECRET_KIND] : [];
}

/** The Sealed Secrets controller of a `secrets.type: sealed-secrets` stack; undefined otherwise. */
export function createSealedSecrets(
    config: PlatformConfig,
    cluster: ClusterHandle,
): SealedSecretsController | undefined {
    if (config.secrets?.type !== "sealed-secrets") {
        return undefined;
    }
    return new SealedSecretsController(`${config.stack}-sealed-secrets`, {
        provider: cluster.provider,
        clusterReady: cluster.ready,
        labels: platformLabels(config.environment),
        namespace: config.secrets.namespace,
        chartVersion: stackVersions(config).charts["sealed-secrets"],
    });
}

/** The External Secrets store of the stack; undefined without one (no secrets, or sealed-secrets). */
export function createSecretsStore(config: PlatformConfig, cluster: ClusterHandle): SecretsStore | undefined {
    const secrets = config.secrets;
    if (secrets === undefined || secrets.type === "sealed-secrets") {
        return undefined;
    }
    const name = `${config.stack}-secrets`;
    const common = {
        provider: cluster.provider,
        clusterReady: cluster.ready,
        labels: platformLabels(config.environment),
        allowedNamespaces: allowedNamespaces(config),
        namespace: secrets.namespace,
        chartVersion: secrets.chartVersion,
        refreshInterval: secrets.refreshInterval,
        values: secrets.values,
    };
    switch (secrets.type) {
        case "kubernetes":
            return new KubernetesSecretsStore(name, { ...common, sourceNamespace: secrets.sourceNamespace });
        case "vault":
            return new VaultSecretsStore(name, {
                ...common,
                server: secrets.server,
                kvMount: secrets.kvMount,
                prefix: secretsPrefix(config),
                authMount: secrets.authMount,
                role: secrets.role,
                vaultNamespace: secrets.vaultNamespace,
            });
        case "aws-secrets-manager": {
            if (cluster.workloadIdentity === undefined || cluster.aws === undefined) {
                // loadConfig rejects aws-secrets-manager without an EKS cluster; this guards direct callers.
                throw new Error(
                    "the aws-secrets-manager store needs an EKS cluster (workload identity and an AWS account)",
                );
            }
            return new AwsSecretsManagerStore(name, {
                ...common,
                workloadIdentity: cluster.workloadIdentity,
                region: cluster.aws.region,
                accountId: cluster.aws.accountId,
                prefix: secretsPrefix(config),
                kmsKeyArn: secrets.kmsKeyArn,
                recoveryWindowInDays: profileOf(config.environment).secretRecoveryWindowDays,
                tags: stackTags(config),
            });
        }
    }
}

/**
 * The External Secrets Operator's objects and chart values, built by pure functions as
 * @kubernetes-models/external-secrets types them (external-secrets.io/v1). Sources: the
 * external-secrets chart's values.yaml (2.9.0), docs provider/aws-access.md,
 * provider/aws-secrets-manager.md, provider/kubernetes.md and api/clustersecretstore.md.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IExternalSecretSpec } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecretSpec";
import type { ISecretStoreProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreProvider";
import type { ISecretStoreSpec } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreSpec";

export const API_VERSION = "external-secrets.io/v1";

/** The upstream types with metadata and spec required, and the namespace an Input (callers' namespaces are Outputs). */
export type ExternalSecretObject = Omit<IExternalSecret, "metadata" | "spec" | "status"> & {
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> };
    spec: IExternalSecretSpec;
};
export type ClusterSecretStoreObject = Omit<IClusterSecretStore, "metadata" | "spec" | "status"> & {
    metadata: { name: string; labels: Record<string, string> };
    spec: ISecretStoreSpec;
};

/** Where one key of the target Secret comes from in the store. */
export interface RemoteEntry {
    /** Key in the Kubernetes Secret. */
    readonly secretKey: string;
    /** Secrets Manager secret name, or source Secret name for the Kubernetes provider. */
    readonly key: string;
    /** JSON field of a Secrets Manager value, or data key of a source Secret; none for a plain value. */
    readonly property?: string;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds of a Go duration in h/m/s units ("1h30m" → 5400); NaN for anything else. */
export function durationSeconds(text: string): number {
    if (!/^(\d+[hms])+$/.test(text)) {
        return NaN;
    }
    return [...text.matchAll(/(\d+)([hms])/g)].reduce((sum, [, count, unit]) => sum + Number(count) * UNIT_SECONDS[unit], 0);
}

export interface ExternalSecretSettings {
    /** Name of the ExternalSecret and of the Secret it owns. */
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly storeName: string;
    /** Go duration, non-zero: the Secret follows rotations in the store. */
    readonly refreshInterval: string;
    /** Labels on the ExternalSecret itself. */
    readonly labels: Record<string, string>;
    /** Labels the consumer needs on the Secret (Argo CD's secret-type); none otherwise. */
    readonly targetLabels?: Record<string, string>;
    readonly entries: readonly RemoteEntry[];
}

/** An ExternalSecret that owns its Secret: deleting the ExternalSecret deletes the Secret. */
export function externalSecret(settings: ExternalSecretSettings): ExternalSecretObject {
    if (!(durationSeconds(settings.refreshInterval) > 0)) {
        // "0" turns refreshing off: a rotated value would never reach the cluster.
        throw new Error(`ExternalSecret ${settings.name}: refreshInterval must be a non-zero duration such as 1h, got "${settings.refreshInterval}"`);
    }
    const labels = settings.targetLabels;
    return {
        apiVersion: API_VERSION,
        kind: "ExternalSecret",
        metadata: { name: settings.name, namespace: settings.namespace, labels: settings.labels },
        spec: {
            refreshInterval: settings.refreshInterval,
            secretStoreRef: { kind: "ClusterSecretStore", name: settings.storeName },
            target: {
                name: settings.name,
                creationPolicy: "Owner",
                // A template without data keeps every fetched key (ApplyTemplate's "no data template" case).
                ...(labels && Object.keys(labels).length > 0 ? { template: { metadata: { labels } } } : {}),
            },
            data: settings.entries.map((entry) => ({
                secretKey: entry.secretKey,
                remoteRef: { key: entry.key, ...(entry.property === undefined ? {} : { property: entry.property }) },
            })),
        },
    };
}

/** A ClusterSecretStore that only ExternalSecrets in the listed namespaces may use. */
export function clusterSecretStore(
    name: string,
    provider: ISecretStoreProvider,
    allowedNamespaces: readonly string[],
    labels: Record<string, string>,
): ClusterSecretStoreObject {
    if (allowedNamespaces.length === 0) {
        // An empty condition list would open the store to every namespace.
        throw new Error(`ClusterSecretStore ${name}: allowedNamespaces must name at least one namespace`);
    }
    return {
        apiVersion: API_VERSION,
        kind: "ClusterSecretStore",
        metadata: { name, labels },
        spec: {
            provider,
            conditions: [{ namespaces: [...new Set(allowedNamespaces)].sort() }],
        },
    };
}

/**
 * AWS Secrets Manager through the operator's own identity. No `auth` block: the AWS SDK's default
 * chain finds EKS Pod Identity credentials (the docs: serviceAccountRef "cannot be used together
 * with EKS Pod Identity") and, with IRSA, the web-identity token the EKS webhook mounts for the
 * role-arn annotation on the operator's service account. One shape for both modes, no static keys,
 * and the operator needs no right to mint tokens for other service accounts.
 */
export function awsProvider(region: string): ISecretStoreProvider {
    return { aws: { service: "SecretsManager", region } };
}

/** The CA every namespace gets from Kubernetes, to verify the in-cluster API server. */
export const ROOT_CA_CONFIGMAP = { name: "kube-root-ca.crt", key: "ca.crt" } as const;

/**
 * The cluster's own API server, as the given service account, reading Secrets of one namespace.
 * `server.url` is left out: it defaults to kubernetes.default. A ClusterSecretStore must say which
 * namespace the CA ConfigMap and the service account live in.
 */
export function kubernetesProvider(sourceNamespace: string, serviceAccount: string): ISecretStoreProvider {
    return {
        kubernetes: {
            remoteNamespace: sourceNamespace,
            server: { caProvider: { type: "ConfigMap", name: ROOT_CA_CONFIGMAP.name, key: ROOT_CA_CONFIGMAP.key, namespace: sourceNamespace } },
            auth: { serviceAccount: { name: serviceAccount, namespace: sourceNamespace } },
        },
    };
}

/**
 * What the store's service account may do in the source namespace: read Secrets, and create the
 * SelfSubjectRulesReview the store's validation runs (provider/kubernetes.md gives this role).
 */
export const SOURCE_READER_RULES = [
    { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectrulesreviews"], verbs: ["create"] },
];

export interface OperatorValueSettings {
    readonly serviceAccountName: string;
    readonly serviceAccountAnnotations: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Whether the controller may create tokens for other service accounts (chart value
     * rbac.serviceAccountTokenCreate, chart >= 2.5.0): the Kubernetes provider's serviceAccount auth
     * needs it, the AWS store does not.
     */
    readonly serviceAccountTokenCreate: boolean;
}

/** Values of the external-secrets chart; each key is in the chart's values.yaml. */
export function operatorValues(settings: OperatorValueSettings): Record<string, pulumi.Input<unknown>> {
    return {
        installCRDs: true,
        serviceAccount: {
            create: true,
            // Fixed, because the IAM role's trust (Pod Identity association or IRSA sub) names it.
            name: settings.serviceAccountName,
            annotations: settings.serviceAccountAnnotations,
        },
        rbac: { serviceAccountTokenCreate: settings.serviceAccountTokenCreate },
    };
}

/**
 * The External Secrets Operator's objects and chart values, built by pure functions as
 * @kubernetes-models/external-secrets types them (external-secrets.io/v1). Sources: the
 * external-secrets chart's values.yaml (2.9.0), docs provider/aws-access.md,
 * provider/aws-secrets-manager.md, provider/kubernetes.md and api/clustersecretstore.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProtectedValue } from "../core/values";
import type { IClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IExternalSecretSpec } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecretSpec";
import type { IExternalSecretTarget } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecretTarget";
import type { IExternalSecretTemplate } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecretTemplate";
import type { ISecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore";
import type { ISecretStoreProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreProvider";
import type { ISecretStoreRef } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreRef";
import type { ISecretStoreSpec } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreSpec";

export const API_VERSION = "external-secrets.io/v1";

type InputMap = Record<string, pulumi.Input<string>>;

/** The upstream types with metadata and spec required, and the namespace an Input (callers' namespaces are Outputs). */
export type ExternalSecretObject = Omit<IExternalSecret, "metadata" | "spec" | "status"> & {
    metadata: { name: string; namespace: pulumi.Input<string>; labels?: Record<string, string> };
    spec: Omit<IExternalSecretSpec, "target"> & {
        target: Omit<IExternalSecretTarget, "template"> & {
            /** The template's metadata may carry Outputs (a spoke's account id). */
            template?: Omit<IExternalSecretTemplate, "metadata"> & {
                metadata?: { labels?: InputMap; annotations?: InputMap };
            };
        };
    };
};
export type ClusterSecretStoreObject = Omit<IClusterSecretStore, "metadata" | "spec" | "status"> & {
    metadata: { name: string; labels: Record<string, string> };
    spec: ISecretStoreSpec;
};
export type SecretStoreObject = Omit<ISecretStore, "metadata" | "spec" | "status"> & {
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> };
    spec: ISecretStoreSpec;
};

/** Which store an ExternalSecret reads: the platform's ClusterSecretStore, or its namespace's own SecretStore. */
export type StoreRef = Required<ISecretStoreRef>;

/** Where one key of the target Secret comes from in the store. */
export interface RemoteEntry {
    /** Key in the Kubernetes Secret. */
    readonly secretKey: string;
    /** Secrets Manager secret name relative to the store's prefix, or source Secret name for the Kubernetes provider. */
    readonly key: string;
    /** JSON field of a Secrets Manager value, or data key of a source Secret; none for a plain value. */
    readonly property?: string;
}

/**
 * A platform secret stored as one value with a field per key (a JSON secret, a source Secret's data,
 * a KV entry): one entry per key, in key order, reading that field of `key`.
 */
export function fieldEntries(data: Readonly<Record<string, unknown>>, key: string): RemoteEntry[] {
    return Object.keys(data)
        .sort()
        .map((field) => ({ secretKey: field, key, property: field }));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds of a Go duration in h/m/s units ("1h30m" → 5400); NaN for anything else. */
export function durationSeconds(text: string): number {
    if (!/^(\d+[hms])+$/.test(text)) {
        return NaN;
    }
    return [...text.matchAll(/(\d+)([hms])/g)].reduce(
        (sum, [, count, unit]) => sum + Number(count) * UNIT_SECONDS[unit],
        0,
    );
}

export interface ExternalSecretSettings {
    /** Name of the ExternalSecret and of the Secret it owns. */
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly store: StoreRef;
    /** Go duration, non-zero: the Secret follows rotations in the store. */
    readonly refreshInterval: string;
    /** Labels on the ExternalSecret itself; none: no labels. */
    readonly labels?: Record<string, string>;
    /** Labels the consumer needs on the Secret (Argo CD's secret-type); none otherwise. */
    readonly targetLabels?: InputMap;
    /** Annotations on the Secret (a spoke's metadata); none otherwise. */
    readonly targetAnnotations?: InputMap;
    /**
     * The Secret's data as Go templates (engine v2) over the fetched keys, e.g. `{{ .config }}`; it
     * replaces the fetched keys. None: the Secret holds the fetched keys as they are.
     */
    readonly targetData?: Record<string, string>;
    readonly entries: readonly RemoteEntry[];
}

/** `target.template` of an ExternalSecret, when the settings ask for one. */
function targetTemplate(settings: ExternalSecretSettings) {
    const labels = settings.targetLabels;
    const metadata = {
        ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
        ...(settings.targetAnnotations === undefined ? {} : { annotations: settings.targetAnnotations }),
    };
    if (settings.targetData !== undefined) {
        return { engineVersion: "v2" as const, metadata, data: settings.targetData };
    }
    // A template without data keeps every fetched key (ApplyTemplate's "no data template" case).
    return Object.keys(metadata).length > 0 ? { metadata } : undefined;
}

/** An ExternalSecret that owns its Secret: deleting the ExternalSecret deletes the Secret. */
export function externalSecret(settings: ExternalSecretSettings): ExternalSecretObject {
    if (!(durationSeconds(settings.refreshInterval) > 0)) {
        // "0" turns refreshing off: a rotated value would never reach the cluster.
        throw new Error(
            `ExternalSecret ${settings.name}: refreshInterval must be a non-zero duration such as 1h, got "${settings.refreshInterval}"`,
        );
    }
    const template = targetTemplate(settings);
    return {
        apiVersion: API_VERSION,
        kind: "ExternalSecret",
        metadata: {
            name: settings.name,
            namespace: settings.namespace,
            ...(settings.labels === undefined ? {} : { labels: settings.labels }),
        },
        spec: {
            refreshInterval: settings.refreshInterval,
            secretStoreRef: { kind: settings.store.kind, name: settings.store.name },
            target: { name: settings.name, creationPolicy: "Owner", ...(template === undefined ? {} : { template }) },
            data: settings.entries.map((entry) => ({
                secretKey: entry.secretKey,
                remoteRef: { key: entry.key, ...(entry.property === undefined ? {} : { property: entry.property }) },
            })),
        },
    };
}

/** A ClusterSecretStore that only ExternalSecrets in the listed namespaces (the engine's) may use. */
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

/** A SecretStore in one namespace: only ExternalSecrets of that namespace can use it (ESO api/secretstore.md). */
export function secretStore(
    name: string,
    namespace: pulumi.Input<string>,
    provider: ISecretStoreProvider,
    labels: Record<string, string>,
): SecretStoreObject {
    return { apiVersion: API_VERSION, kind: "SecretStore", metadata: { name, namespace, labels }, spec: { provider } };
}

/**
 * AWS Secrets Manager through the operator's own identity, scoped to the names under `scope`.
 * No `auth` block: the AWS SDK's default chain finds EKS Pod Identity credentials (the docs:
 * serviceAccountRef "cannot be used together with EKS Pod Identity") and, with IRSA, the
 * web-identity token the EKS webhook mounts for the role-arn annotation on the operator's service
 * account; for a namespaced SecretStore as for a ClusterSecretStore (aws-access.md, "Controller's
 * Pod Identity"; providers/v1/aws/auth/auth.go falls back to the default chain for either kind).
 * `prefix`: ESO reads `prefix + remoteRef.key`, verbatim (secretsmanager.go `fetch`), so `scope`
 * ends in "/" and ExternalSecrets name keys relative to it.
 */
export function awsProvider(region: string, scope: string): ISecretStoreProvider {
    if (!scope.endsWith("/")) {
        // Without the "/", scope gitops-platform/staging/web would also reach .../web-admin/*.
        throw new Error(`AWS store prefix "${scope}" must end in "/"`);
    }
    return { aws: { service: "SecretsManager", region, prefix: scope } };
}

/** The CA every namespace gets from Kubernetes, to verify the in-cluster API server. */
export const ROOT_CA_CONFIGMAP = { name: "kube-root-ca.crt", key: "ca.crt" } as const;

/**
 * The cluster's own API server, as the given service account, reading Secrets of one namespace.
 * `server.url` is left out: it defaults to kubernetes.default. A ClusterSecretStore must say which
 * namespace the CA ConfigMap and the service account live in (`serviceAccountNamespace`); a
 * SecretStore must not: ESO refuses caProvider.namespace on it and takes both from the store's
 * own namespace (providers/v1/kubernetes validate.go and auth.go `serviceAccountToken`).
 */
export function kubernetesProvider(
    sourceNamespace: string,
    serviceAccount: string,
    serviceAccountNamespace?: string,
): ISecretStoreProvider {
    const inNamespace = serviceAccountNamespace === undefined ? {} : { namespace: serviceAccountNamespace };
    return {
        kubernetes: {
            remoteNamespace: sourceNamespace,
            server: {
                caProvider: {
                    type: "ConfigMap",
                    name: ROOT_CA_CONFIGMAP.name,
                    key: ROOT_CA_CONFIGMAP.key,
                    ...inNamespace,
                },
            },
            auth: { serviceAccount: { name: serviceAccount, ...inNamespace } },
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

/**
 * What an app's reader may do in the source namespace: get its own source Secrets by name. ESO's
 * provider reads a remoteRef with a get by name (client.go `GetSecret`), and the store's check
 * (SelfSubjectRulesReview) accepts a get rule with resourceNames; creating that review needs no
 * Role (Kubernetes grants it to every authenticated user through system:basic-user).
 */
export function appReaderRules(sourceNames: readonly string[]) {
    if (sourceNames.length === 0) {
        // A rule with no resourceNames would allow every Secret of the namespace.
        throw new Error("an app reader's Role needs at least one Secret name");
    }
    return [
        { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [...new Set(sourceNames)].sort() },
    ];
}

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

/** external-secrets chart values a user's secrets.values may not set. */
export const PROTECTED_OPERATOR_VALUES: readonly ProtectedValue[] = [
    {
        path: ["installCRDs"],
        reason: "the platform declares ClusterSecretStores and ExternalSecrets, whose CRDs the chart installs",
    },
    { path: ["serviceAccount", "create"], reason: "the operator's identity is this service account" },
    { path: ["serviceAccount", "name"], reason: "the store's IAM role or Vault role trusts this name" },
    { path: ["serviceAccount", "annotations"], reason: "they carry the operator's IAM role (IRSA)" },
    {
        path: ["rbac", "aggregateToAdmin"],
        reason: "namespace admins must not get store rights (policy external-secrets-no-role-aggregation)",
    },
    {
        path: ["rbac", "aggregateToEdit"],
        reason: "namespace editors must not get store rights (policy external-secrets-no-role-aggregation)",
    },
    {
        path: ["rbac", "serviceAccountTokenCreate"],
        reason: "only a store whose authentication needs tokens of other service accounts gets that right",
    },
];

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
        rbac: operatorRbac(settings.serviceAccountTokenCreate),
    };
}

/** The operator's RBAC values, wherever the chart is installed (the platform's release, a spoke's add-on). */
export function operatorRbac(serviceAccountTokenCreate: boolean): Record<string, boolean> {
    return {
        serviceAccountTokenCreate,
        // Not folded into the built-in admin/edit roles: a namespace admin (a Flux tenant) could
        // otherwise create a SecretStore without its app's prefix, reading with the operator's role.
        // Apps get their ExternalSecrets from the platform (secretKeys), not from their own Git.
        aggregateToEdit: false,
        // Defaults to true in chart 2.9.0 (values.yaml): namespace admins would get store write rights.
        aggregateToAdmin: false,
    };
}

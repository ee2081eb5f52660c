/**
 * The cloud-free store (local stack): the same External Secrets Operator and the same ExternalSecrets
 * as on AWS, with External Secrets' Kubernetes provider reading Secrets of one source namespace.
 * Apps' manifests do not change between a laptop and EKS; only where the values live does.
 * Source Secrets are named `platform-<name>` (platform secrets, written by Pulumi) and
 * `<app>-<key>` with the value under the data key `value` (app secrets, created by users:
 * `kubectl -n platform-secrets create secret generic <app>-<key> --from-literal=value=...`).
 * The platform's ClusterSecretStore reads as `platform-secrets-reader`; each app's SecretStore reads
 * as its own service account `<app>-secrets-reader`, whose Role in the source namespace names the
 * app's source Secrets and nothing else.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appReaderRules, fieldEntries, kubernetesProvider, RemoteEntry, SOURCE_READER_RULES } from "./objects";
import type { AppEntry, AppObjectOptions, AppStore, ExternalSecretsStoreArgs, StoredSecret } from "./store";
import { DEFAULTS, ExternalSecretsStore, storedValueEntry } from "./store";
import { PLATFORM_INGRESS_POLICY, platformIngressSpec, POD_SECURITY, podSecurityLabels } from "../core/isolation";
import { AppSecrets, PlatformSecret } from "./types";

export interface KubernetesSecretsStoreArgs extends ExternalSecretsStoreArgs {
    /** Namespace holding the source Secrets. Default: "platform-secrets". */
    readonly sourceNamespace?: string;
}

/** Data key of an app secret's source Secret. */
export const APP_VALUE_KEY = "value";

/** Source Secret of a platform secret. */
export function platformSourceName(name: string): string {
    return `platform-${name}`;
}

/** Source Secret of one app key; the value is under APP_VALUE_KEY. */
export function appSourceName(app: string, key: string): string {
    return `${app}-${key}`;
}

export class KubernetesSecretsStore extends ExternalSecretsStore {
    public readonly sourceNamespace: string;
    private readonly source: k8s.core.v1.Namespace;

    constructor(name: string, args: KubernetesSecretsStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:secrets:KubernetesSecretsStore", name, args, opts);
        this.sourceNamespace = args.sourceNamespace ?? DEFAULTS.sourceNamespace;
        const inSource = { name: DEFAULTS.sourceReader, namespace: this.sourceNamespace, labels: this.labels };

        // Users put app secrets here by hand: destroying the stack must not delete them.
        const source = (this.source = new k8s.core.v1.Namespace(
            `${name}-source-namespace`,
            {
                metadata: {
                    name: this.sourceNamespace,
                    labels: { ...this.labels, ...podSecurityLabels(POD_SECURITY.app) },
                },
            },
            { ...this.child, retainOnDelete: true },
        ));
        const afterSource = { ...this.child, dependsOn: [source] };
        // Secrets only, read through the API server: nothing needs to reach a pod here.
        new k8s.networking.v1.NetworkPolicy(
            `${name}-source-network-policy`,
            {
                metadata: { name: PLATFORM_INGRESS_POLICY, namespace: this.sourceNamespace, labels: this.labels },
                spec: platformIngressSpec(),
            },
            afterSource,
        );
        const reader = new k8s.core.v1.ServiceAccount(`${name}-reader`, { metadata: inSource }, afterSource);
        const role = new k8s.rbac.v1.Role(
            `${name}-reader-role`,
            { metadata: inSource, rules: SOURCE_READER_RULES },
            afterSource,
        );
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-reader-binding`,
            {
                metadata: inSource,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: reader.metadata.name, namespace: this.sourceNamespace }],
            },
            afterSource,
        );

        this.install(name, args, {
            // The provider's serviceAccount auth has the controller request tokens for the reader.
            values: { serviceAccountAnnotations: {}, serviceAccountTokenCreate: true },
            storeProvider: kubernetesProvider(this.sourceNamespace, DEFAULTS.sourceReader, this.sourceNamespace),
            operatorNeeds: [],
            storeNeeds: [reader, binding],
        });
        this.registerOutputs({ storeName: this.storeName, sourceNamespace: this.sourceNamespace });
    }

    protected writeValues(name: string, secret: PlatformSecret, parent: pulumi.Resource): StoredSecret {
        const sourceName = platformSourceName(name);
        this.claim(sourceName, `platform secret ${name}`);
        const written = new k8s.core.v1.Secret(
            `${name}-source`,
            {
                metadata: { name: sourceName, namespace: this.sourceNamespace, labels: this.labels },
                type: "Opaque",
                stringData: pulumi.secret(secret.data),
            },
            { ...this.child, parent, dependsOn: [this.source] },
        );
        return {
            entries: fieldEntries(secret.data, sourceName),
            written: [written],
        };
    }

    protected appEntry(app: string, key: string): AppEntry {
        return storedValueEntry(key, appSourceName(app, key), APP_VALUE_KEY);
    }

    /**
     * A service account in the app's namespace, allowed to get the app's source Secrets by name.
     * A SecretStore's serviceAccount is looked up in the store's own namespace (ESO auth.go), so
     * the account sits with the app and its RoleBinding, in the source namespace, names it there.
     */
    protected appStore(secrets: AppSecrets, entries: readonly RemoteEntry[], opts: AppObjectOptions): AppStore {
        const { name, reader } = this.appReader(secrets, opts);
        const child = { ...this.child, parent: opts.parent };
        const inSource = { name, namespace: this.sourceNamespace, labels: this.labels };
        const role = new k8s.rbac.v1.Role(
            `${name}-role`,
            {
                metadata: inSource,
                rules: appReaderRules(entries.map((entry) => entry.key)),
            },
            { ...child, dependsOn: [this.source] },
        );
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            {
                metadata: inSource,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: reader.metadata.name, namespace: secrets.namespace }],
            },
            { ...child, dependsOn: [this.source] },
        );
        return { provider: kubernetesProvider(this.sourceNamespace, name), needs: [reader, binding] };
    }
}

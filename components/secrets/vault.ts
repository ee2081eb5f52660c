/**
 * HashiCorp Vault behind the same External Secrets Operator and the same ExternalSecrets as the
 * other stores: External Secrets' `vault` provider on a KV v2 mount, authenticating with Vault's
 * Kubernetes auth method (external-secrets/external-secrets apis/externalsecrets/v1/
 * secretstore_vault_types.go: server, path, version, auth.kubernetes.{mountPath, role,
 * serviceAccountRef}). Chosen over the Vault Secrets Operator because apps keep the ExternalSecrets
 * they already get from `secretKeys`: switching a stack's backend changes no app config.
 *
 * Each store logs in as a service account of its own, with a Vault role of its own, so Vault's
 * policies (not only the key names) keep each namespace to its scope:
 * - the platform's ClusterSecretStore as `platform-secrets-reader` in the operator's namespace,
 *   with role `<role>`, reading `<mount>/data/<prefix>/platform/*`;
 * - each app's SecretStore as `<app>-secrets-reader` in the app's namespace, with role
 *   `<role>-<app>`, reading `<mount>/data/<prefix>/<app>/*`.
 * Pulumi writes the platform's own secrets (the engine's deploy keys) with the Vault provider
 * (`vault:address`, and a token from VAULT_TOKEN, never from stack config in plain text).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
// Vault's kv module alone: the package root would load the typings of all its engines.
import * as kv from "@pulumi/vault/kv";
import type { ISecretStoreProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreProvider";
import { fieldEntries, RemoteEntry } from "./objects";
import type { AppEntry, AppObjectOptions, AppStore, ExternalSecretsStoreArgs, StoredSecret } from "./store";
import { DEFAULTS, ExternalSecretsStore, storedValueEntry } from "./store";
import { AppSecrets, PlatformSecret } from "./types";

export interface VaultSecretsStoreArgs extends ExternalSecretsStoreArgs {
    /** Vault's address, https://vault.example.com:8200. Required. */
    readonly server: string;
    /** Mount of the KV v2 secrets engine. Default: "secret". */
    readonly kvMount?: string;
    /** Path under the mount every key of this stack starts with, e.g. gitops-platform/staging. Required. */
    readonly prefix: string;
    /** Mount of the Kubernetes auth method. Default: "kubernetes". */
    readonly authMount?: string;
    /** Vault role of the platform's store; app stores use `<role>-<app>`. Required. */
    readonly role: string;
    /** Vault Enterprise namespace; none by default. */
    readonly vaultNamespace?: string;
}

export const VAULT_DEFAULTS = { kvMount: "secret", authMount: "kubernetes" } as const;

/** Data field of an app key in Vault: `<prefix>/<app>/<key>` holds `{ "value": ... }`. */
export const VAULT_APP_FIELD = "value";

/** `<prefix>/platform/<name>`: one KV entry per platform secret, one field per key. */
export function vaultPlatformPath(prefix: string, name: string): string {
    return `${prefix}/${DEFAULTS.platformScope}/${name}`;
}

/** `<prefix>/<app>/<key>`. */
export function vaultAppPath(prefix: string, app: string, key: string): string {
    return `${prefix}/${app}/${key}`;
}

/** The Vault role an app's store logs in with. */
export function vaultAppRole(role: string, app: string): string {
    return `${role}-${app}`;
}

/** The store's provider block (ESO vault provider, KV v2, Kubernetes auth as the given service account). */
export function vaultProvider(settings: {
    readonly server: string;
    readonly kvMount: string;
    readonly authMount: string;
    readonly role: string;
    readonly serviceAccount: string;
    /** Set for a ClusterSecretStore, whose service account lives in a namespace of its own. */
    readonly serviceAccountNamespace?: string;
    readonly vaultNamespace?: string;
}): ISecretStoreProvider {
    return {
        vault: {
            server: settings.server,
            path: settings.kvMount,
            version: "v2",
            ...(settings.vaultNamespace === undefined ? {} : { namespace: settings.vaultNamespace }),
            auth: {
                kubernetes: {
                    mountPath: settings.authMount,
                    role: settings.role,
                    serviceAccountRef: {
                        name: settings.serviceAccount,
                        ...(settings.serviceAccountNamespace === undefined
                            ? {}
                            : { namespace: settings.serviceAccountNamespace }),
                    },
                },
            },
        },
    };
}

/**
 * What Pulumi's token does to a platform secret, per path of the KV v2 mount, read in
 * hashicorp/terraform-provider-vault vault/resource_kv_secret_v2.go (commit 084e5317): create and
 * update write `<mount>/data/<name>`, refresh reads it, and delete deletes it there (the metadata path
 * only with delete_all_versions, which the program does not set); newer releases also read the
 * metadata path for custom_metadata. Vault's capabilities per HTTP verb: POST/PUT create or update,
 * GET read, DELETE delete (Vault docs, "Policies", capabilities).
 */
export const PULUMI_KV_CAPABILITIES = {
    data: ["create", "update", "read", "delete"],
    metadata: ["read"],
} as const;

/**
 * The least-privilege Vault policies (HCL) each role needs, for docs/secrets.md and for operators to
 * apply: read on one path prefix, nothing else; and what Pulumi's token needs to write the platform's.
 */
export function vaultPolicies(kvMount: string, prefix: string, apps: readonly string[]): Record<string, string> {
    const read = (scope: string) => `path "${kvMount}/data/${prefix}/${scope}/*" {\n  capabilities = ["read"]\n}\n`;
    const pulumi = (base: keyof typeof PULUMI_KV_CAPABILITIES) =>
        `path "${kvMount}/${base}/${prefix}/${DEFAULTS.platformScope}/*" {\n  capabilities = ${JSON.stringify(PULUMI_KV_CAPABILITIES[base]).replace(/,/g, ", ")}\n}\n`;
    return {
        platform: read(DEFAULTS.platformScope),
        ...Object.fromEntries(apps.map((app) => [app, read(app)])),
        pulumi: [pulumi("data"), pulumi("metadata")].join("\n"),
    };
}

export class VaultSecretsStore extends ExternalSecretsStore {
    private readonly server: string;
    private readonly kvMount: string;
    private readonly authMount: string;
    private readonly prefix: string;
    private readonly role: string;
    private readonly vaultNamespace?: string;

    constructor(name: string, args: VaultSecretsStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:secrets:VaultSecretsStore", name, args, opts);
        this.server = args.server;
        this.kvMount = args.kvMount ?? VAULT_DEFAULTS.kvMount;
        this.authMount = args.authMount ?? VAULT_DEFAULTS.authMount;
        this.prefix = args.prefix;
        this.role = args.role;
        this.vaultNamespace = args.vaultNamespace;

        // The platform store's own identity, so Vault can tell it from the operator and from each app.
        const reader = new k8s.core.v1.ServiceAccount(
            `${name}-reader`,
            { metadata: { name: DEFAULTS.sourceReader, namespace: this.operatorNamespace, labels: this.labels } },
            this.child,
        );
        this.install(name, args, {
            // Kubernetes auth with serviceAccountRef has the controller request tokens for the readers.
            values: { serviceAccountAnnotations: {}, serviceAccountTokenCreate: true },
            storeProvider: this.vaultStore(this.role, DEFAULTS.sourceReader, this.operatorNamespace),
            operatorNeeds: [],
            storeNeeds: [reader],
        });
        this.registerOutputs({ storeName: this.storeName, server: this.server, prefix: this.prefix });
    }

    private vaultStore(role: string, serviceAccount: string, serviceAccountNamespace?: string): ISecretStoreProvider {
        return vaultProvider({
            server: this.server,
            kvMount: this.kvMount,
            authMount: this.authMount,
            role,
            serviceAccount,
            serviceAccountNamespace,
            vaultNamespace: this.vaultNamespace,
        });
    }

    protected writeValues(name: string, secret: PlatformSecret, parent: pulumi.Resource): StoredSecret {
        const path = vaultPlatformPath(this.prefix, name);
        this.claim(path, `platform secret ${name}`);
        const written = new kv.SecretV2(
            `${name}-vault-secret`,
            {
                mount: this.kvMount,
                name: path,
                dataJson: pulumi.secret(pulumi.output(secret.data).apply((data) => JSON.stringify(data))),
                ...(this.vaultNamespace === undefined ? {} : { namespace: this.vaultNamespace }),
            },
            { parent },
        );
        return {
            entries: fieldEntries(secret.data, path),
            written: [written],
        };
    }

    protected appEntry(app: string, key: string): AppEntry {
        return storedValueEntry(key, vaultAppPath(this.prefix, app, key), VAULT_APP_FIELD);
    }

    /** The app's reader service account in its namespace; its Vault role `<role>-<app>` reads `<prefix>/<app>/*` only. */
    protected appStore(secrets: AppSecrets, _entries: readonly RemoteEntry[], opts: AppObjectOptions): AppStore {
        const { name, reader } = this.appReader(secrets, opts);
        return { provider: this.vaultStore(vaultAppRole(this.role, secrets.app), name), needs: [reader] };
    }
}

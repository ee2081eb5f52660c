/**
 * What both stores share: the External Secrets Operator (the external-secrets chart as a Helm
 * release); one ClusterSecretStore for the platform's own secrets, open to the engine's namespace
 * only; for each app with secrets, a SecretStore in the app's namespace that reaches that app's
 * secrets only; and the ExternalSecrets that materialize both. An app repository that syncs its
 * own ExternalSecret can thus read its own keys and nothing else: not the platform's deploy keys,
 * not another app's. The stores differ in where values live (AWS Secrets Manager, or Secrets of a
 * namespace) and how each store is scoped (a name prefix, or a Role limited to Secret names).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compareVersions, EXACT_VERSION } from "../core/versions";
import type { ISecretStoreProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStoreProvider";
import { declareObject } from "../core/objects";
import { declarePlatformChart } from "../core/platformChart";
import {
    clusterSecretStore,
    externalSecret,
    operatorValues,
    OperatorValueSettings,
    PROTECTED_OPERATOR_VALUES,
    RemoteEntry,
    secretStore,
    StoreRef,
} from "./objects";
import { AppSecrets, PlatformSecret, SecretsStore } from "./types";
import { ChartValues, withUserValues } from "../core/values";

export const DEFAULTS = {
    chartRepository: "https://charts.external-secrets.io",
    chart: "external-secrets",
    /** Newest external-secrets chart in external-secrets/external-secrets (deploy/charts/external-secrets/Chart.yaml, August 2026); serves external-secrets.io/v1. */
    chartVersion: "2.9.0",
    /**
     * Oldest chart with every rbac value the stores set: rbac.aggregateToAdmin arrived in 2.8.0
     * (external-secrets/external-secrets deploy/charts/external-secrets/values.yaml, helm-chart-2.8.0;
     * absent from 2.7.0), rbac.serviceAccountTokenCreate in 2.5.0.
     */
    minimumChartVersion: "2.8.0",
    namespace: "external-secrets",
    releaseName: "external-secrets",
    /** The operator's service account; the AWS role's trust names it. */
    serviceAccount: "external-secrets",
    /** The platform's ClusterSecretStore; the same name in every environment. */
    storeName: "platform-secrets",
    /** Apps' names may not be this: it is the platform's own scope in the store (`<prefix>/platform/`, `platform-<name>`). */
    platformScope: "platform",
    refreshInterval: "1h",
    /** Kubernetes store: namespace of the source Secrets, and the service account that reads them. */
    sourceNamespace: "platform-secrets",
    sourceReader: "platform-secrets-reader",
    /** AWS store: days a deleted secret can be restored (AWS's own default). */
    recoveryWindowInDays: 30,
} as const;

/** The chart values the stores set exist from chart 2.8.0 on; older charts would ignore them silently. */
export function chartVersionProblem(version: string): string | undefined {
    // A range or tag is refused by the exact-version rule; only versions are ordered here.
    if (!EXACT_VERSION.test(version)) {
        return undefined;
    }
    return compareVersions(version, DEFAULTS.minimumChartVersion) < 0
        ? `external-secrets chart ${version} is older than ${DEFAULTS.minimumChartVersion}, the first with the values this component sets (rbac.aggregateToAdmin, rbac.serviceAccountTokenCreate); use ${DEFAULTS.chartVersion}`
        : undefined;
}

export interface ExternalSecretsStoreArgs {
    /** Provider of the cluster the operator runs in. Required. */
    readonly provider: k8s.Provider;
    /** What must exist before the chart installs (node groups, core add-ons). Default: none. */
    readonly clusterReady?: readonly pulumi.Resource[];
    /** Labels on every object (the platform's labels). Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** Namespaces whose ExternalSecrets may use the platform's ClusterSecretStore (the engine's only). Required, at least one. */
    readonly allowedNamespaces: readonly string[];
    /** The operator's namespace. Default: "external-secrets". */
    readonly namespace?: string;
    /** external-secrets chart version, at least 2.8.0. Default: DEFAULTS.chartVersion. */
    readonly chartVersion?: string;
    /** How often ExternalSecrets re-read the store (non-zero Go duration). Default: "1h". */
    readonly refreshInterval?: string;
    /** external-secrets chart values merged over the program's (core/values.ts); none at PROTECTED_OPERATOR_VALUES. Default: none. */
    readonly values?: ChartValues;
}

/** What a store writes for a platform secret, and where its ExternalSecret reads each key. */
export interface StoredSecret {
    readonly entries: RemoteEntry[];
    /** Resources holding the values: the ExternalSecret waits for them. */
    readonly written: pulumi.Resource[];
}

/** One key of an app: where its ExternalSecret reads it, and its full name in the backend (for claims). */
export interface AppEntry {
    readonly entry: RemoteEntry;
    readonly stored: string;
}

/** Where an app's store objects go: under the app, after what the app needs first (its namespace). */
export interface AppObjectOptions {
    readonly parent: pulumi.Resource;
    readonly dependsOn: readonly pulumi.Resource[];
}

/** An app's own store: its provider block, and what must exist before the store (the reader's RBAC). */
export interface AppStore {
    readonly provider: ISecretStoreProvider;
    readonly needs: readonly pulumi.Resource[];
}

/**
 * An app key held as a value of its own at `stored` (a source Secret, a KV entry), under `field`;
 * `stored` is what the key claims in the backend.
 */
export function storedValueEntry(key: string, stored: string, field: string): AppEntry {
    return { entry: { secretKey: key, key: stored, property: field }, stored };
}

/** The service account an app's SecretStore reads as (in the app's namespace), and its Role and binding (in the source namespace). */
export function appReaderName(app: string): string {
    return `${app}-secrets-reader`;
}

/** `<app>-secret-store`: the app's SecretStore, in the app's namespace. */
export function appStoreName(app: string): string {
    return `${app}-secret-store`;
}

export abstract class ExternalSecretsStore extends pulumi.ComponentResource implements SecretsStore {
    public readonly storeName: string = DEFAULTS.storeName;
    public readonly chartVersion: string;
    public readonly ready: pulumi.Resource[] = [];
    protected readonly operatorNamespace: string;
    protected readonly labels: Record<string, string>;
    private readonly provider: k8s.Provider;
    /** The operator's release: it installs the CRDs every store and ExternalSecret needs. */
    private readonly operator: pulumi.Resource[] = [];
    private readonly refreshInterval: string;
    /** Store keys already taken, with their owner: two secrets must never share one. */
    private readonly claimed = new Map<string, string>();

    protected constructor(
        type: string,
        name: string,
        args: ExternalSecretsStoreArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(type, name, {}, opts);
        this.chartVersion = args.chartVersion ?? DEFAULTS.chartVersion;
        const versionProblem = chartVersionProblem(this.chartVersion);
        if (versionProblem) {
            throw new pulumi.ResourceError(versionProblem, this);
        }
        this.provider = args.provider;
        this.operatorNamespace = args.namespace ?? DEFAULTS.namespace;
        this.refreshInterval = args.refreshInterval ?? DEFAULTS.refreshInterval;
        this.labels = { ...args.labels };
    }

    /** Child options for Kubernetes objects of this component. */
    protected get child(): pulumi.CustomResourceOptions {
        return { parent: this, provider: this.provider };
    }

    /** The operator's namespace and release, then the store; sets `ready`. Call once from the subclass constructor. */
    protected install(
        name: string,
        args: ExternalSecretsStoreArgs,
        settings: {
            readonly values: Omit<OperatorValueSettings, "serviceAccountName">;
            readonly storeProvider: ISecretStoreProvider;
            /** What the operator needs before it starts (its IAM role). */
            readonly operatorNeeds: readonly pulumi.Resource[];
            /** What the store needs besides the operator (the reader's RBAC). */
            readonly storeNeeds: readonly pulumi.Resource[];
        },
    ): void {
        const { release } = declarePlatformChart(
            name,
            {
                namespace: this.operatorNamespace,
                labels: this.labels,
                // Other namespaces reach the `metrics` ports only, and the API server the admission webhook on the
                // webhook pod's port named `webhook` (external-secrets chart 2.9.0, templates/webhook-deployment.yaml:
                // containerPort webhook.port, 10250 in values.yaml; `metrics` on every deployment).
                ingress: { scrapedPorts: ["metrics"], openPorts: ["webhook"] },
                release: {
                    name: DEFAULTS.releaseName,
                    chart: DEFAULTS.chart,
                    version: this.chartVersion,
                    repository: DEFAULTS.chartRepository,
                    values: withUserValues(
                        "external-secrets",
                        operatorValues({ ...settings.values, serviceAccountName: DEFAULTS.serviceAccount }),
                        args.values,
                        PROTECTED_OPERATOR_VALUES,
                        this,
                    ),
                },
            },
            {
                parent: this,
                provider: this.provider,
                releaseDependsOn: [...(args.clusterReady ?? []), ...settings.operatorNeeds],
            },
        );
        const store = declareObject(
            `${name}-store`,
            clusterSecretStore(this.storeName, settings.storeProvider, args.allowedNamespaces, this.labels),
            {
                ...this.child,
                dependsOn: [release, ...settings.storeNeeds],
            },
        );
        this.operator.push(release);
        this.ready.push(release, store);
    }

    /** Writes the platform secret's values into the store. */
    protected abstract writeValues(name: string, secret: PlatformSecret, parent: pulumi.Resource): StoredSecret;

    /** Where one key of an app's secrets lives in the store. */
    protected abstract appEntry(app: string, key: string): AppEntry;

    /** The provider block of the app's own SecretStore, reaching the app's `entries` only, and what it needs first. */
    protected abstract appStore(secrets: AppSecrets, entries: readonly RemoteEntry[], opts: AppObjectOptions): AppStore;

    /** The service account an app's SecretStore authenticates as, `<app>-secrets-reader` in the app's namespace. */
    protected appReader(
        secrets: AppSecrets,
        opts: AppObjectOptions,
    ): { name: string; reader: k8s.core.v1.ServiceAccount } {
        const name = appReaderName(secrets.app);
        const reader = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { name, namespace: secrets.namespace, labels: this.labels } },
            { ...this.child, parent: opts.parent, dependsOn: [...opts.dependsOn] },
        );
        return { name, reader };
    }

    /** Records that `key` belongs to `owner`; fails on a second owner (e.g. app "platform" against platform secrets). */
    protected claim(key: string, owner: string): void {
        const previous = this.claimed.get(key);
        if (previous !== undefined && previous !== owner) {
            throw new pulumi.ResourceError(
                `secrets store key "${key}" is used by both ${previous} and ${owner}; rename one of them`,
                this,
            );
        }
        this.claimed.set(key, owner);
    }

    deliver(
        name: string,
        secret: PlatformSecret,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource {
        const stored = this.writeValues(name, secret, opts.parent);
        return this.declareExternalSecret(
            name,
            {
                name: secret.secretName,
                namespace: secret.namespace,
                targetLabels: secret.labels,
                entries: stored.entries,
            },
            { kind: "ClusterSecretStore", name: this.storeName },
            opts.parent,
            [...this.ready, ...(opts.dependsOn ?? []), ...stored.written],
        );
    }

    /** The app's own SecretStore in its namespace, and the ExternalSecret reading the app's keys through it. */
    appSecret(
        secrets: AppSecrets,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource | undefined {
        if (secrets.keys.length === 0) {
            return undefined;
        }
        if (secrets.app === DEFAULTS.platformScope) {
            throw new pulumi.ResourceError(
                `app "${secrets.app}" cannot have secrets: its store would reach the platform's own secrets (the "${DEFAULTS.platformScope}" scope); rename the app`,
                this,
            );
        }
        const entries = [...secrets.keys].sort().map((key) => {
            const { entry, stored } = this.appEntry(secrets.app, key);
            this.claim(stored, `app ${secrets.app}`);
            return entry;
        });
        const dependsOn = opts.dependsOn ?? [];
        const store = this.appStore(secrets, entries, { parent: opts.parent, dependsOn });
        const storeName = appStoreName(secrets.app);
        const storeResource = declareObject(
            storeName,
            secretStore(storeName, secrets.namespace, store.provider, this.labels),
            {
                parent: opts.parent,
                provider: this.provider,
                dependsOn: [...this.operator, ...store.needs, ...dependsOn],
            },
        );
        const name = appSecretName(secrets.app);
        const ref: StoreRef = { kind: "SecretStore", name: storeName };
        return this.declareExternalSecret(name, { name, namespace: secrets.namespace, entries }, ref, opts.parent, [
            ...this.operator,
            storeResource,
            ...dependsOn,
        ]);
    }

    private declareExternalSecret(
        resourceName: string,
        target: {
            name: string;
            namespace: pulumi.Input<string>;
            targetLabels?: Record<string, string>;
            entries: RemoteEntry[];
        },
        store: StoreRef,
        parent: pulumi.Resource,
        dependsOn: readonly pulumi.Resource[],
    ): pulumi.Resource {
        const object = externalSecret({ ...target, store, refreshInterval: this.refreshInterval, labels: this.labels });
        return declareObject(resourceName, object, { parent, provider: this.provider, dependsOn: [...dependsOn] });
    }
}

/** The Secret (and ExternalSecret) an app's keys land in: `<app>-secrets` in the app's namespace. */
export function appSecretName(app: string): string {
    return `${app}-secrets`;
}

/**
 * The hub's Argo CD objects for a fleet, built by pure functions: one cluster Secret per spoke (or an
 * ExternalSecret that makes it, for an existing cluster), the `fleet` AppProject, and ApplicationSets
 * that place add-ons and apps on spokes by cluster label. Shapes: argoproj/argo-cd v3.4.7
 * docs/operator-manual/declarative-setup.md ("Clusters", "EKS") and
 * docs/operator-manual/applicationset/Generators-Cluster.md, Generators-Matrix.md, typed with
 * @kubernetes-models/argo-cd.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { EksSpokeInput, StoredCredentialsInput, storedCredentials } from "./credentials";
import { SECRET_TYPE_LABEL } from "../gitops/argocd/objects";
import { ArgoAppProject } from "../gitops/argocd/objects";
import { clusterPath } from "../repository/layout";
import { AddonDefinition, addonLabel } from "./addons";
import { SpokeMetadata } from "./metadata";

/** The project every fleet Application belongs to: the spokes only, never the hub's own cluster. */
export const FLEET_PROJECT = "fleet";

/** Name of a spoke's cluster Secret in Argo CD's namespace. */
export function clusterSecretName(spoke: string): string {
    return `cluster-${spoke}`;
}

/**
 * The `config` of an EKS spoke's cluster Secret: argocd-k8s-auth signs a token as `roleARN` (assumed
 * from the hub's management role) for `clusterName`; `caData` is the cluster CA, base64, as EKS gives it
 * (pkg/apis/application/v1alpha1/types.go AWSAuthConfig, TLSClientConfig).
 */
export function eksClusterConfig(clusterName: string, roleArn: string, caData: string): string {
    return JSON.stringify({
        awsAuthConfig: { clusterName, roleARN: roleArn },
        tlsClientConfig: { insecure: false, caData },
    });
}

export interface EksSpokeSecretInput extends EksSpokeInput {
    readonly clusterName: pulumi.Input<string>;
    readonly roleArn: pulumi.Input<string>;
    readonly metadata: SpokeMetadata;
}

/** The cluster Secret of an EKS spoke: keyless, Argo CD authenticates through IAM. */
export function eksSpokeSecret(input: EksSpokeSecretInput) {
    return {
        metadata: {
            name: clusterSecretName(input.name),
            namespace: input.namespace,
            labels: { ...input.metadata.labels, [SECRET_TYPE_LABEL]: "cluster" },
            annotations: input.metadata.annotations,
        },
        type: "Opaque",
        stringData: {
            name: input.name,
            server: input.endpoint,
            config: pulumi
                .all([input.clusterName, input.roleArn, input.caData])
                .apply(([clusterName, roleArn, caData]) => eksClusterConfig(clusterName, roleArn, caData)),
        },
    };
}

export interface ExistingSpokeSecretInput extends StoredCredentialsInput {
    readonly server: string;
    readonly metadata: SpokeMetadata;
}

/**
 * The store key holds the cluster Secret's `config` JSON (bearer token or client certificate); the
 * cluster Secret is templated with the spoke's metadata (external-secrets.io/v1 target.template; the
 * template's `data` replaces the fetched keys).
 */
export function existingSpokeExternalSecret(input: ExistingSpokeSecretInput) {
    return storedCredentials(
        input,
        { name: clusterSecretName(input.name), key: "config" },
        {
            targetLabels: { ...input.metadata.labels, [SECRET_TYPE_LABEL]: "cluster" },
            targetAnnotations: input.metadata.annotations,
            targetData: { name: input.name, server: input.server, config: "{{ .config }}" },
        },
    );
}

/**
 * What fleet Applications may do: sources are the GitOps repository and the catalog's charts;
 * destinations are the spokes by name, so no fleet Application can land on the hub's in-cluster (Argo CD
 * matches a destination against the resolved cluster's name and server alike: app_project_types.go
 * IsDestinationPermitted).
 * Add-ons install CRDs and cluster roles, hence cluster-scoped kinds.
 */
export function fleetProject(
    namespace: string,
    gitopsUrl: pulumi.Input<string>,
    chartRepositories: readonly string[],
    spokes: readonly string[],
    labels: Record<string, string>,
): ArgoAppProject {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: { name: FLEET_PROJECT, namespace, labels },
        spec: {
            description: "Add-ons and apps the hub places on spoke clusters by label",
            sourceRepos: [gitopsUrl, ...[...new Set(chartRepositories)].sort()],
            destinations: [...spokes].sort().map((name) => ({ name, namespace: "*" })),
            clusterResourceWhitelist: [{ group: "*", kind: "*" }],
        },
    };
}

/** The sync policy of generated Applications: prune is the environment's choice (never in production). */
export interface FleetSync {
    readonly prune: boolean;
    readonly selfHeal: boolean;
}

export type ArgoApplicationSet = Omit<IApplicationSet, "spec" | "status"> & { spec: Record<string, unknown> };

function syncPolicy(sync: FleetSync, createNamespace: boolean) {
    return {
        automated: { prune: sync.prune, selfHeal: sync.selfHeal },
        syncOptions: [`CreateNamespace=${createNamespace}`, "ServerSideApply=true"],
        retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
    };
}

/** `external_secrets` → `external-secrets`: object names are DNS labels, add-on names snake_case. */
function dnsName(name: string): string {
    return name.replace(/_/g, "-");
}

export interface AddonApplicationSetInput {
    readonly addon: string;
    readonly definition: AddonDefinition;
    readonly namespace: string;
    readonly sync: FleetSync;
    readonly labels: Record<string, string>;
}

/**
 * One add-on on every spoke labelled `enable_<addon>: "true"`: the cluster generator over cluster
 * Secrets (`{{.name}}`, `{{.server}}`); the hub's in-cluster Secret carries no enable_ label, so the
 * hub is never selected.
 */
export function addonApplicationSet(input: AddonApplicationSetInput): ArgoApplicationSet {
    const name = `addon-${dnsName(input.addon)}`;
    const { chart } = input.definition;
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name, namespace: input.namespace, labels: input.labels },
        spec: {
            goTemplate: true,
            goTemplateOptions: ["missingkey=error"],
            generators: [{ clusters: { selector: { matchLabels: { [addonLabel(input.addon)]: "true" } } } }],
            template: {
                metadata: { name: `${name}-{{.name}}`, labels: input.labels },
                spec: {
                    project: FLEET_PROJECT,
                    source: {
                        repoURL: chart.repoURL,
                        chart: chart.chart,
                        targetRevision: chart.version,
                        helm: {
                            releaseName: input.definition.releaseName,
                            valuesObject: { ...input.definition.values },
                        },
                    },
                    destination: { server: "{{.server}}", namespace: input.definition.namespace },
                    syncPolicy: syncPolicy(input.sync, true),
                },
            },
        },
    };
}

export interface PlacementApplicationSetInput {
    readonly name: string;
    readonly namespace: string;
    /** Cluster labels a spoke must carry, all of them. */
    readonly selector: Readonly<Record<string, string>>;
    /** Folder under each selected spoke's clusters/<spoke>/: its overlay of the app. */
    readonly path: string;
    /** Namespace the app deploys to on each spoke. */
    readonly targetNamespace: string;
    readonly repoUrl: pulumi.Input<string>;
    readonly revision: string;
    readonly sync: FleetSync;
    readonly labels: Record<string, string>;
}

/**
 * An app on every spoke matching the selector, from that spoke's own overlay: a matrix of the
 * cluster generator and a Git directory generator that reads the cluster's `{{.name}}` (the consumer
 * comes second, as Generators-Matrix.md requires). A selected spoke without the folder gets nothing.
 */
export function placementApplicationSet(input: PlacementApplicationSetInput) {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
        spec: {
            goTemplate: true,
            goTemplateOptions: ["missingkey=error"],
            generators: [
                {
                    matrix: {
                        generators: [
                            { clusters: { selector: { matchLabels: { ...input.selector } } } },
                            {
                                git: {
                                    repoURL: input.repoUrl,
                                    revision: input.revision,
                                    directories: [{ path: `${clusterPath("{{.name}}")}/${input.path}` }],
                                },
                            },
                        ],
                    },
                },
            ],
            template: {
                metadata: { name: `${input.name}-{{.name}}`, labels: input.labels },
                spec: {
                    project: FLEET_PROJECT,
                    source: { repoURL: input.repoUrl, targetRevision: input.revision, path: "{{.path.path}}" },
                    destination: { server: "{{.server}}", namespace: input.targetNamespace },
                    syncPolicy: syncPolicy(input.sync, true),
                },
            },
        },
    };
}

/**
 * The Argo CD objects the engine declares besides the chart, built by pure functions and typed
 * with @kubernetes-models/argo-cd's types (Argo CD v3's v1alpha1 API).
 */
import * as pulumi from "@pulumi/pulumi";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IAppProjectSpec } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProjectSpec";
import { tenantWhitelist } from "../tenancy";
import { TeamRegistration } from "../types";
import { ArgoApplication, ArgoApplicationSettings, IN_CLUSTER, RESOURCES_FINALIZER, syncRetry } from "./application";

/** The upstream type, with source repositories Inputs (the GitOps repository's URL is an Output). */
export type ArgoAppProject = Omit<IAppProject, "spec" | "status"> & {
    spec: Omit<IAppProjectSpec, "sourceRepos"> & { sourceRepos: pulumi.Input<string>[] };
};

/** Argo CD creates a project of this name at start-up, open to every repository and destination. */
export const DEFAULT_PROJECT = "default";
/** The platform team's project: the root app and what clusters/<stack>/ declares. */
export const PLATFORM_PROJECT = "platform";
export const RESERVED_PROJECTS: readonly string[] = [DEFAULT_PROJECT, PLATFORM_PROJECT];

function metadata(name: string, namespace: string, labels: Record<string, string>) {
    return { name, namespace, labels };
}

/**
 * The `default` project with nothing allowed: no source, no destination, no cluster-scoped kind.
 * An Application that names no project (or "default") then cannot sync anything.
 */
export function lockedDefaultProject(namespace: string, labels: Record<string, string>): ArgoAppProject {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: metadata(DEFAULT_PROJECT, namespace, labels),
        spec: {
            description: "Locked down by the platform: every Application belongs to a team's project",
            sourceRepos: [],
            destinations: [],
            clusterResourceWhitelist: [],
            namespaceResourceWhitelist: [],
        },
    };
}

/** What the root app may deploy: the platform repository only, anywhere in this cluster. */
export function platformProject(
    namespace: string,
    gitopsUrl: pulumi.Input<string>,
    labels: Record<string, string>,
): ArgoAppProject {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: metadata(PLATFORM_PROJECT, namespace, labels),
        spec: {
            description: "The platform team's GitOps repository (protected branch, code owners)",
            sourceRepos: [gitopsUrl],
            destinations: [{ server: IN_CLUSTER, namespace: "*" }],
            clusterResourceWhitelist: [{ group: "*", kind: "*" }],
        },
    };
}

/** Policies of a team's role: see and sync its own project's apps; nothing else. */
export function teamRolePolicies(project: string): string[] {
    return ["get", "sync"].map(
        (action) => `p, proj:${project}:developers, applications, ${action}, ${project}/*, allow`,
    );
}

/** A team's project: its repositories, its namespaces in this cluster, no cluster-scoped kinds. */
export function teamProject(team: TeamRegistration, namespace: string, labels: Record<string, string>): ArgoAppProject {
    if (RESERVED_PROJECTS.includes(team.name)) {
        throw new Error(
            `team "${team.name}" would take the Argo CD project of the same name, which the platform reserves: rename the team`,
        );
    }
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: metadata(team.name, namespace, { ...labels, team: team.name }),
        spec: {
            description: `Applications of team ${team.name}`,
            sourceRepos: [...team.sourceRepos],
            destinations: team.namespaces.map((ns) => ({ server: IN_CLUSTER, namespace: ns })),
            clusterResourceWhitelist: [],
            // A whitelist: a kind the platform has not thought about (a new CRD) stays out.
            namespaceResourceWhitelist: tenantWhitelist(team.tenantKinds),
            roles: [
                {
                    name: "developers",
                    description: `Members of team ${team.name}`,
                    groups: [...team.groups],
                    policies: teamRolePolicies(team.name),
                },
            ],
        },
    };
}

/** The root lives where every Application does, with the platform's labels. */
export interface RootApplicationSettings extends Pick<ArgoApplicationSettings, "namespace" | "labels"> {
    /** The GitOps repository at its branch, and the directory synced: clusters/<stack>. */
    readonly source: { readonly repoUrl: pulumi.Input<string>; readonly branch: string; readonly path: string };
    /**
     * Delete what was removed from clusters/<stack>/. Off in production, as for apps: a file
     * deleted by mistake must not take running objects with it.
     */
    readonly prune: boolean;
    /**
     * The stack's cascade-delete choice. With it, deleting the root deletes the Applications it made
     * while Argo CD still runs, so none is left in Argo CD's namespace with a finalizer nobody
     * processes (a namespace stuck in Terminating). Without it (production), deleting the root
     * leaves its children and their workloads running.
     */
    readonly cascadeDelete: boolean;
}

/** The app of apps: everything under clusters/<stack>/ of the GitOps repository, at its branch. */
export function rootApplication(settings: RootApplicationSettings): ArgoApplication {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
            name: "root",
            namespace: settings.namespace,
            labels: settings.labels,
            ...(settings.cascadeDelete ? { finalizers: [RESOURCES_FINALIZER] } : {}),
        },
        spec: {
            project: PLATFORM_PROJECT,
            // kustomize, named: clusters/<stack>/ holds a kustomization.yaml, which Argo CD would detect too,
            // but an explicit source type wins over detection (argoproj/argo-cd v3.4.4
            // reposerver/repository/repository.go GetAppSourceType → ApplicationSource.ExplicitType), so
            // a `directory` block here applied the kustomization file itself as a manifest.
            source: {
                repoURL: settings.source.repoUrl,
                path: settings.source.path,
                targetRevision: settings.source.branch,
                kustomize: {},
            },
            destination: { server: IN_CLUSTER, namespace: settings.namespace },
            syncPolicy: {
                automated: { prune: settings.prune, selfHeal: true },
                retry: syncRetry(),
            },
        },
    };
}

/** Argo CD's label on Secrets it reads as repositories and clusters (declarative setup). */
export const SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/** Data of a repository Secret for an SSH deploy key (declarative setup, "Repositories"). */
export function repositorySecretData(
    url: pulumi.Input<string>,
    privateKey: pulumi.Input<string>,
): Record<string, pulumi.Input<string>> {
    return { type: "git", url, sshPrivateKey: privateKey };
}

export function repositorySecretName(repository: string): string {
    return `repo-${repository}`;
}

/**
 * The in-cluster cluster Secret (GitOps bridge): Argo CD's own cluster, registered explicitly so it
 * carries the platform metadata. No credentials: Argo CD reaches its own cluster with its service
 * account, so the config is only TLS verification.
 */
export function inClusterSecret(
    namespace: string,
    metadataValues: Record<string, pulumi.Input<string>>,
    labelValues: Record<string, pulumi.Input<string>>,
) {
    return {
        metadata: {
            name: "cluster-in-cluster",
            namespace,
            labels: { [SECRET_TYPE_LABEL]: "cluster", ...labelValues },
            annotations: metadataValues,
        },
        type: "Opaque",
        stringData: {
            name: "in-cluster",
            server: IN_CLUSTER,
            config: JSON.stringify({ tlsClientConfig: { insecure: false } }),
        },
    };
}

/**
 * The Argo CD `Application` of one app, built as a typed object (Argo CD's v1alpha1 API, as
 * @kubernetes-models/argo-cd types it). The Argo CD engine declares it as a CustomResource.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IApplicationSource } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSource";
import type { IApplicationSpec } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSpec";
import { syncObjectLabels } from "../../core/labels";
import { ApplicationRegistration, ApplicationSource } from "../types";

/** The upstream type, with the repository URL an Input (the GitOps repository's URL is an Output). */
export type ArgoApplicationSource = Omit<IApplicationSource, "repoURL"> & { repoURL: pulumi.Input<string> };
export type ArgoApplication = Omit<IApplication, "spec" | "status" | "operation"> & {
    spec: Omit<IApplicationSpec, "source" | "sources"> & { source: ArgoApplicationSource };
};

export interface ArgoApplicationSettings {
    /** Argo CD's namespace: Applications live there, not in the app's namespace. */
    readonly namespace: string;
    /** The team's AppProject; never "default", which the engine locks down. */
    readonly project: string;
    /** Delete the app's workloads with the Application (resources finalizer). */
    readonly cascadeDelete: boolean;
    /** Prune old resources only after the new ones are healthy. */
    readonly pruneLast: boolean;
    /** The platform's labels, on the Application with the team's. */
    readonly labels: Readonly<Record<string, string>>;
}

/** Argo CD's in-cluster destination: apps run in the cluster Argo CD runs in. */
export const IN_CLUSTER = "https://kubernetes.default.svc";

/** Deletes the app's resources before the Application goes (Argo CD "App Deletion" docs). */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

/**
 * Argo CD has no dependsOn between Applications: `argocd.argoproj.io/sync-wave` orders resources
 * within ONE sync (here: Applications only when a parent app-of-apps syncs them, and only with the
 * Application health check re-enabled). These Applications are declared by Pulumi, not by a parent,
 * so a wave would order nothing. The dependency is recorded here for people and tools instead;
 * apps that need a dependency ready must tolerate its absence (retry below) or use Flux.
 */
export const DEPENDS_ON_ANNOTATION = "gitops-platform.io/depends-on";

type SyncRetry = NonNullable<NonNullable<IApplicationSpec["syncPolicy"]>["retry"]>;

/** Failed syncs retried with exponential backoff: 5s, 10s, 20s ... capped at 3m (Argo CD's documented example). */
export const RETRY = {
    limit: 5,
    backoff: { duration: "5s", factor: 2, maxDuration: "3m" },
} as const satisfies SyncRetry;

/** RETRY as one Application's `syncPolicy.retry`: every app and the root app retry alike. */
export function syncRetry(): SyncRetry {
    return { limit: RETRY.limit, backoff: { ...RETRY.backoff } };
}

/**
 * Sync options of the whole Application. `CreateNamespace=false`: Pulumi owns the namespace (with its
 * quota, limits and RBAC), Argo CD must not create or adopt one. `PruneLast=true`: old
 * resources go only after the new ones are healthy. What no Application-level option can do is keep
 * one kind from pruning: `Prune=false`/`Delete=false` are per-resource annotations, so volumes in Git
 * carry `argocd.argoproj.io/sync-options: Prune=false,Delete=false` there, and namespaces stay out of
 * reach because they are Pulumi's and the team's AppProject does not allow cluster-scoped kinds.
 */
export function argoSyncOptions(pruneLast: boolean): string[] {
    return ["CreateNamespace=false", ...(pruneLast ? ["PruneLast=true"] : [])];
}

/** The tool Argo CD renders the source with, set explicitly so a stray file cannot change it. */
export function argoSourceTool(
    source: ApplicationSource,
): Pick<IApplicationSource, "kustomize" | "directory" | "helm"> {
    switch (source.type) {
        case "kustomize":
            return { kustomize: source.patches ? { patches: source.patches.map((p) => ({ ...p })) } : {} };
        case "directory":
            // Recursive, like Flux's generated kustomization, so both engines deploy the same files.
            return { directory: { recurse: true } };
        case "helm":
            return { helm: { valuesObject: source.helmValues ?? {} } };
    }
}

export function argoApplication(app: ApplicationRegistration, settings: ArgoApplicationSettings): ArgoApplication {
    if (settings.project === "default") {
        throw new Error(`Application ${app.name}: the "default" AppProject is locked down; use the team's project`);
    }
    const annotations =
        app.dependsOn.length > 0 ? { annotations: { [DEPENDS_ON_ANNOTATION]: app.dependsOn.join(",") } } : {};
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
            name: app.name,
            namespace: settings.namespace,
            labels: syncObjectLabels(app.team, settings.labels, app.pruneApproved),
            ...annotations,
            ...(settings.cascadeDelete ? { finalizers: [RESOURCES_FINALIZER] } : {}),
        },
        spec: {
            project: settings.project,
            source: {
                repoURL: app.source.repoUrl,
                path: app.source.path,
                targetRevision: app.source.revision,
                ...argoSourceTool(app.source),
            },
            destination: { server: IN_CLUSTER, namespace: app.namespace },
            syncPolicy: {
                ...(app.sync.automated ? { automated: { prune: app.sync.prune, selfHeal: app.sync.selfHeal } } : {}),
                syncOptions: argoSyncOptions(settings.pruneLast),
                retry: syncRetry(),
            },
        },
    };
}

/** What both engines take and share: their common Args and the repositories they clone. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RepositoryAccess, RepositoryHandle } from "../repository/types";
import { SecretDelivery } from "../secrets/types";

/** The GitOps repository and every app repository, each once, keyed by repository name. */
export function repositoriesByName(handle: RepositoryHandle): Map<string, RepositoryAccess> {
    return new Map([[handle.gitops.name, handle.gitops], ...Object.entries(handle.appRepositories)]);
}

/** Args both engines take alike. */
export interface EngineArgs {
    /** Provider of the cluster the engine runs in. Required. */
    readonly provider: k8s.Provider;
    /** What must exist before the chart installs (node groups, core add-ons). Default: none. */
    readonly clusterReady?: readonly pulumi.Resource[];
    /** Labels on every object the engine declares (the platform's labels). Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** The engine's namespace; default per engine (argocd, flux-system). */
    readonly namespace?: string;
    /** The GitOps repository (root sync source) and the app repositories. Required. */
    readonly repositories: RepositoryHandle;
    /** Delivers the Git credentials into the engine's namespace. Required. */
    readonly secrets: SecretDelivery;
    /** Directory of the GitOps repository the root sync applies (clusters/<stack>). Required. */
    readonly clusterPath: string;
    /** Platform metadata (GitOps bridge), see ./metadata.ts. Required. */
    readonly metadata: Record<string, pulumi.Input<string>>;
}

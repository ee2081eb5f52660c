/** What both engines share: the repositories they clone and how their objects are declared. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RepositoryAccess, RepositoryHandle } from "../repository/types";
import { SecretDelivery } from "../secrets/types";

/** The GitOps repository and every app repository, each once, keyed by repository name. */
export function repositoriesByName(handle: RepositoryHandle): Map<string, RepositoryAccess> {
    return new Map([[handle.gitops.name, handle.gitops], ...Object.entries(handle.appRepositories)]);
}

/** A typed object (apiVersion, kind, metadata, spec...) declared as a CustomResource. */
export function declareObject(
    name: string,
    object: { apiVersion: string; kind: string; metadata: object } & object,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(name, object as k8s.apiextensions.CustomResourceArgs, opts);
}

/** Args both engines take alike. */
export interface EngineArgs {
    /** Provider of the cluster the engine runs in. Required. */
    readonly provider: k8s.Provider;
    /** What must exist before the chart installs (node groups, core add-ons). Default: none. */
    readonly clusterReady?: readonly pulumi.Resource[];
    /** Environment name, for labels and per-environment defaults. Required. */
    readonly environment: string;
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

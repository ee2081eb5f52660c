import * as pulumi from "@pulumi/pulumi";
import { RepositoryAccess } from "../repository/types";
import type { TenantKind } from "./tenancy";

export interface SyncPolicy {
    readonly automated: boolean;
    readonly prune: boolean;
    readonly selfHeal: boolean;
}

/** A strategic merge or JSON 6902 patch (YAML text) and the objects it targets, as both engines take it. */
export interface KustomizePatch {
    readonly patch: string;
    readonly target?: {
        readonly group?: string;
        readonly version?: string;
        readonly kind?: string;
        readonly name?: string;
        readonly namespace?: string;
        readonly labelSelector?: string;
        readonly annotationSelector?: string;
    };
}

export interface ApplicationSource {
    readonly repoUrl: pulumi.Input<string>;
    readonly path: string;
    readonly revision: string;
    readonly type: "kustomize" | "directory" | "helm";
    readonly helmValues?: Record<string, unknown>;
    /** Kustomize patches the engine applies on top of a kustomize source. Default: none. */
    readonly patches?: readonly KustomizePatch[];
    /**
     * The repository when it is one of the stack's (the GitOps repository or an app repository):
     * its name names the engine's shared source objects, and a deploy key, if it has one, is
     * delivered once per repository. Undefined for a public repository given by URL.
     */
    readonly access?: RepositoryAccess;
}

/** One application as the engine registers it. */
export interface ApplicationRegistration {
    readonly name: string;
    readonly team: string;
    readonly namespace: string;
    readonly source: ApplicationSource;
    readonly sync: SyncPolicy;
    /** Config approved an automatic prune where the environment asks for approval: the sync object says so. */
    readonly pruneApproved: boolean;
    /** Names of apps that must be ready first. */
    readonly dependsOn: readonly string[];
    /** Kinds the team may ship here beyond TENANT_KINDS (progressive delivery's). Default: none. */
    readonly tenantKinds?: readonly TenantKind[];
}

export interface TeamRegistration {
    readonly name: string;
    readonly groups: readonly string[];
    /** Namespaces the team's apps deploy to. */
    readonly namespaces: readonly string[];
    /** Repositories the team's apps may come from. */
    readonly sourceRepos: readonly pulumi.Input<string>[];
    /** Kinds the team may ship beyond TENANT_KINDS (progressive delivery's). Default: none. */
    readonly tenantKinds?: readonly TenantKind[];
}

/** What the rest of the program asks of Argo CD or Flux. */
export interface GitopsEngine {
    readonly kind: "argocd" | "flux";
    readonly namespace: string;
    /** Releases that install the engine and its CRDs: every custom resource depends on them. */
    readonly ready: pulumi.Resource[];
    /** Chart and application versions, for stack outputs and promotion. */
    readonly versions: { readonly chart: string; readonly app: string };
    /** Annotations the engine needs on the namespaces apps deploy to (Flux: never prune them). */
    readonly tenantNamespaceAnnotations: Readonly<Record<string, string>>;
    registerTeam(team: TeamRegistration, opts: { parent: pulumi.Resource }): pulumi.Resource[];
    registerApplication(
        app: ApplicationRegistration,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource[];
}

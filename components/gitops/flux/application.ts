/**
 * The Flux objects of one app, built as typed objects (Flux's v1/v2 APIs, as
 * @kubernetes-models/flux-cd types them): the source it comes from and the Kustomization or
 * HelmRelease that applies it. The Flux engine declares them as CustomResources, each source once.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { IGitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository";
import type { IGitRepositoryRef } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepositoryRef";
import type { IGitRepositorySpec } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepositorySpec";
import type { IKustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization";
import type { IHelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease";
import { syncObjectLabels } from "../../core/labels";
import { normalGitUrl } from "../../repository/hosts";
import { isFullCommitSha, isQualifiedTag, isReleaseTag } from "../revisions";
import { ApplicationRegistration, ApplicationSource } from "../types";

/** Metadata as the program declares it: name, namespace and labels, always. */
export type FluxMetadata = { name: string; namespace: string; labels: Record<string, string> };
/** A Flux upstream type as the program declares it: metadata and spec required, no status. */
export type FluxDeclared<T extends { spec?: unknown }, Spec = NonNullable<T["spec"]>> = Omit<
    T,
    "metadata" | "spec" | "status"
> & { metadata: FluxMetadata; spec: Spec };
/** The Git URL an Input: the GitOps repository's is an Output. */
export type FluxGitRepository = FluxDeclared<
    IGitRepository,
    Omit<IGitRepositorySpec, "url"> & { url: pulumi.Input<string> }
>;
export type FluxKustomization = FluxDeclared<IKustomization>;
export type FluxHelmRelease = FluxDeclared<IHelmRelease>;
export type FluxObject = FluxGitRepository | FluxKustomization | FluxHelmRelease;

export interface FluxAppSettings {
    /** Flux's namespace: sources, Kustomizations and HelmReleases live there and target the app's namespace. */
    readonly namespace: string;
    /** The platform's labels, on every object. */
    readonly labels: Readonly<Record<string, string>>;
    /**
     * Service account (in `namespace`) the controllers impersonate for this app, under tenant
     * lockdown; the engine grants it rights in the app's namespace only. Undefined: the controller's own.
     */
    readonly serviceAccount?: string;
}

/** Reconcile timings, and how often Helm retries before it remediates. */
export const FLUX_DEFAULTS = {
    sourceInterval: "5m",
    interval: "10m",
    retryInterval: "2m",
    timeout: "5m",
    /** Helm install/upgrade retries before the release is remediated (uninstalled or rolled back). */
    helmRetries: 3,
} as const;

const MAX_NAME = 63;

/** Lower-case DNS label from any text; long ones keep a hash of the whole so they stay distinct. */
export function dnsName(text: string): string {
    const slug = text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    if (slug.length <= MAX_NAME) {
        return slug;
    }
    const hash = crypto.createHash("sha256").update(text).digest("hex").slice(0, 8);
    return `${slug.slice(0, MAX_NAME - 9).replace(/-+$/, "")}-${hash}`;
}

/** `https://github.com/grafana/helm-charts.git` and `git@github.com:grafana/helm-charts.git` → `grafana-helm-charts`. */
export function repositoryNameFromUrl(url: string): string {
    const path = url
        .replace(/^[a-z+]+:\/\/[^/]+\//, "")
        .replace(/^[^@/]+@[^:]+:/, "")
        .replace(/\.git$/, "")
        .replace(/\/+$/, "");
    return dnsName(path);
}

/**
 * One GitRepository per (repository, revision): a GitRepository tracks exactly one ref, so apps at
 * the same revision of a repository share it and apps at different revisions cannot. The name comes
 * from the repository's name in config, or the literal URL, never from the app: same inputs, same name.
 */
export function gitRepositoryName(source: ApplicationSource): string {
    const repository =
        source.access?.name ?? (typeof source.repoUrl === "string" ? repositoryNameFromUrl(source.repoUrl) : undefined);
    if (repository === undefined) {
        throw new Error("a source whose URL is an Output needs `access` (the repository it comes from) to be named");
    }
    return dnsName(`${repository}-${source.revision}`);
}

/** Secret (in Flux's namespace) with the repository's deploy key, as `identity` and `known_hosts`; the engine delivers it. */
export function gitCredentialsSecretName(repository: string): string {
    return dnsName(`${repository}-git-credentials`);
}

/**
 * Tags for release-looking revisions (v1.4.2, grafana-10.1.4), commits for full SHAs (the controller
 * looks commits up by full hash; config rejects abbreviated ones), a fully qualified refs/tags/... by
 * name (source-controller v1 GitRepositoryRef.name: "refs/tags/v0.1.0"), branches otherwise.
 */
export function gitRef(revision: string): IGitRepositoryRef {
    if (isFullCommitSha(revision)) {
        return { commit: revision };
    }
    if (isQualifiedTag(revision)) {
        return { name: revision };
    }
    if (isReleaseTag(revision)) {
        return { tag: revision };
    }
    return { branch: revision };
}

/** Shared by the apps of any team at this revision, so it carries no team label. */
export function fluxGitRepository(source: ApplicationSource, settings: FluxAppSettings): FluxGitRepository {
    return {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: gitRepositoryName(source), namespace: settings.namespace, labels: { ...settings.labels } },
        spec: {
            url:
                typeof source.repoUrl === "string"
                    ? normalGitUrl(source.repoUrl)
                    : pulumi.output(source.repoUrl).apply(normalGitUrl),
            ref: gitRef(source.revision),
            interval: FLUX_DEFAULTS.sourceInterval,
            // A repository read anonymously has no credentials Secret to name; secretRef is optional
            // (fluxcd/source-controller docs/spec/v1/gitrepositories.md: a public https source has none).
            ...(source.access?.privateKey === undefined
                ? {}
                : { secretRef: { name: gitCredentialsSecretName(source.access.name) } }),
        },
    };
}

function gitSourceRef(source: ApplicationSource) {
    return { kind: "GitRepository" as const, name: gitRepositoryName(source) };
}

/**
 * An app's Kustomization or HelmRelease, with what both share: it lives in Flux's namespace under
 * the app's name, applies to the app's namespace, acts as the tenant, and runs only when automated.
 */
function appObject<T extends { apiVersion: string; kind: string }, S extends object>(
    type: T,
    app: ApplicationRegistration,
    settings: FluxAppSettings,
    spec: S,
) {
    return {
        ...type,
        metadata: {
            name: app.name,
            namespace: settings.namespace,
            labels: syncObjectLabels(app.team, settings.labels, app.pruneApproved),
        },
        spec: {
            interval: FLUX_DEFAULTS.interval,
            timeout: FLUX_DEFAULTS.timeout,
            targetNamespace: app.namespace,
            // A manual sync policy: Flux has no "sync on request" mode; a suspended object reconciles
            // only when someone runs `flux resume`/`flux reconcile --force`.
            ...(app.sync.automated ? {} : { suspend: true }),
            ...(settings.serviceAccount ? { serviceAccountName: settings.serviceAccount } : {}),
            ...(app.dependsOn.length > 0 ? { dependsOn: app.dependsOn.map((name) => ({ name })) } : {}),
            ...spec,
        },
    };
}

/**
 * Kustomization for kustomize and plain-manifest sources (Flux generates a kustomization.yaml for a
 * directory of manifests). Flux always reverts drift on each interval: `selfHeal: false` has no
 * equivalent. `prune: false` also orphans the objects when the Kustomization is deleted (deletionPolicy
 * MirrorPrune, the default).
 */
export function fluxKustomization(app: ApplicationRegistration, settings: FluxAppSettings): FluxKustomization {
    const type = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;
    return appObject(type, app, settings, {
        sourceRef: gitSourceRef(app.source),
        path: `./${app.source.path}`,
        prune: app.sync.prune,
        retryInterval: FLUX_DEFAULTS.retryInterval,
        // Ready means "every applied object is healthy", which the dependsOn of later apps relies on.
        wait: true,
    });
}

/**
 * HelmRelease for a chart in a Git repository: `reconcileStrategy: Revision` builds a new chart
 * artifact on every new commit of the source (a Git chart's version field alone would miss changes).
 * Drift is corrected with self-heal and only reported without it. The release and its history live
 * in the app's namespace, named after the app.
 */
export function fluxHelmRelease(app: ApplicationRegistration, settings: FluxAppSettings): FluxHelmRelease {
    const type = { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" } as const;
    return appObject(type, app, settings, {
        releaseName: app.name,
        storageNamespace: app.namespace,
        chart: {
            spec: {
                chart: `./${app.source.path}`,
                sourceRef: gitSourceRef(app.source),
                reconcileStrategy: "Revision",
            },
        },
        install: { remediation: { retries: FLUX_DEFAULTS.helmRetries } },
        upgrade: { remediation: { retries: FLUX_DEFAULTS.helmRetries } },
        driftDetection: { mode: app.sync.selfHeal ? "enabled" : "warn" },
        values: app.source.helmValues ?? {},
    });
}

export function fluxAppObjects(
    app: ApplicationRegistration,
    settings: FluxAppSettings,
): { sources: FluxGitRepository[]; objects: (FluxKustomization | FluxHelmRelease)[] } {
    return {
        sources: [fluxGitRepository(app.source, settings)],
        objects: [app.source.type === "helm" ? fluxHelmRelease(app, settings) : fluxKustomization(app, settings)],
    };
}

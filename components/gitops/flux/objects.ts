/**
 * The Flux Operator's objects the engine declares: the FluxInstance (flux-operator's
 * fluxcd.controlplane.io/v1 API; @kubernetes-models/flux-cd does not cover it, so it is typed here
 * from the operator's api/v1/fluxinstance_types.go at v0.58.1) and the Helm values of its chart.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProtectedValue } from "../../core/values";

/** The operator's default set (FluxInstance docs, "Components configuration"). */
export const DEFAULT_COMPONENTS = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
] as const;
export const IMAGE_AUTOMATION_COMPONENTS = ["image-reflector-controller", "image-automation-controller"] as const;
/** Every component a FluxInstance may list, in the program's order. */
export const FLUX_COMPONENTS = [...DEFAULT_COMPONENTS, ...IMAGE_AUTOMATION_COMPONENTS] as const;
export type FluxComponent = (typeof FLUX_COMPONENTS)[number];

export interface FluxInstanceSpec {
    distribution: { version: string; registry: string };
    components: FluxComponent[];
    cluster: {
        type: "kubernetes" | "aws";
        networkPolicy: boolean;
        multitenant: boolean;
        tenantDefaultServiceAccount?: string;
    };
    kustomize: { patches: { target: { kind: string; name?: string }; patch: string }[] };
    sync: {
        kind: "GitRepository";
        url: pulumi.Input<string>;
        ref: string;
        path: string;
        pullSecret?: string;
        interval: string;
    };
}

export interface FluxInstance {
    apiVersion: "fluxcd.controlplane.io/v1";
    kind: "FluxInstance";
    metadata: { name: "flux"; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    spec: FluxInstanceSpec;
}

/** The operator accepts one FluxInstance per cluster, named `flux`, in its own namespace. */
export const INSTANCE_NAME = "flux";
export const METADATA_CONFIGMAP = "platform-metadata";
/**
 * Under lockdown, Kustomizations and HelmReleases that name no service account act as this one in
 * their namespace: `default`, which has no rights, so a forgotten serviceAccountName fails closed.
 */
export const TENANT_DEFAULT_SERVICE_ACCOUNT = "default";
/** Flux's label and annotation that keep an object when it leaves the source (Flux docs, "Prune"). */
export const PRUNE_DISABLED = { "kustomize.toolkit.fluxcd.io/prune": "disabled" } as const;

export interface FluxInstanceSettings {
    readonly namespace: string;
    /** Exact Flux distribution version (a range would upgrade Flux unreviewed). */
    readonly distributionVersion: string;
    readonly components: readonly FluxComponent[];
    /** Lockdown: see fluxInstance below. */
    readonly multitenancy: boolean;
    readonly eks: boolean;
    /** Sync source: the GitOps repository's URL (ssh://, or https:// read anonymously), branch, clusters/<stack>, and its credentials Secret (none when anonymous). */
    readonly sync: {
        readonly url: pulumi.Input<string>;
        readonly branch: string;
        readonly path: string;
        readonly pullSecret?: string;
    };
    readonly labels: Record<string, string>;
}

/** The components the config selects, or the defaults, plus the image controllers for image automation; each once, in a stable order. */
export function fluxComponents(
    selected: readonly FluxComponent[] | undefined,
    imageAutomation: boolean,
): FluxComponent[] {
    const wanted = new Set<FluxComponent>([
        ...(selected ?? DEFAULT_COMPONENTS),
        ...(imageAutomation ? IMAGE_AUTOMATION_COMPONENTS : []),
    ]);
    return FLUX_COMPONENTS.filter((component) => wanted.has(component));
}

/**
 * Post-build substitution for the cluster sync: `${environment}`, `${aws_region}` ... in the manifests
 * under clusters/<stack>/ are replaced from the platform-metadata ConfigMap. The operator generates the
 * sync Kustomization (named after the namespace) and applies `kustomize.patches` to it too (flux-operator
 * docs, "Cluster sync SOPS decryption" patches it the same way).
 */
export function metadataSubstitutionPatch(namespace: string) {
    return {
        target: { kind: "Kustomization", name: namespace },
        patch: JSON.stringify([
            {
                op: "add",
                path: "/spec/postBuild",
                value: { substituteFrom: [{ kind: "ConfigMap", name: METADATA_CONFIGMAP }] },
            },
        ]),
    };
}

/**
 * The FluxInstance. `cluster.multitenant` is the operator's supported lockdown switch: it adds
 * `--no-cross-namespace-refs=true` to the controllers, `--no-remote-bases=true` to the
 * kustomize-controller and `--default-service-account` to kustomize- and helm-controller
 * (internal/builder/profiles.go, GetProfileMultitenant), so no hand-written patch is needed.
 * `pulumi.com/waitFor: condition=Ready` makes Pulumi wait until Flux is installed, so the Flux CRDs
 * exist before any GitRepository or Kustomization that depends on this instance.
 */
export function fluxInstance(settings: FluxInstanceSettings): FluxInstance {
    return {
        apiVersion: "fluxcd.controlplane.io/v1",
        kind: "FluxInstance",
        metadata: {
            name: INSTANCE_NAME,
            namespace: settings.namespace,
            labels: settings.labels,
            annotations: { "pulumi.com/waitFor": "condition=Ready" },
        },
        spec: {
            distribution: { version: settings.distributionVersion.replace(/^v/, ""), registry: "ghcr.io/fluxcd" },
            components: [...settings.components],
            cluster: {
                type: settings.eks ? "aws" : "kubernetes",
                networkPolicy: true,
                multitenant: settings.multitenancy,
                ...(settings.multitenancy ? { tenantDefaultServiceAccount: TENANT_DEFAULT_SERVICE_ACCOUNT } : {}),
            },
            kustomize: { patches: [metadataSubstitutionPatch(settings.namespace)] },
            sync: {
                kind: "GitRepository",
                url: settings.sync.url,
                ref: `refs/heads/${settings.sync.branch}`,
                path: settings.sync.path,
                ...(settings.sync.pullSecret === undefined ? {} : { pullSecret: settings.sync.pullSecret }),
                interval: "1m",
            },
        },
    };
}

/** Values of the flux-operator chart (controlplaneio-fluxcd/charts charts/flux-operator/values.yaml). */
/** flux-operator chart values a user's engine.values may not set. */
export const PROTECTED_OPERATOR_VALUES: readonly ProtectedValue[] = [
    { path: ["installCRDs"], reason: "the platform declares a FluxInstance, whose CRD the chart installs" },
    { path: ["multitenancy", "enabled"], reason: "tenant lockdown follows engine.multitenancy: set that" },
];

export function fluxOperatorValues(settings: { readonly multitenancy: boolean }): Record<string, unknown> {
    return {
        installCRDs: true,
        // The operator's own lockdown for ResourceSets, on together with the instance's.
        multitenancy: { enabled: settings.multitenancy },
        // The Flux Status web UI is on by default (values.yaml web.enabled: true, port 9080, with a NetworkPolicy
        // opening it: controlplaneio-fluxcd/charts charts/flux-operator, read at 0.49.0) and, without a web.config
        // setting up authentication, serves the cluster's Flux state to whatever reaches it. Off; a user who wants
        // it sets engine.values web (enabled and its authentication config).
        web: { enabled: false },
    };
}

/** Data of the sync's pull secret for an SSH deploy key (FluxInstance docs, "Sync from Git over SSH"). */
export function gitCredentialsData(
    privateKey: pulumi.Input<string>,
    knownHosts: string,
): Record<string, pulumi.Input<string>> {
    return { identity: privateKey, known_hosts: knownHosts };
}

/** Name of a team's tenant service account in Flux's namespace, under lockdown. */
export function tenantServiceAccount(team: string): string {
    return `tenant-${team}`;
}

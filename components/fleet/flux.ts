/**
 * A Flux hub's objects for a fleet, built by pure functions. Flux has no cluster generator, so placement
 * is decided here, at plan time: one Kustomization per (placement, matching spoke), applying
 * clusters/<spoke>/<path> of the hub's sync GitRepository to the spoke through `spec.kubeConfig`.
 * (Not flux-operator ResourceSets: objects rendered in the cluster would escape the offline plan and
 * the policy pack, which check each Kustomization's prune and target here.)
 * Shapes: fluxcd/kustomize-controller v1.9.4 docs/spec/v1/kustomizations.md ("KubeConfig (Remote
 * clusters)"), typed with @kubernetes-models/flux-cd.
 */
import * as pulumi from "@pulumi/pulumi";
import type { IHelmRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository";
import { FluxHelmRelease, FluxKustomization } from "../gitops/flux/application";
import { EksSpokeInput, StoredCredentialsInput, storedCredentials } from "./credentials";
import { clusterPath } from "../repository/layout";
import { AddonDefinition } from "./addons";

/**
 * The controllers' service accounts (fluxcd/flux2 manifests/bases/<controller>/account.yaml): with
 * `configMapRef` and no `serviceAccountName` in it, a controller's own identity signs in to EKS.
 */
export const KUSTOMIZE_CONTROLLER_SERVICE_ACCOUNT = "kustomize-controller";
export const HELM_CONTROLLER_SERVICE_ACCOUNT = "helm-controller";

/**
 * Under lockdown a Kustomization without `serviceAccountName` impersonates the default one, also on a
 * remote cluster (fluxcd/pkg runtime/client impersonator.go setImpersonationConfig), so fleet
 * Kustomizations name this one: `system:serviceaccount:<flux namespace>:fleet` on the spoke. It must
 * exist on the hub too: on deletion the controller prunes only if it can (CanImpersonate reads it there).
 */
export const FLEET_SERVICE_ACCOUNT = "fleet";

/** Name of a spoke's kubeconfig Secret or ConfigMap in Flux's namespace. */
export function kubeconfigName(spoke: string): string {
    return `fleet-${spoke}-kubeconfig`;
}

/** Name of a placement's Kustomization for one spoke. */
export function placementKustomizationName(placement: string, spoke: string): string {
    return `fleet-${placement}-${spoke}`;
}

/** All of the selector's labels, with the same values: Argo CD's matchLabels, evaluated here. */
export function selects(
    selector: Readonly<Record<string, string>>,
    labels: Readonly<Record<string, unknown>>,
): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** `arn:<partition>:eks:<region>:<account-id>:cluster/<cluster-name>`, the `cluster` format the spec requires for aws. */
export function eksClusterArn(region: string, accountId: string, clusterName: string): string {
    return `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`;
}

export interface EksKubeconfigInput extends EksSpokeInput {
    readonly clusterArn: pulumi.Input<string>;
    readonly labels: Record<string, string>;
}

/**
 * Secret-less access to an EKS spoke: `provider: aws` and the cluster ARN (which carries the region).
 * With `address` and the PEM `ca.crt` given, the controller never calls eks:DescribeCluster
 * (fluxcd/pkg auth/aws/provider.go NewRESTConfig), so the hub's role needs no permission policy.
 */
export function eksSpokeKubeconfig(input: EksKubeconfigInput) {
    return {
        metadata: { name: kubeconfigName(input.name), namespace: input.namespace, labels: input.labels },
        data: {
            provider: "aws",
            cluster: input.clusterArn,
            address: input.endpoint,
            "ca.crt": pulumi.output(input.caData).apply((ca) => Buffer.from(ca, "base64").toString("utf8")),
        },
    };
}

/** The store key holds a self-contained kubeconfig (no exec plugin: the spec's note on secretRef). */
export type ExistingKubeconfigInput = StoredCredentialsInput;

/** An existing spoke's kubeconfig, from the store into the Secret's `value` key. */
export function existingSpokeKubeconfig(input: ExistingKubeconfigInput) {
    return storedCredentials(input, { name: kubeconfigName(input.name), key: "value" });
}

/** A Kustomization or HelmRelease on the hub, in Flux's namespace, that applies to one spoke. */
export interface SpokeTarget {
    readonly spoke: string;
    readonly namespace: string;
    /** EKS spokes: a ConfigMap for workload identity; existing ones: the kubeconfig Secret. */
    readonly access: "configMap" | "secret";
    /** Set under lockdown: FLEET_SERVICE_ACCOUNT. */
    readonly serviceAccountName?: string;
    readonly labels: Record<string, string>;
}

/** `kubeConfig` (and under lockdown `serviceAccountName`) of an object applied to `target.spoke`. */
function remoteTarget(target: SpokeTarget) {
    const ref = { name: kubeconfigName(target.spoke) };
    return {
        kubeConfig: target.access === "configMap" ? { configMapRef: ref } : { secretRef: { ...ref, key: "value" } },
        ...(target.serviceAccountName === undefined ? {} : { serviceAccountName: target.serviceAccountName }),
    };
}

export interface PlacementKustomizationInput extends SpokeTarget {
    readonly placement: string;
    /** The hub's sync GitRepository, which the operator names after Flux's namespace. */
    readonly sourceName: string;
    /** Folder under clusters/<spoke>/. */
    readonly path: string;
    readonly targetNamespace: string;
    readonly prune: boolean;
}

/** One app on one spoke: same-namespace source and kubeconfig, so lockdown's no-cross-namespace-refs holds. */
export function placementKustomization(input: PlacementKustomizationInput): FluxKustomization {
    return {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: {
            name: placementKustomizationName(input.placement, input.spoke),
            namespace: input.namespace,
            labels: input.labels,
        },
        spec: {
            interval: "10m",
            retryInterval: "1m",
            sourceRef: { kind: "GitRepository", name: input.sourceName },
            path: `./${clusterPath(input.spoke)}/${input.path}`,
            targetNamespace: input.targetNamespace,
            prune: input.prune,
            wait: true,
            ...remoteTarget(input),
        },
    };
}

/** `external_secrets` → `external-secrets`: object names are DNS labels, add-on names snake_case. */
function dnsName(name: string): string {
    return name.replace(/_/g, "-");
}

/** Name of an add-on's HelmRepository, and the prefix of its HelmReleases. */
export function addonObjectName(addon: string): string {
    return `fleet-addon-${dnsName(addon)}`;
}

/** The add-on's chart repository, once for all spokes (source.toolkit.fluxcd.io/v1, an https Helm repository). */
export function addonHelmRepository(
    addon: string,
    definition: AddonDefinition,
    namespace: string,
    labels: Record<string, string>,
): IHelmRepository & { metadata: { name: string } } {
    return {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "HelmRepository",
        metadata: { name: addonObjectName(addon), namespace, labels },
        spec: { url: definition.chart.repoURL, interval: "1h" },
    };
}

export interface AddonHelmReleaseInput extends SpokeTarget {
    readonly addon: string;
    readonly definition: AddonDefinition;
}

/**
 * An add-on on one spoke that enables it, at the version the platform runs. On a remote cluster Helm
 * keeps its storage there, in the HelmRelease's namespace unless `storageNamespace` says otherwise, and
 * only the target namespace can be created on install (helm-controller v1.6.3 docs/spec/v2/helmreleases.md
 * "KubeConfig (Remote clusters)"), so both are the add-on's namespace.
 */
export function addonHelmRelease(input: AddonHelmReleaseInput): FluxHelmRelease {
    return {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: {
            name: `${addonObjectName(input.addon)}-${input.spoke}`,
            namespace: input.namespace,
            labels: input.labels,
        },
        spec: {
            interval: "10m",
            releaseName: input.definition.releaseName,
            targetNamespace: input.definition.namespace,
            storageNamespace: input.definition.namespace,
            chart: {
                spec: {
                    chart: input.definition.chart.chart,
                    version: input.definition.chart.version,
                    sourceRef: { kind: "HelmRepository", name: addonObjectName(input.addon) },
                },
            },
            values: { ...input.definition.values },
            install: { createNamespace: true, crds: "CreateReplace" },
            upgrade: { crds: "CreateReplace" },
            ...remoteTarget(input),
        },
    };
}

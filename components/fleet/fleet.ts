/**
 * A hub's fleet: registers spoke clusters with the hub's Argo CD (a cluster Secret each, carrying the
 * spoke's metadata), the IAM that lets Argo CD reach EKS spokes without keys, and the ApplicationSets
 * that place catalog add-ons and apps on spokes by cluster label. A Flux hub instead gets a kubeconfig
 * per spoke and a Kustomization per (placement, matching spoke): see ./flux.ts. Every spoke's objects
 * are named after the spoke, so adding or removing one leaves the others' untouched.
 */
import * as aws from "../core/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareObject } from "../core/objects";
import { ADDON_CATALOG, ADDON_NAMES } from "./addons";
import {
    ARGOCD_CLUSTER_SERVICE_ACCOUNTS,
    managementPolicy,
    managementTrustPolicy,
    SPOKE_ACCESS_POLICY_ARN,
    spokeTrustPolicy,
} from "./iam";
import {
    eksClusterArn,
    eksSpokeKubeconfig,
    existingSpokeKubeconfig,
    addonHelmRelease,
    addonHelmRepository,
    FLEET_SERVICE_ACCOUNT,
    HELM_CONTROLLER_SERVICE_ACCOUNT,
    KUSTOMIZE_CONTROLLER_SERVICE_ACCOUNT,
    placementKustomization,
    placementKustomizationName,
    selects,
} from "./flux";
import { spokeMetadata } from "./metadata";
import {
    addonApplicationSet,
    eksSpokeSecret,
    existingSpokeExternalSecret,
    fleetProject,
    FleetSync,
    placementApplicationSet,
} from "./objects";

interface SpokeCommon {
    readonly environment: string;
    /** Catalog add-ons the spoke enables. Default: none. */
    readonly addons?: readonly string[];
    /** Labels placements select on. Default: none. */
    readonly labels?: Readonly<Record<string, string>>;
}

/** An EKS cluster in the hub's account, reached through IAM. */
export interface EksSpoke extends SpokeCommon {
    readonly kind: "eks";
    readonly region: string;
    readonly clusterName: pulumi.Input<string>;
    readonly endpoint: pulumi.Input<string>;
    /** Cluster CA, base64 as EKS gives it. */
    readonly caData: pulumi.Input<string>;
}

/** Any cluster whose Argo CD cluster `config` JSON is in the platform's secrets store. */
export interface ExistingSpoke extends SpokeCommon {
    readonly kind: "existing";
    readonly cloud: string;
    readonly server: string;
    readonly storeKey: string;
}

export type SpokeArgs = EksSpoke | ExistingSpoke;

export interface PlacementArgs {
    readonly selector: Readonly<Record<string, string>>;
    /** Folder under clusters/<spoke>/ with the app's overlay for that spoke. */
    readonly path: string;
    readonly namespace: string;
    /** Default: FleetArgs.sync.prune. */
    readonly prune?: boolean;
}

/** A Flux hub; under lockdown, fleet Kustomizations act as FLEET_SERVICE_ACCOUNT on the spokes. */
export interface FluxHub {
    readonly kind: "flux";
    readonly multitenancy: boolean;
}

export interface FleetArgs {
    /** The hub cluster's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The hub's engine. Default: Argo CD. */
    readonly engine?: FluxHub;
    /** The engine's namespace on the hub. */
    readonly engineNamespace: string;
    /** The engine's releases; every object here is a CRD instance or a Secret Argo CD reads. */
    readonly engineReady: pulumi.Resource[];
    /** The hub's EKS cluster and account; required with an EKS spoke (Pod Identity associations live there). */
    readonly hub?: {
        /** The cluster's output name: the Pod Identity associations wait for the cluster through it. */
        readonly clusterName: pulumi.Input<string>;
        /** The cluster's configured name, which the management role's trust names: the role need not wait. */
        readonly configuredName: string;
        readonly accountId: pulumi.Input<string>;
    };
    readonly spokes: Readonly<Record<string, SpokeArgs>>;
    /** Apps placed by label, by stable name. Default: none. */
    readonly placements?: Readonly<Record<string, PlacementArgs>>;
    readonly gitops: { readonly url: pulumi.Input<string>; readonly revision: string };
    /** The platform's ClusterSecretStore; required with an existing spoke. */
    readonly storeName?: string;
    /** The store's operator release (it installs External Secrets' CRDs) and the store: an existing spoke's ExternalSecret waits for them. */
    readonly storeReady?: readonly pulumi.Resource[];
    readonly sync: FleetSync;
    readonly labels: Record<string, string>;
    readonly tags?: Record<string, string>;
}

export class Fleet extends pulumi.ComponentResource {
    /** The management role Argo CD's service accounts get on the hub; undefined without EKS spokes. */
    public readonly managementRoleArn?: pulumi.Output<string>;
    public readonly spokeNames: string[];

    constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:fleet:Fleet", name, {}, opts);
        const k8sChild = { parent: this, provider: args.provider, dependsOn: args.engineReady };
        const spokes = Object.entries(args.spokes);
        this.spokeNames = spokes.map(([spoke]) => spoke);
        const eksSpokes = spokes.filter((entry): entry is [string, EksSpoke] => entry[1].kind === "eks");
        if (eksSpokes.length > 0 && args.hub === undefined) {
            throw new pulumi.ResourceError("EKS spokes need an EKS hub: the engine reaches them through IAM", this);
        }
        if (args.engine?.kind === "flux") {
            this.managementRoleArn = this.fluxHub(name, args, args.engine);
            this.registerOutputs({ spokes: this.spokeNames, managementRoleArn: this.managementRoleArn });
            return;
        }

        let management: aws.iam.Role | undefined;
        if (eksSpokes.length > 0) {
            management = this.hubRole(`${name}-management`, args, ARGOCD_CLUSTER_SERVICE_ACCOUNTS);
            this.managementRoleArn = management.arn;
        }

        const spokeRoleArns: pulumi.Output<string>[] = [];
        for (const [spoke, settings] of spokes) {
            if (settings.kind === "eks") {
                const role = new aws.iam.Role(
                    `${name}-${spoke}-role`,
                    { assumeRolePolicy: management!.arn.apply(spokeTrustPolicy), tags: args.tags },
                    { parent: this },
                );
                spokeRoleArns.push(role.arn);
                const association = this.spokeAccess(`${name}-${spoke}`, settings, role.arn, args.tags);
                const metadata = metadataOf(spoke, settings, args);
                new k8s.core.v1.Secret(
                    `${name}-${spoke}-cluster`,
                    eksSpokeSecret({
                        name: spoke,
                        namespace: args.engineNamespace,
                        endpoint: settings.endpoint,
                        clusterName: settings.clusterName,
                        roleArn: role.arn,
                        caData: settings.caData,
                        metadata,
                    }),
                    { ...k8sChild, dependsOn: [...args.engineReady, association] },
                );
            } else {
                if (args.storeName === undefined) {
                    throw new pulumi.ResourceError(
                        `spoke "${spoke}" is an existing cluster: its credentials come from the secrets store, and there is none`,
                        this,
                    );
                }
                declareObject(
                    `${name}-${spoke}-cluster`,
                    existingSpokeExternalSecret({
                        name: spoke,
                        namespace: args.engineNamespace,
                        server: settings.server,
                        storeKey: settings.storeKey,
                        storeName: args.storeName,
                        metadata: metadataOf(spoke, settings, args),
                    }),
                    { ...k8sChild, dependsOn: [...args.engineReady, ...(args.storeReady ?? [])] },
                );
            }
        }
        if (management !== undefined) {
            new aws.iam.RolePolicy(
                `${name}-management-policy`,
                { role: management.name, policy: pulumi.all(spokeRoleArns).apply(managementPolicy) },
                { parent: this },
            );
        }

        const project = declareObject(
            `${name}-project`,
            fleetProject(
                args.engineNamespace,
                args.gitops.url,
                ADDON_NAMES.map((addon) => ADDON_CATALOG[addon].chart.repoURL),
                this.spokeNames,
                args.labels,
            ),
            k8sChild,
        );
        const afterProject = { ...k8sChild, dependsOn: [...args.engineReady, project] };
        for (const addon of ADDON_NAMES) {
            declareObject(
                `${name}-addon-${addon.replace(/_/g, "-")}`,
                addonApplicationSet({
                    addon,
                    definition: ADDON_CATALOG[addon],
                    namespace: args.engineNamespace,
                    sync: args.sync,
                    labels: args.labels,
                }),
                afterProject,
            );
        }
        for (const [placement, settings] of Object.entries(args.placements ?? {})) {
            declareObject(
                `${name}-placement-${placement}`,
                placementApplicationSet({
                    name: placement,
                    namespace: args.engineNamespace,
                    selector: settings.selector,
                    path: settings.path,
                    targetNamespace: settings.namespace,
                    repoUrl: args.gitops.url,
                    revision: args.gitops.revision,
                    sync: { ...args.sync, prune: settings.prune ?? args.sync.prune },
                    labels: args.labels,
                }),
                afterProject,
            );
        }
        this.registerOutputs({ spokes: this.spokeNames, managementRoleArn: this.managementRoleArn });
    }

    /**
     * The Flux hub: kustomize-controller's own identity (Pod Identity, one role without any permission
     * policy) signs in to each EKS spoke, which has an access entry for that role alone; existing spokes' kubeconfigs come from the
     * store. Placement is evaluated here against each spoke's metadata labels.
     */
    private fluxHub(name: string, args: FleetArgs, engine: FluxHub): pulumi.Output<string> | undefined {
        const k8sChild = { parent: this, provider: args.provider, dependsOn: args.engineReady };
        const spokes = Object.entries(args.spokes);
        const serviceAccountName = engine.multitenancy ? FLEET_SERVICE_ACCOUNT : undefined;
        const hubAccess: pulumi.Resource[] = [];
        if (serviceAccountName !== undefined) {
            hubAccess.push(
                new k8s.core.v1.ServiceAccount(
                    `${name}-service-account`,
                    { metadata: { name: serviceAccountName, namespace: args.engineNamespace, labels: args.labels } },
                    k8sChild,
                ),
            );
        }
        const eksSpokes = spokes.filter((entry): entry is [string, EksSpoke] => entry[1].kind === "eks");
        let role: aws.iam.Role | undefined;
        if (eksSpokes.length > 0) {
            role = this.hubRole(`${name}-flux`, args, FLUX_CONTROLLERS);
        }

        const access = new Map<string, { kind: "configMap" | "secret"; ready: pulumi.Resource[] }>();
        for (const [spoke, settings] of spokes) {
            if (settings.kind === "eks") {
                const association = this.spokeAccess(`${name}-${spoke}`, settings, role!.arn, args.tags);
                const clusterArn = pulumi
                    .all([args.hub!.accountId, settings.clusterName])
                    .apply(([account, cluster]) => eksClusterArn(settings.region, account, cluster));
                const kubeconfig = new k8s.core.v1.ConfigMap(
                    `${name}-${spoke}-kubeconfig`,
                    eksSpokeKubeconfig({
                        name: spoke,
                        namespace: args.engineNamespace,
                        clusterArn,
                        endpoint: settings.endpoint,
                        caData: settings.caData,
                        labels: args.labels,
                    }),
                    k8sChild,
                );
                access.set(spoke, { kind: "configMap", ready: [kubeconfig, association] });
            } else {
                if (args.storeName === undefined) {
                    throw new pulumi.ResourceError(
                        `spoke "${spoke}" is an existing cluster: its kubeconfig comes from the secrets store, and there is none`,
                        this,
                    );
                }
                const kubeconfig = declareObject(
                    `${name}-${spoke}-kubeconfig`,
                    existingSpokeKubeconfig({
                        name: spoke,
                        namespace: args.engineNamespace,
                        storeKey: settings.storeKey,
                        storeName: args.storeName,
                    }),
                    { ...k8sChild, dependsOn: [...args.engineReady, ...(args.storeReady ?? [])] },
                );
                access.set(spoke, { kind: "secret", ready: [kubeconfig] });
            }
        }
        const declared = new Set<string>();
        for (const [placement, settings] of Object.entries(args.placements ?? {})) {
            for (const [spoke] of spokes) {
                // The contract's labels (name, environment, region, cloud, enable_, the user's) are plain strings.
                if (!selects(settings.selector, metadataOf(spoke, args.spokes[spoke], args).labels)) {
                    continue;
                }
                const object = placementKustomizationName(placement, spoke);
                if (declared.has(object)) {
                    throw new pulumi.ResourceError(
                        `placement "${placement}" on spoke "${spoke}" and another pair both make Kustomization ${object}: rename one`,
                        this,
                    );
                }
                declared.add(object);
                declareObject(
                    `${name}-placement-${placement}-${spoke}`,
                    placementKustomization({
                        placement,
                        spoke,
                        namespace: args.engineNamespace,
                        sourceName: args.engineNamespace,
                        path: settings.path,
                        targetNamespace: settings.namespace,
                        prune: settings.prune ?? args.sync.prune,
                        access: access.get(spoke)!.kind,
                        serviceAccountName,
                        labels: args.labels,
                    }),
                    { ...k8sChild, dependsOn: [...args.engineReady, ...hubAccess, ...access.get(spoke)!.ready] },
                );
            }
        }

        for (const addon of ADDON_NAMES) {
            const enabled = spokes.filter(([, settings]) => (settings.addons ?? []).includes(addon));
            if (enabled.length === 0) {
                continue;
            }
            const definition = ADDON_CATALOG[addon];
            const repository = declareObject(
                `${name}-addon-${addon.replace(/_/g, "-")}`,
                addonHelmRepository(addon, definition, args.engineNamespace, args.labels),
                k8sChild,
            );
            for (const [spoke] of enabled) {
                declareObject(
                    `${name}-addon-${addon.replace(/_/g, "-")}-${spoke}`,
                    addonHelmRelease({
                        addon,
                        definition,
                        spoke,
                        namespace: args.engineNamespace,
                        access: access.get(spoke)!.kind,
                        serviceAccountName,
                        labels: args.labels,
                    }),
                    {
                        ...k8sChild,
                        dependsOn: [...args.engineReady, ...hubAccess, repository, ...access.get(spoke)!.ready],
                    },
                );
            }
        }
        return role?.arn;
    }

    /**
     * The hub's role for reaching EKS spokes, given by Pod Identity to the engine's `serviceAccounts`
     * (`<prefix>-<service account>`), on the hub's cluster only.
     */
    private hubRole(prefix: string, args: FleetArgs, serviceAccounts: readonly string[]): aws.iam.Role {
        const hub = args.hub!;
        const role = new aws.iam.Role(
            prefix,
            {
                assumeRolePolicy: pulumi
                    .output(hub.accountId)
                    .apply((accountId) =>
                        managementTrustPolicy(
                            { clusterName: hub.configuredName, accountId },
                            args.engineNamespace,
                            serviceAccounts,
                        ),
                    ),
                tags: args.tags,
            },
            { parent: this },
        );
        for (const serviceAccount of serviceAccounts) {
            new aws.eks.PodIdentityAssociation(
                `${prefix}-${serviceAccount}`,
                {
                    clusterName: hub.clusterName,
                    namespace: args.engineNamespace,
                    serviceAccount,
                    roleArn: role.arn,
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        return role;
    }

    /** An access entry on the spoke for the hub's principal alone, with the access policy at cluster scope. */
    private spokeAccess(
        prefix: string,
        spoke: EksSpoke,
        principalArn: pulumi.Output<string>,
        tags: Record<string, string> | undefined,
    ): aws.eks.AccessPolicyAssociation {
        const entry = new aws.eks.AccessEntry(
            `${prefix}-access`,
            { clusterName: spoke.clusterName, principalArn, type: "STANDARD", region: spoke.region, tags },
            { parent: this },
        );
        return new aws.eks.AccessPolicyAssociation(
            `${prefix}-access-policy`,
            {
                clusterName: spoke.clusterName,
                principalArn,
                policyArn: SPOKE_ACCESS_POLICY_ARN,
                accessScope: { type: "cluster" },
                region: spoke.region,
            },
            { parent: this, dependsOn: [entry] },
        );
    }
}

/** The Flux controllers that sign in to EKS spokes: Kustomizations (placements) and HelmReleases (add-ons). */
const FLUX_CONTROLLERS = [KUSTOMIZE_CONTROLLER_SERVICE_ACCOUNT, HELM_CONTROLLER_SERVICE_ACCOUNT];

/** A spoke's metadata from its settings: `aws` and the EKS details for an EKS spoke. */
function metadataOf(spoke: string, settings: SpokeArgs, args: FleetArgs) {
    return spokeMetadata({
        name: spoke,
        environment: settings.environment,
        addons: settings.addons ?? [],
        labels: settings.labels ?? {},
        gitops: args.gitops,
        ...(settings.kind === "eks"
            ? {
                  cloud: "aws",
                  aws: { region: settings.region, accountId: args.hub!.accountId, clusterName: settings.clusterName },
              }
            : { cloud: settings.cloud }),
    });
}

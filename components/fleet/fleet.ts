/**
 * A hub's fleet: registers spoke clusters with the hub's Argo CD (a cluster Secret each, carrying the
 * spoke's metadata), the IAM that lets Argo CD reach EKS spokes without keys, and the ApplicationSets
 * that place catalog add-ons and apps on spokes by cluster label. Every spoke's objects are named
 * after the spoke, so adding or removing one leaves the others' untouched.
 */
import * as aws from "@pulumi/aws";
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

export interface FleetArgs {
    /** The hub cluster's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** Argo CD's namespace on the hub. */
    readonly engineNamespace: string;
    /** The engine's releases; every object here is a CRD instance or a Secret Argo CD reads. */
    readonly engineReady: pulumi.Resource[];
    /** The hub's EKS cluster and account; required with an EKS spoke (Pod Identity associations live there). */
    readonly hub?: { readonly clusterName: pulumi.Input<string>; readonly accountId: pulumi.Input<string> };
    readonly spokes: Readonly<Record<string, SpokeArgs>>;
    /** Apps placed by label, by stable name. Default: none. */
    readonly placements?: Readonly<Record<string, PlacementArgs>>;
    readonly gitops: { readonly url: pulumi.Input<string>; readonly revision: string };
    /** The platform's ClusterSecretStore; required with an existing spoke. */
    readonly storeName?: string;
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

        let management: aws.iam.Role | undefined;
        if (eksSpokes.length > 0) {
            if (args.hub === undefined) {
                throw new pulumi.ResourceError("EKS spokes need an EKS hub: Argo CD reaches them through IAM", this);
            }
            const hubCluster = args.hub.clusterName;
            management = new aws.iam.Role(
                `${name}-management`,
                { assumeRolePolicy: managementTrustPolicy(args.engineNamespace), tags: args.tags },
                { parent: this },
            );
            for (const serviceAccount of ARGOCD_CLUSTER_SERVICE_ACCOUNTS) {
                new aws.eks.PodIdentityAssociation(
                    `${name}-management-${serviceAccount}`,
                    {
                        clusterName: hubCluster,
                        namespace: args.engineNamespace,
                        serviceAccount,
                        roleArn: management.arn,
                        tags: args.tags,
                    },
                    { parent: this },
                );
            }
            this.managementRoleArn = management.arn;
        }

        const spokeRoleArns: pulumi.Output<string>[] = [];
        for (const [spoke, settings] of spokes) {
            const common = {
                name: spoke,
                environment: settings.environment,
                addons: settings.addons ?? [],
                labels: settings.labels ?? {},
                gitops: args.gitops,
            };
            if (settings.kind === "eks") {
                const role = new aws.iam.Role(
                    `${name}-${spoke}-role`,
                    { assumeRolePolicy: management!.arn.apply(spokeTrustPolicy), tags: args.tags },
                    { parent: this },
                );
                spokeRoleArns.push(role.arn);
                const entry = new aws.eks.AccessEntry(
                    `${name}-${spoke}-access`,
                    {
                        clusterName: settings.clusterName,
                        principalArn: role.arn,
                        type: "STANDARD",
                        region: settings.region,
                        tags: args.tags,
                    },
                    { parent: this },
                );
                const association = new aws.eks.AccessPolicyAssociation(
                    `${name}-${spoke}-access-policy`,
                    {
                        clusterName: settings.clusterName,
                        principalArn: role.arn,
                        policyArn: SPOKE_ACCESS_POLICY_ARN,
                        accessScope: { type: "cluster" },
                        region: settings.region,
                    },
                    { parent: this, dependsOn: [entry] },
                );
                const metadata = spokeMetadata({
                    ...common,
                    cloud: "aws",
                    aws: { region: settings.region, accountId: args.hub!.accountId, clusterName: settings.clusterName },
                });
                new k8s.core.v1.Secret(
                    `${name}-${spoke}-cluster`,
                    eksSpokeSecret({
                        name: spoke,
                        namespace: args.engineNamespace,
                        server: settings.endpoint,
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
                        metadata: spokeMetadata({ ...common, cloud: settings.cloud }),
                    }),
                    k8sChild,
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
}

/**
 * Argo CD as the stack's GitOps engine: the argo-cd chart as a Helm release (a real release, so the
 * chart's hooks run), the locked `default` project, repository credentials, the in-cluster cluster
 * Secret with the platform metadata, the platform project and the root app of apps; then one
 * AppProject per team and one Application per app.
 */
import { ImageUpdate } from "../images";
import { IMAGE_UPDATER, imageUpdaterObjects, imageUpdaterValues } from "./imageUpdater";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_INGRESS_POLICY, platformIngressSpec } from "../../core/isolation";
import { metadataLabels } from "../metadata";
import { declareObject } from "../../core/objects";
import { EngineArgs, EngineSkeleton, repositoriesByName } from "../engine";
import { ApplicationRegistration, GitopsEngine, TeamRegistration } from "../types";
import { argoApplication } from "./application";
import {
    inClusterSecret,
    lockedDefaultProject,
    platformProject,
    repositorySecretData,
    repositorySecretName,
    rootApplication,
    SECRET_TYPE_LABEL,
    teamProject,
} from "./objects";
import { argoCdValues, ArgoSso, OIDC_SECRET, PROTECTED_VALUES } from "./values";
import { APP_VERSIONS, DEFAULT_CHART_VERSION } from "./versions";

export const DEFAULTS = {
    namespace: "argocd",
    chartRepository: "https://argoproj.github.io/argo-helm",
    chart: "argo-cd",
    chartVersion: DEFAULT_CHART_VERSION,
    adminGroups: [] as readonly string[],
    /** Helm's own default (helm.v3.Release `timeout`). */
    timeoutSeconds: 300,
    haTimeoutSeconds: 1200,
} as const;

export { APP_VERSIONS };

export interface ArgoCdArgs extends EngineArgs {
    /** argo-cd chart version; default DEFAULTS.chartVersion. Must be a key of APP_VERSIONS. */
    readonly chartVersion?: string;
    /** argocd-image-updater chart version, with image updates. Default: IMAGE_UPDATER.chartVersion. */
    readonly imageUpdaterChartVersion?: string;
    /** Replicas, Redis HA and disruption budgets. Default: false. */
    readonly highAvailability?: boolean;
    /** Host name users reach Argo CD at; default the chart's placeholder. Required with sso (the OIDC redirect URL). */
    readonly domain?: string;
    /** OIDC single sign-on; default none (local admin user, for a laptop cluster). */
    readonly sso?: ArgoSso;
    /** OIDC client secret; required with sso. Treated as a secret. */
    readonly ssoClientSecret?: pulumi.Input<string>;
    /** SSO groups with role:admin. Default: none. */
    readonly adminGroups?: readonly string[];
    /** Applications (and the root app) cascade-delete what they deployed. Required. */
    readonly cascadeDelete: boolean;
    /** The root app deletes what was removed from the synced path. Required. */
    readonly rootPrune: boolean;
    /** Applications prune old resources only after the new ones are healthy. Required. */
    readonly pruneLast: boolean;
    /** The Argo Rollouts UI extension in the Argo CD server (values.ts ROLLOUTS_EXTENSION). Default: off. */
    readonly rolloutsExtension?: boolean;
    /** The chart's `notifications` values (argoNotificationsValues in components/notifications). Default: none. */
    readonly notifications?: Readonly<Record<string, unknown>>;
}

export class ArgoCd extends pulumi.ComponentResource implements GitopsEngine {
    public readonly kind = "argocd" as const;
    public readonly namespace: string;
    public readonly ready: pulumi.Resource[];
    public readonly versions: { readonly chart: string; readonly app: string };
    /** Argo CD never prunes what it did not apply, and Pulumi applies the namespaces. */
    public readonly tenantNamespaceAnnotations = {};
    public readonly release: k8s.helm.v3.Release;
    private readonly engine: EngineSkeleton;
    private readonly name: string;
    private readonly cascadeDelete: boolean;
    private readonly pruneLast: boolean;
    private readonly imageUpdaterChartVersion: string;

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:gitops:ArgoCd", name, {}, opts);
        const chartVersion = args.chartVersion ?? DEFAULTS.chartVersion;
        const appVersion = APP_VERSIONS[chartVersion];
        if (appVersion === undefined) {
            throw new pulumi.ResourceError(
                `argo-cd chart ${chartVersion} is not in APP_VERSIONS (components/gitops/argocd/versions.ts): add it with its Chart.yaml appVersion, or use one of ${Object.keys(APP_VERSIONS).join(", ")}`,
                this,
            );
        }
        if (args.sso !== undefined && (args.ssoClientSecret === undefined || args.domain === undefined)) {
            throw new pulumi.ResourceError(
                "Argo CD SSO needs the OIDC client secret (ssoClientSecret) and the domain its redirect URL is on",
                this,
            );
        }
        this.name = name;
        this.cascadeDelete = args.cascadeDelete;
        this.pruneLast = args.pruneLast;
        const labels = { ...args.labels };
        const highAvailability = args.highAvailability ?? false;
        this.engine = new EngineSkeleton(this, name, args, {
            namespace: { default: DEFAULTS.namespace },
            versions: { chart: chartVersion, app: appVersion },
            chart: {
                title: "argo-cd",
                releaseName: "argocd",
                chart: DEFAULTS.chart,
                repository: DEFAULTS.chartRepository,
                values: argoCdValues({
                    highAvailability,
                    domain: args.domain,
                    sso: args.sso,
                    adminGroups: args.adminGroups ?? DEFAULTS.adminGroups,
                    knownHosts: [...repositoriesByName(args.repositories).values()]
                        .map((repo) => repo.knownHosts)
                        .filter((lines) => lines !== ""),
                    rolloutsExtension: args.rolloutsExtension ?? false,
                    notifications: args.notifications,
                }),
                protected: PROTECTED_VALUES,
                // Redis HA's StatefulSet and the replicated Deployments take longer than Helm's 300 s default.
                timeoutSeconds: highAvailability ? DEFAULTS.haTimeoutSeconds : DEFAULTS.timeoutSeconds,
            },
            credentials: {
                prefix: "repo",
                secret: (repo) => ({
                    secretName: repositorySecretName(repo.name),
                    labels: { [SECRET_TYPE_LABEL]: "repository" },
                    data: repositorySecretData(repo.url, repo.privateKey),
                }),
            },
        });
        this.namespace = this.engine.namespace;
        this.imageUpdaterChartVersion = args.imageUpdaterChartVersion ?? IMAGE_UPDATER.chartVersion;
        this.versions = this.engine.versions;
        this.release = this.engine.release;
        this.ready = [this.release];
        const child = this.engine.child;
        const namespace = this.engine.namespaceResource;
        const afterRelease = { ...child, dependsOn: [this.release] };

        if (args.sso !== undefined && args.ssoClientSecret !== undefined) {
            args.secrets.deliver(
                `${name}-oidc`,
                {
                    namespace: this.namespace,
                    secretName: OIDC_SECRET.name,
                    labels: { ...OIDC_SECRET.labels },
                    data: { [OIDC_SECRET.key]: pulumi.secret(args.ssoClientSecret) },
                },
                { parent: this, dependsOn: [namespace] },
            );
        }

        // Argo CD's pods reach each other (Redis HA too, which the chart's own per-component policies
        // leave out); other namespaces only the `metrics` ports (container ports so named in argo-helm
        // charts/argo-cd 10.1.1, e.g. templates/argocd-server/deployment.yaml). The server takes traffic
        // from anywhere through the chart's argocd-server policy (global.networkPolicy.create, values.ts).
        new k8s.networking.v1.NetworkPolicy(
            `${name}-network-policy`,
            {
                metadata: { name: PLATFORM_INGRESS_POLICY, namespace: namespace.metadata.name, labels },
                spec: platformIngressSpec({ scrapedPorts: ["metrics"] }),
            },
            child,
        );

        const clusterLabels = metadataLabels(args.metadata);
        new k8s.core.v1.Secret(
            `${name}-cluster-in-cluster`,
            inClusterSecret(this.namespace, args.metadata, clusterLabels),
            { ...child, dependsOn: [namespace] },
        );

        // Argo CD creates `default` itself when it starts and the chart has no switch against it, so
        // Pulumi cannot create it (creating an existing object fails since pulumi-kubernetes 4.29,
        // changelog #2926). A Patch applies our spec with server-side apply as its own field manager,
        // forcing ownership of the fields Argo CD set (`pulumi.com/patchForce`); Argo CD only creates
        // the project when it is missing, so it never takes them back. On destroy the patch gives the
        // fields up; the project itself is Argo CD's and goes with the namespace.
        const locked = lockedDefaultProject(this.namespace, labels);
        new k8s.apiextensions.CustomResourcePatch(
            `${name}-default-project`,
            {
                apiVersion: locked.apiVersion,
                kind: locked.kind,
                metadata: { ...locked.metadata, annotations: { "pulumi.com/patchForce": "true" } },
                spec: locked.spec,
            },
            afterRelease,
        );

        const gitops = args.repositories.gitops;
        const project = declareObject(
            `${name}-platform-project`,
            platformProject(this.namespace, gitops.url, labels),
            afterRelease,
        );
        declareObject(
            `${name}-root-application`,
            rootApplication({
                namespace: this.namespace,
                source: { repoUrl: gitops.url, branch: gitops.branch, path: args.clusterPath },
                labels,
                prune: args.rootPrune,
                cascadeDelete: this.cascadeDelete,
            }),
            { ...child, dependsOn: this.engine.rootDependsOn([project]) },
        );

        this.registerOutputs({ namespace: this.namespace, versions: this.versions });
    }

    registerTeam(team: TeamRegistration, opts: { parent: pulumi.Resource }): pulumi.Resource[] {
        const project = teamProject(team, this.namespace, { ...this.engine.labels });
        return [
            declareObject(`${team.name}-appproject`, project, {
                parent: opts.parent,
                provider: this.engine.child.provider,
                dependsOn: this.ready,
            }),
        ];
    }

    registerApplication(
        app: ApplicationRegistration,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource[] {
        const application = argoApplication(app, {
            namespace: this.namespace,
            project: app.team,
            cascadeDelete: this.cascadeDelete,
            pruneLast: this.pruneLast,
            labels: this.engine.labels,
        });
        return [
            declareObject(`${app.name}-application`, application, {
                parent: opts.parent,
                provider: this.engine.child.provider,
                dependsOn: [
                    ...this.ready,
                    ...this.engine.credentialsOf(app.source.access?.name),
                    ...(opts.dependsOn ?? []),
                ],
            }),
        ];
    }

    /**
     * The stack's image updates: Argo CD Image Updater's release (pinned chart, in Argo CD's
     * namespace) and one ImageUpdater per target branch, after Argo CD and the GitOps repository's
     * credentials, which it writes back with.
     */
    registerImageUpdates(updates: readonly ImageUpdate[], gitopsRepository: string): pulumi.Resource[] {
        if (!this.engine.hasImageUpdates(updates, "Argo CD Image Updater")) {
            return [];
        }
        const child = this.engine.child;
        const release = new k8s.helm.v3.Release(
            `${this.name}-image-updater`,
            {
                name: IMAGE_UPDATER.releaseName,
                namespace: this.namespace,
                chart: IMAGE_UPDATER.chart,
                version: this.imageUpdaterChartVersion,
                repositoryOpts: { repo: IMAGE_UPDATER.chartRepository },
                values: imageUpdaterValues(),
            },
            { ...child, dependsOn: this.ready },
        );
        const objects = imageUpdaterObjects(updates, {
            namespace: this.namespace,
            labels: this.engine.labels,
            push: this.engine.imagePush,
        });
        return [
            release,
            ...objects.map((object) =>
                declareObject(`${this.name}-${object.metadata.name}`, object, {
                    ...child,
                    dependsOn: [release, ...this.engine.credentialsOf(gitopsRepository)],
                }),
            ),
        ];
    }
}

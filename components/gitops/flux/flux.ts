/**
 * Flux as the stack's GitOps engine: the Flux Operator chart as a Helm release, then a FluxInstance
 * that installs a pinned Flux distribution and syncs clusters/<stack>/ of the GitOps repository with
 * the deploy key; the platform metadata as a ConfigMap the sync substitutes from. Apps get one shared
 * GitRepository per (repository, revision) and a Kustomization or HelmRelease each.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareObject } from "../../core/objects";
import { fluxTenantRules, HELM_STORAGE_SUFFIX, TenantKind } from "../tenancy";
import { EngineArgs, EngineSkeleton } from "../engine";
import { ApplicationRegistration, GitopsEngine, TeamRegistration } from "../types";
import { normalGitUrl } from "../../repository/hosts";
import { fluxAppObjects, gitCredentialsSecretName } from "./application";
import { imageAutomationObjects, ImageUpdate } from "./images";
import {
    FluxComponent,
    fluxComponents,
    fluxInstance,
    fluxOperatorValues,
    gitCredentialsData,
    METADATA_CONFIGMAP,
    PROTECTED_OPERATOR_VALUES,
    PRUNE_DISABLED,
    tenantServiceAccount,
} from "./objects";

export const DEFAULTS = {
    namespace: "flux-system",
    chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
    /** flux-operator v0.58.1 (August 2026); the chart is released with the same version as the operator. */
    operatorChartVersion: "0.58.1",
    /** Newest Flux release (fluxcd/flux2 v2.9.4, August 2026). */
    distributionVersion: "2.9.4",
    multitenancy: false,
} as const;

export interface FluxArgs extends EngineArgs {
    /** EKS clusters get the operator's `aws` cluster type (workload identity for Flux). Default: false. */
    readonly eks?: boolean;
    /** flux-operator chart version; default DEFAULTS.operatorChartVersion. */
    readonly operatorChartVersion?: string;
    /** Flux distribution version, exact; default DEFAULTS.distributionVersion. */
    readonly distributionVersion?: string;
    /** Flux components; default the operator's four defaults. */
    readonly components?: readonly FluxComponent[];
    /** Tenant lockdown; default false. */
    readonly multitenancy?: boolean;
}

export class Flux extends pulumi.ComponentResource implements GitopsEngine {
    public readonly kind = "flux" as const;
    public readonly namespace: string;
    /** The operator release and the FluxInstance: the Flux CRDs exist once the instance is Ready. */
    public readonly ready: pulumi.Resource[];
    public readonly versions: { readonly chart: string; readonly app: string };
    /** A tenant's namespace outlives any Kustomization that may come to list it. */
    public readonly tenantNamespaceAnnotations = { ...PRUNE_DISABLED };
    public readonly release: k8s.helm.v3.Release;
    public readonly instance: k8s.apiextensions.CustomResource;
    private readonly engine: EngineSkeleton;
    private readonly name: string;
    private readonly multitenancy: boolean;
    /** GitRepositories by object name: apps at the same repository and revision share one. */
    private readonly sources = new Map<string, pulumi.Resource>();
    /** Tenant ClusterRoles by the kinds they add (tenantRole): apps with the same kinds share one. */
    private readonly tenantRoles = new Map<string, k8s.rbac.v1.ClusterRole>();

    constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:gitops:Flux", name, {}, opts);
        this.name = name;
        this.multitenancy = args.multitenancy ?? DEFAULTS.multitenancy;
        const labels = { ...args.labels };
        this.engine = new EngineSkeleton(this, name, args, {
            // Protected from pruning: were clusters/<stack>/ ever to list this namespace, removing it there
            // must not delete Flux itself.
            namespace: { default: DEFAULTS.namespace, labels: PRUNE_DISABLED, annotations: PRUNE_DISABLED },
            versions: {
                chart: args.operatorChartVersion ?? DEFAULTS.operatorChartVersion,
                app: args.distributionVersion ?? DEFAULTS.distributionVersion,
            },
            chart: {
                title: "flux-operator",
                releaseName: "flux-operator",
                chart: DEFAULTS.chart,
                values: fluxOperatorValues({ multitenancy: this.multitenancy }),
                protected: PROTECTED_OPERATOR_VALUES,
            },
            credentials: {
                prefix: "git",
                secret: (repo) => ({
                    secretName: gitCredentialsSecretName(repo.name),
                    data: gitCredentialsData(repo.privateKey, repo.knownHosts),
                }),
            },
        });
        this.namespace = this.engine.namespace;
        this.versions = this.engine.versions;
        this.release = this.engine.release;
        const child = this.engine.child;

        const metadata = new k8s.core.v1.ConfigMap(
            `${name}-platform-metadata`,
            {
                metadata: { name: METADATA_CONFIGMAP, namespace: this.engine.namespaceResource.metadata.name, labels },
                data: args.metadata,
            },
            child,
        );

        const gitops = args.repositories.gitops;
        this.instance = declareObject(
            `${name}-instance`,
            fluxInstance({
                namespace: this.namespace,
                distributionVersion: this.versions.app,
                components: fluxComponents(args.components, this.engine.imageAutomation),
                multitenancy: this.multitenancy,
                eks: args.eks ?? false,
                sync: {
                    url: gitops.url.apply(normalGitUrl),
                    branch: gitops.branch,
                    path: args.clusterPath,
                    pullSecret: gitops.privateKey === undefined ? undefined : gitCredentialsSecretName(gitops.name),
                },
                labels,
            }),
            { ...child, dependsOn: this.engine.rootDependsOn([metadata]) },
        );
        this.ready = [this.release, this.instance];

        this.registerOutputs({ namespace: this.namespace, versions: this.versions });
    }

    /** Under lockdown, the team's service account its apps' Kustomizations act as; nothing otherwise. */
    registerTeam(team: TeamRegistration, opts: { parent: pulumi.Resource }): pulumi.Resource[] {
        if (!this.multitenancy) {
            return [];
        }
        return [
            new k8s.core.v1.ServiceAccount(
                `${team.name}-flux-tenant`,
                {
                    metadata: {
                        name: tenantServiceAccount(team.name),
                        namespace: this.namespace,
                        labels: { ...this.engine.labels, team: team.name },
                    },
                },
                { parent: opts.parent, provider: this.engine.child.provider, dependsOn: this.ready },
            ),
        ];
    }

    registerApplication(
        app: ApplicationRegistration,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource[] {
        const serviceAccount = this.multitenancy ? tenantServiceAccount(app.team) : undefined;
        const { sources, objects } = fluxAppObjects(app, {
            namespace: this.namespace,
            labels: this.engine.labels,
            serviceAccount,
        });
        const declared: pulumi.Resource[] = [];
        const appSources = sources.map((source) => {
            const existing = this.sources.get(source.metadata.name);
            if (existing) {
                return existing;
            }
            // Parented to the engine, not the first app that uses it: removing that app must not move it.
            const created = declareObject(`${this.name}-source-${source.metadata.name}`, source, {
                parent: this,
                provider: this.engine.child.provider,
                dependsOn: [...this.ready, ...this.engine.credentialsOf(app.source.access?.name)],
            });
            this.sources.set(source.metadata.name, created);
            declared.push(created);
            return created;
        });
        // The tenant may act in the app's namespace only, on the kinds teams may ship (tenancy.ts), not
        // as admin; role and binding outlive the Kustomization, whose finalizer prunes as the tenant.
        const tenant =
            serviceAccount === undefined ? { declared: [], access: [] } : this.tenantAccess(app, serviceAccount, opts);
        const applied = objects.map((object) =>
            declareObject(`${app.name}-${object.kind.toLowerCase()}`, object, {
                parent: opts.parent,
                provider: this.engine.child.provider,
                dependsOn: [...this.ready, ...appSources, ...tenant.access, ...(opts.dependsOn ?? [])],
            }),
        );
        return [...declared, ...tenant.declared, ...applied];
    }

    /**
     * The stack's image updates: each app's ImageRepository and ImagePolicy, and one
     * ImageUpdateAutomation per target branch, all parented to the engine, that clones and pushes
     * through the sync GitRepository the operator names after Flux's namespace
     * (controlplaneio-fluxcd/distribution docs/operator/flux-sync.md) with the GitOps deploy key.
     */
    registerImageUpdates(updates: readonly ImageUpdate[]): pulumi.Resource[] {
        if (!this.engine.hasImageUpdates(updates, "Flux's image controllers")) {
            return [];
        }
        const settings = {
            namespace: this.namespace,
            labels: this.engine.labels,
            sourceName: this.namespace,
            push: this.engine.imagePush,
        };
        const { perApp, automations } = imageAutomationObjects(updates, settings);
        const child = { parent: this, provider: this.engine.child.provider, dependsOn: this.ready };
        return [
            ...perApp.flatMap(({ app, objects }) =>
                objects.map((object) => declareObject(`${app}-${object.kind.toLowerCase()}`, object, child)),
            ),
            ...automations.map((object) => declareObject(`${this.name}-${object.metadata.name}`, object, child)),
        ];
    }

    private tenantAccess(
        app: ApplicationRegistration,
        serviceAccount: string,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): { declared: pulumi.Resource[]; access: pulumi.Resource[] } {
        const { role, created } = this.tenantRole(app.tenantKinds, app.source.type === "helm");
        const binding = new k8s.rbac.v1.RoleBinding(
            `${app.name}-flux-tenant`,
            {
                metadata: {
                    name: `flux-${serviceAccount}`,
                    namespace: app.namespace,
                    labels: { ...this.engine.labels },
                },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace: this.namespace }],
            },
            { parent: opts.parent, provider: this.engine.child.provider, dependsOn: opts.dependsOn },
        );
        return { declared: [...(created ? [role] : []), binding], access: [role, binding] };
    }

    /**
     * The tenant ClusterRole of a set of extra kinds, declared by the first app that needs it and
     * parented to the engine, as the shared sources are. A RoleBinding that refers to a ClusterRole
     * grants its rules in the binding's namespace only (Kubernetes docs, "Using RBAC Authorization"),
     * so apps with the same kinds share one object instead of a Role each.
     */
    private tenantRole(
        kinds: readonly TenantKind[] = [],
        helmStorage = false,
    ): { role: k8s.rbac.v1.ClusterRole; created: boolean } {
        const suffix =
            [...new Set(kinds.map((k) => `-${k.group}-${k.resource}`.replace(/[^a-z0-9-]/g, "-")))].sort().join("") +
            (helmStorage ? HELM_STORAGE_SUFFIX : "");
        const existing = this.tenantRoles.get(suffix);
        if (existing) {
            return { role: existing, created: false };
        }
        const role = new k8s.rbac.v1.ClusterRole(
            `${this.name}-tenant-role${suffix}`,
            {
                metadata: { name: `flux-tenant${suffix}`, labels: { ...this.engine.labels } },
                rules: fluxTenantRules(kinds, helmStorage),
            },
            { parent: this, provider: this.engine.child.provider },
        );
        this.tenantRoles.set(suffix, role);
        return { role, created: true };
    }
}

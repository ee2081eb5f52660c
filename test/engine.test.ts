/** The ArgoCd and Flux components planned under the mocks, with fake repositories and secret delivery. */
import { platformLabels } from "../components/core/labels";
import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ArgoCd, ArgoCdArgs } from "../components/gitops/argocd";
import { Flux, FluxArgs } from "../components/gitops/flux";
import { GitopsEngine } from "../components/gitops/types";
import { fluxTenantRules } from "../components/gitops/tenancy";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { app, fakeDelivery, fakeRepositories, registerAll, team, testMetadata } from "./engine-fixtures";
import { byName, importEsm, ofType, planProgram } from "./harness";

const SSO = { issuer: "https://acme.okta.com/oauth2/default", clientId: "argocd-staging", groupsClaim: "groups" };
const PODINFO = "https://github.com/stefanprodan/podinfo.git";

type EngineArgs = Omit<
    ArgoCdArgs & FluxArgs,
    "provider" | "repositories" | "secrets" | "clusterPath" | "metadata" | "clusterReady"
>;

/** Plans one engine with a team "payments" and its apps podinfo (public URL) and payments-api (managed repository). */
function planEngine(
    kind: "argocd" | "flux",
    args: Partial<EngineArgs> = {},
    extraApps: ReturnType<typeof app>[] = [],
): Promise<PlanResult> {
    return planProgram(() => {
        const provider = new k8s.Provider("test-cluster", { kubeconfig: "{}" });
        const clusterReady = new pulumi.ComponentResource("test:cluster:Ready", "node-groups", {});
        const repositories = fakeRepositories();
        const payments = repositories.appRepositories["payments-api"];
        const common = {
            provider,
            clusterReady: [clusterReady],
            labels: platformLabels("staging"),
            repositories,
            secrets: fakeDelivery(provider),
            cascadeDelete: true,
            rootPrune: true,
            pruneLast: false,
            clusterPath: "clusters/test",
            metadata: testMetadata("staging"),
            ...args,
        };
        const engine: GitopsEngine =
            kind === "argocd"
                ? new ArgoCd("argocd", {
                      sso: SSO,
                      ssoClientSecret: pulumi.secret("s3cret"),
                      domain: "argocd.test.example.com",
                      adminGroups: ["platform-admins"],
                      ...common,
                  })
                : new Flux("flux", common);
        registerAll(
            engine,
            [team("payments", ["podinfo", "payments-api"], [PODINFO, payments.url])],
            [
                app("podinfo"),
                app("payments-api", {
                    source: {
                        repoUrl: payments.url,
                        access: payments,
                        path: "deploy/overlays/staging",
                        revision: "main",
                        type: "kustomize",
                    },
                }),
                ...extraApps,
            ],
        );
        return { versions: engine.versions, namespace: engine.namespace, ready: engine.ready.length };
    });
}

const names = (resources: PlannedResource[]) => resources.map((r) => `${r.type}::${r.name}`).sort();
const urnOf = (resources: PlannedResource[], type: string, name: string) => byName(resources, type, name).urn;
const CUSTOM_RESOURCE =
    /^kubernetes:(argoproj\.io|fluxcd\.controlplane\.io|source\.toolkit\.fluxcd\.io|kustomize\.toolkit\.fluxcd\.io|helm\.toolkit\.fluxcd\.io)\//;

describe("ArgoCd component", () => {
    let plan: PlanResult;
    before(async () => {
        plan = await planEngine("argocd");
    });

    it("declares exactly the engine, its team project and its apps' Applications", () => {
        assert.deepEqual(
            names(
                plan.resources.filter(
                    (r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes",
                ),
            ),
            [
                "kubernetes:argoproj.io/v1alpha1:AppProject::argocd-platform-project",
                "kubernetes:argoproj.io/v1alpha1:AppProject::payments-appproject",
                "kubernetes:argoproj.io/v1alpha1:AppProjectPatch::argocd-default-project",
                "kubernetes:argoproj.io/v1alpha1:Application::argocd-root-application",
                "kubernetes:argoproj.io/v1alpha1:Application::payments-api-application",
                "kubernetes:argoproj.io/v1alpha1:Application::podinfo-application",
                "kubernetes:core/v1:Namespace::argocd-namespace",
                "kubernetes:core/v1:Secret::argocd-cluster-in-cluster",
                "kubernetes:core/v1:Secret::argocd-oidc",
                "kubernetes:core/v1:Secret::argocd-repo-payments-api",
                "kubernetes:core/v1:Secret::argocd-repo-platform-gitops",
                "kubernetes:helm.sh/v3:Release::argocd-release",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy::argocd-network-policy",
            ],
        );
    });

    it("installs the pinned argo-cd chart from argo-helm into its namespace, after the cluster is ready", () => {
        const release = byName(plan.resources, "kubernetes:helm.sh/v3:Release", "argocd-release");
        assert.equal(release.inputs.chart, "argo-cd");
        assert.equal(release.inputs.version, "10.1.1");
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://argoproj.github.io/argo-helm" });
        assert.equal(release.inputs.name, "argocd");
        assert.equal(release.inputs.namespace, "argocd");
        assert.deepEqual(release.options.dependsOn, [urnOf(plan.resources, "test:cluster:Ready", "node-groups")]);
        assert.equal(release.custom, true);
    });

    it("keeps the OIDC client secret out of the values, in a Secret Argo CD reads by label (issue 25)", () => {
        const release = byName(plan.resources, "kubernetes:helm.sh/v3:Release", "argocd-release");
        const values = release.inputs.values as { configs: { cm: Record<string, string> } };
        assert.notEqual(release.inputs.values, "[secret]");
        assert.match(values.configs.cm["oidc.config"], /^clientSecret: \$argocd-oidc:clientSecret$/m);
        assert.equal(JSON.stringify(values).includes("[secret]"), false);
        const secret = byName(plan.resources, "kubernetes:core/v1:Secret", "argocd-oidc");
        const metadata = secret.inputs.metadata as { name: string; labels: Record<string, string> };
        assert.equal(metadata.name, "argocd-oidc");
        assert.equal(metadata.labels["app.kubernetes.io/part-of"], "argocd");
        assert.equal(secret.inputs.stringData, "[secret]");
    });

    it("outputs the chart and Argo CD versions and the namespace", () => {
        assert.deepEqual(plan.outputs, { versions: { chart: "10.1.1", app: "v3.4.4" }, namespace: "argocd", ready: 1 });
    });

    it("makes every custom resource depend on the release that installs its CRDs", () => {
        const release = urnOf(plan.resources, "kubernetes:helm.sh/v3:Release", "argocd-release");
        const custom = plan.resources.filter((r) => CUSTOM_RESOURCE.test(r.type));
        assert.equal(custom.length, 6);
        for (const resource of custom) {
            assert.ok(resource.options.dependsOn.includes(release), `${resource.name} depends on the release`);
        }
    });

    it("locks the default project through a forced server-side apply patch", () => {
        const patch = byName(
            plan.resources,
            "kubernetes:argoproj.io/v1alpha1:AppProjectPatch",
            "argocd-default-project",
        );
        assert.deepEqual(patch.inputs.metadata, {
            name: "default",
            namespace: "argocd",
            labels: { environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
            annotations: { "pulumi.com/patchForce": "true" },
        });
        assert.deepEqual((patch.inputs.spec as Record<string, unknown>).sourceRepos, []);
        assert.deepEqual((patch.inputs.spec as Record<string, unknown>).destinations, []);
    });

    it("restricts the team's project to its repositories and namespaces", () => {
        const project = byName(plan.resources, "kubernetes:argoproj.io/v1alpha1:AppProject", "payments-appproject");
        const spec = project.inputs.spec as Record<string, unknown>;
        assert.deepEqual(spec.sourceRepos, [PODINFO, "git@github.com:acme/payments-api.git"]);
        assert.deepEqual(spec.destinations, [
            { server: "https://kubernetes.default.svc", namespace: "podinfo" },
            { server: "https://kubernetes.default.svc", namespace: "payments-api" },
        ]);
        assert.deepEqual(spec.clusterResourceWhitelist, []);
        assert.equal(project.parent, urnOf(plan.resources, "test:apps:Team", "payments"));
    });

    it("syncs clusters/<stack>/ of the GitOps repository at its branch from the root app, in the platform project", () => {
        const root = byName(plan.resources, "kubernetes:argoproj.io/v1alpha1:Application", "argocd-root-application");
        const spec = root.inputs.spec as {
            project: string;
            source: Record<string, unknown>;
            destination: Record<string, unknown>;
        };
        assert.equal(spec.project, "platform");
        // Staging cascades: the root's children go while Argo CD still runs.
        assert.deepEqual((root.inputs.metadata as { finalizers?: string[] }).finalizers, [
            "resources-finalizer.argocd.argoproj.io",
        ]);
        assert.deepEqual(spec.source, {
            repoURL: "git@github.com:acme/platform-gitops.git",
            path: "clusters/test",
            targetRevision: "main",
            kustomize: {},
        });
        assert.deepEqual(root.options.dependsOn, [
            urnOf(plan.resources, "kubernetes:helm.sh/v3:Release", "argocd-release"),
            urnOf(plan.resources, "kubernetes:argoproj.io/v1alpha1:AppProject", "argocd-platform-project"),
            urnOf(plan.resources, "kubernetes:core/v1:Secret", "argocd-repo-platform-gitops"),
        ]);
    });

    it("delivers one repository Secret per repository, labelled for Argo CD, with the key a secret", () => {
        const secret = byName(plan.resources, "kubernetes:core/v1:Secret", "argocd-repo-payments-api");
        assert.deepEqual(secret.inputs.metadata, {
            name: "repo-payments-api",
            namespace: "argocd",
            labels: { "argocd.argoproj.io/secret-type": "repository" },
        });
        // The Secret SDK marks all of stringData secret; its content is tested on repositorySecretData.
        assert.equal(secret.inputs.stringData, "[secret]");
    });

    it("registers the in-cluster cluster Secret with the platform metadata (GitOps bridge)", () => {
        const secret = byName(plan.resources, "kubernetes:core/v1:Secret", "argocd-cluster-in-cluster");
        assert.deepEqual(secret.inputs.metadata, {
            name: "cluster-in-cluster",
            namespace: "argocd",
            labels: {
                "argocd.argoproj.io/secret-type": "cluster",
                environment: "staging",
                cluster_name: "gitops-platform-test",
                aws_region: "eu-west-1",
            },
            annotations: {
                environment: "staging",
                cluster_name: "gitops-platform-test",
                aws_region: "eu-west-1",
                aws_account_id: "123456789012",
                gitops_repo_url: "git@github.com:acme/platform-gitops.git",
                gitops_repo_path: "clusters/test",
                gitops_repo_revision: "main",
                external_secrets_iam_role_arn: "arn:aws:iam::123456789012:role/external-secrets",
            },
        });
        assert.equal(secret.inputs.stringData, "[secret]");
    });

    it("puts each Application in its team's project, after its repository's credentials", () => {
        const application = byName(
            plan.resources,
            "kubernetes:argoproj.io/v1alpha1:Application",
            "payments-api-application",
        );
        assert.equal((application.inputs.spec as { project: string }).project, "payments");
        assert.deepEqual(application.options.dependsOn, [
            urnOf(plan.resources, "kubernetes:helm.sh/v3:Release", "argocd-release"),
            urnOf(plan.resources, "kubernetes:core/v1:Secret", "argocd-repo-payments-api"),
        ]);
        assert.deepEqual((application.inputs.metadata as { finalizers?: string[] }).finalizers, [
            "resources-finalizer.argocd.argoproj.io",
        ]);
    });

    it("does not cascade-delete when told not to", async () => {
        const production = await planEngine("argocd", { cascadeDelete: false });
        for (const name of ["podinfo-application", "argocd-root-application"]) {
            const application = byName(production.resources, "kubernetes:argoproj.io/v1alpha1:Application", name);
            assert.equal((application.inputs.metadata as { finalizers?: string[] }).finalizers, undefined, name);
        }
    });

    it("leaves the values in plain text without SSO", async () => {
        const local = await planEngine("argocd", { sso: undefined, ssoClientSecret: undefined });
        const values = byName(local.resources, "kubernetes:helm.sh/v3:Release", "argocd-release").inputs.values as {
            configs: { cm: Record<string, unknown> };
        };
        assert.equal(values.configs.cm["admin.enabled"], true);
    });

    it("rejects a chart version with no known app version", async () => {
        await assert.rejects(
            planEngine("argocd", { chartVersion: "99.0.0" }),
            /argo-cd chart 99\.0\.0 is not in APP_VERSIONS/,
        );
    });

    it("rejects SSO without its client secret", async () => {
        await assert.rejects(planEngine("argocd", { ssoClientSecret: undefined }), /needs the OIDC client secret/);
    });

    it("rejects SSO without the domain of its redirect URL", async () => {
        await assert.rejects(planEngine("argocd", { domain: undefined }), /the domain its redirect URL is on/);
    });

    it("merges user values over its own, and refuses a protected one (a component used without stack config)", async () => {
        const local = await planEngine("argocd", {
            sso: undefined,
            ssoClientSecret: undefined,
            values: { controller: { replicas: 2 } },
        });
        const values = byName(local.resources, "kubernetes:helm.sh/v3:Release", "argocd-release").inputs.values as {
            controller: Record<string, unknown>;
        };
        assert.equal(values.controller.replicas, 2);
        assert.ok(values.controller.resources !== undefined);
        await assert.rejects(
            planEngine("argocd", { values: { dex: { enabled: true } } }),
            /argo-cd values: dex\.enabled is set by the program and cannot be overridden: .*Dex would be a second way in \(got true\)/,
        );
        await assert.rejects(
            planEngine("flux", { values: { installCRDs: false } }),
            /flux-operator values: installCRDs is set by the program/,
        );
    });
});

describe("Flux component", () => {
    let plan: PlanResult;
    before(async () => {
        plan = await planEngine("flux", {}, [
            app("podinfo-canary"),
            app("podinfo-next", {
                source: { repoUrl: PODINFO, path: "kustomize", revision: "6.10.0", type: "kustomize" },
            }),
        ]);
    });

    it("declares the operator, the instance, credentials, metadata and one GitRepository per repository and revision", () => {
        assert.deepEqual(names(plan.resources.filter((r) => r.type.startsWith("kubernetes:"))), [
            "kubernetes:core/v1:ConfigMap::flux-platform-metadata",
            "kubernetes:core/v1:Namespace::flux-namespace",
            "kubernetes:core/v1:Secret::flux-git-payments-api",
            "kubernetes:core/v1:Secret::flux-git-platform-gitops",
            "kubernetes:fluxcd.controlplane.io/v1:FluxInstance::flux-instance",
            "kubernetes:helm.sh/v3:Release::flux-release",
            "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization::payments-api-kustomization",
            "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization::podinfo-canary-kustomization",
            "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization::podinfo-kustomization",
            "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization::podinfo-next-kustomization",
            "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source-payments-api-main",
            "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source-stefanprodan-podinfo-6-10-0",
            "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source-stefanprodan-podinfo-6-9-2",
        ]);
    });

    it("installs the pinned flux-operator chart from its OCI registry, after the cluster is ready", () => {
        const release = byName(plan.resources, "kubernetes:helm.sh/v3:Release", "flux-release");
        assert.equal(release.inputs.chart, "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator");
        assert.equal(release.inputs.version, "0.58.1");
        assert.equal(release.inputs.repositoryOpts, undefined);
        assert.equal(release.inputs.namespace, "flux-system");
        assert.deepEqual(release.options.dependsOn, [urnOf(plan.resources, "test:cluster:Ready", "node-groups")]);
    });

    it("syncs clusters/<stack>/ of the GitOps repository over SSH with the deploy key as pull secret", () => {
        const instance = byName(plan.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance");
        const spec = instance.inputs.spec as Record<string, unknown>;
        assert.deepEqual(instance.inputs.metadata, {
            name: "flux",
            namespace: "flux-system",
            labels: { environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
            annotations: { "pulumi.com/waitFor": "condition=Ready" },
        });
        assert.deepEqual(spec.sync, {
            kind: "GitRepository",
            url: "ssh://git@github.com/acme/platform-gitops.git",
            ref: "refs/heads/main",
            path: "clusters/test",
            pullSecret: "platform-gitops-git-credentials",
            interval: "1m",
        });
        assert.deepEqual(spec.distribution, { version: "2.9.4", registry: "ghcr.io/fluxcd" });
        const pullSecret = byName(plan.resources, "kubernetes:core/v1:Secret", "flux-git-platform-gitops");
        assert.deepEqual(pullSecret.inputs.metadata, {
            name: "platform-gitops-git-credentials",
            namespace: "flux-system",
        });
        assert.equal(pullSecret.inputs.stringData, "[secret]");
        assert.deepEqual(instance.options.dependsOn, [
            urnOf(plan.resources, "kubernetes:helm.sh/v3:Release", "flux-release"),
            urnOf(plan.resources, "kubernetes:core/v1:ConfigMap", "flux-platform-metadata"),
            urnOf(plan.resources, "kubernetes:core/v1:Secret", "flux-git-platform-gitops"),
        ]);
    });

    it("substitutes the platform metadata ConfigMap into the cluster sync", () => {
        const instance = byName(plan.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance");
        assert.deepEqual((instance.inputs.spec as { kustomize: unknown }).kustomize, {
            patches: [
                {
                    target: { kind: "Kustomization", name: "flux-system" },
                    patch: JSON.stringify([
                        {
                            op: "add",
                            path: "/spec/postBuild",
                            value: { substituteFrom: [{ kind: "ConfigMap", name: "platform-metadata" }] },
                        },
                    ]),
                },
            ],
        });
        const metadata = byName(plan.resources, "kubernetes:core/v1:ConfigMap", "flux-platform-metadata");
        assert.equal((metadata.inputs.metadata as { name: string }).name, "platform-metadata");
        assert.deepEqual(Object.keys(metadata.inputs.data as object).sort(), [
            "aws_account_id",
            "aws_region",
            "cluster_name",
            "environment",
            "external_secrets_iam_role_arn",
            "gitops_repo_path",
            "gitops_repo_revision",
            "gitops_repo_url",
        ]);
    });

    it("protects its namespace from pruning", () => {
        const namespace = byName(plan.resources, "kubernetes:core/v1:Namespace", "flux-namespace");
        const metadata = namespace.inputs.metadata as {
            labels: Record<string, string>;
            annotations: Record<string, string>;
        };
        assert.equal(metadata.labels["kustomize.toolkit.fluxcd.io/prune"], "disabled");
        assert.deepEqual(metadata.annotations, { "kustomize.toolkit.fluxcd.io/prune": "disabled" });
    });

    it("makes every Flux object depend on the release and the instance that install the CRDs", () => {
        const ready = [
            urnOf(plan.resources, "kubernetes:helm.sh/v3:Release", "flux-release"),
            urnOf(plan.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance"),
        ];
        const objects = plan.resources.filter((r) => /toolkit\.fluxcd\.io/.test(r.type));
        assert.equal(objects.length, 7);
        for (const object of objects) {
            assert.deepEqual(object.options.dependsOn.slice(0, 2), ready, object.name);
        }
        assert.equal(
            byName(plan.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance").options
                .dependsOn[0],
            ready[0],
        );
    });

    it("parents shared sources to the engine, so removing the first app that used one keeps it", () => {
        const source = byName(
            plan.resources,
            "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
            "flux-source-stefanprodan-podinfo-6-9-2",
        );
        assert.equal(source.parent, urnOf(plan.resources, "gitops-platform:gitops:Flux", "flux"));
        const managed = byName(
            plan.resources,
            "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
            "flux-source-payments-api-main",
        );
        assert.ok(
            managed.options.dependsOn.includes(
                urnOf(plan.resources, "kubernetes:core/v1:Secret", "flux-git-payments-api"),
            ),
        );
    });

    it("outputs the operator chart and Flux versions", () => {
        assert.deepEqual(plan.outputs, {
            versions: { chart: "0.58.1", app: "2.9.4" },
            namespace: "flux-system",
            ready: 2,
        });
    });

    describe("with multitenancy", () => {
        let locked: PlanResult;
        before(async () => {
            locked = await planEngine("flux", { multitenancy: true, imageAutomation: true, eks: true });
        });

        it("turns on the operator's lockdown with a default service account that has no rights", () => {
            const spec = byName(locked.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance")
                .inputs.spec as Record<string, unknown>;
            assert.deepEqual(spec.cluster, {
                type: "aws",
                networkPolicy: true,
                multitenant: true,
                tenantDefaultServiceAccount: "default",
            });
            assert.deepEqual(spec.components, [
                "source-controller",
                "kustomize-controller",
                "helm-controller",
                "notification-controller",
                "image-reflector-controller",
                "image-automation-controller",
            ]);
        });

        it("gives each team a service account, bound to the tenant ClusterRole in its apps' namespaces only, that its Kustomizations act as", () => {
            assert.deepEqual(names(ofType(locked.resources, "kubernetes:core/v1:ServiceAccount")), [
                "kubernetes:core/v1:ServiceAccount::payments-flux-tenant",
            ]);
            const binding = byName(
                locked.resources,
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                "podinfo-flux-tenant",
            );
            assert.equal((binding.inputs.metadata as { namespace: string }).namespace, "podinfo");
            // A RoleBinding to a ClusterRole grants its rules in the binding's namespace only (Kubernetes
            // docs, "Using RBAC Authorization"): one ClusterRole serves every app with the same kinds.
            const role = byName(
                locked.resources,
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                "flux-tenant-role",
            );
            assert.deepEqual(role.inputs.rules, fluxTenantRules());
            assert.equal(ofType(locked.resources, "kubernetes:rbac.authorization.k8s.io/v1:Role").length, 0);
            // Both apps (podinfo, payments-api) ship the default kinds: one ClusterRole for the two.
            assert.equal(ofType(locked.resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 1);
            const other = byName(
                locked.resources,
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                "payments-api-flux-tenant",
            );
            assert.equal((other.inputs.roleRef as { name: string }).name, "flux-tenant");
            assert.deepEqual(binding.inputs.roleRef, {
                apiGroup: "rbac.authorization.k8s.io",
                kind: "ClusterRole",
                name: "flux-tenant",
            });
            assert.deepEqual(binding.inputs.subjects, [
                { kind: "ServiceAccount", name: "tenant-payments", namespace: "flux-system" },
            ]);
            const kustomization = byName(
                locked.resources,
                "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
                "podinfo-kustomization",
            );
            assert.equal(
                (kustomization.inputs.spec as { serviceAccountName: string }).serviceAccountName,
                "tenant-payments",
            );
            assert.ok(
                kustomization.options.dependsOn.includes(binding.urn),
                "the binding outlives the Kustomization's finalizer",
            );
            assert.ok(kustomization.options.dependsOn.includes(role.urn), "so does the role");
        });
    });
});

interface Validatable {
    validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** Upstream validators: @kubernetes-models for Argo CD and Flux; FluxInstance against FLUX_INSTANCE below. */
const MODELS: Record<string, [string, string]> = {
    "argoproj.io/v1alpha1:Application": ["@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application", "Application"],
    "argoproj.io/v1alpha1:AppProject": ["@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject", "AppProject"],
    "argoproj.io/v1alpha1:AppProjectPatch": [
        "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject",
        "AppProject",
    ],
    "source.toolkit.fluxcd.io/v1:GitRepository": [
        "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository",
        "GitRepository",
    ],
    "kustomize.toolkit.fluxcd.io/v1:Kustomization": [
        "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization",
        "Kustomization",
    ],
    "helm.toolkit.fluxcd.io/v2:HelmRelease": [
        "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease",
        "HelmRelease",
    ],
};

/**
 * The part of the FluxInstance CRD (fluxcd.controlplane.io/v1, flux-operator v0.58) this program
 * uses, restated from the operator's API reference and checked against its CRD: no validator
 * package ships it. Strict, so a misspelled or unsupported field fails.
 */
const FLUX_INSTANCE = z.strictObject({
    apiVersion: z.literal("fluxcd.controlplane.io/v1"),
    kind: z.literal("FluxInstance"),
    metadata: z.strictObject({
        name: z.string(),
        namespace: z.string(),
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()),
    }),
    spec: z.strictObject({
        distribution: z.strictObject({ version: z.string().min(1), registry: z.string().min(1) }),
        components: z
            .array(
                z.enum([
                    "source-controller",
                    "kustomize-controller",
                    "helm-controller",
                    "notification-controller",
                    "image-reflector-controller",
                    "image-automation-controller",
                    "source-watcher",
                ]),
            )
            .min(1),
        cluster: z.strictObject({
            type: z.enum(["kubernetes", "openshift", "aws", "azure", "gcp"]),
            networkPolicy: z.boolean(),
            multitenant: z.boolean(),
            tenantDefaultServiceAccount: z.string().optional(),
        }),
        kustomize: z.strictObject({
            patches: z.array(
                z.strictObject({
                    target: z.strictObject({ kind: z.string(), name: z.string().optional() }),
                    patch: z.string(),
                }),
            ),
        }),
        sync: z.strictObject({
            kind: z.enum(["GitRepository", "OCIRepository", "Bucket"]),
            url: z.string().min(1),
            ref: z.string().min(1),
            path: z.string().min(1),
            pullSecret: z.string().optional(),
            interval: z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/),
        }),
    }),
});

function fluxInstanceProblems(object: unknown): string[] {
    const result = FLUX_INSTANCE.safeParse(object);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("CRD schemas", () => {
    const plans: [string, () => Promise<PlanResult>][] = [
        [
            "Argo CD",
            () =>
                planEngine("argocd", {
                    labels: platformLabels("production"),
                    cascadeDelete: false,
                    rootPrune: false,
                    pruneLast: true,
                    highAvailability: true,
                }),
        ],
        [
            "Flux",
            () =>
                planEngine("flux", { multitenancy: true, imageAutomation: true }, [
                    app("grafana", {
                        namespace: "monitoring",
                        source: {
                            repoUrl: "https://github.com/grafana/helm-charts.git",
                            path: "charts/grafana",
                            revision: "grafana-10.1.4",
                            type: "helm",
                            helmValues: { replicas: 1 },
                        },
                    }),
                ]),
        ],
    ];
    for (const [label, plan] of plans) {
        it(`validates every custom resource of the ${label} engine against its upstream schema`, async () => {
            const { resources } = await plan();
            const custom = resources.filter((r) => CUSTOM_RESOURCE.test(r.type));
            assert.ok(custom.length >= 6);
            for (const resource of custom) {
                const kind = resource.type.replace(/^kubernetes:/, "");
                if (kind === "fluxcd.controlplane.io/v1:FluxInstance") {
                    assert.deepEqual(fluxInstanceProblems(resource.inputs), [], resource.name);
                    continue;
                }
                const model = MODELS[kind];
                assert.ok(model, `a validator for ${kind}`);
                const Model = (await importEsm<Record<string, ModelClass>>(model[0]))[model[1]];
                new Model(resource.inputs).validate();
            }
        });
    }

    it("rejects an invalid FluxInstance (the validator can fail)", () => {
        const problems = fluxInstanceProblems({
            apiVersion: "fluxcd.controlplane.io/v1",
            kind: "FluxInstance",
            metadata: { name: "flux" },
            spec: { distribution: { version: "2.9.4" }, sync: { kind: "Git" } },
        });
        assert.ok(
            problems.some((p) => p.startsWith("spec.sync.kind")),
            problems.join("; "),
        );
        assert.ok(
            problems.some((p) => p.startsWith("spec.distribution.registry")),
            problems.join("; "),
        );
    });
});

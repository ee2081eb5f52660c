/**
 * The checked-in stacks planned with each engine: switching engine changes only the engine's
 * resources; the sync path follows the stack; the graph orders cluster → engine → apps.
 */
import assert from "node:assert/strict";
import { DirectSecretDelivery } from "../components/secrets/direct";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { readPlatformConfig } from "../stacks";
import { registerApps } from "../stacks/apps";
import { createCluster } from "../stacks/cluster";
import { argoCdArgs, createEngine, EngineDeps } from "../stacks/engine";
import { ArgocdConfig } from "../stacks/config";
import { createRepositories } from "../stacks/repositories";
import { createSecretsStore } from "../stacks/secrets";
import { byName, ofType, planStack, platformConfig, stackValue, StackOverrides } from "./harness";

/** Cluster, repositories, secrets store, engine and apps, composed as stacks/platform.ts does. */
async function composition(): Promise<Record<string, unknown>> {
    const config = readPlatformConfig();
    const cluster = createCluster(config);
    const repositories = createRepositories(config);
    const store = createSecretsStore(config, cluster);
    const engine = createEngine(config, {
        cluster,
        repositories,
        secrets: store ?? new DirectSecretDelivery(cluster.provider),
    });
    await registerApps(config, { cluster, engine, repositories, secrets: store });
    return {
        engine: {
            type: engine.kind,
            namespace: engine.namespace,
            chartVersion: engine.versions.chart,
            appVersion: engine.versions.app,
        },
    };
}

const plan = (stack: string, overrides: StackOverrides = {}) => planStack(stack, overrides, composition);
const FLUX = { set: { "gitops-platform:engine": { type: "flux" } } };
const ENGINE_TYPES = /^kubernetes:(argoproj\.io|fluxcd\.controlplane\.io|[a-z]+\.toolkit\.fluxcd\.io)\//;

/** The engine's own resources (children of the engine component) and the objects apps register with it. */
function isEngineResource(resource: PlannedResource): boolean {
    return /gitops-platform:gitops:(ArgoCd|Flux)/.test(resource.urn) || ENGINE_TYPES.test(resource.type);
}

function urns(result: PlanResult, engine: boolean): string[] {
    return result.resources
        .filter((r) => isEngineResource(r) === engine)
        .map((r) => r.urn)
        .sort();
}

describe("engine per stack", () => {
    let argo: PlanResult;
    let flux: PlanResult;
    before(async () => {
        argo = await plan("staging");
        flux = await plan("staging", FLUX);
    });

    it("changes only the engine's resources when staging switches from Argo CD to Flux", () => {
        const shared = urns(argo, false);
        assert.ok(shared.length > 50);
        assert.deepEqual(urns(flux, false), shared);
        const argoEngine = urns(argo, true);
        const fluxEngine = urns(flux, true);
        assert.ok(argoEngine.every((urn) => !fluxEngine.includes(urn)));
    });

    it("declares a complete Argo CD install for staging", () => {
        assert.deepEqual(
            ofType(argo.resources, "kubernetes:argoproj.io/v1alpha1:AppProject")
                .map((r) => r.name)
                .sort(),
            ["argocd-platform-project", "observability-appproject", "payments-appproject", "storefront-appproject"],
        );
        assert.deepEqual(
            ofType(argo.resources, "kubernetes:argoproj.io/v1alpha1:Application")
                .map((r) => r.name)
                .sort(),
            ["argocd-root-application", "checkout-web-application", "grafana-application", "payments-api-application"],
        );
        assert.equal(ofType(argo.resources, "kubernetes:argoproj.io/v1alpha1:AppProjectPatch").length, 1);
        assert.deepEqual(argo.outputs.engine, {
            type: "argocd",
            namespace: "argocd",
            chartVersion: "10.1.1",
            appVersion: "v3.4.4",
        });
    });

    it("declares a complete Flux install for staging", () => {
        assert.equal(ofType(flux.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance").length, 1);
        assert.deepEqual(
            ofType(flux.resources, "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization")
                .map((r) => r.name)
                .sort(),
            ["checkout-web-kustomization", "payments-api-kustomization"],
        );
        assert.deepEqual(
            ofType(flux.resources, "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease").map((r) => r.name),
            ["grafana-helmrelease"],
        );
        assert.deepEqual(flux.outputs.engine, {
            type: "flux",
            namespace: "flux-system",
            chartVersion: "0.58.1",
            appVersion: "2.9.4",
        });
    });

    it("delivers the engines' Git credentials through the staging secrets store", () => {
        const delivered = (result: PlanResult) =>
            result.resources
                .filter(
                    (r) => /gitops-platform:gitops:/.test(r.urn) && r.type.startsWith("kubernetes:external-secrets.io"),
                )
                .map((r) => r.name)
                .sort();
        // Argo CD also gets its OIDC client secret (staging has SSO) through the store, not the chart's values.
        assert.equal(delivered(argo).length, 4);
        assert.equal(delivered(argo).filter((n) => n.startsWith("argocd-oidc")).length, 1);
        assert.equal(delivered(flux).length, 3);
    });

    it("orders cluster → engine release → custom resources, so destroy runs the other way", () => {
        const release = byName(argo.resources, "kubernetes:helm.sh/v3:Release", "argocd-release");
        const nodeGroups = argo.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").map((r) => r.urn);
        assert.ok(nodeGroups.length > 0);
        for (const urn of nodeGroups) {
            assert.ok(release.options.dependsOn.includes(urn), "the release waits for the node groups");
        }
        for (const resource of argo.resources.filter((r) => ENGINE_TYPES.test(r.type))) {
            assert.ok(resource.options.dependsOn.includes(release.urn), `${resource.name} depends on the release`);
        }
    });

    for (const stack of ["staging", "production"]) {
        it(`syncs clusters/${stack}/ from the root app of ${stack}`, async () => {
            const result = stack === "staging" ? argo : await plan(stack);
            const root = byName(
                result.resources,
                "kubernetes:argoproj.io/v1alpha1:Application",
                "argocd-root-application",
            );
            const spec = root.inputs.spec as { source: { path: string }; syncPolicy: { automated: unknown } };
            assert.equal(spec.source.path, `clusters/${stack}`);
            // Production, as for apps, never prunes automatically.
            assert.deepEqual(spec.syncPolicy.automated, { prune: stack !== "production", selfHeal: true });
        });
    }

    // Finding 4: the local key was registered by hand after `up`, so the first clone failed and the
    // wait for the FluxInstance timed out. The public repository is read over https without a secret.
    it("syncs clusters/local/ from the local FluxInstance anonymously over https, with no credentials to wait for", async () => {
        const local = await plan("local");
        const instance = byName(local.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance");
        const spec = instance.inputs.spec as { sync: Record<string, unknown> };
        assert.deepEqual(spec.sync, {
            kind: "GitRepository",
            url: "https://github.com/acme-platform/platform-gitops.git",
            ref: "refs/heads/main",
            path: "clusters/local",
            interval: "1m",
        });
        assert.deepEqual(
            local.resources.filter((r) => r.name.includes("git-platform-gitops")),
            [],
        );
    });

    it("syncs with the deploy key as pull secret when the local repository is read over SSH", async () => {
        const repository: Record<string, unknown> = {
            ...stackValue<Record<string, unknown>>("local", "gitops-platform:gitopsRepository"),
        };
        repository.url = "ssh://git@github.com/acme-platform/platform-gitops.git";
        delete repository.anonymous;
        const local = await plan("local", { set: { "gitops-platform:gitopsRepository": repository } });
        const spec = byName(local.resources, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance")
            .inputs.spec as { sync: Record<string, unknown> };
        assert.equal(spec.sync.pullSecret, "platform-gitops-git-credentials");
        assert.equal(spec.sync.url, "ssh://git@github.com/acme-platform/platform-gitops.git");
    });

    it("runs Argo CD highly available in production by default", async () => {
        // Production cannot run Argo CD without SSO (invariant engine-lockdown), and with SSO the release
        // values are secret in the plan: the default is read from the Args the stack hands the component.
        const engine = { ...stackValue<Record<string, unknown>>("production", "gitops-platform:engine") };
        delete engine.highAvailability;
        const config = platformConfig("production", { set: { "gitops-platform:engine": engine } });
        const deps = {
            cluster: { clusterName: "c" },
            repositories: { gitops: { url: "u", branch: "main" } },
        } as unknown as EngineDeps;
        assert.equal(argoCdArgs(config, config.engine as ArgocdConfig, deps).highAvailability, true);
        assert.equal(
            argoCdArgs({ ...config, environment: "staging" }, config.engine as ArgocdConfig, deps).highAvailability,
            false,
        );
        const production = await plan("production", { set: { "gitops-platform:engine": engine } });
        // Finding 9: Redis HA and the replicated Deployments outlast Helm's 300 s default.
        assert.equal(
            byName(production.resources, "kubernetes:helm.sh/v3:Release", "argocd-release").inputs.timeout,
            1200,
        );
        const staging = await plan("staging");
        assert.equal(byName(staging.resources, "kubernetes:helm.sh/v3:Release", "argocd-release").inputs.timeout, 300);
    });

    it("shows production's release values in full: the SSO client secret is delivered apart (issue 25)", async () => {
        const production = await plan("production");
        const values = byName(production.resources, "kubernetes:helm.sh/v3:Release", "argocd-release").inputs.values;
        assert.equal(typeof values, "object");
        assert.equal(JSON.stringify(values).includes("[secret]"), false);
    });
});

/**
 * The steps both engines share (components/gitops/engine.ts), checked the same way for Argo CD and
 * Flux through their plans: credentials once per repository with a deploy key and none for one read
 * anonymously, what the root sync and each app's source wait for, and the image update guard.
 */
import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformLabels } from "../components/core/labels";
import { ArgoCd } from "../components/gitops/argocd";
import { Flux } from "../components/gitops/flux";
import { ImageUpdate } from "../components/gitops/images";
import { RepositoryAccess } from "../components/repository/types";
import { SecretDelivery } from "../components/secrets/types";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { app, fakeAccess, fakeDelivery, registerAll, team, testMetadata } from "./engine-fixtures";
import { ofType, planProgram } from "./harness";

/** A public repository read over https: no deploy key. */
function anonymousAccess(name: string): RepositoryAccess {
    return { name, url: pulumi.output(`https://github.com/acme/${name}.git`), branch: "main", knownHosts: "" };
}

const UPDATE: ImageUpdate = {
    app: "payments-api",
    team: "payments",
    image: "ghcr.io/acme/payments-api",
    policy: { semver: ">=1.0.0" },
    targetBranch: "main",
    path: "apps/payments-api",
};

interface Delivery {
    readonly urn: string;
    readonly namespace: string;
    readonly secretName: string;
    readonly data: Record<string, string>;
}

interface SkeletonPlan {
    readonly resources: PlannedResource[];
    readonly deliveries: Delivery[];
    readonly refusal: string;
    readonly noUpdates: number;
}

/**
 * Plans an engine with the GitOps repository given, a keyed app repository (payments-api) and an
 * anonymous one (public-charts), one app from each, then asks it for image updates while image
 * automation is off (its refusal) and for none.
 */
async function planSkeleton(kind: "argocd" | "flux", gitops: RepositoryAccess): Promise<SkeletonPlan> {
    const plan: PlanResult = await planProgram(() => {
        const provider = new k8s.Provider("test-cluster", { kubeconfig: "{}" });
        const clusterReady = new pulumi.ComponentResource("test:cluster:Ready", "node-groups", {});
        const seeded = new pulumi.ComponentResource("test:repository:Seed", "seed-files", {});
        const payments = fakeAccess("payments-api");
        const charts = anonymousAccess("public-charts");
        const repositories = {
            gitops,
            appRepositories: { [payments.name]: payments, [charts.name]: charts },
            ready: [seeded],
        };
        const deliveries: pulumi.Output<unknown>[] = [];
        const base = fakeDelivery(provider);
        const secrets: SecretDelivery = {
            deliver(name, secret, opts) {
                const delivered = base.deliver(name, secret, opts);
                const record = {
                    urn: delivered.urn,
                    namespace: secret.namespace,
                    secretName: secret.secretName,
                    data: secret.data,
                };
                deliveries.push(pulumi.unsecret(pulumi.output(record)));
                return delivered;
            },
        };
        const common = {
            provider,
            clusterReady: [clusterReady],
            labels: platformLabels("staging"),
            repositories,
            secrets,
            clusterPath: "clusters/test",
            metadata: testMetadata("staging"),
        };
        const engine =
            kind === "argocd"
                ? new ArgoCd("argocd", { ...common, cascadeDelete: true, rootPrune: true, pruneLast: false })
                : new Flux("flux", common);
        registerAll(
            engine,
            [team("payments", ["payments-api", "charts"], [payments.url, charts.url])],
            [
                app("payments-api", {
                    source: {
                        repoUrl: payments.url,
                        access: payments,
                        path: "deploy",
                        revision: "main",
                        type: "kustomize",
                    },
                }),
                app("charts", {
                    source: { repoUrl: charts.url, access: charts, path: "charts/web", revision: "main", type: "helm" },
                }),
            ],
        );
        const register = (updates: ImageUpdate[]) =>
            engine instanceof ArgoCd
                ? engine.registerImageUpdates(updates, gitops.name)
                : engine.registerImageUpdates(updates);
        let refusal = "";
        try {
            register([UPDATE]);
        } catch (error) {
            refusal = (error as Error).message;
        }
        return { deliveries: pulumi.all(deliveries), refusal, noUpdates: register([]).length };
    });
    return {
        resources: plan.resources,
        deliveries: plan.outputs.deliveries as Delivery[],
        refusal: plan.outputs.refusal as string,
        noUpdates: plan.outputs.noUpdates as number,
    };
}

/** The Git URLs a planned object clones: an Argo CD Application's source, a GitRepository's, a FluxInstance's sync. */
function clonedUrls(resource: PlannedResource): string[] {
    const spec = (resource.inputs.spec ?? {}) as {
        url?: string;
        source?: { repoURL?: string };
        sync?: { url?: string };
    };
    return [spec.url, spec.source?.repoURL, spec.sync?.url].filter((url): url is string => typeof url === "string");
}

/** The objects that clone acme/<repository>. */
function clonersOf(resources: PlannedResource[], repository: string): PlannedResource[] {
    return resources.filter((r) => clonedUrls(r).some((url) => url.includes(`acme/${repository}.git`)));
}

/** The Secrets an object names as Git credentials (a Flux source's secretRef, a FluxInstance's pullSecret). */
function credentialNames(value: unknown): string[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    return Object.entries(value).flatMap(([key, inner]) =>
        key === "pullSecret" && typeof inner === "string"
            ? [inner]
            : key === "secretRef"
              ? [(inner as { name: string }).name]
              : credentialNames(inner),
    );
}

const deliveredFor = (deliveries: Delivery[], repository: string) =>
    deliveries.filter((d) => Object.values(d.data).includes(`private-key-of-${repository}`));

for (const kind of ["argocd", "flux"] as const) {
    describe(`engine skeleton, as ${kind} fills it in`, () => {
        let keyed: SkeletonPlan;
        let anonymous: SkeletonPlan;
        before(async () => {
            keyed = await planSkeleton(kind, fakeAccess("platform-gitops"));
            anonymous = await planSkeleton(kind, anonymousAccess("platform-gitops"));
        });

        it("delivers credentials once per repository with a deploy key, into the engine's namespace, none for an anonymous one", () => {
            const [namespace] = ofType(keyed.resources, "kubernetes:core/v1:Namespace");
            const namespaceName = (namespace.inputs.metadata as { name: string }).name;
            for (const repository of ["platform-gitops", "payments-api"]) {
                const delivered = deliveredFor(keyed.deliveries, repository);
                assert.equal(delivered.length, 1, repository);
                assert.equal(delivered[0].namespace, namespaceName);
                const secret = keyed.resources.find((r) => r.urn === delivered[0].urn)!;
                assert.ok(secret.options.dependsOn.includes(namespace.urn), `${repository}: after the namespace`);
            }
            assert.equal(keyed.deliveries.length, 2);
            assert.ok(!JSON.stringify(keyed.deliveries).includes("public-charts"));
            assert.deepEqual(
                anonymous.deliveries.map((d) => deliveredFor([d], "payments-api").length),
                [1],
                "an anonymous GitOps repository gets no credentials",
            );
        });

        it("starts the root sync after the release, the GitOps repository's credentials and the seeded files", () => {
            const [release] = ofType(keyed.resources, "kubernetes:helm.sh/v3:Release");
            const [root] = clonersOf(keyed.resources, "platform-gitops");
            const seeded = keyed.resources.find((r) => r.type === "test:repository:Seed")!;
            const gitopsCredentials = deliveredFor(keyed.deliveries, "platform-gitops")[0].urn;
            for (const dependency of [release.urn, gitopsCredentials, seeded.urn]) {
                assert.ok(root.options.dependsOn.includes(dependency), dependency);
            }
            assert.equal(clonersOf(keyed.resources, "platform-gitops").length, 1, "one root sync");
        });

        it("waits for no credentials when the GitOps repository is read anonymously", () => {
            const [root] = clonersOf(anonymous.resources, "platform-gitops");
            const delivered = new Set(anonymous.deliveries.map((d) => d.urn));
            assert.ok(root.options.dependsOn.length > 0);
            assert.deepEqual(
                root.options.dependsOn.filter((urn) => delivered.has(urn)),
                [],
            );
            assert.deepEqual(credentialNames(root.inputs), []);
        });

        it("clones an app's repository after its credentials, and an anonymous one after none, naming none", () => {
            const payments = clonersOf(keyed.resources, "payments-api");
            const charts = clonersOf(keyed.resources, "public-charts");
            assert.equal(payments.length, 1);
            assert.equal(charts.length, 1);
            const paymentsCredentials = deliveredFor(keyed.deliveries, "payments-api")[0].urn;
            assert.ok(payments[0].options.dependsOn.includes(paymentsCredentials));
            const delivered = new Set(keyed.deliveries.map((d) => d.urn));
            assert.deepEqual(
                charts[0].options.dependsOn.filter((urn) => delivered.has(urn)),
                [],
            );
            // Flux's GitRepository reads a public https URL without secretRef (fluxcd/source-controller
            // docs/spec/v1/gitrepositories.md, its first example); no Secret is delivered for it to name.
            assert.deepEqual(credentialNames(charts[0].inputs), [], "names no credentials Secret");
            const names = new Set(keyed.deliveries.map((d) => d.secretName));
            for (const cloner of [...payments, ...clonersOf(keyed.resources, "platform-gitops")]) {
                assert.ok(
                    credentialNames(cloner.inputs).every((name) => names.has(name)),
                    cloner.name,
                );
            }
        });

        it("installs its chart after the cluster is ready, in a namespace with the platform's and Pod Security labels", () => {
            const [release] = ofType(keyed.resources, "kubernetes:helm.sh/v3:Release");
            const clusterReady = keyed.resources.find((r) => r.type === "test:cluster:Ready")!;
            assert.deepEqual(release.options.dependsOn, [clusterReady.urn]);
            const [namespace] = ofType(keyed.resources, "kubernetes:core/v1:Namespace");
            const labels = (namespace.inputs.metadata as { labels: Record<string, string> }).labels;
            for (const [key, value] of Object.entries(platformLabels("staging"))) {
                assert.equal(labels[key], value, key);
            }
            // Kubernetes Pod Security Admission's label (k8s.io/pod-security-admission api/constants.go).
            assert.ok(labels["pod-security.kubernetes.io/enforce"] !== undefined);
        });

        it("refuses image updates while image automation is off, naming the app and the switch; none need nothing", () => {
            assert.match(keyed.refusal, /image updates of payments-api need .+: set imageAutomation/);
            assert.equal(keyed.noUpdates, 0);
        });
    });
}

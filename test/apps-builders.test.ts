/** The per-engine builders of an app's objects: exact content, naming rules and CRD-schema validity. */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { platformLabels, PRUNE_APPROVED_LABEL } from "../components/core/labels";
import { argoApplication, ArgoApplicationSettings } from "../components/gitops/argocd/application";
import {
    dnsName,
    fluxAppObjects,
    gitRef,
    gitRepositoryName,
    repositoryNameFromUrl,
} from "../components/gitops/flux/application";
import { ApplicationRegistration } from "../components/gitops/types";
import { normalGitUrl } from "../components/repository/hosts";
import { RepositoryAccess } from "../components/repository/types";
import { pruneApproved } from "../stacks/apps";
import { PRUNE_APPROVED_LABEL as POLICY_PRUNE_APPROVED_LABEL } from "../policy/rules";
import { importEsm } from "./harness";

interface Validatable {
    validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;
async function model(specifier: string, name: string): Promise<ModelClass> {
    return (await importEsm<Record<string, ModelClass>>(specifier))[name];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function registration(
    overrides: Partial<ApplicationRegistration> = {},
    source: Partial<ApplicationRegistration["source"]> = {},
): ApplicationRegistration {
    return {
        name: "payments-api",
        team: "payments",
        namespace: "payments-api",
        source: {
            repoUrl: "https://github.com/acme/payments-api.git",
            path: "deploy/overlays/staging",
            revision: "main",
            type: "kustomize",
            ...source,
        },
        sync: { automated: true, prune: true, selfHeal: true },
        pruneApproved: false,
        dependsOn: [],
        ...overrides,
    };
}

const STAGING: ArgoApplicationSettings = {
    namespace: "argocd",
    project: "payments",
    cascadeDelete: true,
    pruneLast: false,
    labels: platformLabels("staging"),
};
const PRODUCTION: ArgoApplicationSettings = {
    namespace: "argocd",
    project: "payments",
    cascadeDelete: false,
    pruneLast: true,
    labels: platformLabels("production"),
};

describe("Argo CD Application builder", () => {
    it("builds the staging Application of a kustomize app exactly", () => {
        assert.deepEqual(argoApplication(registration(), STAGING), {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: {
                name: "payments-api",
                namespace: "argocd",
                labels: { team: "payments", environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
                finalizers: ["resources-finalizer.argocd.argoproj.io"],
            },
            spec: {
                project: "payments",
                source: {
                    repoURL: "https://github.com/acme/payments-api.git",
                    path: "deploy/overlays/staging",
                    targetRevision: "main",
                    kustomize: {},
                },
                destination: { server: "https://kubernetes.default.svc", namespace: "payments-api" },
                syncPolicy: {
                    automated: { prune: true, selfHeal: true },
                    syncOptions: ["CreateNamespace=false"],
                    retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
                },
            },
        });
    });

    it("in production: no cascade-delete finalizer, PruneLast, prune as the policy says", () => {
        const app = argoApplication(
            registration({ sync: { automated: true, prune: false, selfHeal: true } }, { revision: "v2.14.1" }),
            PRODUCTION,
        );
        assert.equal(app.metadata.finalizers, undefined);
        assert.deepEqual(app.spec.syncPolicy, {
            automated: { prune: false, selfHeal: true },
            syncOptions: ["CreateNamespace=false", "PruneLast=true"],
            retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
        });
        assert.equal(app.spec.source.targetRevision, "v2.14.1");
    });

    it("labels a production Application that prunes because config says so, as the policy rule expects", () => {
        assert.equal(PRUNE_APPROVED_LABEL, POLICY_PRUNE_APPROVED_LABEL);
        const labelOf = (sync: ApplicationRegistration["sync"], environment: "staging" | "production") =>
            argoApplication(registration({ sync, pruneApproved: pruneApproved(environment, sync) }), PRODUCTION)
                .metadata.labels?.[PRUNE_APPROVED_LABEL];
        assert.equal(labelOf({ automated: true, prune: true, selfHeal: true }, "production"), "true");
        assert.equal(labelOf({ automated: true, prune: false, selfHeal: true }, "production"), undefined);
        assert.equal(labelOf({ automated: false, prune: true, selfHeal: true }, "production"), undefined);
        assert.equal(labelOf({ automated: true, prune: true, selfHeal: true }, "staging"), undefined);
    });

    it("leaves out automated sync for a manual policy, keeping retry and options", () => {
        const app = argoApplication(registration({ sync: { automated: false, prune: true, selfHeal: true } }), STAGING);
        assert.deepEqual(Object.keys(app.spec.syncPolicy ?? {}), ["syncOptions", "retry"]);
    });

    it("renders a Helm chart with its values as valuesObject", () => {
        const app = argoApplication(
            registration({}, { type: "helm", path: "charts/grafana", helmValues: { replicas: 2 } }),
            STAGING,
        );
        assert.deepEqual(app.spec.source, {
            repoURL: "https://github.com/acme/payments-api.git",
            path: "charts/grafana",
            targetRevision: "main",
            helm: { valuesObject: { replicas: 2 } },
        });
    });

    it("renders plain manifests recursively, like Flux's generated kustomization", () => {
        assert.deepEqual(argoApplication(registration({}, { type: "directory" }), STAGING).spec.source.directory, {
            recurse: true,
        });
    });

    it("records dependencies as an annotation, not a sync wave (waves order nothing across Applications)", () => {
        const app = argoApplication(registration({ dependsOn: ["orders", "ledger"] }), STAGING);
        assert.deepEqual(app.metadata.annotations, { "gitops-platform.io/depends-on": "orders,ledger" });
        assert.equal(argoApplication(registration(), STAGING).metadata.annotations, undefined);
    });

    it("refuses the default AppProject", () => {
        assert.throws(
            () => argoApplication(registration(), { ...STAGING, project: "default" }),
            /"default" AppProject is locked down/,
        );
    });

    for (const type of ["kustomize", "directory", "helm"] as const) {
        for (const settings of [STAGING, PRODUCTION]) {
            it(`is valid against the Application CRD schema (${type}, ${settings.labels.environment})`, async () => {
                const Application = await model(
                    "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application",
                    "Application",
                );
                const helmValues = type === "helm" ? { persistence: { enabled: true } } : undefined;
                new Application(
                    argoApplication(registration({ dependsOn: ["ledger"] }, { type, helmValues }), settings),
                ).validate();
            });
        }
    }
});

describe("Flux source naming and refs", () => {
    const refs: [string, object][] = [
        ["v2.14.1", { tag: "v2.14.1" }],
        ["6.9.2", { tag: "6.9.2" }],
        ["grafana-10.1.4", { tag: "grafana-10.1.4" }],
        ["v1.0.0-rc.1", { tag: "v1.0.0-rc.1" }],
        ["3f9c2a17d0b54c1e8a6f0e2b9d7c4a1f5e6b8c90", { commit: "3f9c2a17d0b54c1e8a6f0e2b9d7c4a1f5e6b8c90" }],
        ["main", { branch: "main" }],
        ["release/2.x", { branch: "release/2.x" }],
    ];
    for (const [revision, ref] of refs) {
        it(`checks out ${revision} as ${Object.keys(ref)[0]}`, () => assert.deepEqual(gitRef(revision), ref));
    }

    const urls: [string, string][] = [
        ["https://github.com/grafana/helm-charts.git", "grafana-helm-charts"],
        ["git@github.com:acme/payments-api.git", "acme-payments-api"],
        ["ssh://git@github.com/acme-platform/platform-gitops.git", "acme-platform-platform-gitops"],
        ["https://gitlab.example.com/group/sub/App_Repo/", "group-sub-app-repo"],
    ];
    for (const [url, name] of urls) {
        it(`names the repository at ${url} ${name}`, () => assert.equal(repositoryNameFromUrl(url), name));
    }

    it("turns scp-like Git URLs into ssh:// URLs, which is all Flux accepts besides http(s)", () => {
        assert.equal(
            normalGitUrl("git@github.com:acme/payments-api.git"),
            "ssh://git@github.com/acme/payments-api.git",
        );
        assert.equal(normalGitUrl("ssh://git@github.com/acme/x.git"), "ssh://git@github.com/acme/x.git");
        assert.equal(normalGitUrl("https://github.com/acme/x.git"), "https://github.com/acme/x.git");
        // An absolute scp-like path is the same repository path (git's scp-like syntax), not an empty segment.
        assert.equal(normalGitUrl("git@git.example.com:/srv/app.git"), "ssh://git@git.example.com/srv/app.git");
    });

    it("names a GitRepository from repository and revision only, so apps at one revision share it", () => {
        const one = registration({ name: "a", team: "t1" }).source;
        const other = registration({ name: "b", team: "t2" }).source;
        assert.equal(gitRepositoryName(one), "acme-payments-api-main");
        assert.equal(gitRepositoryName(other), gitRepositoryName(one));
        assert.equal(gitRepositoryName({ ...one, revision: "v1.2.3" }), "acme-payments-api-v1-2-3");
    });

    it("names a managed repository's GitRepository after its name in config, even when its URL is an Output", () => {
        const access = { name: "platform-gitops" } as RepositoryAccess;
        assert.equal(
            gitRepositoryName({ ...registration().source, repoUrl: pulumi.output("ssh://x"), access }),
            "platform-gitops-main",
        );
    });

    it("refuses to name a source whose URL is an Output and whose repository is unknown", () => {
        assert.throws(
            () => gitRepositoryName({ ...registration().source, repoUrl: pulumi.output("ssh://x") }),
            /needs `access`/,
        );
    });

    it("always makes DNS labels of at most 63 characters, distinct for distinct long inputs", () => {
        fc.assert(
            fc.property(
                fc.string({ minLength: 1, maxLength: 200 }).filter((s) => /[a-z0-9]/i.test(s)),
                fc.string({ minLength: 1 }),
                (text, suffix) => {
                    const name = dnsName(text);
                    assert.ok(name.length <= 63 && DNS_LABEL.test(name), name);
                    // Over 63 characters, two different texts must not share a name, whatever they differ in.
                    const longer = `${"x".repeat(70)}${text}`;
                    assert.notEqual(dnsName(longer), dnsName(`${longer}${suffix}`));
                },
            ),
        );
    });
});

describe("Flux app objects builder", () => {
    const settings = { namespace: "flux-system", labels: platformLabels("staging") };

    it("builds a GitRepository and a Kustomization for a kustomize app exactly", () => {
        const { sources, objects } = fluxAppObjects(registration({ dependsOn: ["ledger"] }), settings);
        assert.deepEqual(sources, [
            {
                apiVersion: "source.toolkit.fluxcd.io/v1",
                kind: "GitRepository",
                metadata: {
                    name: "acme-payments-api-main",
                    namespace: "flux-system",
                    labels: { environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
                },
                spec: { url: "https://github.com/acme/payments-api.git", ref: { branch: "main" }, interval: "5m" },
            },
        ]);
        assert.deepEqual(objects, [
            {
                apiVersion: "kustomize.toolkit.fluxcd.io/v1",
                kind: "Kustomization",
                metadata: {
                    name: "payments-api",
                    namespace: "flux-system",
                    labels: { team: "payments", environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
                },
                spec: {
                    interval: "10m",
                    timeout: "5m",
                    targetNamespace: "payments-api",
                    dependsOn: [{ name: "ledger" }],
                    sourceRef: { kind: "GitRepository", name: "acme-payments-api-main" },
                    path: "./deploy/overlays/staging",
                    prune: true,
                    retryInterval: "2m",
                    wait: true,
                },
            },
        ]);
    });

    it("builds a HelmRelease from the chart in the GitRepository, rebuilt on every new revision", () => {
        const app = registration(
            {
                name: "grafana",
                team: "observability",
                namespace: "monitoring",
                sync: { automated: true, prune: false, selfHeal: false },
            },
            {
                repoUrl: "https://github.com/grafana/helm-charts.git",
                path: "charts/grafana",
                revision: "grafana-10.1.4",
                type: "helm",
                helmValues: { replicas: 1 },
            },
        );
        const { sources, objects } = fluxAppObjects(app, { ...settings, serviceAccount: "observability" });
        assert.deepEqual(sources[0].spec.ref, { tag: "grafana-10.1.4" });
        assert.deepEqual(objects, [
            {
                apiVersion: "helm.toolkit.fluxcd.io/v2",
                kind: "HelmRelease",
                metadata: {
                    name: "grafana",
                    namespace: "flux-system",
                    labels: { team: "observability", environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
                },
                spec: {
                    interval: "10m",
                    timeout: "5m",
                    targetNamespace: "monitoring",
                    serviceAccountName: "observability",
                    releaseName: "grafana",
                    storageNamespace: "monitoring",
                    chart: {
                        spec: {
                            chart: "./charts/grafana",
                            sourceRef: { kind: "GitRepository", name: "grafana-helm-charts-grafana-10-1-4" },
                            reconcileStrategy: "Revision",
                        },
                    },
                    install: { remediation: { retries: 3 } },
                    upgrade: { remediation: { retries: 3 } },
                    driftDetection: { mode: "warn" },
                    values: { replicas: 1 },
                },
            },
        ]);
    });

    it("labels a Kustomization whose automatic prune config approved", () => {
        const { objects } = fluxAppObjects(registration({ pruneApproved: true }), settings);
        assert.equal(objects[0].metadata.labels[PRUNE_APPROVED_LABEL], "true");
        assert.equal(
            fluxAppObjects(registration(), settings).objects[0].metadata.labels[PRUNE_APPROVED_LABEL],
            undefined,
        );
    });

    it("suspends a manual app, impersonates the tenant under lockdown, and uses the deploy key of a managed repository", () => {
        const access = { name: "payments-api", privateKey: pulumi.secret("deploy-key") } as RepositoryAccess;
        const { sources, objects } = fluxAppObjects(
            registration({ sync: { automated: false, prune: false, selfHeal: true } }, { access }),
            { ...settings, serviceAccount: "payments" },
        );
        assert.equal(objects[0].spec.suspend, true);
        assert.equal(objects[0].spec.serviceAccountName, "payments");
        assert.equal((objects[0].spec as { prune: boolean }).prune, false);
        assert.deepEqual(sources[0].spec.secretRef, { name: "payments-api-git-credentials" });
    });

    it("names no credentials Secret for a repository of the stack read anonymously (no deploy key)", () => {
        const access = { name: "public-charts" } as RepositoryAccess;
        const { sources } = fluxAppObjects(registration({}, { access }), settings);
        assert.equal(sources[0].metadata.name, "public-charts-main");
        assert.equal(sources[0].spec.secretRef, undefined);
    });

    for (const type of ["kustomize", "directory", "helm"] as const) {
        it(`is valid against the Flux CRD schemas (${type})`, async () => {
            const classes: Record<string, ModelClass> = {
                GitRepository: await model(
                    "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository",
                    "GitRepository",
                ),
                Kustomization: await model(
                    "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization",
                    "Kustomization",
                ),
                HelmRelease: await model(
                    "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease",
                    "HelmRelease",
                ),
            };
            const { sources, objects } = fluxAppObjects(
                registration(
                    { dependsOn: ["ledger"], sync: { automated: false, prune: false, selfHeal: true } },
                    {
                        type,
                        repoUrl: "git@github.com:acme/payments-api.git",
                        helmValues: type === "helm" ? { a: 1 } : undefined,
                    },
                ),
                { ...settings, serviceAccount: "payments" },
            );
            for (const object of [...sources, ...objects]) {
                new classes[object.kind](object).validate();
            }
        });
    }
});

/**
 * Teams and apps through the offline plan: what each app gets (namespace, quota, limits, team
 * access, secrets, engine registration), stable identity across app lists, outputs, schema validity.
 * Apps register with the real engine the config selects (ArgoCd or Flux); the secrets store only
 * records what it is asked for.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App } from "../components/apps";
import { platformLabels } from "../components/core/labels";
import { ClusterHandle } from "../components/cluster/types";
import { IN_CLUSTER } from "../components/gitops/argocd/application";
import { ApplicationRegistration, GitopsEngine, TeamRegistration } from "../components/gitops/types";
import { RepositoryAccess, RepositoryHandle } from "../components/repository/types";
import { AppSecrets, PlatformSecret, SecretsStore } from "../components/secrets/types";
import { PlannedResource } from "../plan/recorder";
import { registerApps, resolveSource, resolveSyncPolicy, teamRegistrations } from "../stacks/apps";
import { PROFILES } from "../stacks/profiles";
import { createEngine } from "../stacks/engine";
import { PlatformConfig } from "../stacks/config";
import { AppConfig, dependencyCycle } from "../stacks/config/apps";
import {
    assertProblemAt,
    byName,
    configProblems,
    importEsm,
    ofType,
    planProgram,
    planStack,
    platformConfig,
    StackOverrides,
    stackValue,
} from "./harness";

const APP = "gitops-platform:apps:App";
const TEAM = "gitops-platform:apps:Team";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const QUOTA = "kubernetes:core/v1:ResourceQuota";
const LIMITS = "kubernetes:core/v1:LimitRange";
const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";
const APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject";
const APP_SECRET = "test:secrets:AppSecret";
const GIT_REPOSITORY = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository";
const KUSTOMIZATION = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
const HELM_RELEASE = "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease";

const repoUrl = (name: string) => `ssh://git@github.com/acme-platform/${name}.git`;

function fakeAccess(name: string): RepositoryAccess {
    return {
        name,
        url: pulumi.output(repoUrl(name)),
        branch: "main",
        privateKey: pulumi.secret("key"),
        publicKey: pulumi.output("ssh-ed25519 AAAA"),
        knownHosts: "github.com ssh-ed25519 AAAA",
    };
}

/**
 * Declares nothing of its own (components/secrets has its own tests): each request becomes a bare
 * component holding what was asked for, for the parent, dependsOn and request checks.
 */
class RecordingSecretsStore implements SecretsStore {
    readonly storeName = "platform";
    readonly chartVersion = "2.9.0";
    readonly ready: pulumi.Resource[] = [];
    deliver(name: string, _secret: PlatformSecret, opts: { parent: pulumi.Resource }): pulumi.Resource {
        return new pulumi.ComponentResource("test:secrets:Delivered", name, {}, { parent: opts.parent });
    }
    appSecret(secrets: AppSecrets, opts: { parent: pulumi.Resource }): pulumi.Resource {
        return new pulumi.ComponentResource(
            APP_SECRET,
            `${secrets.app}-secrets`,
            { ...secrets },
            { parent: opts.parent },
        );
    }
}

/** Records registrations only, to test App's own checks apart from any engine. */
class RecordingEngine implements GitopsEngine {
    readonly kind = "argocd";
    readonly namespace = "argocd";
    readonly ready: pulumi.Resource[] = [];
    readonly versions = { chart: "0.0.0", app: "0.0.0" };
    readonly tenantNamespaceAnnotations = {};
    readonly registered: string[] = [];
    registerTeam(team: TeamRegistration): pulumi.Resource[] {
        this.registered.push(`team ${team.name}`);
        return [];
    }
    registerApplication(app: ApplicationRegistration): pulumi.Resource[] {
        this.registered.push(`app ${app.name}`);
        return [];
    }
}

/** Plans the stack's apps with the engine the config selects (the real ArgoCd or Flux, from stacks/engine.ts). */
async function planApps(config: PlatformConfig) {
    return planProgram(async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const cluster: ClusterHandle = { kind: "existing", clusterName: pulumi.output("test"), provider, ready: [] };
        const repositories: RepositoryHandle = {
            gitops: fakeAccess(config.gitopsRepository.name),
            appRepositories: Object.fromEntries(
                Object.keys(config.github?.appRepositories ?? {}).map((name) => [name, fakeAccess(name)]),
            ),
            ready: [],
        };
        const secrets = new RecordingSecretsStore();
        const engine = createEngine(config, { cluster, repositories, secrets });
        return { apps: await registerApps(config, { cluster, engine, repositories, secrets }) };
    }, config.stack);
}

/** Flux with tenant lockdown instead of the stack's engine. */
const FLUX: StackOverrides = { set: { "gitops-platform:engine": { type: "flux", multitenancy: true } } };

/** `count` apps of one team, alternating between the GitOps repository and a public URL. */
function generatedApps(count: number, team = "payments"): AppConfig[] {
    return Array.from({ length: count }, (_, i) => ({
        name: `app-${String(i).padStart(2, "0")}`,
        team,
        source:
            i % 2 === 0
                ? { path: `apps/app-${i}`, revision: "main", type: "kustomize" as const }
                : {
                      url: "https://github.com/acme/shared-charts.git",
                      path: `charts/app-${i}`,
                      revision: "v1.0.0",
                      type: "helm" as const,
                  },
        secretKeys: [],
        dependsOn: [],
    }));
}

/** Resources of a type outside the engine's own (its namespace, release, platform project...). */
const ofApps = (resources: readonly PlannedResource[], type: string) =>
    ofType(resources, type).filter((r) => !r.urn.includes("gitops-platform:gitops:"));
const urns = (resources: readonly PlannedResource[]) =>
    new Set(resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.urn));
const ofApp = (resources: readonly PlannedResource[], app: string) =>
    resources.filter((r) => r.name === app || r.name.startsWith(`${app}-`));
const labels = (team: string, environment: string) => ({ team, environment, "app.kubernetes.io/managed-by": "pulumi" });
/** App namespaces enforce Pod Security `restricted` (label keys: k8s.io/pod-security-admission api/constants.go). */
const RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
};
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("apps: what each app of a stack gets", () => {
    it("declares exactly one of each object per app in staging (Argo CD)", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        const counts = Object.fromEntries(
            [APP, TEAM, NAMESPACE, QUOTA, LIMITS, CLUSTER_ROLE, BINDING, APPLICATION, APP_PROJECT, APP_SECRET].map(
                (type) => [type, ofApps(resources, type).length],
            ),
        );
        assert.deepEqual(counts, {
            [APP]: 3,
            [TEAM]: 3,
            [NAMESPACE]: 3,
            [QUOTA]: 3,
            [LIMITS]: 3,
            [CLUSTER_ROLE]: 1,
            [BINDING]: 3,
            [APPLICATION]: 3,
            [APP_PROJECT]: 3,
            [APP_SECRET]: 1,
        });
        assert.deepEqual(
            ofType(resources, APP)
                .map((r) => r.name)
                .sort(),
            ["checkout-web", "grafana", "payments-api"],
        );
    });

    it("labels each namespace with team and environment, named as config says", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        assert.deepEqual(byName(resources, NAMESPACE, "checkout-web-namespace").inputs.metadata, {
            name: "checkout",
            labels: { ...labels("storefront", "staging"), ...RESTRICTED },
        });
        assert.deepEqual(byName(resources, NAMESPACE, "payments-api-namespace").inputs.metadata, {
            name: "payments-api",
            labels: { ...labels("payments", "staging"), ...RESTRICTED },
        });
        assert.equal(byName(resources, NAMESPACE, "payments-api-namespace").provider?.split("::")[3], "cluster");
    });

    it("keeps production namespaces when an app is removed (retainOnDelete), not staging ones", async () => {
        const production = await planApps(platformConfig("production"));
        const staging = await planApps(platformConfig("staging"));
        assert.deepEqual(
            ofApps(production.resources, NAMESPACE).map((r) => r.options.retainOnDelete),
            [true, true, true],
        );
        assert.deepEqual(
            ofApps(staging.resources, NAMESPACE).map((r) => r.options.retainOnDelete),
            [false, false, false],
        );
    });

    it("gives staging apps the environment's quota and container defaults", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        assert.deepEqual(byName(resources, QUOTA, "grafana-quota").inputs, {
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { name: "app-quota", namespace: "monitoring", labels: labels("observability", "staging") },
            spec: {
                hard: {
                    "requests.cpu": "4",
                    "requests.memory": "8Gi",
                    "limits.cpu": "8",
                    "limits.memory": "16Gi",
                    pods: "50",
                },
            },
        });
        assert.deepEqual(byName(resources, LIMITS, "grafana-limits").inputs, {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: {
                name: "container-defaults",
                namespace: "monitoring",
                labels: labels("observability", "staging"),
            },
            spec: {
                limits: [
                    {
                        type: "Container",
                        default: { cpu: "500m", memory: "512Mi" },
                        defaultRequest: { cpu: "100m", memory: "128Mi" },
                    },
                ],
            },
        });
    });

    it("applies config appDefaults over the environment's, then the app's own over both", async () => {
        const apps = stackValue<AppConfig[]>("production", "gitops-platform:apps");
        const withOverride = apps.map((app) =>
            app.name === "grafana"
                ? { ...app, quota: { pods: 10, limitsMemory: "12Gi" }, limits: { defaultMemory: "2Gi" } }
                : app,
        );
        const { resources } = await planApps(
            platformConfig("production", { set: { "gitops-platform:apps": withOverride } }),
        );
        // Pulumi.production.yaml sets appDefaults.quota to 8 / 16Gi / 16 / 32Gi / 100.
        assert.deepEqual((byName(resources, QUOTA, "payments-api-quota").inputs.spec as { hard: unknown }).hard, {
            "requests.cpu": "8",
            "requests.memory": "16Gi",
            "limits.cpu": "16",
            "limits.memory": "32Gi",
            pods: "100",
        });
        assert.deepEqual((byName(resources, QUOTA, "grafana-quota").inputs.spec as { hard: unknown }).hard, {
            "requests.cpu": "8",
            "requests.memory": "16Gi",
            "limits.cpu": "16",
            "limits.memory": "12Gi",
            pods: "10",
        });
        assert.deepEqual((byName(resources, LIMITS, "grafana-limits").inputs.spec as { limits: unknown[] }).limits, [
            {
                type: "Container",
                default: { cpu: "1", memory: "2Gi" },
                defaultRequest: { cpu: "250m", memory: "256Mi" },
            },
        ]);
    });

    it("binds each app's team, in the app's namespace only, to the stack's one team ClusterRole: read, logs and pod restarts; exec and port-forward outside production only", async () => {
        const staging = await planApps(platformConfig("staging"));
        const production = await planApps(platformConfig("production"));
        const roles = ofType(staging.resources, CLUSTER_ROLE);
        assert.equal(roles.length, 1, "one ClusterRole for every app of the stack");
        assert.deepEqual(roles[0].inputs.metadata, {
            name: "gitops-team-access",
            labels: { environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
        });
        type Rule = { resources: string[]; verbs: string[] };
        const stagingRules = roles[0].inputs.rules as Rule[];
        const productionRules = ofType(production.resources, CLUSTER_ROLE)[0].inputs.rules as Rule[];
        assert.deepEqual(stagingRules, [
            ...productionRules,
            { apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["create", "get"] },
        ]);
        const verbs = productionRules.flatMap((rule) =>
            rule.verbs.map((verb) => `${verb} ${rule.resources.join(",")}`),
        );
        assert.deepEqual(
            verbs.filter((v) => !/^(get|list|watch) /.test(v)),
            ["delete pods"],
        );
        assert.ok(!stagingRules.some((rule) => rule.resources.includes("secrets")), "teams read no Secrets");
        // A RoleBinding to a ClusterRole grants its rules only in the binding's namespace (Kubernetes
        // docs, reference/access-authn-authz/rbac, "RoleBinding and ClusterRoleBinding").
        assert.deepEqual(byName(staging.resources, BINDING, "payments-api-team-binding").inputs, {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "team-payments", namespace: "payments-api", labels: labels("payments", "staging") },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "gitops-team-access" },
            subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "acme:payments" }],
        });
    });

    it("declares no team ClusterRole in a stack without apps", async () => {
        const { resources } = await planApps({ ...platformConfig("staging"), apps: [] });
        assert.deepEqual(ofType(resources, CLUSTER_ROLE), []);
    });

    it("asks the store for the app's secret keys in its namespace", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        const request = byName(resources, APP_SECRET, "payments-api-secrets");
        assert.deepEqual(request.inputs, {
            app: "payments-api",
            namespace: "payments-api",
            keys: ["database-url", "stripe-api-key"],
        });
        assert.equal(ofType(resources, APP_SECRET).length, 1, "only payments-api reads secrets");
        assert.equal(request.parent, byName(resources, APP, "payments-api").urn);
    });

    it("refuses an app with secret keys in a stack without a secrets store, registering nothing", async () => {
        const engine = new RecordingEngine();
        await assert.rejects(
            planProgram(() => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                new App("payments-api", {
                    registration: {
                        name: "payments-api",
                        team: "payments",
                        namespace: "payments-api",
                        source: { repoUrl: "https://x/y.git", path: "p", revision: "main", type: "kustomize" },
                        sync: resolveSyncPolicy("local"),
                        pruneApproved: false,
                        dependsOn: [],
                    },
                    labels: platformLabels("local"),
                    quota: PROFILES.local.quota,
                    limits: PROFILES.local.limits,
                    teamRole: "gitops-team-access",
                    retainNamespace: false,
                    groups: ["g"],
                    secretKeys: ["token"],
                    provider,
                    engine,
                });
                return {};
            }),
            /app payments-api reads secrets token but the stack has no secrets store/,
        );
        assert.deepEqual(engine.registered, []);
    });

    it("gives each namespace a default-deny NetworkPolicy that admits the engine's namespace", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        const policy = byName(resources, NETWORK_POLICY, "payments-api-default-deny");
        assert.deepEqual(policy.inputs.metadata, {
            name: "default-deny",
            namespace: "payments-api",
            labels: labels("payments", "staging"),
        });
        assert.deepEqual((policy.inputs.spec as { policyTypes: string[] }).policyTypes, ["Ingress", "Egress"]);
        assert.equal(ofApps(resources, NETWORK_POLICY).length, ofApps(resources, NAMESPACE).length);
    });

    it("registers each app after its namespace, quota, limits, isolation, secrets, team project, the engine and its repository credential exist", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        const urnOf = (type: string, name: string) => byName(resources, type, name).urn;
        assert.deepEqual(
            [...byName(resources, APPLICATION, "payments-api-application").options.dependsOn].sort(),
            [
                urnOf(NAMESPACE, "payments-api-namespace"),
                urnOf(QUOTA, "payments-api-quota"),
                urnOf(LIMITS, "payments-api-limits"),
                urnOf(APP_SECRET, "payments-api-secrets"),
                urnOf(APP_PROJECT, "payments-appproject"),
                urnOf(NETWORK_POLICY, "payments-api-default-deny"),
                urnOf("kubernetes:helm.sh/v3:Release", "argocd-release"),
                urnOf("test:secrets:Delivered", "argocd-repo-payments-api"),
            ].sort(),
        );
    });

    it("registers each team with its apps' namespaces and source repositories", async () => {
        const { resources } = await planApps(platformConfig("staging"));
        const spec = (team: string) =>
            byName(resources, APP_PROJECT, `${team}-appproject`).inputs.spec as {
                sourceRepos: unknown;
                destinations: unknown;
            };
        assert.deepEqual(spec("observability").sourceRepos, ["https://github.com/grafana/helm-charts.git"]);
        assert.deepEqual(spec("observability").destinations, [{ server: IN_CLUSTER, namespace: "monitoring" }]);
        assert.deepEqual(spec("payments").sourceRepos, [repoUrl("payments-api")]);
        assert.deepEqual(spec("payments").destinations, [{ server: IN_CLUSTER, namespace: "payments-api" }]);
    });

    it("syncs each app with the environment's policy, overridden per app", async () => {
        const staging = await planApps(platformConfig("staging"));
        const production = await planApps(platformConfig("production"));
        const automated = (plan: typeof staging, app: string) =>
            (
                byName(plan.resources, APPLICATION, `${app}-application`).inputs.spec as {
                    syncPolicy: { automated: unknown };
                }
            ).syncPolicy.automated;
        assert.deepEqual(automated(staging, "payments-api"), { prune: true, selfHeal: true });
        assert.deepEqual(
            automated(staging, "grafana"),
            { prune: false, selfHeal: true },
            "grafana sets sync.prune: false in staging",
        );
        assert.deepEqual(automated(production, "payments-api"), { prune: false, selfHeal: true });
    });

    it("outputs each app's team, namespace, source and revision", async () => {
        const { outputs } = await planApps(platformConfig("production"));
        assert.deepEqual(outputs.apps, {
            "payments-api": {
                team: "payments",
                namespace: "payments-api",
                repoUrl: repoUrl("payments-api"),
                path: "deploy/overlays/production",
                revision: "refs/tags/v2.14.1",
                type: "kustomize",
            },
            "checkout-web": {
                team: "storefront",
                namespace: "checkout",
                repoUrl: repoUrl("checkout-web"),
                path: "deploy/overlays/production",
                revision: "refs/tags/v5.3.0",
                type: "kustomize",
            },
            grafana: {
                team: "observability",
                namespace: "monitoring",
                repoUrl: "https://github.com/grafana/helm-charts.git",
                path: "charts/grafana",
                revision: "1dcaa30574cd4ce4c54a7d5ca16867f88de7ee16",
                type: "helm",
            },
        });
    });
});

describe("apps: sizes and stable identity", () => {
    for (const count of [1, 50]) {
        it(`plans ${count} generated app${count === 1 ? "" : "s"} with exactly the objects of each`, async () => {
            const { resources, outputs } = await planApps(
                platformConfig("staging", { set: { "gitops-platform:apps": generatedApps(count) } }),
            );
            for (const type of [APP, NAMESPACE, QUOTA, LIMITS, BINDING, APPLICATION]) {
                assert.equal(ofApps(resources, type).length, count, type);
            }
            assert.equal(ofType(resources, TEAM).length, 3);
            assert.equal(ofType(resources, CLUSTER_ROLE).length, 1, "one team ClusterRole whatever the number of apps");
            assert.equal(Object.keys(outputs.apps as object).length, count);
        });
    }

    it("keeps every other app's URNs when apps are reordered, one removed and one added", async () => {
        const apps = generatedApps(6);
        const before = await planApps(platformConfig("staging", { set: { "gitops-platform:apps": apps } }));
        const changed = [...apps.slice(3), apps[0], apps[1], generatedApps(7)[6]].reverse(); // app-02 removed, app-06 added
        const after = await planApps(platformConfig("staging", { set: { "gitops-platform:apps": changed } }));
        const removed = urns(ofApp(before.resources, "app-02"));
        const added = urns(ofApp(after.resources, "app-06"));
        assert.equal(removed.size, 7); // the App, its namespace, quota, limits, NetworkPolicy, RoleBinding and Application
        assert.deepEqual(
            [...urns(after.resources)].filter((urn) => !urns(before.resources).has(urn)).sort(),
            [...added].sort(),
        );
        assert.deepEqual(
            [...urns(before.resources)].filter((urn) => !urns(after.resources).has(urn)).sort(),
            [...removed].sort(),
        );
    });

    it("with Flux, declares one GitRepository per repository and revision, and keeps it when the app that first used it goes", async () => {
        const apps = generatedApps(4, "demo");
        const before = await planApps(platformConfig("local", { set: { "gitops-platform:apps": apps } }));
        assert.deepEqual(
            ofType(before.resources, GIT_REPOSITORY)
                .map((r) => r.name)
                .sort(),
            ["flux-source-acme-shared-charts-v1-0-0", "flux-source-platform-gitops-main"],
        );
        assert.deepEqual(
            ofType(before.resources, KUSTOMIZATION)
                .map((r) => r.name)
                .sort(),
            ["app-00-kustomization", "app-02-kustomization"],
        );
        assert.deepEqual(
            ofType(before.resources, HELM_RELEASE)
                .map((r) => r.name)
                .sort(),
            ["app-01-helmrelease", "app-03-helmrelease"],
        );
        const after = await planApps(platformConfig("local", { set: { "gitops-platform:apps": apps.slice(1) } }));
        assert.deepEqual(
            ofType(after.resources, GIT_REPOSITORY)
                .map((r) => r.urn)
                .sort(),
            ofType(before.resources, GIT_REPOSITORY)
                .map((r) => r.urn)
                .sort(),
        );
    });
});

describe("apps: with each engine", () => {
    it("registers one Argo CD Application per app, in the team's AppProject, after the namespace", async () => {
        const { resources } = await planApps(platformConfig("production"));
        const applications = ofType(resources, APPLICATION).filter((r) => r.parent?.includes(APP));
        assert.deepEqual(
            applications.map((r) => `${r.name}:${(r.inputs.spec as { project: string }).project}`).sort(),
            [
                "checkout-web-application:storefront",
                "grafana-application:observability",
                "payments-api-application:payments",
            ],
        );
        for (const application of applications) {
            const app = application.name.replace(/-application$/, "");
            assert.ok(
                application.options.dependsOn.includes(byName(resources, NAMESPACE, `${app}-namespace`).urn),
                app,
            );
        }
    });

    it("with Flux, keeps the other apps' URNs when one app is removed", async () => {
        const apps = stackValue<AppConfig[]>("staging", "gitops-platform:apps");
        const before = await planApps(platformConfig("staging", FLUX));
        const after = await planApps(
            platformConfig("staging", {
                set: { ...FLUX.set, "gitops-platform:apps": apps.filter((a) => a.name !== "grafana") },
            }),
        );
        const gone = [...urns(before.resources)].filter((urn) => !urns(after.resources).has(urn));
        assert.ok(gone.length > 0);
        // The tenant role with Secrets for Helm's storage was grafana's alone (the only helm app): it goes with it.
        assert.deepEqual(
            gone.filter((urn) => !/grafana/.test(urn) && !urn.endsWith("::flux-tenant-role-helm-storage")),
            [],
        );
        assert.deepEqual(
            [...urns(after.resources)].filter((urn) => !urns(before.resources).has(urn)),
            [],
        );
    });
});

describe("apps: in the checked-in stacks", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack} registers its three apps, each with its objects, and outputs them`, async () => {
            const { resources, outputs } = await planStack(stack);
            const names = stackValue<AppConfig[]>(stack, "gitops-platform:apps").map((app) => app.name);
            assert.deepEqual(
                ofType(resources, APP).map((r) => r.name),
                names,
            );
            for (const type of [NAMESPACE, QUOTA, LIMITS, BINDING]) {
                const appUrns = ofType(resources, APP).map((r) => r.urn);
                assert.deepEqual(
                    ofType(resources, type)
                        .filter((r) => r.parent?.includes(APP))
                        .map((r) => r.parent),
                    appUrns,
                    type,
                );
            }
            assert.deepEqual(
                ofType(resources, APPLICATION)
                    .filter((r) => r.parent?.includes(APP))
                    .map((r) => r.name)
                    .sort(),
                names.map((n) => `${n}-application`).sort(),
            );
            const apps = outputs.apps as Record<string, { revision: string }>;
            assert.deepEqual(
                Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, app.revision])),
                Object.fromEntries(
                    stackValue<AppConfig[]>(stack, "gitops-platform:apps").map((app) => [
                        app.name,
                        app.source.revision,
                    ]),
                ),
            );
        });
    }
});

describe("apps: every object is valid against its schema", () => {
    const CORE: Record<string, [string, string]> = {
        [NAMESPACE]: ["kubernetes-models/v1/Namespace", "Namespace"],
        [QUOTA]: ["kubernetes-models/v1/ResourceQuota", "ResourceQuota"],
        [LIMITS]: ["kubernetes-models/v1/LimitRange", "LimitRange"],
        [CLUSTER_ROLE]: ["kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole", "ClusterRole"],
        [BINDING]: ["kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding", "RoleBinding"],
        "kubernetes:networking.k8s.io/v1:NetworkPolicy": [
            "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
            "NetworkPolicy",
        ],
        [APPLICATION]: ["@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application", "Application"],
        [GIT_REPOSITORY]: ["@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository", "GitRepository"],
        [KUSTOMIZATION]: ["@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization", "Kustomization"],
        [HELM_RELEASE]: ["@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease", "HelmRelease"],
    };

    const cases: [string, StackOverrides][] = [
        ["staging", {}],
        ["production", {}],
        ["local", {}],
        ["staging", FLUX],
    ];
    for (const [stack, overrides] of cases) {
        it(`${stack} with ${overrides.set ? "Flux (tenant lockdown)" : "its own engine"}`, async () => {
            const { resources } = await planApps(platformConfig(stack, overrides));
            const checked = resources.filter((r) => r.type in CORE);
            assert.ok(checked.length >= 7);
            for (const resource of checked) {
                const [specifier, name] = CORE[resource.type];
                const Model = (await importEsm<Record<string, new (data: unknown) => { validate(): void }>>(specifier))[
                    name
                ];
                assert.doesNotThrow(() => new Model(resource.inputs).validate(), `${resource.name}`);
            }
        });
    }
});

describe("apps: sync policy and sources (pure)", () => {
    const policies: [string, Parameters<typeof resolveSyncPolicy>, object][] = [
        ["staging default", ["staging"], { automated: true, prune: true, selfHeal: true }],
        ["production default", ["production"], { automated: true, prune: false, selfHeal: true }],
        ["local default", ["local"], { automated: true, prune: true, selfHeal: true }],
        [
            "production, app opts into prune",
            ["production", undefined, { prune: true }],
            { automated: true, prune: true, selfHeal: true },
        ],
        [
            "staging, appDefaults manual, app keeps it",
            ["staging", { automated: false }, { prune: false }],
            { automated: false, prune: false, selfHeal: true },
        ],
        [
            "production, appDefaults prune, app turns it off again",
            ["production", { prune: true }, { prune: false }],
            { automated: true, prune: false, selfHeal: true },
        ],
    ];
    for (const [name, args, expected] of policies) {
        it(name, () => assert.deepEqual(resolveSyncPolicy(...args), expected));
    }

    const repositories: RepositoryHandle = {
        gitops: fakeAccess("platform-gitops"),
        appRepositories: { "payments-api": fakeAccess("payments-api") },
        ready: [],
    };
    const app = (source: Partial<AppConfig["source"]>): AppConfig => ({
        name: "a",
        team: "t",
        source: { path: "p", revision: "main", type: "kustomize", ...source },
        secretKeys: [],
        dependsOn: [],
    });

    it("takes a named app repository with its deploy key", () => {
        assert.equal(
            resolveSource(app({ repository: "payments-api" }), "platform-gitops", repositories).access,
            repositories.appRepositories["payments-api"],
        );
    });
    it("takes the GitOps repository by name or when no source is given", () => {
        assert.equal(
            resolveSource(app({ repository: "platform-gitops" }), "platform-gitops", repositories).access,
            repositories.gitops,
        );
        assert.equal(resolveSource(app({}), "platform-gitops", repositories).repoUrl, repositories.gitops.url);
    });
    it("takes a URL as given, with no deploy key", () => {
        assert.deepEqual(
            resolveSource(
                app({ url: "https://example.com/x.git", type: "helm", helmValues: { a: 1 } }),
                "platform-gitops",
                repositories,
            ),
            { repoUrl: "https://example.com/x.git", path: "p", revision: "main", type: "helm", helmValues: { a: 1 } },
        );
    });
    it("takes a repository of the stack read anonymously with its access, though it has no key", () => {
        const charts = { ...fakeAccess("charts"), privateKey: undefined, publicKey: undefined };
        const handle = { gitops: repositories.gitops, appRepositories: { charts }, ready: [] };
        assert.equal(resolveSource(app({ repository: "charts" }), "platform-gitops", handle).access, charts);
    });
    it("plans a Flux app from the anonymously read GitOps repository (local stack, no source URL)", async () => {
        // Flux names a source by its repository; without access it could not name one whose URL is an Output.
        const [podinfo] = stackValue<AppConfig[]>("local", "gitops-platform:apps");
        const fromGitops = { ...podinfo, source: { path: "apps/podinfo", revision: "main" } };
        const plan = await planStack("local", { set: { "gitops-platform:apps": [fromGitops] } });
        const source = byName(
            plan.resources,
            "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
            "flux-source-platform-gitops-main",
        );
        assert.equal(source.inputs.spec && (source.inputs.spec as { secretRef?: unknown }).secretRef, undefined);
    });
    it("lists each repository of a team once, the anonymously read ones (whose URL is an Output) included", () => {
        const anonymous = (name: string) => ({ ...fakeAccess(name), privateKey: undefined, publicKey: undefined });
        const handle = {
            gitops: anonymous("platform-gitops"),
            appRepositories: { charts: anonymous("charts") },
            ready: [],
        };
        const apps = [
            { ...app({}), name: "a" },
            { ...app({ repository: "platform-gitops" }), name: "b" },
            { ...app({ repository: "charts" }), name: "c" },
            { ...app({ url: "https://example.com/x.git" }), name: "d" },
            { ...app({ url: "https://example.com/x.git" }), name: "e" },
        ];
        const sources = Object.fromEntries(apps.map((a) => [a.name, resolveSource(a, "platform-gitops", handle)]));
        const staging = platformConfig("staging");
        const gitopsRepository = { ...staging.gitopsRepository, name: "platform-gitops" };
        const [team] = teamRegistrations({ teams: { t: { groups: [] } }, apps, gitopsRepository }, sources);
        assert.equal(team.sourceRepos.length, 3);
        assert.equal(team.sourceRepos[0], handle.gitops.url);
        assert.equal(team.sourceRepos[1], handle.appRepositories.charts.url);
        assert.equal(team.sourceRepos[2], "https://example.com/x.git");
    });
});

describe("apps: bad dependencies in config", () => {
    const base = stackValue<AppConfig[]>("staging", "gitops-platform:apps");
    const cases: [string, (apps: AppConfig[]) => AppConfig[], string, RegExp][] = [
        [
            "a dependency cycle",
            (apps) => apps.map((a) => (a.name === "payments-api" ? { ...a, dependsOn: ["checkout-web"] } : a)),
            "gitops-platform:apps[0].dependsOn",
            /dependency cycle payments-api → checkout-web → payments-api/,
        ],
        [
            "an abbreviated commit SHA",
            (apps) =>
                apps.map((a) => (a.name === "grafana" ? { ...a, source: { ...a.source, revision: "3f9c2a1" } } : a)),
            "gitops-platform:apps[2].source.revision",
            /full 40-character SHA/,
        ],
        [
            "a kustomize app depending on a helm app",
            (apps) => apps.map((a) => (a.name === "checkout-web" ? { ...a, dependsOn: ["grafana"] } : a)),
            "gitops-platform:apps[1].dependsOn[0]",
            /Flux orders only apps of the same kind/,
        ],
    ];
    for (const [name, change, key, message] of cases) {
        it(`rejects ${name}, naming ${key}`, () => {
            assertProblemAt(configProblems("staging", { set: { "gitops-platform:apps": change(base) } }), key, message);
        });
    }
});

describe("apps: dependency cycles (property)", () => {
    // Edges from each app to apps listed before it form a DAG; one edge back from the first to the last closes a cycle.
    const graphs = fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 2, maxLength: 30 }).map((targets) =>
        targets.map((picks, i) => ({
            name: `a${i}`,
            dependsOn: i === 0 ? [] : [...new Set(picks.map((p) => `a${p % i}`))],
        })),
    );

    it("finds no cycle in a graph whose edges all point to earlier apps", () => {
        fc.assert(
            fc.property(graphs, (apps) => {
                const byName = new Map(apps.map((app) => [app.name, app]));
                assert.ok(apps.every((app) => dependencyCycle(app.name, byName) === undefined));
            }),
        );
    });

    it("finds a cycle exactly when a back edge closes one, as a path of dependencies from the app back to itself", () => {
        /** The test's own search: whether `from` reaches `to` through dependencies. */
        const reaches = (graph: Map<string, readonly string[]>, from: string, to: string): boolean => {
            const seen = new Set<string>();
            const stack = [from];
            while (stack.length > 0) {
                const name = stack.pop()!;
                if (name === to) {
                    return true;
                }
                if (!seen.has(name)) {
                    seen.add(name);
                    stack.push(...(graph.get(name) ?? []));
                }
            }
            return false;
        };
        const withBackEdge = graphs.chain((apps) =>
            fc
                .tuple(fc.nat(apps.length - 2), fc.nat(apps.length - 1))
                .map(([i, offset]) => ({ apps, from: i, to: i + 1 + (offset % (apps.length - 1 - i)) })),
        );
        fc.assert(
            fc.property(withBackEdge, ({ apps, from, to }) => {
                // Every edge points to an earlier app but this one, from a<from> to the later a<to>.
                const start = `a${from}`;
                const closed = apps.map((app) =>
                    app.name === start ? { ...app, dependsOn: [...app.dependsOn, `a${to}`] } : app,
                );
                const graph = new Map(closed.map((app) => [app.name, app.dependsOn]));
                const cycle = dependencyCycle(start, new Map(closed.map((app) => [app.name, app])));
                if (!reaches(graph, `a${to}`, start)) {
                    assert.equal(cycle, undefined);
                    return;
                }
                assert.ok(cycle !== undefined, "a cycle exists");
                assert.equal(cycle[0], start);
                assert.equal(cycle[cycle.length - 1], start);
                assert.equal(new Set(cycle.slice(0, -1)).size, cycle.length - 1, "no app twice before the end");
                for (let k = 1; k < cycle.length; k++) {
                    assert.ok(graph.get(cycle[k - 1])!.includes(cycle[k]), `${cycle[k - 1]} → ${cycle[k]}`);
                }
            }),
        );
    });
});

describe("app namespaces under each engine", () => {
    it("protects a tenant's namespace from Flux pruning on the local (Flux) stack", async () => {
        const { resources } = await planStack("local");
        assert.deepEqual(byName(resources, NAMESPACE, "podinfo-namespace").inputs.metadata, {
            name: "podinfo",
            labels: { ...labels("demo", "local"), ...RESTRICTED },
            annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" },
        });
    });

    it("adds no engine annotation under Argo CD, which never prunes what it did not apply", async () => {
        const { resources } = await planStack("staging");
        const appNamespaces = ofType(resources, NAMESPACE).filter((r) =>
            r.parent?.includes("gitops-platform:apps:App"),
        );
        assert.equal(appNamespaces.length, 3);
        for (const namespace of appNamespaces) {
            assert.equal(
                (namespace.inputs.metadata as { annotations?: unknown }).annotations,
                undefined,
                namespace.name,
            );
        }
    });
});

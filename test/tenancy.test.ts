/** Tenant isolation: PSA labels, default-deny NetworkPolicy, the kinds teams may ship, the Flux tenant ClusterRole. */
import * as assert from "node:assert/strict";
import {
    defaultDenySpec,
    enforcedLevel,
    PLATFORM_INGRESS_POLICY,
    platformIngressSpec,
    podSecurityLabels,
    POD_SECURITY,
} from "../components/core/isolation";
import { FORBIDDEN_TENANT_GROUPS, fluxTenantRules, TENANT_KINDS, tenantWhitelist } from "../components/gitops/tenancy";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declarePlatformChart } from "../components/core/platformChart";
import { PlannedResource } from "../plan/recorder";
import { byName, importEsm, planProgram, planStack } from "./harness";

describe("tenancy: Pod Security Admission labels", () => {
    it("enforce the level asked, warn and audit at restricted (keys of k8s.io/pod-security-admission api/constants.go)", () => {
        assert.deepEqual(podSecurityLabels("restricted"), {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
        assert.equal(enforcedLevel(podSecurityLabels("baseline")), "baseline");
        assert.equal(enforcedLevel({}), undefined);
    });

    it("apps run restricted, the platform at least baseline", () => {
        assert.deepEqual(POD_SECURITY, { app: "restricted", platform: "baseline" });
    });
});

describe("tenancy: default-deny NetworkPolicy", () => {
    const spec = defaultDenySpec("argocd");

    it("selects every pod and denies both directions by default", () => {
        assert.deepEqual(spec.podSelector, {});
        assert.deepEqual(spec.policyTypes, ["Ingress", "Egress"]);
    });

    it("admits the same namespace and the engine's namespace in; DNS to kube-dns and the same namespace out", () => {
        assert.deepEqual(spec.ingress, [
            {
                from: [
                    { podSelector: {} },
                    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "argocd" } } },
                ],
            },
        ]);
        assert.deepEqual(spec.egress, [
            { to: [{ podSelector: {} }] },
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ]);
    });

    it("is a valid networking.k8s.io/v1 NetworkPolicy (kubernetes-models schema)", async () => {
        const { NetworkPolicy } = await importEsm<{ NetworkPolicy: new (d: unknown) => { validate(): void } }>(
            "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
        );
        assert.doesNotThrow(() =>
            new NetworkPolicy({ metadata: { name: "default-deny", namespace: "x" }, spec }).validate(),
        );
    });
});

describe("tenancy: platform namespaces' ingress", () => {
    const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

    it("denies ingress except from the namespace's own pods and on the named ports given; egress stays open", () => {
        assert.deepEqual(platformIngressSpec({ scrapedPorts: ["metrics"], openPorts: ["webhook"] }), {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: {} }] },
                { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: "metrics" }] },
                { ports: [{ protocol: "TCP", port: "webhook" }] },
            ],
        });
        assert.deepEqual(platformIngressSpec().ingress, [{ from: [{ podSelector: {} }] }]);
    });

    it("is a valid networking.k8s.io/v1 NetworkPolicy (kubernetes-models schema)", async () => {
        const { NetworkPolicy } = await importEsm<{ NetworkPolicy: new (d: unknown) => { validate(): void } }>(
            "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
        );
        const spec = platformIngressSpec({ scrapedPorts: ["metrics"], openPorts: ["webhook"] });
        assert.doesNotThrow(() => new NetworkPolicy({ metadata: { name: "x", namespace: "x" }, spec }).validate());
    });

    // Port names: argo-helm charts/argo-cd 10.1.1 (templates/argocd-*/deployment.yaml name the metrics ports
    // `metrics`) and external-secrets chart 2.9.0 (templates/webhook-deployment.yaml: `webhook` is
    // containerPort webhook.port, 10250; `metrics` on each deployment).
    it("closes production's Argo CD and External Secrets namespaces, opening metrics and the webhook only", async () => {
        const plan = await planStack("production");
        const policy = (name: string) => byName(plan.resources, NETWORK_POLICY, name).inputs;
        assert.deepEqual(policy("argocd-network-policy"), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: {
                name: PLATFORM_INGRESS_POLICY,
                namespace: "argocd",
                labels: { "app.kubernetes.io/managed-by": "pulumi", environment: "production" },
            },
            spec: platformIngressSpec({ scrapedPorts: ["metrics"] }),
        });
        const secrets = policy("production-secrets-network-policy") as {
            metadata: { namespace: string };
            spec: unknown;
        };
        const namespace = byName(plan.resources, "kubernetes:core/v1:Namespace", "production-secrets-namespace");
        assert.equal(secrets.metadata.namespace, (namespace.inputs.metadata as { name: string }).name);
        assert.deepEqual(secrets.spec, platformIngressSpec({ scrapedPorts: ["metrics"], openPorts: ["webhook"] }));
    });
});

describe("tenancy: a platform component's chart in its own namespace", () => {
    const labels = { "app.kubernetes.io/managed-by": "pulumi", environment: "staging" };
    let resources: PlannedResource[];
    before(async () => {
        ({ resources } = await planProgram(() => {
            const parent = new pulumi.ComponentResource("test:Controller", "ctl");
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" }, { parent });
            const nodes = new k8s.core.v1.ConfigMap("nodes", {}, { parent, provider });
            const chart = (name: string, timeoutSeconds?: number) =>
                declarePlatformChart(
                    name,
                    {
                        namespace: name,
                        labels,
                        ingress: { scrapedPorts: ["metrics"] },
                        release: {
                            name: "controller",
                            chart: "controller",
                            version: "1.2.3",
                            repository: "https://charts.example.com",
                            timeoutSeconds,
                            values: { replicas: 2 },
                        },
                    },
                    { parent, provider, releaseDependsOn: [nodes] },
                );
            chart("ctl", 300);
            chart("bare");
            return {};
        }));
    });
    const inputs = (type: string, name: string) => byName(resources, type, name).inputs;

    it("declares the namespace at the platform's Pod Security level, with the platform's labels", () => {
        assert.deepEqual(inputs("kubernetes:core/v1:Namespace", "ctl-namespace").metadata, {
            name: "ctl",
            labels: { ...labels, ...podSecurityLabels(POD_SECURITY.platform) },
        });
    });

    it("closes the namespace but for its own pods and the ports given", () => {
        assert.deepEqual(inputs("kubernetes:networking.k8s.io/v1:NetworkPolicy", "ctl-network-policy"), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: PLATFORM_INGRESS_POLICY, namespace: "ctl", labels },
            spec: platformIngressSpec({ scrapedPorts: ["metrics"] }),
        });
    });

    it("installs the pinned chart in that namespace after what it must wait for; a timeout only when given", () => {
        const release = byName(resources, "kubernetes:helm.sh/v3:Release", "ctl-release");
        assert.deepEqual(
            [release.inputs.name, release.inputs.namespace, release.inputs.chart, release.inputs.version],
            ["controller", "ctl", "controller", "1.2.3"],
        );
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://charts.example.com" });
        assert.equal(release.inputs.timeout, 300);
        assert.deepEqual(release.inputs.values, { replicas: 2 });
        assert.ok(
            release.options.dependsOn.some((urn) => urn.endsWith("::nodes")),
            release.options.dependsOn.join(),
        );
        // The release waits for its namespace, through the namespace name it reads.
        assert.ok(
            release.dependencies.some((urn) => urn.endsWith("::ctl-namespace")),
            release.dependencies.join(),
        );
        assert.equal("timeout" in inputs("kubernetes:helm.sh/v3:Release", "bare-release"), false);
    });
});

describe("tenancy: what teams may ship", () => {
    it("no RBAC, External Secrets, quota, Secret or cluster-wide kind in the whitelist", () => {
        const kinds = tenantWhitelist().map((k) => `${k.group}/${k.kind}`);
        for (const excluded of [
            "rbac.authorization.k8s.io/RoleBinding",
            "rbac.authorization.k8s.io/Role",
            "external-secrets.io/SecretStore",
            "external-secrets.io/PushSecret",
            "external-secrets.io/ExternalSecret",
            "generators.external-secrets.io/Password",
            "/ResourceQuota",
            "/LimitRange",
            "/Secret",
            "apps/DaemonSet",
            "/Namespace",
            // Issue 25: a tenant's NetworkPolicy would reopen the namespace its default deny closes.
            "networking.k8s.io/NetworkPolicy",
        ]) {
            assert.ok(!kinds.includes(excluded), excluded);
        }
        assert.ok(
            TENANT_KINDS.every(
                (k) => !FORBIDDEN_TENANT_GROUPS.includes(k.group) && !k.kind.includes("*") && !k.group.includes("*"),
            ),
        );
        assert.ok(
            kinds.includes("apps/Deployment") &&
                kinds.includes("/Service") &&
                kinds.includes("networking.k8s.io/Ingress"),
        );
    });

    it("the Flux tenant ClusterRole names the same kinds' resources, Secrets for Helm's release storage only, no wildcard", () => {
        const resourcesOf = (rules: ReturnType<typeof fluxTenantRules>) =>
            rules
                .flatMap((r) =>
                    (r.apiGroups as string[]).flatMap((g) => (r.resources as string[]).map((res) => `${g}/${res}`)),
                )
                .sort();
        const kinds = TENANT_KINDS.map((k) => `${k.group}/${k.resource}`);
        // Issue 25: a Kustomization's tenant writes no Secret, so none comes from Git in plain text.
        assert.deepEqual(resourcesOf(fluxTenantRules()), [...kinds].sort());
        assert.deepEqual(resourcesOf(fluxTenantRules([], true)), [...kinds, "/secrets"].sort());
        const rules = fluxTenantRules([], true);
        assert.ok(
            rules.every(
                (r) =>
                    !(r.verbs as string[]).includes("*") &&
                    !(r.verbs as string[]).includes("escalate") &&
                    !(r.verbs as string[]).includes("bind"),
            ),
        );
    });

    it("every whitelisted kind exists in the Kubernetes API (a kubernetes-models class of that group and kind)", async () => {
        for (const { group, kind } of TENANT_KINDS) {
            const version = group === "autoscaling" ? "v2" : "v1";
            const specifier = `kubernetes-models/${group === "" ? "v1" : `${group}/${version}`}/${kind}`;
            const models = await importEsm<Record<string, unknown>>(specifier);
            assert.ok(models[kind] !== undefined, specifier);
        }
    });
});

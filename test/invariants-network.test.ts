/**
 * Issue 24, invariant (c): every namespace with a default-deny policy lets its declared workloads reach what they
 * need (API server, DNS, Git hosts and URLs, the Prometheus a datasource queries), over every checked-in stack and
 * variant; the needs, with their upstream sources, are in test/invariants/network.ts. Finding 8.
 */
import assert from "node:assert/strict";
import { APP_EGRESS_POLICY, appEgressSpec } from "../components/core/isolation";
import { PlannedResource } from "../plan/recorder";
import { apiServerEgress } from "../stacks/apps";
import { appNeeds, cidrContains, egressAllowed, networkViolations, policiesByNamespace } from "./invariants/network";
import { planVariant, VARIANTS } from "./invariants/variants";
import { configProblems, planStack, platformConfig } from "./harness";

describe("invariant (c): default-deny namespaces allow what their workloads need", () => {
    for (const variant of VARIANTS) {
        it(`${variant.name}: every example app's needs are allowed by its namespace's policies`, async () => {
            const { resources } = await planVariant(variant);
            assert.deepEqual(networkViolations(platformConfig(variant.stack, variant.overrides), resources), []);
        });
    }

    it("the needs table names an upstream source for each need", () => {
        const config = platformConfig("production");
        for (const app of config.apps) {
            for (const need of appNeeds(app, config)) {
                assert.ok(need.source.length > 10, `${app.name}: ${need.what}`);
            }
        }
    });

    describe("the evaluator follows the NetworkPolicy API", () => {
        const deny = { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{ to: [{ podSelector: {} }] }] };
        it("a pod no Egress policy selects may send anywhere; a selected one only where a rule allows", () => {
            const out = { ip: "8.8.8.8", port: 443 };
            assert.equal(egressAllowed([{ podSelector: {}, policyTypes: ["Ingress"] }], "a", {}, out), true);
            assert.equal(egressAllowed([deny], "a", {}, out), false);
            assert.equal(egressAllowed([deny], "a", {}, { namespace: "a", podLabels: {}, port: 80 }), true);
            assert.equal(egressAllowed([deny], "a", {}, { namespace: "b", podLabels: {}, port: 80 }), false);
        });
        it("policies add up: a second policy opens what the first does not", () => {
            const https = appEgressSpec({ https: true })!;
            assert.equal(egressAllowed([deny, https as never], "a", {}, { ip: "8.8.8.8", port: 443 }), true);
            assert.equal(egressAllowed([deny, https as never], "a", {}, { ip: "8.8.8.8", port: 80 }), false);
        });
        it("CIDRs", () => {
            assert.ok(cidrContains("10.20.0.0/16", "10.20.0.200"));
            assert.ok(!cidrContains("10.20.0.0/16", "10.21.0.1"));
            assert.ok(cidrContains("0.0.0.0/0", "185.199.108.133"));
        });
    });

    describe("planted breaks are caught", () => {
        const without = (resources: readonly PlannedResource[], name: string) =>
            resources.filter((r) => r.name !== name);

        it("Grafana's egress policy removed: the sidecar loses the API server and the dashboards' URLs", async () => {
            const { resources } = await planStack("staging");
            const violations = networkViolations(platformConfig("staging"), without(resources, "grafana-egress"));
            assert.deepEqual(
                violations.map((v) => v.need),
                ["dashboards sidecar: the API server", "dashboards sidecar: the engine's dashboards by URL"],
            );
        });

        it("an egress default deny in the engine's namespace cuts Git and the API server", async () => {
            const { resources } = await planStack("staging");
            const deny = {
                ...resources.find((r) => r.name === "argocd-network-policy")!,
                name: "argocd-egress-deny",
                inputs: {
                    metadata: { name: "deny", namespace: "argocd" },
                    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: {} }] }] },
                },
            };
            const cut = networkViolations(platformConfig("staging"), [...resources, deny]).filter(
                (v) => v.namespace === "argocd",
            );
            assert.deepEqual(
                cut.map((v) => v.need),
                ["DNS over UDP", "DNS over TCP", "the API server", "Git over SSH", "Git over HTTPS"],
            );
        });

        it("the default deny's DNS rule dropped", async () => {
            const { resources } = await planStack("local");
            const broken = resources.map((r) =>
                r.name === "podinfo-default-deny"
                    ? {
                          ...r,
                          inputs: {
                              ...r.inputs,
                              spec: { ...(r.inputs.spec as object), egress: [{ to: [{ podSelector: {} }] }] },
                          },
                      }
                    : r,
            );
            assert.deepEqual(
                networkViolations(platformConfig("local"), broken).map((v) => v.need),
                ["DNS over UDP", "DNS over TCP"],
            );
        });

        it("a datasource querying a Prometheus in another namespace, with no egress declared for it", async () => {
            const config = platformConfig("staging");
            const apps = config.apps.map((app) =>
                app.name === "grafana"
                    ? {
                          ...app,
                          source: {
                              ...app.source,
                              helmValues: {
                                  ...app.source.helmValues,
                                  datasources: {
                                      "datasources.yaml": {
                                          apiVersion: 1,
                                          datasources: [
                                              {
                                                  name: "Prometheus",
                                                  type: "prometheus",
                                                  url: "http://prometheus-operated.observability:9090",
                                              },
                                          ],
                                      },
                                  },
                              },
                          },
                      }
                    : app,
            );
            const { resources } = await planStack("staging");
            assert.deepEqual(
                networkViolations({ ...config, apps }, resources).map((v) => v.need),
                ["datasource observability:9090"],
            );
        });
    });
});

describe("issue 24 finding 8: the app namespaces' default deny lets Grafana reach what it needs", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: grafana's namespace opens the API server (the VPC's CIDR on 443) and HTTPS, and nothing else`, async () => {
            const { resources } = await planStack(stack);
            const policy = resources.find((r) => r.name === "grafana-egress");
            assert.ok(policy, "no egress policy in grafana's namespace");
            const config = platformConfig(stack);
            assert.equal((policy.inputs.metadata as { name: string }).name, APP_EGRESS_POLICY);
            const vpc = config.cluster.type === "eks" ? config.cluster.network.vpcCidr : "";
            assert.deepEqual(policy.inputs.spec, {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    { to: [{ ipBlock: { cidr: vpc } }], ports: [{ protocol: "TCP", port: 443 }] },
                    { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
                ],
            });
            // The app waits for it, as for its default deny.
            const application = resources.find((r) => r.name === "grafana-application")!;
            assert.ok(application.options.dependsOn.includes(policy.urn));
            const monitoring = policiesByNamespace(resources).get("monitoring")!;
            assert.equal(egressAllowed(monitoring, "monitoring", {}, { ip: "8.8.8.8", port: 80 }), false);
        });
    }

    it("an existing cluster's API server is any address on 443 or 6443 (its address is not known to the plan)", () => {
        assert.deepEqual(apiServerEgress(platformConfig("local").cluster), {
            cidrs: ["0.0.0.0/0"],
            ports: [443, 6443],
        });
    });

    it("egress config is checked: a service port out of range is refused with its key", () => {
        const apps = platformConfig("local").apps.map((app) => ({
            name: app.name,
            team: app.team,
            source: { url: app.source.url, path: app.source.path, revision: app.source.revision },
            egress: { services: [{ namespace: "observability", port: 0 }] },
        }));
        const problems = configProblems("local", { set: { "gitops-platform:apps": apps } });
        assert.ok(
            problems.some((p) => p.key === "gitops-platform:apps[0].egress.services[0].port"),
            JSON.stringify(problems),
        );
    });
});

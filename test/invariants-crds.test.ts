/**
 * Issue 24, invariant (a): every custom resource of every checked-in stack and variant waits for what
 * installs its CRD in the same stack (test/invariants/crds.ts, with the installers' upstream sources);
 * an operator installed elsewhere is allowed only where config says so, and the plan refuses it where the
 * stack creates the cluster.
 */
import assert from "node:assert/strict";
import { PlannedResource } from "../plan/recorder";
import { crdViolations, CRD_INSTALLERS, groupKind } from "./invariants/crds";
import { planVariant, VARIANTS } from "./invariants/variants";
import { assertProblemAt, configProblems, planStack, platformConfig } from "./harness";

/** API groups the stack's config says an operator outside it serves. */
function externalGroups(variant: (typeof VARIANTS)[number]): string[] {
    const config = platformConfig(variant.stack, variant.overrides);
    return config.monitoring?.enabled && config.monitoring.operatorCrds === "existing" ? ["monitoring.coreos.com"] : [];
}

describe("invariant (a): custom resources wait for their CRDs", () => {
    for (const variant of VARIANTS) {
        it(`${variant.name}: every custom resource waits for its CRD's installer`, async () => {
            const { resources } = await planVariant(variant);
            assert.deepEqual(crdViolations(resources, externalGroups(variant)), []);
        });
    }

    it("the table names an upstream source for each installer", () => {
        for (const installer of CRD_INSTALLERS) {
            assert.match(installer.source, /^[\w.-]+\/[\w.-]+ /, JSON.stringify(installer.groups));
            assert.ok((installer.chart === undefined) !== (installer.type === undefined));
        }
    });

    describe("planted breaks are caught", () => {
        const podMonitor = (r: PlannedResource) => groupKind(r.type)?.kind === "PodMonitor";
        /** The plan with every dependency on the CRDs' release removed from the PodMonitors. */
        const detached = (resources: readonly PlannedResource[], release: string) => {
            const urn = resources.find((r) => r.name === release)!.urn;
            return resources.map((r) =>
                podMonitor(r)
                    ? {
                          ...r,
                          dependencies: r.dependencies.filter((d) => d !== urn),
                          options: { ...r.options, dependsOn: r.options.dependsOn.filter((d) => d !== urn) },
                      }
                    : r,
            );
        };

        it("a PodMonitor that no longer waits for the CRDs chart", async () => {
            const { resources } = await planStack("staging");
            const broken = crdViolations(detached(resources, "staging-monitoring-operator-crds"));
            assert.equal(broken.length, 4);
            assert.match(broken[0].problem, /does not wait for staging-monitoring-operator-crds/);
        });

        it("a stack without the CRDs' installer (the chart's release removed)", async () => {
            const { resources } = await planStack("staging");
            const without = resources.filter((r) => r.name !== "staging-monitoring-operator-crds");
            const broken = crdViolations(without);
            assert.ok(broken.length >= 5);
            assert.match(broken[0].problem, /nothing in the stack installs monitoring\.coreos\.com/);
        });

        it("a kind nobody installs", async () => {
            const { resources } = await planStack("local");
            const stranger = {
                ...resources[resources.length - 1],
                type: "kubernetes:example.com/v1:Widget",
                name: "w",
            };
            assert.match(crdViolations([...resources, stranger])[0].problem, /no known installer of example\.com/);
        });

        it("Argo CD's release without crds.install", async () => {
            const { resources } = await planStack("staging");
            const noCrds = resources.map((r) =>
                r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "argo-cd"
                    ? {
                          ...r,
                          inputs: { ...r.inputs, values: { ...(r.inputs.values as object), crds: { install: false } } },
                      }
                    : r,
            );
            assert.ok(crdViolations(noCrds).some((v) => v.type === "kubernetes:argoproj.io/v1alpha1:Application"));
        });
    });
});

describe("issue 24 finding 1: the monitors' CRDs", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: the pinned prometheus-operator-crds chart is installed, and every monitor waits for it`, async () => {
            const { resources } = await planStack(stack);
            const release = resources.find((r) => r.name === `${stack}-monitoring-operator-crds`);
            assert.ok(release, "no release of prometheus-operator-crds");
            assert.deepEqual(
                [release.inputs.chart, release.inputs.version, release.inputs.repositoryOpts],
                ["prometheus-operator-crds", "31.0.1", { repo: "https://prometheus-community.github.io/helm-charts" }],
            );
            const monitors = resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/"));
            assert.equal(monitors.length, 5);
            for (const monitor of monitors) {
                assert.ok(
                    monitor.options.dependsOn.includes(release.urn),
                    `${monitor.name} does not wait for the CRDs`,
                );
            }
        });
    }

    it("operatorCrds: existing is refused where the stack creates the cluster (EKS), with the fix", () => {
        const problem = assertProblemAt(
            configProblems("staging", {
                set: {
                    "gitops-platform:monitoring": {
                        enabled: true,
                        operatorCrds: "existing",
                    },
                },
            }),
            "gitops-platform:monitoring.operatorCrds",
        );
        assert.match(problem.message, /creates the EKS cluster.*remove operatorCrds/);
    });

    it("operatorCrds: existing on an existing cluster declares the monitors and no CRDs chart", async () => {
        const monitoring = { enabled: true, operatorCrds: "existing" };
        const { resources } = await planStack("local", { set: { "gitops-platform:monitoring": monitoring } });
        assert.ok(resources.some((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor"));
        assert.ok(!resources.some((r) => r.inputs.chart === "prometheus-operator-crds"));
        // Only because config says so: the invariant refuses the same plan without it.
        assert.equal(crdViolations(resources).length > 0, true);
        assert.deepEqual(crdViolations(resources, ["monitoring.coreos.com"]), []);
    });

    it("operatorCrds: existing with installPrometheusStack is a contradiction, refused", () => {
        assertProblemAt(
            configProblems("local", {
                set: {
                    "gitops-platform:monitoring": {
                        enabled: true,
                        installPrometheusStack: true,
                        operatorCrds: "existing",
                    },
                },
            }),
            "gitops-platform:monitoring.operatorCrds",
            /installPrometheusStack installs the operator/,
        );
    });

    it("fleet hub: an existing spoke's ExternalSecret waits for External Secrets' release (its CRDs), on both engines", async () => {
        for (const engine of [undefined, { type: "flux", multitenancy: true }]) {
            const { resources } = await planStack(
                "fleet-example",
                engine ? { set: { "gitops-platform:engine": engine } } : {},
            );
            const operator = resources.find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "external-secrets",
            )!;
            const spoke = resources.find(
                (r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret" && r.name.includes("edge-berlin"),
            );
            assert.ok(spoke, "no ExternalSecret for edge-berlin");
            assert.ok(
                spoke.options.dependsOn.includes(operator.urn),
                `${spoke.name} does not wait for ${operator.name}`,
            );
        }
    });
});

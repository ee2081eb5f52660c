/**
 * Issue 24, invariant (b): every workload the program installs or seeds meets the Pod Security level its
 * namespace enforces, over every checked-in stack and variant: the charts at their pinned versions with the
 * program's values (test/invariants/charts.ts), and the example apps' manifests as their sources render them
 * with the stack's patches and values (test/invariants/examples.ts). Findings 5 (podinfo) and 7 (Grafana).
 */
import assert from "node:assert/strict";
import { PlannedResource } from "../plan/recorder";
import { TENANT_KINDS } from "../components/gitops/tenancy";
import { DASHBOARD_READER_RULES } from "../components/monitoring/dashboards";
import { chartViolations, enforcedLevels } from "./invariants/charts";
import { exampleWorkloads, KUSTOMIZE_EXAMPLES, kustomizeWithPatches } from "./invariants/examples";
import { renderGrafana } from "./invariants/grafana";
import { podSecurityViolations, podSpecOf } from "./invariants/podSecurity";
import { planVariant, VARIANTS } from "./invariants/variants";
import { byName, configProblems, importEsm, planStack, platformConfig, stackValue } from "./harness";
import type { AppConfig } from "../stacks/config";

/** Example workloads whose namespace (in the plan) would refuse their pods. */
function exampleViolations(apps: readonly AppConfig[], resources: readonly PlannedResource[]): string[] {
    const levels = enforcedLevels(resources);
    return exampleWorkloads(apps).flatMap((w) => {
        const level = levels.get(w.namespace);
        if (level === undefined) {
            return [`${w.app}: namespace ${w.namespace} is not declared with a Pod Security level`];
        }
        return podSecurityViolations(w.podSpec, level).map((v) => `${w.app} ${w.workload} (${level}): ${v}`);
    });
}

describe("invariant (b): workloads meet their namespace's Pod Security", () => {
    for (const variant of VARIANTS) {
        it(`${variant.name}: the charts and the example apps are admitted`, async () => {
            const { resources } = await planVariant(variant);
            assert.deepEqual(chartViolations(resources), []);
            const config = platformConfig(variant.stack, variant.overrides);
            assert.deepEqual(exampleViolations(config.apps, resources), []);
        });
    }

    it("every app namespace enforces restricted, every platform namespace at least baseline", async () => {
        const { resources } = await planStack("staging");
        const levels = enforcedLevels(resources);
        for (const app of platformConfig("staging").apps) {
            assert.equal(levels.get(app.namespace ?? app.name), "restricted");
        }
        for (const namespace of ["argocd", "external-secrets"]) {
            assert.equal(levels.get(namespace), "baseline");
        }
    });

    describe("the Pod Security checks (k8s.io/pod-security-admission policy/check_*.go)", () => {
        const good = {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                { name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
            ],
        };
        it("admit a restricted pod, and each single break is caught at its level", () => {
            assert.deepEqual(podSecurityViolations(good, "restricted"), []);
            const breaks: [string, object, "baseline" | "restricted"][] = [
                ["hostNetwork", { ...good, hostNetwork: true }, "baseline"],
                ["hostPath", { ...good, volumes: [{ name: "h", hostPath: { path: "/" } }] }, "baseline"],
                [
                    "privileged",
                    { ...good, containers: [{ name: "c", securityContext: { privileged: true } }] },
                    "baseline",
                ],
                [
                    "hostPort",
                    { ...good, containers: [{ ...good.containers[0], ports: [{ hostPort: 80 }] }] },
                    "baseline",
                ],
                [
                    "SYS_ADMIN",
                    { ...good, containers: [{ name: "c", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }] },
                    "baseline",
                ],
                ["root", { ...good, securityContext: { ...good.securityContext, runAsUser: 0 } }, "restricted"],
                [
                    "no runAsNonRoot",
                    { ...good, securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
                    "restricted",
                ],
                ["no seccomp", { ...good, securityContext: { runAsNonRoot: true } }, "restricted"],
                [
                    "escalation",
                    { ...good, containers: [{ name: "c", securityContext: { capabilities: { drop: ["ALL"] } } }] },
                    "restricted",
                ],
                [
                    "CHOWN",
                    {
                        ...good,
                        containers: [
                            {
                                name: "c",
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    capabilities: { drop: ["ALL"], add: ["CHOWN"] },
                                },
                            },
                        ],
                    },
                    "restricted",
                ],
            ];
            for (const [name, spec, level] of breaks) {
                assert.ok(podSecurityViolations(spec, level).length > 0, `${name} not caught at ${level}`);
                if (level === "restricted") {
                    assert.deepEqual(podSecurityViolations(spec, "baseline"), [], `${name} is not a baseline break`);
                }
            }
        });
    });

    describe("planted breaks are caught", () => {
        it("a chart value that renders hostNetwork in a baseline namespace", async () => {
            const { resources } = await planStack("local");
            const broken = resources.map((r) =>
                r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "external-secrets"
                    ? { ...r, inputs: { ...r.inputs, values: { ...(r.inputs.values as object), hostNetwork: true } } }
                    : r,
            );
            assert.match(chartViolations(broken)[0].problem, /hostNetwork renders hostNetwork, which baseline/);
        });

        it("kube-prometheus-stack with its node exporter left on (its default)", async () => {
            const variant = VARIANTS.find((v) => v.name === "local with kube-prometheus-stack")!;
            const { resources } = await planVariant(variant);
            const broken = resources.map((r) => {
                if (r.inputs.chart !== "kube-prometheus-stack") {
                    return r;
                }
                const { nodeExporter: _dropped, ...values } = r.inputs.values as Record<string, unknown>;
                return { ...r, inputs: { ...r.inputs, values } };
            });
            assert.match(chartViolations(broken)[0].problem, /nodeExporter\.enabled renders prometheus-node-exporter/);
        });

        it("a chart at a version nobody read", async () => {
            const { resources } = await planStack("local");
            const broken = resources.map((r) =>
                r.inputs.chart === "external-secrets" ? { ...r, inputs: { ...r.inputs, version: "9.9.9" } } : r,
            );
            assert.match(chartViolations(broken)[0].problem, /external-secrets 9\.9\.9 has no entry/);
        });

        it("the example app without its patch, and Grafana with init-chown-data", async () => {
            const [podinfo] = stackValue<AppConfig[]>("local", "gitops-platform:apps");
            const { resources } = await planStack("local");
            const unpatched = { ...podinfo, source: { ...podinfo.source, patches: undefined } } as AppConfig;
            assert.ok(exampleViolations([unpatched], resources).some((v) => /runAsNonRoot/.test(v)));
            const production = platformConfig("production");
            const grafana = production.apps.find((a) => a.name === "grafana")!;
            const helmValues = { ...grafana.source.helmValues, initChownData: { enabled: true } };
            const chown = { ...grafana, source: { ...grafana.source, helmValues } } as AppConfig;
            const { resources: prod } = await planStack("production");
            assert.ok(exampleViolations([chown], prod).some((v) => /init-chown-data/.test(v)));
        });
    });
});

describe("issue 24 finding 5: the local example app is admitted by restricted Pod Security", () => {
    const [podinfo] = platformConfig("local").apps;
    const fixture = KUSTOMIZE_EXAMPLES[0].fixture;

    it("podinfo 6.9.2's kustomize/deployment.yaml as upstream has it is refused (no securityContext)", () => {
        const [deployment] = kustomizeWithPatches(fixture).filter((o) => o.kind === "Deployment");
        const violations = podSecurityViolations(podSpecOf(deployment), "restricted");
        assert.ok(violations.length >= 4, violations.join("; "));
    });

    it("with the local stack's patch, kubectl kustomize renders a Deployment restricted admits, running as podinfo's user", () => {
        assert.ok(podinfo.source.patches, "Pulumi.local.yaml's podinfo has no patches");
        const [deployment] = kustomizeWithPatches(fixture, podinfo.source.patches).filter(
            (o) => o.kind === "Deployment",
        );
        const spec = podSpecOf(deployment)!;
        assert.deepEqual(podSecurityViolations(spec, "restricted"), []);
        // stefanprodan/podinfo Dockerfile at 6.9.2: `adduser -S -G app app`, USER app; timoni/bundles/test.podinfo.cue runs it as 100:101.
        assert.deepEqual(spec.securityContext, {
            runAsNonRoot: true,
            runAsUser: 100,
            runAsGroup: 101,
            seccompProfile: { type: "RuntimeDefault" },
        });
    });

    it("both engines carry the patches to the source: Flux's Kustomization and Argo CD's Application, valid upstream", async () => {
        type Validated = new (data: object) => { validate(): void };
        const flux = await planStack("local");
        const kustomization = byName(
            flux.resources,
            "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
            "podinfo-kustomization",
        );
        assert.deepEqual((kustomization.inputs.spec as { patches: unknown }).patches, podinfo.source.patches);
        const { Kustomization } = await importEsm<Record<string, Validated>>(
            "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization",
        );
        new Kustomization(kustomization.inputs).validate();
        const argo = await planStack("local", { set: { "gitops-platform:engine": { type: "argocd" } } });
        const application = argo.resources.find(
            (r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.name === "podinfo-application",
        )!;
        const source = (application.inputs.spec as { source: { kustomize: { patches: unknown } } }).source;
        assert.deepEqual(source.kustomize.patches, podinfo.source.patches);
        const { Application } = await importEsm<Record<string, Validated>>(
            "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application",
        );
        new Application(application.inputs).validate();
    });

    it("patches on a helm or directory source are refused with the key and the fix", () => {
        const apps = stackValue<AppConfig[]>("local", "gitops-platform:apps").map((app) => ({
            ...app,
            source: { ...app.source, type: "directory" },
        }));
        const problems = configProblems("local", { set: { "gitops-platform:apps": apps } });
        const problem = problems.find((p) => p.key === "gitops-platform:apps[0].source.patches");
        assert.ok(problem, JSON.stringify(problems));
        assert.match(problem.message, /kustomize only, not directory/);
    });
});

describe("issue 24 finding 7: the Grafana example syncs under the team's project and restricted Pod Security", () => {
    const whitelist = new Set(TENANT_KINDS.map((k) => k.kind));
    for (const stack of ["staging", "production"]) {
        const grafana = platformConfig(stack).apps.find((a) => a.name === "grafana")!;

        it(`${stack}: grafana 10.1.4 renders only kinds the team may ship`, () => {
            const render = renderGrafana(grafana.source.helmValues);
            const refused = render.objects.filter((o) => !whitelist.has(o.kind));
            assert.deepEqual(refused, []);
            assert.ok(render.objects.some((o) => o.kind === "Deployment"));
        });

        it(`${stack}: its pod meets restricted (no init-chown-data)`, () => {
            assert.deepEqual(podSecurityViolations(renderGrafana(grafana.source.helmValues).podSpec, "restricted"), []);
        });

        it(`${stack}: the admin Secret comes from the store, and the platform grants the sidecar read of ConfigMaps`, async () => {
            const values = grafana.source.helmValues as { admin: { existingSecret: string } };
            assert.equal(values.admin.existingSecret, "grafana-secrets");
            assert.deepEqual([...grafana.secretKeys].sort(), ["admin-password", "admin-user"]);
            const { resources } = await planStack(stack);
            const role = byName(
                resources,
                "kubernetes:rbac.authorization.k8s.io/v1:Role",
                `${stack}-monitoring-dashboards-reader`,
            );
            assert.deepEqual(role.inputs.rules, DASHBOARD_READER_RULES);
            assert.equal((role.inputs.metadata as { namespace: string }).namespace, "monitoring");
            const binding = byName(
                resources,
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                `${stack}-monitoring-dashboards-reader`,
            );
            assert.deepEqual(binding.inputs.subjects, [
                { kind: "ServiceAccount", name: "grafana", namespace: "monitoring" },
            ]);
        });
    }

    it("the chart's defaults, as the stack files had them, render what the project refuses (the finding)", () => {
        const before = {
            replicas: 1,
            persistence: { enabled: true },
            rbac: { namespaced: true },
            testFramework: { enabled: false },
            sidecar: { dashboards: { enabled: true } },
        };
        const render = renderGrafana(before);
        assert.deepEqual(
            render.objects
                .filter((o) => !whitelist.has(o.kind))
                .map((o) => o.kind)
                .sort(),
            ["Role", "RoleBinding", "Secret"],
        );
        assert.ok(podSecurityViolations(render.podSpec, "restricted").some((v) => v.includes("init-chown-data")));
    });
});

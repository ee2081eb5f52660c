/**
 * Progressive delivery: the pure builders (Rollout, AnalysisTemplate, Canary, MetricTemplate and the
 * controllers' chart values), each object validated against its schema, the component through the
 * offline plan of test configs (each strategy on each engine), the config rules and the tenancy.
 *
 * Schemas: Argo Rollouts from @kubernetes-models/argo-rollouts 2.0.0 (generated from the Go API; it
 * does not refuse unknown fields). Flagger has no @kubernetes-models package: its objects are checked
 * against the CRD of the pinned chart (fluxcd/flagger charts/flagger/crds/crd.yaml at v1.44.0, vendored
 * in test/fixtures/delivery/) with ajv, strict: an object schema listing properties takes no others.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import * as YAML from "yaml";
import {
    AppDeliverySettings,
    analysisTemplate,
    canary,
    DELIVERY_CHARTS,
    DELIVERY_TENANT_KINDS,
    deliveryObjects,
    K8sObject,
    metricTemplates,
    renderQuery,
    rollout,
} from "../components/delivery";
import { flaggerValues, rolloutsValues } from "../components/delivery/values";
import { fluxTenantRules, tenantWhitelist } from "../components/gitops/tenancy";
import { PROFILES } from "../stacks/profiles";
import { byName, configProblems, importEsm, ofType, planStack, StackOverrides } from "./harness";
import { FLUX, PROMETHEUS, SUCCESS_RATE, withDelivery } from "./progressive-delivery-fixtures";

const FIXTURES = path.join(__dirname, "fixtures", "delivery");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

const LATENCY = { name: "latency", query: 'histogram_quantile(0.99, rate(x{app="{workload}"}[1m]))', max: 500 };

const base: AppDeliverySettings = {
    app: "payments-api",
    namespace: "payments",
    strategy: "canary",
    workload: "api",
    steps: [10, 25, 50],
    interval: "2m",
    checks: 4,
    autoRollback: true,
    progressDeadlineSeconds: 600,
    service: "api",
    replicas: 3,
    port: 8080,
    analysis: { prometheusAddress: PROMETHEUS, failureLimit: 2, metrics: [SUCCESS_RATE, LATENCY] },
    labels: { team: "payments" },
};
const blueGreen: AppDeliverySettings = { ...base, strategy: "blueGreen" };
const noAnalysis: AppDeliverySettings = { ...base, analysis: undefined };

/** The value at a dotted path of an object ("spec.strategy.canary.steps"). */
function get(value: unknown, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>(
            (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
            value,
        );
}
const list = (value: unknown, path: string) => get(value, path) as unknown[];

// ---- schema validation ----

type Model = new (data: unknown) => { validate(): void };
async function rolloutsModel(kind: "Rollout" | "AnalysisTemplate"): Promise<Model> {
    const module = await importEsm<Record<string, Model>>(
        `@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/${kind}`,
    );
    return module[kind];
}

/** An object schema that lists its properties takes no others (the API server would drop them silently). */
function strict(schema: unknown): unknown {
    if (Array.isArray(schema)) {
        return schema.map(strict);
    }
    if (schema === null || typeof schema !== "object") {
        return schema;
    }
    const s = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
    if (
        s.properties !== undefined &&
        s.additionalProperties === undefined &&
        !s["x-kubernetes-preserve-unknown-fields"]
    ) {
        s.additionalProperties = false;
    }
    return s;
}

const flaggerValidators = (() => {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    interface Crd {
        spec: {
            group: string;
            names: { kind: string };
            versions: { name: string; storage: boolean; schema: { openAPIV3Schema: object } }[];
        };
    }
    const crds = YAML.parseAllDocuments(fixture("flagger-1.44.0-crd.yaml")).map((d) => d.toJS() as Crd);
    return Object.fromEntries(
        crds.map((crd) => {
            const version = crd.spec.versions.find((v) => v.storage)!;
            return [
                `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`,
                ajv.compile(strict(version.schema.openAPIV3Schema) as object),
            ];
        }),
    );
})();

async function validate(object: K8sObject): Promise<void> {
    if (object.apiVersion === "argoproj.io/v1alpha1") {
        const Model = await rolloutsModel(object.kind as "Rollout" | "AnalysisTemplate");
        new Model(object).validate();
        return;
    }
    const check = flaggerValidators[`${object.apiVersion}/${object.kind}`];
    assert.ok(check, `no CRD for ${object.apiVersion} ${object.kind}`);
    assert.ok(check(object), `${object.kind} ${object.metadata.name}: ${JSON.stringify(check.errors)}`);
}

describe("progressive delivery: schemas", () => {
    it("the strict Flagger check refuses a misspelt field and a wrong type (it can fail)", () => {
        const check = flaggerValidators["flagger.app/v1beta1/Canary"];
        const good = canary(base);
        assert.ok(check(good), JSON.stringify(check.errors));
        assert.equal(check({ ...good, spec: { ...good.spec, stepWeight: [10] } }), false);
        assert.equal(check({ ...good, spec: { ...good.spec, analysis: { interval: 5 } } }), false);
    });

    it("the Rollouts models refuse a Rollout without its strategy's required field (it can fail)", async () => {
        const Rollout = await rolloutsModel("Rollout");
        const bad = rollout(blueGreen);
        delete (get(bad, "spec.strategy.blueGreen") as Record<string, unknown>).activeService;
        assert.throws(() => new Rollout(bad).validate());
    });

    for (const [label, settings] of [
        ["canary with analysis", base],
        ["blue-green with analysis", blueGreen],
        ["canary without analysis", noAnalysis],
        ["blue-green without analysis", { ...blueGreen, analysis: undefined }],
        ["canary through nginx", { ...base, ingress: "api" }],
    ] as const) {
        it(`every object validates (${label}, both engines)`, async () => {
            for (const object of [
                ...deliveryObjects("argo-rollouts", settings),
                ...deliveryObjects("flagger", settings),
            ]) {
                await validate(object);
            }
        });
    }
});

// ---- builders ----

describe("progressive delivery: Argo Rollouts objects", () => {
    it("a canary walks the weights, holding each for the interval, with the analysis in the background", () => {
        const s = get(rollout(base), "spec");
        assert.deepEqual(get(s, "strategy.canary.steps"), [
            { setWeight: 10 },
            { pause: { duration: "2m" } },
            { setWeight: 25 },
            { pause: { duration: "2m" } },
            { setWeight: 50 },
            { pause: { duration: "2m" } },
        ]);
        assert.deepEqual(get(s, "strategy.canary.analysis"), { templates: [{ templateName: "payments-api" }] });
        assert.equal(get(rollout(noAnalysis), "spec.strategy.canary.analysis"), undefined);
    });

    it("takes over the Deployment from Git (workloadRef, scaled down once healthy), with its own replicas", () => {
        const s = get(rollout(base), "spec");
        // scaleDown values: argoproj/argo-rollouts v1.9.0 pkg/apis/rollouts/v1alpha1/types.go (never|onsuccess|progressively).
        assert.deepEqual(get(s, "workloadRef"), {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: "api",
            scaleDown: "onsuccess",
        });
        assert.equal(get(s, "replicas"), 3);
        assert.equal(get(s, "template"), undefined);
    });

    it("rolls back a release stuck past its deadline only where autoRollback says so", () => {
        assert.equal(get(rollout(base), "spec.progressDeadlineAbort"), true);
        assert.equal(get(rollout({ ...base, autoRollback: false }), "spec.progressDeadlineAbort"), false);
        assert.equal(get(rollout(base), "spec.progressDeadlineSeconds"), 600);
    });

    it("blue-green switches the app's Service after the checks, or after as long as they would take", () => {
        const s = get(rollout(blueGreen), "spec.strategy.blueGreen");
        assert.equal(get(s, "activeService"), "api");
        assert.deepEqual(get(s, "prePromotionAnalysis"), { templates: [{ templateName: "payments-api" }] });
        const plain = get(rollout({ ...blueGreen, analysis: undefined }), "spec.strategy.blueGreen");
        assert.equal(get(plain, "autoPromotionSeconds"), 4 * 120);
        assert.equal(get(plain, "prePromotionAnalysis"), undefined);
    });

    it("the AnalysisTemplate queries the stack's Prometheus, with bounds as expr conditions", () => {
        const metrics = list(analysisTemplate(base), "spec.metrics");
        assert.deepEqual(metrics[0], {
            name: "success-rate",
            interval: "2m",
            failureLimit: 2,
            successCondition: "result[0] >= 0.99",
            provider: { prometheus: { address: PROMETHEUS, query: renderQuery(SUCCESS_RATE.query, base) } },
        });
        assert.equal(get(metrics[1], "successCondition"), "result[0] <= 500");
        assert.match(get(metrics[0], "provider.prometheus.query") as string, /namespace="payments"/);
        assert.match(get(metrics[1], "provider.prometheus.query") as string, /app="api"/);
        // Blue-green checks the preview a fixed number of times.
        assert.deepEqual(
            list(analysisTemplate(blueGreen), "spec.metrics").map((m) => get(m, "count")),
            [4, 4],
        );
        assert.equal(analysisTemplate(noAnalysis), undefined);
    });
});

describe("progressive delivery: Flagger objects", () => {
    it("a canary takes the same weights and interval; blue-green the same number of checks", () => {
        const analysis = get(canary(base), "spec.analysis");
        assert.deepEqual(get(analysis, "stepWeights"), [10, 25, 50]);
        assert.equal(get(analysis, "interval"), "2m");
        assert.equal(get(analysis, "iterations"), undefined);
        const bg = get(canary(blueGreen), "spec.analysis");
        assert.equal(get(bg, "iterations"), 4);
        assert.equal(get(bg, "stepWeights"), undefined);
    });

    it("tolerates as many failed checks as Argo Rollouts: threshold = failureLimit + 1", () => {
        // Flagger rolls back once failedChecks >= threshold (fluxcd/flagger v1.44.0 pkg/controller/scheduler.go);
        // Argo Rollouts fails a metric once failed > failureLimit (argo-rollouts v1.9.0 analysis/analysis.go).
        assert.equal(get(canary(base), "spec.analysis.threshold"), 3);
        assert.equal(get(canary(noAnalysis), "spec.analysis.threshold"), 1);
    });

    it("targets the Deployment from Git and names MetricTemplates of its own namespace only", () => {
        const s = get(canary(base), "spec");
        assert.deepEqual(get(s, "targetRef"), { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
        assert.deepEqual(get(s, "service"), { port: 8080 });
        assert.deepEqual(
            list(s, "analysis.metrics").map((m) => get(m, "templateRef")),
            [{ name: "payments-api-success-rate" }, { name: "payments-api-latency" }],
        );
        assert.deepEqual(get(s, "analysis.metrics.0.thresholdRange"), { min: 0.99 });
        assert.deepEqual(get(s, "analysis.metrics.1.thresholdRange"), { max: 500 });
        const templates = metricTemplates(base);
        assert.deepEqual(
            templates.map((t) => [t.metadata.name, t.metadata.namespace]),
            [
                ["payments-api-success-rate", "payments"],
                ["payments-api-latency", "payments"],
            ],
        );
        assert.deepEqual(templates[0].spec.provider, { type: "prometheus", address: PROMETHEUS });
        assert.equal(get(s, "ingressRef"), undefined);
        assert.deepEqual(get(canary({ ...base, ingress: "api" }), "spec.ingressRef"), {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            name: "api",
        });
    });

    it("refuses a Canary without the port of the Services it generates", () => {
        assert.throws(() => canary({ ...base, port: undefined }), /port/);
    });
});

// ---- chart values ----

/** Every leaf path of `values`, `.*` for maps the chart passes through as they are (labels). */
function leafPaths(value: unknown, prefix: string[] = []): string[] {
    const joined = prefix.join(".");
    if (/(^|\.)(additionalLabels|labels)$/.test(joined)) {
        return [joined];
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
        return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
    }
    return [joined];
}

/** Whether the chart's values.yaml has the path, as a key or as a commented-out key under its parent. */
function chartHas(valuesYaml: string, path: string): boolean {
    const parsed = YAML.parse(valuesYaml) as Record<string, unknown>;
    const parts = path.split(".");
    let node: unknown = parsed;
    for (const [i, part] of parts.entries()) {
        if (node !== null && typeof node === "object" && part in node) {
            node = (node as Record<string, unknown>)[part];
            continue;
        }
        // flagger's serviceMonitor.labels is documented as a comment under serviceMonitor.
        return i === parts.length - 1 && new RegExp(`^\\s+#\\s*${part}:`, "m").test(valuesYaml);
    }
    return true;
}

describe("progressive delivery: controller charts", () => {
    const monitored = {
        highAvailability: true,
        prometheusAddress: PROMETHEUS,
        monitorLabels: { release: "kps" },
        meshProvider: "nginx",
    };
    const lean = { highAvailability: false, meshProvider: "kubernetes" };

    it("pins argo-rollouts 2.41.0 (appVersion v1.9.0) and flagger 1.44.0 (appVersion 1.44.0)", () => {
        // argoproj/argo-helm charts/argo-rollouts/Chart.yaml at 8796aeaa; fluxcd/flagger charts/flagger/Chart.yaml at v1.44.0.
        assert.deepEqual(
            Object.fromEntries(
                Object.entries(DELIVERY_CHARTS).map(([k, c]) => [k, [c.repository, c.chart, c.version, c.appVersion]]),
            ),
            {
                "argo-rollouts": ["https://argoproj.github.io/argo-helm", "argo-rollouts", "2.41.0", "v1.9.0"],
                flagger: ["https://flagger.app", "flagger", "1.44.0", "1.44.0"],
            },
        );
    });

    for (const settings of [monitored, lean]) {
        it(`sets only keys of the pinned charts' values.yaml (${settings.highAvailability ? "HA, monitored" : "lean"})`, () => {
            const rolloutsYaml = fixture("argo-rollouts-2.41.0-values.yaml");
            const flaggerYaml = fixture("flagger-1.44.0-values.yaml");
            assert.deepEqual(
                leafPaths(rolloutsValues(settings)).filter((p) => !chartHas(rolloutsYaml, p)),
                [],
            );
            assert.deepEqual(
                leafPaths(flaggerValues(settings)).filter((p) => !chartHas(flaggerYaml, p)),
                [],
            );
        });
    }

    it("isolates each controller's namespace, open to scrapes of its metrics port only", () => {
        // Container port names: argo-helm charts/argo-rollouts 2.41.0 templates/controller/deployment.yaml
        // (`metrics`, `healthz`); fluxcd/flagger v1.44.0 charts/flagger/templates/deployment.yaml (`http`,
        // 8080, serving /metrics). Neither chart installs an admission webhook.
        assert.deepEqual(Object.fromEntries(Object.entries(DELIVERY_CHARTS).map(([k, c]) => [k, c.metricsPort])), {
            "argo-rollouts": "metrics",
            flagger: "http",
        });
    });

    it("the values check can fail: a key the chart does not have is reported", () => {
        assert.equal(chartHas(fixture("flagger-1.44.0-values.yaml"), "noCrossNamespaceRef"), false);
        assert.equal(chartHas(fixture("argo-rollouts-2.41.0-values.yaml"), "controller.replica"), false);
    });

    it("Flagger blocks cross-namespace references and queries the stack's Prometheus, or its own without one", () => {
        // -no-cross-namespace-refs: fluxcd/flagger v1.44.0 pkg/controller/controller.go verifyNoCrossNamespaceRefs.
        assert.equal(flaggerValues(lean).noCrossNamespaceRefs, true);
        assert.equal(flaggerValues(monitored).metricsServer, PROMETHEUS);
        assert.deepEqual(flaggerValues(monitored).prometheus, { install: false });
        assert.deepEqual(flaggerValues(lean).prometheus, { install: true });
        assert.equal(flaggerValues(lean).metricsServer, undefined);
        assert.equal(flaggerValues(monitored).meshProvider, "nginx");
    });

    it("HA runs two controllers with a disruption budget; monitoring adds a ServiceMonitor with the selector labels", () => {
        const ha = rolloutsValues(monitored);
        assert.equal(get(ha, "controller.replicas"), 2);
        assert.deepEqual(get(ha, "controller.pdb"), { enabled: true, minAvailable: 1 });
        assert.deepEqual(get(ha, "controller.metrics.serviceMonitor"), {
            enabled: true,
            additionalLabels: { release: "kps" },
        });
        assert.equal(get(rolloutsValues(lean), "controller.replicas"), 1);
        assert.deepEqual(get(flaggerValues(monitored), "leaderElection"), { enabled: true, replicaCount: 2 });
        assert.deepEqual(get(flaggerValues(lean), "serviceMonitor"), { enabled: false });
        // No traffic router is used: the controller gets no rights on meshes and ingresses.
        assert.deepEqual(get(ha, "providerRBAC"), { enabled: false });
        assert.equal(get(ha, "keepCRDs"), true);
    });
});

// ---- through the component and the offline plan ----

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const ANALYSIS_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const CANARY = "kubernetes:flagger.app/v1beta1:Canary";
const METRIC_TEMPLATE = "kubernetes:flagger.app/v1beta1:MetricTemplate";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";

describe("progressive delivery: offline plans", () => {
    it("production, Argo CD: canary with automatic rollback by default, the pinned HA controller, the analysis", async () => {
        const { resources } = await planStack(
            "production",
            withDelivery("production", { analysis: { metrics: [SUCCESS_RATE] } }),
        );
        const release = ofType(resources, RELEASE).find((r) => r.inputs.chart === "argo-rollouts");
        assert.ok(release);
        assert.equal(release.inputs.version, "2.41.0");
        assert.equal(get(release.inputs.values, "controller.replicas"), 2);
        const rolloutObject = byName(resources, ROLLOUT, "payments-api-delivery-rollout-payments-api");
        const s = rolloutObject.inputs.spec;
        assert.ok(get(s, "strategy.canary"), "production defaults to canary");
        assert.equal(get(s, "progressDeadlineAbort"), true);
        assert.equal(get(rolloutObject.inputs.metadata, "namespace"), "payments-api");
        const template = byName(resources, ANALYSIS_TEMPLATE, "payments-api-delivery-analysistemplate-payments-api");
        assert.match(JSON.stringify(template.inputs), /namespace=\\"payments-api\\"/);
        const isolation = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
            (r) => get(r.inputs.metadata, "namespace") === "argo-rollouts",
        );
        assert.deepEqual(get(isolation?.inputs, "spec.ingress"), [
            { from: [{ podSelector: {} }] },
            { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: "metrics" }] },
        ]);
        // The objects wait for the controller's CRDs.
        assert.ok(rolloutObject.dependencies.includes(release.urn));
        for (const r of [rolloutObject, template]) {
            await validate(r.inputs as unknown as K8sObject);
        }
        assert.equal(ofType(resources, CANARY).length, 0);
    });

    it("staging, Argo CD: blue-green without rollback by default; an explicit canary is a canary", async () => {
        const bg = await planStack("staging", withDelivery("staging", {}));
        const s = byName(bg.resources, ROLLOUT, "payments-api-delivery-rollout-payments-api").inputs.spec;
        assert.equal(get(s, "strategy.blueGreen.activeService"), "payments-api");
        assert.equal(get(s, "progressDeadlineAbort"), false);
        assert.equal(ofType(bg.resources, ANALYSIS_TEMPLATE).length, 0);
        const release = ofType(bg.resources, RELEASE).find((r) => r.inputs.chart === "argo-rollouts");
        assert.equal(get(release?.inputs.values, "controller.replicas"), 1);
        const c = await planStack("staging", withDelivery("staging", { strategy: "canary", steps: [20, 60] }));
        const steps = list(
            byName(c.resources, ROLLOUT, "payments-api-delivery-rollout-payments-api").inputs,
            "spec.strategy.canary.steps",
        );
        assert.deepEqual(
            steps.filter((x) => get(x, "setWeight") !== undefined),
            [{ setWeight: 20 }, { setWeight: 60 }],
        );
    });

    it("Argo CD: only the opted-in app's team may ship Rollouts and AnalysisTemplates, and reads its releases", async () => {
        const { resources } = await planStack("staging", withDelivery("staging", {}));
        const whitelist = (team: string) =>
            get(
                ofType(resources, APP_PROJECT).find((p) => get(p.inputs.metadata, "name") === team)?.inputs,
                "spec.namespaceResourceWhitelist",
            );
        assert.deepEqual(whitelist("payments"), tenantWhitelist(DELIVERY_TENANT_KINDS["argo-rollouts"]));
        assert.deepEqual(whitelist("storefront"), tenantWhitelist());
        const role = ofType(resources, ROLE).find((r) => get(r.inputs.metadata, "name") === "team-payments-delivery");
        assert.ok(role);
        assert.equal(get(role.inputs.metadata, "namespace"), "payments-api");
        const verbs = (role.inputs.rules as { verbs: string[] }[]).flatMap((r) => r.verbs);
        assert.deepEqual([...new Set(verbs)].sort(), ["get", "list", "watch"]);
    });

    it("Flux: Flagger with the mesh provider, a Canary and MetricTemplates; the tenant's ClusterRole in that app's namespace gets Flagger's kinds", async () => {
        const overrides = withDelivery(
            "staging",
            {
                strategy: "canary",
                port: 8080,
                ingress: "payments-api",
                analysis: { failureLimit: 0, metrics: [SUCCESS_RATE, LATENCY] },
            },
            { ...FLUX, "gitops-platform:delivery": { prometheusAddress: PROMETHEUS, meshProvider: "nginx" } },
        );
        const { resources } = await planStack("staging", overrides);
        const release = ofType(resources, RELEASE).find((r) => r.inputs.chart === "flagger");
        assert.ok(release);
        assert.equal(release.inputs.version, "1.44.0");
        const values = release.inputs.values;
        assert.equal(get(values, "meshProvider"), "nginx");
        assert.equal(get(values, "metricsServer"), PROMETHEUS);
        assert.equal(get(values, "noCrossNamespaceRefs"), true);
        const canaryObject = byName(resources, CANARY, "payments-api-delivery-canary-payments-api");
        assert.equal(get(canaryObject.inputs, "spec.analysis.threshold"), 1);
        const templates = ofType(resources, METRIC_TEMPLATE);
        assert.equal(templates.length, 2);
        for (const r of [canaryObject, ...templates]) {
            await validate(r.inputs as unknown as K8sObject);
        }
        assert.equal(ofType(resources, ROLLOUT).length, 0);
        // Each app's tenant binding in its namespace refers to the ClusterRole of its kinds.
        const tenantRules = (namespace: string) => {
            const binding = ofType(resources, ROLE_BINDING).find(
                (r) =>
                    get(r.inputs.metadata, "namespace") === namespace &&
                    String(get(r.inputs.metadata, "name")).startsWith("flux-"),
            );
            assert.equal(get(binding?.inputs, "roleRef.kind"), "ClusterRole");
            const role = ofType(resources, CLUSTER_ROLE).find(
                (r) => get(r.inputs.metadata, "name") === get(binding?.inputs, "roleRef.name"),
            );
            return role?.inputs.rules;
        };
        assert.deepEqual(tenantRules("payments-api"), fluxTenantRules(DELIVERY_TENANT_KINDS.flagger));
        assert.deepEqual(tenantRules("checkout"), fluxTenantRules());
    });

    it("Flux: blue-green through Flagger's kubernetes provider, with Flagger's own Prometheus when the stack has none", async () => {
        const overrides = withDelivery("staging", { port: 80 }, { ...FLUX, "gitops-platform:delivery": {} });
        const { resources } = await planStack("staging", overrides);
        const values = ofType(resources, RELEASE).find((r) => r.inputs.chart === "flagger")?.inputs.values;
        assert.equal(get(values, "meshProvider"), "kubernetes");
        assert.deepEqual(get(values, "prometheus"), { install: true });
        const s = byName(resources, CANARY, "payments-api-delivery-canary-payments-api").inputs.spec;
        assert.equal(get(s, "analysis.iterations"), PROFILES.staging.deliveryStrategy === "blueGreen" ? 5 : undefined);
        await validate(
            byName(resources, CANARY, "payments-api-delivery-canary-payments-api").inputs as unknown as K8sObject,
        );
    });

    it("Argo CD: the Rollouts UI extension in the Argo CD server when config asks and the controller is there", async () => {
        // Without SSO, so that the values are not a secret in the plan.
        const argoServer = async (overrides: StackOverrides) =>
            get(
                ofType(
                    (
                        await planStack("staging", {
                            set: { ...overrides.set, "gitops-platform:engine": { type: "argocd" } },
                            remove: ["gitops-platform:ssoClientSecret"],
                        })
                    ).resources,
                    RELEASE,
                ).find((r) => r.inputs.chart === "argo-cd")?.inputs.values,
                "server.extensions",
            );
        const extra = { "gitops-platform:delivery": { prometheusAddress: PROMETHEUS, argocdExtension: true } };
        // argoproj-labs/rollout-extension README.md "Helm Values" (v0.3.7), argo-cd chart 10.1.1 server.extensions.
        assert.deepEqual(await argoServer(withDelivery("staging", {}, extra)), {
            enabled: true,
            extensionList: [
                {
                    name: "rollout-extension",
                    env: [
                        {
                            name: "EXTENSION_URL",
                            value: "https://github.com/argoproj-labs/rollout-extension/releases/download/v0.3.7/extension.tar",
                        },
                    ],
                },
            ],
        });
        assert.equal(await argoServer(withDelivery("staging", {})), undefined);
        assert.equal(await argoServer({ set: extra }), undefined);
    });

    it("no app opts in: no controller, no delivery objects, no extra tenant kinds (the checked-in stacks)", async () => {
        for (const stack of ["staging", "production", "local"]) {
            const { resources } = await planStack(stack);
            assert.equal(
                ofType(resources, RELEASE).filter((r) => ["argo-rollouts", "flagger"].includes(String(r.inputs.chart)))
                    .length,
                0,
            );
            assert.equal(resources.filter((r) => r.type.startsWith("gitops-platform:delivery:")).length, 0);
        }
    });
});

// ---- config ----

describe("progressive delivery: config errors name key, value and fix", () => {
    const problemsOf = (stack: string, overrides: StackOverrides) =>
        configProblems(stack, overrides).map((p) => `${p.key}: ${p.message} (${JSON.stringify(p.value)})`);
    const cases: [string, string, StackOverrides, RegExp][] = [
        [
            "analysis without the stack's Prometheus",
            "staging",
            {
                set: {
                    ...withDelivery("staging", { analysis: { metrics: [SUCCESS_RATE] } }).set,
                    "gitops-platform:delivery": {},
                },
            },
            /apps\[0\]\.delivery\.analysis: .*set gitops-platform:delivery\.prometheusAddress/,
        ],
        [
            "an unknown strategy",
            "staging",
            withDelivery("staging", { strategy: "rolling" }),
            /apps\[0\]\.delivery\.strategy: .*canary.*blueGreen.*\("rolling"\)/,
        ],
        [
            "decreasing weights",
            "staging",
            withDelivery("staging", { strategy: "canary", steps: [50, 10] }),
            /apps\[0\]\.delivery\.steps: expected increasing weights.*\[50,10\]/,
        ],
        [
            "steps on blue-green",
            "staging",
            withDelivery("staging", { steps: [10] }),
            /apps\[0\]\.delivery\.steps: steps are canary traffic weights: remove them, or set strategy canary/,
        ],
        [
            "a check without a bound",
            "staging",
            withDelivery("staging", { analysis: { metrics: [{ name: "x", query: "up" }] } }),
            /delivery\.analysis\.metrics\[0\]\.min: a check needs its bound/,
        ],
        [
            "a misspelt key",
            "staging",
            withDelivery("staging", { stratgy: "canary" }),
            /apps\[0\]\.delivery\.stratgy: unknown key "stratgy"; did you mean "strategy"\?/,
        ],
        [
            "a Flagger port on Argo CD",
            "staging",
            withDelivery("staging", { port: 80 }),
            /apps\[0\]\.delivery\.port: is Flagger's, on Flux stacks/,
        ],
        [
            "meshProvider on Argo CD",
            "staging",
            { set: { ...withDelivery("staging", {}).set, "gitops-platform:delivery": { meshProvider: "nginx" } } },
            /gitops-platform:delivery\.meshProvider: is Flagger's.*\("nginx"\)/,
        ],
        [
            "Flux without the port",
            "staging",
            withDelivery("staging", {}, FLUX),
            /apps\[0\]\.delivery\.port: Flagger generates the app's Services: set the port/,
        ],
        [
            "Flux canary without a traffic provider (production's default strategy)",
            "production",
            withDelivery("production", { port: 80 }, FLUX),
            /apps\[0\]\.delivery\.strategy: canary \(the environment's default\) needs a traffic provider on Flux: set gitops-platform:delivery\.meshProvider/,
        ],
        [
            "Flux nginx without the Ingress",
            "staging",
            withDelivery("staging", { port: 80 }, { ...FLUX, "gitops-platform:delivery": { meshProvider: "nginx" } }),
            /apps\[0\]\.delivery\.ingress: Flagger splits traffic in the app's Ingress/,
        ],
        [
            "Flux with Rollouts' replicas",
            "staging",
            withDelivery("staging", { port: 80, replicas: 3 }, FLUX),
            /apps\[0\]\.delivery\.replicas: is Argo Rollouts'.*\(3\)/,
        ],
        [
            "the Argo CD extension on Flux",
            "staging",
            withDelivery("staging", { port: 80 }, { ...FLUX, "gitops-platform:delivery": { argocdExtension: true } }),
            /gitops-platform:delivery\.argocdExtension: is the Argo CD UI's, and this stack runs Flux: remove it \(true\)/,
        ],
        [
            "an interval that is no duration",
            "staging",
            withDelivery("staging", { interval: "5 minutes" }),
            /apps\[0\]\.delivery\.interval: expected a duration such as 30s, 5m or 1h \("5 minutes"\)/,
        ],
        [
            "a Prometheus address that is no URL",
            "staging",
            {
                set: {
                    ...withDelivery("staging", {}).set,
                    "gitops-platform:delivery": { prometheusAddress: "prometheus:9090" },
                },
            },
            /gitops-platform:delivery\.prometheusAddress: expected a URL/,
        ],
    ];
    for (const [label, stack, overrides, expected] of cases) {
        it(label, () => {
            const problems = problemsOf(stack, overrides);
            assert.ok(
                problems.some((p) => expected.test(p)),
                `expected ${expected} among:\n${problems.join("\n")}`,
            );
        });
    }

    it("good configs have no problems (each strategy, each engine)", () => {
        assert.deepEqual(
            problemsOf("production", withDelivery("production", { analysis: { metrics: [SUCCESS_RATE] } })),
            [],
        );
        assert.deepEqual(problemsOf("staging", withDelivery("staging", { strategy: "canary" })), []);
        assert.deepEqual(problemsOf("staging", withDelivery("staging", { port: 80 }, FLUX)), []);
        assert.deepEqual(
            problemsOf(
                "production",
                withDelivery(
                    "production",
                    { port: 80 },
                    { ...FLUX, "gitops-platform:delivery": { meshProvider: "linkerd" } },
                ),
            ),
            [],
        );
    });
});

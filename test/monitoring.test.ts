/**
 * Metrics and alerts: PodMonitors and the PrometheusRule for each engine, validated against the
 * prometheus-operator CRD schemas (@kubernetes-models/prometheus-operator 6.0.0); every alert's
 * expression names only metrics its source really exports; the checked-in stacks plan them, and
 * switching the engine keeps the same monitoring config working.
 */
import assert from "node:assert/strict";
import {
    alertsByPurpose,
    AlertPurpose,
    MonitoringSettings,
    podMonitors,
    prometheusRule,
} from "../components/monitoring/objects";
import { dashboardConfigMap } from "../components/monitoring/dashboards";
import { byName, importEsm, ofType, planStack, platformConfig } from "./harness";

/**
 * Metrics each source exports, read upstream (not from this program):
 * - Argo CD application controller: argoproj/argo-cd docs/operator-manual/metrics.md ("Application
 *   Controller Metrics": argocd_app_info with sync_status and health_status labels, argocd_app_sync_total with phase).
 * - flux-operator v0.58.1: internal/reporter/metrics.go (flux_resource_info with kind, name,
 *   exported_namespace, ready, reason, suspended). Flux 2.9's controllers export gotk_reconcile_duration_seconds
 *   but no per-object condition gauge (fluxcd.io/flux/monitoring/metrics), so conditions come from the operator.
 * - External Secrets: external-secrets/external-secrets docs/api/metrics.md (externalsecret_status_condition,
 *   externalsecret_sync_calls_error).
 * - `up`: Prometheus's own per-target metric.
 */
const UPSTREAM_METRICS: Readonly<Record<string, readonly string[]>> = {
    argocd: ["argocd_app_info", "argocd_app_sync_total", "argocd_app_reconcile", "argocd_app_condition"],
    flux: ["flux_resource_info", "flux_instance_info", "gotk_reconcile_duration_seconds"],
    secrets: ["externalsecret_status_condition", "externalsecret_sync_calls_error", "externalsecret_sync_calls_total"],
    prometheus: ["up"],
};
/** Label values the sources set, from the same documents (Argo CD phases and health codes; kstatus Ready values). */
const LABEL_VALUES: Readonly<Record<string, readonly string[]>> = {
    phase: ["Error", "Failed", "Running", "Succeeded", "Terminating"],
    health_status: ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"],
    sync_status: ["Synced", "OutOfSync", "Unknown"],
    ready: ["True", "False", "Unknown"],
    suspended: ["True", "False"],
    condition: ["Ready", "Deleted"],
    status: ["True", "False"],
};

/** Metric names in a PromQL expression: identifiers directly followed by a selector or a range. */
function metricNames(expr: string): string[] {
    return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]);
}

/** `label="v"`, `label!="v"` and `label=~"a|b"` matchers → [label, each value]. */
function matchers(expr: string): [string, string][] {
    return [...expr.matchAll(/([a-z_]+)\s*(=~|!=|=)\s*"([^"]*)"/g)].flatMap(([, label, , value]) =>
        value.split("|").map((v) => [label, v] as [string, string]),
    );
}

function settings(engine: "argocd" | "flux", withSecrets = true): MonitoringSettings {
    return {
        engine,
        engineNamespace: engine === "argocd" ? "argocd" : "flux-system",
        secrets: withSecrets ? { namespace: "external-secrets", release: "external-secrets" } : undefined,
        selectorLabels: { release: "kube-prometheus-stack" },
        labels: { environment: "staging" },
        driftFor: "15m",
        stalledFor: "30m",
    };
}

const PURPOSES: AlertPurpose[] = ["failing", "stalled", "drift", "secretRefresh", "controllerDown"];

describe("monitoring objects", () => {
    for (const engine of ["argocd", "flux"] as const) {
        describe(engine, () => {
            it("has an alert for each purpose: failing, stalled, drift, ExternalSecret refresh, controllers down", () => {
                const alerts = alertsByPurpose(settings(engine));
                for (const purpose of PURPOSES) {
                    assert.ok(alerts[purpose].length > 0, `${engine}: no ${purpose} alert`);
                }
            });

            it("every expression names only metrics its sources export, with label values they set", () => {
                const allowed = new Set([
                    ...UPSTREAM_METRICS[engine],
                    ...UPSTREAM_METRICS.secrets,
                    ...UPSTREAM_METRICS.prometheus,
                ]);
                for (const rule of prometheusRule("alerts", settings(engine)).spec.groups.flatMap((g) => g.rules)) {
                    const names = metricNames(rule.expr);
                    assert.ok(names.length > 0, `${rule.alert}: no metric in ${rule.expr}`);
                    for (const name of names) {
                        assert.ok(
                            allowed.has(name),
                            `${rule.alert}: ${name} is not a metric ${engine} or External Secrets exports`,
                        );
                    }
                    for (const [label, value] of matchers(rule.expr).filter(([label]) => label in LABEL_VALUES)) {
                        assert.ok(
                            LABEL_VALUES[label].includes(value),
                            `${rule.alert}: ${label}="${value}" is never set upstream`,
                        );
                    }
                }
            });

            it("each controller-down alert watches the job of one of the PodMonitors (<namespace>/<name>)", () => {
                const jobs = new Set(
                    podMonitors(settings(engine)).map((m) => `${m.metadata.namespace}/${m.metadata.name}`),
                );
                const watched = alertsByPurpose(settings(engine)).controllerDown.map(
                    (r) => /job="([^"]+)"/.exec(r.expr)?.[1],
                );
                assert.deepEqual(new Set(watched), jobs);
            });

            it("PodMonitors and the PrometheusRule validate against the prometheus-operator CRD schemas", async () => {
                const models = await importEsm<Record<string, new (o: object) => { validate(): void }>>(
                    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
                );
                for (const monitor of podMonitors(settings(engine))) {
                    new models.PodMonitor(monitor).validate();
                }
                new models.PrometheusRule(prometheusRule("alerts", settings(engine))).validate();
            });
        });
    }

    it("without a secrets store: no ExternalSecret alert and no External Secrets monitor", () => {
        const s = settings("flux", false);
        assert.deepEqual(alertsByPurpose(s).secretRefresh, []);
        assert.ok(!podMonitors(s).some((m) => m.metadata.name === "external-secrets"));
        assert.ok(!prometheusRule("alerts", s).spec.groups.some((g) => g.name.endsWith("-secrets")));
    });

    it("thresholds reach the rules' for", () => {
        const rules = alertsByPurpose({ ...settings("argocd"), driftFor: "45m", stalledFor: "2h" });
        assert.deepEqual(
            rules.drift.map((r) => r.for),
            ["45m", "45m"],
        );
        assert.deepEqual(
            rules.stalled.map((r) => r.for),
            ["2h"],
        );
    });

    it("PodMonitors and rules carry the labels the existing Prometheus selects by", () => {
        const s = { ...settings("argocd"), selectorLabels: { prometheus: "platform" } };
        for (const object of [...podMonitors(s), prometheusRule("alerts", s)]) {
            assert.equal(object.metadata.labels.prometheus, "platform", object.metadata.name);
        }
    });
});

describe("monitoring config", () => {
    const load = (monitoring: unknown) =>
        platformConfig("staging", { set: { "gitops-platform:monitoring": monitoring } });

    it("defaults: off unless enabled, kube-prometheus-stack's release label, 15m drift and 30m stalled", () => {
        assert.deepEqual(load({}).monitoring, {
            enabled: false,
            selectorLabels: { release: "kube-prometheus-stack" },
            driftFor: "15m",
            stalledFor: "30m",
            installPrometheusStack: false,
            operatorCrds: "install",
        });
    });

    it("a duration Prometheus cannot read is refused with the key and an example", () => {
        assert.throws(
            () => load({ enabled: true, driftFor: "ten minutes" }),
            /gitops-platform:monitoring\.driftFor: expected a Prometheus duration such as 15m/,
        );
        assert.throws(() => load({ enabled: true, stalledFor: "0m" }), /gitops-platform:monitoring\.stalledFor/);
        assert.throws(() => load({ enable: true }), /gitops-platform:monitoring\.enable/);
    });
});

/** What Pulumi.local.yaml's commented-out monitoring section says. */
const LOCAL_MONITORING = { enabled: true, installPrometheusStack: true, dashboards: { namespace: "monitoring" } };

describe("monitoring in the checked-in stacks", () => {
    const rules = (resources: { type: string; inputs: Record<string, unknown> }[]) =>
        ofType(resources as never, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) =>
            (r.inputs as { spec: { groups: { rules: { alert: string }[] }[] } }).spec.groups.flatMap((g) =>
                g.rules.map((x) => x.alert),
            ),
        );

    for (const stack of ["staging", "production"]) {
        it(`${stack}: Argo CD monitors and alerts; with engine flux, the same config gives Flux's`, async () => {
            const argo = await planStack(stack);
            assert.equal(ofType(argo.resources, "kubernetes:monitoring.coreos.com/v1:PodMonitor").length, 4);
            assert.ok(rules(argo.resources).includes("ArgoCdAppOutOfSync"));
            assert.ok(rules(argo.resources).includes("ExternalSecretNotReady"));
            // Flux in production needs its multi-tenancy lockdown (stacks/config/invariants.ts).
            const flux = await planStack(stack, {
                set: { "gitops-platform:engine": { type: "flux", multitenancy: true } },
            });
            const fluxRules = rules(flux.resources);
            assert.ok(fluxRules.includes("FluxResourceNotReady") && fluxRules.includes("FluxOperatorDown"));
            assert.ok(!fluxRules.some((alert) => alert.startsWith("ArgoCd")));
        });
    }

    it("production alerts on drift sooner than staging (its config says 10m)", async () => {
        const result = await planStack("production");
        const rule = ofType(result.resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0].inputs as {
            spec: { groups: { rules: { alert: string; for: string }[] }[] };
        };
        const outOfSync = rule.spec.groups.flatMap((g) => g.rules).find((r) => r.alert === "ArgoCdAppOutOfSync");
        assert.equal(outOfSync?.for, "10m");
    });

    it("local with installPrometheusStack: the pinned kube-prometheus-stack, which monitors, rule and dashboards wait for", async () => {
        const result = await planStack("local", { set: { "gitops-platform:monitoring": LOCAL_MONITORING } });
        const release = byName(result.resources, "kubernetes:helm.sh/v3:Release", "local-monitoring-stack");
        const inputs = release.inputs as { chart: string; version: string; namespace: string };
        assert.deepEqual([inputs.chart, inputs.version], ["kube-prometheus-stack", "88.5.3"]);
        const monitors = result.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/"));
        assert.ok(monitors.length > 0);
        for (const object of [
            ...monitors,
            byName(result.resources, "kubernetes:core/v1:ConfigMap", "local-monitoring-dashboards"),
        ]) {
            assert.ok(object.dependencies.includes(release.urn), `${object.name} does not wait for the stack`);
        }
    });

    it("local as checked in (no Prometheus Operator) declares no monitoring objects", async () => {
        const result = await planStack("local");
        assert.deepEqual(
            result.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/")),
            [],
        );
    });

    it("installPrometheusStack with other selector labels is refused (its Prometheus would never select them)", () => {
        assert.throws(
            () =>
                platformConfig("local", {
                    set: {
                        "gitops-platform:monitoring": {
                            enabled: true,
                            installPrometheusStack: true,
                            selectorLabels: { prometheus: "x" },
                        },
                    },
                }),
            /gitops-platform:monitoring\.selectorLabels: the kube-prometheus-stack/,
        );
    });
});

describe("monitoring dashboards", () => {
    it("reference each engine's upstream dashboards at a pinned commit, as .url keys the Grafana sidecar downloads", () => {
        const upstream: Record<string, RegExp> = {
            argocd: /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/[0-9a-f]{40}\/examples\/dashboard\.json$/,
            flux: /^https:\/\/raw\.githubusercontent\.com\/controlplaneio-fluxcd\/flux-operator\/[0-9a-f]{40}\/config\/monitoring\/dashboards\/[a-z0-9-]+\.json$/,
        };
        for (const engine of ["argocd", "flux"] as const) {
            const configMap = dashboardConfigMap(engine, "monitoring", { environment: "staging" });
            // The Grafana sidecar's label and value in kube-prometheus-stack 88.5.3 values.yaml
            // (grafana.sidecar.dashboards.label grafana_dashboard, labelValue "1").
            assert.equal(configMap.metadata.labels.grafana_dashboard, "1");
            assert.equal(configMap.metadata.labels.environment, "staging");
            const entries = Object.entries(configMap.data);
            assert.ok(entries.length > 0);
            for (const [key, url] of entries) {
                assert.match(key, /^[a-z0-9-]+\.json\.url$/);
                assert.match(url, upstream[engine], key);
            }
        }
    });

    it("staging: the engine's dashboards in the grafana app's namespace, after it; with engine flux, Flux's", async () => {
        const argo = await planStack("staging");
        const configMap = byName(argo.resources, "kubernetes:core/v1:ConfigMap", "staging-monitoring-dashboards");
        const inputs = configMap.inputs as { metadata: { namespace: string }; data: Record<string, string> };
        assert.equal(inputs.metadata.namespace, "monitoring");
        assert.deepEqual(Object.keys(inputs.data), ["argocd.json.url"]);
        const namespace = ofType(argo.resources, "kubernetes:core/v1:Namespace").find(
            (r) => (r.inputs.metadata as { name: string }).name === "monitoring",
        );
        assert.ok(
            namespace && configMap.dependencies.includes(namespace.urn),
            "the ConfigMap does not wait for its namespace",
        );
        const flux = await planStack("staging", {
            set: { "gitops-platform:engine": { type: "flux" } },
        });
        const fluxData = byName(flux.resources, "kubernetes:core/v1:ConfigMap", "staging-monitoring-dashboards").inputs
            .data as Record<string, string>;
        assert.ok(Object.keys(fluxData).every((key) => key.startsWith("flux-")));
        const withoutDashboards = await planStack("staging", {
            set: { "gitops-platform:monitoring": { enabled: true } },
        });
        assert.ok(!withoutDashboards.resources.some((r) => r.name === "staging-monitoring-dashboards"));
    });
});

/**
 * Prometheus Operator objects for the GitOps engine and External Secrets: PodMonitors that scrape
 * the controllers' metrics ports (no chart change needed: the ports exist whether or not a chart
 * creates a metrics Service) and one PrometheusRule with the platform's alerts. Pure functions.
 *
 * Where the selectors and metrics come from (read upstream):
 * - Argo CD: argoproj/argo-helm charts/argo-cd 10.1.1 (pod label app.kubernetes.io/name
 *   argocd-<component>, container ports named `metrics`); metrics in argoproj/argo-cd
 *   docs/operator-manual/metrics.md (argocd_app_info{sync_status, health_status}, argocd_app_sync_total{phase}).
 * - Flux: controllers label pods `app: <controller>` and name the port `http-prom` (fluxcd/flux2
 *   manifests/monitoring/monitoring-config/podmonitor.yaml); the Flux controllers no longer export a
 *   per-object condition gauge, the flux-operator does: flux_resource_info{kind, name,
 *   exported_namespace, ready, reason, suspended} on port `http-metrics`
 *   (controlplaneio-fluxcd/flux-operator v0.58.1 internal/reporter/metrics.go, config/manager/deployment.yaml).
 * - External Secrets: externalsecret_status_condition{name, namespace, condition, status} and
 *   externalsecret_sync_calls_error (external-secrets/external-secrets docs/api/metrics.md); the
 *   controller's port is named `metrics` (deploy/charts/external-secrets/templates/deployment.yaml).
 *   Its `namespace` label (the ExternalSecret's) collides with the target's: with honorLabels unset (false, as
 *   these PodMonitors leave it) Prometheus keeps the scraped one as `exported_namespace` and sets `namespace` to
 *   the controller pod's (prometheus/prometheus scrape/scrape.go mutateSampleLabels), so the rules read
 *   `exported_namespace`.
 */
export const API_VERSION = "monitoring.coreos.com/v1";

export type EngineKind = "argocd" | "flux";

export interface MonitoringSettings {
    readonly engine: EngineKind;
    readonly engineNamespace: string;
    /** External Secrets' namespace and Helm release name; undefined without a secrets store. */
    readonly secrets?: { readonly namespace: string; readonly release: string };
    /** Labels the existing Prometheus selects monitors and rules by (its podMonitorSelector / ruleSelector). */
    readonly selectorLabels: Readonly<Record<string, string>>;
    /** Labels on every object (the platform's). */
    readonly labels: Readonly<Record<string, string>>;
    /** How long an object may stay out of sync / not Ready before it alerts (Prometheus duration). */
    readonly driftFor: string;
    /** How long a sync or reconciliation may stay in progress before it alerts. */
    readonly stalledFor: string;
}

interface Selector {
    readonly matchLabels?: Record<string, string>;
    readonly matchExpressions?: { key: string; operator: "In"; values: string[] }[];
}

export interface PodMonitorObject {
    apiVersion: typeof API_VERSION;
    kind: "PodMonitor";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        namespaceSelector: { matchNames: string[] };
        selector: Selector;
        podMetricsEndpoints: { port: string; interval: string }[];
    };
}

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "warning" | "critical" };
    annotations: { summary: string; description: string };
}

export interface PrometheusRuleObject {
    apiVersion: typeof API_VERSION;
    kind: "PrometheusRule";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { groups: { name: string; rules: AlertRule[] }[] };
}

/** What each alert is about; every engine has one alert of each kind (tests check that). */
export type AlertPurpose = "failing" | "stalled" | "drift" | "secretRefresh" | "controllerDown";

/** The Argo CD components that export metrics: PodMonitor name (= the pods' app.kubernetes.io/name) → its down alert. */
export const ARGO_CD_TARGETS: Readonly<Record<string, string>> = {
    "argocd-application-controller": "ArgoCdApplicationControllerDown",
    "argocd-server": "ArgoCdServerDown",
    "argocd-repo-server": "ArgoCdRepoServerDown",
};

/** The Flux controllers FluxInstance installs by default; image automation only when enabled. */
export const FLUX_CONTROLLERS = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
];

function podMonitor(
    name: string,
    namespace: string,
    selector: Selector,
    port: string,
    settings: MonitoringSettings,
): PodMonitorObject {
    return {
        apiVersion: API_VERSION,
        kind: "PodMonitor",
        metadata: { name, namespace, labels: { ...settings.labels, ...settings.selectorLabels } },
        spec: {
            namespaceSelector: { matchNames: [namespace] },
            selector,
            podMetricsEndpoints: [{ port, interval: "30s" }],
        },
    };
}

/** PodMonitors, by name; the job label Prometheus gives their targets is `<namespace>/<name>`. */
export function podMonitors(settings: MonitoringSettings): PodMonitorObject[] {
    const ns = settings.engineNamespace;
    const engine =
        settings.engine === "argocd"
            ? Object.keys(ARGO_CD_TARGETS).map((name) =>
                  podMonitor(name, ns, { matchLabels: { "app.kubernetes.io/name": name } }, "metrics", settings),
              )
            : [
                  podMonitor(
                      "flux-controllers",
                      ns,
                      { matchExpressions: [{ key: "app", operator: "In", values: [...FLUX_CONTROLLERS] }] },
                      "http-prom",
                      settings,
                  ),
                  podMonitor(
                      "flux-operator",
                      ns,
                      { matchLabels: { "app.kubernetes.io/name": "flux-operator" } },
                      "http-metrics",
                      settings,
                  ),
              ];
    const secrets = settings.secrets
        ? [
              podMonitor(
                  "external-secrets",
                  settings.secrets.namespace,
                  {
                      matchLabels: {
                          "app.kubernetes.io/name": "external-secrets",
                          "app.kubernetes.io/instance": settings.secrets.release,
                      },
                  },
                  "metrics",
                  settings,
              ),
          ]
        : [];
    return [...engine, ...secrets];
}

/** `absent(up{job=...} == 1)`: fires when the job has no target up, including when it has no target at all. */
function down(job: string): string {
    return `absent(up{job="${job}"} == 1)`;
}

function rule(
    alert: string,
    expr: string,
    forDuration: string,
    severity: "warning" | "critical",
    summary: string,
    description: string,
): AlertRule {
    return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } };
}

function argoRules(s: MonitoringSettings): Record<AlertPurpose, AlertRule[]> {
    const ns = s.engineNamespace;
    return {
        failing: [
            rule(
                "ArgoCdSyncFailed",
                'sum by (namespace, name, project) (increase(argocd_app_sync_total{phase=~"Error|Failed"}[10m])) > 0',
                "0m",
                "critical",
                "Argo CD sync of {{ $labels.name }} failed",
                "A sync of Application {{ $labels.namespace }}/{{ $labels.name }} ended in Error or Failed in the last 10 minutes: argocd app get {{ $labels.name }}.",
            ),
        ],
        stalled: [
            rule(
                "ArgoCdAppProgressingTooLong",
                'argocd_app_info{health_status="Progressing"} == 1',
                s.stalledFor,
                "warning",
                "Argo CD Application {{ $labels.name }} has been progressing for " + s.stalledFor,
                "Its resources have not become healthy: a rollout is stuck or a hook does not finish.",
            ),
        ],
        drift: [
            rule(
                "ArgoCdAppOutOfSync",
                'argocd_app_info{sync_status!="Synced"} == 1',
                s.driftFor,
                "warning",
                "Argo CD Application {{ $labels.name }} is {{ $labels.sync_status }}",
                "The cluster differs from Git for longer than " + s.driftFor + ": argocd app diff {{ $labels.name }}.",
            ),
            rule(
                "ArgoCdAppDegraded",
                'argocd_app_info{health_status=~"Degraded|Missing"} == 1',
                s.driftFor,
                "critical",
                "Argo CD Application {{ $labels.name }} is {{ $labels.health_status }}",
                "Its resources are {{ $labels.health_status }} for longer than " + s.driftFor + ".",
            ),
        ],
        secretRefresh: [],
        controllerDown: Object.entries(ARGO_CD_TARGETS).map(([name, alert]) =>
            rule(
                alert,
                down(`${ns}/${name}`),
                "5m",
                "critical",
                `${name} is down`,
                `No ${name} pod in ${ns} has answered a metrics scrape for 5 minutes.`,
            ),
        ),
    };
}

function fluxRules(s: MonitoringSettings): Record<AlertPurpose, AlertRule[]> {
    const ns = s.engineNamespace;
    const object = "{{ $labels.kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}";
    return {
        failing: [
            rule(
                "FluxReconciliationFailed",
                'flux_resource_info{ready="False", suspended="False"} == 1',
                "5m",
                "critical",
                `Flux ${object} fails to reconcile`,
                "Ready=False ({{ $labels.reason }}): flux get all -A --status-selector ready=false.",
            ),
        ],
        stalled: [
            rule(
                "FluxReconciliationStalled",
                'flux_resource_info{ready="Unknown", suspended="False"} == 1',
                s.stalledFor,
                "warning",
                `Flux ${object} has been reconciling for ${s.stalledFor}`,
                "A reconciliation in progress has not finished: a health check waits or a source does not answer.",
            ),
        ],
        drift: [
            rule(
                "FluxResourceNotReady",
                'flux_resource_info{ready!="True", suspended="False"} == 1',
                s.driftFor,
                "warning",
                `Flux ${object} is not Ready`,
                `Not Ready for longer than ${s.driftFor}: what Git says is not what runs.`,
            ),
            rule(
                "FluxResourceSuspended",
                'flux_resource_info{suspended="True"} == 1',
                s.driftFor,
                "warning",
                `Flux ${object} is suspended`,
                "Changes in Git do not reach the cluster until: flux resume {{ $labels.kind }} {{ $labels.name }}.",
            ),
        ],
        secretRefresh: [],
        controllerDown: [
            rule(
                "FluxControllersDown",
                down(`${ns}/flux-controllers`),
                "5m",
                "critical",
                "Flux controllers are down",
                `No Flux controller in ${ns} has answered a metrics scrape for 5 minutes.`,
            ),
            rule(
                "FluxOperatorDown",
                down(`${ns}/flux-operator`),
                "5m",
                "critical",
                "flux-operator is down",
                `The flux-operator in ${ns} has not answered a metrics scrape for 5 minutes; flux_resource_info alerts are blind.`,
            ),
        ],
    };
}

function secretsRules(
    secrets: NonNullable<MonitoringSettings["secrets"]>,
    driftFor: string,
): Pick<Record<AlertPurpose, AlertRule[]>, "secretRefresh" | "controllerDown"> {
    return {
        secretRefresh: [
            rule(
                "ExternalSecretNotReady",
                'externalsecret_status_condition{condition="Ready", status="False"} == 1',
                driftFor,
                "critical",
                "ExternalSecret {{ $labels.exported_namespace }}/{{ $labels.name }} is not Ready",
                "Its Secret no longer follows the store: kubectl describe externalsecret -n {{ $labels.exported_namespace }} {{ $labels.name }}.",
            ),
            rule(
                "ExternalSecretSyncErrors",
                "sum by (exported_namespace, name) (increase(externalsecret_sync_calls_error[15m])) > 0",
                "15m",
                "warning",
                "ExternalSecret {{ $labels.exported_namespace }}/{{ $labels.name }} fails to refresh",
                "Reads from the store keep failing (permissions, a missing key, the store unreachable).",
            ),
        ],
        controllerDown: [
            rule(
                "ExternalSecretsDown",
                down(`${secrets.namespace}/external-secrets`),
                "5m",
                "critical",
                "External Secrets Operator is down",
                `No external-secrets controller in ${secrets.namespace} has answered a metrics scrape for 5 minutes.`,
            ),
        ],
    };
}

/** The alerts, by purpose, for the settings' engine (and External Secrets when there is a store). */
export function alertsByPurpose(settings: MonitoringSettings): Record<AlertPurpose, AlertRule[]> {
    const engine = settings.engine === "argocd" ? argoRules(settings) : fluxRules(settings);
    const secrets = settings.secrets
        ? secretsRules(settings.secrets, settings.driftFor)
        : { secretRefresh: [], controllerDown: [] };
    return {
        ...engine,
        secretRefresh: secrets.secretRefresh,
        controllerDown: [...engine.controllerDown, ...secrets.controllerDown],
    };
}

export function prometheusRule(name: string, settings: MonitoringSettings): PrometheusRuleObject {
    const alerts = alertsByPurpose(settings);
    const groups = [
        { name: `${name}-${settings.engine}`, rules: [...alerts.failing, ...alerts.stalled, ...alerts.drift] },
        { name: `${name}-secrets`, rules: alerts.secretRefresh },
        { name: `${name}-controllers`, rules: alerts.controllerDown },
    ].filter((group) => group.rules.length > 0);
    return {
        apiVersion: API_VERSION,
        kind: "PrometheusRule",
        metadata: {
            name,
            namespace: settings.engineNamespace,
            labels: { ...settings.labels, ...settings.selectorLabels },
        },
        spec: { groups },
    };
}

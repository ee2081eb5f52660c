/**
 * Progressive delivery objects, one config shape for both engines: Argo Rollouts (Argo CD stacks) and
 * Flagger (Flux stacks). The platform declares, per app that opts in, the object that drives the
 * release of the app's Deployment from Git (a Rollout with workloadRef, or a Flagger Canary with
 * targetRef) and, with analysis, the Prometheus checks it runs (an AnalysisTemplate, or one Flagger
 * MetricTemplate per check). Pure functions.
 *
 * Read upstream:
 * - Argo Rollouts v1.9.0 (the appVersion of argoproj/argo-helm charts/argo-rollouts 2.41.0):
 *   pkg/apis/rollouts/v1alpha1/types.go (workloadRef.scaleDown never|onsuccess|progressively,
 *   progressDeadlineAbort), analysis/analysis.go (a metric fails once failed > failureLimit).
 * - Flagger v1.44.0 (fluxcd/flagger charts/flagger 1.44.0): charts/flagger/crds/crd.yaml (Canary and
 *   MetricTemplate schemas), pkg/controller/scheduler.go (rollback once failedChecks >= threshold).
 */
import type * as k8s from "@pulumi/kubernetes";
import type { TenantKind } from "../gitops/tenancy";

export type DeliveryEngine = "argo-rollouts" | "flagger";
export type DeliveryStrategy = "canary" | "blueGreen";

/** One Prometheus check: the query must return one number, kept within [min, max]. */
export interface AnalysisMetric {
    /** DNS label; names the check in the AnalysisRun or the Flagger MetricTemplate. */
    readonly name: string;
    /** PromQL; `{namespace}` and `{workload}` are replaced with the app's. */
    readonly query: string;
    readonly min?: number;
    readonly max?: number;
}

export interface Analysis {
    /** The Prometheus the checks query (the stack's monitoring). */
    readonly prometheusAddress: string;
    /** Failed checks tolerated; one more rolls the release back. */
    readonly failureLimit: number;
    readonly metrics: readonly AnalysisMetric[];
}

/** What the platform needs to release one app progressively. */
export interface AppDeliverySettings {
    readonly app: string;
    readonly namespace: string;
    readonly strategy: DeliveryStrategy;
    /** The Deployment from Git that is released. */
    readonly workload: string;
    /** Canary traffic weights, in percent, each held for `interval`. */
    readonly steps: readonly number[];
    /** How long a step lasts and how often a check runs: Ns, Nm or Nh. */
    readonly interval: string;
    /** Blue-green: checks of the new version before it takes the traffic. */
    readonly checks: number;
    /** A release that does not become ready within the deadline is rolled back. */
    readonly autoRollback: boolean;
    readonly progressDeadlineSeconds: number;
    /** Argo Rollouts: the Service from Git that blue-green switches. */
    readonly service: string;
    /** Argo Rollouts: pods of the Rollout (a workloadRef does not copy the Deployment's replicas). */
    readonly replicas: number;
    /** Flagger: the port of the Services it generates. */
    readonly port?: number;
    /** Flagger with nginx: the Ingress from Git whose traffic is split. */
    readonly ingress?: string;
    readonly analysis?: Analysis;
    readonly labels: Readonly<Record<string, string>>;
}

export interface K8sObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    readonly spec: Record<string, unknown>;
}

const ROLLOUTS_API = "argoproj.io/v1alpha1";
const FLAGGER_API = "flagger.app/v1beta1";

/**
 * Kinds a team with an app that opts in may ship from Git, on top of TENANT_KINDS. Left out: what the
 * controller creates (AnalysisRun, Experiment), what is cluster-scoped (ClusterAnalysisTemplate), and
 * Flagger's AlertProvider (it reads a Secret and posts outside the cluster).
 */
export const DELIVERY_TENANT_KINDS: Readonly<Record<DeliveryEngine, readonly TenantKind[]>> = {
    "argo-rollouts": [
        { group: "argoproj.io", kind: "Rollout", resource: "rollouts" },
        { group: "argoproj.io", kind: "AnalysisTemplate", resource: "analysistemplates" },
    ],
    flagger: [
        { group: "flagger.app", kind: "Canary", resource: "canaries" },
        { group: "flagger.app", kind: "MetricTemplate", resource: "metrictemplates" },
    ],
};

/** What the team's members may read of their releases (they change them through Git only). */
export function deliveryReadRules(engine: DeliveryEngine): k8s.types.input.rbac.v1.PolicyRule[] {
    const read = ["get", "list", "watch"];
    return engine === "argo-rollouts"
        ? [
              {
                  apiGroups: ["argoproj.io"],
                  resources: ["rollouts", "rollouts/status", "analysistemplates", "analysisruns", "experiments"],
                  verbs: read,
              },
          ]
        : [{ apiGroups: ["flagger.app"], resources: ["canaries", "canaries/status", "metrictemplates"], verbs: read }];
}

/** `{namespace}` and `{workload}` of a query, filled in. */
export function renderQuery(query: string, settings: Pick<AppDeliverySettings, "namespace" | "workload">): string {
    return query.replaceAll("{namespace}", settings.namespace).replaceAll("{workload}", settings.workload);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** `90s`, `5m`, `1h` → seconds. */
export function intervalSeconds(interval: string): number {
    const match = /^([1-9]\d*)(s|m|h)$/.exec(interval);
    if (match === null) {
        throw new Error(`interval "${interval}" is not a duration such as 30s, 5m or 1h`);
    }
    return Number(match[1]) * UNIT_SECONDS[match[2]];
}

function meta(name: string, settings: AppDeliverySettings) {
    return { name, namespace: settings.namespace, labels: { ...settings.labels } };
}

/** Argo Rollouts' expr condition of a check: `result[0]` is the first sample of the query. */
export function successCondition(metric: AnalysisMetric): string {
    const bounds = [
        ...(metric.min === undefined ? [] : [`result[0] >= ${metric.min}`]),
        ...(metric.max === undefined ? [] : [`result[0] <= ${metric.max}`]),
    ];
    return bounds.join(" && ");
}

/** The AnalysisTemplate of an app on Argo Rollouts (named after the app); undefined without analysis. */
export function analysisTemplate(settings: AppDeliverySettings): K8sObject | undefined {
    const analysis = settings.analysis;
    if (analysis === undefined) {
        return undefined;
    }
    return {
        apiVersion: ROLLOUTS_API,
        kind: "AnalysisTemplate",
        metadata: meta(settings.app, settings),
        spec: {
            metrics: analysis.metrics.map((metric) => ({
                name: metric.name,
                interval: settings.interval,
                failureLimit: analysis.failureLimit,
                // Blue-green checks the preview a fixed number of times; a canary's background analysis runs until the end.
                ...(settings.strategy === "blueGreen" ? { count: settings.checks } : {}),
                successCondition: successCondition(metric),
                provider: {
                    prometheus: { address: analysis.prometheusAddress, query: renderQuery(metric.query, settings) },
                },
            })),
        },
    };
}

/**
 * The Rollout of an app: it takes over the pods of the Deployment from Git (workloadRef, scaled down
 * once the Rollout is healthy) and releases every change of its pod template with the strategy.
 */
export function rollout(settings: AppDeliverySettings): K8sObject {
    const templates = settings.analysis ? { templates: [{ templateName: settings.app }] } : undefined;
    const strategy =
        settings.strategy === "canary"
            ? {
                  canary: {
                      steps: settings.steps.flatMap((weight) => [
                          { setWeight: weight },
                          { pause: { duration: settings.interval } },
                      ]),
                      // Background analysis from the first step: a failed check aborts, which rolls back.
                      ...(templates ? { analysis: templates } : {}),
                  },
              }
            : {
                  blueGreen: {
                      activeService: settings.service,
                      autoPromotionEnabled: true,
                      // Without checks, the new version still waits as long as the checks would take.
                      ...(templates
                          ? { prePromotionAnalysis: templates }
                          : { autoPromotionSeconds: settings.checks * intervalSeconds(settings.interval) }),
                  },
              };
    return {
        apiVersion: ROLLOUTS_API,
        kind: "Rollout",
        metadata: meta(settings.app, settings),
        spec: {
            replicas: settings.replicas,
            workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: settings.workload, scaleDown: "onsuccess" },
            progressDeadlineSeconds: settings.progressDeadlineSeconds,
            progressDeadlineAbort: settings.autoRollback,
            strategy,
        },
    };
}

/** Flagger names each check's MetricTemplate after the app and the check. */
export function metricTemplateName(settings: Pick<AppDeliverySettings, "app">, metric: AnalysisMetric): string {
    return `${settings.app}-${metric.name}`;
}

/** The MetricTemplates of an app on Flagger, one per check; none without analysis. */
export function metricTemplates(settings: AppDeliverySettings): K8sObject[] {
    const analysis = settings.analysis;
    return (analysis?.metrics ?? []).map((metric) => ({
        apiVersion: FLAGGER_API,
        kind: "MetricTemplate",
        metadata: meta(metricTemplateName(settings, metric), settings),
        spec: {
            provider: { type: "prometheus", address: analysis!.prometheusAddress },
            query: renderQuery(metric.query, settings),
        },
    }));
}

/**
 * The Flagger Canary of an app. Flagger rolls back once failed checks reach `threshold`, Argo Rollouts
 * once they exceed failureLimit: threshold is failureLimit + 1, so both tolerate the same failures.
 * Flagger always rolls back a release that fails its checks; autoRollback has no switch there.
 */
export function canary(settings: AppDeliverySettings): K8sObject {
    if (settings.port === undefined) {
        throw new Error(`app ${settings.app}: Flagger needs the port of the Services it generates`);
    }
    const analysis = settings.analysis;
    return {
        apiVersion: FLAGGER_API,
        kind: "Canary",
        metadata: meta(settings.app, settings),
        spec: {
            targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: settings.workload },
            ...(settings.ingress
                ? { ingressRef: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: settings.ingress } }
                : {}),
            progressDeadlineSeconds: settings.progressDeadlineSeconds,
            service: { port: settings.port },
            analysis: {
                interval: settings.interval,
                threshold: (analysis?.failureLimit ?? 0) + 1,
                ...(settings.strategy === "canary"
                    ? { stepWeights: [...settings.steps] }
                    : { iterations: settings.checks }),
                metrics: (analysis?.metrics ?? []).map((metric) => ({
                    name: metric.name,
                    // In the Canary's own namespace: the controller runs with -no-cross-namespace-refs.
                    templateRef: { name: metricTemplateName(settings, metric) },
                    thresholdRange: {
                        ...(metric.min === undefined ? {} : { min: metric.min }),
                        ...(metric.max === undefined ? {} : { max: metric.max }),
                    },
                    interval: settings.interval,
                })),
            },
        },
    };
}

/** Every object the platform declares for one app, for its engine. */
export function deliveryObjects(engine: DeliveryEngine, settings: AppDeliverySettings): K8sObject[] {
    if (engine === "argo-rollouts") {
        const template = analysisTemplate(settings);
        return [...(template ? [template] : []), rollout(settings)];
    }
    return [...metricTemplates(settings), canary(settings)];
}

/** Config → the progressive delivery controller of the stack's engine and each opted-in app's settings. */
import { ClusterHandle } from "../components/cluster/types";
import { platformLabels } from "../components/core/labels";
import {
    AppDeliverySettings,
    DEFAULTS,
    DELIVERY_TENANT_KINDS,
    DeliveryController,
    DeliveryEngine,
} from "../components/delivery";
import { GitopsEngine } from "../components/gitops/types";
import type { TenantKind } from "../components/gitops/tenancy";
import { AppConfig, PlatformConfig } from "./config";
import { profileOf } from "./profiles";
import { stackVersions } from "./versions";

/** Argo CD stacks release with Argo Rollouts, Flux stacks with Flagger. */
export function deliveryEngineOf(engine: GitopsEngine["kind"]): DeliveryEngine {
    return engine === "argocd" ? "argo-rollouts" : "flagger";
}

/** The controller, when an app opts in; none otherwise. */
export function createDeliveryController(
    config: PlatformConfig,
    cluster: ClusterHandle,
    engine: GitopsEngine,
): DeliveryController | undefined {
    if (!config.apps.some((app) => app.delivery !== undefined)) {
        return undefined;
    }
    const monitoring = config.monitoring?.enabled ? config.monitoring : undefined;
    return new DeliveryController(`${config.stack}-delivery`, {
        engine: deliveryEngineOf(engine.kind),
        provider: cluster.provider,
        labels: platformLabels(config.environment),
        clusterReady: cluster.ready,
        highAvailability: config.delivery?.highAvailability ?? profileOf(config.environment).engineHighAvailability,
        prometheusAddress: monitoring ? config.delivery?.prometheusAddress : undefined,
        monitorLabels: monitoring?.selectorLabels,
        meshProvider: config.delivery?.meshProvider,
        values: config.delivery?.values,
        chartVersion: stackVersions(config).charts[deliveryEngineOf(engine.kind)],
    });
}

/** Kinds the app's team may ship for its releases: none unless the app opts in. */
export function deliveryTenantKinds(app: AppConfig, engine: GitopsEngine["kind"]): readonly TenantKind[] {
    return app.delivery === undefined ? [] : DELIVERY_TENANT_KINDS[deliveryEngineOf(engine)];
}

/** An opted-in app's release: its config over the environment's strategy and rollback and DEFAULTS. */
export function appDeliverySettings(
    app: AppConfig,
    namespace: string,
    config: PlatformConfig,
): AppDeliverySettings | undefined {
    const delivery = app.delivery;
    if (delivery === undefined) {
        return undefined;
    }
    const profile = profileOf(config.environment);
    const workload = delivery.workload ?? app.name;
    const prometheusAddress = config.delivery?.prometheusAddress;
    return {
        app: app.name,
        namespace,
        strategy: delivery.strategy ?? profile.deliveryStrategy,
        workload,
        steps: delivery.steps ?? DEFAULTS.steps,
        interval: delivery.interval ?? DEFAULTS.interval,
        checks: delivery.checks ?? DEFAULTS.checks,
        autoRollback: profile.deliveryAutoRollback,
        progressDeadlineSeconds: delivery.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds,
        service: delivery.service ?? workload,
        replicas: delivery.replicas ?? DEFAULTS.replicas,
        port: delivery.port,
        ingress: delivery.ingress,
        // Config validation refuses analysis without the stack's Prometheus.
        analysis:
            delivery.analysis && prometheusAddress
                ? {
                      prometheusAddress,
                      failureLimit: delivery.analysis.failureLimit,
                      metrics: delivery.analysis.metrics,
                  }
                : undefined,
        labels: { ...platformLabels(config.environment), team: app.team },
    };
}

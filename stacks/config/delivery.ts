/**
 * `gitops-platform:delivery` (the stack's progressive delivery controller) and each app's `delivery`
 * (how its Deployment is released), one shape for Argo Rollouts and Flagger; and the rules that
 * depend on the engine and the monitoring.
 */
import { z } from "zod";
import type { DeliveryStrategy } from "../../components/delivery/objects";
import { PROTECTED_VALUES } from "../../components/delivery/values";
import { protectedValueProblems } from "../../components/core/values";
import { Environment, profileOf } from "../profiles";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { dnsLabel, strictObject } from "./rules";

/** Flagger's traffic providers the platform fills a Canary in for (Flagger's chart takes more). */
export const MESH_PROVIDERS = ["kubernetes", "nginx", "istio", "linkerd"] as const;

const interval = z.string().regex(/^[1-9]\d*(s|m|h)$/, "expected a duration such as 30s, 5m or 1h");

const analysisMetric = strictObject({
    name: dnsLabel,
    /** PromQL returning one number; `{namespace}` and `{workload}` are filled in. */
    query: z.string().min(1),
    min: z.number().optional(),
    max: z.number().optional(),
}).refine((m) => m.min !== undefined || m.max !== undefined, {
    message: "a check needs its bound: set min (e.g. 0.99 for a success rate) or max (e.g. 500 for a latency in ms)",
    path: ["min"],
});

export const appDeliveryConfig = strictObject({
    /** Default: the environment's (production canary, otherwise blue-green). */
    strategy: z.enum(["canary", "blueGreen"]).optional(),
    /** The Deployment from Git that is released; default the app's name. */
    workload: dnsLabel.optional(),
    /** Canary traffic weights in percent, increasing; default [10, 25, 50]. */
    steps: z
        .array(z.number().int().min(1).max(99))
        .min(1)
        .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]), "expected increasing weights such as [10, 25, 50]")
        .optional(),
    /** How long each step lasts and how often checks run; default 1m. */
    interval: interval.optional(),
    /** Blue-green: checks before the new version takes the traffic; default 5. */
    checks: z.number().int().min(1).optional(),
    progressDeadlineSeconds: z.number().int().min(60).optional(),
    /** Argo Rollouts: the Service from Git blue-green switches; default the workload's name. */
    service: dnsLabel.optional(),
    /** Argo Rollouts: the Rollout's pods (it does not copy the Deployment's replicas); default 2. */
    replicas: z.number().int().min(1).optional(),
    /** Flagger: the port of the Services it generates. Required on Flux stacks. */
    port: z.number().int().min(1).max(65535).optional(),
    /** Flagger with meshProvider nginx: the Ingress from Git whose traffic is split. */
    ingress: dnsLabel.optional(),
    analysis: strictObject({
        /** Failed checks tolerated before the release rolls back; default 1. */
        failureLimit: z.number().int().min(0).default(1),
        metrics: z
            .array(analysisMetric)
            .min(1)
            .refine((ms) => new Set(ms.map((m) => m.name)).size === ms.length, "check names must be unique"),
    }).optional(),
});

export const deliveryConfig = strictObject({
    /**
     * The Prometheus analysis queries (the one `gitops-platform:monitoring` feeds), e.g.
     * http://prometheus.monitoring:9090.
     */
    prometheusAddress: z
        .string()
        .regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, "expected a URL such as http://prometheus-operated.monitoring:9090")
        .optional(),
    /** Flux stacks: Flagger's traffic provider; default kubernetes (blue-green only). */
    meshProvider: z.enum(MESH_PROVIDERS).optional(),
    /** Two controller replicas; default the environment's engineHighAvailability. */
    highAvailability: z.boolean().optional(),
    /** Argo CD stacks: the Argo Rollouts UI extension in the Argo CD server; default false. */
    argocdExtension: z.boolean().optional(),
    /** Values of the controller's chart (argo-rollouts or flagger, by engine) merged over the program's. */
    values: z.record(z.string(), z.unknown()).optional(),
});

export type AppDeliveryConfig = z.infer<typeof appDeliveryConfig>;
export type DeliveryConfig = z.infer<typeof deliveryConfig>;

interface DeliveryProblem {
    readonly path: readonly PropertyKey[];
    readonly message: string;
}

/** What deliveryProblems reads of the whole config. */
export interface DeliveryContext {
    readonly engine: "argocd" | "flux";
    /** The strategy an app gets when it names none (the environment's). */
    readonly defaultStrategy: DeliveryStrategy;
    readonly delivery?: DeliveryConfig;
    readonly monitoringEnabled: boolean;
    readonly apps: readonly { readonly delivery?: AppDeliveryConfig }[];
}

/** Rules across sections: each names the key, and the fix. */
export function deliveryProblems(context: DeliveryContext): DeliveryProblem[] {
    const problems: DeliveryProblem[] = [];
    const add = (path: readonly PropertyKey[], message: string) => problems.push({ path, message });
    const flux = context.engine === "flux";
    const meshProvider = context.delivery?.meshProvider ?? "kubernetes";
    if (!flux && context.delivery?.meshProvider !== undefined) {
        add(
            ["delivery", "meshProvider"],
            "is Flagger's, on Flux stacks; Argo Rollouts here shifts traffic by replica counts: remove it",
        );
    }
    for (const problem of protectedValueProblems(
        context.delivery?.values ?? {},
        PROTECTED_VALUES[flux ? "flagger" : "argo-rollouts"],
    )) {
        add(["delivery", "values", ...problem.path], problem.message);
    }
    if (flux && context.delivery?.argocdExtension !== undefined) {
        add(["delivery", "argocdExtension"], "is the Argo CD UI's, and this stack runs Flux: remove it");
    }
    context.apps.forEach((app, index) => {
        const delivery = app.delivery;
        if (delivery === undefined) {
            return;
        }
        const at = (...key: PropertyKey[]) => ["apps", index, "delivery", ...key];
        const strategy = delivery.strategy ?? context.defaultStrategy;
        if (delivery.analysis !== undefined && !(context.monitoringEnabled && context.delivery?.prometheusAddress)) {
            add(
                at("analysis"),
                "analysis queries the stack's Prometheus: enable gitops-platform:monitoring and set gitops-platform:delivery.prometheusAddress, or remove analysis",
            );
        }
        if (strategy === "blueGreen" && delivery.steps !== undefined) {
            add(at("steps"), "steps are canary traffic weights: remove them, or set strategy canary");
        }
        if (strategy === "canary" && delivery.checks !== undefined) {
            add(at("checks"), "checks count blue-green checks; a canary checks at every step: remove them");
        }
        if (flux) {
            if (delivery.port === undefined) {
                add(at("port"), "Flagger generates the app's Services: set the port they serve (e.g. 80)");
            }
            if (delivery.replicas !== undefined || delivery.service !== undefined) {
                add(
                    at(delivery.replicas !== undefined ? "replicas" : "service"),
                    "is Argo Rollouts'; Flagger keeps the Deployment's replicas and generates the Services: remove it",
                );
            }
            if (strategy === "canary" && meshProvider === "kubernetes") {
                add(
                    at("strategy"),
                    `canary${delivery.strategy ? "" : " (the environment's default)"} needs a traffic provider on Flux: set gitops-platform:delivery.meshProvider to nginx, istio or linkerd (installed on the cluster), or set strategy blueGreen`,
                );
            }
            if ((meshProvider === "nginx") !== (delivery.ingress !== undefined)) {
                add(
                    at("ingress"),
                    meshProvider === "nginx"
                        ? "Flagger splits traffic in the app's Ingress with meshProvider nginx: name the Ingress from Git"
                        : `is for meshProvider nginx, and it is ${meshProvider}: remove it`,
                );
            }
        } else if (delivery.port !== undefined || delivery.ingress !== undefined) {
            add(
                at(delivery.port !== undefined ? "port" : "ingress"),
                "is Flagger's, on Flux stacks; Argo Rollouts uses the app's Service from Git: remove it",
            );
        }
    });
    return problems;
}

/** deliveryProblems on the sections it reads, once every one of them parsed. */
export function deliveryRules(
    config: {
        readonly engine?: { readonly type: "argocd" | "flux" };
        readonly environment?: Environment;
        readonly delivery?: DeliveryConfig;
        readonly monitoring?: { readonly enabled?: boolean };
        readonly apps?: DeliveryContext["apps"];
    },
    { present }: CrossFieldContext,
): CrossFieldProblem[] {
    const { engine, environment, apps } = config;
    const delivery = optionalSection(config.delivery, present("delivery"));
    const monitoring = optionalSection(config.monitoring, present("monitoring"));
    if (
        engine === undefined ||
        environment === undefined ||
        delivery === undefined ||
        monitoring === undefined ||
        apps === undefined
    ) {
        return [];
    }
    return deliveryProblems({
        engine: engine.type,
        defaultStrategy: profileOf(environment).deliveryStrategy,
        delivery: delivery ?? undefined,
        monitoringEnabled: monitoring?.enabled ?? false,
        apps,
    });
}

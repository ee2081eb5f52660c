/**
 * What production may tune in a chart's values (engine.values, secrets.values, delivery.values): how
 * many, how big and where the pods run, and their annotations and labels. Everything else (settings,
 * extra objects, accounts, TLS, RBAC) stays the program's, so production's hardening cannot be undone
 * by a key nobody thought to forbid. Each path is in the chart's values.yaml at the pinned version:
 * argo-cd 10.1.1, flux-operator 0.49.0, external-secrets 2.9.0 (test/fixtures/chart-values/*.keys,
 * test/production-values.test.ts), argo-rollouts 2.41.0 (argoproj/argo-helm charts/argo-rollouts/values.yaml
 * at tag argo-rollouts-2.41.0: controller.* and the top-level podAnnotations, podLabels) and flagger 1.44.0
 * (fluxcd/flagger charts/flagger/values.yaml at tag v1.44.0: top-level keys and leaderElection.replicaCount).
 */
import { valuePath } from "../../components/core/values";

/** The per-pod keys a component of a chart may be tuned by. */
const POD_KEYS = [
    "resources",
    "tolerations",
    "affinity",
    "nodeSelector",
    "podAnnotations",
    "podLabels",
    "priorityClassName",
    "topologySpreadConstraints",
] as const;

/** `[component, key]` for each component and key; `""` is the chart's top level. */
function under(components: readonly string[], keys: readonly string[]): string[][] {
    return components.flatMap((component) => keys.map((key) => (component === "" ? [key] : [component, key])));
}

const ARGOCD_COMPONENTS = [
    "controller",
    "server",
    "repoServer",
    "applicationSet",
    "notifications",
    "redis",
    "commitServer",
];

export const TUNABLE_VALUES: Readonly<Record<string, readonly (readonly string[])[]>> = {
    "argo-cd": [
        ...under(ARGOCD_COMPONENTS, POD_KEYS),
        ...under(["controller", "server", "repoServer", "applicationSet"], ["replicas"]),
        // global has no resources or replicas of its own.
        ...under(
            ["global"],
            POD_KEYS.filter((key) => key !== "resources"),
        ),
        ...under(["redis-ha"], ["affinity", "tolerations", "topologySpreadConstraints"]),
    ],
    "flux-operator": under([""], ["resources", "affinity", "tolerations", "nodeSelector", "priorityClassName"]),
    "external-secrets": [
        ...under(["", "webhook", "certController"], [...POD_KEYS, "replicaCount"]),
        ...under(
            ["global"],
            ["nodeSelector", "tolerations", "topologySpreadConstraints", "affinity", "podLabels", "podAnnotations"],
        ),
    ],
    "argo-rollouts": [...under(["controller"], [...POD_KEYS, "replicas"]), ["podAnnotations"], ["podLabels"]],
    flagger: [
        ...under([""], ["resources", "nodeSelector", "tolerations", "affinity", "podAnnotations", "podLabels"]),
        ["leaderElection", "replicaCount"],
    ],
};

export interface UntunableValue {
    readonly path: readonly string[];
    readonly message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value);

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
    prefix.length <= path.length && prefix.every((key, i) => path[i] === key);

/** Every place `values` sets something outside the chart's tunables, named by its path. */
export function untunableValues(chart: string, values: Readonly<Record<string, unknown>>): UntunableValue[] {
    const allowed = TUNABLE_VALUES[chart] ?? [];
    const walk = (value: unknown, path: string[]): UntunableValue[] => {
        if (allowed.some((tunable) => startsWith(path, tunable))) {
            return [];
        }
        if (isObject(value) && allowed.some((tunable) => startsWith(tunable, path))) {
            return Object.entries(value).flatMap(([key, inner]) => walk(inner, [...path, key]));
        }
        return [
            {
                path,
                message: `${valuePath(path)} is not tunable in production: ${chart} values may set only replicas, resources, tolerations, affinity, nodeSelector, pod annotations and labels, priorityClassName and topologySpreadConstraints (docs/production.md lists each path); remove it, or change the program, reviewed`,
            },
        ];
    };
    return Object.entries(values).flatMap(([key, value]) => walk(value, [key]));
}

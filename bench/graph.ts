/**
 * The deploy order of a plan, as `pulumi up` on an empty stack would follow it, and its critical
 * path. Pure functions over the plan's resources.
 *
 * Ordering rules (those of the Node SDK, @pulumi/pulumi runtime/resource.ts and dependsOn.ts):
 * - a resource is registered once what it depends on is created: its `dependencies` (inputs
 *   from other resources' outputs, merged with `dependsOn`, components expanded to the custom
 *   resources under them), its explicit `options.dependsOn`, its provider, and its parent's
 *   registration (a child needs its parent's URN);
 * - a custom resource is ready when created; a component when it and all its children are
 *   (this ends the path: the deploy is done when the stack component is ready);
 * - components and providers take no time themselves.
 */
import { PlannedOptions, PlannedResource } from "../plan/recorder";
import { CREATE_TIMES, CreateTime, KUBERNETES_OBJECT, UNLISTED } from "./create-times";

/** What the graph needs of a planned resource. */
export type GraphResource = Pick<
    PlannedResource,
    "urn" | "type" | "name" | "custom" | "parent" | "provider" | "dependencies"
> & {
    readonly options: Pick<PlannedOptions, "dependsOn">;
};

export type Weight = (resource: GraphResource) => number;
export type Estimate = "typical" | "low" | "high";

export function isProvider(resource: GraphResource): boolean {
    return resource.type.startsWith("pulumi:providers:");
}

/** A resource whose creation takes time: custom, and not a provider. */
export function isCreated(resource: GraphResource): boolean {
    return resource.custom && !isProvider(resource);
}

export function createTimeOf(type: string, table: Readonly<Record<string, CreateTime>> = CREATE_TIMES): CreateTime {
    return table[type] ?? (type.startsWith("kubernetes:") ? KUBERNETES_OBJECT : UNLISTED);
}

/** Seconds a resource takes to create: 0 for components and providers. */
export function createWeight(
    estimate: Estimate = "typical",
    table: Readonly<Record<string, CreateTime>> = CREATE_TIMES,
): Weight {
    return (resource) => (isCreated(resource) ? createTimeOf(resource.type, table)[estimate] : 0);
}

/** One for every created resource: the longest path under it is the graph's depth. */
export const unitWeight: Weight = (resource) => (isCreated(resource) ? 1 : 0);

/** Custom types of the plan that the table does not list and that are not Kubernetes objects (they get UNLISTED's weight). */
export function unlistedTypes(
    resources: readonly GraphResource[],
    table: Readonly<Record<string, CreateTime>> = CREATE_TIMES,
): string[] {
    return [
        ...new Set(
            resources
                .filter((r) => isCreated(r) && !(r.type in table) && !r.type.startsWith("kubernetes:"))
                .map((r) => r.type),
        ),
    ].sort();
}

/** A point in the deploy: a resource registered (created, for custom ones), or ready with its children. */
interface State {
    readonly kind: "registered" | "ready";
    readonly urn: string;
}

export interface Graph {
    readonly byUrn: ReadonlyMap<string, GraphResource>;
    readonly children: ReadonlyMap<string, readonly GraphResource[]>;
}

export function buildGraph(resources: readonly GraphResource[]): Graph {
    const byUrn = new Map(resources.map((r) => [r.urn, r] as const));
    const children = new Map<string, GraphResource[]>();
    for (const r of resources) {
        if (r.parent !== undefined && byUrn.has(r.parent)) {
            const siblings = children.get(r.parent);
            if (siblings) {
                siblings.push(r);
            } else {
                children.set(r.parent, [r]);
            }
        }
    }
    return { byUrn, children };
}

/**
 * Resources that must be ready before `resource` is registered: its dependencies, explicit
 * `dependsOn` and provider (URNs outside the plan are ignored). Components named there are left
 * out: the SDK expands a component to the custom resources under it at that moment and sends
 * those in `dependencies` (runtime/dependsOn.ts getAllTransitivelyReferencedResourceURNs).
 */
export function prerequisites(graph: Graph, resource: GraphResource): GraphResource[] {
    const urns = new Set([
        ...resource.dependencies,
        ...resource.options.dependsOn,
        ...(resource.provider ? [resource.provider] : []),
    ]);
    urns.delete(resource.urn);
    return [...urns].map((urn) => graph.byUrn.get(urn)).filter((r): r is GraphResource => r !== undefined && r.custom);
}

/** The states a state waits for. */
function predecessors(graph: Graph, state: State): State[] {
    const resource = graph.byUrn.get(state.urn)!;
    if (state.kind === "ready") {
        return resource.custom
            ? [{ kind: "registered", urn: resource.urn }]
            : [
                  { kind: "registered", urn: resource.urn },
                  ...(graph.children.get(resource.urn) ?? []).map((c) => ({ kind: "ready" as const, urn: c.urn })),
              ];
    }
    const parent =
        resource.parent !== undefined && graph.byUrn.has(resource.parent)
            ? [{ kind: "registered" as const, urn: resource.parent }]
            : [];
    return [...parent, ...prerequisites(graph, resource).map((r) => ({ kind: "ready" as const, urn: r.urn }))];
}

const keyOf = (state: State) => `${state.kind} ${state.urn}`;

export interface PathStep {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** This resource's own weight (seconds, or 1 for depth). */
    readonly weight: number;
    /** When it is done, counted from the start of the deploy. */
    readonly finish: number;
}

export interface CriticalPath {
    /** Finish time of the last resource: the sum of the weights on the path. */
    readonly length: number;
    /** From the first resource to the last; consecutive steps are joined by an edge of the graph. */
    readonly steps: PathStep[];
}

/** The longest weighted chain through the deploy order. Throws on a dependency cycle. */
export function criticalPath(resources: readonly GraphResource[], weight: Weight): CriticalPath {
    const graph = buildGraph(resources);
    const time = new Map<string, number>();
    const via = new Map<string, State | undefined>();
    const visiting = new Set<string>();

    const finish = (state: State): number => {
        const key = keyOf(state);
        const known = time.get(key);
        if (known !== undefined) {
            return known;
        }
        if (visiting.has(key)) {
            throw new Error(`dependency cycle through ${state.urn}`);
        }
        visiting.add(key);
        let best: State | undefined;
        let start = 0;
        for (const p of predecessors(graph, state)) {
            const t = finish(p);
            if (best === undefined || t > start) {
                best = p;
                start = t;
            }
        }
        visiting.delete(key);
        const own = state.kind === "registered" ? weight(graph.byUrn.get(state.urn)!) : 0;
        time.set(key, start + own);
        via.set(key, best);
        return start + own;
    };

    let end: State | undefined;
    let length = 0;
    for (const r of resources) {
        const state: State = { kind: "ready", urn: r.urn };
        const t = finish(state);
        if (end === undefined || t > length) {
            end = state;
            length = t;
        }
    }

    const steps: PathStep[] = [];
    for (let s = end; s !== undefined; s = via.get(keyOf(s))) {
        const r = graph.byUrn.get(s.urn)!;
        if (steps.length === 0 || steps[0].urn !== r.urn) {
            steps.unshift({
                urn: r.urn,
                type: r.type,
                name: r.name,
                weight: weight(r),
                finish: time.get(keyOf({ kind: "registered", urn: r.urn }))!,
            });
        }
    }
    return { length, steps };
}

/** True when a path step may follow another: the later one waits for the earlier, or completes it (a child finishing its component). */
export function isEdge(graph: Graph, from: string, to: string): boolean {
    const later = graph.byUrn.get(to);
    const earlier = graph.byUrn.get(from);
    if (later === undefined || earlier === undefined) {
        return false;
    }
    return (
        later.parent === from ||
        prerequisites(graph, later).some((r) => r.urn === from) ||
        (!later.custom && earlier.parent === to)
    );
}

/** Created resources that must be ready before `urn` is registered, directly or not. */
export function waitsFor(
    resources: readonly GraphResource[],
    urn: string,
    graph: Graph = buildGraph(resources),
): Set<string> {
    const seen = new Set<string>();
    const found = new Set<string>();
    const stack: State[] = predecessors(graph, { kind: "registered", urn });
    while (stack.length > 0) {
        const state = stack.pop()!;
        const key = keyOf(state);
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        const r = graph.byUrn.get(state.urn)!;
        if (state.kind === "registered" && isCreated(r)) {
            found.add(r.urn);
        }
        stack.push(...predecessors(graph, state));
    }
    return found;
}

/** The resources that should not wait for the EKS cluster, by what they are. */
export const OFF_CLUSTER: readonly {
    readonly label: string;
    readonly matches: (r: GraphResource, ancestors: readonly GraphResource[]) => boolean;
}[] = [
    { label: "GitHub repositories", matches: (r) => r.type === "github:index/repository:Repository" },
    {
        label: "deploy keys",
        matches: (r) =>
            r.type === "github:index/repositoryDeployKey:RepositoryDeployKey" ||
            r.type === "tls:index/privateKey:PrivateKey",
    },
    {
        label: "IAM roles of the secrets store",
        matches: (r, ancestors) =>
            r.type === "aws:iam/role:Role" && ancestors.some((a) => a.type.startsWith("gitops-platform:secrets:")),
    },
    { label: "Secrets Manager entries", matches: (r) => r.type.startsWith("aws:secretsmanager/") },
];

export const EKS_CLUSTER_TYPE = "aws:eks/cluster:Cluster";

export interface OffClusterCheck {
    readonly label: string;
    /** How many resources of this kind the plan declares. */
    readonly declared: number;
    /** Those that wait for an EKS cluster (names). */
    readonly waiting: string[];
}

/** For each kind in OFF_CLUSTER: which of its resources have an EKS cluster among what they wait for. */
export function offClusterChecks(resources: readonly GraphResource[]): OffClusterCheck[] {
    const graph = buildGraph(resources);
    const clusters = new Set(resources.filter((r) => r.type === EKS_CLUSTER_TYPE).map((r) => r.urn));
    const ancestorsOf = (r: GraphResource): GraphResource[] => {
        const parent = r.parent === undefined ? undefined : graph.byUrn.get(r.parent);
        return parent === undefined ? [] : [parent, ...ancestorsOf(parent)];
    };
    return OFF_CLUSTER.map(({ label, matches }) => {
        const declared = resources.filter((r) => matches(r, ancestorsOf(r)));
        const waiting = declared
            .filter((r) => [...waitsFor(resources, r.urn, graph)].some((urn) => clusters.has(urn)))
            .map((r) => r.name);
        return { label, declared: declared.length, waiting };
    });
}

/** The stages the production critical path may pass through, in order (issue 9). */
export const ALLOWED_STAGES = ["network", "control plane", "node group", "engine release", "app objects"] as const;

export function stageOf(type: string): string {
    if (type.startsWith("aws:ec2/")) {
        return "network";
    }
    if (type === EKS_CLUSTER_TYPE) {
        return "control plane";
    }
    if (type === "aws:eks/nodeGroup:NodeGroup") {
        return "node group";
    }
    if (type === "kubernetes:helm.sh/v3:Release") {
        return "engine release";
    }
    return type.startsWith("kubernetes:") ? "app objects" : type;
}

/** Stages of the steps that take time, consecutive repeats collapsed. */
export function stagesOf(steps: readonly PathStep[]): string[] {
    const stages: string[] = [];
    for (const step of steps.filter((s) => s.weight > 0)) {
        const stage = stageOf(step.type);
        if (stages[stages.length - 1] !== stage) {
            stages.push(stage);
        }
    }
    return stages;
}

/** True when `stages` passes through ALLOWED_STAGES in order, skipping any, repeating none. */
export function withinAllowedStages(stages: readonly string[]): boolean {
    let next = 0;
    for (const stage of stages) {
        const at = ALLOWED_STAGES.indexOf(stage as (typeof ALLOWED_STAGES)[number], next);
        if (at < 0) {
            return false;
        }
        next = at + 1;
    }
    return true;
}

import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { CREATE_TIMES, KUBERNETES_OBJECT, UNLISTED } from "../bench/create-times";
import {
    buildGraph,
    createTimeOf,
    createWeight,
    criticalPath,
    GraphResource,
    isEdge,
    offClusterChecks,
    stagesOf,
    unitWeight,
    unlistedTypes,
    waitsFor,
    withinAllowedStages,
} from "../bench/graph";

/** A hand-built resource: `name` doubles as its URN. */
function res(
    name: string,
    type: string,
    extra: Partial<Omit<GraphResource, "options">> & { dependsOn?: string[] } = {},
): GraphResource {
    const { dependsOn = [], ...rest } = extra;
    return {
        urn: name,
        name,
        type,
        custom: !type.startsWith("gitops-platform:") && type !== "pulumi:pulumi:Stack",
        dependencies: [],
        ...rest,
        options: { dependsOn },
    };
}

const weights: Record<string, number> = { "t:slow": 100, "t:mid": 10, "t:fast": 1 };
const byType = (r: GraphResource) => (r.custom ? (weights[r.type] ?? 0) : 0);

describe("bench critical path", () => {
    it("follows dependencies and reports only the resources on the longest chain", () => {
        const plan = [
            res("a", "t:slow"),
            res("b", "t:mid", { dependencies: ["a"] }),
            res("off", "t:fast"),
            res("c", "t:fast", { dependencies: ["b", "off"] }),
        ];
        const path = criticalPath(plan, byType);
        assert.equal(path.length, 111);
        assert.deepEqual(
            path.steps.map((s) => [s.name, s.weight, s.finish]),
            [
                ["a", 100, 100],
                ["b", 10, 110],
                ["c", 1, 111],
            ],
        );
    });

    it("counts explicit dependsOn and the provider as edges", () => {
        const plan = [
            res("cluster", "t:slow"),
            res("k8s", "pulumi:providers:kubernetes", { dependencies: ["cluster"] }),
            res("release", "t:mid", { provider: "k8s" }),
            res("app", "t:fast", { dependsOn: ["release"] }),
        ];
        assert.deepEqual(
            criticalPath(plan, byType).steps.map((s) => s.name),
            ["cluster", "k8s", "release", "app"],
        );
        assert.equal(criticalPath(plan, byType).length, 111);
    });

    it("follows a dependsOn on a component through the children the SDK expanded it to, and weighs the component 0", () => {
        const plan = [
            res("stack", "pulumi:pulumi:Stack"),
            res("engine", "gitops-platform:gitops:ArgoCd", { parent: "stack" }),
            res("release", "t:slow", { parent: "engine" }),
            res("app", "t:fast", { parent: "stack", dependsOn: ["engine"], dependencies: ["release"] }),
            // Registered later under the same component: not among what "app" waits for.
            res("late", "t:slow", { parent: "engine", dependencies: ["app"] }),
        ];
        const path = criticalPath(plan, byType);
        assert.equal(path.length, 201);
        assert.deepEqual(
            path.steps.map((s) => s.name),
            ["stack", "engine", "release", "app", "late", "engine", "stack"],
        );
        assert.deepEqual(
            path.steps.filter((s) => s.weight > 0).map((s) => s.name),
            ["release", "app", "late"],
        );
    });

    it("starts a child after its parent is registered, not after the parent's other children", () => {
        const plan = [
            res("comp", "gitops-platform:x:Y"),
            res("slow", "t:slow", { parent: "comp" }),
            res("fast", "t:fast", { parent: "comp" }),
        ];
        const graph = buildGraph(plan);
        assert.deepEqual([...waitsFor(plan, "fast", graph)], []);
        assert.equal(criticalPath(plan, byType).length, 100);
    });

    it("measures depth as the number of created resources on the longest chain", () => {
        const plan = [
            res("a", "t:fast"),
            res("b", "t:fast", { dependencies: ["a"] }),
            res("c", "t:fast", { dependencies: ["b"] }),
            res("p", "pulumi:providers:aws", { dependencies: ["c"] }),
            res("d", "t:slow", { provider: "p" }),
            res("alone", "t:slow"),
        ];
        assert.equal(criticalPath(plan, unitWeight).length, 4);
    });

    it("ignores URNs outside the plan and rejects cycles", () => {
        assert.equal(criticalPath([res("a", "t:mid", { dependencies: ["elsewhere"] })], byType).length, 10);
        assert.throws(
            () =>
                criticalPath(
                    [res("a", "t:fast", { dependencies: ["b"] }), res("b", "t:fast", { dependencies: ["a"] })],
                    byType,
                ),
            /dependency cycle/,
        );
    });

    it("weighs types from the table, Kubernetes objects and unlisted types by their defaults, providers and components 0", () => {
        const weight = createWeight("typical");
        assert.equal(weight(res("c", "aws:eks/cluster:Cluster")), CREATE_TIMES["aws:eks/cluster:Cluster"].typical);
        assert.equal(weight(res("ns", "kubernetes:core/v1:Namespace")), KUBERNETES_OBJECT.typical);
        assert.equal(weight(res("x", "aws:sqs/queue:Queue")), UNLISTED.typical);
        assert.equal(weight(res("p", "pulumi:providers:aws")), 0);
        assert.equal(weight(res("comp", "gitops-platform:cluster:EksCluster")), 0);
        assert.equal(createTimeOf("kubernetes:helm.sh/v3:Release"), CREATE_TIMES["kubernetes:helm.sh/v3:Release"]);
        assert.deepEqual(
            unlistedTypes([
                res("x", "aws:sqs/queue:Queue"),
                res("c", "aws:eks/cluster:Cluster"),
                res("p", "pulumi:providers:aws"),
                res("ns", "kubernetes:core/v1:Namespace"),
            ]),
            ["aws:sqs/queue:Queue"],
        );
    });

    it("keeps every create time ordered low ≤ typical ≤ high, with a source", () => {
        for (const [type, t] of Object.entries(CREATE_TIMES)) {
            assert.ok(t.low <= t.typical && t.typical <= t.high, type);
            assert.ok(t.source.length > 20, type);
            assert.equal(t.basis === "estimate", t.source.startsWith("estimate"), type);
        }
    });

    it("property: the path is a chain of the graph, sums its weights, and is at least every resource's weight", () => {
        const plans = fc.integer({ min: 1, max: 25 }).chain((n) =>
            fc
                .tuple(
                    fc.array(
                        fc.constantFrom("t:slow", "t:mid", "t:fast", "gitops-platform:x:C", "pulumi:providers:k"),
                        { minLength: n, maxLength: n },
                    ),
                    // Each resource may name earlier ones only, so the graph is acyclic by construction.
                    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.boolean()), { minLength: n, maxLength: n }),
                )
                .map(([types, links]) =>
                    types.map((type, i) => {
                        const [dep, parent, explicit, hasParent] = links[i];
                        const earlier = (k: number) => (i === 0 ? [] : [`r${k % i}`]);
                        return res(`r${i}`, type, {
                            dependencies: earlier(dep),
                            dependsOn: earlier(explicit),
                            parent: hasParent && i > 0 ? `r${parent % i}` : undefined,
                        });
                    }),
                ),
        );
        fc.assert(
            fc.property(plans, (plan) => {
                const path = criticalPath(plan, byType);
                const graph = buildGraph(plan);
                for (let k = 1; k < path.steps.length; k++) {
                    assert.ok(
                        isEdge(graph, path.steps[k - 1].urn, path.steps[k].urn),
                        `${path.steps[k - 1].urn} → ${path.steps[k].urn}`,
                    );
                }
                const created = new Map(path.steps.map((s) => [s.urn, s.weight]));
                assert.equal(
                    path.length,
                    [...created.values()].reduce((a, b) => a + b, 0),
                );
                for (const r of plan) {
                    assert.ok(path.length >= byType(r));
                }
            }),
        );
    });
});

describe("bench off-cluster and stage checks", () => {
    const plan = [
        res("stack", "pulumi:pulumi:Stack"),
        res("cluster", "aws:eks/cluster:Cluster", { parent: "stack" }),
        res("k8s", "pulumi:providers:kubernetes", { parent: "stack", dependencies: ["cluster"] }),
        res("repo", "github:index/repository:Repository", { parent: "stack" }),
        res("key", "tls:index/privateKey:PrivateKey", { parent: "stack" }),
        res("deploy-key", "github:index/repositoryDeployKey:RepositoryDeployKey", {
            parent: "stack",
            dependencies: ["repo", "key"],
        }),
        res("store", "gitops-platform:secrets:AwsSecretsStore", { parent: "stack" }),
        res("store-role", "aws:iam/role:Role", { parent: "store" }),
        res("store-release", "kubernetes:helm.sh/v3:Release", { parent: "store", provider: "k8s" }),
        res("cluster-role", "aws:iam/role:Role", { parent: "stack" }),
        res("entry", "aws:secretsmanager/secret:Secret", { parent: "stack", dependsOn: ["store-release"] }),
    ];

    it("reports the resources that wait for the EKS cluster, through providers and dependsOn", () => {
        assert.deepEqual(offClusterChecks(plan), [
            { label: "GitHub repositories", declared: 1, waiting: [] },
            { label: "deploy keys", declared: 2, waiting: [] },
            { label: "IAM roles of the secrets store", declared: 1, waiting: [] },
            { label: "Secrets Manager entries", declared: 1, waiting: ["entry"] },
        ]);
        // The provider is passed through but not listed: providers take no time to create.
        assert.deepEqual([...waitsFor(plan, "entry")].sort(), ["cluster", "store-release"]);
    });

    it("classifies the path into stages and accepts only the allowed order", () => {
        const steps = [
            ["aws:ec2/vpc:Vpc", 20],
            ["aws:ec2/natGateway:NatGateway", 100],
            ["gitops-platform:x:C", 0],
            ["aws:eks/cluster:Cluster", 600],
            ["aws:eks/nodeGroup:NodeGroup", 180],
            ["kubernetes:helm.sh/v3:Release", 120],
            ["kubernetes:argoproj.io/v1alpha1:Application", 2],
        ].map(([type, weight]) => ({
            urn: String(type),
            name: String(type),
            type: String(type),
            weight: Number(weight),
            finish: 0,
        }));
        const stages = stagesOf(steps);
        assert.deepEqual(stages, ["network", "control plane", "node group", "engine release", "app objects"]);
        assert.equal(withinAllowedStages(stages), true);
        assert.equal(withinAllowedStages(["network", "control plane", "node group"]), true);
        assert.equal(
            withinAllowedStages(["control plane", "node group", "aws:eks/addon:Addon", "engine release"]),
            false,
        );
        assert.equal(withinAllowedStages(["engine release", "app objects", "engine release", "app objects"]), false);
    });
});

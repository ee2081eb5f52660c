import * as assert from "node:assert/strict";
import { CaseSummary, formatTarget, pathTarget, spread } from "../bench/report";
import { apiCallsByStage, issue17Targets, resourcesPerApp } from "../bench/scale";

type Ok = Extract<CaseSummary, { ok: true }>;

function measured(label: string, resources: number, planMs: number, wallMs = 5000, rssMiB = 300): CaseSummary {
    const one = (n: number) => spread([n]);
    return {
        label,
        ok: true,
        resources,
        wallMs: one(wallMs),
        planMs: one(planMs),
        maxRssMiB: one(rssMiB),
        msPerResource: one(planMs / resources),
    };
}

describe("bench report", () => {
    it("summarizes runs as median and range", () => {
        assert.deepEqual(spread([5, 1, 3]), { median: 3, min: 1, max: 5, runs: 3 });
        assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
        assert.throws(() => spread([]), /no values/);
    });

    it("judges the 1000-app targets, the bare-SDK ratios and the slope to 5000 apps", () => {
        const targets = issue17Targets("flux", {
            small: measured("10 apps", 100, 1000),
            large: measured("1000 apps", 10_000, 60_000, 7_000, 440),
            huge: measured("5000 apps", 50_000, 400_000),
            bare: measured("bare", 10_000, 30_000, 4_000, 330),
        });
        assert.deepEqual(
            targets.map((t) => t.pass),
            [true, true, false, true, true],
        );
        assert.equal(
            formatTarget(targets[2]),
            "MISS  flux: time per resource within 1.5x of the bare SDK: 2.00x (6.000 vs 3.000 ms/resource)",
        );
        // Marginal: (60000-1000)/9900 = 5.960 ms/resource 10→1000, (400000-60000)/40000 = 8.5 after.
        assert.equal(targets[4].measured, "1.43 (5.960 → 8.500 ms/resource)");
        assert.equal(
            resourcesPerApp(measured("10", 100, 1) as Ok, 10, measured("1000", 9_400, 1) as Ok, 1000),
            9_300 / 990,
        );
    });

    it("gives no verdict for a case that failed or was not run", () => {
        const targets = issue17Targets("argocd", {
            small: measured("10 apps", 40, 1000),
            large: { label: "1000 apps", ok: false, error: "boom" },
        });
        assert.deepEqual(
            targets.map((t) => [t.pass, t.measured]),
            [
                [undefined, "error: boom"],
                [undefined, "error: boom"],
                [undefined, "error: boom"],
                [undefined, "error: boom"],
                [undefined, "error: boom"],
            ],
        );
    });

    it("models API calls per stage: Kubernetes objects diff in preview, cloud resources do not; components and providers make none", () => {
        const resource = (type: string, custom = true) => ({
            urn: `urn:${type}`,
            type,
            name: type,
            custom,
            dependencies: [],
            options: { dependsOn: [] },
        });
        const calls = apiCallsByStage([
            resource("kubernetes:core/v1:Namespace"),
            resource("kubernetes:core/v1:ConfigMap"),
            resource("aws:eks/cluster:Cluster"),
            resource("pulumi:providers:kubernetes"),
            resource("gitops-platform:apps:App", false),
        ]);
        assert.deepEqual(calls, [
            { stage: "app objects", resources: 2, preview: 2, up: 4, refresh: 2 },
            { stage: "control plane", resources: 1, preview: 0, up: 2, refresh: 1 },
        ]);
    });

    it("fails the production path target when an add-on sits between the stages", () => {
        const production: CaseSummary = {
            ...(measured("stack production", 50, 1000) as Extract<CaseSummary, { ok: true }>),
            analysis: {
                created: 47,
                depth: 8,
                estimate: { typical: 990, low: 660, high: 3945 },
                path: [],
                stages: ["network", "control plane", "aws:eks/addon:Addon", "node group"],
                offCluster: [],
                unlistedTypes: [],
                apiCalls: [],
                analysisMs: 1,
            },
        };
        assert.equal(
            formatTarget(pathTarget(production)),
            "MISS  stack production: critical path within network → control plane → node group → engine release → app objects: network → control plane → aws:eks/addon:Addon → node group",
        );
    });
});

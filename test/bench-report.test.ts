import * as assert from "node:assert/strict";
import { CaseSummary, formatTarget, pathTarget, scaleTargets, spread } from "../bench/report";

function measured(label: string, resources: number, planMs: number, wallMs = 5000, rssMiB = 300): CaseSummary {
    const one = (n: number) => spread([n]);
    return { label, ok: true, resources, wallMs: one(wallMs), planMs: one(planMs), maxRssMiB: one(rssMiB), msPerResource: one(planMs / resources) };
}

describe("bench report", () => {
    it("summarizes runs as median and range", () => {
        assert.deepEqual(spread([5, 1, 3]), { median: 3, min: 1, max: 5, runs: 3 });
        assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
        assert.throws(() => spread([]), /no values/);
    });

    it("judges the scale targets from the 1000-app case and the per-resource ratio", () => {
        const [time, memory, flat] = scaleTargets("flux", measured("10 apps", 100, 1000), measured("100 apps", 1000, 10_000), measured("1000 apps", 10_000, 150_000, 25_000, 900));
        assert.equal(formatTarget(time), "MISS  flux: plan of 1000 apps under 20 s: 25000 ms (25000–25000, n=1)");
        assert.equal(memory.pass, true);
        assert.equal(flat.pass, true);
        assert.equal(flat.measured, "1.50 (10.000 → 15.000 ms/resource, 100 → 10000 resources; marginal 10.000 ms/resource 10→100, 15.556 100→1000)");
    });

    it("reports no verdict on flatness when resources do not grow with apps, or a case failed", () => {
        const flat = scaleTargets("argocd", measured("10 apps", 40, 1000), measured("100 apps", 69, 1000), measured("1000 apps", 69, 1000))[2];
        assert.equal(flat.pass, undefined);
        assert.match(flat.measured, /do not grow with apps \(40 → 69 → 69\)/);
        const failed = scaleTargets("argocd", measured("10 apps", 40, 1000), undefined, { label: "1000 apps", ok: false, error: "boom" });
        assert.deepEqual(failed.map((t) => [t.pass, t.measured]), [[undefined, "error: boom"], [undefined, "error: boom"], [undefined, "error: boom"]]);
    });

    it("fails the production path target when an add-on sits between the stages", () => {
        const production: CaseSummary = {
            ...(measured("stack production", 50, 1000) as Extract<CaseSummary, { ok: true }>),
            analysis: {
                created: 47, depth: 8, estimate: { typical: 990, low: 660, high: 3945 }, path: [],
                stages: ["network", "control plane", "aws:eks/addon:Addon", "node group"], offCluster: [], unlistedTypes: [], analysisMs: 1,
            },
        };
        assert.equal(formatTarget(pathTarget(production)),
            "MISS  stack production: critical path within network → control plane → node group → engine release → app objects: network → control plane → aws:eks/addon:Addon → node group");
    });
});

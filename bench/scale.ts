/**
 * Targets of issue 17 and the API-call model of a real preview, up and refresh: pure functions over
 * measurements and the plan graph.
 */
import { GraphResource, isCreated, stageOf } from "./graph";
import type { StageCalls } from "./measurement";
import { CaseSummary, formatSpread, TargetResult } from "./report";

export const SCALE_TARGETS = { wallMs: 8_000, rssMiB: 450, bareRatio: 1.5, slopeRatio: 1.5 } as const;

type Ok = Extract<CaseSummary, { ok: true }>;
const ok = (c: CaseSummary | undefined): c is Ok => c !== undefined && c.ok;
const notMeasured = (target: string, c: CaseSummary | undefined): TargetResult => ({
    target,
    pass: undefined,
    measured: c === undefined ? "not run" : c.ok ? "not measurable" : `error: ${c.error}`,
});

/** Resources each added app declares: the slope of resources over apps between two scales. */
export function resourcesPerApp(small: Ok, smallApps: number, large: Ok, largeApps: number): number {
    return (large.resources - small.resources) / (largeApps - smallApps);
}

/** Marginal plan time of the resources added between two cases, ms per resource. */
export function marginalMs(a: Ok, b: Ok): number {
    return (b.planMs.median - a.planMs.median) / (b.resources - a.resources);
}

/**
 * For one engine: 1,000 apps under 8 s wall and 450 MiB; time and memory per resource within 1.5x
 * of the bare-SDK baseline of the same size; linear, i.e. the marginal cost per resource from 1,000
 * to 5,000 apps within 1.5x of that from 10 to 1,000.
 */
export function issue17Targets(
    engine: string,
    cases: { small?: CaseSummary; large?: CaseSummary; huge?: CaseSummary; bare?: CaseSummary },
): TargetResult[] {
    const { small, large, huge, bare } = cases;
    const results: TargetResult[] = [];
    /** A bound on the 1000-app case: `value` under `limit`, shown as its spread. */
    const under = (target: string, value: (c: Ok) => number, limit: number, shown: (c: Ok) => string) =>
        ok(large) ? { target, pass: value(large) < limit, measured: shown(large) } : notMeasured(target, large);
    results.push(
        under(
            `${engine}: 1000 apps under ${SCALE_TARGETS.wallMs / 1000} s wall`,
            (c) => c.wallMs.median,
            SCALE_TARGETS.wallMs,
            (c) => formatSpread(c.wallMs, "ms"),
        ),
        under(
            `${engine}: 1000 apps under ${SCALE_TARGETS.rssMiB} MiB peak RSS`,
            (c) => c.maxRssMiB.max,
            SCALE_TARGETS.rssMiB,
            (c) => formatSpread(c.maxRssMiB, "MiB"),
        ),
    );
    const timeRatio = `${engine}: time per resource within ${SCALE_TARGETS.bareRatio}x of the bare SDK`;
    const memoryRatio = `${engine}: memory per resource within ${SCALE_TARGETS.bareRatio}x of the bare SDK`;
    if (ok(large) && ok(bare)) {
        const time = large.msPerResource.median / bare.msPerResource.median;
        const memory = large.maxRssMiB.median / large.resources / (bare.maxRssMiB.median / bare.resources);
        results.push({
            target: timeRatio,
            pass: time <= SCALE_TARGETS.bareRatio,
            measured: `${time.toFixed(2)}x (${large.msPerResource.median.toFixed(3)} vs ${bare.msPerResource.median.toFixed(3)} ms/resource)`,
        });
        results.push({
            target: memoryRatio,
            pass: memory <= SCALE_TARGETS.bareRatio,
            measured: `${memory.toFixed(2)}x (${large.maxRssMiB.median.toFixed(0)} MiB for ${large.resources} vs ${bare.maxRssMiB.median.toFixed(0)} MiB for ${bare.resources})`,
        });
    } else {
        results.push(
            notMeasured(timeRatio, ok(large) ? bare : large),
            notMeasured(memoryRatio, ok(large) ? bare : large),
        );
    }
    const linear = `${engine}: linear, marginal ms/resource 1000→5000 apps within ${SCALE_TARGETS.slopeRatio}x of 10→1000`;
    if (ok(small) && ok(large) && ok(huge)) {
        const [low, high] = [marginalMs(small, large), marginalMs(large, huge)];
        results.push({
            target: linear,
            pass: high / low <= SCALE_TARGETS.slopeRatio,
            measured: `${(high / low).toFixed(2)} (${low.toFixed(3)} → ${high.toFixed(3)} ms/resource)`,
        });
    } else {
        results.push(notMeasured(linear, ok(small) ? (ok(large) ? huge : large) : small));
    }
    return results;
}

/**
 * API calls per resource of a real run, by provider, as a model (not a measurement): a Kubernetes
 * object is diffed in preview by one server-side dry-run apply, created with one apply and awaited
 * with at least one read; a cloud resource (AWS, GitHub, TLS) is diffed against state without a call
 * in preview, created with one call and read back at least once; refresh reads every resource once.
 */
export function apiCallsByStage(resources: readonly GraphResource[]): StageCalls[] {
    const stages = new Map<string, { resources: number; preview: number; up: number; refresh: number }>();
    for (const resource of resources.filter(isCreated)) {
        const stage = stageOf(resource.type);
        const kubernetes = resource.type.startsWith("kubernetes:");
        const entry = stages.get(stage) ?? { resources: 0, preview: 0, up: 0, refresh: 0 };
        entry.resources += 1;
        entry.preview += kubernetes ? 1 : 0;
        entry.up += 2;
        entry.refresh += 1;
        stages.set(stage, entry);
    }
    return [...stages.entries()].map(([stage, calls]) => ({ stage, ...calls })).sort((a, b) => b.up - a.up);
}

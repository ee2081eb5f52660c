/** What one measured plan reports (bench/planOnce.ts) and the benchmark reads (bench/run.ts, bench/report.ts). */
import type { OffClusterCheck, PathStep } from "./graph";

export interface PlanAnalysis {
    /** Resources that take time to create (custom, not providers). */
    readonly created: number;
    /** Longest chain of created resources, one after another. */
    readonly depth: number;
    /** Estimated `pulumi up` duration on an empty account, seconds. */
    readonly estimate: { readonly typical: number; readonly low: number; readonly high: number };
    readonly path: PathStep[];
    readonly stages: string[];
    readonly offCluster: OffClusterCheck[];
    /** Custom types missing from bench/create-times.ts (weighted with its default). */
    readonly unlistedTypes: string[];
    /** Modelled API calls of a real preview, up and refresh, by stage (bench/scale.ts). */
    readonly apiCalls: StageCalls[];
    /** Time this analysis took, to subtract from the process's wall time. */
    readonly analysisMs: number;
}

export type PlanMeasurement =
    | {
          readonly ok: true;
          readonly resources: number;
          readonly planMs: number;
          readonly maxRssKiB: number;
          readonly analysis?: PlanAnalysis;
      }
    | { readonly ok: false; readonly error: string };

/** Modelled API calls of one stage (bench/scale.ts apiCallsByStage). */
export interface StageCalls {
    readonly stage: string;
    readonly resources: number;
    readonly preview: number;
    readonly up: number;
    readonly refresh: number;
}

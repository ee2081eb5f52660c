/**
 * Progressive delivery per app: the Rollout (Argo Rollouts) or Canary (Flagger) named after the app in
 * its namespace (components/delivery/objects.ts names them so). Shapes:
 * - Argo Rollouts Rollout `.status` (@kubernetes-models/argo-rollouts 2.0.0, from argoproj/argo-rollouts
 *   pkg/apis/rollouts/v1alpha1/types.go): `phase` (Healthy, Progressing, Paused, Degraded), `stableRS` and
 *   `currentPodHash` (equal once the release is complete); AnalysisRuns are owned by their Rollout
 *   (ownerReferences) and labelled `rollouts-pod-template-hash`, `.status.phase` Successful/Failed/Error/
 *   Inconclusive/Running/Pending.
 * - Flagger Canary `.status.phase` (fluxcd/flagger charts/flagger/crds/crd.yaml v1.44.0, vendored in
 *   test/fixtures/delivery): Succeeded after a promoted analysis, Initialized before any, Failed after a
 *   rolled-back one.
 */
import { z } from "zod";
import { parseList } from "./engine";
import { EvidenceSource } from "./source";

export interface ProgressiveStatus {
    readonly kind: "Rollout" | "Canary";
    /** The release is complete and healthy (Rollout Healthy at its stable hash; Canary Succeeded or Initialized). */
    readonly healthy: boolean;
    readonly phase: string;
    /** The last analysis: Successful, Failed, ..., or "none" when the release ran none. */
    readonly analysis: string;
}

const metadata = z.object({
    name: z.string(),
    namespace: z.string().optional(),
    creationTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string() })).optional(),
});
const rollout = z.object({
    metadata,
    status: z
        .object({
            phase: z.string().optional(),
            stableRS: z.string().optional(),
            currentPodHash: z.string().optional(),
        })
        .optional(),
});
const analysisRun = z.object({ metadata, status: z.object({ phase: z.string().optional() }).optional() });
const canary = z.object({ metadata, status: z.object({ phase: z.string().optional() }).optional() });

const key = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

/** Rollouts by namespace/name, each with the phase of its last AnalysisRun at the stable hash. */
export function rolloutStatuses(
    rollouts: z.infer<typeof rollout>[],
    runs: z.infer<typeof analysisRun>[],
): Map<string, ProgressiveStatus> {
    const statuses = new Map<string, ProgressiveStatus>();
    for (const r of rollouts) {
        const phase = r.status?.phase ?? "Unknown";
        const stable = r.status?.stableRS;
        const last = runs
            .filter(
                (run) =>
                    run.metadata.namespace === r.metadata.namespace &&
                    (run.metadata.ownerReferences ?? []).some(
                        (o) => o.kind === "Rollout" && o.name === r.metadata.name,
                    ) &&
                    run.metadata.labels?.["rollouts-pod-template-hash"] === stable,
            )
            .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""))[0];
        statuses.set(key(r.metadata.namespace, r.metadata.name), {
            kind: "Rollout",
            healthy: phase === "Healthy" && stable !== undefined && stable === r.status?.currentPodHash,
            phase,
            analysis: last === undefined ? "none" : (last.status?.phase ?? "Pending"),
        });
    }
    return statuses;
}

export function canaryStatuses(canaries: z.infer<typeof canary>[]): Map<string, ProgressiveStatus> {
    return new Map(
        canaries.map((c) => {
            const phase = c.status?.phase ?? "Unknown";
            return [
                key(c.metadata.namespace, c.metadata.name),
                {
                    kind: "Canary",
                    healthy: phase === "Succeeded" || phase === "Initialized",
                    phase,
                    analysis: phase === "Succeeded" ? "Successful" : phase === "Initialized" ? "none" : phase,
                },
            ];
        }),
    );
}

/** Progressive delivery status by `namespace/app` for the stack's controller (Argo CD: Argo Rollouts; Flux: Flagger). */
export async function collectProgressive(
    source: EvidenceSource,
    stack: string,
    engine: "argocd" | "flux",
): Promise<Map<string, ProgressiveStatus>> {
    if (engine === "argocd") {
        const [rollouts, runs] = await Promise.all([
            source.read({ kind: "kubernetes", stack, resource: "rollouts.argoproj.io" }),
            source.read({ kind: "kubernetes", stack, resource: "analysisruns.argoproj.io" }),
        ]);
        return rolloutStatuses(
            parseList(rollouts, rollout, "rollouts.argoproj.io"),
            parseList(runs, analysisRun, "analysisruns.argoproj.io"),
        );
    }
    const canaries = await source.read({ kind: "kubernetes", stack, resource: "canaries.flagger.app" });
    return canaryStatuses(parseList(canaries, canary, "canaries.flagger.app"));
}

export const progressiveKey = key;

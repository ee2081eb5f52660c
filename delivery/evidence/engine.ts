/**
 * What the engine reports per app: synced at which commit, healthy or not, since when. Shapes:
 * - Argo CD v3.4 Application `.status` (argoproj/argo-cd pkg/apis/application/v1alpha1/types.go, as the
 *   @kubernetes-models/argo-cd 4.0.0 models carry it): `sync.status` Synced/OutOfSync, `sync.revision` (the
 *   commit compared against), `health.status` (gitops-engine HealthStatusCode: Healthy, Progressing,
 *   Degraded, Suspended, Missing, Unknown), `health.lastTransitionTime` and `operationState.finishedAt` (the
 *   last sync operation).
 * - Flux Kustomization (kustomize.toolkit.fluxcd.io/v1 `.status`): the `Ready` condition (with `wait: true`,
 *   Ready means every applied object is healthy) and `lastAppliedRevision` (`<ref>@sha1:<commit>`, fluxcd
 *   RFC-0005 revision format).
 * - Flux HelmRelease (helm.toolkit.fluxcd.io/v2 `.status`): the `Ready` condition and `history[0].chartVersion`;
 *   with `reconcileStrategy: Revision` the chart version carries the source commit after `+`
 *   (fluxcd/source-controller #308: `0.1.0+a96eff73a282…`), possibly shortened.
 */
import { z } from "zod";
import { EvidenceSource, EvidenceUnavailable, KubeResource } from "./source";

export interface EngineAppStatus {
    /** Synced (Argo CD) or last applied (Flux) at the commit below. */
    readonly synced: boolean;
    /** The commit the engine reports, full or (a Flux chart's version metadata) a prefix. */
    readonly revision?: string;
    readonly healthy: boolean;
    /** The engine's word for the health (Healthy, Degraded, Ready=False: HealthCheckFailed, ...). */
    readonly health: string;
    /** When the engine last changed the app's health (Argo CD) or readiness (Flux). */
    readonly since?: string;
}

const metadata = z.object({ name: z.string(), namespace: z.string().optional() });
const condition = z.object({
    type: z.string(),
    status: z.string(),
    reason: z.string().optional(),
    lastTransitionTime: z.string().optional(),
});
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

const application = z.object({
    metadata,
    status: z
        .object({
            sync: z.object({ status: z.string(), revision: z.string().optional() }).optional(),
            health: z.object({ status: z.string().optional(), lastTransitionTime: z.string().optional() }).optional(),
            operationState: z.object({ finishedAt: z.string().optional() }).optional(),
        })
        .optional(),
});

const fluxObject = z.object({
    metadata,
    status: z
        .object({
            conditions: z.array(condition).optional(),
            lastAppliedRevision: z.string().optional(),
            history: z.array(z.object({ chartVersion: z.string() })).optional(),
        })
        .optional(),
});

/** Parses a `kubectl get -o json` List; a broken answer is unavailable evidence. */
export function parseList<T extends z.ZodType>(text: string, item: T, what: string): z.infer<T>[] {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new EvidenceUnavailable(`${what}: not JSON (${(error as Error).message})`);
    }
    const parsed = list(item).safeParse(document);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new EvidenceUnavailable(`${what}: not a List of ${what} (${issue.path.join(".")}: ${issue.message})`);
    }
    return parsed.data.items;
}

/** The commit of a Flux revision: `v2.15.0@sha1:<sha>`, the older `main/<sha>`, or a chart version `1.2.3+<sha>`. */
export function fluxRevisionCommit(revision: string | undefined): string | undefined {
    const match = /(?:@sha1:|\/|\+)([0-9a-f]{7,40})$/.exec(revision ?? "");
    return match?.[1];
}

function later(a: string | undefined, b: string | undefined): string | undefined {
    if (a === undefined || b === undefined) {
        return a ?? b;
    }
    return Date.parse(a) >= Date.parse(b) ? a : b;
}

export function argoAppStatuses(items: z.infer<typeof application>[]): Record<string, EngineAppStatus> {
    return Object.fromEntries(
        items.map((app) => {
            const health = app.status?.health?.status ?? "Unknown";
            return [
                app.metadata.name,
                {
                    synced: app.status?.sync?.status === "Synced",
                    revision: app.status?.sync?.revision,
                    healthy: health === "Healthy",
                    health,
                    // Health may not change when a new commit syncs: healthy at this commit since the later of the two.
                    since: later(app.status?.health?.lastTransitionTime, app.status?.operationState?.finishedAt),
                },
            ];
        }),
    );
}

export function fluxAppStatuses(items: z.infer<typeof fluxObject>[]): Record<string, EngineAppStatus> {
    return Object.fromEntries(
        items.map((object) => {
            const ready = object.status?.conditions?.find((c) => c.type === "Ready");
            const revision = fluxRevisionCommit(
                object.status?.lastAppliedRevision ?? object.status?.history?.[0]?.chartVersion,
            );
            return [
                object.metadata.name,
                {
                    synced: revision !== undefined,
                    revision,
                    healthy: ready?.status === "True",
                    health: ready === undefined ? "no Ready condition" : `Ready=${ready.status}: ${ready.reason ?? ""}`,
                    since: ready?.lastTransitionTime,
                },
            ];
        }),
    );
}

const RESOURCES: Readonly<Record<"argocd" | "flux", readonly KubeResource[]>> = {
    argocd: ["applications.argoproj.io"],
    flux: ["kustomizations.kustomize.toolkit.fluxcd.io", "helmreleases.helm.toolkit.fluxcd.io"],
};

/** Every app's status as the engine of `stack` reports it, by app name (the engines name their objects after the app). */
export async function collectEngine(
    source: EvidenceSource,
    stack: string,
    engine: "argocd" | "flux",
): Promise<Record<string, EngineAppStatus>> {
    const statuses: Record<string, EngineAppStatus> = {};
    for (const resource of RESOURCES[engine]) {
        const text = await source.read({ kind: "kubernetes", stack, resource });
        Object.assign(
            statuses,
            engine === "argocd"
                ? argoAppStatuses(parseList(text, application, resource))
                : fluxAppStatuses(parseList(text, fluxObject, resource)),
        );
    }
    return statuses;
}

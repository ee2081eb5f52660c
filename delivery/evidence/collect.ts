/**
 * Collects everything the promotion policy judges, from one EvidenceSource: the source stack's update
 * history, each app's engine status (and progressive delivery), tag resolution, continuous health from
 * commit statuses, firing alerts and open drift issues. A collector that fails records why
 * (`{ unavailable }`): the policy refuses on it, naming the app and the check, instead of the run dying.
 */
import { gitUrlRepositoryPath } from "../../stacks/config/rules";
import { collectAlerts, FiringAlert } from "./alerts";
import { collectDrift, DriftIssue } from "./drift";
import { collectEngine, EngineAppStatus } from "./engine";
import { collectUpdate, UpdateEvidence } from "./history";
import { collectProgressive, ProgressiveStatus, progressiveKey } from "./progressive";
import { collectResolution } from "./refs";
import { EvidenceSource } from "./source";
import { collectHealthySince, healthContext } from "./statuses";

export interface Unavailable {
    readonly unavailable: string;
}
export type Maybe<T> = T | Unavailable;

export function isUnavailable<T>(value: Maybe<T> | undefined): value is Unavailable {
    return typeof value === "object" && value !== null && "unavailable" in value;
}

export interface AppEvidence {
    /** The revision the source stack declares (a tag, a SHA, a branch). */
    readonly declared: string;
    readonly repoUrl: string;
    readonly namespace: string;
    /** The commit the declared revision names now (git ls-remote). */
    readonly resolved: Maybe<string>;
    readonly engine: Maybe<EngineAppStatus>;
    /** Present for apps with progressive delivery. */
    readonly progressive?: Maybe<ProgressiveStatus>;
    /** Healthy continuously since (ISO time), and who said so; undefined: not healthy now. */
    readonly healthy: Maybe<{ readonly since?: string; readonly from: "commit statuses" | "engine" }>;
}

export interface Evidence {
    readonly from: string;
    readonly environment: string;
    readonly engine: "argocd" | "flux";
    /** The engine's namespace: its alerts hold every app back. */
    readonly engineNamespace: string;
    readonly collectedAt: string;
    readonly update: Maybe<UpdateEvidence>;
    readonly apps: Readonly<Record<string, AppEvidence>>;
    /** Undefined when no Prometheus is configured. */
    readonly alerts?: Maybe<readonly FiringAlert[]>;
    readonly drift: Maybe<readonly DriftIssue[]>;
}

export interface CollectRequest {
    readonly from: string;
    readonly environment: string;
    readonly engine: "argocd" | "flux";
    readonly engineNamespace: string;
    readonly apps: Readonly<Record<string, { revision: string; repoUrl: string; namespace: string }>>;
    /** Apps released progressively in the source stack. */
    readonly progressive: readonly string[];
    /** This program's repository (owner/name): where the drift workflow opens its issue. */
    readonly programRepository: string;
    readonly alerts?: { readonly url: string; readonly severities: readonly string[]; readonly windowMinutes: number };
    readonly now: Date;
}

async function attempt<T>(collect: () => Promise<T>): Promise<Maybe<T>> {
    try {
        return await collect();
    } catch (error) {
        return { unavailable: (error as Error).message };
    }
}

/** `owner/name` of a github.com URL; undefined elsewhere (no commit statuses to read there). */
function githubRepository(url: string): string | undefined {
    return /github\.com[:/]/.test(url) ? gitUrlRepositoryPath(url)?.replace(/\.git$/, "") : undefined;
}

async function healthOf(
    source: EvidenceSource,
    request: CollectRequest,
    app: string,
    repoUrl: string,
    engine: Maybe<EngineAppStatus>,
): Promise<AppEvidence["healthy"]> {
    if (isUnavailable(engine)) {
        return engine;
    }
    const repository = githubRepository(repoUrl);
    const sha = engine.revision;
    if (repository !== undefined && sha !== undefined && sha.length === 40) {
        const context = healthContext(request.engine, request.environment, app);
        const fromStatuses = await attempt(() => collectHealthySince(source, repository, sha, context));
        if (!isUnavailable(fromStatuses) && fromStatuses !== undefined) {
            return { since: fromStatuses, from: "commit statuses" };
        }
    }
    // Repositories the notifications cannot post on (third-party, not GitHub): the engine's own transition time.
    return { since: engine.healthy ? engine.since : undefined, from: "engine" };
}

export async function collectEvidence(source: EvidenceSource, request: CollectRequest): Promise<Evidence> {
    const [update, engine, progressive, drift, alerts] = await Promise.all([
        attempt(() => collectUpdate(source, request.from)),
        attempt(() => collectEngine(source, request.from, request.engine)),
        request.progressive.length > 0
            ? attempt(() => collectProgressive(source, request.from, request.engine))
            : Promise.resolve(new Map<string, ProgressiveStatus>()),
        attempt(() => collectDrift(source, request.programRepository, request.from)),
        request.alerts
            ? attempt(() => {
                  const { url, severities, windowMinutes } = request.alerts!;
                  return collectAlerts(source, url, severities, windowMinutes);
              })
            : Promise.resolve(undefined),
    ]);
    const apps: Record<string, AppEvidence> = {};
    for (const [name, app] of Object.entries(request.apps)) {
        const status: Maybe<EngineAppStatus> = isUnavailable(engine)
            ? engine
            : (engine[name] ?? { unavailable: `the ${request.engine} engine of ${request.from} has no app ${name}` });
        const progressiveStatus = !request.progressive.includes(name)
            ? undefined
            : isUnavailable(progressive)
              ? progressive
              : (progressive.get(progressiveKey(app.namespace, name)) ?? {
                    unavailable: `no Rollout or Canary ${name} in namespace ${app.namespace}`,
                });
        apps[name] = {
            declared: app.revision,
            repoUrl: app.repoUrl,
            namespace: app.namespace,
            resolved: await attempt(async () => (await collectResolution(source, app.repoUrl, app.revision))!),
            engine: status,
            ...(progressiveStatus === undefined ? {} : { progressive: progressiveStatus }),
            healthy: await healthOf(source, request, name, app.repoUrl, status),
        };
    }
    return {
        from: request.from,
        environment: request.environment,
        engine: request.engine,
        engineNamespace: request.engineNamespace,
        collectedAt: request.now.toISOString(),
        update,
        apps,
        ...(alerts === undefined ? {} : { alerts }),
        drift,
    };
}

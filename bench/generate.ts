/**
 * Generated stack configs for the plan benchmark: a checked-in stack file with its apps and teams
 * replaced by N valid apps, optionally with the engine switched to Flux. Pure: config text in,
 * config text out, so the same input always plans the same program.
 */
import type { StackConfig } from "../plan/stackFile";

export type EngineType = "argocd" | "flux";

/** Apps per generated team: teams own several apps, as in a real organisation. */
export const APPS_PER_TEAM = 10;

export interface GeneratedApp {
    readonly name: string;
    readonly team: string;
    readonly namespace: string;
    readonly source: { readonly url: string; readonly path: string; readonly revision: string };
    readonly secretKeys: readonly string[];
}

export interface GeneratedApps {
    readonly apps: GeneratedApp[];
    readonly teams: Record<string, { groups: string[] }>;
}

/** Zero-padded so names sort in order and stay the same length (`app-0042` of 1000). */
function numbered(prefix: string, index: number, total: number): string {
    return `${prefix}-${String(index).padStart(String(total).length, "0")}`;
}

/**
 * `count` apps with unique DNS-1123 names and namespaces, each owned by one of ceil(count/10) teams,
 * each from its own repository (source.url, so no managed repository is needed) at an immutable tag,
 * which production also accepts. `secretKeys` go to every app (empty when the stack has no store).
 */
export function generateApps(count: number, secretKeys: readonly string[] = []): GeneratedApps {
    if (!Number.isInteger(count) || count < 0) {
        throw new Error(`app count must be a non-negative integer, got ${count}`);
    }
    const teamCount = Math.ceil(count / APPS_PER_TEAM);
    const teams: Record<string, { groups: string[] }> = {};
    for (let t = 1; t <= teamCount; t++) {
        const team = numbered("team", t, teamCount);
        teams[team] = { groups: [`acme:${team}`] };
    }
    const apps = Array.from({ length: count }, (_, i) => {
        const name = numbered("app", i + 1, count);
        return {
            name,
            team: numbered("team", Math.floor(i / APPS_PER_TEAM) + 1, teamCount),
            namespace: `${name}-ns`,
            source: {
                url: `https://github.com/acme-platform/${name}.git`,
                path: "deploy/overlays/bench",
                revision: `refs/tags/v1.0.${i}`,
            },
            secretKeys: [...secretKeys],
        };
    });
    return { apps, teams };
}

const KEY = (name: string) => `gitops-platform:${name}`;

/** Secret keys each generated app reads, when the base stack has a secrets store. */
export const BENCH_SECRET_KEYS = ["api-token"] as const;

/**
 * The base stack's config with `count` generated apps (replacing apps and teams), and the engine
 * `engine`: the base's engine section when it already is that engine, otherwise `{type: <engine>}`
 * with its defaults (dropping the Argo-only SSO client secret when switching to Flux).
 */
export function benchConfig(base: StackConfig, count: number, engine: EngineType): StackConfig {
    const config = { ...base.config };
    const hasStore = config[KEY("secrets")] !== undefined;
    const { apps, teams } = generateApps(count, hasStore ? BENCH_SECRET_KEYS : []);
    config[KEY("apps")] = JSON.stringify(apps);
    config[KEY("teams")] = JSON.stringify(teams);
    const replaced = new Set([KEY("apps"), KEY("teams")]);
    const baseEngine =
        config[KEY("engine")] === undefined ? undefined : (JSON.parse(config[KEY("engine")]) as { type?: string }).type;
    if (baseEngine !== engine) {
        config[KEY("engine")] = JSON.stringify({ type: engine });
        replaced.add(KEY("engine"));
        if (engine === "flux") {
            delete config[KEY("ssoClientSecret")];
            replaced.add(KEY("ssoClientSecret"));
        }
    }
    return { config, secretKeys: base.secretKeys.filter((key) => !replaced.has(key)) };
}

/**
 * The stack's teams and apps: config turned into Team and App components. Every resource is named
 * from the team's or the app's name, so adding, removing or reordering apps touches only their own.
 */
import * as pulumi from "@pulumi/pulumi";
import { App, Environment, Team } from "../components/apps";
import { ClusterHandle } from "../components/cluster/types";
import { ApplicationSource, GitopsEngine, SyncPolicy, TeamRegistration } from "../components/gitops/types";
import { RepositoryHandle } from "../components/repository/types";
import { SecretsStore } from "../components/secrets/types";
import { AppConfig, PlatformConfig, SyncPolicyConfig } from "./config";

/** What the stack outputs per app; the promotion command reads it. */
export interface AppOutputs {
    readonly team: string;
    readonly namespace: string;
    readonly repoUrl: pulumi.Input<string>;
    readonly path: string;
    readonly revision: string;
    readonly type: ApplicationSource["type"];
}

/**
 * Sync policy per environment. Staging and local converge fully on Git. Production self-heals but
 * does not prune unless config says so: a file dropped from Git by mistake must not delete a running
 * production object.
 */
export const ENVIRONMENT_SYNC: Readonly<Record<Environment, SyncPolicy>> = {
    staging: { automated: true, prune: true, selfHeal: true },
    production: { automated: true, prune: false, selfHeal: true },
    local: { automated: true, prune: true, selfHeal: true },
};

/** The environment's policy, overridden key by key by config's appDefaults.sync, then the app's sync. */
export function resolveSyncPolicy(environment: Environment, ...overrides: (SyncPolicyConfig | undefined)[]): SyncPolicy {
    let policy = ENVIRONMENT_SYNC[environment];
    for (const override of overrides) {
        policy = {
            automated: override?.automated ?? policy.automated,
            prune: override?.prune ?? policy.prune,
            selfHeal: override?.selfHeal ?? policy.selfHeal,
        };
    }
    return policy;
}

export function appNamespace(app: AppConfig): string {
    return app.namespace ?? app.name;
}

/**
 * Where an app comes from: `source.repository` names the GitOps repository or one of the stack's app
 * repositories (with the deploy key the engine uses), `source.url` any other repository, read
 * anonymously; neither means the GitOps repository.
 */
export function resolveSource(app: AppConfig, gitopsRepositoryName: string, repositories: RepositoryHandle): ApplicationSource {
    const { path, revision, type, helmValues } = app.source;
    const base = { path, revision, type, ...(helmValues ? { helmValues } : {}) };
    if (app.source.url !== undefined) {
        return { ...base, repoUrl: app.source.url };
    }
    const name = app.source.repository ?? gitopsRepositoryName;
    const access = name === gitopsRepositoryName ? repositories.gitops : repositories.appRepositories[name];
    if (access === undefined) {
        // Config validation rejects this; reaching here means the repositories component lost one.
        throw new Error(`app ${app.name}: repository "${name}" is not among the stack's repositories`);
    }
    // A repository read anonymously is, to the engine, any public URL: no credentials to wait for.
    return { ...base, repoUrl: access.url, ...(access.privateKey === undefined ? {} : { access }) };
}

/** Each team with the namespaces of its apps and the repositories they come from (each once). */
export function teamRegistrations(config: Pick<PlatformConfig, "teams" | "apps">, sources: Readonly<Record<string, ApplicationSource>>): TeamRegistration[] {
    return Object.entries(config.teams).map(([name, team]) => {
        const apps = config.apps.filter((app) => app.team === name);
        const repos = new Map<string, pulumi.Input<string>>();
        for (const app of apps) {
            const source = sources[app.name];
            repos.set(source.access?.name ?? String(source.repoUrl), source.repoUrl);
        }
        return { name, groups: team.groups, namespaces: apps.map(appNamespace), sourceRepos: [...repos.values()] };
    });
}

export function registerApps(
    config: PlatformConfig,
    deps: { cluster: ClusterHandle; engine: GitopsEngine; repositories: RepositoryHandle; secrets?: SecretsStore },
): Record<string, AppOutputs> {
    const sources = Object.fromEntries(config.apps.map((app) => [app.name, resolveSource(app, config.gitopsRepository.name, deps.repositories)]));
    const teams = new Map(teamRegistrations(config, sources).map((registration) => [
        registration.name,
        new Team(registration.name, { registration, engine: deps.engine }),
    ]));
    const outputs: Record<string, AppOutputs> = {};
    for (const app of config.apps) {
        const source = sources[app.name];
        const namespace = appNamespace(app);
        new App(app.name, {
            registration: {
                name: app.name,
                team: app.team,
                namespace,
                source,
                sync: resolveSyncPolicy(config.environment, config.appDefaults.sync, app.sync),
                dependsOn: app.dependsOn,
            },
            environment: config.environment,
            groups: config.teams[app.team].groups,
            quota: [config.appDefaults.quota, app.quota],
            limits: [config.appDefaults.limits, app.limits],
            secretKeys: app.secretKeys,
            provider: deps.cluster.provider,
            engine: deps.engine,
            secrets: deps.secrets,
            dependsOn: teams.get(app.team)?.ready,
        });
        outputs[app.name] = { team: app.team, namespace, repoUrl: source.repoUrl, path: source.path, revision: source.revision, type: source.type };
    }
    return outputs;
}

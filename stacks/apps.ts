/**
 * The stack's teams and apps: config turned into Team and App components. Every resource is named
 * from the team's or the app's name, so adding, removing or reordering apps touches only their own.
 */
import * as pulumi from "@pulumi/pulumi";
import { App, Team, TeamAccess } from "../components/apps";
import { AppDelivery, DeliveryController } from "../components/delivery";
import { platformLabels } from "../components/core/labels";
import { ClusterHandle } from "../components/cluster/types";
import type { TenantKind } from "../components/gitops/tenancy";
import { ApplicationSource, GitopsEngine, SyncPolicy, TeamRegistration } from "../components/gitops/types";
import { RepositoryHandle } from "../components/repository/types";
import { AppSecretSource } from "../components/secrets/types";
import { declareInBatches } from "./batches";
import { appDeliverySettings, deliveryTenantKinds } from "./delivery";
import { sealedTenantKinds } from "./secrets";
import { AppConfig, AppEgressConfig, PlatformConfig, SyncPolicyConfig } from "./config";
import type { AppEgress } from "../components/core/isolation";
import { Environment, profileOf } from "./profiles";

/** What the stack outputs per app; the promotion command reads it. */
export interface AppOutputs {
    readonly team: string;
    readonly namespace: string;
    readonly repoUrl: pulumi.Input<string>;
    readonly path: string;
    readonly revision: string;
    readonly type: ApplicationSource["type"];
}

/** Keeps only the keys that are set, so an override never blanks a default. */
function defined<T extends object>(value: Partial<T> | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A profile's settings overridden key by key, in order (config's appDefaults, then the app's own). */
export function withOverrides<T extends object>(base: T, ...overrides: (Partial<T> | undefined)[]): T {
    return Object.assign({}, base, ...overrides.map((o) => defined(o))) as T;
}

/** The environment's sync policy, overridden key by key by config's appDefaults.sync, then the app's sync. */
export function resolveSyncPolicy(
    environment: Environment,
    ...overrides: (SyncPolicyConfig | undefined)[]
): SyncPolicy {
    return withOverrides(profileOf(environment).sync, ...overrides);
}

/**
 * Whether an app's sync object carries the prune-approved label: where the environment asks for
 * approval, an automatic prune in config is that approval (the policy pack flags one without it).
 */
export function pruneApproved(environment: Environment, sync: SyncPolicy): boolean {
    return profileOf(environment).pruneNeedsApproval && sync.automated && sync.prune;
}

export function appNamespace(app: AppConfig): string {
    return app.namespace ?? app.name;
}

/**
 * Where an app comes from: `source.repository` names the GitOps repository or one of the stack's app
 * repositories (with the deploy key the engine uses), `source.url` any other repository, read
 * anonymously; neither means the GitOps repository.
 */
export function resolveSource(
    app: AppConfig,
    gitopsRepositoryName: string,
    repositories: RepositoryHandle,
): ApplicationSource {
    const { path, revision, type, helmValues, patches } = app.source;
    const base = { path, revision, type, ...(helmValues ? { helmValues } : {}), ...(patches ? { patches } : {}) };
    if (app.source.url !== undefined) {
        return { ...base, repoUrl: app.source.url };
    }
    const name = app.source.repository ?? gitopsRepositoryName;
    const access = name === gitopsRepositoryName ? repositories.gitops : repositories.appRepositories[name];
    if (access === undefined) {
        // Config validation rejects this; reaching here means the repositories component lost one.
        throw new Error(`app ${app.name}: repository "${name}" is not among the stack's repositories`);
    }
    // The engine waits for the repository's credentials only where it has a key (components/gitops/engine.ts).
    return { ...base, repoUrl: access.url, access };
}

/**
 * Each team with the namespaces of its apps, the repositories they come from (each once) and the
 * kinds its apps add to what it may ship (`tenantKindsOf`, progressive delivery's; default none).
 */
export function teamRegistrations(
    config: Pick<PlatformConfig, "teams" | "apps" | "gitopsRepository">,
    sources: Readonly<Record<string, ApplicationSource>>,
    tenantKindsOf: (app: AppConfig) => readonly TenantKind[] = () => [],
): TeamRegistration[] {
    return Object.entries(config.teams).map(([name, team]) => {
        const apps = config.apps.filter((app) => app.team === name);
        const repos = new Map<string, pulumi.Input<string>>();
        for (const app of apps) {
            // Keyed as config names the repository (as resolveSource reads it): an anonymous one's URL is an Output.
            const key = app.source.url ?? app.source.repository ?? config.gitopsRepository.name;
            repos.set(key, sources[app.name].repoUrl);
        }
        const tenantKinds = [...new Set(apps.flatMap(tenantKindsOf))];
        return {
            name,
            groups: team.groups,
            namespaces: apps.map(appNamespace),
            sourceRepos: [...repos.values()],
            ...(tenantKinds.length > 0 ? { tenantKinds } : {}),
        };
    });
}

/**
 * Where pods reach the API server. EKS: its control plane's network interfaces in the VPC, on 443 (private endpoint
 * access is always on, components/cluster/eks.ts). An existing cluster's API server address is not known to the
 * plan: any address, on 443 and kind's 6443.
 */
export function apiServerEgress(cluster: PlatformConfig["cluster"]): NonNullable<AppEgress["apiServer"]> {
    return cluster.type === "eks"
        ? { cidrs: [cluster.network.vpcCidr], ports: [443] }
        : { cidrs: ["0.0.0.0/0"], ports: [443, 6443] };
}

/** An app's egress config → what its namespace's egress policy opens. */
export function appEgress(egress: AppEgressConfig, cluster: PlatformConfig["cluster"]): AppEgress {
    return {
        ...(egress.kubernetesApi ? { apiServer: apiServerEgress(cluster) } : {}),
        https: egress.https,
        services: egress.services,
    };
}

/** Declares the stack's teams and apps, in batches (stacks/batches.ts); resolves to the apps' outputs. */
export async function registerApps(
    config: PlatformConfig,
    deps: {
        cluster: ClusterHandle;
        engine: GitopsEngine;
        repositories: RepositoryHandle;
        secrets?: AppSecretSource;
        delivery?: DeliveryController;
        /** Filled with each app's namespace → its Namespace's name, for objects others put there (dashboards). */
        namespaces?: Map<string, pulumi.Output<string>>;
    },
): Promise<Record<string, AppOutputs>> {
    const sources = Object.fromEntries(
        config.apps.map((app) => [app.name, resolveSource(app, config.gitopsRepository.name, deps.repositories)]),
    );
    const teams = new Map<string, Team>();
    const tenantKindsOf = (app: AppConfig) => [
        ...deliveryTenantKinds(app, config.engine.type),
        ...sealedTenantKinds(app, config),
    ];
    await declareInBatches(teamRegistrations(config, sources, tenantKindsOf), (registration) => {
        teams.set(registration.name, new Team(registration.name, { registration, engine: deps.engine }));
    });
    const profile = profileOf(config.environment);
    const labels = platformLabels(config.environment);
    const outputs: Record<string, AppOutputs> = {};
    const access =
        config.apps.length > 0
            ? new TeamAccess("team-access", {
                  labels,
                  debugAccess: profile.teamDebugAccess,
                  provider: deps.cluster.provider,
              })
            : undefined;
    await declareInBatches(config.apps, (app) => {
        const source = sources[app.name];
        const namespace = appNamespace(app);
        const sync = resolveSyncPolicy(config.environment, config.appDefaults.sync, app.sync);
        const tenantKinds = tenantKindsOf(app);
        const component = new App(app.name, {
            registration: {
                name: app.name,
                team: app.team,
                namespace,
                source,
                sync,
                pruneApproved: pruneApproved(config.environment, sync),
                dependsOn: app.dependsOn,
                ...(tenantKinds.length > 0 ? { tenantKinds } : {}),
            },
            labels,
            groups: config.teams[app.team].groups,
            quota: withOverrides(profile.quota, config.appDefaults.quota, app.quota),
            limits: withOverrides(profile.limits, config.appDefaults.limits, app.limits),
            teamRole: access!.roleName,
            retainNamespace: profile.retainAppNamespaces,
            secretKeys: app.secretKeys,
            provider: deps.cluster.provider,
            engine: deps.engine,
            secrets: deps.secrets,
            egress: app.egress === undefined ? undefined : appEgress(app.egress, config.cluster),
            dependsOn: teams.get(app.team)?.ready,
        });
        const delivery = appDeliverySettings(app, namespace, config);
        if (delivery !== undefined) {
            if (deps.delivery === undefined) {
                throw new Error(`app ${app.name} opts in to progressive delivery and the stack declared no controller`);
            }
            new AppDelivery(`${app.name}-delivery`, {
                controller: deps.delivery,
                provider: deps.cluster.provider,
                settings: delivery,
                groups: config.teams[app.team].groups,
                team: app.team,
                dependsOn: [component],
            });
        }
        deps.namespaces?.set(namespace, component.namespace);
        outputs[app.name] = {
            team: app.team,
            namespace,
            repoUrl: source.repoUrl,
            path: source.path,
            revision: source.revision,
            type: source.type,
        };
    });
    return outputs;
}

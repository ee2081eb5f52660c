/** `gitops-platform:teams`, `gitops-platform:apps` and `gitops-platform:appDefaults`. */
import { z } from "zod";
import { isCommitSha, isFullCommitSha } from "../../components/gitops/revisions";
import { imageUpdaterPolicyProblem } from "../../components/gitops/argocd/imageUpdater";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { appDeliveryConfig } from "./delivery";
import type { EngineConfig } from "./engine";
import { componentNamespaces, NamespaceSections } from "./namespaces";
import type { GithubConfig, GitopsRepositoryConfig } from "./repositories";
import {
    dnsLabel,
    gitRefName,
    gitRepositoryUrl,
    githubRepositoryName,
    iamRoleArn,
    repositoryPath,
    strictObject,
    SYSTEM_NAMESPACES,
    uniqueNames,
} from "./rules";

export const syncPolicyConfig = strictObject({
    automated: z.boolean().optional(),
    prune: z.boolean().optional(),
    selfHeal: z.boolean().optional(),
});

const quantity = z
    .union([
        z
            .string()
            .regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, "expected a Kubernetes quantity such as 500m, 2 or 4Gi"),
        z.number().nonnegative(),
    ])
    .transform(String);

export const quotaConfig = strictObject({
    requestsCpu: quantity.optional(),
    requestsMemory: quantity.optional(),
    limitsCpu: quantity.optional(),
    limitsMemory: quantity.optional(),
    pods: z.number().int().min(1).optional(),
});

export const containerLimitsConfig = strictObject({
    defaultCpu: quantity.optional(),
    defaultMemory: quantity.optional(),
    defaultRequestCpu: quantity.optional(),
    defaultRequestMemory: quantity.optional(),
});

export const teamConfig = strictObject({
    /** Groups (from SSO, or Kubernetes RBAC groups) whose members are the team. */
    groups: z.array(z.string().min(1)).min(1),
    /** IAM role the team's members assume to reach an EKS cluster; mapped to `groups` by an access entry. */
    roleArn: iamRoleArn.optional(),
});

const secretKey = z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, "expected a secret key name: letters, digits, '-', '_' and '.'");

/**
 * Which tag an image update picks: the newest in a semver range (Masterminds/semver constraints, as
 * image-reflector-controller evaluates them: ">=1.0.0 <2.0.0", "~1.4"), or the highest tag matching a
 * pattern (a Go regular expression; `extract` such as "$ts" names what is ordered).
 */
export const imageTagPolicyConfig = z.union([
    strictObject({ semver: z.string().trim().min(1, "expected a semver range such as >=1.0.0 <2.0.0") }),
    strictObject({
        pattern: z.string().min(1, "expected a regular expression such as ^main-[a-f0-9]+-(?P<ts>[0-9]+)$"),
        extract: z.string().min(1).optional(),
        order: z.enum(["numerical", "alphabetical"]).default("numerical"),
    }),
]);

export const imageUpdateConfig = strictObject({
    /** Image without tag or digest, e.g. ghcr.io/acme/payments-api. */
    image: z
        .string()
        .regex(
            /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$|^[a-z0-9]+([._-][a-z0-9]+)*$/,
            "expected an image name without tag or digest, such as ghcr.io/acme/payments-api",
        ),
    policy: imageTagPolicyConfig,
});

export const appConfig = strictObject({
    name: dnsLabel,
    team: dnsLabel,
    /** Namespace the app runs in; its name when omitted. */
    namespace: dnsLabel.optional(),
    source: strictObject({
        /** A repository in github.appRepositories; the GitOps repository when both this and url are omitted. */
        repository: githubRepositoryName.optional(),
        /** Any other Git repository. */
        url: gitRepositoryUrl.optional(),
        path: repositoryPath,
        /** Tag, commit SHA or branch. Production takes immutable revisions only (tags or SHAs). */
        revision: gitRefName,
        type: z.enum(["kustomize", "directory", "helm"]).default("kustomize"),
        /** Values for a Helm chart source. */
        helmValues: z.record(z.string(), z.unknown()).optional(),
    }),
    sync: syncPolicyConfig.optional(),
    /** Names of the secrets this app reads from the store (values are put in the store out of band). */
    secretKeys: z.array(secretKey).default([]),
    /**
     * Apps that must be ready first: Flux waits for them (dependsOn); Argo CD cannot order Applications and only
     * records them (annotation).
     */
    dependsOn: z.array(dnsLabel).default([]),
    quota: quotaConfig.optional(),
    limits: containerLimitsConfig.optional(),
    /** New tags of the app's image committed back to the GitOps repository (Flux image automation). */
    imageUpdate: imageUpdateConfig.optional(),
    /** Progressive delivery of the app's Deployment (Argo Rollouts or Flagger); default none. */
    delivery: appDeliveryConfig.optional(),
}).superRefine((app, ctx) => {
    if (app.source.repository !== undefined && app.source.url !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["source", "url"],
            input: app.source.url,
            message: "set source.repository or source.url, not both",
        });
    }
    if (app.source.helmValues !== undefined && app.source.type !== "helm") {
        ctx.addIssue({
            code: "custom",
            path: ["source", "helmValues"],
            input: app.source.helmValues,
            message: `helmValues only apply to source.type helm, not ${app.source.type}`,
        });
    }
    if (isCommitSha(app.source.revision) && !isFullCommitSha(app.source.revision)) {
        // Flux's source-controller looks commits up by full hash (go-git CommitObject); Argo CD would take it.
        ctx.addIssue({
            code: "custom",
            path: ["source", "revision"],
            input: app.source.revision,
            message: "an abbreviated commit SHA: give the full 40-character SHA, which both engines can check out",
        });
    }
    if (app.dependsOn.includes(app.name)) {
        ctx.addIssue({
            code: "custom",
            path: ["dependsOn"],
            input: app.dependsOn,
            message: `app "${app.name}" cannot depend on itself`,
        });
    }
});

export const appsConfig = z.array(appConfig).superRefine((apps, ctx) => {
    uniqueNames(apps, (app) => app.name, ctx, "app");
    const byName = new Map(apps.map((app) => [app.name, app]));
    const isHelm = (app: { source: { type: string } }) => app.source.type === "helm";
    apps.forEach((app, index) =>
        app.dependsOn.forEach((dependency, position) => {
            const target = byName.get(dependency);
            if (target === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: [index, "dependsOn", position],
                    input: dependency,
                    message: `no app named "${dependency}" in this stack; dependsOn takes names of apps listed in gitops-platform:apps`,
                });
            } else if (isHelm(target) !== isHelm(app)) {
                // Flux's HelmRelease.dependsOn names HelmReleases and Kustomization.dependsOn Kustomizations only.
                ctx.addIssue({
                    code: "custom",
                    path: [index, "dependsOn", position],
                    input: dependency,
                    message: `"${dependency}" is ${isHelm(target) ? "a helm" : "a kustomize/directory"} app and "${app.name}" is not: Flux orders only apps of the same kind (HelmReleases, or Kustomizations)`,
                });
            }
        }),
    );
    apps.forEach((app, index) => {
        const cycle = dependencyCycle(app.name, byName);
        if (cycle !== undefined && cycle[0] === app.name) {
            ctx.addIssue({
                code: "custom",
                path: [index, "dependsOn"],
                input: app.dependsOn,
                message: `dependency cycle ${cycle.join(" → ")}: the apps would wait for each other forever`,
            });
        }
    });
});

/** The first cycle reachable from `start` through dependsOn, as a path that returns to its first name. */
export function dependencyCycle(
    start: string,
    apps: ReadonlyMap<string, { readonly dependsOn: readonly string[] }>,
): string[] | undefined {
    const acyclic = new Set<string>();
    const visit = (name: string, path: string[]): string[] | undefined => {
        const seen = path.indexOf(name);
        if (seen >= 0) {
            return [...path.slice(seen), name];
        }
        if (acyclic.has(name)) {
            return undefined;
        }
        for (const next of apps.get(name)?.dependsOn ?? []) {
            const cycle = visit(next, [...path, name]);
            if (cycle) {
                return cycle;
            }
        }
        acyclic.add(name);
        return undefined;
    };
    return visit(start, []);
}

export const appDefaultsConfig = strictObject({
    sync: syncPolicyConfig.optional(),
    quota: quotaConfig.optional(),
    limits: containerLimitsConfig.optional(),
});

export type SyncPolicyConfig = z.infer<typeof syncPolicyConfig>;
export type QuotaConfig = z.infer<typeof quotaConfig>;
export type ContainerLimitsConfig = z.infer<typeof containerLimitsConfig>;
export type TeamConfig = z.infer<typeof teamConfig>;
export type AppConfig = z.infer<typeof appConfig>;
export type AppDefaultsConfig = z.infer<typeof appDefaultsConfig>;
export type ImageUpdateConfig = z.infer<typeof imageUpdateConfig>;

/** The sections the apps' rules read besides their own. */
export interface AppSections extends NamespaceSections {
    readonly apps?: readonly AppConfig[];
    readonly teams?: Readonly<Record<string, TeamConfig>>;
    readonly engine?: EngineConfig;
    readonly gitopsRepository?: GitopsRepositoryConfig;
    readonly github?: GithubConfig;
}

/**
 * Each app against the rest: its team exists, its namespace is its own (not a system namespace, a
 * component's or another app's), its repository is one the stack manages, its image updates can be
 * written, and its secret keys have a store.
 */
export function appRules(config: AppSections, context: CrossFieldContext): CrossFieldProblem[] {
    const { present } = context;
    const { apps, teams, engine, gitopsRepository } = config;
    const github = optionalSection(config.github, present("github"));
    const secrets = optionalSection(config.secrets, present("secrets"));
    const problems: CrossFieldProblem[] = [];
    const add = (path: readonly PropertyKey[], message: string) => problems.push({ path, message });
    const reserved = new Map<string, string>([
        ...SYSTEM_NAMESPACES.map((ns) => [ns, "a system namespace"] as const),
        ...componentNamespaces(config, context).map(({ namespace, what }) => [namespace, what] as const),
    ]);
    const namespaceOwners = new Map<string, string>();
    const appRepositories = github ? Object.keys(github.appRepositories) : [];
    (apps ?? []).forEach((app, index) => {
        if (teams !== undefined && !(app.team in teams)) {
            add(
                ["apps", index, "team"],
                `no team "${app.team}" in gitops-platform:teams; add it there with its groups, or use one of: ${Object.keys(teams).join(", ") || "(none defined)"}`,
            );
        }
        const namespace = app.namespace ?? app.name;
        const namespacePath = ["apps", index, app.namespace ? "namespace" : "name"];
        const reservedFor = reserved.get(namespace);
        if (reservedFor) {
            add(namespacePath, `namespace "${namespace}" is ${reservedFor}; give the app its own namespace`);
        }
        const owner = namespaceOwners.get(namespace);
        if (owner !== undefined) {
            add(
                namespacePath,
                `namespace "${namespace}" is already used by app "${owner}"; each app gets a namespace of its own`,
            );
        }
        namespaceOwners.set(namespace, app.name);
        const repository = app.source.repository;
        if (
            repository !== undefined &&
            gitopsRepository !== undefined &&
            github !== undefined &&
            repository !== gitopsRepository.name &&
            !appRepositories.includes(repository)
        ) {
            add(
                ["apps", index, "source", "repository"],
                github
                    ? `no repository "${repository}" in github.appRepositories; add it there, or use source.url for a repository this stack does not manage`
                    : "source.repository names a GitHub repository this stack manages, and it has no github section: use source.url",
            );
        }
        if (engine !== undefined && gitopsRepository !== undefined) {
            problems.push(...imageUpdateProblems({ engine, gitopsRepository }, app, index));
        }
        if (app.secretKeys.length > 0 && secrets === null) {
            add(
                ["apps", index, "secretKeys"],
                "secret keys need a secrets store: add a gitops-platform:secrets section",
            );
        }
    });
    return problems;
}

/**
 * An app's image update is written by Flux's image automation or Argo CD Image Updater into the
 * GitOps repository, the only repository whose deploy key may push (stacks/repositories.ts).
 */
export function imageUpdateProblems(
    config: { readonly engine: EngineConfig; readonly gitopsRepository: GitopsRepositoryConfig },
    app: AppConfig,
    index: number,
): CrossFieldProblem[] {
    if (app.imageUpdate === undefined) {
        return [];
    }
    const path = ["apps", index, "imageUpdate"];
    const problems: CrossFieldProblem[] = [];
    if (!config.engine.imageAutomation) {
        problems.push({
            path,
            message:
                config.engine.type === "flux"
                    ? "image updates need Flux's image controllers and a writable deploy key: set engine.imageAutomation to true"
                    : "image updates need Argo CD Image Updater and a writable deploy key: set engine.imageAutomation to true",
        });
    }
    const repository = app.source.repository ?? config.gitopsRepository.name;
    if (app.source.url !== undefined || repository !== config.gitopsRepository.name) {
        problems.push({
            path,
            message: `image updates are committed to the GitOps repository "${config.gitopsRepository.name}" only (the one deploy key that may push), not to ${app.source.url ?? repository}: keep the app's manifests there, or remove imageUpdate`,
        });
    }
    if (config.gitopsRepository.anonymous) {
        problems.push({
            path,
            message:
                "the GitOps repository is read anonymously, so image updates cannot be pushed to it: register a deploy key (remove gitopsRepository.anonymous), or remove imageUpdate",
        });
    }
    if (config.engine.type === "argocd") {
        const policyProblem = imageUpdaterPolicyProblem(app.imageUpdate.policy);
        if (policyProblem !== undefined) {
            problems.push({ path: [...path, "policy"], message: policyProblem });
        }
        if (app.source.type === "directory") {
            // Image Updater writes .argocd-source-<app>.yaml, which Argo CD reads for Helm and Kustomize sources only.
            problems.push({
                path: ["apps", index, "source", "type"],
                message:
                    "Argo CD Image Updater writes parameter overrides that only helm and kustomize sources read: use source.type kustomize (add a kustomization.yaml), or remove imageUpdate",
            });
        }
    }
    return problems;
}

/**
 * `gitops-platform:gitopsRepository` (the repository the engine syncs from) and
 * `gitops-platform:github` (GitHub management of it and of app repositories; optional for local stacks).
 */
import { z } from "zod";
import { DEFAULTS as REPOSITORY } from "../../components/repository/github";
import { gitHost, GITHUB_HOST } from "../../components/repository/hosts";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { gitRefName, gitRepositoryUrl, githubRepositoryName, strictObject } from "./rules";

/** Pulumi stack names: letters, digits, '-', '_' and '.'. */
const stackName = z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, "expected a stack name: letters, digits, '-', '_' and '.'");

/**
 * The stack that manages a GitHub repository shared between stacks (app repositories every
 * environment deploys from). Another stack only registers its own read-only deploy key on it; the
 * repository's other settings here are then the managing stack's business.
 */
const managedBy = stackName.optional();

export const gitopsRepositoryConfig = strictObject({
    /** Repository name; on GitHub under github.owner. */
    name: githubRepositoryName,
    /**
     * Branch the engine syncs and the seeded files go to. On GitHub it must be the default branch, the one a
     * new repository starts with (the owner's default branch name, "main" unless changed), since the
     * ruleset protects ~DEFAULT_BRANCH.
     */
    branch: gitRefName.default(REPOSITORY.branch),
    /** Clone URL for a repository this stack does not manage (stacks without a github section). */
    url: gitRepositoryUrl.optional(),
    /**
     * Manage an existing repository instead of creating one: imported on the next `pulumi up`, nothing is seeded into
     * it.
     */
    adopt: z.boolean().default(REPOSITORY.adopt),
    managedBy,
    visibility: z.enum(["private", "internal", "public"]).default(REPOSITORY.visibility),
    description: z.string().default("GitOps repository of the platform: cluster and application manifests"),
    /**
     * known_hosts lines of the Git host in `url` (`ssh-keyscan <host>`, checked against what the host
     * publishes). GitHub's keys are built in; any other host needs this.
     */
    knownHosts: z.string().min(1).optional(),
    /**
     * With `url` only: a public repository the engine reads anonymously over https, so no deploy key is
     * made and the first `pulumi up` syncs without a manual step.
     */
    anonymous: z.boolean().default(false),
}).superRefine((repository, ctx) => {
    if (repository.anonymous && repository.url !== undefined && !repository.url.startsWith("https://")) {
        ctx.addIssue({
            code: "custom",
            path: ["anonymous"],
            input: repository.anonymous,
            message:
                "anonymous read is over https: give url as https://host/owner/repo.git (a public repository), or remove anonymous and register the deploy key",
        });
    }
    if (repository.url === undefined) {
        return;
    }
    try {
        gitHost(repository.url);
    } catch {
        ctx.addIssue({
            code: "custom",
            path: ["url"],
            input: repository.url,
            message:
                "expected a Git URL with a host: ssh://git@host/owner/repo.git, git@host:owner/repo.git or https://host/owner/repo.git",
        });
    }
});

const appRepositoryConfig = strictObject({
    /** Manage an existing repository instead of creating one (imported on the next `pulumi up`). */
    adopt: z.boolean().default(REPOSITORY.adopt),
    managedBy,
    visibility: z.enum(["private", "internal", "public"]).default(REPOSITORY.visibility),
    description: z.string().optional(),
});

const reviewers = strictObject({
    /** GitHub user logins. */
    users: z.array(z.string().min(1)).default([]),
    /** Team slugs in github:owner's organization. */
    teams: z.array(z.string().min(1)).default([]),
}).refine(
    (r) => r.users.length + r.teams.length <= 6,
    "GitHub takes up to six reviewers (users and teams together) per environment",
);

/** The owning organization is the GitHub provider's own `github:owner` setting. */
export const githubConfig = strictObject({
    /** App repositories this stack manages, keyed by repository name. */
    appRepositories: z.record(githubRepositoryName, appRepositoryConfig).default({}),
    protection: strictObject({
        /** Protect the default branch. A production stack cannot turn this off. */
        enabled: z.boolean().default(true),
        /** Rulesets on private repositories need a paid plan; "classic" uses branch protection. */
        mode: z.enum(["ruleset", "classic"]).default("ruleset"),
        requiredApprovals: z.number().int().min(0).max(6).default(1),
        requireCodeOwnerReview: z.boolean().default(true),
        requireSignedCommits: z.boolean().default(false),
        /** Status checks that must pass before merging. */
        requiredStatusChecks: z.array(z.string().min(1)).default(["test", "preview"]),
        /** Apply the rules to administrators too; on by default in production. */
        enforceAdmins: z.boolean().optional(),
        /**
         * ID of the GitHub App that cuts releases: the only actor allowed to create tags (the release-tags
         * ruleset's one bypass). Without it nobody creates tags; production deploys commit SHAs anyway.
         */
        releaseAppId: z.number().int().positive().optional(),
    }).prefault({}),
    /** Owners of every path in the GitOps repository, e.g. "@acme/platform". */
    codeOwners: z.array(z.string().regex(/^@[\w.-]+(\/[\w.-]+)?$/, "expected @user or @org/team")).min(1),
    /** Reviewers of the `production` deployment environment. */
    productionReviewers: reviewers.prefault({}),
    /**
     * This program's own repository, the one whose workflows run `pulumi up`: set in one stack only
     * (production's, see README). That stack adopts it and declares its ruleset (the pull-request
     * workflow's checks required), its `staging` and `production` environments (main only, with
     * reviewers) and its workflow permissions; no deploy key.
     */
    deployRepository: strictObject({
        name: githubRepositoryName,
        visibility: z.enum(["private", "internal", "public"]).default(REPOSITORY.visibility),
        description: z.string().default("Pulumi program of the GitOps platform: cluster, engine, repositories, apps"),
        /** Reviewers of the `staging` environment; none by default, so every merge to main reaches staging. */
        stagingReviewers: reviewers.prefault({}),
    }).optional(),
    /** Secret scanning with push protection (GitHub Advanced Security on private repositories). */
    secretScanning: z.boolean().default(REPOSITORY.secretScanning),
    /** The organization licenses GitHub Advanced Security: secret scanning on private and internal repositories too. */
    advancedSecurity: z.boolean().default(REPOSITORY.advancedSecurity),
});

export type GitopsRepositoryConfig = z.infer<typeof gitopsRepositoryConfig>;
export type GithubConfig = z.infer<typeof githubConfig>;

type RepositoryProblem = { path: PropertyKey[]; message: string };

/** `managedBy` names another stack, and excludes `adopt` (which takes the repository into this stack). */
function managedByProblems(
    path: PropertyKey[],
    repository: { managedBy?: string; adopt: boolean },
    stack: string,
): RepositoryProblem[] {
    if (repository.managedBy === undefined) {
        return [];
    }
    if (repository.managedBy === stack) {
        return [
            {
                path: [...path, "managedBy"],
                message: `names this stack (${stack}): remove managedBy to manage the repository here, or name the stack that manages it`,
            },
        ];
    }
    return repository.adopt
        ? [
              {
                  path: [...path, "managedBy"],
                  message: `the repository is managed by stack ${repository.managedBy}, so this stack cannot adopt it: remove adopt (or remove managedBy to manage it here)`,
              },
          ]
        : [];
}

/** Rules between the two sections and the stack, as (path from the config root, message) pairs. */
export function repositoryProblems(
    gitops: GitopsRepositoryConfig,
    github: GithubConfig | undefined,
    stack: string,
): RepositoryProblem[] {
    if (github !== undefined) {
        return [
            ...(Object.hasOwn(github.appRepositories, gitops.name)
                ? [
                      {
                          path: ["github", "appRepositories", gitops.name],
                          message: `"${gitops.name}" is the GitOps repository (gitopsRepository.name): remove it from appRepositories`,
                      },
                  ]
                : []),
            ...managedByProblems(["gitopsRepository"], gitops, stack),
            ...(github.deployRepository !== undefined &&
            (github.deployRepository.name === gitops.name ||
                Object.hasOwn(github.appRepositories, github.deployRepository.name))
                ? [
                      {
                          path: ["github", "deployRepository", "name"],
                          message: `"${github.deployRepository.name}" is already a GitOps or app repository of this stack: name the repository that holds this Pulumi program`,
                      },
                  ]
                : []),
            ...Object.entries(github.appRepositories).flatMap(([name, app]) =>
                managedByProblems(["github", "appRepositories", name], app, stack),
            ),
        ];
    }
    if (gitops.managedBy !== undefined) {
        return [
            {
                path: ["gitopsRepository", "managedBy"],
                message:
                    "registers this stack's deploy key through GitHub and needs the github section: add it, or remove managedBy and give the repository's url",
            },
        ];
    }
    // A repository given by URL: the engine verifies the host by its SSH keys, built in for github.com only.
    if (
        gitops.url === undefined ||
        gitops.anonymous ||
        gitops.knownHosts !== undefined ||
        gitHost(gitops.url) === GITHUB_HOST
    ) {
        return [];
    }
    const host = gitHost(gitops.url);
    return [
        {
            path: ["gitopsRepository", "knownHosts"],
            message: `the engine verifies ${host} by its SSH host keys: set knownHosts to its known_hosts lines (ssh-keyscan ${host}, checked against what the host publishes)`,
        },
    ];
}

/** The GitOps repository against the github section: managed there, or given by URL when there is none. */
export function gitopsRepositoryRules(
    config: { readonly gitopsRepository?: GitopsRepositoryConfig; readonly github?: GithubConfig },
    { stack, present }: CrossFieldContext,
): CrossFieldProblem[] {
    const { gitopsRepository } = config;
    const github = optionalSection(config.github, present("github"));
    if (gitopsRepository === undefined || github === undefined) {
        return [];
    }
    const problems: CrossFieldProblem[] = [];
    if (github === null && gitopsRepository.url === undefined) {
        problems.push({
            path: ["gitopsRepository", "url"],
            message:
                "without a github section the stack does not manage the repository: set gitopsRepository.url to its clone URL",
        });
    }
    problems.push(...repositoryProblems(gitopsRepository, github ?? undefined, stack));
    if (github !== null && gitopsRepository.url !== undefined) {
        problems.push({
            path: ["gitopsRepository", "url"],
            message:
                "the URL of a repository managed on GitHub comes from GitHub: remove gitopsRepository.url, or remove the github section",
        });
    }
    return problems;
}

/**
 * `gitops-platform:gitopsRepository` (the repository the engine syncs from) and
 * `gitops-platform:github` (GitHub management of it and of app repositories; optional for local stacks).
 */
import { z } from "zod";
import { strictObject } from "./rules";

const repositoryName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "expected a GitHub repository name: letters, digits, '-', '_' and '.'");

const gitUrl = z.string().regex(
    /^(https:\/\/[^\s]+|ssh:\/\/[^\s]+|git@[^\s:]+:[^\s]+)$/,
    "expected a Git URL: https://host/owner/repo.git, ssh://git@host/owner/repo.git or git@host:owner/repo.git",
);

export const gitopsRepositoryConfig = strictObject({
    /** Repository name; on GitHub under github.owner. */
    name: repositoryName,
    branch: z.string().min(1).default("main"),
    /** Clone URL for a repository this stack does not manage (stacks without a github section). */
    url: gitUrl.optional(),
    /** Manage an existing repository instead of creating one. */
    adopt: z.boolean().default(false),
    visibility: z.enum(["private", "internal", "public"]).default("private"),
    description: z.string().default("GitOps repository of the platform: cluster and application manifests"),
});

const appRepositoryConfig = strictObject({
    adopt: z.boolean().default(false),
    visibility: z.enum(["private", "internal", "public"]).default("private"),
    description: z.string().optional(),
});

const reviewers = strictObject({
    /** GitHub user logins. */
    users: z.array(z.string().min(1)).default([]),
    /** Team slugs in github.owner. */
    teams: z.array(z.string().min(1)).default([]),
});

/** The owning organization is the GitHub provider's own `github:owner` setting. */
export const githubConfig = strictObject({
    /** App repositories this stack manages, keyed by repository name. */
    appRepositories: z.record(repositoryName, appRepositoryConfig).default({}),
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
    }).prefault({}),
    /** Owners of every path in the GitOps repository, e.g. "@acme/platform". */
    codeOwners: z.array(z.string().regex(/^@[\w.-]+(\/[\w.-]+)?$/, "expected @user or @org/team")).min(1),
    /** Reviewers of the `production` deployment environment. */
    productionReviewers: reviewers.prefault({}),
    /** Secret scanning with push protection (GitHub Advanced Security on private repositories). */
    secretScanning: z.boolean().default(true),
});

export type GitopsRepositoryConfig = z.infer<typeof gitopsRepositoryConfig>;
export type GithubConfig = z.infer<typeof githubConfig>;

/**
 * Default-branch protection as a repository ruleset or as classic branch protection (rulesets on
 * private repositories need a paid plan). Both are built from the same settings by pure functions,
 * so the two modes cannot drift apart.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

export interface ProtectionSettings {
    readonly mode: "ruleset" | "classic";
    /** Approving reviews a pull request needs. */
    readonly requiredApprovals: number;
    readonly requireCodeOwnerReview: boolean;
    readonly requireSignedCommits: boolean;
    /** Status check contexts (job names) that must pass, on a branch up to date with the base. */
    readonly requiredStatusChecks: readonly string[];
    /** The rules bind repository administrators too (no bypass). */
    readonly enforceAdmins: boolean;
    /**
     * Writable deploy keys may push to the branch (Flux image automation commits tag updates). Only
     * a ruleset can exempt them: classic branch protection has no bypass for deploy keys. Default false.
     */
    readonly deployKeysBypass?: boolean;
    /**
     * ID of the GitHub App that cuts releases (actor type `Integration`): the only actor that may create
     * release tags. None by default: nobody creates tags, and production deploys commit SHAs.
     */
    readonly releaseAppId?: number;
}

/**
 * ID of the base repository role "Admin" as a ruleset bypass actor of type RepositoryRole
 * (maintain is 2, write 4, admin 5: @pulumi/github RepositoryRulesetBypassActor docs).
 */
export const REPOSITORY_ADMIN_ROLE_ID = 5;

/**
 * The GitHub App that reports the checks of GitHub Actions workflows: a required check bound to it
 * cannot be satisfied by a status another app or a token posts under the same name
 * (terraform-provider-github v6.13.0 github/acc_test.go: testGHActionsAppInstallationId 15368).
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** Squash or rebase only: with linear history required, merge commits could not land anyway. */
export const ALLOWED_MERGE_METHODS = ["squash", "rebase"] as const;

/**
 * Bypass modes as the provider validates them: the API's snake_case values, not the camel-cased
 * words of the @pulumi/github doc text (terraform-provider-github v6.13.0,
 * github/resource_github_repository_ruleset.go, bypass_actors.bypass_mode StringInSlice).
 */
export const BYPASS_MODES = ["always", "pull_request", "exempt"] as const;

/**
 * Administrators who are not bound by the rules may bypass them in pull requests only (merge
 * without the approvals, e.g. for an emergency fix), never by pushing to the branch directly.
 * None when admins are enforced: a ruleset without bypass actors binds everyone. Deploy keys, when
 * allowed to bypass, bypass `always` (they push, there is no pull request): actor type `DeployKey`
 * has no ID and covers the repository's deploy keys, of which only writable ones can push at all
 * (same file, actor_type list and the acceptance test's DeployKey/always actor).
 */
export function rulesetBypassActors(settings: ProtectionSettings): github.types.input.RepositoryRulesetBypassActor[] {
    const admins: github.types.input.RepositoryRulesetBypassActor[] = settings.enforceAdmins
        ? []
        : [{ actorType: "RepositoryRole", actorId: REPOSITORY_ADMIN_ROLE_ID, bypassMode: "pull_request" }];
    const keys: github.types.input.RepositoryRulesetBypassActor[] = settings.deployKeysBypass
        ? [{ actorType: "DeployKey", bypassMode: "always" }]
        : [];
    return [...admins, ...keys];
}

/** What tells one ruleset of a repository from another: the rest is the same for all of them. */
export interface RulesetSettings {
    readonly name: string;
    readonly target: "branch" | "tag";
    /** The refs it applies to: `~DEFAULT_BRANCH`, `~ALL` or a pattern. */
    readonly ref: string;
    readonly bypassActors: github.types.input.RepositoryRulesetBypassActor[];
    readonly rules: github.types.input.RepositoryRulesetRules;
}

/**
 * An enforced ruleset on the refs `ref` matches, excluding none (terraform-provider-github,
 * github/resource_github_repository_ruleset.go: enforcement "disabled" | "active" | "evaluate",
 * ref_name include takes `~DEFAULT_BRANCH` and `~ALL`, exclude is required).
 */
export function activeRulesetArgs(
    repository: pulumi.Input<string>,
    settings: RulesetSettings,
): github.RepositoryRulesetArgs {
    const { name, target, ref, bypassActors, rules } = settings;
    return {
        repository,
        name,
        target,
        enforcement: "active",
        conditions: { refName: { includes: [ref], excludes: [] } },
        bypassActors,
        rules,
    };
}

export function rulesetArgs(
    repository: pulumi.Input<string>,
    settings: ProtectionSettings,
): github.RepositoryRulesetArgs {
    const checks = settings.requiredStatusChecks;
    return activeRulesetArgs(repository, {
        name: "default-branch",
        target: "branch",
        ref: "~DEFAULT_BRANCH",
        bypassActors: rulesetBypassActors(settings),
        rules: {
            pullRequest: {
                requiredApprovingReviewCount: settings.requiredApprovals,
                dismissStaleReviewsOnPush: true,
                requireCodeOwnerReview: settings.requireCodeOwnerReview,
                requireLastPushApproval: true,
                requiredReviewThreadResolution: true,
                allowedMergeMethods: [...ALLOWED_MERGE_METHODS],
            },
            ...(checks.length > 0
                ? {
                      requiredStatusChecks: {
                          strictRequiredStatusChecksPolicy: true,
                          requiredChecks: checks.map((context) => ({ context, integrationId: GITHUB_ACTIONS_APP_ID })),
                      },
                  }
                : {}),
            requiredLinearHistory: true,
            nonFastForward: true,
            deletion: true,
            requiredSignatures: settings.requireSignedCommits,
        },
    });
}

export function branchProtectionArgs(
    repositoryId: pulumi.Input<string>,
    branch: string,
    settings: ProtectionSettings,
): github.BranchProtectionArgs {
    const checks = settings.requiredStatusChecks;
    return {
        repositoryId,
        pattern: branch,
        enforceAdmins: settings.enforceAdmins,
        requiredPullRequestReviews: [
            {
                requiredApprovingReviewCount: settings.requiredApprovals,
                dismissStaleReviews: true,
                requireCodeOwnerReviews: settings.requireCodeOwnerReview,
                requireLastPushApproval: true,
            },
        ],
        ...(checks.length > 0 ? { requiredStatusChecks: [{ strict: true, contexts: [...checks] }] } : {}),
        requireConversationResolution: true,
        requiredLinearHistory: true,
        requireSignedCommits: settings.requireSignedCommits,
        allowsForcePushes: false,
        allowsDeletions: false,
    };
}

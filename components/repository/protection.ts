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
}

/**
 * ID of the base repository role "Admin" as a ruleset bypass actor of type RepositoryRole
 * (maintain is 2, write 4, admin 5: @pulumi/github RepositoryRulesetBypassActor docs).
 */
export const REPOSITORY_ADMIN_ROLE_ID = 5;

/** Squash or rebase only: with linear history required, merge commits could not land anyway. */
export const ALLOWED_MERGE_METHODS = ["squash", "rebase"] as const;

/**
 * Administrators who are not bound by the rules may bypass them in pull requests only (merge
 * without the approvals, e.g. for an emergency fix), never by pushing to the branch directly.
 * None when admins are enforced: a ruleset without bypass actors binds everyone.
 */
export function rulesetBypassActors(settings: ProtectionSettings): github.types.input.RepositoryRulesetBypassActor[] {
    return settings.enforceAdmins
        ? []
        : [{ actorType: "RepositoryRole", actorId: REPOSITORY_ADMIN_ROLE_ID, bypassMode: "pullRequest" }];
}

export function rulesetArgs(repository: pulumi.Input<string>, settings: ProtectionSettings): github.RepositoryRulesetArgs {
    const checks = settings.requiredStatusChecks;
    return {
        repository,
        name: "default-branch",
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
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
                ? { requiredStatusChecks: { strictRequiredStatusChecksPolicy: true, requiredChecks: checks.map((context) => ({ context })) } }
                : {}),
            requiredLinearHistory: true,
            nonFastForward: true,
            deletion: true,
            requiredSignatures: settings.requireSignedCommits,
        },
    };
}

export function branchProtectionArgs(repositoryId: pulumi.Input<string>, branch: string, settings: ProtectionSettings): github.BranchProtectionArgs {
    const checks = settings.requiredStatusChecks;
    return {
        repositoryId,
        pattern: branch,
        enforceAdmins: settings.enforceAdmins,
        requiredPullRequestReviews: [{
            requiredApprovingReviewCount: settings.requiredApprovals,
            dismissStaleReviews: true,
            requireCodeOwnerReviews: settings.requireCodeOwnerReview,
            requireLastPushApproval: true,
        }],
        ...(checks.length > 0 ? { requiredStatusChecks: [{ strict: true, contexts: [...checks] }] } : {}),
        requireConversationResolution: true,
        requiredLinearHistory: true,
        requireSignedCommits: settings.requireSignedCommits,
        allowsForcePushes: false,
        allowsDeletions: false,
    };
}

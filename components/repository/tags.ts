/**
 * Release tags that cannot move: production pins app and platform revisions to tags, and Argo CD
 * and Flux resolve a tag again on every sync, so a tag that is force-pushed or deleted and
 * recreated would reach production through self-heal. A tag ruleset lets nobody update or delete
 * tags, and only release automation create them: a writer who could create one could also pre-empt a
 * release (a tag `v2.14.2` before the reviewed one exists) or add a build-metadata twin `v2.14.1+x`.
 */
import type * as github from "@pulumi/github";
import type * as pulumi from "@pulumi/pulumi";
import { activeRulesetArgs } from "./protection";

/**
 * Rules from @pulumi/github 6.15.0 RepositoryRulesetRules, as terraform-provider-github
 * (github/resource_github_repository_ruleset.go) and GitHub's ruleset API (repository-rule-creation,
 * -update, -deletion) describe them: `creation` "Only allow users with bypass permission to create
 * matching refs", `update` and `deletion` the same for updating and deleting; `~ALL` matches every tag.
 * The one bypass is the release App (bypass_actors actor_type `Integration`, actor_id the App's ID,
 * bypass_mode `always`: it pushes tags, there is no pull request).
 */
export function releaseTagRulesetArgs(
    repository: pulumi.Input<string>,
    releaseAppId?: number,
): github.RepositoryRulesetArgs {
    return activeRulesetArgs(repository, {
        name: "release-tags",
        target: "tag",
        ref: "~ALL",
        bypassActors:
            releaseAppId === undefined
                ? []
                : [{ actorType: "Integration", actorId: releaseAppId, bypassMode: "always" }],
        rules: { creation: true, update: true, deletion: true, nonFastForward: true },
    });
}

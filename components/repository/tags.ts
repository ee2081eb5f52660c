/**
 * Release tags that cannot move: production pins app and platform revisions to tags, and Argo CD
 * and Flux resolve a tag again on every sync, so a tag that is force-pushed or deleted and
 * recreated would reach production through self-heal. A tag ruleset lets anyone with write access
 * create tags, and nobody (no bypass actors) update or delete them.
 */
import type * as github from "@pulumi/github";
import type * as pulumi from "@pulumi/pulumi";
import { activeRulesetArgs } from "./protection";

/**
 * Rules from @pulumi/github 6.15.0 RepositoryRulesetRules (`update`: "Only allow users with bypass
 * permission to update matching refs"; `deletion` the same for deleting); `~ALL` matches every tag.
 */
export function releaseTagRulesetArgs(repository: pulumi.Input<string>): github.RepositoryRulesetArgs {
    return activeRulesetArgs(repository, {
        name: "release-tags",
        target: "tag",
        ref: "~ALL",
        bypassActors: [],
        rules: { update: true, deletion: true, nonFastForward: true },
    });
}

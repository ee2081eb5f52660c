/**
 * Production invariants, stated once: each with the config rule that refuses a production stack
 * file breaking it (before anything is declared) and the name of the policy-pack rule that flags a
 * preview breaking it. The README's invariant table lists these ids.
 */
import { isProductionRevision } from "../../components/gitops/revisions";
import type { Invariant, InvariantProblem } from "./invariant";
import { HARDENING_INVARIANTS } from "./production";
import type { PlatformConfigSections } from "./schema";

export type { Invariant, InvariantProblem } from "./invariant";

const problem = (path: readonly PropertyKey[], id: string, message: string): InvariantProblem[] => [
    { path, message: `production invariant ${id}: ${message}` },
];

const protection = (config: PlatformConfigSections) => config.github?.protection;

/** A branch-protection switch production keeps on: refused when the file sets it to false. */
function protectionOn(
    id: string,
    key: "enabled" | "requireCodeOwnerReview" | "requireSignedCommits" | "enforceAdmins",
    description: string,
    message: string,
    policy?: string,
): Invariant {
    return {
        id,
        description,
        check: (c) => (protection(c)?.[key] === false ? problem(["github", "protection", key], id, message) : []),
        policy,
    };
}

export const PRODUCTION_INVARIANTS: readonly Invariant[] = [
    {
        id: "github-managed",
        description: "the GitOps repository is managed on GitHub, with its protection",
        check: (c, present) =>
            !present("github") && c.gitopsRepository !== undefined
                ? problem(
                      ["github"],
                      "github-managed",
                      "production manages its repositories on GitHub: add a github section",
                  )
                : [],
        policy: "repository-protected",
    },
    protectionOn(
        "branch-protection",
        "enabled",
        "branch protection is on",
        "a production stack cannot turn branch protection off: set it to true",
        "repository-protected",
    ),
    {
        id: "two-approvals",
        description: "at least 2 approving reviews",
        check: (c) =>
            (protection(c)?.requiredApprovals ?? 2) < 2
                ? problem(
                      ["github", "protection", "requiredApprovals"],
                      "two-approvals",
                      "expected at least 2 approving reviews: set requiredApprovals to 2 or more",
                  )
                : [],
    },
    protectionOn(
        "code-owner-review",
        "requireCodeOwnerReview",
        "code owners review",
        "expected code-owner review: set requireCodeOwnerReview to true",
    ),
    {
        id: "required-checks",
        description: "status checks must pass before merging",
        check: (c) =>
            protection(c) !== undefined && protection(c)!.requiredStatusChecks.length === 0
                ? problem(
                      ["github", "protection", "requiredStatusChecks"],
                      "required-checks",
                      "expected required status checks, e.g. [test, preview]",
                  )
                : [],
    },
    {
        id: "deploy-repository-gated",
        description: "this program's repository is managed by production: its ruleset and reviewed environments",
        check: (c) =>
            c.github !== undefined && c.github.deployRepository === undefined
                ? problem(
                      ["github", "deployRepository"],
                      "deploy-repository-gated",
                      "production declares the gate of the repository that runs `pulumi up`: set deployRepository.name to this program's repository",
                  )
                : [],
        policy: "deploy-repository-gated-in-production",
    },
    protectionOn(
        "signed-commits",
        "requireSignedCommits",
        "signed commits",
        "expected signed commits: set requireSignedCommits to true",
    ),
    protectionOn(
        "admins-bound",
        "enforceAdmins",
        "the rules bind administrators",
        "administrators must be bound by the rules: remove enforceAdmins or set it to true",
    ),
    {
        id: "private-endpoint",
        description: "the API endpoint is private, or public only to listed ranges other than 0.0.0.0/0",
        check: (c) => {
            if (c.cluster?.type !== "eks") {
                return [];
            }
            const open = c.cluster.endpoint.publicAccessCidrs.findIndex((cidr) => cidr.endsWith("/0"));
            return open >= 0
                ? problem(
                      ["cluster", "endpoint", "publicAccessCidrs", open],
                      "private-endpoint",
                      "the API endpoint cannot be open to the whole internet: list your own ranges, or set publicAccess to false",
                  )
                : [];
        },
    },
    {
        id: "engine-lockdown",
        description: "Argo CD with SSO (local admin off), or Flux with multi-tenancy lockdown",
        check: (c) =>
            c.engine?.type === "argocd" && c.engine.sso === undefined
                ? problem(
                      ["engine", "sso"],
                      "engine-lockdown",
                      "Argo CD needs SSO so that the local admin account is off: add engine.sso",
                  )
                : c.engine?.type === "flux" && c.engine.multitenancy !== true
                  ? problem(
                        ["engine", "multitenancy"],
                        "engine-lockdown",
                        "Flux needs multi-tenancy lockdown so team repositories do not apply as cluster-admin: set multitenancy to true",
                    )
                  : [],
        policy: "argocd-admin-off-in-production",
    },
    {
        id: "no-cascade-delete",
        description: "deleting an Application does not delete its workloads",
        check: (c) =>
            c.engine?.type === "argocd" && c.engine.cascadeDelete === true
                ? problem(
                      ["engine", "cascadeDelete"],
                      "no-cascade-delete",
                      "a production Application must never delete running workloads: set cascadeDelete to false",
                  )
                : [],
        policy: "production-no-cascade-delete",
    },
    {
        id: "no-default-prune",
        description: "no automatic prune unless an app opts in itself",
        check: (c) =>
            c.appDefaults?.sync?.prune === true
                ? problem(
                      ["appDefaults", "sync", "prune"],
                      "no-default-prune",
                      "prune is opted into per app (apps[].sync.prune), not for every app: remove appDefaults.sync.prune",
                  )
                : [],
        policy: "production-sync-without-prune",
    },
    {
        id: "fleet-no-prune",
        description: "fleet placements on production spokes never prune",
        check: (c) =>
            Object.entries(c.fleet?.placements ?? {}).flatMap(([name, placement]) =>
                placement.prune === true
                    ? problem(
                          ["fleet", "placements", name, "prune"],
                          "fleet-no-prune",
                          "a production hub's placements never delete what left a spoke's overlay: set prune to false or remove it",
                      )
                    : [],
            ),
        policy: "production-fleet-no-prune",
    },
    {
        id: "no-direct-image-push",
        description:
            "image automation never pushes straight to a production branch: it pushes to image-updates/<branch> for a pull request",
        check: (c) =>
            c.engine?.imagePush === "direct"
                ? problem(
                      ["engine", "imagePush"],
                      "no-direct-image-push",
                      'image updates reach production branches through pull requests: set imagePush to "pull-request" (the default)',
                  )
                : [],
        policy: "production-image-push-to-branch",
    },
    {
        id: "immutable-revisions",
        description:
            "app revisions are full commit SHAs or fully qualified tags (refs/tags/v1.4.2; components/gitops/revisions.ts)",
        check: (c) =>
            (c.apps ?? []).flatMap((app, index) =>
                isProductionRevision(app.source.revision)
                    ? []
                    : problem(
                          ["apps", index, "source", "revision"],
                          "immutable-revisions",
                          `production takes immutable revisions only, a full 40-character commit SHA or refs/tags/<tag>: a short name such as ${JSON.stringify(app.source.revision)} can match a branch, and a semver-like one is a range to Argo CD`,
                      ),
            ),
        policy: "production-immutable-revisions",
    },
    ...HARDENING_INVARIANTS,
];

/** Stack names that are environments: a stack named after one must be that environment. */
export function stackEnvironmentProblems(stack: string, environment: string | undefined): InvariantProblem[] {
    const environments = ["staging", "production", "local"];
    return environments.includes(stack) && environment !== undefined && environment !== stack
        ? [
              {
                  path: ["environment"],
                  message: `stack "${stack}" must have environment ${stack} (its protections follow it): set environment to ${stack}, or use another stack name`,
              },
          ]
        : [];
}

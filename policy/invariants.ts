/**
 * The production invariants of stacks/config/invariants.ts as policy rules over a preview, so a
 * hand-edited program that bypasses the config schema is caught too. Registered in policy/pack.ts.
 */
import { RESOURCES_FINALIZER } from "../components/gitops/argocd/application";
import { isFullCommitSha, isProductionRevision, isQualifiedTag } from "../components/gitops/revisions";
import { perType, PolicyResource, productionRule, ResourceRule, TYPES } from "./rules";

const at = (value: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>(
        (current, key) =>
            current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined,
        value,
    );

/**
 * GitHub's ruleset fields (integrations/terraform-provider-github, resource_github_repository_ruleset:
 * rules.pull_request.*, rules.required_signatures, rules.deletion, rules.non_fast_forward,
 * bypass_actors), as @pulumi/github 6.15.0 names them.
 */
export const productionRulesetInvariants = productionRule({
    name: "production-ruleset-invariants",
    description:
        "A production branch ruleset requires 2 approvals, code-owner review, stale-review dismissal, status checks and signed commits, forbids force-push and deletion, and has no bypass actors.",
    types: [TYPES.repositoryRuleset],
    validate: (resource: PolicyResource) => {
        // Tag rulesets (components/repository/tags.ts) have no pull-request rules; GitHub accepts
        // pull_request and required_status_checks only on branch targets.
        if (resource.props.target !== "branch") {
            return [];
        }
        const rules = resource.props.rules;
        const approvals = Number(at(rules, "pullRequest", "requiredApprovingReviewCount") ?? 0);
        const checks = at(rules, "requiredStatusChecks", "requiredChecks");
        const bypass = resource.props.bypassActors;
        const broken: [boolean, string][] = [
            [approvals < 2, `two-approvals: requires ${approvals} approving review(s), production needs at least 2`],
            [
                at(rules, "pullRequest", "requireCodeOwnerReview") !== true,
                "code-owner-review: code-owner review is not required",
            ],
            [
                at(rules, "pullRequest", "dismissStaleReviewsOnPush") !== true,
                "stale-review-dismissal: stale reviews are not dismissed on push",
            ],
            [!Array.isArray(checks) || checks.length === 0, "required-checks: no required status checks"],
            [at(rules, "requiredSignatures") !== true, "signed-commits: signed commits are not required"],
            [
                at(rules, "nonFastForward") !== true,
                "no-force-push: force pushes are not blocked (rules.nonFastForward)",
            ],
            [at(rules, "deletion") !== true, "no-deletion: branch deletion is not blocked (rules.deletion)"],
            [Array.isArray(bypass) && bypass.length > 0, "admins-bound: the ruleset has bypass actors"],
        ];
        return broken.filter(([bad]) => bad).map(([, message]) => `production invariant ${message}`);
    },
});

/**
 * EKS API endpoint (aws_eks_cluster vpc_config): with public access on and no CIDRs, AWS uses
 * 0.0.0.0/0 (EKS user guide, "Cluster API server endpoint").
 */
export const productionPrivateEndpoint = productionRule({
    name: "production-private-endpoint",
    description: "A production EKS API endpoint is private, or public only to listed ranges other than 0.0.0.0/0.",
    types: [TYPES.eksCluster],
    validate: (resource: PolicyResource) => {
        if (at(resource.props, "vpcConfig", "endpointPublicAccess") !== true) {
            return [];
        }
        const cidrs = at(resource.props, "vpcConfig", "publicAccessCidrs");
        const list = Array.isArray(cidrs) ? cidrs.map(String) : [];
        return list.length === 0 || list.some((cidr) => cidr.endsWith("/0"))
            ? [
                  "production invariant private-endpoint: the public API endpoint is open to 0.0.0.0/0; list your ranges or turn public access off",
              ]
            : [];
    },
});

/** What production keeps: `protect` on the cluster, its KMS key and the repositories. */
export const productionProtected = productionRule({
    name: "production-protected",
    description: "Production's cluster, KMS key and GitHub repositories carry protect.",
    types: [TYPES.eksCluster, "aws:kms/key:Key", TYPES.repository],
    validate: (resource: PolicyResource) =>
        resource.options.protect
            ? []
            : [`production invariant protect: ${resource.type} "${resource.name}" must be declared with protect: true`],
});

/**
 * Argo CD deletes an Application's resources with it only when the Application carries the resources
 * finalizer (argo-cd docs, "App Deletion": resources-finalizer.argocd.argoproj.io); without it the
 * workloads keep running.
 */
export const productionNoCascadeDelete = productionRule({
    name: "production-no-cascade-delete",
    description: "A production Argo CD Application does not delete its workloads when it is deleted.",
    types: [TYPES.argoApplication],
    validate: (resource: PolicyResource) => {
        const finalizers = at(resource.props, "metadata", "finalizers");
        return Array.isArray(finalizers) && finalizers.some((f) => String(f).startsWith(RESOURCES_FINALIZER))
            ? [
                  `production invariant no-cascade-delete: Application "${resource.name}" carries ${RESOURCES_FINALIZER}, so deleting it deletes its workloads; remove the finalizer (engine.cascadeDelete: false)`,
              ]
            : [];
    },
});

/**
 * An app's sync object: it carries the team label (components/core/labels.ts syncObjectLabels); the root Application
 * does not.
 */
const isAppObject = (resource: PolicyResource) => typeof at(resource.props, "metadata", "labels", "team") === "string";

/** A revision nobody can move without review: a full commit SHA or refs/tags/<tag> (components/gitops/revisions.ts). */
const isImmutable = (revision: unknown) => typeof revision === "string" && isProductionRevision(revision);

/**
 * The revision a production app deploys does not move: an Argo CD Application's
 * spec.source.targetRevision, or a Flux GitRepository's spec.ref (source-controller GitRepositoryRef:
 * tag or commit, not branch), is a release tag or a commit SHA (components/gitops/revisions.ts). The
 * root Application follows the GitOps repository's protected branch by design.
 */
export const productionImmutableRevisions = productionRule({
    name: "production-immutable-revisions",
    description:
        "Production apps deploy full commit SHAs or refs/tags/<tag>: never a branch, a short name or a semver range.",
    ...perType({
        [TYPES.argoApplication]: (resource) => {
            const revision = at(resource.props, "spec", "source", "targetRevision");
            return !isAppObject(resource) || isImmutable(revision)
                ? []
                : [
                      `production invariant immutable-revisions: Application "${resource.name}" follows ${JSON.stringify(revision ?? null)}; set spec.source.targetRevision to a full commit SHA or refs/tags/<tag>`,
                  ];
        },
        [TYPES.fluxGitRepository]: (resource) => {
            const ref = at(resource.props, "spec", "ref");
            const commit = at(ref, "commit");
            const name = at(ref, "name");
            // source-controller v1 GitRepositoryRef: name takes precedence over branch, tag and semver.
            const pinned =
                (typeof commit === "string" && isFullCommitSha(commit)) ||
                (typeof name === "string" && isQualifiedTag(name));
            return pinned &&
                at(ref, "branch") === undefined &&
                at(ref, "tag") === undefined &&
                at(ref, "semver") === undefined
                ? []
                : [
                      `production invariant immutable-revisions: GitRepository "${resource.name}" follows ${JSON.stringify(ref ?? null)}; pin spec.ref.commit to a full SHA, or spec.ref.name to refs/tags/<tag>`,
                  ];
        },
    }),
});

/**
 * A hub's syncs onto spokes: ApplicationSets generate Applications there, whose template's sync policy
 * is theirs (argoproj.io/v1alpha1); a Flux hub's are Kustomizations with `spec.kubeConfig`
 * (kustomize.toolkit.fluxcd.io/v1, kustomize-controller v1.9.4 docs/spec/v1/kustomizations.md "KubeConfig").
 */
export const productionFleetNoPrune = productionRule({
    name: "production-fleet-no-prune",
    description: "A production hub's ApplicationSets and remote-cluster Kustomizations never prune automatically.",
    ...perType({
        [TYPES.argoApplicationSet]: (resource) =>
            at(resource.props, "spec", "template", "spec", "syncPolicy", "automated", "prune") === true
                ? [
                      `production invariant fleet-no-prune: ApplicationSet "${resource.name}" generates Applications that prune; set its template's automated.prune to false`,
                  ]
                : [],
        [TYPES.fluxKustomization]: (resource) =>
            at(resource.props, "spec", "kubeConfig") !== undefined && at(resource.props, "spec", "prune") === true
                ? [
                      `production invariant fleet-no-prune: Kustomization "${resource.name}" prunes on a spoke cluster; set spec.prune to false`,
                  ]
                : [],
    }),
});

/**
 * Where image updates are pushed. Flux: `.spec.git.push.branch`, or back to the checked-out branch
 * when it is missing (image-automation-controller docs/spec/v1/imageupdateautomations.md, "Push").
 * Argo CD Image Updater: `writeBackConfig.gitConfig.branch`, whose `<base>:<commit branch>` form
 * commits to another branch, and a plain `<branch>` to that branch (argocd-image-updater v1.2.2
 * docs/basics/update-methods.md). In production the push must go to another branch, for a pull request.
 */
function directImagePush(resource: PolicyResource): string | undefined {
    if (resource.type === TYPES.argoImageUpdater) {
        const branch = at(resource.props, "spec", "writeBackConfig", "gitConfig", "branch");
        return typeof branch === "string" && /^[^:]+:[^:]+$/.test(branch)
            ? undefined
            : typeof branch === "string"
              ? branch
              : "the app's branch";
    }
    const checkout = at(resource.props, "spec", "git", "checkout", "ref", "branch");
    const push = at(resource.props, "spec", "git", "push", "branch");
    return push === undefined || push === checkout
        ? typeof checkout === "string"
            ? checkout
            : "its checked-out branch"
        : undefined;
}

export const productionImagePushToBranch = productionRule({
    name: "production-image-push-to-branch",
    description:
        "Production image updates (Flux ImageUpdateAutomation, Argo CD ImageUpdater) are pushed to a branch of their own for a pull request, never to the branch they update.",
    types: [TYPES.fluxImageUpdateAutomation, TYPES.argoImageUpdater],
    validate: (resource: PolicyResource) => {
        const target = directImagePush(resource);
        const name = at(resource.props, "metadata", "name");
        return target === undefined
            ? []
            : [
                  `production invariant no-direct-image-push: ${String(resource.props.kind)} "${typeof name === "string" ? name : resource.name}" pushes straight to ${target}: push to image-updates/<branch> and merge through a pull request`,
              ];
    },
});

export const INVARIANT_RULES: readonly ResourceRule[] = [
    productionRulesetInvariants,
    productionPrivateEndpoint,
    productionProtected,
    productionNoCascadeDelete,
    productionImmutableRevisions,
    productionFleetNoPrune,
    productionImagePushToBranch,
];

/**
 * Security rules of GitHub and CI (issue 15): the roles GitHub Actions assume, rulesets, release
 * tags, CODEOWNERS, deployment environments, workflow tokens and deploy keys.
 */
import type { PolicyResource } from "../types";
import {
    at,
    companionRule,
    isProduction,
    list,
    nameOf,
    OPAQUE,
    resource,
    SECURITY_TYPES,
    stack,
    T,
    unless,
} from "./shared";

// ---- CI roles (components/ci) ----

/** GitHub Actions' OIDC issuer: the provider's ARN ends in it, its condition keys start with it. */
const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const SECRET_READS = ["kms:Decrypt", "secretsmanager:GetSecretValue"];
const statementsOf = (document: unknown): unknown[] =>
    typeof document === "string" && !OPAQUE.includes(document) ? [at(JSON.parse(document), "Statement")].flat() : [];
/** Allow statements of a role's trust that admit GitHub's OIDC provider. */
const githubTrust = (r: PolicyResource) =>
    statementsOf(r.props.assumeRolePolicy).filter(
        (s) => at(s, "Effect") === "Allow" && String(at(s, "Principal", "Federated")).endsWith(GITHUB_ISSUER),
    );
/** The `sub` values a statement's conditions admit, whatever the operator (StringEquals, StringLike, ...). */
const subjectsOf = (statement: unknown): string[] =>
    Object.values((at(statement, "Condition") ?? {}) as Record<string, unknown>).flatMap((keys) =>
        [at(keys, `${GITHUB_ISSUER}:sub`)].flat().filter((v): v is string => typeof v === "string"),
    );
/** The drift role's environment (components/ci/policies.ts DRIFT_ENVIRONMENT): main only, may read secrets. */
const isDriftSubject = (subject: string) => subject.endsWith(":environment:drift");
/** A Deny's NotResource that exempts only exact KMS keys: the S3 state backend's secrets key (components/ci/state.ts). */
const exemptsStateKeyOnly = (notResource: unknown) => {
    const arns = [notResource].flat();
    return (
        arns.length > 0 && arns.every((a) => typeof a === "string" && /^arn:aws[a-z-]*:kms:[^*?]+:key\/[^*?]+$/.test(a))
    );
};
const isDeploySubject = (subject: string) => DEPLOY_ENVIRONMENTS.some((e) => subject.endsWith(`:environment:${e}`));

/**
 * GitHub's docs ("Configuring OpenID Connect in Amazon Web Services") require a `sub` condition: without
 * one, or with a wildcard, a workflow of any repository (or any branch) gets the role.
 */
export const githubTrustPinned = resource(
    "github-oidc-trust-pinned-subject",
    "Roles trusted by GitHub's OIDC provider name their exact subjects (a sub condition, no wildcard).",
    [T.iamRole],
    (r) =>
        githubTrust(r).flatMap((s) => {
            const subjects = subjectsOf(s);
            return subjects.length === 0
                ? [
                      `role ${r.name} trusts GitHub's OIDC provider without a sub condition: any repository's workflow can assume it; add StringEquals on ${GITHUB_ISSUER}:sub`,
                  ]
                : subjects
                      .filter((v) => /[*?]/.test(v))
                      .map(
                          (v) =>
                              `role ${r.name} trusts the wildcard subject "${v}": name each subject, e.g. repo:<owner>/<repo>:environment:<name>`,
                      );
        }),
);

/** Roles trusted by GitHub but by no deploy environment are preview roles: they must not read secrets. */
export const previewRoleNoSecrets = companionRule(
    "ci-preview-role-no-secret-reads",
    "A role GitHub workflows assume outside the staging/production environments denies kms:Decrypt and secretsmanager:GetSecretValue.",
    (r) => {
        const trust = r.type === T.iamRole ? githubTrust(r) : [];
        const subjects = trust.flatMap(subjectsOf);
        // A role the drift environment trusts reads secrets by design; ci-drift-role-drift-environment-only keeps it to that.
        return trust.length > 0 && !subjects.some(isDeploySubject) && !subjects.some(isDriftSubject);
    },
    (p, role) =>
        p.type === T.iamRolePolicy &&
        p.props.role === role.props.name &&
        statementsOf(p.props.policy).some(
            (s) =>
                at(s, "Effect") === "Deny" &&
                (at(s, "Resource") === "*" || exemptsStateKeyOnly(at(s, "NotResource"))) &&
                SECRET_READS.every((a) => [at(s, "Action")].flat().includes(a)),
        ),
    (r) =>
        `role ${r.name} (previews) can read secrets: add an inline policy that denies ${SECRET_READS.join(" and ")} on "*"`,
);

/** The deploy role's trust admits deploy environments only: no pull request or branch reaches it. */
export const deployRoleEnvironmentsOnly = resource(
    "ci-deploy-role-environments-only",
    "A role trusted by the staging or production environment is trusted by no other GitHub subject.",
    [T.iamRole],
    (r) => {
        const subjects = githubTrust(r).flatMap(subjectsOf);
        return subjects.some(isDeploySubject)
            ? subjects
                  .filter((v) => !isDeploySubject(v))
                  .map(
                      (v) =>
                          `deploy role ${r.name} also trusts "${v}": only repo:<owner>/<repo>:environment:staging|production may assume it`,
                  )
            : [];
    },
);

// ---- GitHub ----

const isBranchRuleset = (r: PolicyResource) => r.type === T.ruleset && (r.props.target ?? "branch") === "branch";
export const rulesetActive = resource(
    "ruleset-enforced",
    "Rulesets are enforced (not evaluate or disabled).",
    [T.ruleset],
    (r) =>
        unless(
            r.props.enforcement === "active",
            `ruleset ${r.name} is ${JSON.stringify(r.props.enforcement ?? null)}: set enforcement to "active"`,
        ),
);

export const rulesetHistory = resource(
    "ruleset-no-force-push-or-deletion",
    "Branch rulesets block force pushes and deletion.",
    [T.ruleset],
    (r) =>
        unless(
            !isBranchRuleset(r) ||
                (at(r.props, "rules", "nonFastForward") === true && at(r.props, "rules", "deletion") === true),
            `ruleset ${r.name} lets the branch be force-pushed or deleted: set rules.nonFastForward and rules.deletion to true`,
        ),
);

export const rulesetReview = resource(
    "ruleset-requires-review",
    "Branch rulesets require a reviewed pull request; production two approvals, code owners and checks.",
    [T.ruleset],
    (r) => {
        if (!isBranchRuleset(r)) {
            return [];
        }
        const approvals = at(r.props, "rules", "pullRequest", "requiredApprovingReviewCount");
        const minimum = isProduction(r) ? 2 : 1;
        return [
            ...unless(
                typeof approvals === "number" && approvals >= minimum,
                `ruleset ${r.name} requires ${JSON.stringify(approvals ?? null)} approvals: require at least ${minimum}`,
            ),
            ...unless(
                !isProduction(r) || at(r.props, "rules", "pullRequest", "requireCodeOwnerReview") === true,
                `ruleset ${r.name} does not require code-owner review in production: set rules.pullRequest.requireCodeOwnerReview`,
            ),
            ...unless(
                !isProduction(r) || list(at(r.props, "rules", "requiredStatusChecks", "requiredChecks")).length > 0,
                `ruleset ${r.name} requires no status check in production: list the CI checks`,
            ),
        ];
    },
);

const repositoryOf = (r: PolicyResource) => r.props.repository;
/** Release automation (a GitHub App, actor type Integration) may create tags; nobody else bypasses. */
const onlyReleaseAppBypasses = (r: PolicyResource) =>
    list(r.props.bypassActors).every((a) => at(a, "actorType") === "Integration" && at(a, "bypassMode") === "always");
const locksTags = (r: PolicyResource) =>
    r.type === T.ruleset &&
    r.props.target === "tag" &&
    r.props.enforcement === "active" &&
    at(r.props, "rules", "creation") === true &&
    at(r.props, "rules", "update") === true &&
    at(r.props, "rules", "deletion") === true &&
    onlyReleaseAppBypasses(r);
export const releaseTags = companionRule(
    "release-tags-immutable",
    "Repositories protected by a branch ruleset also have an active tag ruleset restricting tag creation, updates and deletion, bypassed by release automation only.",
    (r) => isBranchRuleset(r) && !OPAQUE.includes(String(repositoryOf(r))),
    (t, r) => locksTags(t) && repositoryOf(t) === repositoryOf(r),
    (r) =>
        `repository "${String(repositoryOf(r))}" lets release tags be moved or deleted, or created by anyone: add a tag ruleset with rules.creation, rules.update and rules.deletion, bypassed by the release App only (Integration, always)`,
);
export const codeownersSeeded = companionRule(
    "codeowners-seeded",
    "A repository whose ruleset requires code-owner review gets a CODEOWNERS file.",
    (r) =>
        r.type === T.ruleset &&
        at(r.props, "rules", "pullRequest", "requireCodeOwnerReview") === true &&
        typeof repositoryOf(r) === "string" &&
        !OPAQUE.includes(String(repositoryOf(r))),
    (f, r) =>
        f.type === T.repositoryFile &&
        repositoryOf(f) === repositoryOf(r) &&
        /^(\.github\/|docs\/)?CODEOWNERS$/.test(String(f.props.file)),
    (r) =>
        `repository "${String(repositoryOf(r))}" requires code-owner review but has no CODEOWNERS: seed one (CODEOWNERS, .github/ or docs/)`,
);

export const productionEnvironment = resource(
    "environment-production-reviewed",
    "A production deployment environment has reviewers, no admin bypass and a branch policy.",
    [T.environment],
    (r) => {
        if (r.props.environment !== "production") {
            return [];
        }
        const reviewers = list(r.props.reviewers).some(
            (x) => list(at(x, "teams")).length + list(at(x, "users")).length > 0,
        );
        const branches =
            at(r.props, "deploymentBranchPolicy", "protectedBranches") === true ||
            at(r.props, "deploymentBranchPolicy", "customBranchPolicies") === true;
        return [
            ...unless(
                reviewers,
                `environment production of ${String(r.props.repository)} has no required reviewers: add reviewers`,
            ),
            ...unless(
                r.props.canAdminsBypass === false,
                `environment production of ${String(r.props.repository)} lets admins bypass review: set canAdminsBypass to false`,
            ),
            ...unless(
                branches,
                `environment production of ${String(r.props.repository)} deploys from any branch: set a deploymentBranchPolicy`,
            ),
        ];
    },
);

const DEPLOY_ENVIRONMENTS = ["staging", "production"];
const environmentsOf = (repository: unknown, all: readonly PolicyResource[]) =>
    all.filter((e) => e.type === T.environment && e.props.repository === repository);

/**
 * Environments that hold deploy credentials admit exact branch names only: a custom policy (GitHub's
 * "protected branches" setting opens every branch when no classic protection rule exists) whose
 * patterns name branches without wildcards, and no tag patterns.
 */
export const environmentBranches = stack(
    "environment-deploys-from-named-branches",
    "Staging and production environments deploy only from branches named by a custom policy, without wildcards or tags.",
    (resources) =>
        resources
            .filter((e) => e.type === T.environment && DEPLOY_ENVIRONMENTS.includes(String(e.props.environment)))
            .filter((e) => {
                const policies = resources.filter(
                    (p) =>
                        p.type === T.environmentPolicy &&
                        p.props.repository === e.props.repository &&
                        p.props.environment === e.props.environment,
                );
                return (
                    at(e.props, "deploymentBranchPolicy", "customBranchPolicies") !== true ||
                    policies.length === 0 ||
                    policies.some(
                        (p) => typeof p.props.branchPattern !== "string" || /[*?[]/.test(p.props.branchPattern),
                    )
                );
            })
            .map((e) => ({
                urn: e.urn,
                message: `environment ${String(e.props.environment)} of ${String(e.props.repository)} can deploy from other branches or tags: set deploymentBranchPolicy.customBranchPolicies and one deployment policy per branch, e.g. branchPattern "main"`,
            })),
);

export const workflowPermissions = companionRule(
    "workflow-token-read-only",
    "Every repository's workflows get a read-only GITHUB_TOKEN by default and cannot approve pull requests.",
    (r) => r.type === T.repository,
    (w, r) =>
        w.type === T.workflowPermissions &&
        w.props.repository === r.props.name &&
        w.props.defaultWorkflowPermissions === "read" &&
        w.props.canApprovePullRequestReviews === false,
    (r) =>
        `repository "${String(r.props.name)}" lets workflows write or approve pull requests: declare WorkflowRepositoryPermissions with defaultWorkflowPermissions "read" and canApprovePullRequestReviews false`,
);

/**
 * The repository that runs `pulumi up` is the one with both deploy environments and no deploy key
 * (nothing in a cluster reads it): production must declare it. Its ruleset is repository-protected's
 * business, its environments' reviewers and branches the environment rules'.
 */
export const deployRepositoryGated = stack(
    "deploy-repository-gated-in-production",
    "A production stack that manages GitHub declares the deploy repository: staging and production environments, no deploy key.",
    (resources) => {
        const repositories = resources.filter((r) => r.type === T.repository && isProduction(r));
        const gated = repositories.some(
            (r) =>
                DEPLOY_ENVIRONMENTS.every((name) =>
                    environmentsOf(r.props.name, resources).some((e) => e.props.environment === name),
                ) && !resources.some((k) => k.type === T.deployKey && k.props.repository === r.props.name),
        );
        return repositories.length === 0 || gated
            ? []
            : [
                  {
                      urn: repositories[0].urn,
                      message:
                          "production declares no gate for the repository that runs `pulumi up`: set github.deployRepository (ruleset, staging and production environments)",
                  },
              ];
    },
);

export const requiredChecksBound = resource(
    "ruleset-checks-bound-to-app",
    "Required status checks name the app that reports them (integrationId), so no other token can post them.",
    [T.ruleset],
    (r) =>
        list(at(r.props, "rules", "requiredStatusChecks", "requiredChecks"))
            .filter((c) => typeof at(c, "integrationId") !== "number")
            .map(
                (c) =>
                    `ruleset ${r.name} requires check "${String(at(c, "context"))}" from anyone: set its integrationId (GitHub Actions: 15368)`,
            ),
);

/** What pushes to Git with the engine's deploy key: image update automation (components/gitops/images.ts). */
const IMAGE_PUSHERS: readonly string[] = [SECURITY_TYPES.fluxImageUpdateAutomation, SECURITY_TYPES.argoImageUpdater];
/**
 * The repository image automation pushes to: the one the engine syncs (FluxInstance spec.sync.url,
 * Argo CD's root Application), by name (the URL's last path segment without .git).
 */
const syncedRepositories = (resources: readonly PolicyResource[]) =>
    resources
        .flatMap((r) =>
            r.type === T.fluxInstance
                ? [at(r.props, "spec", "sync", "url")]
                : r.type === T.argoApplication && nameOf(r) === "root"
                  ? [at(r.props, "spec", "source", "repoURL")]
                  : [],
        )
        .filter((url): url is string => typeof url === "string")
        .map((url) =>
            url
                .replace(/\.git$/, "")
                .split(/[/:]/)
                .pop(),
        );
export const deployKeysReadOnly = stack(
    "deploy-key-read-only",
    "Deploy keys the engine uses are read-only, except the GitOps repository's when the stack runs image update automation, which pushes with it.",
    (resources) => {
        const pushedTo = resources.some((r) => IMAGE_PUSHERS.includes(r.type)) ? syncedRepositories(resources) : [];
        return resources
            .filter(
                (r) =>
                    r.type === T.deployKey &&
                    r.props.readOnly !== true &&
                    !pushedTo.includes(String(r.props.repository)),
            )
            .map((r) => ({
                urn: r.urn,
                message: `deploy key ${r.name} can push but nothing in the stack pushes to ${String(r.props.repository)}: set readOnly to true`,
            }));
    },
);

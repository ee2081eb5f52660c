/**
 * The GitHub environments of this program's repository and the credentials each holds
 * (docs/ci-security.md). Every secret lives in an environment, none at repository level, so a job
 * reaches a credential only by naming the environment that holds it. What a credential reaches is
 * the `environment` of the stacks it can read or change (never a stack's name): `preview`, which
 * every pull request may use, reaches staging only.
 */
import { DRIFT_ENVIRONMENT } from "../components/ci/policies";

/** A stack's config `environment` that CI credentials reach. */
export type ReachedEnvironment = "staging" | "production";

export interface CiEnvironment {
    /** The config `environment` of the stacks its credentials read or change (drift: both). */
    readonly reaches: ReachedEnvironment | readonly ReachedEnvironment[];
    /** Who may run a job in it: any branch (pull requests) or main only (reviewed code). */
    readonly branches: "any" | "main";
    /** Required reviewers approve each job before it gets the credentials. */
    readonly reviewers: boolean;
    /** Whether its jobs may change the stacks it reaches (`pulumi up`). */
    readonly deploys: boolean;
    /** The only workflow file whose jobs may assume the deploy role (the trust pins job_workflow_ref). */
    readonly deployWorkflow?: string;
    readonly secrets: readonly string[];
}

/**
 * Read credentials: a Pulumi token of a team that may read the environment's stacks only, a
 * GitHub App installed on the repositories those stacks manage (read-only token), the list of those
 * repositories and the backend URL. The role ARN secret names its stack.
 */
export const READ_SECRETS = [
    "PULUMI_BACKEND_URL",
    "PULUMI_PREVIEW_TOKEN",
    "PREVIEW_APP_ID",
    "PREVIEW_APP_PRIVATE_KEY",
    "PREVIEW_REPOSITORIES",
];
/** Deploy credentials: one GitHub App per environment, its token limited to DEPLOY_REPOSITORIES. */
export const DEPLOY_SECRETS = [
    "PULUMI_BACKEND_URL",
    "PULUMI_ACCESS_TOKEN",
    "AWS_DEPLOY_ROLE_ARN",
    "DEPLOY_APP_ID",
    "DEPLOY_APP_PRIVATE_KEY",
    "DEPLOY_REPOSITORIES",
];

export const CI_ENVIRONMENTS: Readonly<Record<string, CiEnvironment>> = {
    // Pull requests (same-repository branches): unreviewed code, so staging's read credentials only.
    preview: {
        reaches: "staging",
        branches: "any",
        reviewers: false,
        deploys: false,
        secrets: [...READ_SECRETS, "AWS_PREVIEW_ROLE_ARN_STAGING"],
    },
    promotion: {
        reaches: "staging",
        branches: "main",
        reviewers: false,
        deploys: false,
        secrets: [...READ_SECRETS, "AWS_PREVIEW_ROLE_ARN_STAGING", "PROMOTION_APP_ID", "PROMOTION_APP_PRIVATE_KEY"],
    },
    staging: {
        reaches: "staging",
        branches: "main",
        reviewers: false,
        deploys: true,
        deployWorkflow: ".github/workflows/staging.yml",
        secrets: DEPLOY_SECRETS,
    },
    // Production's preview (after merge) and drift check: main's code only.
    "production-preview": {
        reaches: "production",
        branches: "main",
        reviewers: false,
        deploys: false,
        secrets: [...READ_SECRETS, "AWS_PREVIEW_ROLE_ARN_PRODUCTION"],
    },
    // The nightly drift check (`preview --refresh` reads secret values): each stack's drift role, main's
    // code only; declared on the program's repository (stacks/repositories.ts).
    [DRIFT_ENVIRONMENT]: {
        reaches: ["staging", "production"],
        branches: "main",
        reviewers: false,
        deploys: false,
        secrets: [...READ_SECRETS, "AWS_DRIFT_ROLE_ARN_STAGING", "AWS_DRIFT_ROLE_ARN_PRODUCTION"],
    },
    production: {
        reaches: "production",
        branches: "main",
        reviewers: true,
        deploys: true,
        deployWorkflow: ".github/workflows/production.yml",
        secrets: DEPLOY_SECRETS,
    },
};

/** The config environments an environment's credentials reach. */
export const reachedBy = (e: CiEnvironment): readonly ReachedEnvironment[] => [e.reaches].flat();

/** The environment pull-request jobs run in: the production stack's roles must never trust it. */
export const PULL_REQUEST_ENVIRONMENT = "preview";

/** The read-only environments whose credentials reach stacks of `environment`: its preview role's default trust. */
export const previewEnvironmentsFor = (environment: string): string[] =>
    Object.entries(CI_ENVIRONMENTS)
        .filter(([, e]) => e.reaches === environment && !e.deploys)
        .map(([name]) => name);

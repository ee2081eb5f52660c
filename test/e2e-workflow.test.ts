/**
 * .github/workflows/e2e.yml: the live test on a kind cluster (actionlint runs over it with the other
 * workflows in delivery-workflows.test.ts). Pinned SHAs were read from each action's repository
 * (git rev-parse <tag>^{commit}): helm/kind-action v1.14.0, actions/checkout v7.0.1,
 * actions/setup-node v7.0.0, pulumi/actions v7.0.0, actions/upload-artifact v7.0.0.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../plan/stackFile";
import { isThrowawayContext } from "./live/logic";

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
}
const FILE = path.join(PROJECT_ROOT, ".github", "workflows", "e2e.yml");
const text = fs.readFileSync(FILE, "utf8");
const workflow = YAML.parse(text) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { permissions: Record<string, string>; env: Record<string, string>; steps: Step[] }>;
};
const job = workflow.jobs.live;
const index = (predicate: (s: Step) => boolean) => job.steps.findIndex(predicate);
const action = (name: string) => job.steps.find((s) => s.uses?.startsWith(`${name}@`));

describe("e2e workflow", () => {
    it("runs on pull requests and nightly, and can be started by hand", () => {
        assert.deepEqual(Object.keys(workflow.on).sort(), ["pull_request", "schedule", "workflow_dispatch"]);
        const schedule = workflow.on.schedule as { cron: string }[];
        assert.equal(schedule.length, 1);
        assert.match(schedule[0].cron, /^\d+ \d+ \* \* \*$/, "once a day");
    });

    it("creates a kind cluster whose context the live test accepts, then installs the CLI and runs npm run test:live", () => {
        const kind = action("helm/kind-action");
        assert.equal(kind?.with?.cluster_name, "gitops");
        assert.ok(isThrowawayContext(`kind-${kind?.with?.cluster_name as string}`));
        const order = [
            index((s) => s.run === "npm ci --no-audit --no-fund"),
            index((s) => s.uses?.startsWith("helm/kind-action@") ?? false),
            index((s) => s.uses?.startsWith("pulumi/actions@") ?? false),
            index((s) => s.run === "npm run test:live"),
        ];
        assert.ok(
            order.every((i) => i >= 0),
            JSON.stringify(order),
        );
        assert.deepEqual(
            [...order].sort((a, b) => a - b),
            order,
        );
        assert.equal(job.env.LIVE_TEST_REQUIRED, "1", "a skip must fail in CI");
    });

    it("pins every action by full commit SHA, with the release tag beside it", () => {
        const uses = [...text.matchAll(/^\s*- uses: (\S+)(.*)$/gm)];
        assert.equal(uses.length, 5);
        for (const [, ref, comment] of uses) {
            assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, ref);
            assert.match(comment, /^ # v\d+\.\d+\.\d+$/, ref);
        }
        assert.equal(action("helm/kind-action")?.uses, "helm/kind-action@ef37e7f390d99f746eb8b610417061a60e82a6cc");
    });

    it("installs the Pulumi CLI version that matches the @pulumi/pulumi SDK the program is built with", () => {
        const pinned = (
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
                dependencies: Record<string, string>;
            }
        ).dependencies["@pulumi/pulumi"];
        const pulumi = action("pulumi/actions");
        assert.equal(String(pulumi?.with?.["pulumi-version"]), pinned);
        assert.match(pinned, /^\d+\.\d+\.\d+$/);
        assert.equal(pulumi?.with?.command, undefined, "install only");
    });

    it("needs no secret and no cloud credentials: read-only contents, no id-token, no secrets context", () => {
        assert.deepEqual(workflow.permissions, {});
        assert.deepEqual(job.permissions, { contents: "read" });
        assert.doesNotMatch(text, /secrets\.|id-token|aws-|PULUMI_ACCESS_TOKEN/);
        assert.equal(action("actions/checkout")?.with?.["persist-credentials"], false);
    });

    it("uploads the live test's logs when it fails", () => {
        const upload = action("actions/upload-artifact");
        assert.equal(upload?.if, "failure()");
        assert.equal(job.env.LIVE_TEST_LOG_DIR, "${{ github.workspace }}/live-logs");
        assert.equal(upload?.with?.path, "live-logs/");
    });
});

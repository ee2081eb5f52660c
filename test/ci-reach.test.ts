/**
 * Invariant e, reachability (issue 24, finding 3): a stack whose API endpoint is private or limited to
 * address ranges names the runners that reach it (ci.runners), the workflows run its cluster jobs
 * (preview, up, drift) there, and config refuses a stack that CI cannot reach, production's private
 * endpoint above all. Sources: EKS User Guide cluster-endpoint.adoc (stacks/config/reach.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { endpointReach } from "../stacks/config/reach";
import { PROJECT_ROOT } from "../plan/stackFile";
import { commandsOf, Job, readWorkflow, runsOnFor, stacksOf, WorkflowJob, workflowJobs } from "./ciWorkflows";
import { assertProblemAt, configProblems, edited, ofType, planStack, platformConfig } from "./harness";

const STACK_FILES = ["staging", "production", "local", "fleet-example"];

/** "<file> <job> <stack>: ..." for every cluster job that does not run where its stack's endpoint is reachable from. */
export function placementProblems(jobs: readonly WorkflowJob[]): string[] {
    return jobs.flatMap(({ file, id, job }) =>
        commandsOf(job).length === 0
            ? []
            : stacksOf(job).flatMap((stack) => {
                  const config = platformConfig(stack.stack);
                  const cluster = config.cluster;
                  if (cluster.type !== "eks" || endpointReach(cluster.endpoint, config.environment) === "open") {
                      return [];
                  }
                  const want = config.ci?.runners?.labels ?? [];
                  const got = runsOnFor(job, stack);
                  return JSON.stringify(got) === JSON.stringify(want)
                      ? []
                      : [
                            `${file} ${id} ${stack.stack}: runs on ${JSON.stringify(got)}, the stack's runners are ${JSON.stringify(want)}`,
                        ];
              }),
    );
}

describe("reachability (invariant e): CI runs each stack's cluster jobs where its endpoint answers", () => {
    it("every checked-in stack that CI runs and whose endpoint is not open names its runners", () => {
        const reach = Object.fromEntries(
            STACK_FILES.map((s) => {
                const config = platformConfig(s);
                return [
                    s,
                    config.cluster.type === "eks"
                        ? endpointReach(config.cluster.endpoint, config.environment)
                        : "local",
                ];
            }),
        );
        assert.deepEqual(reach, {
            staging: "restricted",
            production: "private",
            local: "local",
            "fleet-example": "restricted",
        });
        for (const stack of ["staging", "production"]) {
            assert.ok(platformConfig(stack).ci?.runners, stack);
        }
    });

    it("every job that previews, updates or checks drift runs on its stack's runners", () => {
        const jobs = workflowJobs();
        assert.deepEqual(
            jobs.filter((j) => commandsOf(j.job).length > 0).map((j) => `${j.file} ${j.id}`),
            [
                "drift.yml drift",
                "production.yml preview",
                "production.yml up",
                "pull-request.yml preview",
                "staging.yml up",
            ],
        );
        assert.deepEqual(placementProblems(jobs), []);
    });

    it("catches a planted break: production's drift on a GitHub-hosted runner", () => {
        const planted = (file: string) => {
            const workflow = readWorkflow(file);
            if (file === "drift.yml") {
                const include = workflow.jobs.drift.strategy!.matrix!.include!;
                include.find((m) => m.stack === "production")!.runner = ["ubuntu-latest"];
            }
            return workflow;
        };
        assert.deepEqual(placementProblems(workflowJobs(planted)), [
            'drift.yml drift production: runs on ["ubuntu-latest"], the stack\'s runners are ["self-hosted","linux","gitops-production"]',
        ]);
    });

    it("catches a planted break: staging's up on ubuntu-latest", () => {
        const planted = (file: string) => {
            const workflow = readWorkflow(file);
            if (file === "staging.yml") {
                (workflow.jobs.up as { "runs-on": Job["runs-on"] })["runs-on"] = "ubuntu-latest";
            }
            return workflow;
        };
        assert.deepEqual(placementProblems(workflowJobs(planted)), [
            'staging.yml up staging: runs on ["ubuntu-latest"], the stack\'s runners are ["gitops-staging"]',
        ]);
    });

    it("actionlint knows exactly the stacks' own runner labels", () => {
        const config = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "actionlint.yaml"), "utf8")) as {
            "self-hosted-runner": { labels: string[] };
        };
        const own = STACK_FILES.flatMap((s) => platformConfig(s).ci?.runners?.labels ?? []).filter(
            (l) => !["self-hosted", "linux"].includes(l),
        );
        assert.deepEqual([...config["self-hosted-runner"].labels].sort(), [...new Set(own)].sort());
    });

    it("a private endpoint admits its runners' network on 443, and only then", async () => {
        const rules = (plan: Awaited<ReturnType<typeof planStack>>) =>
            ofType(plan.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [
                r.inputs.cidrIpv4,
                r.inputs.ipProtocol,
                r.inputs.fromPort,
                r.inputs.toPort,
            ]);
        assert.deepEqual(rules(await planStack("production")), [["10.99.0.0/24", "tcp", 443, 443]]);
        assert.deepEqual(rules(await planStack("staging")), []);
    });
});

describe("reachability (invariant e): config refuses a stack CI cannot reach", () => {
    const withoutRunners = (stack: string) => ({
        set: edited<Record<string, unknown>>(stack, "gitops-platform:ci", (ci) => delete ci.runners),
    });

    it("finding 3: production's private endpoint without runners", () => {
        const problem = assertProblemAt(
            configProblems("production", withoutRunners("production")),
            "gitops-platform:ci.runners",
            "private",
        );
        assert.match(
            problem.message,
            /GitHub-hosted runners cannot reach it; set ci\.runners\.labels to self-hosted runners/,
        );
    });

    it("a private production endpoint without any ci section, at the endpoint", () => {
        const problems = configProblems("production", { remove: ["gitops-platform:ci"] });
        assertProblemAt(problems, "gitops-platform:cluster.endpoint", "set ci.runners.labels");
    });

    it("finding 3: staging's CIDR-restricted endpoint without runners, naming the ranges", () => {
        assertProblemAt(
            configProblems("staging", withoutRunners("staging")),
            "gitops-platform:ci.runners",
            "admits only 203.0.113.0/24, 198.51.100.0/24",
        );
    });

    it("runners on GitHub-hosted labels, a private endpoint without self-hosted, addresses outside the ranges", () => {
        const set = (stack: string, runners: object) => ({
            set: edited<Record<string, unknown>>(stack, "gitops-platform:ci", (ci) => (ci.runners = runners)),
        });
        const hosted = configProblems(
            "staging",
            set("staging", { labels: ["ubuntu-latest"], cidrs: ["198.51.100.0/24"] }),
        );
        assertProblemAt(hosted, "gitops-platform:ci.runners.labels", '"ubuntu-latest" is a GitHub-hosted runner');
        const notSelfHosted = configProblems(
            "production",
            set("production", { labels: ["gitops-production"], cidrs: ["10.99.0.0/24"] }),
        );
        assertProblemAt(notSelfHosted, "gitops-platform:ci.runners.labels", 'add "self-hosted"');
        const outside = configProblems(
            "staging",
            set("staging", { labels: ["gitops-staging"], cidrs: ["192.0.2.0/24"] }),
        );
        assertProblemAt(outside, "gitops-platform:ci.runners.cidrs[0]", "outside cluster.endpoint.publicAccessCidrs");
    });

    it("an endpoint open to everyone needs no runners; a stack CI does not run needs none (the fleet example)", () => {
        const open = edited<Record<string, unknown>>("staging", "gitops-platform:cluster", (c) => {
            (c.endpoint as Record<string, unknown>).publicAccessCidrs = ["0.0.0.0/0"];
        });
        assert.deepEqual(configProblems("staging", { set: { ...open, ...withoutRunners("staging").set } }), []);
        assert.deepEqual(configProblems("fleet-example"), []);
    });
});

/**
 * The deploy jobs run preflight with `--strict` as the deploy role (.github/workflows/staging.yml,
 * production.yml): a call the role may not make would skip, and so fail the deploy. Every AWS call the
 * checks make on staging is collected from a run, turned into its IAM action (the AWS CLI's
 * `<service> <kebab-operation>` is the action `<service>:<Operation>`), and evaluated against the deploy
 * role's policy as the plan declares it, by the IAM policy simulator (@cloud-copilot/iam-simulate).
 * The state backend's S3 calls are left out: which bucket, and so which grant, is the backend's
 * (PULUMI_BACKEND_URL), and preflight's state-backend check reports a missing grant itself.
 */
import * as assert from "node:assert/strict";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "../components/cluster/iam";
import { parsePreflightArgs, runPreflight } from "../preflight/cli";
import { Runner } from "../preflight/runner";
import { PROJECT_ROOT } from "../plan/stackFile";
import { byName, planStack } from "./harness";

const ACCOUNT = "111122223333";
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/github-actions-deploy`;

/** A runner with the deploy role's identity whose every other AWS call is refused, so each check asks all it asks. */
function recordingAwsRunner(calls: string[][]): Runner {
    return {
        exec: (command, args) => {
            if (args[0] === "sts" && args[1] === "get-caller-identity") {
                const identity = { UserId: "AROAEXAMPLE:gitops", Account: ACCOUNT, Arn: `${DEPLOY_ROLE}/gitops` };
                return Promise.resolve({ exitCode: 0, stdout: JSON.stringify(identity), stderr: "" });
            }
            calls.push([command, ...args]);
            return Promise.resolve({ exitCode: 254, stdout: "", stderr: "An error occurred (AccessDenied)" });
        },
        http: () => Promise.reject(new Error("fetch failed: ENOTFOUND")),
    };
}

/** `aws eks describe-addon-versions ...` → eks:DescribeAddonVersions. */
function iamAction(call: readonly string[]): string {
    const [, service, operation] = call;
    return `${service}:${operation
        .split("-")
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join("")}`;
}

async function allowed(policy: PolicyDocument, action: string, resource: string): Promise<string> {
    const result = await runSimulation(
        {
            identityPolicies: [{ name: "deploy", policy: policy as never }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: {
                action,
                principal: DEPLOY_ROLE,
                resource: { accountId: ACCOUNT, resource },
                contextVariables: {},
            },
        },
        {},
    );
    return result.resultType === "error" ? JSON.stringify(result.errors) : result.overallResult;
}

/** The resource a call acts on: the cluster for describe-cluster, none ("*") for the add-on catalog. */
function resourceOf(call: readonly string[]): string {
    const name = call[call.indexOf("--name") + 1];
    return call[2] === "describe-cluster" ? `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/${name}` : "*";
}

describe("preflight credentials: the deploy role may make every AWS call preflight makes", () => {
    let calls: string[][];
    let deployPolicy: PolicyDocument;

    before(async () => {
        calls = [];
        const args = parsePreflightArgs(["--stack", "staging", "--app", "deploy"]);
        await runPreflight(args, { runner: recordingAwsRunner(calls), env: {}, now: new Date(), root: PROJECT_ROOT });
        const plan = await planStack("staging");
        deployPolicy = JSON.parse(
            String(byName(plan.resources, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-permissions").inputs.policy),
        ) as PolicyDocument;
    });

    it("collects the EKS calls of the addons, addon-config and endpoint checks", () => {
        const actions = [...new Set(calls.map(iamAction))].sort();
        assert.deepEqual(actions, [
            "eks:DescribeAddonConfiguration",
            "eks:DescribeAddonVersions",
            "eks:DescribeCluster",
        ]);
    });

    it("each is allowed by the deploy role's policy, evaluated by the simulator", async () => {
        for (const call of calls) {
            assert.equal(await allowed(deployPolicy, iamAction(call), resourceOf(call)), "Allowed", call.join(" "));
        }
    });

    it("a deploy policy without EKS's Describe verbs is caught", async () => {
        const planted: PolicyDocument = {
            ...deployPolicy,
            Statement: deployPolicy.Statement.map((s) => ({
                ...s,
                Action: (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => a !== "eks:Describe*"),
            })),
        };
        assert.equal(await allowed(planted, "eks:DescribeAddonVersions", "*"), "ImplicitlyDenied");
    });
});

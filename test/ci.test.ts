/**
 * The CI roles (components/ci): their IAM documents directly, through the component, through the
 * checked-in stacks, and against what the workflows assume. Sources: GitHub Docs, "Configuring OpenID
 * Connect in Amazon Web Services" (URL https://token.actions.githubusercontent.com, audience
 * sts.amazonaws.com, sub repo:<owner>/<repo>:environment:<name> for a job with an environment); aws
 * provider 7.48.0 iam/openIdConnectProvider (thumbprintLists optional, unused by IAM for GitHub).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CiRoles } from "../components/ci";
import {
    deployPolicy,
    environmentSubject,
    githubTrustPolicy,
    jobWorkflowRef,
    previewPolicy,
    WORKLOAD_ROLE_PATH,
} from "../components/ci/policies";
import { MOCK_ACCOUNT_ID } from "../plan/mocks";
import { PROJECT_ROOT } from "../plan/stackFile";
import { wildcardActions } from "../policy/rules";
import { PlanResult } from "../plan/run";
import { ConfigError, ConfigProblem } from "../stacks/config";
import {
    byName,
    configProblems,
    ofType,
    planProgram,
    planStack,
    stackConfig,
    stackValue,
    validateConfig,
} from "./harness";
import { actionsOf, parsePolicy } from "./iamAssertions";

const T = {
    provider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};
const REPO = { owner: "acme-platform", name: "gitops-platform" };
const ISSUER = "token.actions.githubusercontent.com";

/** The subjects a planned role's trust admits. */
function subjectsOf(plan: PlanResult, resourceName: string): string[] {
    const trust = parsePolicy(byName(plan.resources, T.role, resourceName).inputs.assumeRolePolicy, resourceName);
    assert.equal(trust.Statement.length, 1);
    const [statement] = trust.Statement;
    assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
    assert.equal(statement.Condition?.StringEquals[`${ISSUER}:aud`], "sts.amazonaws.com");
    return [statement.Condition?.StringEquals[`${ISSUER}:sub`] ?? []].flat();
}

describe("CI roles: documents", () => {
    it("trusts exactly the given subjects of GitHub's provider, with the STS audience", () => {
        const subjects = [environmentSubject(REPO, "preview")];
        assert.deepEqual(githubTrustPolicy("arn:aws:iam::1:oidc-provider/" + ISSUER, subjects).Statement, [
            {
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::1:oidc-provider/" + ISSUER },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${ISSUER}:aud`]: "sts.amazonaws.com",
                        [`${ISSUER}:sub`]: ["repo:acme-platform/gitops-platform:environment:preview"],
                    },
                },
            },
        ]);
    });

    it("refuses a trust without subjects", () => {
        assert.throws(() => githubTrustPolicy("arn", []), /at least one subject/);
    });

    it("the preview policy reads configuration only and denies KMS decrypt and secret values everywhere", () => {
        const [reads, deny] = previewPolicy().Statement;
        assert.equal(reads.Effect, "Allow");
        // Issue 25, finding 1: no data reads (ReadOnlyAccess reads S3 objects, items, log events, function environments).
        assert.deepEqual(
            actionsOf(reads).filter((a) => /^(s3|dynamodb|lambda|ssm):|^logs:(Get|Filter|Start)|SecretValue$/.test(a)),
            [],
        );
        assert.deepEqual(deny, {
            Sid: "NoSecretReads",
            Effect: "Deny",
            Action: [
                "kms:Decrypt",
                "secretsmanager:GetSecretValue",
                "secretsmanager:BatchGetSecretValue",
                "kms:GenerateDataKey*",
            ],
            Resource: "*",
        });
    });

    it("pins a deploy trust to the workflow file on main (job_workflow_ref)", () => {
        const ref = jobWorkflowRef(REPO, ".github/workflows/production.yml");
        assert.equal(ref, "acme-platform/gitops-platform/.github/workflows/production.yml@refs/heads/main");
        const [statement] = githubTrustPolicy("arn", [environmentSubject(REPO, "production")], [ref]).Statement;
        assert.deepEqual(statement.Condition?.StringEquals[`${ISSUER}:job_workflow_ref`], [ref]);
    });

    it("the deploy policy names verbs, never a whole service, and IAM action by action", () => {
        const policy = deployPolicy({ accountId: "111122223333", ciRoleNames: ["a", "b"], secretPrefixes: ["p/s"] });
        assert.deepEqual(wildcardActions(policy), []);
        const actions = policy.Statement.filter((s) => s.Effect === "Allow").flatMap(actionsOf);
        assert.ok(actions.includes("eks:Create*") && actions.includes("kms:EnableKeyRotation"));
        assert.deepEqual(
            actions.filter((a) => a.startsWith("iam:") && a.includes("*")),
            ["iam:Get*", "iam:List*"],
        );
        // An inline policy's limit: 10,240 characters for all of a role's inline policies (IAM quotas).
        assert.ok(JSON.stringify(policy).length < 10_240);
    });
});

describe("CI roles: component", () => {
    let plan: PlanResult;
    before(async function () {
        this.timeout(60_000);
        plan = await planProgram(() => {
            new CiRoles("ci", {
                repository: REPO,
                previewEnvironments: ["preview"],
                deployEnvironments: ["staging"],
                deployWorkflows: [".github/workflows/staging.yml"],
                secretPrefixes: ["gitops-platform/staging"],
                protect: true,
            });
            return {};
        });
    });

    it("declares GitHub's provider without thumbprints", () => {
        const [provider] = ofType(plan.resources, T.provider);
        assert.equal(provider.inputs.url, "https://token.actions.githubusercontent.com");
        assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
        assert.equal(provider.inputs.thumbprintLists, undefined);
        assert.equal(provider.options.protect, true);
    });

    it("trusts the preview role from the preview environments and the deploy role from the deploy ones", () => {
        assert.deepEqual(subjectsOf(plan, "ci-preview"), [environmentSubject(REPO, "preview")]);
        assert.deepEqual(subjectsOf(plan, "ci-deploy"), [environmentSubject(REPO, "staging")]);
        assert.equal(byName(plan.resources, T.role, "ci-preview").inputs.name, "github-actions-preview");
        assert.equal(byName(plan.resources, T.role, "ci-deploy").options.protect, true);
    });

    it("gives the preview role its read policy and no managed policy, the deploy role the bounded deploy policy", () => {
        assert.deepEqual(ofType(plan.resources, T.attachment), []);
        const reads = byName(plan.resources, T.rolePolicy, "ci-preview-permissions");
        assert.equal(reads.inputs.role, "github-actions-preview");
        assert.deepEqual(parsePolicy(reads.inputs.policy, "preview"), previewPolicy());
        const deploy = byName(plan.resources, T.rolePolicy, "ci-deploy-permissions");
        assert.equal(deploy.inputs.role, "github-actions-deploy");
        assert.deepEqual(
            parsePolicy(deploy.inputs.policy, "deploy"),
            deployPolicy({
                accountId: MOCK_ACCOUNT_ID,
                ciRoleNames: ["github-actions-preview", "github-actions-deploy"],
                secretPrefixes: ["gitops-platform/staging"],
            }),
        );
        const trust = parsePolicy(byName(plan.resources, T.role, "ci-deploy").inputs.assumeRolePolicy, "trust");
        assert.deepEqual(trust.Statement[0].Condition?.StringEquals[`${ISSUER}:job_workflow_ref`], [
            "acme-platform/gitops-platform/.github/workflows/staging.yml@refs/heads/main",
        ]);
        const boundary = byName(plan.resources, "aws:iam/policy:Policy", "ci-workload-boundary");
        assert.deepEqual(
            { name: boundary.inputs.name, path: boundary.inputs.path, protect: boundary.options.protect },
            { name: "workload-boundary", path: WORKLOAD_ROLE_PATH, protect: true },
        );
    });
});

/** Which role of which stack each workflow job assumes, from its environment and aws-role-arn input. */
interface Assumption {
    readonly job: string;
    readonly environment: string;
    readonly stack: string;
    readonly role: "preview" | "deploy" | "drift";
}
function workflowAssumptions(): Assumption[] {
    const dir = path.join(PROJECT_ROOT, ".github", "workflows");
    type Job = {
        environment?: string;
        strategy?: { matrix?: { include?: { stack: string; role_var?: string; environment?: string }[] } };
        steps: { with?: Record<string, string> }[];
    };
    return fs.readdirSync(dir).flatMap((file) => {
        const jobs = (YAML.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { jobs: Record<string, Job> }).jobs;
        return Object.entries(jobs).flatMap(([id, job]) => {
            const input = job.steps.map((s) => s.with?.["aws-role-arn"]).find((v) => v !== undefined);
            if (input === undefined) {
                return [];
            }
            // Each matrix row names its role secret and, in drift, its environment.
            const secrets =
                input === "${{ secrets[matrix.role_var] }}"
                    ? (job.strategy?.matrix?.include ?? []).map((m) => ({
                          secret: m.role_var!,
                          environment:
                              job.environment === "${{ matrix.environment }}" ? m.environment : job.environment,
                      }))
                    : [{ secret: /secrets\.(\w+)/.exec(input)![1], environment: job.environment }];
            return secrets.map(({ secret, environment }) => {
                const perStack = /^AWS_(PREVIEW|DRIFT)_ROLE_ARN_(\w+)$/.exec(secret);
                assert.ok(perStack || secret === "AWS_DEPLOY_ROLE_ARN", `${file} ${id}: unknown role secret ${secret}`);
                return {
                    job: `${file} ${id}`,
                    environment: environment!,
                    stack: perStack ? perStack[2].toLowerCase() : environment!,
                    role: perStack ? (perStack[1].toLowerCase() as "preview" | "drift") : ("deploy" as const),
                };
            });
        });
    });
}

describe("CI roles: the checked-in stacks", () => {
    const plans = new Map<string, PlanResult>();
    before(async function () {
        this.timeout(120_000);
        for (const stack of ["staging", "production", "local"]) {
            plans.set(stack, await planStack(stack));
        }
    });

    it("every job that assumes a role runs in an environment that role trusts", () => {
        const assumptions = workflowAssumptions();
        // drift per stack; staging's pull-request preview; production's preview after merge; promote; bump;
        // staging and production up.
        assert.equal(assumptions.length, 8);
        for (const a of assumptions) {
            assert.ok(a.environment, `${a.job} names no environment`);
            assert.ok(
                subjectsOf(plans.get(a.stack)!, `ci-${a.role}`).includes(environmentSubject(REPO, a.environment)),
                `${a.job}: the ${a.stack} ${a.role} role does not trust environment ${a.environment}`,
            );
        }
    });

    it("trusts nothing the workflows do not use", () => {
        const used = workflowAssumptions();
        for (const stack of ["staging", "production"]) {
            for (const role of ["preview", "deploy", "drift"] as const) {
                const expected = [
                    ...new Set(used.filter((a) => a.stack === stack && a.role === role).map((a) => a.environment)),
                ].map((e) => environmentSubject(REPO, e));
                assert.deepEqual(
                    subjectsOf(plans.get(stack)!, `ci-${role}`).sort(),
                    expected.sort(),
                    `${stack} ${role}`,
                );
            }
        }
    });

    it("names the roles the cluster's access entries map (viewer: preview, admin: deploy)", () => {
        for (const stack of ["staging", "production"]) {
            const cluster = stackValue<{ adminRoleArns: string[]; viewerRoleArns: string[] }>(
                stack,
                "gitops-platform:cluster",
            );
            const roles = plans.get(stack)!.resources.filter((r) => r.type === T.role);
            const name = (n: string) => roles.find((r) => r.name === n)?.inputs.name;
            assert.ok(cluster.viewerRoleArns.some((arn) => arn.endsWith(`:role/${String(name("ci-preview"))}`)));
            assert.ok(cluster.adminRoleArns.some((arn) => arn.endsWith(`:role/${String(name("ci-deploy"))}`)));
        }
    });

    it("exports the role ARNs, protects them in production, and declares none on the local stack", () => {
        for (const stack of ["staging", "production"]) {
            const outputs = plans.get(stack)!.outputs.ciRoles as Record<string, unknown>;
            assert.deepEqual(Object.keys(outputs).sort(), ["deployRoleArn", "driftRoleArn", "previewRoleArn"]);
        }
        assert.equal(byName(plans.get("production")!.resources, T.role, "ci-deploy").options.protect, true);
        assert.equal(byName(plans.get("staging")!.resources, T.role, "ci-deploy").options.protect, false);
        assert.deepEqual(ofType(plans.get("local")!.resources, T.provider), []);
        assert.equal(plans.get("local")!.outputs.ciRoles, undefined);
    });
});

describe("CI roles: config", () => {
    /** The stack file's runners: these cases replace the whole ci key and are about other keys. */
    const runners = (stack: string) => ({
        runners: stackValue<{ runners: unknown }>(stack, "gitops-platform:ci").runners,
    });
    it("refuses ci on a stack without an AWS account or GitHub owner (local has neither)", () => {
        const problems = configProblems("local", {
            set: { "gitops-platform:ci": { repository: "gitops-platform" } },
        });
        assert.deepEqual(
            problems.map((p) => p.key),
            ["gitops-platform:ci", "gitops-platform:ci"],
        );
        assert.match(problems[0].message, /only an EKS stack/);
        assert.match(problems[1].message, /github:owner/);
    });

    it("asks for the repository when the stack has no deployRepository", () => {
        const problems = configProblems("staging", { set: { "gitops-platform:ci": runners("staging") } });
        assert.deepEqual(
            problems.map((p) => p.key),
            ["gitops-platform:ci.repository"],
        );
    });

    it("takes the repository from github.deployRepository when ci names none", async () => {
        const plan = await planStack("production", { set: { "gitops-platform:ci": runners("production") } });
        assert.deepEqual(subjectsOf(plan, "ci-deploy"), [environmentSubject(REPO, "production")]);
    });

    // Issue 25, finding 1: production's preview role was trusted by `preview`, where pull-request code runs.
    it("refuses production's preview role trusted by the pull requests' environment, by environment, not by name", () => {
        for (const stack of ["production", "prod"]) {
            const raw = stackConfig("production", {
                set: {
                    "gitops-platform:ci": {
                        ...runners("production"),
                        repository: "gitops-platform",
                        previewEnvironments: ["preview"],
                    },
                },
            });
            let problems: readonly ConfigProblem[] = [];
            try {
                validateConfig(stack, raw);
            } catch (error) {
                problems = (error as ConfigError).problems;
            }
            assert.deepEqual(
                problems.map((p) => p.key),
                ["gitops-platform:ci.previewEnvironments"],
                stack,
            );
            assert.match(problems[0].message, /production-preview/);
        }
        // Staging's may: its credentials are what pull requests get.
        assert.deepEqual(
            configProblems("staging", {
                set: {
                    "gitops-platform:ci": {
                        ...runners("staging"),
                        repository: "gitops-platform",
                        previewEnvironments: ["preview"],
                    },
                },
            }),
            [],
        );
    });

    it("defaults each stack's preview role to the read-only environments that reach its environment", async () => {
        const plan = await planStack("production", {
            set: { "gitops-platform:ci": { ...runners("production"), repository: "gitops-platform" } },
        });
        assert.deepEqual(subjectsOf(plan, "ci-preview"), [environmentSubject(REPO, "production-preview")]);
        const staging = await planStack("staging", {
            set: { "gitops-platform:ci": { ...runners("staging"), repository: "gitops-platform" } },
        });
        assert.deepEqual(subjectsOf(staging, "ci-preview").sort(), [
            environmentSubject(REPO, "preview"),
            environmentSubject(REPO, "promotion"),
        ]);
    });

    // Issue 25, finding 5: the program's repository (production's ruleset and environment) is production's alone.
    it("refuses github.deployRepository on a stack whose environment is not production", () => {
        const github = stackValue<Record<string, unknown>>("staging", "gitops-platform:github");
        const problems = configProblems("staging", {
            set: { "gitops-platform:github": { ...github, deployRepository: { name: "gitops-platform" } } },
        });
        assert.deepEqual(
            problems.map((p) => p.key),
            ["gitops-platform:github.deployRepository"],
        );
        assert.match(problems[0].message, /only the production stack manages it/);
    });

    it("refuses a deploy environment among the preview environments", () => {
        const problems = configProblems("staging", {
            set: {
                "gitops-platform:ci": {
                    ...runners("staging"),
                    repository: "gitops-platform",
                    previewEnvironments: ["preview", "production"],
                },
            },
        });
        assert.deepEqual(
            problems.map((p) => [p.key, p.value]),
            [["gitops-platform:ci.previewEnvironments", ["preview", "production"]]],
        );
    });
});

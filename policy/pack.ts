/**
 * The rules of policy/rules.ts as Pulumi policies: each a StackValidationPolicy fed the same resource
 * shape `npm run check` builds from the offline plan.
 */
import type {
    PolicyPackArgs,
    PolicyResource as PulumiPolicyResource,
    PolicyResourceOptions,
    StackValidationPolicy,
} from "@pulumi/policy";
import { CI_ROLE_RULES } from "./ciRoles";
import { INVARIANT_RULES } from "./invariants";
import { PRODUCTION_RULES } from "./production";
import { checkResources, PolicyResource, ResourceOptions, Rule, RULES, TYPES } from "./rules";

/** Every rule of the pack: policy/rules.ts and the production invariants of policy/invariants.ts. */
export const PACK_RULES: readonly Rule[] = [...RULES, ...INVARIANT_RULES, ...CI_ROLE_RULES, ...PRODUCTION_RULES];

/**
 * Policies receive secret values unwrapped, so secretness comes from the options, plus the fields
 * the Kubernetes provider's schema always keeps secret: a typed Secret's data and stringData (every
 * SDK wraps them, e.g. @pulumi/kubernetes core/v1/secret.js).
 */
const SCHEMA_SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
    [TYPES.secret]: ["data", "stringData"],
};

function options(type: string, opts: PolicyResourceOptions): ResourceOptions {
    return {
        protect: opts.protect,
        ignoreChanges: opts.ignoreChanges,
        deleteBeforeReplace: opts.deleteBeforeReplace,
        // Not in @pulumi/policy 1.21.0's options; taken when an engine sends it.
        retainOnDelete: (opts as Partial<ResourceOptions>).retainOnDelete,
        additionalSecretOutputs: [...opts.additionalSecretOutputs, ...(SCHEMA_SECRET_FIELDS[type] ?? [])],
    };
}

/** A resource of the stack under validation, with what it depends on (inputs and dependsOn). */
export function fromStackResource(
    resource: Pick<
        PulumiPolicyResource,
        "type" | "name" | "urn" | "props" | "opts" | "dependencies" | "propertyDependencies"
    >,
): PolicyResource {
    const dependencies = [
        ...resource.dependencies.map((d) => d.urn),
        ...Object.values(resource.propertyDependencies).flatMap((list) => list.map((d) => d.urn)),
    ];
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.props,
        options: options(resource.type, resource.opts),
        dependencies: [...new Set(dependencies)],
    };
}

/**
 * Every rule runs over the whole stack, resource rules too: a resource alone does not say whether its
 * stack is production (a stack's environment is read from all its resources, policy/environment.ts).
 */
export function toPolicy(rule: Rule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            checkResources(args.resources.map(fromStackResource), [rule]).forEach((v) =>
                reportViolation(v.message, v.urn),
            );
        },
    };
}

export const POLICY_PACK_NAME = "gitops-platform";

export const policyPackArgs: PolicyPackArgs = {
    description:
        "Guardrails of the GitOps platform: protected repositories, pinned charts, no plain-text Secrets, safe production sync, encrypted and IMDSv2-only clusters, IAM without wildcard actions.",
    enforcementLevel: "mandatory",
    policies: PACK_RULES.map(toPolicy),
};

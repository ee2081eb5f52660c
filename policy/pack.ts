/**
 * The rules of policy/rules.ts as Pulumi policies: resource rules become ResourceValidationPolicies,
 * stack rules StackValidationPolicies, each fed the same resource shape `npm run check` builds from
 * the offline plan.
 */
import type {
    PolicyPackArgs,
    PolicyResource as PulumiPolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { CI_ROLE_RULES } from "./ciRoles";
import { INVARIANT_RULES } from "./invariants";
import { PolicyResource, ResourceOptions, Rule, RULES, TYPES } from "./rules";

/** Every rule of the pack: policy/rules.ts and the production invariants of policy/invariants.ts. */
export const PACK_RULES: readonly Rule[] = [...RULES, ...INVARIANT_RULES, ...CI_ROLE_RULES];

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

/** A resource under validation, as the rules read it. */
export function fromValidationArgs(
    args: Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props" | "opts">,
): PolicyResource {
    return {
        type: args.type,
        name: args.name,
        urn: args.urn,
        props: args.props,
        options: options(args.type, args.opts),
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

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const policy = { name: rule.name, description: rule.description, enforcementLevel: "mandatory" } as const;
    if (rule.kind === "stack") {
        return {
            ...policy,
            validateStack: (args, reportViolation) => {
                rule.validate(args.resources.map(fromStackResource)).forEach((v) => reportViolation(v.message, v.urn));
            },
        };
    }
    return {
        ...policy,
        validateResource: (args, reportViolation) => {
            if (rule.types.includes(args.type)) {
                rule.validate(fromValidationArgs(args)).forEach((message) => reportViolation(message));
            }
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

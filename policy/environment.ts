/**
 * Which environment a stack's resources belong to, read from what the program stamps on them: the
 * `environment` label of its Kubernetes objects (components/core/labels.ts platformLabels) and the
 * `environment` tag of its AWS resources (stacks/cluster.ts adds it to every tag set). Production is
 * decided by the config's `environment`, which the stamps carry, not by the stack's name: a stack
 * named `prod` with `environment: production` gets every production rule.
 */
import type { PolicyResource } from "./types";

export const PRODUCTION = "production";
/** The label key and AWS tag key the program stamps with the stack's environment. */
export const ENVIRONMENT_KEY = "environment";

function at(value: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
        value,
    );
}

/** `urn:pulumi:<stack>::<project>::...` → stack. */
export function stackOf(urn: string): string {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

/** The environment a resource is stamped with: its Kubernetes label or its AWS tag, if any. */
export function stampOf(resource: PolicyResource): string | undefined {
    const stamp =
        at(resource.props, "metadata", "labels", ENVIRONMENT_KEY) ?? at(resource.props, "tags", ENVIRONMENT_KEY);
    return typeof stamp === "string" ? stamp : undefined;
}

/**
 * The stack's environment: production when the config says so (`npm run check` reads it), when any
 * resource is stamped production (one stamp is enough: unstamping the rest must not escape the rules),
 * or when the stack is named production (config refuses that name for another environment).
 */
export function stackEnvironment(resources: readonly PolicyResource[], configured?: string): string | undefined {
    const stamps = resources.flatMap((r) => [r.environment, stampOf(r)]).filter((s): s is string => s !== undefined);
    if (
        configured === PRODUCTION ||
        stamps.includes(PRODUCTION) ||
        resources.some((r) => stackOf(r.urn) === PRODUCTION)
    ) {
        return PRODUCTION;
    }
    return configured ?? stamps[0];
}

/** The resources with the stack's environment on each, as the rules read it. */
export function withEnvironment(resources: readonly PolicyResource[], configured?: string): PolicyResource[] {
    const environment = stackEnvironment(resources, configured);
    return resources.map((r) => ({ ...r, environment }));
}

/** Whether a resource belongs to a production stack (set by withEnvironment). */
export function isProduction(resource: PolicyResource): boolean {
    return (
        resource.environment === PRODUCTION ||
        (resource.environment === undefined && stackOf(resource.urn) === PRODUCTION)
    );
}

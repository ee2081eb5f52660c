/**
 * The resource shape every policy rule reads, and the rule kinds. Types only: rules.ts and the rule
 * files of policy/security/ import them without importing each other.
 */
export interface ResourceOptions {
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly retainOnDelete?: boolean;
    /** Output properties always treated as secrets (known to the policy pack, not to the offline plan). */
    readonly additionalSecretOutputs?: readonly string[];
}

export interface PolicyResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Readonly<Record<string, unknown>>;
    readonly options: ResourceOptions;
    /** URNs this resource depends on (through inputs or dependsOn). */
    readonly dependencies?: readonly string[];
    /** The stack's environment (policy/environment.ts withEnvironment), when known. */
    readonly environment?: string;
}

export interface Violation {
    readonly rule: string;
    /** The resource in violation. */
    readonly urn: string;
    readonly message: string;
}

export interface ResourceRule {
    readonly kind: "resource";
    readonly name: string;
    readonly description: string;
    /** Resource types the rule reads. */
    readonly types: readonly string[];
    /** Messages for one resource of one of `types`; none when it complies. */
    readonly validate: (resource: PolicyResource) => string[];
}

export interface StackRule {
    readonly kind: "stack";
    readonly name: string;
    readonly description: string;
    /** Violations across all of the stack's resources. */
    readonly validate: (resources: readonly PolicyResource[]) => { urn: string; message: string }[];
}

export type Rule = ResourceRule | StackRule;

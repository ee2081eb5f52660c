/**
 * What a cross-field rule is handed: each section's file (stacks/config/<section>.ts) exports its rules
 * in this shape, and stacks/config/index.ts lists them. A rule reads whatever sections parsed (so a typo
 * in one section never hides a problem between others) and needs every section it reads.
 */

export interface CrossFieldProblem {
    /** The key path from the config root, e.g. ["apps", 2, "team"]. */
    readonly path: readonly PropertyKey[];
    readonly message: string;
}

/** Whether the stack file has a section at all: a broken section is reported by the schema, not as missing. */
export type SectionPresent = (section: string) => boolean;

export interface CrossFieldContext {
    readonly stack: string;
    /** Every config value, `namespace:key` → text (github:owner is read from here). */
    readonly values: Readonly<Record<string, string>>;
    readonly present: SectionPresent;
}

/**
 * An optional section as a rule reads it: null when the file has none, undefined when it did not parse
 * (its own problems are reported instead), else its value.
 */
export function optionalSection<T>(value: T | undefined, present: boolean): T | null | undefined {
    return present ? value : null;
}

/**
 * What a production invariant is (stacks/config/invariants.ts states the invariants; hardening rules
 * live in stacks/config/production.ts): its own file, so both can name the shape without importing
 * each other.
 */
import type { SectionPresent } from "./crossField";
import type { PlatformConfigSections } from "./schema";

export interface InvariantProblem {
    readonly path: readonly PropertyKey[];
    readonly message: string;
    /** Set for keys outside this project's namespace (aws:allowedAccountIds). */
    readonly key?: string;
}

export interface Invariant {
    readonly id: string;
    readonly description: string;
    /**
     * Problems of a production config; only sections that parsed are given, and `present` says which
     * sections the file has at all (a broken section is reported by the schema, not as missing).
     */
    readonly check: (
        config: PlatformConfigSections,
        present: SectionPresent,
        /** Every config value, `namespace:key` → text (provider keys such as github:owner). */
        values: Readonly<Record<string, string>>,
        stack: string,
    ) => InvariantProblem[];
    /** The policy-pack rule (policy/rules.ts) that enforces it on a preview, if any. */
    readonly policy?: string;
}

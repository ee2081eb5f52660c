/** Plans programs and stacks under the mocks, for tests. */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import * as fs from "fs";
import { PlannedResource } from "../plan/recorder";
import { PlanInput, Program, PlanResult, runPlan } from "../plan/run";
import { readStackConfig, stackFilePath } from "../plan/stackFile";
import { runPlatform } from "../stacks";
import { ConfigError, ConfigProblem, loadConfig, PlatformConfig, PROJECT } from "../stacks/config";

export const CHECKED_IN_STACKS = ["staging", "production", "local"] as const;

export interface StackOverrides {
    /** Replaces whole top-level keys (`gitops-platform:apps` → value) in plain text; objects are JSON-encoded. */
    readonly set?: Record<string, unknown>;
    /** Keys to remove. */
    readonly remove?: readonly string[];
    /** Secret keys and their plaintext values (they are marked secret). */
    readonly secrets?: Record<string, string>;
}

/** The config of a checked-in stack file, with overrides, as the CLI would pass it. */
export function stackConfig(stack: string, overrides: StackOverrides = {}) {
    const { config, secretKeys } = readStackConfig(stackFilePath(stack));
    for (const key of overrides.remove ?? []) {
        delete config[key];
    }
    for (const [key, value] of Object.entries(overrides.set ?? {})) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const secrets = { ...overrides.secrets };
    for (const [key, value] of Object.entries(secrets)) {
        config[key] = value;
    }
    // A key set in plain text is no longer a secret, as with `pulumi config set` without --secret.
    const plain = new Set([...Object.keys(overrides.set ?? {}), ...(overrides.remove ?? [])]);
    const secret = [...secretKeys.filter((key) => !plain.has(key)), ...Object.keys(secrets)];
    return { config, secretKeys: [...new Set(secret)] };
}

/** A checked-in stack's config with overrides, validated as the program validates it. */
export function platformConfig(stack: string, overrides: StackOverrides = {}): PlatformConfig {
    return validateConfig(stack, stackConfig(stack, overrides));
}

/** Raw config (values and which keys are secret) validated as the program validates it. */
export function validateConfig(
    stack: string,
    { config, secretKeys }: { config: Record<string, string>; secretKeys: readonly string[] },
): PlatformConfig {
    return loadConfig({ values: config, isSecret: (key) => secretKeys.includes(key), stack });
}

/** The problems validation reports for a checked-in stack with overrides (none → []). */
export function configProblems(stack: string, overrides: StackOverrides = {}): readonly ConfigProblem[] {
    try {
        platformConfig(stack, overrides);
        return [];
    } catch (error) {
        if (error instanceof ConfigError) {
            return error.problems;
        }
        throw error;
    }
}

/**
 * Asserts that the problems include one at `key` whose message contains `expect` (a string) or matches
 * it (a RegExp); returns that problem.
 */
export function assertProblemAt(
    problems: readonly ConfigProblem[],
    key: string,
    expect: string | RegExp = /./,
): ConfigProblem {
    const problem = problems.find((p) => p.key === key);
    assert.ok(problem, `no problem at ${key}; got ${JSON.stringify(problems.map((p) => p.key))}`);
    if (typeof expect === "string") {
        assert.ok(problem.message.includes(expect), `message "${problem.message}" lacks "${expect}"`);
    } else {
        assert.match(problem.message, expect);
    }
    return problem;
}

/** The problems of a ConfigError (anything else is rethrown as a failure). */
export function problemsOfError(error: unknown): readonly ConfigProblem[] {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
}

/** A copy of a structured key of a checked-in stack file with `edit` applied, as a `set` override. */
export function edited<T>(stack: string, key: string, edit: (value: T) => void): Record<string, T> {
    const value = structuredClone(stackValue<T>(stack, key));
    edit(value);
    return { [key]: value };
}

/** The parsed value of a top-level key of a checked-in stack file. */
export function stackValue<T = unknown>(stack: string, key: string): T {
    const document = YAML.parse(fs.readFileSync(stackFilePath(stack), "utf8")) as { config: Record<string, T> };
    return document.config[key];
}

/**
 * Plans already made, by program and input. Many files plan the same checked-in stacks, and a plan
 * depends on nothing else (the program reads no environment or file of its own), so each is made
 * once. Results are frozen: a test that changed what it read would change it for every other.
 */
const plans = new WeakMap<Program, Map<string, Promise<PlanResult>>>();

function plan(input: PlanInput, program: Program): Promise<PlanResult> {
    const byInput = plans.get(program) ?? new Map<string, Promise<PlanResult>>();
    plans.set(program, byInput);
    const key = JSON.stringify([input.project, input.stack, input.config, [...input.secretKeys].sort()]);
    const planned = byInput.get(key) ?? runPlan(input, program).then(deepFreeze);
    byInput.set(key, planned);
    return planned;
}

function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
    }
    return value;
}

export function planStack(
    stack: string,
    overrides: StackOverrides = {},
    program: Program = runPlatform,
): Promise<PlanResult> {
    return plan({ project: PROJECT, stack, ...stackConfig(stack, overrides) }, program);
}

/** Plans an arbitrary program (a component under test) with the given raw config. */
export function planProgram(
    program: Program,
    stack = "test",
    config: Record<string, string> = {},
    secretKeys: string[] = [],
): Promise<PlanResult> {
    return plan({ project: PROJECT, stack, config, secretKeys }, program);
}

export function ofType(resources: readonly PlannedResource[], type: string): PlannedResource[] {
    return resources.filter((r) => r.type === type);
}

export function byName(resources: readonly PlannedResource[], type: string, name: string): PlannedResource {
    const found = resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type} named ${name}, found ${found.length}: ${resources
                .filter((r) => r.type === type)
                .map((r) => r.name)
                .join(", ")}`,
        );
    }
    return found[0];
}

/** Loads an ESM-only package (the @kubernetes-models validators) from CommonJS tests. */
export function importEsm<T>(specifier: string): Promise<T> {
    // A real dynamic import: TypeScript's CommonJS output would turn `import()` into `require()`.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the only way to keep import() in CommonJS output
    return (new Function("s", "return import(s)") as (s: string) => Promise<T>)(specifier);
}

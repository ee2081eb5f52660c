/**
 * User chart values over the program's: a deep merge, and the paths the program keeps for itself.
 * Precedence: the user's value wins at every leaf it sets; objects merge key by key; anything else
 * (a list, a string, null) replaces what the program had there whole, as Helm does with `--values`.
 */
import * as pulumi from "@pulumi/pulumi";

/** Chart values as Helm reads them (leaves may be Pulumi inputs). */
export type ChartValues = Readonly<Record<string, unknown>>;

/** A value path the program must control, and why. */
export interface ProtectedValue {
    /** Keys from the root; a key may contain dots (`["configs", "cm", "admin.enabled"]`). */
    readonly path: readonly string[];
    readonly reason: string;
}

/** A user value the program refuses: where it is, what it is, and why. */
export interface ValueProblem {
    /** Keys from the root of the user's values, down to what the user set. */
    readonly path: readonly string[];
    readonly value: unknown;
    readonly message: string;
}

/** Only plain objects merge; a Pulumi Output, a list or a scalar is a leaf. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (value === null || typeof value !== "object") {
        return false;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/** `base` with `override` merged over it; neither is changed. */
export function mergeValues(base: ChartValues, override: ChartValues): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const under = merged[key];
        merged[key] = isPlainObject(value) && isPlainObject(under) ? mergeValues(under, value) : value;
    }
    return merged;
}

/** `configs.cm["admin.enabled"]`: how a path reads in a values file. */
export function valuePath(path: readonly string[]): string {
    return path
        .map((key, i) => (/^[A-Za-z_][\w-]*$/.test(key) ? `${i === 0 ? "" : "."}${key}` : `["${key}"]`))
        .join("");
}

/**
 * Every place `user` would change a protected path: a value at or under it, or a non-object at one
 * of its parents (which would replace the object holding it).
 */
export function protectedValueProblems(user: ChartValues, protections: readonly ProtectedValue[]): ValueProblem[] {
    const problems: ValueProblem[] = [];
    for (const { path, reason } of protections) {
        let current: unknown = user;
        for (let depth = 0; depth < path.length; depth++) {
            if (!isPlainObject(current) || !(path[depth] in current)) {
                break;
            }
            current = current[path[depth]];
            const at = path.slice(0, depth + 1);
            if (depth === path.length - 1 || !isPlainObject(current)) {
                const what = depth === path.length - 1 ? "is" : `holds ${valuePath(path)}, which is`;
                problems.push({
                    path: at,
                    value: current,
                    message: `${valuePath(at)} ${what} set by the program and cannot be overridden: ${reason}`,
                });
                break;
            }
        }
    }
    return problems;
}

/** A component's chart values with the user's merged over them; refuses a protected path, naming it. */
export function withUserValues(
    chart: string,
    program: ChartValues,
    user: ChartValues | undefined,
    protections: readonly ProtectedValue[],
    resource: pulumi.Resource,
): Record<string, unknown> {
    const problems = protectedValueProblems(user ?? {}, protections);
    if (problems.length > 0) {
        throw new pulumi.ResourceError(
            `${chart} values: ${problems.map((p) => `${p.message} (got ${JSON.stringify(p.value)})`).join("; ")}`,
            resource,
        );
    }
    return mergeValues(program, user ?? {});
}

/**
 * Building blocks shared by every section of the stack config schema: strict objects that suggest
 * the key a typo meant, and the value rules (DNS names, exact versions, CIDRs) the sections reuse.
 */
import { z } from "zod";
import { EXACT_VERSION } from "../../components/core/versions";
import { parseCidr } from "../../components/cluster/cidr";

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}

/** The known key closest to `key`, if it is close enough to be a likely typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
    const ranked = known
        .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
        .sort((x, y) => x.distance - y.distance);
    const best = ranked[0];
    return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.candidate : undefined;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
    const suggestion = suggestKey(key, known);
    const hint = suggestion ? `did you mean "${suggestion}"?` : `known keys: ${known.join(", ")}`;
    return `unknown key "${key}"; ${hint}`;
}

/** Messages for several unknown keys in one object are joined with this; the loader splits them again. */
export const UNKNOWN_KEY_SEPARATOR = "\n";

/**
 * An object that rejects unknown keys, each reported with the key it most likely meant.
 * `explain` may give a better message for a key that is known elsewhere (an option of the other engine).
 */
export function strictObject<T extends z.ZodRawShape>(shape: T, explain?: (key: string) => string | undefined) {
    const known = Object.keys(shape);
    return z.strictObject(shape, {
        error: (issue) => {
            if (issue.code === "unrecognized_keys") {
                return issue.keys
                    .map((key) => explain?.(key) ?? unknownKeyMessage(key, known))
                    .join(UNKNOWN_KEY_SEPARATOR);
            }
            return undefined;
        },
    });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const dnsLabel = z
    .string()
    .max(63, "expected a DNS-1123 label of at most 63 characters")
    .regex(
        DNS_LABEL,
        "expected a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
    );

export { EXACT_VERSION };
export const exactVersion = z
    .string()
    .regex(EXACT_VERSION, "expected an exact version such as 1.2.3, not a range or a tag like 'latest'");

export const cidr = z.string().refine((value) => parseCidr(value) !== undefined, {
    message: "expected an IPv4 CIDR block such as 10.0.0.0/16, with no host bits set",
});

/** A list of names with no repeats; the message names the repeated one. */
export function uniqueNames<T>(
    items: readonly T[],
    nameOf: (item: T) => string,
    ctx: z.RefinementCtx,
    what: string,
): void {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
        const name = nameOf(item);
        const first = seen.get(name);
        if (first !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: [index, "name"],
                input: name,
                message: `duplicate ${what} "${name}" (also at index ${first}); each ${what} needs a unique name`,
            });
        } else {
            seen.set(name, index);
        }
    });
}

/** An IAM role ARN (account ID, optional path). */
export const iamRoleArn = z
    .string()
    .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
        "expected an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins",
    );

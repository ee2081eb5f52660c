/**
 * Building blocks shared by every section of the stack config schema: strict objects that suggest
 * the key a typo meant, and the value rules (DNS names, exact versions, CIDRs) the sections reuse.
 */
import { z } from "zod";
import { EXACT_VERSION } from "../../components/core/versions";
import { parseCidr } from "../../components/cluster/cidr";
import { protectedValueProblems, ProtectedValue } from "../../components/core/values";
import { normalGitUrl } from "../../components/repository/hosts";

/** The project's config namespace: `gitops-platform:<key>` in Pulumi.<stack>.yaml. */
export const PROJECT = "gitops-platform";

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

/**
 * The namespaces Kubernetes creates itself (kubernetes/website content/en/docs/concepts/overview/
 * working-with-objects/namespaces.md, "Initial namespaces"): nothing of the platform belongs there.
 */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** A namespace a platform component (engine, secrets operator) installs into. */
export const componentNamespace = dnsLabel.refine(
    (namespace) => !SYSTEM_NAMESPACES.includes(namespace),
    `a system namespace (${SYSTEM_NAMESPACES.join(", ")}): give the component a namespace of its own`,
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

/** ASCII control characters (below space, and DEL), which git and file systems refuse in names. */
function hasControlCharacter(text: string): boolean {
    return [...text].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);
}

/**
 * A git branch or tag name as `git check-ref-format --branch` takes it (git
 * Documentation/git-check-ref-format.txt, rules 1 and 3–10): no component starting with "." or
 * ending in ".lock", no "..", no control characters, space, ~ ^ : ? * [ or \, no trailing "/" or
 * ".", no "@{", not "@"; and, as --branch adds, not starting with "-". HEAD names whatever is
 * checked out, not a fixed ref. Shell metacharacters (which git allows) are refused too: a ref name
 * is passed to git, CI and promote as a word, and `$(...)` or `;` in one is never a real branch.
 */
export function gitRefProblem(name: string): string | undefined {
    const rules: [boolean, string][] = [
        [name === "HEAD" || name === "@", `"${name}" names whatever is checked out, not a fixed branch or tag`],
        [name.startsWith("-"), 'a ref name cannot start with "-" (git would read it as an option)'],
        [
            hasControlCharacter(name) || /[ ~^:?*[\\]/.test(name),
            "git refuses control characters, spaces and ~ ^ : ? * [ \\ in ref names",
        ],
        [
            /[$`;&|<>(){}'"!#]/.test(name),
            "shell metacharacters ($ ` ; & | < > ( ) { } ' \" ! #) are refused in ref names",
        ],
        [name.includes(".."), 'git refuses ".." in ref names'],
        [name.includes("@{"), 'git refuses "@{" in ref names'],
        [
            name.split("/").some((part) => part === "" || part.startsWith(".") || part.endsWith(".lock")),
            'git refuses empty components, components starting with "." and components ending in ".lock"',
        ],
        [name.endsWith("."), 'git refuses ref names ending in "."'],
    ];
    return rules.find(([broken]) => broken)?.[1];
}

export const gitRefName = z
    .string()
    .min(1)
    .superRefine((name, ctx) => {
        const problem = gitRefProblem(name);
        if (problem) {
            ctx.addIssue({ code: "custom", message: `${problem}: use a branch or tag name such as main or v1.4.2` });
        }
    });

/** A path inside a repository: relative, "/"-separated, never leaving the repository root. */
export const repositoryPath = z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
        const parts = path.split("/");
        const problem = path.startsWith("/")
            ? "an absolute path"
            : /^[A-Za-z]:|\\/.test(path)
              ? "a Windows path (drive letter or backslash)"
              : parts.includes("..")
                ? 'a path with ".." that can leave the repository'
                : hasControlCharacter(path)
                  ? "a path with control characters"
                  : undefined;
        if (problem) {
            ctx.addIssue({
                code: "custom",
                message: `${problem}: give the folder relative to the repository root, such as deploy/overlays/production`,
            });
        }
    });

/**
 * GitHub account (organization or user) names: ASCII letters, digits and single hyphens, not at
 * either end, at most 39 characters (GitHub's sign-up form; dead-claudia/github-limits README, "User
 * names" and "Organization names").
 */
export const GITHUB_OWNER = /^(?=.{1,39}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/;

/**
 * GitHub repository names: ASCII letters, digits, ".", "-" and "_", at most 100 characters, not "."
 * or "..", not ending in ".git" (github/docs issue 44518 on the repository-limits page;
 * dead-claudia/github-limits pull request 5 on "." and "..").
 */
export const githubRepositoryName = z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, "expected a GitHub repository name: letters, digits, '-', '_' and '.'")
    .refine((name) => name !== "." && name !== "..", 'GitHub reserves "." and ".." as repository names')
    .refine(
        (name) => !name.toLowerCase().endsWith(".git"),
        'GitHub refuses repository names ending in ".git": drop it',
    );

/**
 * Kubernetes label keys and values (kubernetes/apimachinery pkg/util/validation/validation.go,
 * IsQualifiedName and IsValidLabelValue): a name of at most 63 characters, alphanumerics, "-", "_"
 * and "." inside, alphanumeric at both ends, with an optional DNS-1123 subdomain prefix of at most
 * 253 characters and "/"; a value of the same shape, or empty.
 */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | undefined {
    const parts = key.split("/");
    if (parts.length > 2) {
        return 'a label key has at most one "/", between a DNS prefix and the name';
    }
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
        return "a label key prefix is a lower-case DNS subdomain such as example.com";
    }
    if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
        return "a label name is at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    }
    return undefined;
}

export const labelKey = z.string().superRefine((key, ctx) => {
    const problem = labelKeyProblem(key);
    if (problem) {
        ctx.addIssue({ code: "custom", message: `Kubernetes refuses the label key "${key}": ${problem}` });
    }
});

export const labelValue = z
    .string()
    .max(63, "Kubernetes label values are at most 63 characters")
    .refine(
        (value) => value === "" || QUALIFIED_NAME.test(value),
        "Kubernetes label values are letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)",
    );

export const labels = z.record(labelKey, labelValue);

/**
 * The repository path of a Git URL (`owner/repo.git` of https://host/owner/repo.git, ssh://git@host/
 * owner/repo.git or git@host:owner/repo.git), without slashes at either end; undefined when the URL
 * does not parse.
 */
export function gitUrlRepositoryPath(url: string): string | undefined {
    try {
        return decodeURIComponent(new URL(normalGitUrl(url)).pathname).replace(/^\/+|\/+$/g, "");
    } catch {
        return undefined;
    }
}

/** A Git clone URL that names a repository: on GitHub `owner/repo`, elsewhere at least one path segment. */
export const gitRepositoryUrl = z
    .string()
    .regex(
        /^(https:\/\/[^\s]+|ssh:\/\/[^\s]+|git@[^\s:]+:[^\s]+)$/,
        "expected a Git URL: https://host/owner/repo.git, ssh://git@host/owner/repo.git or git@host:owner/repo.git",
    )
    .superRefine((url, ctx) => {
        const path = gitUrlRepositoryPath(url);
        const segments = (path ?? "").split("/").filter((segment) => segment !== "");
        const onGithub = /^(https:\/\/|ssh:\/\/(git@)?|git@)github\.com[:/]/.test(url);
        const problem =
            path === undefined
                ? "expected a Git URL with a host"
                : segments.length === 0 || segments.includes("..") || segments.includes(".")
                  ? "names no repository"
                  : onGithub && segments.length !== 2
                    ? "a GitHub URL names owner/repository"
                    : undefined;
        if (problem) {
            ctx.addIssue({
                code: "custom",
                message: `${problem}: give the repository's clone URL, such as https://github.com/acme/payments-api.git`,
            });
        }
    });

/** A chart's `values`: any mapping, except at the paths its component controls (each refused with its reason). */
export function chartValues(protections: readonly ProtectedValue[]) {
    return z
        .record(z.string(), z.unknown())
        .superRefine((values, ctx) => {
            for (const problem of protectedValueProblems(values, protections)) {
                ctx.addIssue({
                    code: "custom",
                    path: [...problem.path],
                    input: problem.value,
                    message: problem.message,
                });
            }
        })
        .optional();
}

/**
 * Policy rules of the CI roles added with the drift role (components/ci): the role that may read the
 * stack's secret values for `preview --refresh` is trusted by the `drift` environment alone, which
 * admits the default branch only, so no pull request's code can assume it.
 */
import type { PolicyResource, ResourceRule } from "./types";

const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const DRIFT_SUBJECT = /:environment:drift$/;

function parsed(document: unknown): unknown {
    try {
        return typeof document === "string" ? JSON.parse(document) : undefined;
    } catch {
        return undefined;
    }
}

/** The `sub` values GitHub-federated Allow statements of a trust policy admit, whatever the operator. */
export function githubSubjects(trust: unknown): string[] {
    const statements = [(parsed(trust) as { Statement?: unknown } | undefined)?.Statement ?? []].flat() as {
        Effect?: string;
        Principal?: { Federated?: unknown };
        Condition?: Record<string, Record<string, unknown>>;
    }[];
    return statements
        .filter((s) => s.Effect === "Allow" && String(s.Principal?.Federated ?? "").endsWith(GITHUB_ISSUER))
        .flatMap((s) =>
            Object.values(s.Condition ?? {}).flatMap((keys) =>
                [keys[`${GITHUB_ISSUER}:sub`]].flat().filter((v): v is string => typeof v === "string"),
            ),
        );
}

export const driftRoleDriftOnly: ResourceRule = {
    kind: "resource",
    name: "ci-drift-role-drift-environment-only",
    description:
        "A role trusted by the drift environment (it reads secret values) is trusted by no other GitHub subject.",
    types: ["aws:iam/role:Role"],
    validate: (r: PolicyResource) => {
        const subjects = githubSubjects(r.props.assumeRolePolicy);
        return subjects.some((s) => DRIFT_SUBJECT.test(s))
            ? subjects
                  .filter((s) => !DRIFT_SUBJECT.test(s))
                  .map(
                      (s) =>
                          `drift role ${r.name} also trusts "${s}": only repo:<owner>/<repo>:environment:drift (main only) may assume a role that reads secrets`,
                  )
            : [];
    },
};

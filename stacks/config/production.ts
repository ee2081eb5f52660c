/**
 * Production invariants of issue 25: the guardrails a production stack file could still turn off
 * (classic protection, another stack's GitOps repository, another repository's deploy environment,
 * chart values beyond tuning, admin roles of another account, third-party sources at a movable tag,
 * short log retention, the local Prometheus stack). Listed with the others in invariants.ts; each
 * names the policy-pack rule that flags the same on a preview (docs/production.md).
 */
import { isFullCommitSha } from "../../components/gitops/revisions";
import type { PlatformConfigSections } from "./schema";
import type { Invariant, InvariantProblem } from "./invariant";
import { untunableValues } from "./tunables";

const problem = (path: readonly PropertyKey[], id: string, message: string): InvariantProblem[] => [
    { path, message: `production invariant ${id}: ${message}` },
];

/** AWS account ids, from `aws:allowedAccountIds` (@pulumi/aws 7.48.0 config/vars.js: getObject, a list). */
function allowedAccounts(values: Readonly<Record<string, string>>): string[] | undefined {
    const text = values["aws:allowedAccountIds"];
    if (text === undefined) {
        return undefined;
    }
    try {
        const parsed: unknown = JSON.parse(text);
        return Array.isArray(parsed) ? parsed.map(String) : undefined;
    } catch {
        return undefined;
    }
}

const accountOf = (arn: string) => /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1];

/** Role ARNs the config gives cluster access, by their key paths. */
function roleArns(config: PlatformConfigSections): [PropertyKey[], string][] {
    const cluster = config.cluster?.type === "eks" ? config.cluster : undefined;
    return [
        ...(cluster?.adminRoleArns ?? []).map((arn, i): [PropertyKey[], string] => [
            ["cluster", "adminRoleArns", i],
            arn,
        ]),
        ...(cluster?.viewerRoleArns ?? []).map((arn, i): [PropertyKey[], string] => [
            ["cluster", "viewerRoleArns", i],
            arn,
        ]),
        ...Object.entries(config.teams ?? {}).flatMap(([team, t]): [PropertyKey[], string][] =>
            t.roleArn === undefined ? [] : [[["teams", team, "roleArn"], t.roleArn]],
        ),
    ];
}

/** The chart each values key is merged into. */
function chartValueSections(config: PlatformConfigSections): [PropertyKey[], string, Record<string, unknown>][] {
    const sections: [PropertyKey[], string, Record<string, unknown> | undefined][] = [
        [["engine", "values"], config.engine?.type === "flux" ? "flux-operator" : "argo-cd", config.engine?.values],
        [
            ["secrets", "values"],
            "external-secrets",
            config.secrets !== undefined && "values" in config.secrets ? config.secrets.values : undefined,
        ],
        [["delivery", "values"], config.engine?.type === "flux" ? "flagger" : "argo-rollouts", config.delivery?.values],
    ];
    return sections.filter((s): s is [PropertyKey[], string, Record<string, unknown>] => s[2] !== undefined);
}

/** Minimum retention of production's control-plane logs: a quarter, to look back past an incident. */
export const PRODUCTION_LOG_RETENTION_DAYS = 90;

export const HARDENING_INVARIANTS: readonly Invariant[] = [
    {
        id: "production-reviewers",
        description: "the production deployment environments have required reviewers",
        check: (c) =>
            c.github !== undefined &&
            c.github.productionReviewers.users.length + c.github.productionReviewers.teams.length === 0
                ? problem(
                      ["github", "productionReviewers"],
                      "production-reviewers",
                      "nobody would review a production deploy: list the users or teams (up to six) who approve it",
                  )
                : [],
        policy: "environment-production-reviewed",
    },
    {
        id: "private-repositories",
        description: "production's repositories are private or internal",
        check: (c) =>
            [
                [["gitopsRepository", "visibility"], c.gitopsRepository?.visibility] as const,
                [["github", "deployRepository", "visibility"], c.github?.deployRepository?.visibility] as const,
                ...Object.entries(c.github?.appRepositories ?? {}).map(
                    ([name, repository]) =>
                        [["github", "appRepositories", name, "visibility"], repository.visibility] as const,
                ),
            ]
                .filter(([, visibility]) => visibility === "public")
                .flatMap(([path]) =>
                    problem(
                        path,
                        "private-repositories",
                        'a public repository shows production\'s manifests and settings to everyone: set visibility to "private" or "internal"',
                    ),
                ),
        policy: "no-public-repository-in-production",
    },
    {
        id: "ruleset-protection",
        description: "repositories are protected by rulesets (with the release-tag ruleset and app-bound checks)",
        check: (c) =>
            c.github?.protection.mode === "classic"
                ? problem(
                      ["github", "protection", "mode"],
                      "ruleset-protection",
                      'classic branch protection has no tag ruleset and no app-bound required checks: set mode to "ruleset" (rulesets on private repositories need GitHub Team or Enterprise)',
                  )
                : [],
        policy: "production-protected-by-rulesets",
    },
    {
        id: "own-gitops-repository",
        description: "production manages its own GitOps repository, protected at production strength",
        // A managedBy naming this stack, or with adopt, is reported by repositoryProblems already.
        check: (c, _present, _values, stack) =>
            c.gitopsRepository?.managedBy !== undefined &&
            c.gitopsRepository.managedBy !== stack &&
            !c.gitopsRepository.adopt
                ? problem(
                      ["gitopsRepository", "managedBy"],
                      "own-gitops-repository",
                      `stack ${c.gitopsRepository.managedBy} would protect production's GitOps repository at its own strength: remove managedBy, so production declares it and its rulesets`,
                  )
                : [],
        policy: "production-gitops-repository-declared",
    },
    {
        id: "ci-gated-repository",
        description: "the deploy role trusts the production environment of the repository this stack gates",
        // Without deployRepository, deploy-repository-gated names the fix.
        check: (c) => {
            const gated = c.github?.deployRepository?.name;
            return c.ci?.repository !== undefined && gated !== undefined && c.ci.repository !== gated
                ? problem(
                      ["ci", "repository"],
                      "ci-gated-repository",
                      `the deploy role would trust the production environment of ${c.ci.repository}, whose reviewers this stack does not declare: remove ci.repository, or set it to github.deployRepository.name (${gated})`,
                  )
                : [];
        },
        policy: "ci-deploy-role-gated-environment",
    },
    {
        id: "own-account-roles",
        description: "cluster access goes to IAM roles of the stack's own AWS account (aws:allowedAccountIds)",
        check: (c, _present, values) => {
            if (c.cluster?.type !== "eks") {
                return [];
            }
            const accounts = allowedAccounts(values);
            if (accounts === undefined || accounts.length !== 1) {
                return [
                    {
                        path: [],
                        key: "aws:allowedAccountIds",
                        message:
                            'production invariant own-account-roles: name production\'s one AWS account, so the provider refuses any other and admin roles are checked against it: pulumi config set --path "aws:allowedAccountIds[0]" <account id>',
                    },
                ];
            }
            return roleArns(c)
                .filter(([, arn]) => accountOf(arn) !== accounts[0])
                .flatMap(([path, arn]) =>
                    problem(
                        path,
                        "own-account-roles",
                        `${arn} is a role of account ${accountOf(arn) ?? "?"}, not production's ${accounts[0]}: another account's administrators would get this access; use a role of ${accounts[0]}`,
                    ),
                );
        },
        policy: "eks-access-own-account",
    },
    {
        id: "tunable-values-only",
        description: "chart values only tune the charts (replicas, resources, scheduling, pod metadata)",
        check: (c) =>
            chartValueSections(c).flatMap(([path, chart, values]) =>
                untunableValues(chart, values).flatMap((v) =>
                    problem([...path, ...v.path], "tunable-values-only", v.message),
                ),
            ),
        policy: "production-chart-values-hardened",
    },
    {
        id: "third-party-commit",
        description: "apps from repositories outside github:owner are pinned to a full commit SHA",
        check: (c, _present, values) => {
            const owner = values["github:owner"]?.toLowerCase();
            return (c.apps ?? []).flatMap((app, index) => {
                const url = app.source.url;
                const ours = owner !== undefined && url !== undefined && ownerOfUrl(url) === owner;
                return url === undefined || ours || isFullCommitSha(app.source.revision)
                    ? []
                    : problem(
                          ["apps", index, "source", "revision"],
                          "third-party-commit",
                          `${url} is another owner's repository, whose tags its owner can move: pin the full 40-character commit SHA the tag points at (git ls-remote ${url} refs/tags/${app.source.revision.replace(/^refs\/tags\//, "")})`,
                      );
            });
        },
        policy: "production-third-party-commit",
    },
    {
        id: "log-retention",
        description: `control-plane logs are kept at least ${PRODUCTION_LOG_RETENTION_DAYS} days`,
        check: (c) =>
            c.cluster?.type === "eks" && c.cluster.logRetentionDays < PRODUCTION_LOG_RETENTION_DAYS
                ? problem(
                      ["cluster", "logRetentionDays"],
                      "log-retention",
                      `${c.cluster.logRetentionDays} days is too short to investigate an incident: keep at least ${PRODUCTION_LOG_RETENTION_DAYS} (365 is the default)`,
                  )
                : [],
        policy: "log-group-retention",
    },
    {
        id: "no-bundled-prometheus",
        description: "the kube-prometheus-stack meant for local clusters is not installed",
        check: (c) =>
            c.monitoring?.installPrometheusStack === true
                ? problem(
                      ["monitoring", "installPrometheusStack"],
                      "no-bundled-prometheus",
                      "the bundled kube-prometheus-stack is for local clusters (no HA, no retention, default credentials): remove it and point selectorLabels at production's Prometheus Operator",
                  )
                : [],
        policy: "production-no-bundled-prometheus",
    },
];

/** `https://github.com/acme/x.git`, `git@github.com:acme/x.git`, `ssh://git@github.com/acme/x` → `acme`. */
export function ownerOfUrl(url: string): string | undefined {
    return /^(?:[a-z+]+:\/\/(?:[^@/]+@)?[^/]+\/|[^@/]+@[^:]+:)([^/]+)\//i.exec(url)?.[1]?.toLowerCase();
}

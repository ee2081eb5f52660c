/**
 * Production rules of issue 25, over a preview or the offline plan: what a production stack file (or a
 * hand-edited program) could still weaken. Each is the pack's half of an invariant of
 * stacks/config/production.ts (docs/production.md lists both). Registered in policy/pack.ts.
 */
import { isFullCommitSha } from "../components/gitops/revisions";
import { isProduction } from "./environment";
import { at, firstString, list, nameOf, OPAQUE, resource, stack, T, truthy, unless } from "./security/shared";
import type { PolicyResource, Rule } from "./types";

const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const CLASSIC_PROTECTION = [
    "github:index/branchProtection:BranchProtection",
    "github:index/branchProtectionV3:BranchProtectionV3",
];
const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";
const GIT_REPOSITORY = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository";

/** `ssh://git@github.com/acme/x.git`, `git@github.com:acme/x.git`, `https://github.com/acme/x` → [owner, name]. */
export function repositoryOfUrl(url: unknown): [string, string] | undefined {
    const match = /^(?:[a-z+]+:\/\/(?:[^@/]+@)?[^/]+\/|[^@/]+@[^:]+:)([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(
        String(url),
    );
    return match ? [match[1].toLowerCase(), match[2]] : undefined;
}

/** [owner, name] of the repository the engine's root sync reads (Argo CD's root Application, a FluxInstance's sync). */
function gitopsRepositoryOf(resources: readonly PolicyResource[]): [string, string] | undefined {
    const root = resources.find(
        (r) =>
            r.type === APPLICATION && at(r.props, "metadata", "labels", "team") === undefined && nameOf(r) === "root",
    );
    return repositoryOfUrl(
        root
            ? at(root.props, "spec", "source", "repoURL")
            : at(resources.find((r) => r.type === T.fluxInstance)?.props, "spec", "sync", "url"),
    );
}

const productionOnly = (resources: readonly PolicyResource[]) => resources.filter(isProduction);

/** Classic branch protection has no tag ruleset and no app-bound checks: production uses rulesets. */
const protectedByRulesets = stack(
    "production-protected-by-rulesets",
    "Production's repositories are protected by an active branch ruleset, never by classic branch protection.",
    (all) => {
        const resources = productionOnly(all);
        return [
            ...resources
                .filter((r) => CLASSIC_PROTECTION.includes(r.type))
                .map((r) => ({
                    urn: r.urn,
                    message: `${r.name} is classic branch protection in production: it has no release-tag ruleset and no app-bound checks; use a repository ruleset (github.protection.mode: ruleset)`,
                })),
            ...resources
                .filter((r) => r.type === T.repository)
                .filter(
                    (repo) =>
                        !resources.some(
                            (p) =>
                                p.type === T.ruleset &&
                                (p.props.target ?? "branch") === "branch" &&
                                (p.props.repository === repo.props.name || (p.dependencies ?? []).includes(repo.urn)),
                        ),
                )
                .map((r) => ({
                    urn: r.urn,
                    message: `repository "${firstString(r.props.name, r.name)}" has no branch ruleset in production: declare one (github.protection.mode: ruleset)`,
                })),
        ];
    },
);

/** A GitOps repository production only registers a key on is protected by another stack, at its strength. */
const gitopsRepositoryDeclared = stack(
    "production-gitops-repository-declared",
    "A production stack that manages GitHub declares its GitOps repository itself (no managedBy to another stack).",
    (all) => {
        const resources = productionOnly(all);
        const name = gitopsRepositoryOf(resources)?.[1];
        const keyed = resources.find((r) => r.type === T.deployKey && r.props.repository === name);
        const declared = resources.some((r) => r.type === T.repository && r.props.name === name);
        return keyed === undefined || declared
            ? []
            : [
                  {
                      urn: keyed.urn,
                      message: `production syncs from ${name}, which another stack declares and protects at its own strength: remove gitopsRepository.managedBy so production declares it`,
                  },
              ];
    },
);

/** The `repo:<owner>/<name>:environment:production` subjects a role's GitHub trust admits. */
function productionSubjects(role: PolicyResource): string[] {
    const document = role.props.assumeRolePolicy;
    if (typeof document !== "string" || OPAQUE.includes(document)) {
        return [];
    }
    return [at(JSON.parse(document), "Statement")]
        .flat()
        .flatMap((s) => Object.values((at(s, "Condition") ?? {}) as Record<string, unknown>))
        .flatMap((keys) => [at(keys, `${GITHUB_ISSUER}:sub`)].flat())
        .filter((v): v is string => typeof v === "string" && v.endsWith(":environment:production"));
}

/** The deploy role is as safe as the reviewers of the environment it trusts: that environment must be this stack's. */
const deployRoleGated = stack(
    "ci-deploy-role-gated-environment",
    "A production role trusted by a repository's production environment trusts one this stack declares (with its reviewers).",
    (all) => {
        const resources = productionOnly(all);
        return resources
            .filter((r) => r.type === T.iamRole)
            .flatMap((role) =>
                productionSubjects(role)
                    .filter((subject) => {
                        const repository = /^repo:[^/]+\/([^:]+):/.exec(subject)?.[1];
                        return !resources.some(
                            (e) =>
                                e.type === T.environment &&
                                e.props.environment === "production" &&
                                e.props.repository === repository,
                        );
                    })
                    .map((subject) => ({
                        urn: role.urn,
                        message: `role ${role.name} trusts "${subject}", an environment this stack does not declare or gate: trust github.deployRepository's production environment (remove ci.repository)`,
                    })),
            );
    },
);

const accountOf = (arn: unknown) => /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(String(arn))?.[1];

/** Access for another account's role is access for whoever administers that account. */
const accessOwnAccount = stack(
    "eks-access-own-account",
    "Production's EKS access entries all name roles of one AWS account (the stack's: aws:allowedAccountIds in config).",
    (all) => {
        const entries = productionOnly(all).filter((r) => r.type === T.accessEntry && accountOf(r.props.principalArn));
        const counts = new Map<string, number>();
        entries.forEach((e) =>
            counts.set(accountOf(e.props.principalArn)!, (counts.get(accountOf(e.props.principalArn)!) ?? 0) + 1),
        );
        const home = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
        return entries
            .filter((e) => accountOf(e.props.principalArn) !== home)
            .map((e) => ({
                urn: e.urn,
                message: `access entry ${e.name} admits ${String(e.props.principalArn)} of account ${accountOf(e.props.principalArn)}, not production's ${home}: use a role of production's account`,
            }));
    },
);

/**
 * Settings that undo the hardening whatever the allow-list of config says, read from the merged values:
 * extraObjects in any chart (argo-cd 10.1.1, external-secrets 2.9.0 values.yaml: raw manifests, a
 * ClusterRoleBinding included); in argo-cd's argocd-cm a local account with login (`accounts.<name>:
 * login`), OIDC without TLS verification (`oidc.tls.insecure.skip.verify`), and argocd-cmd-params-cm's
 * `server.insecure` (Argo CD docs operator-manual/argocd-cm.yaml and argocd-cmd-params-cm.yaml).
 */
function hardeningBreaks(chart: string, values: unknown): string[] {
    const cm = (at(values, "configs", "cm") ?? {}) as Record<string, unknown>;
    return [
        ...unless(list(at(values, "extraObjects")).length === 0, "extraObjects (raw manifests beside the chart's)"),
        ...(chart === "argo-cd"
            ? [
                  ...Object.entries(cm)
                      .filter(([key, value]) => /^accounts\.[^.]+$/.test(key) && String(value).includes("login"))
                      .map(([key]) => `configs.cm["${key}"] (a local account with login)`),
                  ...unless(
                      !truthy(cm["oidc.tls.insecure.skip.verify"]),
                      'configs.cm["oidc.tls.insecure.skip.verify"]',
                  ),
                  ...unless(
                      !truthy(at(values, "configs", "params", "server.insecure")),
                      'configs.params["server.insecure"]',
                  ),
              ]
            : []),
    ];
}

const chartValuesHardened = resource(
    "production-chart-values-hardened",
    "Production Helm releases carry no extraObjects, and Argo CD no local login account, no OIDC TLS skip-verify and no insecure server.",
    [T.helmRelease],
    (r) => {
        if (!isProduction(r) || OPAQUE.includes(String(r.props.values))) {
            return [];
        }
        return hardeningBreaks(String(r.props.chart), r.props.values).map(
            (what) =>
                `${String(r.props.chart)} release ${r.name} sets ${what} in production: remove it from the chart values`,
        );
    },
);

/**
 * A production app from another owner's repository is pinned to a full commit SHA: its owner can move
 * its tags. "Another owner" is judged against the GitOps repository's owner (the root sync's URL).
 */
const thirdPartyCommit = stack(
    "production-third-party-commit",
    "Production apps whose repository belongs to another owner than the GitOps repository's deploy a full commit SHA.",
    (all) => {
        const resources = productionOnly(all);
        const owner = gitopsRepositoryOf(resources)?.[0];
        const source = (r: PolicyResource): [unknown, unknown] =>
            r.type === APPLICATION
                ? [at(r.props, "spec", "source", "repoURL"), at(r.props, "spec", "source", "targetRevision")]
                : [at(r.props, "spec", "url"), at(r.props, "spec", "ref", "commit")];
        return resources
            .filter(
                (r) =>
                    (r.type === APPLICATION && typeof at(r.props, "metadata", "labels", "team") === "string") ||
                    r.type === GIT_REPOSITORY,
            )
            .filter((r) => {
                const [url, revision] = source(r);
                const repository = repositoryOfUrl(url);
                return (
                    owner !== undefined &&
                    repository !== undefined &&
                    repository[0] !== owner &&
                    !isFullCommitSha(String(revision))
                );
            })
            .map((r) => ({
                urn: r.urn,
                message: `${nameOf(r)} deploys ${String(source(r)[0])} at ${JSON.stringify(source(r)[1] ?? null)} in production: another owner can move that; pin the full commit SHA`,
            }));
    },
);

const noBundledPrometheus = resource(
    "production-no-bundled-prometheus",
    "Production does not install the kube-prometheus-stack meant for local clusters.",
    [T.helmRelease],
    (r) =>
        unless(
            !isProduction(r) || r.props.chart !== "kube-prometheus-stack",
            `release ${r.name} installs kube-prometheus-stack in production: remove monitoring.installPrometheusStack and use production's Prometheus Operator`,
        ),
);

export const PRODUCTION_RULES: readonly Rule[] = [
    protectedByRulesets,
    gitopsRepositoryDeclared,
    deployRoleGated,
    accessOwnAccount,
    chartValuesHardened,
    thirdPartyCommit,
    noBundledPrometheus,
];

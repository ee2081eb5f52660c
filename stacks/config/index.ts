/**
 * The stack's whole configuration: one schema, validated before anything is declared.
 * Every problem is reported at once, each with the key path as the user writes it in
 * Pulumi.<stack>.yaml, the value found there and what is expected instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { imageUpdaterPolicyProblem } from "../../components/gitops/argocd/imageUpdater";
import { isCommitSha, isReleaseTag } from "../../components/gitops/revisions";
import { AppConfig, appDefaultsConfig, appsConfig, teamConfig } from "./apps";
import { ciConfig, ciProblems } from "./ci";
import { clusterConfig } from "./cluster";
import { deliveryConfig, deliveryProblems } from "./delivery";
import { engineConfig } from "./engine";
import { fleetConfig, fleetProblems } from "./fleet";
import { monitoringConfig } from "./monitoring";
import { notificationsConfig } from "./notifications";
import { githubConfig, gitopsRepositoryConfig, repositoryProblems } from "./repositories";
import { dnsLabel, GITHUB_OWNER, strictObject, suggestKey, SYSTEM_NAMESPACES, UNKNOWN_KEY_SEPARATOR } from "./rules";
import { PRODUCTION_INVARIANTS, stackEnvironmentProblems } from "./invariants";
import { secretsConfig, secretsPrefixProblem } from "./secrets";
import { profileOf } from "../profiles";
import { reachabilityProblems } from "./reach";

export const PROJECT = "gitops-platform";

/** Top-level keys whose values are secrets: they must be set with `pulumi config set --secret`. */
export const SECRET_KEYS = ["ssoClientSecret", "slackWebhookUrl", "githubStatusToken"] as const;

/**
 * Config namespaces the program reads: its own, the providers it uses (aws, github, kubernetes, tls)
 * and the CLI's own `pulumi:` keys (pulumi:tags, pulumi:disable-default-providers).
 */
export const KNOWN_NAMESPACES: readonly string[] = [PROJECT, "aws", "github", "kubernetes", "tls", "pulumi", "vault"];

/** AWS region codes (docs.aws.amazon.com/general/latest/gr/rande.html): eu-west-1, us-gov-west-1, ap-southeast-5. */
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Provider keys that hold credentials; like SECRET_KEYS they must be set with --secret. */
export const CREDENTIAL_KEYS: readonly string[] = [
    "github:token",
    "github:appAuth",
    "aws:secretKey",
    "aws:accessKey",
    "aws:token",
    "kubernetes:kubeconfig",
    "vault:token",
];

/**
 * Release tags (v1.4.2, grafana-10.1.4) and commit SHAs: revisions that do not move under a
 * deployed environment. Anything else is taken for a branch.
 */
export function isImmutableRevision(revision: string): boolean {
    return isReleaseTag(revision) || isCommitSha(revision);
}

const projectSchema = strictObject({
    environment: z.enum(["staging", "production", "local"]),
    /** Tags on every AWS resource that takes them; `environment` and `project` are added. */
    tags: z
        .record(z.string().regex(/^[\w.:/=+@ -]{1,128}$/, "expected an AWS tag key"), z.string().max(256))
        .refine((tags) => "owner" in tags, 'expected an "owner" tag: who to ask about these resources')
        // AWS tagging rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): the aws: prefix is
        // reserved, at most 50 tags per resource; the program adds environment and project.
        .refine(
            (tags) => !Object.keys(tags).some((k) => k.toLowerCase().startsWith("aws:")),
            'tag keys starting with "aws:" are reserved for AWS: rename them',
        )
        .refine(
            (tags) => Object.keys({ ...tags, environment: "", project: "" }).length <= 50,
            "AWS allows 50 tags per resource and the program adds environment and project: keep at most 48",
        )
        .default({ owner: "platform-team" }),
    cluster: clusterConfig,
    engine: engineConfig,
    gitopsRepository: gitopsRepositoryConfig,
    github: githubConfig.optional(),
    secrets: secretsConfig.optional(),
    teams: z.record(dnsLabel, teamConfig).default({}),
    apps: appsConfig.default([]),
    appDefaults: appDefaultsConfig.default({}),
    promotion: strictObject({
        /** The stack whose revisions and versions are promoted into this one. */
        from: z.string().min(1),
    }).optional(),
    ssoClientSecret: z.string().min(1).optional(),
    monitoring: monitoringConfig.optional(),
    delivery: deliveryConfig.optional(),
    notifications: notificationsConfig.optional(),
    /** Slack incoming webhook URL for notifications (a secret). */
    slackWebhookUrl: z.string().min(1).optional(),
    /** GitHub token that may write commit statuses on the stack's repositories (a secret). */
    githubStatusToken: z.string().min(1).optional(),
    fleet: fleetConfig.optional(),
    ci: ciConfig.optional(),
});

type ProjectConfig = z.infer<typeof projectSchema>;

export interface PlatformConfig extends ProjectConfig {
    /** Pulumi stack name. */
    readonly stack: string;
    /** `aws:region`, required for EKS stacks. */
    readonly awsRegion?: string;
    /** `github:owner`, required with a github section. */
    readonly githubOwner?: string;
}

export interface ConfigProblem {
    /** Full key path as written in stack config, e.g. `gitops-platform:apps[2].revision`. */
    readonly key: string;
    readonly message: string;
    /** The offending value (undefined when the key is missing); secret values are never carried. */
    readonly value?: unknown;
}

/** A RunError, so that `pulumi up` prints the report without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => {
        const found = p.value === undefined ? "missing" : `got ${JSON.stringify(p.value)}`;
        return `  - ${p.key}: ${p.message} (${found})`;
    });
    return `Stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was declared:\n${lines.join("\n")}`;
}

/** `["apps", 2, "revision"]` → `gitops-platform:apps[2].revision`. */
export function keyPath(path: readonly PropertyKey[], namespace = PROJECT): string {
    const [top, ...rest] = path;
    let out = `${namespace}:${String(top)}`;
    for (const part of rest) {
        out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    }
    return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let current: unknown = root;
    for (const part of path) {
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<PropertyKey, unknown>)[part];
    }
    return current;
}

/** Pulumi hands structured values over as JSON text; plain strings stay strings. */
function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** zod's "Invalid input: expected string, received undefined" said the way a config file reads. */
function plainTypeMessage(issue: z.core.$ZodRawIssue): string | undefined {
    if (issue.code !== "invalid_type") {
        return undefined;
    }
    return issue.input === undefined
        ? `required: expected ${issue.expected === "object" ? "a section" : `a ${issue.expected}`}`
        : `expected a ${issue.expected}, got ${Array.isArray(issue.input) ? "a list" : `a ${typeof issue.input}`}`;
}

export interface ConfigSource {
    /** Every config value, `namespace:key` → text, as `pulumi.runtime.allConfig()` returns them. */
    readonly values: Readonly<Record<string, string>>;
    /** Which of those keys were set as secrets. */
    readonly isSecret: (key: string) => boolean;
    readonly stack: string;
}

/** Validates the whole stack config; throws a ConfigError that lists every problem. */
export function loadConfig(source: ConfigSource): PlatformConfig {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(source.values)) {
        if (fullKey.startsWith(`${PROJECT}:`)) {
            raw[fullKey.slice(PROJECT.length + 1)] = parseValue(text);
        }
    }
    const problems: ConfigProblem[] = [];
    const secretKeys = new Set<string>(SECRET_KEYS);
    const describe = (path: readonly PropertyKey[]) => {
        const value = valueAt(raw, path);
        // Whatever key a secret sits under (a typo included), its value never reaches a report.
        const secret = secretKeys.has(String(path[0])) || source.isSecret(`${PROJECT}:${String(path[0])}`);
        return secret ? (value === undefined ? undefined : "[secret]") : value;
    };

    const parsed = projectSchema.safeParse(raw, { error: plainTypeMessage });
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            if (issue.code === "unrecognized_keys") {
                // One problem per key, each with the path that names it.
                const messages = issue.message.split(UNKNOWN_KEY_SEPARATOR);
                issue.keys.forEach((key, i) => {
                    const path = [...issue.path, key];
                    problems.push({ key: keyPath(path), message: messages[i] ?? issue.message, value: describe(path) });
                });
            } else {
                // A map key that its rule refuses: zod's message is only "Invalid key in record".
                const message =
                    issue.code === "invalid_key"
                        ? issue.issues.map((inner) => inner.message).join("; ")
                        : issue.message;
                problems.push({ key: keyPath(issue.path), message, value: describe(issue.path) });
            }
        }
    }
    const sections = parsed.success ? parsed.data : parsedSections(raw);
    const present = (section: string) => raw[section] !== undefined;
    const pathed = [
        ...rawProblems(raw, source),
        ...invariantProblems(sections, source.stack, present),
        ...crossFieldProblems(sections, source, present),
    ];
    for (const problem of pathed) {
        const masked =
            problem.key !== undefined &&
            source.values[problem.key] !== undefined &&
            (source.isSecret(problem.key) || CREDENTIAL_KEYS.includes(problem.key));
        const value =
            "shown" in problem
                ? problem.shown
                : problem.key
                  ? masked
                      ? "[secret]"
                      : source.values[problem.key]
                  : describe(problem.path);
        problems.push({ key: problem.key ?? keyPath(problem.path), message: problem.message, value });
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    const config = parsed.data!;
    return {
        ...config,
        stack: source.stack,
        awsRegion: source.values["aws:region"],
        githubOwner: source.values["github:owner"],
    };
}

interface PathedProblem {
    readonly path: readonly PropertyKey[];
    readonly message: string;
    /** Set for keys outside this project's namespace (aws:region). */
    readonly key?: string;
    /** What the report shows as the value, when not the value at the key (a whole misplaced section). */
    readonly shown?: unknown;
}

/**
 * Rules that need only the raw values, so they are reported even when sections have the wrong
 * shape: a secret in plain text must never wait for another fix to be noticed.
 */
export function rawProblems(raw: Record<string, unknown>, source: ConfigSource): PathedProblem[] {
    const problems: PathedProblem[] = [];
    for (const key of SECRET_KEYS) {
        if (raw[key] !== undefined && !source.isSecret(`${PROJECT}:${key}`)) {
            problems.push({
                path: [key],
                message: `is stored in plain text: remove it and run pulumi config set --secret ${PROJECT}:${key} <value>`,
            });
        }
    }
    for (const fullKey of Object.keys(source.values)) {
        const namespace = fullKey.includes(":") ? fullKey.slice(0, fullKey.indexOf(":")) : "";
        if (!KNOWN_NAMESPACES.includes(namespace)) {
            // A misspelt project prefix would otherwise drop the whole section silently.
            const suggestion = suggestKey(namespace, KNOWN_NAMESPACES);
            const hint = suggestion
                ? `did you mean "${suggestion}:${fullKey.slice(namespace.length + 1)}"?`
                : `use one of: ${KNOWN_NAMESPACES.join(", ")}`;
            problems.push({
                path: [],
                key: fullKey,
                message: `unknown config namespace "${namespace}": neither this project's nor a provider's it uses; ${hint}`,
                shown: source.isSecret(fullKey) ? "[secret]" : "a value",
            });
        }
    }
    for (const key of CREDENTIAL_KEYS) {
        if (source.values[key] !== undefined && !source.isSecret(key)) {
            problems.push({
                path: [],
                key,
                message: `is a credential stored in plain text: remove it and run pulumi config set --secret ${key} <value>`,
            });
        }
    }
    const owner = source.values["github:owner"];
    if (owner && !GITHUB_OWNER.test(owner)) {
        problems.push({
            path: [],
            key: "github:owner",
            message:
                "GitHub refuses this account name: letters, digits and single hyphens (not first or last), at most 39 characters",
        });
    }
    if (raw.github !== undefined && !source.values["github:owner"]) {
        problems.push({
            path: [],
            key: "github:owner",
            message: "the github section needs the owning organization: pulumi config set github:owner <organization>",
        });
    }
    const cluster = raw.cluster as { type?: unknown } | undefined;
    const region = source.values["aws:region"];
    if (region !== undefined && !AWS_REGION.test(region)) {
        problems.push({
            path: [],
            key: "aws:region",
            message: "expected an AWS region code such as eu-west-1 or us-gov-west-1",
        });
    }
    if (cluster?.type === "eks" && !source.values["aws:region"]) {
        problems.push({
            path: [],
            key: "aws:region",
            message: "an EKS cluster needs the AWS region: pulumi config set aws:region <region>",
        });
    }
    return problems;
}

/** The sections of the config, each parsed alone: what is left when another section is wrong. */
export type PlatformConfigSections = Partial<ProjectConfig>;

/** Whether the stack file has a section at all: a broken section is reported by the schema, not as missing. */
export type SectionPresent = (section: string) => boolean;

function parsedSections(raw: Record<string, unknown>): PlatformConfigSections {
    const sections: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(projectSchema.shape)) {
        const result = (schema as z.ZodType).safeParse(raw[key]);
        if (result.success) {
            sections[key] = result.data;
        }
    }
    return sections;
}

/**
 * The production invariants (stacks/config/invariants.ts) on whatever sections parsed, so a typo in
 * one section never hides a broken invariant in another; and the stack name agrees with environment.
 */
export function invariantProblems(
    sections: PlatformConfigSections,
    stack: string,
    present: SectionPresent,
): PathedProblem[] {
    const production = sections.environment === "production" || stack === "production";
    return [
        ...stackEnvironmentProblems(stack, sections.environment),
        ...(production ? PRODUCTION_INVARIANTS.flatMap((invariant) => invariant.check(sections, present)) : []),
    ];
}

/** Each notification destination needs its credential; commit statuses need repositories on GitHub. */
function notificationProblems(config: PlatformConfigSections, present: SectionPresent): PathedProblem[] {
    const destinations = config.notifications?.destinations ?? [];
    const problems: PathedProblem[] = [];
    const credentials = { slack: "slackWebhookUrl", githubCommitStatus: "githubStatusToken" } as const;
    for (const destination of destinations) {
        const key = credentials[destination];
        if (!present(key)) {
            problems.push({
                path: [key],
                message: `notifications.destinations lists ${destination}, which needs it: pulumi config set --secret ${PROJECT}:${key} <value>`,
            });
        }
    }
    if (destinations.includes("githubCommitStatus") && !present("github")) {
        problems.push({
            path: ["notifications", "destinations"],
            message:
                "githubCommitStatus posts on the repositories this stack manages on GitHub, and it has no github section: remove githubCommitStatus, or add a github section",
        });
    }
    return problems;
}

/**
 * Rules that span sections, on whatever sections parsed (so a typo in one section never hides a
 * problem between others); a rule needs every section it reads, and `present` tells a missing
 * section from a broken one.
 */
export function crossFieldProblems(
    config: PlatformConfigSections,
    source: ConfigSource,
    present: SectionPresent,
): PathedProblem[] {
    const problems: PathedProblem[] = [];
    const add = (path: readonly PropertyKey[], message: string) => problems.push({ path, message });
    // Optional sections: known to be absent only when the file does not have them.
    const github = present("github") ? config.github : null;
    const secrets = present("secrets") ? config.secrets : null;
    const { gitopsRepository, engine, cluster, apps, teams } = config;

    if (gitopsRepository !== undefined && github !== undefined) {
        if (github === null && gitopsRepository.url === undefined) {
            add(
                ["gitopsRepository", "url"],
                "without a github section the stack does not manage the repository: set gitopsRepository.url to its clone URL",
            );
        }
        repositoryProblems(gitopsRepository, github ?? undefined, source.stack).forEach((problem) =>
            add(problem.path, problem.message),
        );
        if (github !== null && gitopsRepository.url !== undefined) {
            add(
                ["gitopsRepository", "url"],
                "the URL of a repository managed on GitHub comes from GitHub: remove gitopsRepository.url, or remove the github section",
            );
        }
    }
    if (engine?.type === "argocd" && engine.sso !== undefined && !present("ssoClientSecret")) {
        add(
            ["ssoClientSecret"],
            "engine.sso needs the OIDC client secret: pulumi config set --secret gitops-platform:ssoClientSecret <value>",
        );
    }
    problems.push(...notificationProblems(config, present));
    if (secrets?.type === "aws-secrets-manager" && cluster !== undefined && cluster.type !== "eks") {
        add(
            ["secrets", "type"],
            "aws-secrets-manager authenticates through EKS workload identity: use type kubernetes for an existing cluster, or cluster.type eks",
        );
    }
    if (secrets?.type === "aws-secrets-manager" && secrets.prefix !== undefined) {
        const problem = secretsPrefixProblem(secrets.prefix, source.stack);
        if (problem) {
            add(["secrets", "prefix"], problem);
        }
    }
    const delivery = present("delivery") ? config.delivery : null;
    const monitoring = present("monitoring") ? config.monitoring : null;
    if (
        engine !== undefined &&
        config.environment !== undefined &&
        delivery !== undefined &&
        monitoring !== undefined &&
        apps !== undefined
    ) {
        deliveryProblems({
            engine: engine.type,
            defaultStrategy: profileOf(config.environment).deliveryStrategy,
            delivery: delivery ?? undefined,
            monitoringEnabled: monitoring?.enabled ?? false,
            apps,
        }).forEach((problem) => add(problem.path, problem.message));
    }
    if (config.promotion && config.promotion.from === source.stack) {
        add(
            ["promotion", "from"],
            `a stack cannot promote from itself: name the stack before ${source.stack} (e.g. staging)`,
        );
    }
    if (config.ci !== undefined && cluster !== undefined) {
        // github is undefined when its section did not parse: its own problems are reported instead.
        ciProblems(
            config.ci,
            cluster.type,
            github === undefined ? "" : github?.deployRepository?.name,
            source.values["github:owner"],
        ).forEach((problem) => add(problem.path, problem.message));
    }
    const ci = present("ci") ? config.ci : null;
    if (ci !== undefined && cluster?.type === "eks" && config.environment !== undefined) {
        reachabilityProblems(ci ?? undefined, cluster, config.environment).forEach((p) => add(p.path, p.message));
    }
    // The fleet's rules read these sections; secrets is null when the file has none.
    const { environment, fleet } = config;
    if (
        environment !== undefined &&
        engine !== undefined &&
        cluster !== undefined &&
        teams !== undefined &&
        secrets !== undefined
    ) {
        fleetProblems(
            { environment, engine, cluster, teams, secrets: secrets ?? undefined, fleet },
            source.stack,
        ).forEach((problem) => add(problem.path, problem.message));
    }
    if (engine?.type === "flux" && engine.components !== undefined && apps !== undefined) {
        const helmApp = apps.findIndex((app) => app.source.type === "helm");
        if (helmApp >= 0 && !engine.components.includes("helm-controller")) {
            add(
                ["engine", "components"],
                `app "${apps[helmApp].name}" is a helm source, which Flux's helm-controller installs: add helm-controller to components`,
            );
        }
    }
    // Namespaces of the platform's components: each its own, never a system namespace (the schema refuses those).
    type ComponentNamespace = { path: PropertyKey[]; namespace: string; what: string };
    const componentNamespaces: ComponentNamespace[] = [
        ...(engine
            ? [{ path: ["engine", "namespace"], namespace: engine.namespace, what: "the GitOps engine's namespace" }]
            : []),
        ...(secrets
            ? [
                  {
                      path: ["secrets", "namespace"],
                      namespace: secrets.namespace,
                      what: "the secrets operator's namespace",
                  },
              ]
            : []),
        ...(secrets?.type === "kubernetes"
            ? [
                  {
                      path: ["secrets", "sourceNamespace"],
                      namespace: secrets.sourceNamespace,
                      what: "the secrets store's source namespace",
                  },
              ]
            : []),
    ];
    componentNamespaces.forEach(({ path, namespace }, index) => {
        const earlier = componentNamespaces.slice(0, index).find((other) => other.namespace === namespace);
        if (earlier) {
            add(
                path,
                `namespace "${namespace}" is already ${earlier.what}: give each component a namespace of its own`,
            );
        }
    });
    const reserved = new Map<string, string>([
        ...SYSTEM_NAMESPACES.map((ns) => [ns, "a system namespace"] as const),
        ...componentNamespaces.map(({ namespace, what }) => [namespace, what] as const),
    ]);
    const namespaceOwners = new Map<string, string>();
    const appRepositories = github ? Object.keys(github.appRepositories) : [];
    (apps ?? []).forEach((app, index) => {
        if (teams !== undefined && !(app.team in teams)) {
            add(
                ["apps", index, "team"],
                `no team "${app.team}" in gitops-platform:teams; add it there with its groups, or use one of: ${Object.keys(teams).join(", ") || "(none defined)"}`,
            );
        }
        const namespace = app.namespace ?? app.name;
        const namespacePath = ["apps", index, app.namespace ? "namespace" : "name"];
        const reservedFor = reserved.get(namespace);
        if (reservedFor) {
            add(namespacePath, `namespace "${namespace}" is ${reservedFor}; give the app its own namespace`);
        }
        const owner = namespaceOwners.get(namespace);
        if (owner !== undefined) {
            add(
                namespacePath,
                `namespace "${namespace}" is already used by app "${owner}"; each app gets a namespace of its own`,
            );
        }
        namespaceOwners.set(namespace, app.name);
        const repository = app.source.repository;
        if (
            repository !== undefined &&
            gitopsRepository !== undefined &&
            github !== undefined &&
            repository !== gitopsRepository.name &&
            !appRepositories.includes(repository)
        ) {
            add(
                ["apps", index, "source", "repository"],
                github
                    ? `no repository "${repository}" in github.appRepositories; add it there, or use source.url for a repository this stack does not manage`
                    : "source.repository names a GitHub repository this stack manages, and it has no github section: use source.url",
            );
        }
        if (engine !== undefined && gitopsRepository !== undefined) {
            imageUpdateProblems({ engine, gitopsRepository }, app, index).forEach((problem) =>
                add(problem.path, problem.message),
            );
        }
        if (app.secretKeys.length > 0 && secrets === null) {
            add(
                ["apps", index, "secretKeys"],
                "secret keys need a secrets store: add a gitops-platform:secrets section",
            );
        }
    });
    return problems;
}

/**
 * An app's image update is written by Flux's image automation or Argo CD Image Updater into the
 * GitOps repository, the only repository whose deploy key may push (stacks/repositories.ts).
 */
export function imageUpdateProblems(
    config: Pick<ProjectConfig, "engine" | "gitopsRepository">,
    app: AppConfig,
    index: number,
): PathedProblem[] {
    if (app.imageUpdate === undefined) {
        return [];
    }
    const path = ["apps", index, "imageUpdate"];
    const problems: PathedProblem[] = [];
    if (!config.engine.imageAutomation) {
        problems.push({
            path,
            message:
                config.engine.type === "flux"
                    ? "image updates need Flux's image controllers and a writable deploy key: set engine.imageAutomation to true"
                    : "image updates need Argo CD Image Updater and a writable deploy key: set engine.imageAutomation to true",
        });
    }
    const repository = app.source.repository ?? config.gitopsRepository.name;
    if (app.source.url !== undefined || repository !== config.gitopsRepository.name) {
        problems.push({
            path,
            message: `image updates are committed to the GitOps repository "${config.gitopsRepository.name}" only (the one deploy key that may push), not to ${app.source.url ?? repository}: keep the app's manifests there, or remove imageUpdate`,
        });
    }
    if (config.gitopsRepository.anonymous) {
        problems.push({
            path,
            message:
                "the GitOps repository is read anonymously, so image updates cannot be pushed to it: register a deploy key (remove gitopsRepository.anonymous), or remove imageUpdate",
        });
    }
    if (config.engine.type === "argocd") {
        const policyProblem = imageUpdaterPolicyProblem(app.imageUpdate.policy);
        if (policyProblem !== undefined) {
            problems.push({ path: [...path, "policy"], message: policyProblem });
        }
        if (app.source.type === "directory") {
            // Image Updater writes .argocd-source-<app>.yaml, which Argo CD reads for Helm and Kustomize sources only.
            problems.push({
                path: ["apps", index, "source", "type"],
                message:
                    "Argo CD Image Updater writes parameter overrides that only helm and kustomize sources read: use source.type kustomize (add a kustomization.yaml), or remove imageUpdate",
            });
        }
    }
    return problems;
}

export type { AppConfig, AppDefaultsConfig, SyncPolicyConfig, TeamConfig } from "./apps";
export type { ClusterConfig, EksClusterConfig, ExistingClusterConfig } from "./cluster";
export type { ArgocdConfig, EngineConfig, FluxConfig } from "./engine";
export type { FleetConfig, SpokeConfig } from "./fleet";
export type { GithubConfig, GitopsRepositoryConfig } from "./repositories";
export type { MonitoringConfig } from "./monitoring";
export type { AppDeliveryConfig, DeliveryConfig } from "./delivery";
export type { NotificationsConfig } from "./notifications";
export type { AwsSecretsManagerConfig, KubernetesStoreConfig, SecretsConfig } from "./secrets";

/**
 * The stack's whole configuration: one schema, validated before anything is declared.
 * Every problem is reported at once, each with the key path as the user writes it in
 * Pulumi.<stack>.yaml, the value found there and what is expected instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { isCommitSha, isQualifiedTag, isReleaseTag } from "../../components/gitops/revisions";
import { appRules } from "./apps";
import { ciRules, ciSeparationRules, driftAccessRule } from "./ci";
import { reachabilityRule } from "./reach";
import { CrossFieldContext, CrossFieldProblem, SectionPresent } from "./crossField";
import { deliveryRules } from "./delivery";
import { fluxHelmControllerRule, ssoSecretRule } from "./engine";
import { fleetRules } from "./fleet";
import { monitoringClusterRule } from "./monitoring";
import { PRODUCTION_INVARIANTS, stackEnvironmentProblems } from "./invariants";
import { componentNamespaceRules } from "./namespaces";
import { notificationRules } from "./notifications";
import { promotionRules } from "./promotion";
import { gitopsRepositoryRules } from "./repositories";
import { GITHUB_OWNER, PROJECT, suggestKey, UNKNOWN_KEY_SEPARATOR } from "./rules";
import { PlatformConfigSections, ProjectConfig, projectSchema } from "./schema";
import { secretsStoreRules } from "./secrets";
import { versionProblems } from "./versions";

export { PROJECT };
export type { PlatformConfigSections, SectionPresent };

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
 * Release tags (v1.4.2, grafana-10.1.4, refs/tags/v1.4.2) and commit SHAs: revisions that do not move
 * under a deployed environment. Anything else is taken for a branch. Production takes the stricter
 * isProductionRevision (components/gitops/revisions.ts).
 */
export function isImmutableRevision(revision: string): boolean {
    return isReleaseTag(revision) || isQualifiedTag(revision) || isCommitSha(revision);
}

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
    const context = { stack: source.stack, values: source.values, present };
    const pathed: PathedProblem[] = [
        ...rawProblems(raw, source),
        ...invariantProblems(sections, source.stack, present, source.values),
        ...CROSS_FIELD_RULES.flatMap((rule) => rule(sections, context)),
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
    values: Readonly<Record<string, string>>,
): PathedProblem[] {
    const production = sections.environment === "production" || stack === "production";
    return [
        ...stackEnvironmentProblems(stack, sections.environment),
        ...(production
            ? PRODUCTION_INVARIANTS.flatMap((invariant) => invariant.check(sections, present, values, stack))
            : []),
    ];
}

/** A rule that spans sections: it reads whatever sections parsed and needs every section it reads. */
type CrossFieldRule = (config: PlatformConfigSections, context: CrossFieldContext) => CrossFieldProblem[];

/** Every section's cross-field rules (each in its section's file), in the order their problems are reported. */
const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
    gitopsRepositoryRules,
    ssoSecretRule,
    notificationRules,
    secretsStoreRules,
    deliveryRules,
    promotionRules,
    ciRules,
    driftAccessRule,
    reachabilityRule,
    ciSeparationRules,
    fleetRules,
    fluxHelmControllerRule,
    componentNamespaceRules,
    appRules,
    monitoringClusterRule,
    versionProblems,
];

export type { AppConfig, AppDefaultsConfig, AppEgressConfig, SyncPolicyConfig, TeamConfig } from "./apps";
export type { ClusterConfig, EksClusterConfig, ExistingClusterConfig } from "./cluster";
export type { ArgocdConfig, EngineConfig, FluxConfig } from "./engine";
export type { FleetConfig, SpokeConfig } from "./fleet";
export type { GithubConfig, GitopsRepositoryConfig } from "./repositories";
export type { MonitoringConfig } from "./monitoring";
export type { AppDeliveryConfig, DeliveryConfig } from "./delivery";
export type { NotificationsConfig } from "./notifications";
export type { PromotionConfig } from "./promotion";
export type { AwsSecretsManagerConfig, KubernetesStoreConfig, SecretsConfig } from "./secrets";

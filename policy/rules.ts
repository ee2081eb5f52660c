/**
 * The platform's guardrails as pure functions over one small resource shape. The same rules run in
 * the Pulumi policy pack (policy/index.ts, over a real preview) and in `npm run check` (policy/check.ts,
 * over the offline plan), so a fork without cloud credentials gets the same verdicts.
 */
import * as YAML from "yaml";
import { PRUNE_APPROVED_LABEL } from "../components/core/labels";
import { EXACT_VERSION } from "../components/core/versions";
import { isProduction, withEnvironment } from "./environment";
import { SECURITY_RULES } from "./security";
import { firstString } from "./security/shared";
import type { PolicyResource, ResourceRule, Rule, StackRule, Violation } from "./types";

/** The offline plan writes secret values as this marker (plan/recorder.ts SECRET_PLACEHOLDER). */
export const SECRET_MARKER = "[secret]";
/** The offline plan writes values only the provider knows as this marker. */
export const UNKNOWN_MARKER = "[unknown]";

/**
 * The label that declares an automatic prune in production as intended: the apps component sets it
 * on an app's Argo CD Application or Flux Kustomization when the stack's config asks for prune.
 */
export { PRUNE_APPROVED_LABEL };

export type { PolicyResource, ResourceOptions, ResourceRule, Rule, StackRule, Violation } from "./types";

export const TYPES = {
    repository: "github:index/repository:Repository",
    repositoryRuleset: "github:index/repositoryRuleset:RepositoryRuleset",
    branchProtection: "github:index/branchProtection:BranchProtection",
    branchProtectionV3: "github:index/branchProtectionV3:BranchProtectionV3",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChartV4: "kubernetes:helm.sh/v4:Chart",
    secret: "kubernetes:core/v1:Secret",
    /** A Secret declared as an untyped object (apiextensions.CustomResource with apiVersion v1). */
    untypedSecret: "kubernetes:v1:Secret",
    configGroup: "kubernetes:yaml/v2:ConfigGroup",
    argoApplication: "kubernetes:argoproj.io/v1alpha1:Application",
    argoApplicationSet: "kubernetes:argoproj.io/v1alpha1:ApplicationSet",
    fluxKustomization: "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
    fluxGitRepository: "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
    fluxImageUpdateAutomation: "kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation",
    argoImageUpdater: "kubernetes:argocd-image-updater.argoproj.io/v1alpha1:ImageUpdater",
    eksCluster: "aws:eks/cluster:Cluster",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    iamPolicy: "aws:iam/policy:Policy",
    iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    iamRole: "aws:iam/role:Role",
} as const;

export function resourceRule(rule: Omit<ResourceRule, "kind">): ResourceRule {
    return { kind: "resource", ...rule };
}

/** A rule's `types` and `validate` from one check per type, so the types listed are the types checked. */
export function perType(
    checks: Readonly<Record<string, ResourceRule["validate"]>>,
): Pick<ResourceRule, "types" | "validate"> {
    return { types: Object.keys(checks), validate: (resource) => checks[resource.type]?.(resource) ?? [] };
}

/** A resource rule of production stacks only: elsewhere it finds nothing. */
export function productionRule(rule: Omit<ResourceRule, "kind">): ResourceRule {
    return resourceRule({ ...rule, validate: (resource) => (isProduction(resource) ? rule.validate(resource) : []) });
}

function record(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}

function get(value: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>((current, key) => record(current)[key], value);
}

// ---- GitHub ----

const PROTECTION_TYPES: readonly string[] = [TYPES.repositoryRuleset, TYPES.branchProtection, TYPES.branchProtectionV3];

/** The repository a ruleset or branch protection targets, by name or by the repository it takes its input from. */
function protects(protection: PolicyResource, repository: PolicyResource): boolean {
    const target = protection.props.repository ?? protection.props.repositoryId;
    return (
        target === repository.props.name ||
        target === repository.name ||
        (protection.dependencies ?? []).includes(repository.urn)
    );
}

export const repositoryProtected: StackRule = {
    kind: "stack",
    name: "repository-protected",
    description: "Every GitHub repository the stack declares has a ruleset or branch protection.",
    validate: (resources) => {
        const protections = resources.filter((r) => PROTECTION_TYPES.includes(r.type));
        return resources
            .filter((r) => r.type === TYPES.repository && !protections.some((p) => protects(p, r)))
            .map((r) => ({
                urn: r.urn,
                message: `repository "${firstString(r.props.name, r.name)}" has no ruleset or branch protection: declare a github.RepositoryRuleset (or BranchProtection) for it`,
            }));
    },
};

export const noPublicRepositoryInProduction = productionRule({
    name: "no-public-repository-in-production",
    description:
        "Production declares no public GitHub repository (GitHub creates public ones when visibility is unset and private is not true).",
    types: [TYPES.repository],
    validate: (r) => {
        const visibility = r.props.visibility ?? (r.props.private === true ? "private" : "public");
        return visibility === "public"
            ? [
                  `repository "${firstString(r.props.name, r.name)}" is public in production: set visibility to "private" or "internal"`,
              ]
            : [];
    },
});

// ---- Kubernetes ----

export const helmChartVersionPinned = resourceRule({
    name: "helm-chart-version-pinned",
    description: "Helm releases name an exact chart version, so a preview shows exactly what an update installs.",
    types: [TYPES.helmRelease, TYPES.helmChartV4],
    validate: (r) => {
        const version = r.props.version;
        if (version === UNKNOWN_MARKER || firstString(r.props.chart).startsWith(".")) {
            return [];
        }
        return typeof version === "string" && EXACT_VERSION.test(version)
            ? []
            : [
                  `chart "${String(r.props.chart)}" of ${r.name} has version ${JSON.stringify(version ?? null)}: pin an exact version such as 1.2.3, not a range or nothing`,
              ];
    },
});

/** Keys of `data`/`stringData` whose values are written in plain text. */
function literalSecretKeys(secret: unknown, secretOutputs: readonly string[]): string[] {
    return ["data", "stringData"].flatMap((field) => {
        const values = get(secret, field);
        if (values === undefined || values === SECRET_MARKER || secretOutputs.includes(field)) {
            return [];
        }
        return Object.entries(record(values))
            .filter(([, v]) => v !== SECRET_MARKER)
            .map(([key]) => `${field}.${key}`);
    });
}

/** The Secrets among a ConfigGroup's declared objects (`objs`, or `yaml` documents). */
function configGroupSecrets(props: Readonly<Record<string, unknown>>): unknown[] {
    const objs: unknown[] = Array.isArray(props.objs) ? props.objs : props.objs === undefined ? [] : [props.objs];
    const texts = Array.isArray(props.yaml) ? props.yaml : typeof props.yaml === "string" ? [props.yaml] : [];
    const fromYaml = texts
        .filter((t): t is string => typeof t === "string" && t !== UNKNOWN_MARKER && t !== SECRET_MARKER)
        .flatMap((text) => YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown));
    return [...objs, ...fromYaml].filter((o) => get(o, "kind") === "Secret");
}

export const noLiteralSecretData = resourceRule({
    name: "no-literal-secret-data",
    description:
        "Kubernetes Secrets declared as objects (ConfigGroup, untyped CustomResource) carry no plain-text data: Pulumi secrets or External Secrets only.",
    types: [TYPES.secret, TYPES.untypedSecret, TYPES.configGroup],
    validate: (r) => {
        const objects = r.type === TYPES.configGroup ? configGroupSecrets(r.props) : [r.props];
        // Fields the resource keeps secret whatever their values (for a typed Secret, the provider schema).
        const secretFields = r.type === TYPES.configGroup ? [] : (r.options.additionalSecretOutputs ?? []);
        return objects.flatMap((object) => {
            const keys = literalSecretKeys(object, secretFields);
            const name = firstString(get(object, "metadata", "name"), r.name);
            return keys.length > 0
                ? [
                      `Secret "${name}" has plain-text ${keys.join(", ")}: wrap the values in pulumi.secret(), or deliver them through External Secrets`,
                  ]
                : [];
        });
    },
});

export const productionSyncWithoutPrune = productionRule({
    name: "production-sync-without-prune",
    description: `Production Argo CD Applications and Flux Kustomizations do not prune automatically unless labelled ${PRUNE_APPROVED_LABEL}: "true".`,
    types: [TYPES.argoApplication, TYPES.fluxKustomization],
    validate: (r) => {
        if (get(r.props, "metadata", "labels", PRUNE_APPROVED_LABEL) === "true") {
            return [];
        }
        const prunes =
            r.type === TYPES.argoApplication
                ? get(r.props, "spec", "syncPolicy", "automated", "prune") === true
                : get(r.props, "spec", "prune") === true && get(r.props, "spec", "suspend") !== true;
        return prunes
            ? [
                  `${r.type === TYPES.argoApplication ? "Application" : "Kustomization"} "${firstString(get(r.props, "metadata", "name"), r.name)}" prunes automatically in production: set prune to false, or declare it with the label ${PRUNE_APPROVED_LABEL}: "true"`,
              ]
            : [];
    },
});

// ---- AWS ----

export const eksSecretsEncryption = resourceRule({
    name: "eks-secrets-encryption",
    description:
        'EKS clusters encrypt Kubernetes Secrets with a KMS key (encryptionConfig with resources ["secrets"]).',
    types: [TYPES.eksCluster],
    validate: (r) => {
        const config = r.props.encryptionConfig;
        const resources = get(config, "resources");
        const covered =
            Array.isArray(resources) &&
            resources.includes("secrets") &&
            get(config, "provider", "keyArn") !== undefined;
        return covered
            ? []
            : [
                  `EKS cluster ${r.name} does not encrypt Secrets: set encryptionConfig { provider: { keyArn }, resources: ["secrets"] }`,
              ];
    },
});

export const launchTemplateImdsv2 = resourceRule({
    name: "launch-template-imdsv2",
    description: 'Node launch templates require IMDSv2 (metadataOptions.httpTokens "required").',
    types: [TYPES.launchTemplate],
    validate: (r) =>
        get(r.props, "metadataOptions", "httpTokens") === "required"
            ? []
            : [`launch template ${r.name} allows IMDSv1: set metadataOptions.httpTokens to "required"`],
});

/** Action entries that grant every action, or every action of a service. */
export function wildcardActions(document: unknown): string[] {
    const parsed = typeof document === "string" ? (JSON.parse(document) as unknown) : document;
    const statements = get(parsed, "Statement");
    return (Array.isArray(statements) ? statements : [statements]).flatMap((statement) => {
        if (get(statement, "Effect") === "Deny") {
            return [];
        }
        const action = get(statement, "Action");
        return (Array.isArray(action) ? action : [action]).filter(
            (a): a is string => typeof a === "string" && /^(\*|[A-Za-z0-9-]+:\*)$/.test(a),
        );
    });
}

function policyDocuments(r: PolicyResource): { label: string; document: unknown }[] {
    if (r.type === TYPES.iamRole) {
        const inline = Array.isArray(r.props.inlinePolicies) ? r.props.inlinePolicies : [];
        return inline.map((p) => ({
            label: `inline policy ${firstString(get(p, "name"))}`.trim(),
            document: get(p, "policy"),
        }));
    }
    return [{ label: "policy", document: r.props.policy }];
}

export const iamNoWildcardActions = resourceRule({
    name: "iam-no-wildcard-actions",
    description: 'IAM policies allow named actions only: no "*" and no "<service>:*".',
    types: [TYPES.iamPolicy, TYPES.iamRolePolicy, TYPES.iamRole],
    validate: (r) =>
        policyDocuments(r).flatMap(({ label, document }) => {
            if (document === undefined || document === UNKNOWN_MARKER || document === SECRET_MARKER) {
                return [];
            }
            let wildcards: string[];
            try {
                wildcards = wildcardActions(document);
            } catch {
                return [`${label} of ${r.name} is not a JSON policy document`];
            }
            return wildcards.length > 0
                ? [
                      `${label} of ${r.name} allows ${wildcards.map((a) => `"${a}"`).join(", ")}: name the actions it needs`,
                  ]
                : [];
        }),
});

/** Every rule the policy pack registers and `npm run check` applies. */
export const RULES: readonly Rule[] = [
    repositoryProtected,
    noPublicRepositoryInProduction,
    helmChartVersionPinned,
    noLiteralSecretData,
    productionSyncWithoutPrune,
    eksSecretsEncryption,
    launchTemplateImdsv2,
    iamNoWildcardActions,
    ...SECURITY_RULES,
];

/** Applies every rule to a stack's resources, each knowing the stack's environment (policy/environment.ts). */
export function checkResources(stackResources: readonly PolicyResource[], rules: readonly Rule[] = RULES): Violation[] {
    const resources = withEnvironment(stackResources);
    return rules.flatMap((rule) =>
        rule.kind === "stack"
            ? rule.validate(resources).map((v) => ({ rule: rule.name, ...v }))
            : resources
                  .filter((r) => rule.types.includes(r.type))
                  .flatMap((r) => rule.validate(r).map((message) => ({ rule: rule.name, urn: r.urn, message }))),
    );
}

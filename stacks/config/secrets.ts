/** `gitops-platform:secrets`: External Secrets Operator and the store behind it. */
import { z } from "zod";
import { durationSeconds } from "../../components/secrets/objects";
import { chartVersionProblem, DEFAULTS as STORE } from "../../components/secrets/store";
import { PROTECTED_OPERATOR_VALUES } from "../../components/secrets/objects";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { chartValues, componentNamespace, exactVersion, strictObject } from "./rules";

const common = {
    /** external-secrets Helm chart version; the component's pinned default when omitted. */
    chartVersion: exactVersion
        .superRefine((version, ctx) => {
            const problem = chartVersionProblem(version);
            if (problem) {
                ctx.addIssue({ code: "custom", message: problem });
            }
        })
        .optional(),
    namespace: componentNamespace.default(STORE.namespace),
    /** How often ExternalSecrets re-read the store (Go duration, non-zero). */
    refreshInterval: z
        .string()
        .refine(
            (text) => durationSeconds(text) > 0,
            "expected a non-zero duration in h, m and s such as 1h, 15m or 1h30m",
        )
        .default(STORE.refreshInterval),
    /** external-secrets chart values merged over the program's; the keys it controls are refused. */
    values: chartValues(PROTECTED_OPERATOR_VALUES),
};

export const awsSecretsManagerConfig = strictObject({
    type: z.literal("aws-secrets-manager"),
    ...common,
    /** Secret names start with this prefix; the operator may read nothing else. Defaults to <project>/<stack>. */
    prefix: z
        .string()
        .regex(
            /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/,
            "expected a Secrets Manager name prefix such as gitops-platform/staging",
        )
        .optional(),
    /** Customer-managed KMS key that encrypts the secrets; the operator gets kms:Decrypt on it. */
    kmsKeyArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "expected a KMS key ARN")
        .optional(),
});

export const kubernetesStoreConfig = strictObject({
    type: z.literal("kubernetes"),
    ...common,
    /** Namespace holding the source Secrets that the store serves. */
    sourceNamespace: componentNamespace.default(STORE.sourceNamespace),
});

const vaultPath = z
    .string()
    .regex(
        /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
        "expected a Vault path such as gitops-platform/staging, without a leading or trailing /",
    );

export const vaultStoreConfig = strictObject({
    type: z.literal("vault"),
    ...common,
    /** Vault's address; https only, since tokens and secrets cross it. */
    server: z.url({
        protocol: /^https$/,
        error: "expected Vault's https address such as https://vault.example.com:8200",
    }),
    /** Mount of the KV v2 secrets engine. */
    kvMount: vaultPath.default("secret"),
    /** Path under the mount every key of the stack starts with. Defaults to <project>/<stack>. */
    prefix: vaultPath.optional(),
    /** Mount of Vault's Kubernetes auth method for this cluster. */
    authMount: vaultPath.default("kubernetes"),
    /** Vault role of the platform's store; each app's store uses <role>-<app>. */
    role: z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected a Vault role name such as gitops-platform-staging"),
    /** Vault Enterprise namespace. */
    vaultNamespace: vaultPath.optional(),
});

/**
 * Sealed Secrets: teams commit SealedSecrets; no External Secrets Operator, so none of `common`
 * (its chart, its refresh interval) applies. The controller's chart is pinned by the component.
 */
export const sealedSecretsConfig = strictObject({
    type: z.literal("sealed-secrets"),
    /** The controller's namespace, where its sealing keys live. */
    namespace: componentNamespace.default("sealed-secrets"),
});

export const secretsConfig = z.discriminatedUnion("type", [
    awsSecretsManagerConfig,
    kubernetesStoreConfig,
    vaultStoreConfig,
    sealedSecretsConfig,
]);

export type AwsSecretsManagerConfig = z.infer<typeof awsSecretsManagerConfig>;
export type KubernetesStoreConfig = z.infer<typeof kubernetesStoreConfig>;
export type VaultStoreConfig = z.infer<typeof vaultStoreConfig>;
export type SealedSecretsConfig = z.infer<typeof sealedSecretsConfig>;
export type SecretsConfig = z.infer<typeof secretsConfig>;

/** Stack names that are environments, each with secrets of its own. */
const ENVIRONMENT_STACKS = ["staging", "production", "local"];

/**
 * The operator may read `<prefix>/*` (components/secrets/policy.ts secretArnPattern), so a prefix
 * must be this stack's own: ending in the stack's name, so it is never a parent of another stack's
 * (`gitops-platform` would reach `gitops-platform/production/...`), and with no other environment's
 * name before it (`gitops-platform/production/staging` would nest staging under production's).
 * IAM wildcards (* and ?) are already refused by the prefix's pattern.
 */
export function secretsPrefixProblem(prefix: string, stack: string): string | undefined {
    const segments = prefix.split("/");
    if (segments[segments.length - 1] !== stack) {
        return `the operator reads every secret under "${prefix}/", so the prefix must end with this stack's name: use ${prefix}/${stack} or gitops-platform/${stack}`;
    }
    const other = segments.slice(0, -1).find((segment) => ENVIRONMENT_STACKS.includes(segment));
    return other !== undefined
        ? `"${other}" is another environment's segment: this prefix lies under that environment's secrets; use gitops-platform/${stack}`
        : undefined;
}

/** An AWS Secrets Manager store needs EKS workload identity, and a prefix of this stack's own. */
export function secretsStoreRules(
    config: { readonly secrets?: SecretsConfig; readonly cluster?: { readonly type: string } },
    { stack, present }: CrossFieldContext,
): CrossFieldProblem[] {
    const secrets = optionalSection(config.secrets, present("secrets"));
    const { cluster } = config;
    const problems: CrossFieldProblem[] = [];
    if (secrets?.type === "aws-secrets-manager" && cluster !== undefined && cluster.type !== "eks") {
        problems.push({
            path: ["secrets", "type"],
            message:
                "aws-secrets-manager authenticates through EKS workload identity: use type kubernetes for an existing cluster, or cluster.type eks",
        });
    }
    if (secrets?.type === "aws-secrets-manager" && secrets.prefix !== undefined) {
        const problem = secretsPrefixProblem(secrets.prefix, stack);
        if (problem) {
            problems.push({ path: ["secrets", "prefix"], message: problem });
        }
    }
    return problems;
}

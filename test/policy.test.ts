import * as assert from "node:assert/strict";
import type {
    PolicyResource as PulumiPolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import { CI_ROLE_RULES } from "../policy/ciRoles";
import { INVARIANT_RULES } from "../policy/invariants";
import { PACK_RULES, policyPackArgs } from "../policy/pack";
import { PRUNE_APPROVED_LABEL, TYPES, wildcardActions } from "../policy/rules";
import { INVARIANT_CASES, PRODUCTION_CASES, TENANCY_CASES } from "./policy-production-cases";
import { SECURITY_CASES } from "./policy-security-cases";

/** Options as the engine hands them to a policy; tests override what matters. */
function opts(overrides: Partial<PolicyResourceOptions> = {}): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...overrides,
    };
}

interface Declared {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    readonly opts?: Partial<PolicyResourceOptions>;
    readonly stack?: string;
    /** Names of other declared resources whose outputs feed this one's `repository` input. */
    readonly repositoryFrom?: string;
}

const urnOf = (d: Declared) => `urn:pulumi:${d.stack ?? "production"}::gitops-platform::${d.type}::${d.name}`;

function validationArgs(d: Declared): ResourceValidationArgs {
    return {
        type: d.type,
        name: d.name,
        urn: urnOf(d),
        props: d.props,
        opts: opts(d.opts),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

function stackArgs(declared: readonly Declared[]): StackValidationArgs {
    const resources = declared.map((d) => ({
        type: d.type,
        name: d.name,
        urn: urnOf(d),
        props: d.props,
        opts: opts(d.opts),
        dependencies: [],
        propertyDependencies: {},
    })) as unknown as PulumiPolicyResource[];
    declared.forEach((d, i) => {
        const source = resources.find((r) => r.name === d.repositoryFrom);
        if (source) {
            (resources[i] as { propertyDependencies: Record<string, PulumiPolicyResource[]> }).propertyDependencies = {
                repository: [source],
            };
        }
    });
    return {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

const policy = (name: string) => {
    const found = policyPackArgs.policies.find((p) => p.name === name);
    assert.ok(found, `no policy named ${name} in the pack`);
    return found;
};

/** Violations the named policy reports for the declared resources (each resource, or the stack). */
async function violations(name: string, declared: readonly Declared[]): Promise<string[]> {
    const reported: string[] = [];
    const report = (message: string) => {
        reported.push(message);
    };
    const p = policy(name);
    if ("validateStack" in p) {
        await p.validateStack(stackArgs(declared), report);
    } else {
        for (const d of declared) {
            const validations = p.validateResource;
            for (const validate of Array.isArray(validations) ? validations : [validations!]) {
                await validate(validationArgs(d), report);
            }
        }
    }
    return reported;
}

const repo = (name: string, props: Record<string, unknown> = {}, stack = "production"): Declared => ({
    type: TYPES.repository,
    name,
    props: { name, visibility: "private", ...props },
    stack,
});
const argoApp = (prune: boolean, labels: Record<string, string> = {}, stack = "production"): Declared => ({
    type: TYPES.argoApplication,
    name: "payments-api-application",
    stack,
    props: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "payments-api", namespace: "argocd", labels },
        spec: { syncPolicy: { automated: { prune, selfHeal: true } } },
    },
});
const iamPolicy = (actions: unknown): Declared => ({
    type: TYPES.iamPolicy,
    name: "external-secrets-read",
    props: {
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: actions,
                    Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gitops-platform/production/*",
                },
            ],
        }),
    },
});

interface RuleCase {
    readonly name: string;
    readonly declared: readonly Declared[];
    /** Violation messages, in order (exact, or a pattern each message matches); empty when the case passes. */
    readonly expected: readonly (string | RegExp)[];
}

/** Every registered rule, with at least one passing and one failing case. */
const BASE_CASES: Record<string, readonly RuleCase[]> = {
    "repository-protected": [
        {
            name: "a ruleset names the repository",
            declared: [
                repo("payments-api"),
                { type: TYPES.repositoryRuleset, name: "payments-api-ruleset", props: { repository: "payments-api" } },
            ],
            expected: [],
        },
        {
            name: "a ruleset takes the repository's name output (unknown in preview)",
            declared: [
                repo("checkout-web"),
                {
                    type: TYPES.repositoryRuleset,
                    name: "checkout-web-ruleset",
                    props: {},
                    repositoryFrom: "checkout-web",
                },
            ],
            expected: [],
        },
        {
            name: "a protected repository and an unprotected one",
            declared: [
                repo("payments-api"),
                repo("checkout-web"),
                {
                    type: TYPES.branchProtection,
                    name: "payments-api-main",
                    props: { repositoryId: "payments-api", pattern: "main" },
                },
            ],
            expected: [
                'repository "checkout-web" has no ruleset or branch protection: declare a github.RepositoryRuleset (or BranchProtection) for it',
            ],
        },
    ],
    "no-public-repository-in-production": [
        { name: "a private repository in production", declared: [repo("payments-api")], expected: [] },
        {
            name: "a public repository outside production",
            declared: [repo("podinfo-fork", { visibility: "public" }, "staging")],
            expected: [],
        },
        {
            name: "private: true without visibility",
            declared: [repo("payments-api", { visibility: undefined, private: true })],
            expected: [],
        },
        {
            name: "a public repository in production",
            declared: [repo("payments-api", { visibility: "public" })],
            expected: ['repository "payments-api" is public in production: set visibility to "private" or "internal"'],
        },
        {
            name: "no visibility in production (GitHub's default is public)",
            declared: [repo("checkout-web", { visibility: undefined })],
            expected: ['repository "checkout-web" is public in production: set visibility to "private" or "internal"'],
        },
    ],
    "helm-chart-version-pinned": [
        {
            name: "an exact chart version",
            declared: [{ type: TYPES.helmRelease, name: "argocd", props: { chart: "argo-cd", version: "8.6.4" } }],
            expected: [],
        },
        {
            name: "a range",
            declared: [{ type: TYPES.helmRelease, name: "argocd", props: { chart: "argo-cd", version: "^8.6.0" } }],
            expected: [
                'chart "argo-cd" of argocd has version "^8.6.0": pin an exact version such as 1.2.3, not a range or nothing',
            ],
        },
        {
            name: "no version on a v4 Chart",
            declared: [{ type: TYPES.helmChartV4, name: "external-secrets", props: { chart: "external-secrets" } }],
            expected: [
                'chart "external-secrets" of external-secrets has version null: pin an exact version such as 1.2.3, not a range or nothing',
            ],
        },
    ],
    "no-literal-secret-data": [
        {
            name: "a typed Secret (the provider keeps data and stringData secret)",
            declared: [
                {
                    type: TYPES.secret,
                    name: "payments-api-secrets",
                    props: { metadata: { name: "payments-api" }, stringData: { "database-url": "postgres://" } },
                },
            ],
            expected: [],
        },
        {
            name: "an untyped Secret whose values are Pulumi secrets (offline plan)",
            declared: [
                {
                    type: TYPES.untypedSecret,
                    name: "repo-creds",
                    props: { kind: "Secret", metadata: { name: "repo-creds" }, data: { password: "[secret]" } },
                },
            ],
            expected: [],
        },
        {
            name: "an untyped Secret with stringData in additionalSecretOutputs",
            declared: [
                {
                    type: TYPES.untypedSecret,
                    name: "repo-creds",
                    props: { kind: "Secret", stringData: { password: "hunter2" } },
                    opts: { additionalSecretOutputs: ["stringData"] },
                },
            ],
            expected: [],
        },
        {
            name: "an untyped Secret with plain-text stringData",
            declared: [
                {
                    type: TYPES.untypedSecret,
                    name: "repo-creds",
                    props: {
                        kind: "Secret",
                        metadata: { name: "repo-creds" },
                        stringData: { password: "hunter2", token: "[secret]" },
                    },
                },
            ],
            expected: [
                'Secret "repo-creds" has plain-text stringData.password: wrap the values in pulumi.secret(), or deliver them through External Secrets',
            ],
        },
        {
            name: "a Secret among a ConfigGroup's objects",
            declared: [
                {
                    type: TYPES.configGroup,
                    name: "bootstrap",
                    props: {
                        objs: [
                            { kind: "ConfigMap", data: { a: "b" } },
                            { kind: "Secret", metadata: { name: "repo-creds" }, data: { password: "aHVudGVyMg==" } },
                        ],
                    },
                },
            ],
            expected: [
                'Secret "repo-creds" has plain-text data.password: wrap the values in pulumi.secret(), or deliver them through External Secrets',
            ],
        },
        {
            name: "a Secret in a ConfigGroup's YAML",
            declared: [
                {
                    type: TYPES.configGroup,
                    name: "bootstrap",
                    props: {
                        yaml: "kind: ConfigMap\ndata: {a: b}\n---\nkind: Secret\nmetadata: {name: webhook}\nstringData: {token: abc}\n",
                    },
                },
            ],
            expected: [
                'Secret "webhook" has plain-text stringData.token: wrap the values in pulumi.secret(), or deliver them through External Secrets',
            ],
        },
    ],
    "production-sync-without-prune": [
        { name: "production self-heal without prune", declared: [argoApp(false)], expected: [] },
        { name: "prune in staging", declared: [argoApp(true, {}, "staging")], expected: [] },
        {
            name: "prune in production declared by the label",
            declared: [argoApp(true, { [PRUNE_APPROVED_LABEL]: "true" })],
            expected: [],
        },
        {
            name: "prune in production undeclared",
            declared: [argoApp(true)],
            expected: [
                `Application "payments-api" prunes automatically in production: set prune to false, or declare it with the label ${PRUNE_APPROVED_LABEL}: "true"`,
            ],
        },
        {
            name: "a pruning Flux Kustomization in production",
            declared: [
                {
                    type: TYPES.fluxKustomization,
                    name: "podinfo-kustomization",
                    props: { metadata: { name: "podinfo" }, spec: { prune: true } },
                },
            ],
            expected: [
                `Kustomization "podinfo" prunes automatically in production: set prune to false, or declare it with the label ${PRUNE_APPROVED_LABEL}: "true"`,
            ],
        },
    ],
    "eks-secrets-encryption": [
        {
            name: "secrets encrypted with a KMS key",
            declared: [
                {
                    type: TYPES.eksCluster,
                    name: "platform",
                    props: {
                        encryptionConfig: {
                            provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234" },
                            resources: ["secrets"],
                        },
                    },
                    opts: { protect: true },
                },
            ],
            expected: [],
        },
        {
            name: "no encryptionConfig",
            declared: [{ type: TYPES.eksCluster, name: "platform", props: {}, opts: { protect: true } }],
            expected: [
                'EKS cluster platform does not encrypt Secrets: set encryptionConfig { provider: { keyArn }, resources: ["secrets"] }',
            ],
        },
    ],
    "launch-template-imdsv2": [
        {
            name: "httpTokens required",
            declared: [
                {
                    type: TYPES.launchTemplate,
                    name: "general-nodes",
                    props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } },
                },
            ],
            expected: [],
        },
        {
            name: "httpTokens optional",
            declared: [
                {
                    type: TYPES.launchTemplate,
                    name: "general-nodes",
                    props: { metadataOptions: { httpTokens: "optional" } },
                },
            ],
            expected: ['launch template general-nodes allows IMDSv1: set metadataOptions.httpTokens to "required"'],
        },
    ],
    "iam-no-wildcard-actions": [
        {
            name: "named actions",
            declared: [iamPolicy(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"])],
            expected: [],
        },
        {
            name: "an unknown policy document during preview",
            declared: [{ type: TYPES.iamRolePolicy, name: "nodes", props: { policy: "[unknown]" } }],
            expected: [],
        },
        {
            name: "a service wildcard",
            declared: [iamPolicy("secretsmanager:*")],
            expected: ['policy of external-secrets-read allows "secretsmanager:*": name the actions it needs'],
        },
        {
            name: "a full wildcard in a role's inline policy",
            declared: [
                {
                    type: TYPES.iamRole,
                    name: "ci",
                    props: {
                        inlinePolicies: [
                            {
                                name: "admin",
                                policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
                            },
                        ],
                    },
                },
            ],
            expected: ['inline policy admin of ci allows "*": name the actions it needs'],
        },
    ],
};

/** Every rule's cases: exported for the reference controls' meta-test (test/production-controls.test.ts). */
export const CASES: Record<string, readonly RuleCase[]> = {
    ...BASE_CASES,
    ...SECURITY_CASES,
    ...PRODUCTION_CASES,
    ...INVARIANT_CASES,
    ...TENANCY_CASES,
};

describe("policy pack", () => {
    it("registers every rule of policy/rules.ts, each mandatory", () => {
        assert.deepEqual(
            policyPackArgs.policies.map((p) => [p.name, p.enforcementLevel]),
            PACK_RULES.map((r) => [r.name, "mandatory"]),
        );
    });

    it("has tests for every registered rule and none for rules it does not register", () => {
        // The production invariants' rules too (INVARIANT_CASES), besides their plans in test/guardrails.test.ts;
        // the CI roles' rules have theirs in test/ci-security.test.ts.
        const elsewhere = CI_ROLE_RULES.map((r) => r.name);
        assert.deepEqual(
            Object.keys(CASES).sort(),
            policyPackArgs.policies
                .map((p) => p.name)
                .filter((n) => !elsewhere.includes(n))
                .sort(),
        );
        assert.ok(INVARIANT_RULES.every((rule) => rule.name in CASES));
    });

    for (const [rule, cases] of Object.entries(CASES)) {
        describe(rule, () => {
            it("has a passing and a failing case", () => {
                assert.ok(cases.some((c) => c.expected.length === 0) && cases.some((c) => c.expected.length > 0));
            });
            for (const c of cases) {
                it(`${c.expected.length === 0 ? "passes" : "fails"}: ${c.name}`, async () => {
                    const reported = await violations(rule, c.declared);
                    assert.equal(reported.length, c.expected.length, reported.join("\n"));
                    c.expected.forEach((want, i) =>
                        typeof want === "string" ? assert.equal(reported[i], want) : assert.match(reported[i], want),
                    );
                });
            }
        });
    }

    it("resource policies ignore resources of other types", async () => {
        assert.deepEqual(await violations("eks-secrets-encryption", [repo("payments-api")]), []);
    });
});

describe("policy rules: wildcard actions", () => {
    it("ignores Deny statements and finds wildcards in Allow ones", () => {
        const document = {
            Statement: [
                { Effect: "Deny", Action: "*" },
                { Effect: "Allow", Action: ["kms:Decrypt", "ec2:*"] },
            ],
        };
        assert.deepEqual(wildcardActions(document), ["ec2:*"]);
    });

    it("reports a policy that is not JSON", async () => {
        assert.deepEqual(
            await violations("iam-no-wildcard-actions", [
                { type: TYPES.iamPolicy, name: "broken", props: { policy: "{not json" } },
            ]),
            ["policy of broken is not a JSON policy document"],
        );
    });
});

/**
 * The secrets stores' pure parts: the operator's IAM policy (exact scope, stacks isolated from each
 * other), the External Secrets objects and chart values, durations, chart versions, and the
 * `secrets` config section's errors.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { appScope, appSecretKey, platformScope, platformSecretKey } from "../components/secrets/aws";
import { appSourceName, platformSourceName } from "../components/secrets/kubernetes";
import {
    appReaderRules,
    awsProvider,
    clusterSecretStore,
    durationSeconds,
    externalSecret,
    fieldEntries,
    kubernetesProvider,
    operatorValues,
    secretStore,
    SOURCE_READER_RULES,
} from "../components/secrets/objects";
import { defaultPrefix, secretArnPattern, secretsReaderPolicy } from "../components/secrets/policy";
import { appReaderName, chartVersionProblem, DEFAULTS, storedValueEntry } from "../components/secrets/store";
import { allowedNamespaces, secretsOutputs, secretsPrefix } from "../stacks/secrets";
import { compareVersions } from "../components/core/versions";
import { assertProblemAt, configProblems, importEsm, platformConfig, stackValue } from "./harness";
import { actionsOf } from "./iamAssertions";
import { canRead, iamMatches } from "./secretsIam";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

/** The ARN AWS gives a secret: its name, "-" and six random characters. */
function secretArn(name: string, suffix = "AbC123"): string {
    return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}`;
}

describe("secrets: the operator's IAM policy", () => {
    it("the test's IAM matcher treats * and ? as wildcards and everything else literally", () => {
        assert.equal(iamMatches("arn:a:secret:p/*", "arn:a:secret:p/x-AbC123"), true);
        assert.equal(iamMatches("arn:a:secret:p/?", "arn:a:secret:p/x"), true);
        assert.equal(iamMatches("arn:a:secret:p.q/*", "arn:a:secret:pXq/x"), false);
        assert.equal(iamMatches("arn:a:secret:p/*", "arn:a:secret:p"), false);
    });

    it("is exactly GetSecretValue and DescribeSecret on the stack's prefix", () => {
        const policy = secretsReaderPolicy({ region: REGION, accountId: ACCOUNT, prefix: "gitops-platform/staging" });
        assert.deepEqual(JSON.parse(JSON.stringify(policy)), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReadStackSecrets",
                    Effect: "Allow",
                    Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    Resource: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:gitops-platform/staging/*",
                },
            ],
        });
    });

    it("adds kms:Decrypt on the customer key, only through Secrets Manager in the region", () => {
        const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const policy = secretsReaderPolicy({ region: REGION, accountId: ACCOUNT, prefix: "p/s", kmsKeyArn: key });
        assert.equal(policy.Statement.length, 2);
        assert.deepEqual(policy.Statement[1], {
            Sid: "DecryptThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
        });
    });

    it("has no wildcard action, and every Secrets Manager resource is under the prefix", () => {
        const policy = secretsReaderPolicy({
            region: REGION,
            accountId: ACCOUNT,
            prefix: "gitops-platform/production",
            kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/abc",
        });
        for (const statement of policy.Statement) {
            for (const action of actionsOf(statement)) {
                assert.ok(!action.includes("*"), action);
            }
            for (const resource of [statement.Resource ?? []].flat()) {
                assert.ok(
                    resource === "arn:aws:kms:eu-west-1:111122223333:key/abc" ||
                        resource.startsWith(
                            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:gitops-platform/production/",
                        ),
                    resource,
                );
            }
        }
    });

    it("the staging role reads staging's secrets and none of production's", () => {
        const staging = secretsReaderPolicy({
            region: REGION,
            accountId: ACCOUNT,
            prefix: defaultPrefix("gitops-platform", "staging"),
        });
        assert.equal(canRead(staging, secretArn("gitops-platform/staging/payments-api/database-url")), true);
        assert.equal(canRead(staging, secretArn("gitops-platform/production/payments-api/database-url")), false);
        assert.equal(
            canRead(staging, secretArn("gitops-platform/production/platform/production-engine-repo-platform-gitops")),
            false,
        );
        // A sibling whose name starts with the prefix is another stack's, not a child of this one.
        assert.equal(canRead(staging, secretArn("gitops-platform/staging-old/x")), false);
        assert.equal(canRead(staging, secretArn("gitops-platform/staging")), false);
    });

    it("no stack's default prefix reaches into another stack's (property)", () => {
        const stack = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
        const key = fc.stringMatching(/^[A-Za-z0-9_+=.@-]{1,20}(\/[A-Za-z0-9_+=.@-]{1,20}){0,2}$/);
        fc.assert(
            fc.property(stack, stack, key, (a, b, name) => {
                fc.pre(a !== b);
                const policyA = secretsReaderPolicy({
                    region: REGION,
                    accountId: ACCOUNT,
                    prefix: defaultPrefix("gitops-platform", a),
                });
                return (
                    canRead(policyA, secretArn(`${defaultPrefix("gitops-platform", a)}/${name}`)) &&
                    !canRead(policyA, secretArn(`${defaultPrefix("gitops-platform", b)}/${name}`))
                );
            }),
        );
    });

    it("names secrets under the prefix: platform/<name> and <app>/<key>", () => {
        assert.equal(
            secretArnPattern("us-east-1", "444455556666", "x/y"),
            "arn:aws:secretsmanager:us-east-1:444455556666:secret:x/y/*",
        );
        assert.equal(
            platformSecretKey("gitops-platform/staging", "staging-engine-repo-platform-gitops"),
            "gitops-platform/staging/platform/staging-engine-repo-platform-gitops",
        );
        assert.equal(
            appSecretKey("gitops-platform/staging", "payments-api", "database-url"),
            "gitops-platform/staging/payments-api/database-url",
        );
        assert.equal(platformSourceName("local-engine-repo-x"), "platform-local-engine-repo-x");
        assert.equal(appSourceName("podinfo", "api-token"), "podinfo-api-token");
        assert.equal(appReaderName("podinfo"), "podinfo-secrets-reader");
    });

    it("reads an app key kept as a value of its own under one field, and claims where it is kept", () => {
        assert.deepEqual(storedValueEntry("api-token", "podinfo-api-token", "value"), {
            entry: { secretKey: "api-token", key: "podinfo-api-token", property: "value" },
            stored: "podinfo-api-token",
        });
    });

    it("store scopes: <prefix>/platform/ and <prefix>/<app>/, each a prefix of its secrets' names", () => {
        assert.equal(platformScope("gitops-platform/staging"), "gitops-platform/staging/platform/");
        assert.equal(appScope("gitops-platform/staging", "payments-api"), "gitops-platform/staging/payments-api/");
        // ESO reads prefix + key verbatim: the scope plus the relative key is the secret's name.
        assert.equal(platformScope("p") + "x", platformSecretKey("p", "x"));
        assert.equal(appScope("p", "a") + "k", appSecretKey("p", "a", "k"));
    });

    it("no app's scope reaches another app's secrets or the platform's (property)", () => {
        const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
        const key = fc.stringMatching(/^[A-Za-z0-9_+=.@-]{1,20}$/);
        fc.assert(
            fc.property(label, label, key, (a, b, k) => {
                fc.pre(a !== b && a !== "platform");
                const prefix = "gitops-platform/staging";
                return (
                    !appSecretKey(prefix, b, k).startsWith(appScope(prefix, a)) &&
                    !platformSecretKey(prefix, k).startsWith(appScope(prefix, a)) &&
                    !appSecretKey(prefix, a, k).startsWith(platformScope(prefix))
                );
            }),
        );
    });
});

describe("secrets: External Secrets objects", () => {
    const base = {
        name: "payments-api-secrets",
        namespace: "payments-api",
        store: { kind: "SecretStore", name: "payments-api-secret-store" },
        refreshInterval: "1h",
        labels: { environment: "staging" },
    } as const;

    it("an ExternalSecret owns its target and reads each entry by key and property, through the given store", () => {
        assert.deepEqual(
            externalSecret({
                ...base,
                entries: [
                    { secretKey: "database-url", key: "database-url" },
                    { secretKey: "token", key: "src", property: "value" },
                ],
            }),
            {
                apiVersion: "external-secrets.io/v1",
                kind: "ExternalSecret",
                metadata: {
                    name: "payments-api-secrets",
                    namespace: "payments-api",
                    labels: { environment: "staging" },
                },
                spec: {
                    refreshInterval: "1h",
                    secretStoreRef: { kind: "SecretStore", name: "payments-api-secret-store" },
                    target: { name: "payments-api-secrets", creationPolicy: "Owner" },
                    data: [
                        { secretKey: "database-url", remoteRef: { key: "database-url" } },
                        { secretKey: "token", remoteRef: { key: "src", property: "value" } },
                    ],
                },
            },
        );
    });

    it("references the platform's ClusterSecretStore when asked to", () => {
        const object = externalSecret({
            ...base,
            store: { kind: "ClusterSecretStore", name: "platform-secrets" },
            entries: [],
        });
        assert.deepEqual(object.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "platform-secrets" });
    });

    it("puts the consumer's labels on the target Secret through the template", () => {
        const object = externalSecret({
            ...base,
            targetLabels: { "argocd.argoproj.io/secret-type": "repository" },
            entries: [{ secretKey: "url", key: "k", property: "url" }],
        });
        assert.deepEqual(object.spec.target?.template, {
            metadata: { labels: { "argocd.argoproj.io/secret-type": "repository" } },
        });
    });

    it("templates the Secret's data and metadata from the fetched keys, schema-valid, when asked to", async () => {
        const object = externalSecret({
            name: "cluster-edge",
            namespace: "argocd",
            store: { kind: "ClusterSecretStore", name: "platform-secrets" },
            refreshInterval: "1h",
            targetLabels: { "argocd.argoproj.io/secret-type": "cluster" },
            targetAnnotations: { gitops_repo_path: "clusters/edge" },
            targetData: { name: "edge", config: "{{ .config }}" },
            entries: [{ secretKey: "config", key: "fleet/edge" }],
        });
        // external-secrets apis/externalsecrets/v1 externalsecret_types.go: ExternalSecretTemplate's
        // engineVersion (v2), metadata.{labels,annotations} and data (Go templates over the fetched keys).
        assert.deepEqual(object.spec.target.template, {
            engineVersion: "v2",
            metadata: {
                labels: { "argocd.argoproj.io/secret-type": "cluster" },
                annotations: { gitops_repo_path: "clusters/edge" },
            },
            data: { name: "edge", config: "{{ .config }}" },
        });
        assert.deepEqual(object.spec.data, [{ secretKey: "config", remoteRef: { key: "fleet/edge" } }]);
        // No labels given: the ExternalSecret carries none (not an empty map).
        assert.equal("labels" in object.metadata, false);
        const { ExternalSecret } = await importEsm<Record<string, new (data: unknown) => { validate(): void }>>(
            "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret",
        );
        new ExternalSecret(object).validate();
        new ExternalSecret(externalSecret({ ...base, entries: [{ secretKey: "k", key: "k" }] })).validate();
    });

    it("reads a platform secret stored as one value with a field per key, one entry per key in key order", () => {
        assert.deepEqual(fieldEntries({ sshPrivateKey: "k", url: "u", type: "git" }, "platform-repo"), [
            { secretKey: "sshPrivateKey", key: "platform-repo", property: "sshPrivateKey" },
            { secretKey: "type", key: "platform-repo", property: "type" },
            { secretKey: "url", key: "platform-repo", property: "url" },
        ]);
    });

    for (const interval of ["0", "0s", "0h0m0s", "", "1d", "-1h", "1.5h"]) {
        it(`rejects refreshInterval ${JSON.stringify(interval)}`, () => {
            assert.throws(
                () => externalSecret({ ...base, refreshInterval: interval, entries: [] }),
                /refreshInterval must be a non-zero duration/,
            );
        });
    }

    for (const [text, seconds] of [
        ["1h", 3600],
        ["15m", 900],
        ["1h30m", 5400],
        ["30s", 30],
        ["0h5m", 300],
    ] as const) {
        it(`durationSeconds(${text}) = ${seconds}`, () => assert.equal(durationSeconds(text), seconds));
    }

    it("a ClusterSecretStore lists its namespaces once, sorted, and refuses an empty list", () => {
        const store = clusterSecretStore(
            "platform-secrets",
            awsProvider(REGION, "p/platform/"),
            ["argocd", "flux-system", "argocd"],
            {},
        );
        assert.deepEqual(store.spec, {
            provider: { aws: { service: "SecretsManager", region: REGION, prefix: "p/platform/" } },
            conditions: [{ namespaces: ["argocd", "flux-system"] }],
        });
        assert.throws(() => clusterSecretStore("s", awsProvider(REGION, "p/"), [], {}), /at least one namespace/);
    });

    it("a SecretStore is namespaced and carries only its provider", () => {
        assert.deepEqual(
            secretStore("web-secret-store", "web", awsProvider(REGION, "p/web/"), { environment: "staging" }),
            {
                apiVersion: "external-secrets.io/v1",
                kind: "SecretStore",
                metadata: { name: "web-secret-store", namespace: "web", labels: { environment: "staging" } },
                spec: { provider: { aws: { service: "SecretsManager", region: REGION, prefix: "p/web/" } } },
            },
        );
    });

    it("the AWS provider has no auth block (the operator's own workload identity, never static keys) and a prefix", () => {
        assert.deepEqual(awsProvider("eu-central-1", "gitops-platform/staging/web/"), {
            aws: { service: "SecretsManager", region: "eu-central-1", prefix: "gitops-platform/staging/web/" },
        });
    });

    it("refuses an AWS prefix without a trailing slash: web would reach web-admin", () => {
        assert.throws(() => awsProvider(REGION, "gitops-platform/staging/web"), /must end in "\/"/);
    });

    it("the Kubernetes provider for a ClusterSecretStore names the namespace of its CA and reader", () => {
        assert.deepEqual(kubernetesProvider("platform-secrets", "platform-secrets-reader", "platform-secrets"), {
            kubernetes: {
                remoteNamespace: "platform-secrets",
                server: {
                    caProvider: {
                        type: "ConfigMap",
                        name: "kube-root-ca.crt",
                        key: "ca.crt",
                        namespace: "platform-secrets",
                    },
                },
                auth: { serviceAccount: { name: "platform-secrets-reader", namespace: "platform-secrets" } },
            },
        });
    });

    it("the Kubernetes provider for a SecretStore names no namespace: ESO takes the store's own", () => {
        assert.deepEqual(kubernetesProvider("platform-secrets", "web-secrets-reader"), {
            kubernetes: {
                remoteNamespace: "platform-secrets",
                server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
                auth: { serviceAccount: { name: "web-secrets-reader" } },
            },
        });
    });

    it("an app's reader may get its named source Secrets, each once, and nothing else", () => {
        assert.deepEqual(appReaderRules(["web-b", "web-a", "web-b"]), [
            { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["web-a", "web-b"] },
        ]);
        assert.throws(() => appReaderRules([]), /at least one Secret name/);
    });

    it("the reader may read Secrets and review its own rules, nothing else", () => {
        assert.deepEqual(SOURCE_READER_RULES, [
            { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectrulesreviews"], verbs: ["create"] },
        ]);
    });

    it("chart values: CRDs, the fixed service account with its annotations, token minting as asked", () => {
        assert.deepEqual(
            operatorValues({
                serviceAccountName: "external-secrets",
                serviceAccountAnnotations: { a: "b" },
                serviceAccountTokenCreate: false,
            }),
            {
                installCRDs: true,
                serviceAccount: { create: true, name: "external-secrets", annotations: { a: "b" } },
                rbac: { serviceAccountTokenCreate: false, aggregateToEdit: false, aggregateToAdmin: false },
            },
        );
    });
});

describe("secrets: chart versions", () => {
    it("the default is the pinned 2.9.0 and is accepted", () => {
        assert.equal(DEFAULTS.chartVersion, "2.9.0");
        assert.equal(chartVersionProblem(DEFAULTS.chartVersion), undefined);
    });
    for (const [version, ok] of [
        ["2.8.0", true],
        ["2.10.0", true],
        ["3.0.0", true],
        ["2.7.0", false],
        ["2.5.0", false],
        ["2.4.1", false],
        ["0.20.4", false],
        ["1.3.2", false],
    ] as const) {
        it(`${version} is ${ok ? "accepted" : "refused"}`, () => {
            assert.equal(chartVersionProblem(version) === undefined, ok);
        });
    }
    it("compares versions numerically", () => {
        assert.ok(compareVersions("2.10.0", "2.9.0") > 0);
        assert.equal(compareVersions("v2.9.0", "2.9.0"), 0);
    });
    it("the checked-in EKS stacks pin the default", () => {
        for (const stack of ["staging", "production"]) {
            assert.equal(
                stackValue<{ chartVersion: string }>(stack, "gitops-platform:secrets").chartVersion,
                DEFAULTS.chartVersion,
            );
        }
    });
});

describe("secrets: from config", () => {
    it("the prefix defaults to gitops-platform/<stack> and follows secrets.prefix", () => {
        assert.equal(secretsPrefix(platformConfig("staging")), "gitops-platform/staging");
        assert.equal(secretsPrefix(platformConfig("production")), "gitops-platform/production");
        const custom = platformConfig("staging", {
            // A custom prefix ends with the stack's own name (secretsPrefixProblem, stacks/config/secrets.ts).
            set: { "gitops-platform:secrets": { type: "aws-secrets-manager", prefix: "acme/platform/staging" } },
        });
        assert.equal(secretsPrefix(custom), "acme/platform/staging");
    });

    it("the platform's store is open to the engine's namespace only", () => {
        assert.deepEqual(allowedNamespaces(platformConfig("staging")), ["argocd"]);
        assert.deepEqual(allowedNamespaces(platformConfig("local")), ["flux-system"]);
    });

    it("stack outputs: type, chart version, and the prefix on AWS", () => {
        // The version is the store's (its pinned default or the configured one), passed through as it is.
        const store = { chartVersion: "2.9.0" };
        assert.deepEqual(secretsOutputs(platformConfig("staging"), store), {
            type: "aws-secrets-manager",
            chartVersion: "2.9.0",
            prefix: "gitops-platform/staging",
        });
        assert.deepEqual(secretsOutputs(platformConfig("local"), store), { type: "kubernetes", chartVersion: "2.9.0" });
        assert.equal(
            secretsOutputs(
                platformConfig("local", { remove: ["gitops-platform:secrets", "gitops-platform:apps"] }),
                undefined,
            ),
            undefined,
        );
    });

    /** Stack, what is wrong, the secrets section, the key under gitops-platform:secrets the report names. */
    const BAD: readonly [stack: string, what: string, secrets: Record<string, unknown>, key: string][] = [
        ["local", "zero refresh interval", { type: "kubernetes", refreshInterval: "0s" }, "refreshInterval"],
        ["local", "refresh interval in days", { type: "kubernetes", refreshInterval: "1d" }, "refreshInterval"],
        ["local", "chart older than 2.8.0", { type: "kubernetes", chartVersion: "0.20.4" }, "chartVersion"],
        ["local", "chart version range", { type: "kubernetes", chartVersion: "^2.9.0" }, "chartVersion"],
        ["local", "unknown store type", { type: "gcp-secret-manager" }, "type"],
        ["local", "typo in sourceNamespace", { type: "kubernetes", sourceNamespce: "x" }, "sourceNamespce"],
        [
            "local",
            "sourceNamespace not a DNS label",
            { type: "kubernetes", sourceNamespace: "Secrets_NS" },
            "sourceNamespace",
        ],
        ["local", "prefix on the kubernetes store", { type: "kubernetes", prefix: "a/b" }, "prefix"],
        ["staging", "prefix with a leading slash", { type: "aws-secrets-manager", prefix: "/gitops" }, "prefix"],
        ["staging", "prefix with a wildcard", { type: "aws-secrets-manager", prefix: "gitops/*" }, "prefix"],
        [
            "staging",
            "KMS key that is not an ARN",
            { type: "aws-secrets-manager", kmsKeyArn: "alias/secrets" },
            "kmsKeyArn",
        ],
    ];
    for (const [stack, what, secrets, key] of BAD) {
        it(`${stack}: ${what} is reported at gitops-platform:secrets.${key}`, () => {
            const problems = configProblems(stack, { set: { "gitops-platform:secrets": secrets } });
            assertProblemAt(problems, `gitops-platform:secrets.${key}`);
        });
    }
});

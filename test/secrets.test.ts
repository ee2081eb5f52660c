/**
 * The secrets stores through the offline plan: what each store declares, how deliver() and
 * appSecret() materialize secrets, that every External Secrets object is valid against its schema,
 * that the local stack's store touches no AWS, and that no secret value appears in a plan in plain
 * text. The cluster is stood in for by a fake ClusterHandle whose workload identity
 * (FakeWorkloadIdentityForTests) records the grants it is asked for; stack-level cases use the
 * real cluster component from stacks/cluster.ts.
 */
import { platformLabels } from "../components/core/labels";
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, WorkloadIdentity, WorkloadIdentityGrant, WorkloadRole } from "../components/cluster/types";
import { AwsSecretsManagerStore, AwsSecretsManagerStoreArgs } from "../components/secrets/aws";
import { DirectSecretDelivery } from "../components/secrets/direct";
import { KubernetesSecretsStore } from "../components/secrets/kubernetes";
import { SecretsStore } from "../components/secrets/types";
import { PlannedResource } from "../plan/recorder";
import { MOCK_ACCOUNT_ID } from "../plan/mocks";
import { createCluster } from "../stacks/cluster";
import { PlatformConfig } from "../stacks/config";
import { appNamespace } from "../stacks/apps";
import { createSecretsStore, secretsPrefix } from "../stacks/secrets";
import { byName, CHECKED_IN_STACKS, importEsm, ofType, planProgram, planStack, platformConfig } from "./harness";
import { parsePolicy } from "./iamAssertions";
import { canRead } from "./secretsIam";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const APP_STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const SM_SECRET = "aws:secretsmanager/secret:Secret";
const SM_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const K8S_PROVIDER = "pulumi:providers:kubernetes";

/** A value that must never show in a plan in plain text. */
const KNOWN_SECRET = "known-openssh-deploy-key-material-7f3a";

function assertNoKnownSecret(resources: readonly PlannedResource[]): void {
    assert.ok(!JSON.stringify(resources).includes(KNOWN_SECRET), `"${KNOWN_SECRET}" appears in the plan in plain text`);
}

/** Records the grants the store asks for and answers like the cluster's helper would, without AWS resources. */
class FakeWorkloadIdentityForTests implements WorkloadIdentity {
    readonly grants: { name: string; grant: WorkloadIdentityGrant }[] = [];
    constructor(private readonly annotations: Record<string, string> = {}) {}
    grant(name: string, grant: WorkloadIdentityGrant): WorkloadRole {
        this.grants.push({ name, grant });
        return {
            roleArn: pulumi.output(`arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}`),
            serviceAccountAnnotations: this.annotations,
            ready: [],
        };
    }
}

function fakeCluster(provider: k8s.Provider, identity?: WorkloadIdentity): ClusterHandle {
    return {
        kind: identity ? "eks" : "existing",
        clusterName: pulumi.output("fake"),
        provider,
        ready: [],
        workloadIdentity: identity,
        aws: identity ? { region: "eu-west-1", accountId: pulumi.output(MOCK_ACCOUNT_ID) } : undefined,
    };
}

/** A caller of deliver()/appSecret(), as the engine and apps are. */
class CallerForTests extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:fake:Caller", name);
    }
}

/** Delivers a repository credential and one app's secrets through `store`, as the engine and an app would. */
function useStore(store: SecretsStore): void {
    const engine = new CallerForTests("engine");
    store.deliver(
        "engine-repo-platform-gitops",
        {
            namespace: "argocd",
            secretName: "repo-platform-gitops",
            labels: { "argocd.argoproj.io/secret-type": "repository" },
            data: {
                type: "git",
                url: "ssh://git@github.com/acme/platform-gitops.git",
                sshPrivateKey: pulumi.secret(KNOWN_SECRET),
            },
        },
        { parent: engine },
    );
    const app = new CallerForTests("payments-api");
    store.appSecret(
        { app: "payments-api", namespace: "payments-api", keys: ["stripe-api-key", "database-url"] },
        { parent: app },
    );
}

/** Plans a store made on a test provider, used as the engine and an app would. */
async function planUse(makeStore: (provider: k8s.Provider) => SecretsStore): Promise<PlannedResource[]> {
    const { resources } = await planProgram(() => {
        useStore(makeStore(new k8s.Provider("cluster", { kubeconfig: "{}" })));
        return {};
    });
    return resources;
}

function awsArgs(
    provider: k8s.Provider,
    identity: WorkloadIdentity,
    extra: Partial<AwsSecretsManagerStoreArgs> = {},
): AwsSecretsManagerStoreArgs {
    return {
        provider,
        workloadIdentity: identity,
        region: "eu-west-1",
        accountId: MOCK_ACCOUNT_ID,
        prefix: "gitops-platform/staging",
        labels: platformLabels("staging"),
        allowedNamespaces: ["argocd"],
        tags: { owner: "platform-team" },
        ...extra,
    };
}

function typesOf(resources: readonly PlannedResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

const ES_MODELS: Record<string, string> = {
    [STORE]: "ClusterSecretStore",
    [APP_STORE]: "SecretStore",
    [EXTERNAL_SECRET]: "ExternalSecret",
};

/** Every store and ExternalSecret validates against @kubernetes-models/external-secrets (external-secrets.io/v1). */
async function assertValidObjects(resources: readonly PlannedResource[]): Promise<number> {
    const models = await importEsm<Record<string, new (data: unknown) => { validate(): void }>>(
        "@kubernetes-models/external-secrets/external-secrets.io/v1",
    );
    const checked = resources.filter((r) => r.type in ES_MODELS);
    for (const resource of checked) {
        const inputs = resource.inputs as { apiVersion: string };
        assert.equal(inputs.apiVersion, "external-secrets.io/v1");
        assert.doesNotThrow(() => new models[ES_MODELS[resource.type]](resource.inputs).validate(), resource.name);
    }
    return checked.length;
}

interface StoreRefInputs {
    spec: { secretStoreRef: { kind: string; name: string } };
}

/** ExternalSecrets that are not the platform's own (those live in the engine's namespace). */
function appExternalSecrets(resources: readonly PlannedResource[], engineNamespace: string): PlannedResource[] {
    return ofType(resources, EXTERNAL_SECRET).filter(
        (r) => (r.inputs.metadata as { namespace: string }).namespace !== engineNamespace,
    );
}

/** The binding grants the Role `reader` to the service account of the same name in `namespace`. */
function assertBindsReader(binding: PlannedResource, reader: string, namespace: string): void {
    assert.deepEqual(binding.inputs.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader });
    assert.deepEqual(binding.inputs.subjects, [{ kind: "ServiceAccount", name: reader, namespace }]);
}

describe("secrets: AWS Secrets Manager store", () => {
    let resources: PlannedResource[];
    let identity: FakeWorkloadIdentityForTests;

    before(async () => {
        identity = new FakeWorkloadIdentityForTests();
        resources = await planUse(
            (provider) => new AwsSecretsManagerStore("staging-secrets", awsArgs(provider, identity)),
        );
    });

    it("declares exactly the operator, the platform's store, the app's store, one Secrets Manager secret with its version, and two ExternalSecrets", () => {
        assert.deepEqual(typesOf(resources), {
            "pulumi:pulumi:Stack": 1,
            [K8S_PROVIDER]: 1,
            "gitops-platform:secrets:AwsSecretsManagerStore": 1,
            "test:fake:Caller": 2,
            [NAMESPACE]: 1,
            [NETWORK_POLICY]: 1,
            [RELEASE]: 1,
            [STORE]: 1,
            [APP_STORE]: 1,
            [SM_SECRET]: 1,
            [SM_VERSION]: 1,
            [EXTERNAL_SECRET]: 2,
        });
    });

    it("asks the cluster for one role, for the operator's service account, with the read policy", () => {
        assert.equal(identity.grants.length, 1);
        const [{ name, grant }] = identity.grants;
        assert.equal(name, "staging-secrets-operator");
        assert.equal(grant.namespace, "external-secrets");
        assert.equal(grant.serviceAccount, "external-secrets");
    });

    it("installs the pinned external-secrets chart with CRDs, its fixed service account and no token minting", () => {
        const release = byName(resources, RELEASE, "staging-secrets-release");
        assert.deepEqual(
            {
                name: release.inputs.name,
                namespace: release.inputs.namespace,
                chart: release.inputs.chart,
                version: release.inputs.version,
                repositoryOpts: release.inputs.repositoryOpts,
            },
            {
                name: "external-secrets",
                namespace: "external-secrets",
                chart: "external-secrets",
                version: "2.9.0",
                repositoryOpts: { repo: "https://charts.external-secrets.io" },
            },
        );
        assert.deepEqual(release.inputs.values, {
            installCRDs: true,
            serviceAccount: { create: true, name: "external-secrets", annotations: {} },
            rbac: { serviceAccountTokenCreate: false, aggregateToEdit: false, aggregateToAdmin: false },
        });
    });

    it("the platform's store: Secrets Manager in the region, no auth block, <prefix>/platform/ only, the engine's namespace only, after the release", () => {
        const store = byName(resources, STORE, "staging-secrets-store");
        assert.deepEqual(store.inputs.spec, {
            provider: {
                aws: { service: "SecretsManager", region: "eu-west-1", prefix: "gitops-platform/staging/platform/" },
            },
            conditions: [{ namespaces: ["argocd"] }],
        });
        assert.deepEqual(store.options.dependsOn, [byName(resources, RELEASE, "staging-secrets-release").urn]);
    });

    it("deliver(): a Secrets Manager secret under <prefix>/platform/ whose value is a secret", () => {
        const secret = byName(resources, SM_SECRET, "engine-repo-platform-gitops-aws-secret");
        assert.equal(secret.inputs.name, "gitops-platform/staging/platform/engine-repo-platform-gitops");
        assert.equal(secret.inputs.recoveryWindowInDays, 30);
        assert.deepEqual(secret.inputs.tags, { owner: "platform-team" });
        const version = byName(resources, SM_VERSION, "engine-repo-platform-gitops-aws-secret-version");
        assert.equal(version.inputs.secretString, "[secret]");
    });

    it("deliver(): an ExternalSecret in the requested namespace, with the consumer's labels, one entry per field, keyed relative to the platform's prefix", () => {
        const es = byName(resources, EXTERNAL_SECRET, "engine-repo-platform-gitops");
        const key = "engine-repo-platform-gitops";
        assert.deepEqual(es.inputs.metadata, {
            name: "repo-platform-gitops",
            namespace: "argocd",
            labels: { environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
        });
        assert.deepEqual(es.inputs.spec, {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: "platform-secrets" },
            target: {
                name: "repo-platform-gitops",
                creationPolicy: "Owner",
                template: { metadata: { labels: { "argocd.argoproj.io/secret-type": "repository" } } },
            },
            data: ["sshPrivateKey", "type", "url"].map((field) => ({
                secretKey: field,
                remoteRef: { key, property: field },
            })),
        });
        const expected = [
            byName(resources, RELEASE, "staging-secrets-release").urn,
            byName(resources, STORE, "staging-secrets-store").urn,
            byName(resources, SM_VERSION, "engine-repo-platform-gitops-aws-secret-version").urn,
        ];
        assert.deepEqual(es.options.dependsOn, expected);
        assert.equal(es.parent, ofType(resources, "test:fake:Caller").find((r) => r.name === "engine")?.urn);
    });

    it("appSecret(): a SecretStore in the app's namespace, scoped to <prefix>/<app>/, the operator's identity, after the release and the namespace's deps", () => {
        const store = byName(resources, APP_STORE, "payments-api-secret-store");
        assert.deepEqual(store.inputs.metadata, {
            name: "payments-api-secret-store",
            namespace: "payments-api",
            labels: { environment: "staging", "app.kubernetes.io/managed-by": "pulumi" },
        });
        assert.deepEqual(store.inputs.spec, {
            provider: {
                aws: {
                    service: "SecretsManager",
                    region: "eu-west-1",
                    prefix: "gitops-platform/staging/payments-api/",
                },
            },
        });
        assert.deepEqual(store.options.dependsOn, [byName(resources, RELEASE, "staging-secrets-release").urn]);
        assert.equal(store.parent, byName(resources, "test:fake:Caller", "payments-api").urn);
    });

    it("appSecret(): <app>-secrets in the app's namespace through its own SecretStore, keys relative to <prefix>/<app>/", () => {
        const es = byName(resources, EXTERNAL_SECRET, "payments-api-secrets");
        assert.deepEqual((es.inputs.metadata as { namespace: string }).namespace, "payments-api");
        assert.deepEqual((es.inputs as unknown as StoreRefInputs).spec.secretStoreRef, {
            kind: "SecretStore",
            name: "payments-api-secret-store",
        });
        assert.deepEqual((es.inputs.spec as { data: unknown }).data, [
            { secretKey: "database-url", remoteRef: { key: "database-url" } },
            { secretKey: "stripe-api-key", remoteRef: { key: "stripe-api-key" } },
        ]);
        assert.deepEqual(es.options.dependsOn, [
            byName(resources, RELEASE, "staging-secrets-release").urn,
            byName(resources, APP_STORE, "payments-api-secret-store").urn,
        ]);
        assert.equal(es.parent, byName(resources, "test:fake:Caller", "payments-api").urn);
    });

    it("every External Secrets object is valid external-secrets.io/v1", async () => {
        assert.equal(await assertValidObjects(resources), 4);
    });

    it("the granted policy reads the platform secret it wrote, and nothing of production", async () => {
        const [{ grant }] = identity.grants;
        const text = await new Promise<string>((resolve) => pulumi.output(grant.policyDocument).apply(resolve));
        const policy = parsePolicy(text, "grant");
        const name = byName(resources, SM_SECRET, "engine-repo-platform-gitops-aws-secret").inputs.name as string;
        // The ARN Secrets Manager gives it: the name, "-" and six random characters.
        assert.equal(
            canRead(policy, `arn:aws:secretsmanager:eu-west-1:${MOCK_ACCOUNT_ID}:secret:${name}-AbC123`),
            true,
        );
        assert.equal(
            canRead(
                policy,
                `arn:aws:secretsmanager:eu-west-1:${MOCK_ACCOUNT_ID}:secret:${name.replace("/staging/", "/production/")}-AbC123`,
            ),
            false,
        );
    });

    it("no known secret value appears anywhere in the plan", () => {
        assertNoKnownSecret(resources);
    });
});

describe("secrets: AWS store with IRSA and a customer key", () => {
    it("puts the grant's role-arn annotation on the operator's service account, and kms:Decrypt in the policy", async () => {
        const identity = new FakeWorkloadIdentityForTests({
            "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eso",
        });
        const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { resources } = await planProgram(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            new AwsSecretsManagerStore(
                "s",
                awsArgs(provider, identity, { kmsKeyArn: key, recoveryWindowInDays: 0, refreshInterval: "15m" }),
            );
            return {};
        });
        const values = byName(resources, RELEASE, "s-release").inputs.values as {
            serviceAccount: { annotations: unknown };
        };
        assert.deepEqual(values.serviceAccount.annotations, {
            "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eso",
        });
        const text = await new Promise<string>((resolve) =>
            pulumi.output(identity.grants[0].grant.policyDocument).apply(resolve),
        );
        assert.deepEqual(
            parsePolicy(text, "grant").Statement.map((s) => s.Action),
            [["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "kms:Decrypt"],
        );
    });

    it("refuses secrets for an app named platform: its store would reach <prefix>/platform/", async () => {
        await assert.rejects(
            planProgram(() => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                const store = new AwsSecretsManagerStore("s", awsArgs(provider, new FakeWorkloadIdentityForTests()));
                store.appSecret(
                    { app: "platform", namespace: "platform", keys: ["token"] },
                    { parent: new CallerForTests("c") },
                );
                return {};
            }),
            /app "platform" cannot have secrets: its store would reach the platform's own secrets/,
        );
    });

    it("refuses a chart older than 2.8.0", async () => {
        await assert.rejects(
            planProgram(() => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                new AwsSecretsManagerStore(
                    "s",
                    awsArgs(provider, new FakeWorkloadIdentityForTests(), { chartVersion: "0.20.4" }),
                );
                return {};
            }),
            /external-secrets chart 0.20.4 is older than 2.8.0/,
        );
    });

    it("an app with no keys gets no ExternalSecret", async () => {
        let result: pulumi.Resource | undefined = new CallerForTests("sentinel");
        await planProgram(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            const store = new AwsSecretsManagerStore("s", awsArgs(provider, new FakeWorkloadIdentityForTests()));
            result = store.appSecret({ app: "web", namespace: "web", keys: [] }, { parent: new CallerForTests("web") });
            return {};
        });
        assert.equal(result, undefined);
    });
});

describe("secrets: Kubernetes store (cloud-free)", () => {
    let resources: PlannedResource[];

    before(async () => {
        resources = await planUse(
            (provider) =>
                new KubernetesSecretsStore("local-secrets", {
                    provider,
                    labels: platformLabels("local"),
                    allowedNamespaces: ["argocd"],
                }),
        );
    });

    it("declares the operator, the source namespace with its reader, the platform's store, the app's reader and store, and no AWS resource", () => {
        assert.deepEqual(typesOf(resources), {
            "pulumi:pulumi:Stack": 1,
            [K8S_PROVIDER]: 1,
            "gitops-platform:secrets:KubernetesSecretsStore": 1,
            "test:fake:Caller": 2,
            [NAMESPACE]: 2,
            [SERVICE_ACCOUNT]: 2,
            [ROLE]: 2,
            [BINDING]: 2,
            [NETWORK_POLICY]: 2,
            [RELEASE]: 1,
            [STORE]: 1,
            [APP_STORE]: 1,
            [SECRET]: 1,
            [EXTERNAL_SECRET]: 2,
        });
    });

    it("keeps the source namespace on destroy: users' secrets live there", () => {
        const source = byName(resources, NAMESPACE, "local-secrets-source-namespace");
        assert.equal((source.inputs.metadata as { name: string }).name, "platform-secrets");
        assert.equal(source.options.retainOnDelete, true);
    });

    it("the reader is bound to its Role in the source namespace", () => {
        const binding = byName(resources, BINDING, "local-secrets-reader-binding");
        assertBindsReader(binding, "platform-secrets-reader", "platform-secrets");
        assert.equal(
            (byName(resources, ROLE, "local-secrets-reader-role").inputs.metadata as { namespace: string }).namespace,
            "platform-secrets",
        );
    });

    it("the chart lets the controller mint the reader's tokens; the store waits for the reader's RBAC", () => {
        const release = byName(resources, RELEASE, "local-secrets-release");
        assert.deepEqual((release.inputs.values as { rbac: unknown }).rbac, {
            serviceAccountTokenCreate: true,
            aggregateToEdit: false,
            aggregateToAdmin: false,
        });
        const store = byName(resources, STORE, "local-secrets-store");
        assert.deepEqual(store.options.dependsOn, [
            release.urn,
            byName(resources, SERVICE_ACCOUNT, "local-secrets-reader").urn,
            byName(resources, BINDING, "local-secrets-reader-binding").urn,
        ]);
        assert.deepEqual((store.inputs.spec as { provider: unknown }).provider, {
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

    it("deliver(): a source Secret of Pulumi secrets, and the same kind of ExternalSecret as on AWS", () => {
        const source = byName(resources, SECRET, "engine-repo-platform-gitops-source");
        assert.deepEqual(source.inputs.metadata, {
            name: "platform-engine-repo-platform-gitops",
            namespace: "platform-secrets",
            labels: { environment: "local", "app.kubernetes.io/managed-by": "pulumi" },
        });
        assert.equal(source.inputs.stringData, "[secret]");
        const es = byName(resources, EXTERNAL_SECRET, "engine-repo-platform-gitops");
        assert.deepEqual(
            (es.inputs.spec as { data: unknown }).data,
            ["sshPrivateKey", "type", "url"].map((field) => ({
                secretKey: field,
                remoteRef: { key: "platform-engine-repo-platform-gitops", property: field },
            })),
        );
    });

    it("appSecret(): reads <app>-<key> source Secrets, value under `value`, through the app's own SecretStore", () => {
        const es = byName(resources, EXTERNAL_SECRET, "payments-api-secrets");
        assert.deepEqual((es.inputs as unknown as StoreRefInputs).spec.secretStoreRef, {
            kind: "SecretStore",
            name: "payments-api-secret-store",
        });
        assert.deepEqual((es.inputs.spec as { data: unknown }).data, [
            { secretKey: "database-url", remoteRef: { key: "payments-api-database-url", property: "value" } },
            { secretKey: "stripe-api-key", remoteRef: { key: "payments-api-stripe-api-key", property: "value" } },
        ]);
    });

    it("appSecret(): the app's reader lives in the app's namespace; its Role in the source namespace gets only the app's Secrets by name", () => {
        const reader = byName(resources, SERVICE_ACCOUNT, "payments-api-secrets-reader");
        assert.deepEqual(reader.inputs.metadata, {
            name: "payments-api-secrets-reader",
            namespace: "payments-api",
            labels: { environment: "local", "app.kubernetes.io/managed-by": "pulumi" },
        });
        const role = byName(resources, ROLE, "payments-api-secrets-reader-role");
        assert.equal((role.inputs.metadata as { namespace: string }).namespace, "platform-secrets");
        assert.deepEqual(role.inputs.rules, [
            {
                apiGroups: [""],
                resources: ["secrets"],
                verbs: ["get"],
                resourceNames: ["payments-api-database-url", "payments-api-stripe-api-key"],
            },
        ]);
        const binding = byName(resources, BINDING, "payments-api-secrets-reader-binding");
        assert.equal((binding.inputs.metadata as { namespace: string }).namespace, "platform-secrets");
        assertBindsReader(binding, "payments-api-secrets-reader", "payments-api");
        const app = byName(resources, "test:fake:Caller", "payments-api").urn;
        assert.deepEqual(
            [reader, role, binding].map((r) => r.parent),
            [app, app, app],
        );
    });

    it("appSecret(): the app's SecretStore reads the source namespace as the app's reader, with no namespace of its own to name", () => {
        const store = byName(resources, APP_STORE, "payments-api-secret-store");
        assert.equal((store.inputs.metadata as { namespace: string }).namespace, "payments-api");
        assert.deepEqual(store.inputs.spec, {
            provider: {
                kubernetes: {
                    remoteNamespace: "platform-secrets",
                    server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
                    auth: { serviceAccount: { name: "payments-api-secrets-reader" } },
                },
            },
        });
        assert.deepEqual(store.options.dependsOn, [
            byName(resources, RELEASE, "local-secrets-release").urn,
            byName(resources, SERVICE_ACCOUNT, "payments-api-secrets-reader").urn,
            byName(resources, BINDING, "payments-api-secrets-reader-binding").urn,
        ]);
    });

    it("every External Secrets object is valid external-secrets.io/v1", async () => {
        assert.equal(await assertValidObjects(resources), 4);
    });

    it("no known secret value appears anywhere in the plan", () => {
        assertNoKnownSecret(resources);
    });
});

describe("secrets: DirectSecretDelivery", () => {
    it("writes one Secret with the consumer's labels, its data a Pulumi secret", async () => {
        const { resources } = await planProgram(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            useDirect(new DirectSecretDelivery(provider, { environment: "local" }));
            return {};
        });
        assert.equal(ofType(resources, SECRET).length, 1);
        const secret = byName(resources, SECRET, "engine-repo-platform-gitops");
        assert.deepEqual(secret.inputs.metadata, {
            name: "repo-platform-gitops",
            namespace: "argocd",
            labels: { environment: "local", "argocd.argoproj.io/secret-type": "repository" },
        });
        assert.equal(secret.inputs.stringData, "[secret]");
        assertNoKnownSecret(resources);
    });
});

function useDirect(delivery: DirectSecretDelivery): void {
    delivery.deliver(
        "engine-repo-platform-gitops",
        {
            namespace: "argocd",
            secretName: "repo-platform-gitops",
            labels: { "argocd.argoproj.io/secret-type": "repository" },
            data: { sshPrivateKey: pulumi.secret(KNOWN_SECRET) },
        },
        { parent: new CallerForTests("engine") },
    );
}

/** The real cluster of the stack, its store, and a delivery with a known secret value. */
function planStore(stack: string) {
    return planProgram(
        () => {
            const config = platformConfig(stack);
            const store = createSecretsStore(config, createCluster(config));
            assert.ok(store);
            useStore(store);
            return {};
        },
        stack,
        { "aws:region": "eu-west-1" },
    );
}

describe("secrets: createSecretsStore with a fake cluster", () => {
    it("staging: grants the operator's role through the cluster's helper and opens the platform's store to the engine's namespace only", async () => {
        const identity = new FakeWorkloadIdentityForTests();
        const { resources } = await planProgram(
            () => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                useStore(createSecretsStore(platformConfig("staging"), fakeCluster(provider, identity))!);
                return {};
            },
            "staging",
            { "aws:region": "eu-west-1" },
        );
        assert.deepEqual(
            identity.grants.map((g) => [g.name, g.grant.namespace, g.grant.serviceAccount]),
            [["staging-secrets-operator", "external-secrets", "external-secrets"]],
        );
        assert.deepEqual(
            (byName(resources, STORE, "staging-secrets-store").inputs.spec as { conditions: unknown }).conditions,
            [{ namespaces: ["argocd"] }],
        );
        assert.equal(
            byName(resources, SM_SECRET, "engine-repo-platform-gitops-aws-secret").inputs.name,
            "gitops-platform/staging/platform/engine-repo-platform-gitops",
        );
    });

    it("local: no workload identity needed; the platform's store is open to flux-system only", async () => {
        const { resources } = await planProgram(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            useStore(createSecretsStore(platformConfig("local"), fakeCluster(provider))!);
            return {};
        }, "local");
        assert.deepEqual(
            (byName(resources, STORE, "local-secrets-store").inputs.spec as { conditions: unknown }).conditions,
            [{ namespaces: ["flux-system"] }],
        );
    });

    it("aws-secrets-manager on a cluster without workload identity is refused", () => {
        const provider = {} as k8s.Provider;
        assert.throws(
            () => createSecretsStore(platformConfig("staging"), fakeCluster(provider)),
            /needs an EKS cluster/,
        );
    });
});

describe("secrets: the checked-in stacks' stores", () => {
    it("local: the Kubernetes store, and no aws: resource at all", async () => {
        const { resources } = await planStore("local");
        assert.equal(ofType(resources, "gitops-platform:secrets:KubernetesSecretsStore").length, 1);
        assert.deepEqual(
            resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws").map((r) => r.type),
            [],
        );
    });

    for (const stack of ["staging", "production"]) {
        it(`${stack}: the AWS store, its role's inline policy reading ${stack}'s prefix only`, async () => {
            const { resources } = await planStore(stack);
            assert.equal(ofType(resources, "gitops-platform:secrets:AwsSecretsManagerStore").length, 1);
            const policy = byName(resources, "aws:iam/rolePolicy:RolePolicy", `${stack}-secrets-operator-policy`);
            const document = parsePolicy(policy.inputs.policy, policy.name);
            assert.deepEqual(
                document.Statement.map((s) => s.Resource),
                [`arn:aws:secretsmanager:eu-west-1:${MOCK_ACCOUNT_ID}:secret:gitops-platform/${stack}/*`],
            );
            const recovery = byName(resources, SM_SECRET, "engine-repo-platform-gitops-aws-secret").inputs
                .recoveryWindowInDays;
            assert.equal(recovery, stack === "production" ? 30 : 0);
            // The operator starts only once its role can be assumed.
            const release = byName(resources, RELEASE, `${stack}-secrets-release`);
            const association = byName(
                resources,
                "aws:eks/podIdentityAssociation:PodIdentityAssociation",
                `${stack}-secrets-operator-association`,
            );
            assert.deepEqual(association.inputs.namespace, "external-secrets");
            assert.deepEqual(association.inputs.serviceAccount, "external-secrets");
            assert.ok(release.options.dependsOn.includes(association.urn));
            assert.equal(await assertValidObjects(resources), 4);
        });
    }

    for (const stack of CHECKED_IN_STACKS) {
        it(`${stack}: the store's plan carries no known secret value in plain text`, async () => {
            assertNoKnownSecret((await planStore(stack)).resources);
        });
    }
});

describe("secrets: the Kubernetes store's key claims", () => {
    it("refuses two apps whose source Secret names collide (app a key b-c, app a-b key c)", async () => {
        await assert.rejects(
            planProgram(() => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                const store = new KubernetesSecretsStore("s", {
                    provider,
                    labels: platformLabels("local"),
                    allowedNamespaces: ["flux-system"],
                });
                store.appSecret({ app: "a", namespace: "a", keys: ["b-c"] }, { parent: new CallerForTests("a") });
                store.appSecret({ app: "a-b", namespace: "a-b", keys: ["c"] }, { parent: new CallerForTests("a-b") });
                return {};
            }),
            /secrets store key "a-b-c" is used by both app a and app a-b/,
        );
    });

    it("refuses secrets for an app named platform: its reader would be the platform's", async () => {
        await assert.rejects(
            planProgram(() => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                const store = new KubernetesSecretsStore("s", {
                    provider,
                    labels: platformLabels("local"),
                    allowedNamespaces: ["flux-system"],
                });
                store.appSecret(
                    { app: "platform", namespace: "platform", keys: ["token"] },
                    { parent: new CallerForTests("platform") },
                );
                return {};
            }),
            /app "platform" cannot have secrets/,
        );
    });
});

describe("secrets: store boundaries in the checked-in stacks' full plans", () => {
    for (const stack of CHECKED_IN_STACKS) {
        describe(stack, () => {
            let resources: PlannedResource[];
            let config: PlatformConfig;

            before(async () => {
                config = platformConfig(stack);
                resources = (await planStack(stack)).resources;
            });

            it("the platform's ClusterSecretStore is open to the engine's namespace only", () => {
                assert.deepEqual(
                    (byName(resources, STORE, `${stack}-secrets-store`).inputs.spec as { conditions: unknown })
                        .conditions,
                    [{ namespaces: [config.engine.namespace] }],
                );
            });

            it("each app with secret keys has exactly one SecretStore, in its namespace, reaching that app's secrets only", () => {
                const withKeys = config.apps.filter((app) => app.secretKeys.length > 0);
                assert.ok(withKeys.length > 0, "the stack lists an app with secret keys");
                assert.deepEqual(
                    ofType(resources, APP_STORE)
                        .map((r) => r.name)
                        .sort(),
                    withKeys.map((app) => `${app.name}-secret-store`).sort(),
                );
                for (const app of withKeys) {
                    const store = byName(resources, APP_STORE, `${app.name}-secret-store`);
                    assert.equal((store.inputs.metadata as { namespace: string }).namespace, appNamespace(app));
                    const provider = (
                        store.inputs.spec as {
                            provider: {
                                aws?: { prefix: string };
                                kubernetes?: { auth: { serviceAccount: { name: string } } };
                            };
                        }
                    ).provider;
                    if (config.secrets?.type === "aws-secrets-manager") {
                        assert.equal(provider.aws?.prefix, `${secretsPrefix(config)}/${app.name}/`);
                    } else {
                        assert.deepEqual(provider.kubernetes?.auth, {
                            serviceAccount: { name: `${app.name}-secrets-reader` },
                        });
                    }
                }
            });

            it("every app ExternalSecret reads through its own namespace's SecretStore, none through the ClusterSecretStore", () => {
                const external = appExternalSecrets(resources, config.engine.namespace);
                assert.equal(external.length, config.apps.filter((app) => app.secretKeys.length > 0).length);
                for (const es of external) {
                    const ref = (es.inputs as unknown as StoreRefInputs).spec.secretStoreRef;
                    assert.equal(ref.kind, "SecretStore", es.name);
                    const store = ofType(resources, APP_STORE).find(
                        (r) => (r.inputs.metadata as { name: string }).name === ref.name,
                    );
                    assert.ok(store, `${es.name} reads ${ref.name}`);
                    assert.equal(
                        (store.inputs.metadata as { namespace: string }).namespace,
                        (es.inputs.metadata as { namespace: string }).namespace,
                    );
                }
                const throughCluster = ofType(resources, EXTERNAL_SECRET).filter(
                    (r) => (r.inputs as unknown as StoreRefInputs).spec.secretStoreRef.kind === "ClusterSecretStore",
                );
                // The engine's repository credentials; the local stack reads its repository anonymously and has none.
                assert.equal(throughCluster.length > 0, !config.gitopsRepository.anonymous);
                assert.deepEqual(
                    [...new Set(throughCluster.map((r) => (r.inputs.metadata as { namespace: string }).namespace))],
                    throughCluster.length > 0 ? [config.engine.namespace] : [],
                );
            });

            it("every store and ExternalSecret is valid external-secrets.io/v1", async () => {
                const expected = 1 + ofType(resources, APP_STORE).length + ofType(resources, EXTERNAL_SECRET).length;
                assert.equal(await assertValidObjects(resources), expected);
            });

            if (stack === "local") {
                it("each app's reader Role names only that app's source Secrets", () => {
                    for (const app of config.apps.filter((a) => a.secretKeys.length > 0)) {
                        const role = byName(resources, ROLE, `${app.name}-secrets-reader-role`);
                        assert.deepEqual(role.inputs.rules, [
                            {
                                apiGroups: [""],
                                resources: ["secrets"],
                                verbs: ["get"],
                                resourceNames: [...app.secretKeys].sort().map((key) => `${app.name}-${key}`),
                            },
                        ]);
                    }
                });
            }
        });
    }
});

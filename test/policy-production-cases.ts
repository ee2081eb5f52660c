/**
 * Passing and failing cases of the production rules of issue 25 (policy/production.ts), run by
 * test/policy.test.ts with the other rules' cases. Resources are in stack "production" unless a case
 * says otherwise; "prod" stacks are production by the environment stamped on their resources.
 */
import { SECURITY_TYPES as T } from "../policy/security";
import type { SecurityCase } from "./policy-security-cases";

type Props = Record<string, unknown>;
const r = (type: string, name: string, props: Props, stack?: string) => ({
    type,
    name,
    props,
    ...(stack ? { stack } : {}),
});
const SHA = "1dcaa30574cd4ce4c54a7d5ca16867f88de7ee16";
const OWN = "ssh://git@github.com/acme/platform-gitops-production.git";

const repository = (name: string, stack?: string) =>
    r(T.repository, `${name}-repository`, { name, visibility: "private" }, stack);
const branchRuleset = (repository: string) =>
    r(T.ruleset, `${repository}-ruleset`, { repository, target: "branch", enforcement: "active" });
const classic = (repository: string) =>
    r("github:index/branchProtection:BranchProtection", `${repository}-protection`, {
        repositoryId: repository,
        pattern: "main",
    });
const root = (url = OWN) =>
    r("kubernetes:argoproj.io/v1alpha1:Application", "argocd-root-application", {
        metadata: { name: "root", namespace: "argocd", labels: { environment: "production" } },
        spec: { source: { repoURL: url, targetRevision: "main" } },
    });
const deployKey = (repository: string) => r(T.deployKey, `${repository}-deploy-key`, { repository, readOnly: true });
const app = (name: string, repoURL: string, targetRevision: string) =>
    r("kubernetes:argoproj.io/v1alpha1:Application", `${name}-application`, {
        metadata: { name, namespace: "argocd", labels: { team: "observability" } },
        spec: { source: { repoURL, targetRevision } },
    });
const trust = (subject: string) =>
    r(T.iamRole, "ci-deploy", {
        assumeRolePolicy: JSON.stringify({
            Statement: [
                {
                    Effect: "Allow",
                    Principal: {
                        Federated: "arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com",
                    },
                    Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": [subject] } },
                },
            ],
        }),
    });
const environment = (repository: string) =>
    r(T.environment, `${repository}-env-production`, { repository, environment: "production" });
const entry = (role: string) => r(T.accessEntry, `entry-${role}`, { principalArn: role, type: "STANDARD" });
const argo = (values: Props, stack?: string) =>
    r(T.helmRelease, "argocd-release", { chart: "argo-cd", version: "10.1.1", values }, stack);

export const PRODUCTION_CASES: Record<string, readonly SecurityCase[]> = {
    "production-protected-by-rulesets": [
        {
            name: "a repository with its branch ruleset",
            declared: [repository("gitops"), branchRuleset("gitops")],
            expected: [],
        },
        {
            name: "classic mode outside production",
            declared: [repository("gitops", "staging"), { ...classic("gitops"), stack: "staging" }],
            expected: [],
        },
        {
            name: "classic branch protection (github.protection.mode: classic)",
            declared: [repository("gitops"), classic("gitops")],
            expected: [/is classic branch protection in production/, /has no branch ruleset in production/],
        },
    ],
    "production-gitops-repository-declared": [
        {
            name: "its own GitOps repository",
            declared: [root(), deployKey("platform-gitops-production"), repository("platform-gitops-production")],
            expected: [],
        },
        {
            name: "a GitOps repository another stack manages (gitopsRepository.managedBy)",
            declared: [root(), deployKey("platform-gitops-production")],
            expected: [/another stack declares and protects at its own strength/],
        },
    ],
    "ci-deploy-role-gated-environment": [
        {
            name: "the production environment of the repository it gates",
            declared: [trust("repo:acme/gitops-platform:environment:production"), environment("gitops-platform")],
            expected: [],
        },
        {
            name: "another repository's production environment (ci.repository)",
            declared: [trust("repo:acme/someone-else:environment:production"), environment("gitops-platform")],
            expected: [
                /trusts "repo:acme\/someone-else:environment:production", an environment this stack does not declare/,
            ],
        },
    ],
    "eks-access-own-account": [
        {
            name: "every role in production's account",
            declared: [entry("arn:aws:iam::444455556666:role/admins"), entry("arn:aws:iam::444455556666:role/team")],
            expected: [],
        },
        {
            name: "an admin role of a foreign account",
            declared: [
                entry("arn:aws:iam::444455556666:role/admins"),
                entry("arn:aws:iam::444455556666:role/team"),
                entry("arn:aws:iam::999988887777:role/outsider"),
            ],
            expected: [
                /admits arn:aws:iam::999988887777:role\/outsider of account 999988887777, not production's 444455556666/,
            ],
        },
    ],
    "production-chart-values-hardened": [
        { name: "tuning only", declared: [argo({ server: { replicas: 3 } })], expected: [] },
        {
            name: "extraObjects outside production",
            declared: [argo({ extraObjects: [{ kind: "ClusterRoleBinding" }] }, "staging")],
            expected: [],
        },
        {
            name: "extraObjects, a local login account, OIDC skip-verify and an insecure server",
            declared: [
                argo({
                    extraObjects: [{ kind: "ClusterRoleBinding", roleRef: { name: "cluster-admin" } }],
                    configs: {
                        cm: { "accounts.ops": "apiKey, login", "oidc.tls.insecure.skip.verify": "true" },
                        params: { "server.insecure": true },
                    },
                }),
            ],
            expected: [
                /sets extraObjects/,
                /configs\.cm\["accounts\.ops"\]/,
                /oidc\.tls\.insecure\.skip\.verify/,
                /configs\.params\["server\.insecure"\]/,
            ],
        },
    ],
    "production-third-party-commit": [
        {
            name: "another owner's chart at a full commit SHA, our own app at a tag",
            declared: [
                root(),
                app("grafana", "https://github.com/grafana/helm-charts.git", SHA),
                app("payments-api", "ssh://git@github.com/acme/payments-api.git", "refs/tags/v2.14.1"),
            ],
            expected: [],
        },
        {
            name: "another owner's chart at a tag",
            declared: [
                root(),
                app("grafana", "https://github.com/grafana/helm-charts.git", "refs/tags/grafana-10.1.4"),
            ],
            expected: [
                /grafana deploys https:\/\/github.com\/grafana\/helm-charts.git at "refs\/tags\/grafana-10.1.4" in production/,
            ],
        },
    ],
    "production-no-bundled-prometheus": [
        {
            name: "on a local stack",
            declared: [r(T.helmRelease, "kps", { chart: "kube-prometheus-stack", version: "88.5.3" }, "local")],
            expected: [],
        },
        {
            name: "in production",
            declared: [r(T.helmRelease, "kps", { chart: "kube-prometheus-stack", version: "88.5.3" })],
            expected: [/installs kube-prometheus-stack in production/],
        },
    ],
};

const productionRuleset = (rules: Props, bypassActors: unknown[] = []) =>
    r(T.ruleset, "gitops-ruleset", {
        repository: "gitops",
        target: "branch",
        enforcement: "active",
        bypassActors,
        rules,
    });
const PRODUCTION_BRANCH_RULES = {
    pullRequest: { requiredApprovingReviewCount: 2, requireCodeOwnerReview: true, dismissStaleReviewsOnPush: true },
    requiredStatusChecks: { requiredChecks: [{ context: "test", integrationId: 15368 }] },
    requiredSignatures: true,
    nonFastForward: true,
    deletion: true,
};
const teamApp = (spec: Props, metadata: Props = {}) =>
    r("kubernetes:argoproj.io/v1alpha1:Application", "payments-api-application", {
        metadata: { name: "payments-api", labels: { team: "payments" }, ...metadata },
        spec,
    });
const automation = (push: Props | undefined) =>
    r("kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation", "payments-api-images", {
        kind: "ImageUpdateAutomation",
        metadata: { name: "payments-api" },
        spec: { git: { checkout: { ref: { branch: "main" } }, ...(push ? { push } : {}) } },
    });

/** Cases of the production invariants' rules (policy/invariants.ts), so every rule of the pack has both. */
export const INVARIANT_CASES: Record<string, readonly SecurityCase[]> = {
    "production-ruleset-invariants": [
        { name: "production's branch rules", declared: [productionRuleset(PRODUCTION_BRANCH_RULES)], expected: [] },
        {
            name: "one approval and an admin bypass",
            declared: [
                productionRuleset(
                    {
                        ...PRODUCTION_BRANCH_RULES,
                        pullRequest: { ...PRODUCTION_BRANCH_RULES.pullRequest, requiredApprovingReviewCount: 1 },
                    },
                    [{ actorType: "RepositoryRole", actorId: 5, bypassMode: "pull_request" }],
                ),
            ],
            expected: [/production invariant two-approvals: requires 1/, /production invariant admins-bound/],
        },
    ],
    "production-private-endpoint": [
        {
            name: "public to listed ranges",
            declared: [
                r(T.eksCluster, "eks", {
                    vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
                }),
            ],
            expected: [],
        },
        {
            name: "public to 0.0.0.0/0",
            declared: [
                r(T.eksCluster, "eks", { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }),
            ],
            expected: [/production invariant private-endpoint/],
        },
    ],
    "production-protected": [
        {
            name: "a protected KMS key",
            declared: [{ ...r(T.kmsKey, "key", {}), opts: { protect: true } }],
            expected: [],
        },
        {
            name: "an unprotected KMS key",
            declared: [r(T.kmsKey, "key", {})],
            expected: [/production invariant protect: aws:kms\/key:Key "key"/],
        },
    ],
    "production-no-cascade-delete": [
        { name: "no resources finalizer", declared: [teamApp({ source: { targetRevision: SHA } })], expected: [] },
        {
            name: "the resources finalizer",
            declared: [
                teamApp(
                    { source: { targetRevision: SHA } },
                    { finalizers: ["resources-finalizer.argocd.argoproj.io"] },
                ),
            ],
            expected: [/production invariant no-cascade-delete/],
        },
    ],
    "production-immutable-revisions": [
        {
            name: "a fully qualified tag",
            declared: [teamApp({ source: { targetRevision: "refs/tags/v2.14.1" } })],
            expected: [],
        },
        {
            name: "a short tag (issue 25: a branch or a semver range to Argo CD)",
            declared: [teamApp({ source: { targetRevision: "v2.14.1" } })],
            expected: [
                /production invariant immutable-revisions: Application "payments-api-application" follows "v2.14.1"/,
            ],
        },
    ],
    "production-fleet-no-prune": [
        {
            name: "an ApplicationSet that does not prune",
            declared: [
                r("kubernetes:argoproj.io/v1alpha1:ApplicationSet", "spokes", {
                    spec: { template: { spec: { syncPolicy: { automated: { prune: false } } } } },
                }),
            ],
            expected: [],
        },
        {
            name: "an ApplicationSet that prunes",
            declared: [
                r("kubernetes:argoproj.io/v1alpha1:ApplicationSet", "spokes", {
                    spec: { template: { spec: { syncPolicy: { automated: { prune: true } } } } },
                }),
            ],
            expected: [/production invariant fleet-no-prune/],
        },
    ],
    "production-image-push-to-branch": [
        { name: "a push branch of its own", declared: [automation({ branch: "image-updates/main" })], expected: [] },
        {
            name: "no push branch",
            declared: [automation(undefined)],
            expected: [/production invariant no-direct-image-push/],
        },
    ],
};

const tenantRole = (name: string, resources: string[], group = "") =>
    r(T.clusterRole, `${name}-role`, {
        metadata: { name },
        rules: [{ apiGroups: [group], resources, verbs: ["get", "list", "create", "update", "delete"] }],
    });
const tenantBinding = (namespace: string, role: string) =>
    r(T.roleBinding, `${namespace}-flux-tenant`, {
        metadata: { name: "flux-tenant-payments", namespace },
        roleRef: { kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: "tenant-payments", namespace: "flux-system" }],
    });
const fluxInstance = r(T.fluxInstance, "flux-instance", { metadata: { name: "flux", namespace: "flux-system" } });
const helmRelease = (namespace: string) =>
    r(T.fluxHelmRelease, `${namespace}-helmrelease`, {
        metadata: { name: namespace, namespace: "flux-system", labels: { team: "payments" } },
        spec: { serviceAccountName: "tenant-payments", targetNamespace: namespace, storageNamespace: namespace },
    });
const teamProject = (whitelist: Props[]) =>
    r(T.appProject, "payments-project", {
        metadata: { name: "payments", labels: { team: "payments" } },
        spec: { clusterResourceWhitelist: [], namespaceResourceWhitelist: whitelist },
    });

const association = (serviceAccount: string, roleArn: string) =>
    r(T.podIdentityAssociation, `hub-${serviceAccount}`, { namespace: "argocd", serviceAccount, roleArn });
const MANAGEMENT = "arn:aws:iam::444455556666:role/fleet-management";

/**
 * Issue 25, finding 8: tenants reopening their namespace, Flux tenants writing Secrets from Git, the
 * fleet hub's server holding the spokes' admin role.
 */
export const TENANCY_CASES: Record<string, readonly SecurityCase[]> = {
    "fleet-server-no-spoke-role": [
        {
            name: "the controllers only",
            declared: [
                association("argocd-application-controller", MANAGEMENT),
                association("argocd-applicationset-controller", MANAGEMENT),
            ],
            expected: [],
        },
        {
            name: "argocd-server with the controllers' role",
            declared: [
                association("argocd-application-controller", MANAGEMENT),
                association("argocd-server", MANAGEMENT),
            ],
            expected: [/hub-argocd-server gives argocd-server the role the controllers reach spokes with/],
        },
    ],
    "tenant-no-network-policy": [
        {
            name: "Ingresses but no NetworkPolicy",
            declared: [
                teamProject([{ group: "networking.k8s.io", kind: "Ingress" }]),
                tenantRole("flux-tenant", ["ingresses"], "networking.k8s.io"),
            ],
            expected: [],
        },
        {
            name: "a team project and a Flux tenant role that allow NetworkPolicies",
            declared: [
                teamProject([{ group: "networking.k8s.io", kind: "NetworkPolicy" }]),
                tenantRole("flux-tenant", ["networkpolicies"], "networking.k8s.io"),
            ],
            expected: [
                /team project payments allows NetworkPolicies/,
                /Flux tenant role flux-tenant may write NetworkPolicies/,
            ],
        },
    ],
    "flux-tenant-secrets-for-helm-only": [
        {
            name: "Secrets where a HelmRelease keeps its storage",
            declared: [
                fluxInstance,
                tenantRole("flux-tenant-helm-storage", ["secrets"]),
                tenantBinding("grafana", "flux-tenant-helm-storage"),
                helmRelease("grafana"),
            ],
            expected: [],
        },
        {
            name: "Secrets for a Kustomization's tenant",
            declared: [
                fluxInstance,
                tenantRole("flux-tenant", ["configmaps", "secrets"]),
                tenantBinding("payments-api", "flux-tenant"),
            ],
            expected: [/lets a Flux tenant write Secrets in payments-api, where no HelmRelease keeps its storage/],
        },
    ],
};

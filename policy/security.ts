/**
 * Security controls of the platform as policy rules (issue 15): the cluster's hardening, tenancy
 * (Pod Security, NetworkPolicy, quotas, AppProjects, Flux tenants, RBAC), External Secrets' RBAC and
 * the GitHub side (rulesets, environments, deploy keys, CODEOWNERS). Registered with the other rules
 * in rules.ts. Self-contained at load time (only types from rules.ts), so either module can load first.
 */
import type { PolicyResource, ResourceRule, Rule, StackRule } from "./rules";
import { driftRoleDriftOnly } from "./ciRoles";

export const SECURITY_TYPES = {
    kmsKey: "aws:kms/key:Key",
    eksCluster: "aws:eks/cluster:Cluster",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    vpc: "aws:ec2/vpc:Vpc",
    iamRole: "aws:iam/role:Role",
    iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicyAssociation: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    repository: "github:index/repository:Repository",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    environmentPolicy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    workflowPermissions: "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions",
    deployKey: "github:index/repositoryDeployKey:RepositoryDeployKey",
    repositoryFile: "github:index/repositoryFile:RepositoryFile",
    namespace: "kubernetes:core/v1:Namespace",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    quota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    appProject: "kubernetes:argoproj.io/v1alpha1:AppProject",
    appProjectPatch: "kubernetes:argoproj.io/v1alpha1:AppProjectPatch",
    argoApplication: "kubernetes:argoproj.io/v1alpha1:Application",
    fluxInstance: "kubernetes:fluxcd.controlplane.io/v1:FluxInstance",
    fluxKustomization: "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
    fluxHelmRelease: "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease",
    flaggerCanary: "kubernetes:flagger.app/v1beta1:Canary",
    fluxImageUpdateAutomation: "kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation",
    argoImageUpdater: "kubernetes:argocd-image-updater.argoproj.io/v1alpha1:ImageUpdater",
    admissionPolicy: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
    admissionPolicyBinding: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
} as const;
const T = SECURITY_TYPES;

/** Values the offline plan (and a preview) cannot see: a rule cannot judge them. */
const OPAQUE = ["[secret]", "[unknown]"];

function at(value: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
        value,
    );
}
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** The first of `values` that is a string: a name to print, whatever shape an untyped input has. */
export const firstString = (...values: unknown[]): string => values.find((v) => typeof v === "string") ?? "";
const inProduction = (r: PolicyResource) => /^urn:pulumi:production::/.test(r.urn);
const nameOf = (r: PolicyResource) => firstString(at(r.props, "metadata", "name"), r.props.name, r.name);
const labelsOf = (r: PolicyResource) => (at(r.props, "metadata", "labels") ?? {}) as Record<string, unknown>;
const namespaceOf = (r: PolicyResource) => at(r.props, "metadata", "namespace");
/** App namespaces are the ones the apps component labels with their team. */
const isTeamNamespace = (r: PolicyResource) => r.type === T.namespace && typeof labelsOf(r).team === "string";
const truthy = (v: unknown) => v === true || v === "true";

function resource(
    name: string,
    description: string,
    types: readonly string[],
    validate: (r: PolicyResource) => string[],
): ResourceRule {
    return { kind: "resource", name, description, types, validate };
}
function stack(name: string, description: string, validate: StackRule["validate"]): StackRule {
    return { kind: "stack", name, description, validate };
}
const unless = (ok: boolean, message: string) => (ok ? [] : [message]);
/** A stack rule: every resource `needs` picks has a companion among the stack's resources, one `serves` it. */
function companionRule(
    name: string,
    description: string,
    needs: (r: PolicyResource) => boolean,
    serves: (candidate: PolicyResource, r: PolicyResource) => boolean,
    message: (r: PolicyResource) => string,
): StackRule {
    return stack(name, description, (resources) =>
        resources
            .filter((r) => needs(r) && !resources.some((candidate) => serves(candidate, r)))
            .map((r) => ({ urn: r.urn, message: message(r) })),
    );
}

// ---- AWS ----

const kmsKeyRotation = resource(
    "kms-key-rotation",
    "KMS keys rotate their key material yearly (enableKeyRotation).",
    [T.kmsKey],
    (r) =>
        unless(truthy(r.props.enableKeyRotation), `KMS key ${r.name} does not rotate: set enableKeyRotation to true`),
);

const imdsHopLimit = resource(
    "launch-template-imds-hop-limit",
    "Node launch templates keep IMDS one hop away, so pods cannot reach the node role's credentials.",
    [T.launchTemplate],
    (r) =>
        unless(
            at(r.props, "metadataOptions", "httpPutResponseHopLimit") === 1,
            `launch template ${r.name} has IMDS hop limit ${JSON.stringify(at(r.props, "metadataOptions", "httpPutResponseHopLimit") ?? null)}: set metadataOptions.httpPutResponseHopLimit to 1`,
        ),
);

const encryptedVolumes = resource(
    "launch-template-encrypted-volumes",
    "Node volumes are encrypted.",
    [T.launchTemplate],
    (r) =>
        list(r.props.blockDeviceMappings)
            .filter((m) => !truthy(at(m, "ebs", "encrypted")))
            .map(
                (m) =>
                    `launch template ${r.name} has an unencrypted volume ${String(at(m, "deviceName"))}: set ebs.encrypted to true`,
            ),
);

const privateEndpoint = resource(
    "eks-private-endpoint",
    "The EKS API has its private endpoint on.",
    [T.eksCluster],
    (r) =>
        unless(
            at(r.props, "vpcConfig", "endpointPrivateAccess") === true,
            `EKS cluster ${r.name} has no private endpoint: set vpcConfig.endpointPrivateAccess to true`,
        ),
);

const publicEndpoint = resource(
    "eks-public-endpoint-restricted",
    "A public EKS endpoint is never open to the internet, and is off in production.",
    [T.eksCluster],
    (r) => {
        if (at(r.props, "vpcConfig", "endpointPublicAccess") !== true) {
            return [];
        }
        if (inProduction(r)) {
            return [
                `EKS cluster ${r.name} has a public endpoint in production: set vpcConfig.endpointPublicAccess to false`,
            ];
        }
        const cidrs = list(at(r.props, "vpcConfig", "publicAccessCidrs"));
        return unless(
            cidrs.length > 0 && !cidrs.includes("0.0.0.0/0"),
            `EKS cluster ${r.name} has a public endpoint open to ${cidrs.length === 0 ? "everyone (no publicAccessCidrs)" : "0.0.0.0/0"}: list the CIDRs that may reach it`,
        );
    },
);

const accessEntriesOnly = resource(
    "eks-access-entries-without-creator-admin",
    "EKS access is through access entries only (API mode) and the creator gets no implicit admin.",
    [T.eksCluster],
    (r) =>
        unless(
            at(r.props, "accessConfig", "authenticationMode") === "API" &&
                at(r.props, "accessConfig", "bootstrapClusterCreatorAdminPermissions") === false,
            `EKS cluster ${r.name} trusts more than access entries: set accessConfig { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false }`,
        ),
);

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"];
const controlPlaneLogs = resource(
    "eks-control-plane-logs",
    `EKS clusters send the ${CONTROL_PLANE_LOGS.join(", ")} logs to CloudWatch.`,
    [T.eksCluster],
    (r) => {
        const missing = CONTROL_PLANE_LOGS.filter((t) => !list(r.props.enabledClusterLogTypes).includes(t));
        return unless(
            missing.length === 0,
            `EKS cluster ${r.name} does not log ${missing.join(", ")}: add them to enabledClusterLogTypes`,
        );
    },
);

const logRetention = resource(
    "log-group-retention",
    "Log groups keep logs for a set period (not forever, not unset).",
    [T.logGroup],
    (r) =>
        unless(
            typeof r.props.retentionInDays === "number" && r.props.retentionInDays > 0,
            `log group ${r.name} has no retention: set retentionInDays`,
        ),
);

const logEncryption = resource(
    "log-group-kms-encrypted",
    "Log groups are encrypted with a customer-managed KMS key (kmsKeyId).",
    [T.logGroup],
    (r) =>
        unless(
            typeof r.props.kmsKeyId === "string" && r.props.kmsKeyId !== "",
            `log group ${r.name} is not encrypted with a KMS key: set kmsKeyId to a key whose policy admits logs.<region>.amazonaws.com for it`,
        ),
);

/** retainOnDelete as for namespaces: judged where the offline plan records it. */
const logsKeptInProduction = resource(
    "log-group-kept-in-production",
    "Production's log groups (the control plane's audit trail) are protected and stay in AWS when removed (retainOnDelete).",
    [T.logGroup],
    (r) =>
        unless(
            !inProduction(r) || (r.options.protect && r.options.retainOnDelete !== false),
            `log group ${r.name} would be deleted with the stack in production: declare it with protect: true and retainOnDelete: true`,
        ),
);

const deletionProtection = resource(
    "eks-deletion-protection-in-production",
    "Production EKS clusters have deletion protection.",
    [T.eksCluster],
    (r) =>
        unless(
            !inProduction(r) || r.props.deletionProtection === true,
            `EKS cluster ${r.name} can be deleted through the API: set deletionProtection to true`,
        ),
);

/** Trust statements that let any principal assume a role without a condition. */
const trustOpenToAnyone = resource(
    "iam-trust-no-open-principal",
    'Role trust policies name their principals (no "*" without a condition).',
    [T.iamRole],
    (r) => {
        const document = r.props.assumeRolePolicy;
        if (typeof document !== "string" || OPAQUE.includes(document)) {
            return [];
        }
        const statements = [at(JSON.parse(document), "Statement")].flat();
        const open = statements.filter(
            (s) =>
                at(s, "Effect") === "Allow" &&
                at(s, "Condition") === undefined &&
                (at(s, "Principal") === "*" || [at(s, "Principal", "AWS")].flat().includes("*")),
        );
        return unless(
            open.length === 0,
            `role ${r.name} may be assumed by anyone: name the principal or add a condition`,
        );
    },
);

// ---- CI roles (components/ci) ----

/** GitHub Actions' OIDC issuer: the provider's ARN ends in it, its condition keys start with it. */
const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const SECRET_READS = ["kms:Decrypt", "secretsmanager:GetSecretValue"];
const statementsOf = (document: unknown): unknown[] =>
    typeof document === "string" && !OPAQUE.includes(document) ? [at(JSON.parse(document), "Statement")].flat() : [];
/** Allow statements of a role's trust that admit GitHub's OIDC provider. */
const githubTrust = (r: PolicyResource) =>
    statementsOf(r.props.assumeRolePolicy).filter(
        (s) => at(s, "Effect") === "Allow" && String(at(s, "Principal", "Federated")).endsWith(GITHUB_ISSUER),
    );
/** The `sub` values a statement's conditions admit, whatever the operator (StringEquals, StringLike, ...). */
const subjectsOf = (statement: unknown): string[] =>
    Object.values((at(statement, "Condition") ?? {}) as Record<string, unknown>).flatMap((keys) =>
        [at(keys, `${GITHUB_ISSUER}:sub`)].flat().filter((v): v is string => typeof v === "string"),
    );
/** The drift role's environment (components/ci/policies.ts DRIFT_ENVIRONMENT): main only, may read secrets. */
const isDriftSubject = (subject: string) => subject.endsWith(":environment:drift");
/** A Deny's NotResource that exempts only exact KMS keys: the S3 state backend's secrets key (components/ci/state.ts). */
const exemptsStateKeyOnly = (notResource: unknown) => {
    const arns = [notResource].flat();
    return (
        arns.length > 0 && arns.every((a) => typeof a === "string" && /^arn:aws[a-z-]*:kms:[^*?]+:key\/[^*?]+$/.test(a))
    );
};
const isDeploySubject = (subject: string) => DEPLOY_ENVIRONMENTS.some((e) => subject.endsWith(`:environment:${e}`));

/**
 * GitHub's docs ("Configuring OpenID Connect in Amazon Web Services") require a `sub` condition: without
 * one, or with a wildcard, a workflow of any repository (or any branch) gets the role.
 */
const githubTrustPinned = resource(
    "github-oidc-trust-pinned-subject",
    "Roles trusted by GitHub's OIDC provider name their exact subjects (a sub condition, no wildcard).",
    [T.iamRole],
    (r) =>
        githubTrust(r).flatMap((s) => {
            const subjects = subjectsOf(s);
            return subjects.length === 0
                ? [
                      `role ${r.name} trusts GitHub's OIDC provider without a sub condition: any repository's workflow can assume it; add StringEquals on ${GITHUB_ISSUER}:sub`,
                  ]
                : subjects
                      .filter((v) => /[*?]/.test(v))
                      .map(
                          (v) =>
                              `role ${r.name} trusts the wildcard subject "${v}": name each subject, e.g. repo:<owner>/<repo>:environment:<name>`,
                      );
        }),
);

/** Roles trusted by GitHub but by no deploy environment are preview roles: they must not read secrets. */
const previewRoleNoSecrets = companionRule(
    "ci-preview-role-no-secret-reads",
    "A role GitHub workflows assume outside the staging/production environments denies kms:Decrypt and secretsmanager:GetSecretValue.",
    (r) => {
        const trust = r.type === T.iamRole ? githubTrust(r) : [];
        const subjects = trust.flatMap(subjectsOf);
        // A role the drift environment trusts reads secrets by design; ci-drift-role-drift-environment-only keeps it to that.
        return trust.length > 0 && !subjects.some(isDeploySubject) && !subjects.some(isDriftSubject);
    },
    (p, role) =>
        p.type === T.iamRolePolicy &&
        p.props.role === role.props.name &&
        statementsOf(p.props.policy).some(
            (s) =>
                at(s, "Effect") === "Deny" &&
                (at(s, "Resource") === "*" || exemptsStateKeyOnly(at(s, "NotResource"))) &&
                SECRET_READS.every((a) => [at(s, "Action")].flat().includes(a)),
        ),
    (r) =>
        `role ${r.name} (previews) can read secrets: add an inline policy that denies ${SECRET_READS.join(" and ")} on "*"`,
);

/** The deploy role's trust admits deploy environments only: no pull request or branch reaches it. */
const deployRoleEnvironmentsOnly = resource(
    "ci-deploy-role-environments-only",
    "A role trusted by the staging or production environment is trusted by no other GitHub subject.",
    [T.iamRole],
    (r) => {
        const subjects = githubTrust(r).flatMap(subjectsOf);
        return subjects.some(isDeploySubject)
            ? subjects
                  .filter((v) => !isDeploySubject(v))
                  .map(
                      (v) =>
                          `deploy role ${r.name} also trusts "${v}": only repo:<owner>/<repo>:environment:staging|production may assume it`,
                  )
            : [];
    },
);

const adminScopes = resource(
    "eks-admin-policy-cluster-scope-only",
    "Namespace-scoped access entries never carry the cluster-admin access policy.",
    [T.accessPolicyAssociation],
    (r) =>
        unless(
            !(
                String(r.props.policyArn).endsWith("/AmazonEKSClusterAdminPolicy") &&
                at(r.props, "accessScope", "type") !== "cluster"
            ),
            `access policy association ${r.name} grants AmazonEKSClusterAdminPolicy on namespaces: use AmazonEKSEditPolicy or AmazonEKSViewPolicy there`,
        ),
);

const teamEntriesNamespaced = stack(
    "eks-team-access-through-groups-only",
    "Access entries that map a role to Kubernetes groups carry no access policy: only the groups' namespaced RoleBindings apply.",
    (resources) =>
        resources
            .filter((e) => e.type === T.accessEntry && list(e.props.kubernetesGroups).length > 0)
            .filter((e) =>
                resources.some(
                    (a) => a.type === T.accessPolicyAssociation && a.props.principalArn === e.props.principalArn,
                ),
            )
            .map((e) => ({
                urn: e.urn,
                message: `access entry ${e.name} maps groups and also has an access policy: drop the association, the groups' RoleBindings scope it`,
            })),
);

// ---- production safety options ----

/** Resources whose replacement or deletion loses the environment or its data. */
const PROTECTED_IN_PRODUCTION: readonly string[] = [T.eksCluster, T.kmsKey, T.vpc, T.repository];
const protectInProduction = resource(
    "protect-in-production",
    "Production's cluster, KMS key, VPC and repositories carry `protect`.",
    PROTECTED_IN_PRODUCTION,
    (r) =>
        unless(
            !inProduction(r) || r.options.protect,
            `${r.type.split(":").pop()} ${r.name} is not protected in production: declare it with protect: true`,
        ),
);

/** Judged where retainOnDelete is known: the offline plan records it, a preview's policy options (1.21.0) do not. */
const retainNamespaces = resource(
    "retain-app-namespaces-in-production",
    "Removing an app from production keeps its namespace (retainOnDelete).",
    [T.namespace],
    (r) =>
        unless(
            !inProduction(r) || !isTeamNamespace(r) || r.options.retainOnDelete !== false,
            `namespace "${nameOf(r)}" would be deleted with its app in production: declare it with retainOnDelete: true`,
        ),
);

// ---- Kubernetes tenancy ----

const PSA_ENFORCE = "pod-security.kubernetes.io/enforce";
const podSecurity = resource(
    "namespace-pod-security",
    "Namespaces enforce Pod Security: restricted for apps, at least baseline for the platform.",
    [T.namespace],
    (r) => {
        const level = labelsOf(r)[PSA_ENFORCE];
        const wanted = isTeamNamespace(r) ? ["restricted"] : ["restricted", "baseline"];
        return unless(
            typeof level === "string" && wanted.includes(level),
            `namespace "${nameOf(r)}" enforces Pod Security ${JSON.stringify(level ?? null)}: label it ${PSA_ENFORCE}: ${wanted[0]}${wanted.length > 1 ? " or baseline" : ""}`,
        );
    },
);

const isDefaultDeny = (p: PolicyResource) =>
    JSON.stringify(at(p.props, "spec", "podSelector")) === "{}" &&
    ["Ingress", "Egress"].every((t) => list(at(p.props, "spec", "policyTypes")).includes(t));

/** Stack rule over one kind of companion object each app namespace needs. */
function perTeamNamespace(
    name: string,
    description: string,
    has: (ns: string, all: readonly PolicyResource[]) => boolean,
    fix: string,
): StackRule {
    return stack(name, description, (resources) =>
        resources
            .filter(isTeamNamespace)
            .filter((ns) => !has(nameOf(ns), resources))
            .map((ns) => ({ urn: ns.urn, message: `namespace "${nameOf(ns)}" ${fix}` })),
    );
}
const inNamespace = (
    type: string,
    ns: string,
    all: readonly PolicyResource[],
    extra: (r: PolicyResource) => boolean = () => true,
) => all.some((r) => r.type === type && (namespaceOf(r) === ns || OPAQUE.includes(String(namespaceOf(r)))) && extra(r));

const networkPolicy = perTeamNamespace(
    "namespace-default-deny",
    "Every app namespace has a default-deny NetworkPolicy (all pods, ingress and egress).",
    (ns, all) => inNamespace(T.networkPolicy, ns, all, isDefaultDeny),
    "has no default-deny NetworkPolicy: declare one selecting all pods with policyTypes Ingress and Egress",
);

const isolatesIngress = (p: PolicyResource) =>
    JSON.stringify(at(p.props, "spec", "podSelector")) === "{}" &&
    list(at(p.props, "spec", "policyTypes")).includes("Ingress");
/** Flux's distribution ships its own namespace policies (fluxcd/flux2 manifests/policies) when the instance asks. */
const fluxIsolates = (p: PolicyResource) => at(p.props, "spec", "cluster", "networkPolicy") === true;
const platformIngress = stack(
    "platform-namespace-ingress-isolated",
    "Every platform namespace denies ingress by default (a NetworkPolicy over all its pods, or Flux's own policies).",
    (resources) =>
        resources
            .filter((r) => r.type === T.namespace && !isTeamNamespace(r))
            .filter(
                (ns) =>
                    !inNamespace(T.networkPolicy, nameOf(ns), resources, isolatesIngress) &&
                    !inNamespace(T.fluxInstance, nameOf(ns), resources, fluxIsolates),
            )
            .map((ns) => ({
                urn: ns.urn,
                message: `namespace "${nameOf(ns)}" accepts ingress from anywhere: declare a NetworkPolicy selecting all pods with policyTypes Ingress, allowing only what its components need`,
            })),
);

const quotas = perTeamNamespace(
    "namespace-quota-and-limits",
    "Every app namespace has a ResourceQuota and a LimitRange.",
    (ns, all) => inNamespace(T.quota, ns, all) && inNamespace(T.limitRange, ns, all),
    "lacks a ResourceQuota or a LimitRange: declare both",
);

const BROAD_ROLES = ["cluster-admin", "admin", "edit"];
const noBroadBindings = resource(
    "rbac-no-builtin-admin-binding",
    "Nothing is bound to cluster-admin, admin or edit: tenants get namespaced roles of named rights.",
    [T.roleBinding, T.clusterRoleBinding],
    (r) =>
        unless(
            !(
                at(r.props, "roleRef", "kind") === "ClusterRole" &&
                BROAD_ROLES.includes(String(at(r.props, "roleRef", "name")))
            ),
            `${nameOf(r)} binds the built-in ClusterRole "${String(at(r.props, "roleRef", "name"))}": bind a Role with the rights needed`,
        ),
);

const ESCALATING_VERBS = ["*", "escalate", "bind", "impersonate"];
const roleRules = resource(
    "rbac-no-wildcards-or-escalation",
    "Roles name their resources and verbs and grant no RBAC writes, escalate, bind or impersonate.",
    [T.role, T.clusterRole],
    (r) => {
        const bad = list(r.props.rules).filter(
            (rule) =>
                list(at(rule, "verbs")).some((v) => ESCALATING_VERBS.includes(String(v))) ||
                list(at(rule, "resources")).includes("*") ||
                list(at(rule, "apiGroups")).includes("*") ||
                (list(at(rule, "apiGroups")).includes("rbac.authorization.k8s.io") &&
                    list(at(rule, "verbs")).some((v) => !["get", "list", "watch"].includes(String(v)))),
        );
        return unless(
            bad.length === 0,
            `role ${nameOf(r)} grants wildcards, RBAC writes or escalation: name the resources and verbs`,
        );
    },
);

// ---- Argo CD ----

const argoValues = (r: PolicyResource) =>
    String(r.props.chart) === "argo-cd" && !OPAQUE.includes(String(r.props.values)) ? r.props.values : undefined;
function argoSetting(
    name: string,
    description: string,
    key: string,
    bad: (v: unknown) => boolean,
    fix: string,
): ResourceRule {
    return resource(name, description, [T.helmRelease], (r) => {
        const values = argoValues(r);
        return values === undefined || !bad(at(values, "configs", "cm", key))
            ? []
            : [`Argo CD release ${r.name}: ${fix}`];
    });
}
const argoAnonymous = argoSetting(
    "argocd-anonymous-off",
    "Argo CD allows no anonymous access.",
    "users.anonymous.enabled",
    truthy,
    'set configs.cm["users.anonymous.enabled"] to false',
);
const argoExec = argoSetting(
    "argocd-exec-off",
    "Argo CD's web terminal (exec) is off.",
    "exec.enabled",
    truthy,
    'set configs.cm["exec.enabled"] to false',
);
const argoAdmin: ResourceRule = resource(
    "argocd-admin-off-in-production",
    "Production Argo CD has no local admin user (SSO only).",
    [T.helmRelease],
    (r) => {
        const values = argoValues(r);
        return values === undefined || !inProduction(r) || at(values, "configs", "cm", "admin.enabled") === false
            ? []
            : [
                  `Argo CD release ${r.name} keeps the local admin in production: set configs.cm["admin.enabled"] to false and use SSO`,
              ];
    },
);

const defaultProjectLocked = resource(
    "argocd-default-project-locked",
    "Argo CD's default project allows no source, destination or kind.",
    [T.appProject, T.appProjectPatch],
    (r) => {
        if (nameOf(r) !== "default") {
            return [];
        }
        const open = ["sourceRepos", "destinations", "clusterResourceWhitelist", "namespaceResourceWhitelist"].filter(
            (k) => list(at(r.props, "spec", k)).length > 0 || at(r.props, "spec", k) === undefined,
        );
        return unless(open.length === 0, `the default AppProject allows ${open.join(", ")}: set each to []`);
    },
);

const FORBIDDEN_GROUPS = ["rbac.authorization.k8s.io", "external-secrets.io", "generators.external-secrets.io"];
const FORBIDDEN_CORE_KINDS = ["ResourceQuota", "LimitRange", "Secret", "Namespace"];
const teamProjectLimits = resource(
    "argocd-team-project-whitelist",
    "Team AppProjects allow no cluster-scoped kind and whitelist namespaced kinds without RBAC, External Secrets, quotas or Secrets.",
    [T.appProject],
    (r) => {
        if (typeof labelsOf(r).team !== "string") {
            return [];
        }
        const whitelist = list(at(r.props, "spec", "namespaceResourceWhitelist"));
        const bad = whitelist.filter(
            (k) =>
                [at(k, "group"), at(k, "kind")].includes("*") ||
                FORBIDDEN_GROUPS.includes(String(at(k, "group"))) ||
                (at(k, "group") === "" && FORBIDDEN_CORE_KINDS.includes(String(at(k, "kind")))),
        );
        return [
            ...unless(
                list(at(r.props, "spec", "clusterResourceWhitelist")).length === 0,
                `team project ${nameOf(r)} allows cluster-scoped kinds: set clusterResourceWhitelist to []`,
            ),
            ...unless(
                whitelist.length > 0,
                `team project ${nameOf(r)} has no namespaceResourceWhitelist, so every namespaced kind is allowed: list the kinds teams may ship`,
            ),
            ...bad.map(
                (k) =>
                    `team project ${nameOf(r)} allows ${String(at(k, "group")) || "core"}/${String(at(k, "kind"))}: remove it from namespaceResourceWhitelist`,
            ),
        ];
    },
);

const appsInTeamProjects = resource(
    "argocd-application-not-in-default-project",
    "Applications belong to a named project, never default.",
    [T.argoApplication],
    (r) =>
        unless(
            ![undefined, "", "default"].includes(at(r.props, "spec", "project") as string),
            `Application "${nameOf(r)}" is in the default project: give it its team's project`,
        ),
);

// ---- Flux ----

const fluxLockdown = resource(
    "flux-multitenant-in-production",
    "Production Flux runs multi-tenant (tenants act as their own service account).",
    [T.fluxInstance],
    (r) =>
        unless(
            !inProduction(r) || at(r.props, "spec", "cluster", "multitenant") === true,
            `FluxInstance ${nameOf(r)} is not multi-tenant in production: set spec.cluster.multitenant to true`,
        ),
);

const fluxTenantsImpersonate = stack(
    "flux-tenant-service-account",
    "With multi-tenant Flux, every team's Kustomization and HelmRelease names its tenant service account.",
    (resources) => {
        if (
            !resources.some((r) => r.type === T.fluxInstance && at(r.props, "spec", "cluster", "multitenant") === true)
        ) {
            return [];
        }
        return resources
            .filter(
                (r) =>
                    (r.type === T.fluxKustomization || r.type === T.fluxHelmRelease) &&
                    typeof labelsOf(r).team === "string" &&
                    !at(r.props, "spec", "serviceAccountName"),
            )
            .map((r) => ({
                urn: r.urn,
                message: `${firstString(r.props.kind, "sync object")} "${nameOf(r)}" of team ${String(labelsOf(r).team)} applies as the controller: set spec.serviceAccountName to its tenant`,
            }));
    },
);

// ---- Progressive delivery ----

/**
 * What a tenant may write of the delivery controllers' groups: its releases and their checks. Not
 * Application, AppProject or ApplicationSet (argoproj.io too: they would deploy anywhere),
 * ClusterAnalysisTemplate, AnalysisRun, Experiment, or Flagger's AlertProvider (a Secret, posted out).
 */
const TENANT_DELIVERY_KINDS: Readonly<Record<string, readonly string[]>> = {
    "argoproj.io": ["Rollout", "AnalysisTemplate"],
    "flagger.app": ["Canary", "MetricTemplate"],
};
const TENANT_DELIVERY_RESOURCES: Readonly<Record<string, readonly string[]>> = {
    "argoproj.io": ["rollouts", "analysistemplates"],
    "flagger.app": ["canaries", "metrictemplates"],
};
const READ_VERBS = ["get", "list", "watch"];
const deliveryTenantKinds = resource(
    "delivery-tenant-kinds",
    "Team AppProjects whitelist, and Roles and ClusterRoles grant writes on, only Rollouts, AnalysisTemplates, Canaries and MetricTemplates of argoproj.io and flagger.app.",
    [T.appProject, T.role, T.clusterRole],
    (r) => {
        if (r.type === T.appProject) {
            if (typeof labelsOf(r).team !== "string") {
                return [];
            }
            return list(at(r.props, "spec", "namespaceResourceWhitelist"))
                .filter((k) => {
                    const allowed = TENANT_DELIVERY_KINDS[String(at(k, "group"))];
                    return allowed !== undefined && !allowed.includes(String(at(k, "kind")));
                })
                .map(
                    (k) =>
                        `team project ${nameOf(r)} allows ${String(at(k, "group"))}/${String(at(k, "kind"))}: a team ships Rollouts, AnalysisTemplates, Canaries and MetricTemplates only; remove it`,
                );
        }
        return list(r.props.rules)
            .filter((rule) => list(at(rule, "verbs")).some((v) => !READ_VERBS.includes(String(v))))
            .flatMap((rule) =>
                list(at(rule, "apiGroups")).flatMap((group) =>
                    list(at(rule, "resources"))
                        .filter((res) => {
                            const allowed = TENANT_DELIVERY_RESOURCES[String(group)];
                            return allowed !== undefined && !allowed.includes(String(res));
                        })
                        .map(
                            (res) =>
                                `role ${nameOf(r)} grants writes on ${String(group)} ${String(res)}: grant rollouts, analysistemplates, canaries or metrictemplates only`,
                        ),
                ),
            );
    },
);

const flaggerNoCrossNamespace = resource(
    "flagger-no-cross-namespace-refs",
    "Flagger runs with -no-cross-namespace-refs: a Canary uses MetricTemplates and AlertProviders of its own namespace only.",
    [T.helmRelease],
    (r) =>
        r.props.chart !== "flagger" || OPAQUE.includes(String(r.props.values))
            ? []
            : unless(
                  at(r.props.values, "noCrossNamespaceRefs") === true,
                  `flagger release ${r.name} lets a Canary use another namespace's MetricTemplates and AlertProviders (and their Secrets): set noCrossNamespaceRefs to true`,
              ),
);

const canaryRefsInNamespace = resource(
    "delivery-canary-refs-in-namespace",
    "The platform's Canaries name MetricTemplates and AlertProviders of their own namespace.",
    [T.flaggerCanary],
    (r) => {
        const own = namespaceOf(r);
        const analysis = at(r.props, "spec", "analysis");
        const refs = [
            ...list(at(analysis, "metrics")).map((m) => at(m, "templateRef")),
            ...list(at(analysis, "alerts")).map((a) => at(a, "providerRef")),
        ];
        return refs
            .filter((ref) => ![undefined, "", own].includes(at(ref, "namespace") as string))
            .map(
                (ref) =>
                    `Canary ${nameOf(r)} in ${String(own)} uses ${String(at(ref, "name"))} of namespace ${String(at(ref, "namespace"))}: use one of its own namespace`,
            );
    },
);

// ---- Sealed Secrets ----

/**
 * The annotation that makes a SealedSecret unseal in any namespace under any name
 * (bitnami-labs/sealed-secrets v0.36.6 pkg/apis/sealedsecrets/v1alpha1/types.go; read from the
 * SealedSecret's own metadata by Unseal, sealedsecret_expansion.go). Repeated from
 * components/secrets/sealed.ts: the pack loads nothing of the program.
 */
const SEALED_CLUSTER_WIDE = "sealedsecrets.bitnami.com/cluster-wide";
const sealedStrictScope = stack(
    "sealed-secrets-no-cluster-wide",
    "A stack with the sealed-secrets controller refuses cluster-wide SealedSecrets at admission: their ciphertext, copied from another team's Git, would unseal in any namespace.",
    (resources) => {
        const denying = resources.filter(
            (r) =>
                r.type === T.admissionPolicy &&
                list(at(r.props, "spec", "validations")).some((v) =>
                    String(at(v, "expression")).includes(SEALED_CLUSTER_WIDE),
                ),
        );
        const bound = denying.some((policy) =>
            resources.some(
                (b) =>
                    b.type === T.admissionPolicyBinding &&
                    at(b.props, "spec", "policyName") === nameOf(policy) &&
                    list(at(b.props, "spec", "validationActions")).includes("Deny"),
            ),
        );
        return bound
            ? []
            : resources
                  .filter((r) => r.type === T.helmRelease && r.props.chart === "sealed-secrets")
                  .map((r) => ({
                      urn: r.urn,
                      message: `sealed-secrets release ${r.name} unseals cluster-wide SealedSecrets in any namespace: declare a ValidatingAdmissionPolicy refusing ${SEALED_CLUSTER_WIDE} with a Deny binding (components/secrets/sealed.ts clusterWideDenial)`,
                  }));
    },
);

// ---- External Secrets ----

const esoNoAggregation = resource(
    "external-secrets-no-role-aggregation",
    "The external-secrets chart adds its store rights to neither admin nor edit (rbac.aggregateToAdmin, aggregateToEdit: false).",
    [T.helmRelease],
    (r) => {
        if (r.props.chart !== "external-secrets" || OPAQUE.includes(String(r.props.values))) {
            return [];
        }
        const open = ["aggregateToAdmin", "aggregateToEdit"].filter((k) => at(r.props.values, "rbac", k) !== false);
        return unless(
            open.length === 0,
            `external-secrets release ${r.name} aggregates into built-in roles: set rbac.${open.join(" and rbac.")} to false (chart >= 2.8.0)`,
        );
    },
);

// ---- GitHub ----

const isBranchRuleset = (r: PolicyResource) => r.type === T.ruleset && (r.props.target ?? "branch") === "branch";
const rulesetActive = resource(
    "ruleset-enforced",
    "Rulesets are enforced (not evaluate or disabled).",
    [T.ruleset],
    (r) =>
        unless(
            r.props.enforcement === "active",
            `ruleset ${r.name} is ${JSON.stringify(r.props.enforcement ?? null)}: set enforcement to "active"`,
        ),
);

const rulesetHistory = resource(
    "ruleset-no-force-push-or-deletion",
    "Branch rulesets block force pushes and deletion.",
    [T.ruleset],
    (r) =>
        unless(
            !isBranchRuleset(r) ||
                (at(r.props, "rules", "nonFastForward") === true && at(r.props, "rules", "deletion") === true),
            `ruleset ${r.name} lets the branch be force-pushed or deleted: set rules.nonFastForward and rules.deletion to true`,
        ),
);

const rulesetReview = resource(
    "ruleset-requires-review",
    "Branch rulesets require a reviewed pull request; production two approvals, code owners and checks.",
    [T.ruleset],
    (r) => {
        if (!isBranchRuleset(r)) {
            return [];
        }
        const approvals = at(r.props, "rules", "pullRequest", "requiredApprovingReviewCount");
        const minimum = inProduction(r) ? 2 : 1;
        return [
            ...unless(
                typeof approvals === "number" && approvals >= minimum,
                `ruleset ${r.name} requires ${JSON.stringify(approvals ?? null)} approvals: require at least ${minimum}`,
            ),
            ...unless(
                !inProduction(r) || at(r.props, "rules", "pullRequest", "requireCodeOwnerReview") === true,
                `ruleset ${r.name} does not require code-owner review in production: set rules.pullRequest.requireCodeOwnerReview`,
            ),
            ...unless(
                !inProduction(r) || list(at(r.props, "rules", "requiredStatusChecks", "requiredChecks")).length > 0,
                `ruleset ${r.name} requires no status check in production: list the CI checks`,
            ),
        ];
    },
);

const repositoryOf = (r: PolicyResource) => r.props.repository;
const locksTags = (r: PolicyResource) =>
    r.type === T.ruleset &&
    r.props.target === "tag" &&
    r.props.enforcement === "active" &&
    at(r.props, "rules", "update") === true &&
    at(r.props, "rules", "deletion") === true &&
    list(r.props.bypassActors).length === 0;
const releaseTags = companionRule(
    "release-tags-immutable",
    "Repositories protected by a branch ruleset also have an active tag ruleset that nobody bypasses forbidding tag updates and deletion.",
    (r) => isBranchRuleset(r) && !OPAQUE.includes(String(repositoryOf(r))),
    (t, r) => locksTags(t) && repositoryOf(t) === repositoryOf(r),
    (r) =>
        `repository "${String(repositoryOf(r))}" lets release tags be moved or deleted: add a tag ruleset with rules.update and rules.deletion, no bypass`,
);
const codeownersSeeded = companionRule(
    "codeowners-seeded",
    "A repository whose ruleset requires code-owner review gets a CODEOWNERS file.",
    (r) =>
        r.type === T.ruleset &&
        at(r.props, "rules", "pullRequest", "requireCodeOwnerReview") === true &&
        typeof repositoryOf(r) === "string" &&
        !OPAQUE.includes(String(repositoryOf(r))),
    (f, r) =>
        f.type === T.repositoryFile &&
        repositoryOf(f) === repositoryOf(r) &&
        /^(\.github\/|docs\/)?CODEOWNERS$/.test(String(f.props.file)),
    (r) =>
        `repository "${String(repositoryOf(r))}" requires code-owner review but has no CODEOWNERS: seed one (CODEOWNERS, .github/ or docs/)`,
);

const productionEnvironment = resource(
    "environment-production-reviewed",
    "A production deployment environment has reviewers, no admin bypass and a branch policy.",
    [T.environment],
    (r) => {
        if (r.props.environment !== "production") {
            return [];
        }
        const reviewers = list(r.props.reviewers).some(
            (x) => list(at(x, "teams")).length + list(at(x, "users")).length > 0,
        );
        const branches =
            at(r.props, "deploymentBranchPolicy", "protectedBranches") === true ||
            at(r.props, "deploymentBranchPolicy", "customBranchPolicies") === true;
        return [
            ...unless(
                reviewers,
                `environment production of ${String(r.props.repository)} has no required reviewers: add reviewers`,
            ),
            ...unless(
                r.props.canAdminsBypass === false,
                `environment production of ${String(r.props.repository)} lets admins bypass review: set canAdminsBypass to false`,
            ),
            ...unless(
                branches,
                `environment production of ${String(r.props.repository)} deploys from any branch: set a deploymentBranchPolicy`,
            ),
        ];
    },
);

const DEPLOY_ENVIRONMENTS = ["staging", "production"];
const environmentsOf = (repository: unknown, all: readonly PolicyResource[]) =>
    all.filter((e) => e.type === T.environment && e.props.repository === repository);

/**
 * Environments that hold deploy credentials admit exact branch names only: a custom policy (GitHub's
 * "protected branches" setting opens every branch when no classic protection rule exists) whose
 * patterns name branches without wildcards, and no tag patterns.
 */
const environmentBranches = stack(
    "environment-deploys-from-named-branches",
    "Staging and production environments deploy only from branches named by a custom policy, without wildcards or tags.",
    (resources) =>
        resources
            .filter((e) => e.type === T.environment && DEPLOY_ENVIRONMENTS.includes(String(e.props.environment)))
            .filter((e) => {
                const policies = resources.filter(
                    (p) =>
                        p.type === T.environmentPolicy &&
                        p.props.repository === e.props.repository &&
                        p.props.environment === e.props.environment,
                );
                return (
                    at(e.props, "deploymentBranchPolicy", "customBranchPolicies") !== true ||
                    policies.length === 0 ||
                    policies.some(
                        (p) => typeof p.props.branchPattern !== "string" || /[*?[]/.test(p.props.branchPattern),
                    )
                );
            })
            .map((e) => ({
                urn: e.urn,
                message: `environment ${String(e.props.environment)} of ${String(e.props.repository)} can deploy from other branches or tags: set deploymentBranchPolicy.customBranchPolicies and one deployment policy per branch, e.g. branchPattern "main"`,
            })),
);

const workflowPermissions = companionRule(
    "workflow-token-read-only",
    "Every repository's workflows get a read-only GITHUB_TOKEN by default and cannot approve pull requests.",
    (r) => r.type === T.repository,
    (w, r) =>
        w.type === T.workflowPermissions &&
        w.props.repository === r.props.name &&
        w.props.defaultWorkflowPermissions === "read" &&
        w.props.canApprovePullRequestReviews === false,
    (r) =>
        `repository "${String(r.props.name)}" lets workflows write or approve pull requests: declare WorkflowRepositoryPermissions with defaultWorkflowPermissions "read" and canApprovePullRequestReviews false`,
);

/**
 * The repository that runs `pulumi up` is the one with both deploy environments and no deploy key
 * (nothing in a cluster reads it): production must declare it. Its ruleset is repository-protected's
 * business, its environments' reviewers and branches the environment rules'.
 */
const deployRepositoryGated = stack(
    "deploy-repository-gated-in-production",
    "A production stack that manages GitHub declares the deploy repository: staging and production environments, no deploy key.",
    (resources) => {
        const repositories = resources.filter((r) => r.type === T.repository && inProduction(r));
        const gated = repositories.some(
            (r) =>
                DEPLOY_ENVIRONMENTS.every((name) =>
                    environmentsOf(r.props.name, resources).some((e) => e.props.environment === name),
                ) && !resources.some((k) => k.type === T.deployKey && k.props.repository === r.props.name),
        );
        return repositories.length === 0 || gated
            ? []
            : [
                  {
                      urn: repositories[0].urn,
                      message:
                          "production declares no gate for the repository that runs `pulumi up`: set github.deployRepository (ruleset, staging and production environments)",
                  },
              ];
    },
);

const requiredChecksBound = resource(
    "ruleset-checks-bound-to-app",
    "Required status checks name the app that reports them (integrationId), so no other token can post them.",
    [T.ruleset],
    (r) =>
        list(at(r.props, "rules", "requiredStatusChecks", "requiredChecks"))
            .filter((c) => typeof at(c, "integrationId") !== "number")
            .map(
                (c) =>
                    `ruleset ${r.name} requires check "${String(at(c, "context"))}" from anyone: set its integrationId (GitHub Actions: 15368)`,
            ),
);

/** What pushes to Git with the engine's deploy key: image update automation (components/gitops/images.ts). */
const IMAGE_PUSHERS: readonly string[] = [SECURITY_TYPES.fluxImageUpdateAutomation, SECURITY_TYPES.argoImageUpdater];
const deployKeysReadOnly = stack(
    "deploy-key-read-only",
    "Deploy keys the engine uses are read-only, unless the stack runs image update automation, which pushes with it.",
    (resources) =>
        resources.some((r) => IMAGE_PUSHERS.includes(r.type))
            ? []
            : resources
                  .filter((r) => r.type === T.deployKey && r.props.readOnly !== true)
                  .map((r) => ({
                      urn: r.urn,
                      message: `deploy key ${r.name} can push but nothing in the stack pushes image updates: set readOnly to true`,
                  })),
);

export const SECURITY_RULES: readonly Rule[] = [
    kmsKeyRotation,
    imdsHopLimit,
    encryptedVolumes,
    privateEndpoint,
    publicEndpoint,
    accessEntriesOnly,
    controlPlaneLogs,
    logRetention,
    logEncryption,
    logsKeptInProduction,
    deletionProtection,
    trustOpenToAnyone,
    githubTrustPinned,
    previewRoleNoSecrets,
    deployRoleEnvironmentsOnly,
    driftRoleDriftOnly,
    adminScopes,
    teamEntriesNamespaced,
    protectInProduction,
    retainNamespaces,
    podSecurity,
    networkPolicy,
    platformIngress,
    quotas,
    noBroadBindings,
    roleRules,
    argoAnonymous,
    argoExec,
    argoAdmin,
    defaultProjectLocked,
    teamProjectLimits,
    appsInTeamProjects,
    fluxLockdown,
    fluxTenantsImpersonate,
    deliveryTenantKinds,
    flaggerNoCrossNamespace,
    canaryRefsInNamespace,
    sealedStrictScope,
    esoNoAggregation,
    rulesetActive,
    rulesetHistory,
    rulesetReview,
    releaseTags,
    codeownersSeeded,
    productionEnvironment,
    environmentBranches,
    workflowPermissions,
    deployRepositoryGated,
    requiredChecksBound,
    deployKeysReadOnly,
];

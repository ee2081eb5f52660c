/**
 * What the security rules (policy/security/*.ts) share: the resource types they read and small
 * readers of untyped inputs. Depends on types only, so every rule file loads without a cycle.
 */
import type { PolicyResource, ResourceRule, StackRule } from "../types";

export const SECURITY_TYPES = {
    kmsKey: "aws:kms/key:Key",
    eksCluster: "aws:eks/cluster:Cluster",
    securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    vpc: "aws:ec2/vpc:Vpc",
    iamRole: "aws:iam/role:Role",
    iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicyAssociation: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    podIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
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
export const T = SECURITY_TYPES;

/** Values the offline plan (and a preview) cannot see: a rule cannot judge them. */
export const OPAQUE = ["[secret]", "[unknown]"];

export function at(value: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>(
        (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
        value,
    );
}
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** The first of `values` that is a string: a name to print, whatever shape an untyped input has. */
export const firstString = (...values: unknown[]): string => values.find((v) => typeof v === "string") ?? "";
export { isProduction } from "../environment";
export const nameOf = (r: PolicyResource) => firstString(at(r.props, "metadata", "name"), r.props.name, r.name);
export const labelsOf = (r: PolicyResource) => (at(r.props, "metadata", "labels") ?? {}) as Record<string, unknown>;
export const namespaceOf = (r: PolicyResource) => at(r.props, "metadata", "namespace");
/** App namespaces are the ones the apps component labels with their team. */
export const isTeamNamespace = (r: PolicyResource) => r.type === T.namespace && typeof labelsOf(r).team === "string";
export const truthy = (v: unknown) => v === true || v === "true";

export function resource(
    name: string,
    description: string,
    types: readonly string[],
    validate: (r: PolicyResource) => string[],
): ResourceRule {
    return { kind: "resource", name, description, types, validate };
}
export function stack(name: string, description: string, validate: StackRule["validate"]): StackRule {
    return { kind: "stack", name, description, validate };
}
export const unless = (ok: boolean, message: string) => (ok ? [] : [message]);
/** A stack rule: every resource `needs` picks has a companion among the stack's resources, one `serves` it. */
export function companionRule(
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

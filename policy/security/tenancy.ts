/**
 * Kubernetes tenancy rules (issue 15): Pod Security, NetworkPolicies, quotas and RBAC of the
 * namespaces the platform declares.
 */
import type { PolicyResource, StackRule } from "../types";
import { at, isTeamNamespace, labelsOf, list, nameOf, namespaceOf, OPAQUE, resource, stack, T, unless } from "./shared";

// ---- Kubernetes tenancy ----

const PSA_ENFORCE = "pod-security.kubernetes.io/enforce";
export const podSecurity = resource(
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

export const networkPolicy = perTeamNamespace(
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
export const platformIngress = stack(
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

export const quotas = perTeamNamespace(
    "namespace-quota-and-limits",
    "Every app namespace has a ResourceQuota and a LimitRange.",
    (ns, all) => inNamespace(T.quota, ns, all) && inNamespace(T.limitRange, ns, all),
    "lacks a ResourceQuota or a LimitRange: declare both",
);

const BROAD_ROLES = ["cluster-admin", "admin", "edit"];
export const noBroadBindings = resource(
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
export const roleRules = resource(
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

const WRITE_VERBS = ["create", "update", "patch", "delete", "*"];
const writes = (rules: unknown, group: string, resource: string) =>
    list(rules).some(
        (rule) =>
            list(at(rule, "apiGroups")).includes(group) &&
            list(at(rule, "resources")).some((r) => r === resource || r === "*") &&
            list(at(rule, "verbs")).some((v) => WRITE_VERBS.includes(String(v))),
    );

/**
 * NetworkPolicies are additive (Kubernetes docs, "Network Policies"): a tenant's allow-all policy would
 * reopen the namespace its default deny closes. Teams ship none; the platform declares what is allowed.
 */
export const tenantNoNetworkPolicy = resource(
    "tenant-no-network-policy",
    "Team AppProjects and Flux tenant roles allow no NetworkPolicy: a tenant's policy would reopen its namespace.",
    [T.appProject, T.clusterRole, T.role],
    (r) => {
        if (r.type === T.appProject) {
            return typeof labelsOf(r).team === "string" &&
                list(at(r.props, "spec", "namespaceResourceWhitelist")).some(
                    (k) =>
                        at(k, "group") === "networking.k8s.io" &&
                        ["NetworkPolicy", "*"].includes(String(at(k, "kind"))),
                )
                ? [
                      `team project ${nameOf(r)} allows NetworkPolicies: remove networking.k8s.io/NetworkPolicy from namespaceResourceWhitelist`,
                  ]
                : [];
        }
        return nameOf(r).startsWith("flux-tenant") && writes(r.props.rules, "networking.k8s.io", "networkpolicies")
            ? [`Flux tenant role ${nameOf(r)} may write NetworkPolicies: remove networkpolicies from its rules`]
            : [];
    },
);

/**
 * A Flux tenant writes Secrets only where helm-controller keeps a release's storage (a HelmRelease's
 * storageNamespace or targetNamespace): elsewhere a Kustomization would apply Secrets from Git, in plain text.
 */
export const fluxTenantSecretsForHelmOnly = stack(
    "flux-tenant-secrets-for-helm-only",
    "A Flux tenant may write Secrets only in a namespace where a HelmRelease keeps its release storage.",
    (resources) => {
        const fluxNamespaces = resources.filter((r) => r.type === T.fluxInstance).map((r) => namespaceOf(r));
        const secretRoles = resources
            .filter((r) => (r.type === T.clusterRole || r.type === T.role) && writes(r.props.rules, "", "secrets"))
            .map(nameOf);
        const helmNamespaces = resources
            .filter((r) => r.type === T.fluxHelmRelease)
            .flatMap((r) => [at(r.props, "spec", "storageNamespace"), at(r.props, "spec", "targetNamespace")]);
        return resources
            .filter(
                (b) =>
                    b.type === T.roleBinding &&
                    secretRoles.includes(String(at(b.props, "roleRef", "name"))) &&
                    list(at(b.props, "subjects")).some(
                        (s) => at(s, "kind") === "ServiceAccount" && fluxNamespaces.includes(at(s, "namespace")),
                    ) &&
                    !helmNamespaces.includes(namespaceOf(b)),
            )
            .map((b) => ({
                urn: b.urn,
                message: `${nameOf(b)} lets a Flux tenant write Secrets in ${String(namespaceOf(b))}, where no HelmRelease keeps its storage: bind the tenant role without Secrets (Kustomizations would apply Secrets from Git)`,
            }));
    },
);

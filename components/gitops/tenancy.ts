/**
 * What a team may ship from its own Git, the same for both engines: a whitelist of namespaced kinds.
 * Argo CD reads it as the team AppProject's namespaceResourceWhitelist, Flux as the rules of the
 * tenant ClusterRole its tenant service account is bound to in each of its apps' namespaces. Left out on purpose: RBAC objects (a
 * RoleBinding to `admin` or to another subject), every external-secrets.io kind (stores, generators,
 * PushSecret, and ExternalSecrets, which the platform declares from each app's secretKeys), the
 * quota and container defaults Pulumi owns, Secrets (no plain text in Git), NetworkPolicies (an allow
 * rule would reopen the namespace its default deny closes; NetworkPolicies are additive), DaemonSets (a
 * pod on every node) and anything cluster-scoped.
 */
import type * as k8s from "@pulumi/kubernetes";

export interface TenantKind {
    readonly group: string;
    readonly kind: string;
    /** The API resource (plural) an RBAC rule names. */
    readonly resource: string;
}

/** The kinds of one API group, each with the API resource (plural) an RBAC rule names. */
export function groupKinds(group: string, resources: Readonly<Record<string, string>>): TenantKind[] {
    return Object.entries(resources).map(([kind, resource]) => ({ group, kind, resource }));
}

export const TENANT_KINDS: readonly TenantKind[] = [
    ...groupKinds("", {
        ConfigMap: "configmaps",
        Service: "services",
        ServiceAccount: "serviceaccounts",
        PersistentVolumeClaim: "persistentvolumeclaims",
    }),
    ...groupKinds("apps", { Deployment: "deployments", StatefulSet: "statefulsets" }),
    ...groupKinds("batch", { Job: "jobs", CronJob: "cronjobs" }),
    ...groupKinds("autoscaling", { HorizontalPodAutoscaler: "horizontalpodautoscalers" }),
    ...groupKinds("policy", { PodDisruptionBudget: "poddisruptionbudgets" }),
    ...groupKinds("networking.k8s.io", { Ingress: "ingresses" }),
];

/** API groups no tenant may write to, whatever a whitelist says (checked by policy/security/engines.ts). */
export const FORBIDDEN_TENANT_GROUPS: readonly string[] = [
    "rbac.authorization.k8s.io",
    "external-secrets.io",
    "generators.external-secrets.io",
];

/** The AppProject namespaceResourceWhitelist of a team, with the kinds its apps add (progressive delivery's). */
export function tenantWhitelist(extra: readonly TenantKind[] = []): { group: string; kind: string }[] {
    return [...TENANT_KINDS, ...extra].map(({ group, kind }) => ({ group, kind }));
}

/** Suffix of the Flux tenant ClusterRole that helm apps' tenants get: with Secrets, for Helm's storage. */
export const HELM_STORAGE_SUFFIX = "-helm-storage";

const WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"];

/**
 * Rules of the Flux tenant's ClusterRole, granted per app namespace: the whitelisted kinds, plus, for a
 * helm app only, Secrets, which helm-controller needs as the tenant for Helm's release storage (Helm's
 * default storage driver keeps each release revision in a Secret of the release's namespace). A
 * Kustomization's tenant gets none, so no Secret from Git (plain text) is applied.
 */
export function fluxTenantRules(
    extra: readonly TenantKind[] = [],
    helmStorage = false,
): k8s.types.input.rbac.v1.PolicyRule[] {
    const kinds = [...TENANT_KINDS, ...extra];
    const groups = [...new Set(kinds.map((k) => k.group))];
    return [
        ...groups.map((group) => ({
            apiGroups: [group],
            resources: kinds.filter((k) => k.group === group).map((k) => k.resource),
            verbs: WRITE,
        })),
        ...(helmStorage ? [{ apiGroups: [""], resources: ["secrets"], verbs: WRITE }] : []),
    ];
}

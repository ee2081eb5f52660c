/**
 * Rules of the engines and controllers the platform installs (issue 15): Argo CD, Flux, progressive
 * delivery (Argo Rollouts, Flagger), Sealed Secrets and External Secrets.
 */
import type { PolicyResource, ResourceRule } from "../types";
import {
    at,
    firstString,
    isProduction,
    labelsOf,
    list,
    nameOf,
    namespaceOf,
    OPAQUE,
    resource,
    stack,
    T,
    truthy,
    unless,
} from "./shared";

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
export const argoAnonymous = argoSetting(
    "argocd-anonymous-off",
    "Argo CD allows no anonymous access.",
    "users.anonymous.enabled",
    truthy,
    'set configs.cm["users.anonymous.enabled"] to false',
);
export const argoExec = argoSetting(
    "argocd-exec-off",
    "Argo CD's web terminal (exec) is off.",
    "exec.enabled",
    truthy,
    'set configs.cm["exec.enabled"] to false',
);
export const argoAdmin: ResourceRule = resource(
    "argocd-admin-off-in-production",
    "Production Argo CD has no local admin user (SSO only).",
    [T.helmRelease],
    (r) => {
        const values = argoValues(r);
        return values === undefined || !isProduction(r) || at(values, "configs", "cm", "admin.enabled") === false
            ? []
            : [
                  `Argo CD release ${r.name} keeps the local admin in production: set configs.cm["admin.enabled"] to false and use SSO`,
              ];
    },
);

export const defaultProjectLocked = resource(
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
export const teamProjectLimits = resource(
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

export const appsInTeamProjects = resource(
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

export const fluxLockdown = resource(
    "flux-multitenant-in-production",
    "Production Flux runs multi-tenant (tenants act as their own service account).",
    [T.fluxInstance],
    (r) =>
        unless(
            !isProduction(r) || at(r.props, "spec", "cluster", "multitenant") === true,
            `FluxInstance ${nameOf(r)} is not multi-tenant in production: set spec.cluster.multitenant to true`,
        ),
);

export const fluxTenantsImpersonate = stack(
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
export const deliveryTenantKinds = resource(
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

export const flaggerNoCrossNamespace = resource(
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

export const canaryRefsInNamespace = resource(
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
export const sealedStrictScope = stack(
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

export const esoNoAggregation = resource(
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

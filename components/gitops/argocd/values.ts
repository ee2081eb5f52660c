/**
 * Helm values of the argo-cd chart, as a pure function of the environment's needs. Every key was
 * checked against the chart's values.yaml (argoproj/argo-helm charts/argo-cd, chart 10.1.1) and its
 * README's "High Availability" section.
 */
import * as YAML from "yaml";
import { ProtectedValue } from "../../core/values";

/** The token claim that carries group membership, unless SSO config names another. */
export const DEFAULT_GROUPS_CLAIM = "groups";

export interface ArgoSso {
    /** OIDC issuer URL (https). */
    readonly issuer: string;
    readonly clientId: string;
    /** Token claim that carries group membership. */
    readonly groupsClaim: string;
}

export interface ArgoValuesSettings {
    /** Replicas, Redis HA and disruption budgets. */
    readonly highAvailability: boolean;
    /** Host name users reach Argo CD at (global.domain; argocd-cm's url derives from it, and SSO redirects there). */
    readonly domain?: string;
    /** OIDC single sign-on; without it the local admin user stays (a cluster on a laptop). */
    readonly sso?: ArgoSso;
    /** SSO groups mapped to role:admin; everyone else who logs in is read-only. */
    readonly adminGroups: readonly string[];
    /** known_hosts lines of the Git hosts Argo CD clones from over SSH, added to the chart's defaults. */
    readonly knownHosts: readonly string[];
    /** The Argo Rollouts UI extension in the Argo CD server. Default: off. */
    readonly rolloutsExtension?: boolean;
    /** The chart's `notifications` values (components/notifications); default the chart's (an idle controller). */
    readonly notifications?: Readonly<Record<string, unknown>>;
}

/**
 * The Argo Rollouts UI extension, pinned: argoproj-labs/rollout-extension v0.3.7, installed by the
 * chart's extension installer init container (README.md "Helm Values", `server.extensions`; argo-cd
 * chart 10.1.1 values.yaml server.extensions.enabled and extensionList). The server downloads it at start.
 */
export const ROLLOUTS_EXTENSION = {
    name: "rollout-extension",
    env: [
        {
            name: "EXTENSION_URL",
            value: "https://github.com/argoproj-labs/rollout-extension/releases/download/v0.3.7/extension.tar",
        },
    ],
} as const;

type Resources = { requests: { cpu: string; memory: string }; limits: { memory: string } };

/** Requests so the scheduler places Argo CD honestly; memory limits only (CPU limits throttle the repo server's renders). */
export const RESOURCES: Readonly<
    Record<"lean" | "ha", Readonly<Record<"controller" | "server" | "repoServer" | "applicationSet", Resources>>>
> = {
    lean: {
        controller: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        server: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        repoServer: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        applicationSet: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    },
    ha: {
        controller: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
        server: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        repoServer: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        applicationSet: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    },
};

/**
 * The Secret that holds the OIDC client secret, outside the chart's values (so the values stay
 * readable to reviewers and to the policy pack): oidc.config refers to it as `$<secret>:<key>`, which
 * Argo CD resolves in any Secret of its namespace labelled app.kubernetes.io/part-of: argocd (argo-cd
 * docs/operator-manual/user-management/index.md, "Sensitive Data and SSO Client Secrets").
 */
export const OIDC_SECRET = {
    name: "argocd-oidc",
    key: "clientSecret",
    labels: { "app.kubernetes.io/part-of": "argocd" },
} as const;

/** Key argocd-secret held the client secret under before OIDC_SECRET; no values may put it back there. */
export const OIDC_SECRET_KEY = "oidc.clientSecret";

/** argocd-cm's oidc.config (a YAML string, as Argo CD reads it). */
export function oidcConfig(sso: ArgoSso): string {
    return YAML.stringify({
        name: "SSO",
        issuer: sso.issuer,
        clientID: sso.clientId,
        clientSecret: `$${OIDC_SECRET.name}:${OIDC_SECRET.key}`,
        requestedScopes: ["openid", "profile", "email", sso.groupsClaim],
        requestedIDTokenClaims: { [sso.groupsClaim]: { essential: true } },
    });
}

/** argocd-rbac-cm's policy.csv: each admin group gets role:admin (`g, <group>, role:admin`). */
export function rbacPolicy(adminGroups: readonly string[]): string {
    return adminGroups.map((group) => `g, ${group}, role:admin\n`).join("");
}

/** A component scaled out to two replicas (autoscaled to five) with a budget that keeps one up through a drain. */
function scaledOut(resources: Resources) {
    return {
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
        pdb: { enabled: true, minAvailable: 1 },
        resources,
    };
}

/** argo-cd chart values a user's engine.values may not set: the program sets them, and its policies check them. */
export const PROTECTED_VALUES: readonly ProtectedValue[] = [
    {
        path: ["configs", "cm", "admin.enabled"],
        reason: "the local admin is off with SSO (policy argocd-admin-off-in-production); it follows engine.sso",
    },
    {
        path: ["configs", "cm", "users.anonymous.enabled"],
        reason: "anonymous access stays off (policy argocd-anonymous-off)",
    },
    { path: ["configs", "cm", "exec.enabled"], reason: "the web terminal stays off (policy argocd-exec-off)" },
    { path: ["configs", "cm", "oidc.config"], reason: "SSO is built from engine.sso: set it there" },
    // argo-cd 10.1.1 values.yaml: configs.cm.create, configs.ssh.create, configs.secret.createSecret; configs.params
    // is written into argocd-cmd-params-cm, where Argo CD's server.disable.auth turns off authentication.
    { path: ["configs", "cm", "create"], reason: "argocd-cm carries the settings above" },
    { path: ["configs", "params", "server.disable.auth"], reason: "every API call is authenticated" },
    {
        path: ["configs", "cm", "application.resourceTrackingMethod"],
        reason: "the platform's Applications are tracked by annotation",
    },
    { path: ["configs", "rbac"], reason: "RBAC is read-only by default with engine.adminGroups as admins: set those" },
    {
        path: ["configs", "secret", "extra", OIDC_SECRET_KEY],
        reason: "the SSO client secret stays out of chart values: set the secret key gitops-platform:ssoClientSecret",
    },
    { path: ["configs", "ssh", "extraHosts"], reason: "the known hosts come from the stack's repositories" },
    { path: ["configs", "ssh", "create"], reason: "the known hosts of the stack's repositories live there" },
    { path: ["configs", "secret", "createSecret"], reason: "argocd-secret holds the server's signing key" },
    { path: ["dex", "enabled"], reason: "Argo CD logs in through OIDC directly; Dex would be a second way in" },
    { path: ["global", "domain"], reason: "the SSO redirect URL is on it: set engine.domain" },
    { path: ["global", "networkPolicy", "create"], reason: "the chart's ingress policies isolate the repo server" },
    { path: ["crds"], reason: "the platform's Applications are Argo CD resources: the CRDs are installed and kept" },
];

export function argoCdValues(settings: ArgoValuesSettings): Record<string, unknown> {
    const ha = settings.highAvailability;
    const resources = RESOURCES[ha ? "ha" : "lean"];
    const cm: Record<string, unknown> = {
        // The local admin is a shared password; with SSO every login is a person with groups.
        "admin.enabled": settings.sso === undefined,
        "users.anonymous.enabled": false,
        // exec gives a shell in any pod Argo CD manages: debugging goes through kubectl and its RBAC.
        "exec.enabled": false,
        // Argo CD 3 defaults to annotation; set explicitly so an upgrade cannot change how it finds its resources.
        "application.resourceTrackingMethod": "annotation",
        ...(settings.sso ? { "oidc.config": oidcConfig(settings.sso) } : {}),
    };
    return {
        global: {
            ...(settings.domain ? { domain: settings.domain } : {}),
            // The chart's per-component ingress policies (argo-helm charts/argo-cd 10.1.1 values.yaml
            // global.networkPolicy.create, templates/*/networkpolicy.yaml), set so no chart default can drop
            // them: repo-server from the server, controller and ApplicationSet only; the server from anywhere.
            // The namespace's own default deny (argoCd.ts) replaces the chart's defaultDenyIngress, which would
            // cut off Redis HA.
            networkPolicy: { create: true },
        },
        crds: { install: true, keep: true },
        // Argo CD talks to the OIDC provider directly; the bundled Dex would be one more thing to run and patch.
        dex: { enabled: false },
        configs: {
            cm,
            rbac: {
                "policy.default": "role:readonly",
                "policy.csv": rbacPolicy(settings.adminGroups),
                scopes: `[${settings.sso?.groupsClaim ?? DEFAULT_GROUPS_CLAIM}]`,
            },
            ssh: { extraHosts: [...new Set(settings.knownHosts)].join("\n") },
        },
        // One cluster: more controller replicas would only add idle shards (controllers shard by cluster),
        // so the controller stays single and a PDB on it would only block node drains.
        controller: { replicas: 1, resources: resources.controller },
        server: {
            ...(ha ? scaledOut(resources.server) : { replicas: 1, resources: resources.server }),
            ...(settings.rolloutsExtension
                ? { extensions: { enabled: true, extensionList: [ROLLOUTS_EXTENSION] } }
                : {}),
        },
        repoServer: ha ? scaledOut(resources.repoServer) : { replicas: 1, resources: resources.repoServer },
        applicationSet: ha
            ? { replicas: 2, pdb: { enabled: true, minAvailable: 1 }, resources: resources.applicationSet }
            : { replicas: 1, resources: resources.applicationSet },
        // Redis HA needs three nodes (its pods are spread across nodes); it replaces the single Redis.
        "redis-ha": { enabled: ha },
        ...(settings.notifications ? { notifications: settings.notifications } : {}),
    };
}

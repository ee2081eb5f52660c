/** `gitops-platform:engine`: Argo CD or Flux, with the options that belong to each. */
import { z } from "zod";
import { DEFAULTS as ARGOCD } from "../../components/gitops/argocd/argoCd";
import { DEFAULT_GROUPS_CLAIM } from "../../components/gitops/argocd/values";
import { APP_VERSIONS } from "../../components/gitops/argocd/versions";
import { ENGINE_DEFAULTS } from "../../components/gitops/engine";
import { DEFAULTS as FLUX } from "../../components/gitops/flux/flux";
import { PROTECTED_VALUES as ARGOCD_PROTECTED } from "../../components/gitops/argocd/values";
import { FLUX_COMPONENTS, PROTECTED_OPERATOR_VALUES as FLUX_PROTECTED } from "../../components/gitops/flux/objects";
import { CrossFieldContext, CrossFieldProblem } from "./crossField";
import { chartValues, componentNamespace, EXACT_VERSION, exactVersion, strictObject } from "./rules";

/** Keys that belong to one engine only, so a misplaced one gets a message naming its engine. */
const ENGINE_ONLY_KEYS: Readonly<Record<string, "argocd" | "flux">> = {
    chartVersion: "argocd",
    highAvailability: "argocd",
    sso: "argocd",
    adminGroups: "argocd",
    cascadeDelete: "argocd",
    domain: "argocd",
    operatorChartVersion: "flux",
    distributionVersion: "flux",
    components: "flux",
    multitenancy: "flux",
};

function otherEngineKey(current: "argocd" | "flux") {
    return (key: string) => {
        const owner = ENGINE_ONLY_KEYS[key];
        return owner !== undefined && owner !== current
            ? `"${key}" is an option of engine type ${owner}, not ${current}: remove it, or set type: ${owner}`
            : undefined;
    };
}

/** Image updates, the same for both engines (Flux's image automation, Argo CD Image Updater). */
const imageAutomationKeys = {
    /** Image update automation writes to Git, so the GitOps repository's deploy key becomes read-write. */
    imageAutomation: z.boolean().default(ENGINE_DEFAULTS.imageAutomation),
    /**
     * Where image update commits go: `pull-request` pushes to image-updates/<branch> and a pull
     * request brings them in; `direct` pushes to the branch itself (the ruleset then lets the
     * deploy key bypass it; refused in production).
     */
    imagePush: z.enum(["pull-request", "direct"]).default(ENGINE_DEFAULTS.imagePush),
};

export const argocdConfig = strictObject(
    {
        type: z.literal("argocd"),
        /**
         * argo-cd Helm chart version; the component's pinned default when omitted. One the component knows
         * the Argo CD version of (a range or tag gets the exact-version message only).
         */
        chartVersion: exactVersion
            .refine((version) => !EXACT_VERSION.test(version) || version in APP_VERSIONS, {
                message: `expected an argo-cd chart version whose Argo CD version is known: one of ${Object.keys(APP_VERSIONS).join(", ")} (add a newer one to components/gitops/argocd/versions.ts)`,
            })
            .optional(),
        namespace: componentNamespace.default(ARGOCD.namespace),
        /** Replicas, Redis HA and disruption budgets; on by default in production only. */
        highAvailability: z.boolean().optional(),
        /**
         * Single sign-on through an OIDC provider; disables the local admin user. Its client secret is the secret key
         * gitops-platform:ssoClientSecret.
         */
        sso: strictObject({
            issuer: z.url({ protocol: /^https$/, error: "expected the OIDC issuer's https URL" }),
            clientId: z.string().min(1),
            /** Token claim that carries group membership. */
            groupsClaim: z.string().default(DEFAULT_GROUPS_CLAIM),
        }).optional(),
        /**
         * Host name users reach Argo CD at (the chart's global.domain): the OIDC redirect URL is
         * https://<domain>/auth/callback. Required with sso.
         */
        domain: z
            .string()
            .regex(
                /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/,
                "expected a host name such as argocd.example.com",
            )
            .optional(),
        /** SSO groups given Argo CD's admin role; everyone else is read-only. */
        adminGroups: z.array(z.string().min(1)).default(() => [...ARGOCD.adminGroups]),
        /** Cascade-delete an Application's workloads when the Application is deleted; off by default in production. */
        cascadeDelete: z.boolean().optional(),
        /** argo-cd chart values merged over the program's; the keys it controls are refused. */
        values: chartValues(ARGOCD_PROTECTED),
        ...imageAutomationKeys,
    },
    otherEngineKey("argocd"),
).superRefine((engine, ctx) => {
    if (engine.sso !== undefined && engine.domain === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["domain"],
            input: undefined,
            message:
                "SSO needs the host name users reach Argo CD at, for the OIDC redirect URL: set domain (e.g. argocd.example.com)",
        });
    }
});

/** The controllers the FluxInstance's own sync (GitRepository + Kustomization) runs on. */
export const SYNC_CONTROLLERS = ["source-controller", "kustomize-controller"] as const;

export const fluxConfig = strictObject(
    {
        type: z.literal("flux"),
        /** flux-operator Helm chart version; the component's pinned default when omitted. */
        operatorChartVersion: exactVersion.optional(),
        /** Flux distribution version the FluxInstance runs; the component's pinned default when omitted. */
        distributionVersion: exactVersion.optional(),
        namespace: componentNamespace.default(FLUX.namespace),
        components: z
            .array(z.enum(FLUX_COMPONENTS))
            .superRefine((components, ctx) => {
                // flux-operator (api/v1/fluxinstance_types.go, v0.58.1): an empty list means the operator's
                // defaults, not none; the instance's sync is a GitRepository (source-controller) applied by a
                // Kustomization (kustomize-controller), so without either nothing would ever sync.
                const missing = SYNC_CONTROLLERS.filter((name) => !components.includes(name));
                if (components.length === 0 || missing.length > 0) {
                    ctx.addIssue({
                        code: "custom",
                        message:
                            components.length === 0
                                ? "an empty list installs the operator's defaults, not nothing: remove components, or list the controllers"
                                : `the cluster sync needs ${missing.join(" and ")}: add ${missing.length === 1 ? "it" : "them"} to components`,
                    });
                }
            })
            .optional(),
        /** Tenant lockdown: no cross-namespace references, a default service account for tenants, no remote bases. */
        multitenancy: z.boolean().default(FLUX.multitenancy),
        /** flux-operator chart values merged over the program's; the keys it controls are refused. */
        values: chartValues(FLUX_PROTECTED),
        ...imageAutomationKeys,
    },
    otherEngineKey("flux"),
);

export const engineConfig = z.discriminatedUnion("type", [argocdConfig, fluxConfig]);

export type ArgocdConfig = z.infer<typeof argocdConfig>;
export type FluxConfig = z.infer<typeof fluxConfig>;
export type EngineConfig = z.infer<typeof engineConfig>;

/** Argo CD's SSO needs its client secret in the stack's secret config. */
export function ssoSecretRule(
    config: { readonly engine?: EngineConfig },
    { present }: CrossFieldContext,
): CrossFieldProblem[] {
    const { engine } = config;
    return engine?.type === "argocd" && engine.sso !== undefined && !present("ssoClientSecret")
        ? [
              {
                  path: ["ssoClientSecret"],
                  message:
                      "engine.sso needs the OIDC client secret: pulumi config set --secret gitops-platform:ssoClientSecret <value>",
              },
          ]
        : [];
}

/** A helm app on Flux needs the helm-controller among the components. */
export function fluxHelmControllerRule(config: {
    readonly engine?: EngineConfig;
    readonly apps?: readonly { readonly name: string; readonly source: { readonly type: string } }[];
}): CrossFieldProblem[] {
    const { engine, apps } = config;
    if (engine?.type === "flux" && engine.components !== undefined && apps !== undefined) {
        const helmApp = apps.findIndex((app) => app.source.type === "helm");
        if (helmApp >= 0 && !engine.components.includes("helm-controller")) {
            return [
                {
                    path: ["engine", "components"],
                    message: `app "${apps[helmApp].name}" is a helm source, which Flux's helm-controller installs: add helm-controller to components`,
                },
            ];
        }
    }
    return [];
}

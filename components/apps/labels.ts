import { SyncPolicy } from "../gitops/types";

/** Labels on what the platform declares for one environment, so `kubectl get -l environment=...` finds it. */
export function platformLabels(environment: string): Record<string, string> {
    return { environment, "app.kubernetes.io/managed-by": "pulumi" };
}

/** Labels on what the platform declares for one team's app. */
export function appLabels(team: string, environment: string): Record<string, string> {
    return { team, ...platformLabels(environment) };
}

/**
 * Declares an automatic prune in production as intended by config; the policy rule
 * production-sync-without-prune (policy/rules.ts) flags production sync objects that prune without it.
 */
export const PRUNE_APPROVED_LABEL = "gitops-platform/prune-approved";

/** Labels of an app's sync object (Argo CD Application, Flux Kustomization or HelmRelease). */
export function syncObjectLabels(team: string, environment: string, sync: SyncPolicy): Record<string, string> {
    const approved = environment === "production" && sync.automated && sync.prune;
    return { ...appLabels(team, environment), ...(approved ? { [PRUNE_APPROVED_LABEL]: "true" } : {}) };
}

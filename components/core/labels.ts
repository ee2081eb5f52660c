/** Labels every component puts on what it declares. Imports nothing of the other folders. */

/** Labels on what the platform declares for one environment, so `kubectl get -l environment=...` finds it. */
export function platformLabels(environment: string): Record<string, string> {
    return { environment, "app.kubernetes.io/managed-by": "pulumi" };
}

/** Labels on what the platform declares for one team's app: the platform's labels plus the team. */
export function appLabels(team: string, labels: Readonly<Record<string, string>>): Record<string, string> {
    return { team, ...labels };
}

/**
 * Declares an automatic prune in production as intended by config; the policy rule
 * production-sync-without-prune (policy/rules.ts) flags production sync objects that prune without it.
 */
export const PRUNE_APPROVED_LABEL = "gitops-platform/prune-approved";

/** Labels of an app's sync object (Argo CD Application, Flux Kustomization or HelmRelease). */
export function syncObjectLabels(
    team: string,
    labels: Readonly<Record<string, string>>,
    pruneApproved: boolean,
): Record<string, string> {
    return { ...appLabels(team, labels), ...(pruneApproved ? { [PRUNE_APPROVED_LABEL]: "true" } : {}) };
}

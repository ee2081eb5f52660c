/**
 * What each environment means, in one typed table. `stacks/` reads it and hands components explicit
 * switches and numbers; no component compares an environment name. The production invariants of the
 * config rules and the policy pack read the same table.
 */
import type { ContainerLimits, QuotaSettings } from "../components/apps/app";
import type { DeliveryStrategy } from "../components/delivery/objects";
import type { SyncPolicy } from "../components/gitops/types";
import type { NotificationEvent } from "../components/notifications/objects";

export type Environment = "staging" | "production" | "local";

export interface EnvironmentProfile {
    /** Pulumi `protect` on what the environment must keep: cluster, KMS key, VPC, repositories. */
    readonly protect: boolean;
    /** Apps' sync policy before config's appDefaults.sync and the app's own sync. */
    readonly sync: SyncPolicy;
    /** An automatic prune of an app must be approved in config, and carries the approval label. */
    readonly pruneNeedsApproval: boolean;
    /** The root sync deletes what was removed from clusters/<stack>/. */
    readonly rootPrune: boolean;
    /** Argo CD prunes old resources only after the new ones are healthy (PruneLast). */
    readonly pruneLast: boolean;
    /** Deleting an Argo CD Application deletes what it deployed, unless config says otherwise. */
    readonly cascadeDelete: boolean;
    /** Argo CD replicas, Redis HA and disruption budgets, unless config says otherwise. */
    readonly engineHighAvailability: boolean;
    /** An app's namespace (and its data) stays behind when the app is removed. */
    readonly retainAppNamespaces: boolean;
    /** Teams may exec into and port-forward to their pods. */
    readonly teamDebugAccess: boolean;
    /** Branch protection binds administrators too, unless config says otherwise. */
    readonly enforceAdmins: boolean;
    /**
     * Days a deleted Secrets Manager secret can be restored; 0 deletes at once, so a rebuilt stack can
     * reuse names; undefined keeps the store's default.
     */
    readonly secretRecoveryWindowDays: number | undefined;
    /** The EKS API endpoint may be public (only with listed ranges) when config does not say. */
    readonly publicEndpointByDefault: boolean;
    /**
     * Namespace totals and per-container defaults of every app, before config's appDefaults and the app's
     * own values. A quota on requests/limits makes the API server reject pods without them: the LimitRange
     * fills them in.
     */
    readonly quota: QuotaSettings;
    readonly limits: ContainerLimits;
    /** The strategy of an app that opts in to progressive delivery without naming one. */
    readonly deliveryStrategy: DeliveryStrategy;
    /** A release that does not become ready in time is rolled back (Argo Rollouts' progressDeadlineAbort). */
    readonly deliveryAutoRollback: boolean;
    /** Events the engine notifies about when config's notifications.events does not list them. */
    readonly notifyOn: Readonly<Record<NotificationEvent, boolean>>;
}

/**
 * What the two disposable environments (a laptop cluster, staging) share: they converge fully on Git,
 * are torn down and rebuilt, and let teams debug. They differ only in size.
 */
const DISPOSABLE: Omit<EnvironmentProfile, "quota" | "limits"> = {
    protect: false,
    sync: { automated: true, prune: true, selfHeal: true },
    pruneNeedsApproval: false,
    rootPrune: true,
    pruneLast: false,
    cascadeDelete: true,
    engineHighAvailability: false,
    retainAppNamespaces: false,
    teamDebugAccess: true,
    enforceAdmins: false,
    // Torn down and rebuilt: a pending deletion would block re-creating the same names.
    secretRecoveryWindowDays: 0,
    publicEndpointByDefault: true,
    // One switch of the traffic, quick to test; a stuck release stays for the team to look at.
    deliveryStrategy: "blueGreen",
    deliveryAutoRollback: false,
    // They break on purpose now and then: only a failed sync is worth a message.
    notifyOn: { syncFailed: true, degraded: false, drift: false },
};

export const PROFILES: Readonly<Record<Environment, EnvironmentProfile>> = {
    local: {
        ...DISPOSABLE,
        quota: { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", pods: 20 },
        limits: { defaultCpu: "500m", defaultMemory: "512Mi", defaultRequestCpu: "50m", defaultRequestMemory: "64Mi" },
    },
    staging: {
        ...DISPOSABLE,
        quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 50 },
        limits: {
            defaultCpu: "500m",
            defaultMemory: "512Mi",
            defaultRequestCpu: "100m",
            defaultRequestMemory: "128Mi",
        },
    },
    production: {
        protect: true,
        // Self-heals but does not prune unless config says so: a file dropped from Git by mistake must
        // not delete a running production object.
        sync: { automated: true, prune: false, selfHeal: true },
        pruneNeedsApproval: true,
        rootPrune: false,
        pruneLast: true,
        cascadeDelete: false,
        engineHighAvailability: true,
        retainAppNamespaces: true,
        // Exec and port-forward would bypass Git and expose what the app can read; break-glass goes
        // through the platform team.
        teamDebugAccess: false,
        enforceAdmins: true,
        secretRecoveryWindowDays: undefined,
        publicEndpointByDefault: false,
        quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 100 },
        limits: { defaultCpu: "1", defaultMemory: "1Gi", defaultRequestCpu: "250m", defaultRequestMemory: "256Mi" },
        // A new version gets a share of the traffic first, and a release that fails goes back by itself.
        deliveryStrategy: "canary",
        deliveryAutoRollback: true,
        notifyOn: { syncFailed: true, degraded: true, drift: true },
    },
};

export function profileOf(environment: Environment): EnvironmentProfile {
    return PROFILES[environment];
}

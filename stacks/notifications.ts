/** Config → the engine's notifications: one settings shape for both engines, defaults from the profile. */
import * as pulumi from "@pulumi/pulumi";
import { platformLabels } from "../components/core/labels";
import { GitopsEngine } from "../components/gitops/types";
import {
    NOTIFICATION_EVENTS,
    NotificationEvent,
    Notifications,
    NotificationSettings,
} from "../components/notifications";
import { SecretDelivery } from "../components/secrets/types";
import { ClusterHandle } from "../components/cluster/types";
import { PlatformConfig } from "./config";
import { profileOf } from "./profiles";

/**
 * Commit statuses go to the GitOps repository (its root sync, named after the engine's namespace) and
 * the app repositories (each with the Kustomizations of the apps it holds; Flux posts statuses from
 * Kustomization events only, so Helm apps add none).
 */
function commitStatusRepositories(config: PlatformConfig): Record<string, string[]> {
    const repositories: Record<string, string[]> = {
        [config.gitopsRepository.name]: [config.engine.namespace],
        ...Object.fromEntries(Object.keys(config.github?.appRepositories ?? {}).map((name) => [name, []])),
    };
    for (const app of config.apps) {
        const repository = app.source.repository;
        if (repository !== undefined && repository in repositories && app.source.type !== "helm") {
            repositories[repository].push(app.name);
        }
    }
    return repositories;
}

/** The stack's notification settings, or undefined without a notifications section. */
export function notificationSettings(config: PlatformConfig): NotificationSettings | undefined {
    const notifications = config.notifications;
    if (notifications === undefined) {
        return undefined;
    }
    const profile = profileOf(config.environment);
    const events =
        (notifications.events as NotificationEvent[] | undefined) ??
        NOTIFICATION_EVENTS.filter((event) => profile.notifyOn[event]);
    return {
        environment: config.environment,
        events,
        slack: notifications.destinations.includes("slack"),
        commitStatus:
            notifications.destinations.includes("githubCommitStatus") && config.githubOwner !== undefined
                ? { owner: config.githubOwner, repositories: commitStatusRepositories(config) }
                : undefined,
    };
}

export function createNotifications(
    config: PlatformConfig,
    cluster: ClusterHandle,
    engine: GitopsEngine,
    secrets: SecretDelivery,
): Notifications | undefined {
    const settings = notificationSettings(config);
    if (settings === undefined) {
        return undefined;
    }
    // Validated config holds the decrypted text; it stays a secret from here on.
    const secret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    return new Notifications(`${config.stack}-notifications`, {
        provider: cluster.provider,
        engine: engine.kind,
        engineNamespace: engine.namespace,
        engineReady: engine.ready,
        secrets,
        settings,
        slackWebhookUrl: secret(config.slackWebhookUrl),
        githubToken: secret(config.githubStatusToken),
        labels: platformLabels(config.environment),
    });
}

/**
 * Notifications of the GitOps engine: the credentials (Slack webhook URL, GitHub token) delivered into
 * the engine's namespace through the platform's secret delivery (an ExternalSecret with a store), and
 * for Flux the Provider and Alert objects. Argo CD's triggers, templates and subscriptions are chart
 * values (argoNotificationsValues), which the engine's release takes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareObject } from "../core/objects";
import { SecretDelivery } from "../secrets/types";
import {
    fluxNotificationObjects,
    neededSecrets,
    NotificationDestination,
    notificationSecrets,
    NotificationSettings,
} from "./objects";

export * from "./objects";

export interface NotificationsArgs {
    readonly provider: k8s.Provider;
    readonly engine: "argocd" | "flux";
    readonly engineNamespace: string;
    /** The engine's releases: Flux's objects need its CRDs, the Secrets its namespace. */
    readonly engineReady: readonly pulumi.Resource[];
    readonly secrets: SecretDelivery;
    readonly settings: NotificationSettings;
    /** Required with settings.slack. */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /** Required with settings.commitStatus: a token that may write commit statuses on those repositories. */
    readonly githubToken?: pulumi.Input<string>;
    readonly labels: Readonly<Record<string, string>>;
}

export class Notifications extends pulumi.ComponentResource {
    constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:notifications:Notifications", name, {}, opts);
        const values: Record<NotificationDestination, pulumi.Input<string> | undefined> = {
            slack: args.slackWebhookUrl,
            githubCommitStatus: args.githubToken,
        };
        const missing = neededSecrets(args.settings).filter((destination) => values[destination] === undefined);
        if (missing.length > 0) {
            throw new pulumi.ResourceError(`notifications to ${missing.join(", ")} need their credential`, this);
        }
        // Only the destinations the settings need are read, and each was checked above.
        const delivered = notificationSecrets(args.engine, args.settings, {
            slack: pulumi.secret(values.slack ?? ""),
            githubCommitStatus: pulumi.secret(values.githubCommitStatus ?? ""),
        }).map((secret) =>
            args.secrets.deliver(
                `${name}-${secret.secretName}`,
                { namespace: args.engineNamespace, ...secret },
                { parent: this, dependsOn: [...args.engineReady] },
            ),
        );
        if (args.engine === "flux") {
            for (const object of fluxNotificationObjects(args.settings, args.engineNamespace, args.labels)) {
                declareObject(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
                    parent: this,
                    provider: args.provider,
                    dependsOn: [...args.engineReady, ...delivered],
                });
            }
        }
        this.registerOutputs({});
    }
}

/**
 * Notifications of the GitOps engine, one settings shape for both engines, built by pure functions:
 * Argo CD's notifications controller configured through the argo-cd chart's `notifications` values,
 * Flux's notification-controller through Provider and Alert objects.
 *
 * Where every key and name comes from (read upstream):
 * - argo-cd chart 10.1.1 (argoproj/argo-helm charts/argo-cd/values.yaml `notifications.*`, and
 *   templates/argocd-configs/argocd-notifications-cm.yaml): `notifiers`, `templates` and `triggers` are
 *   copied into argocd-notifications-cm as they are, `subscriptions` becomes its `subscriptions` key;
 *   `secret.create: false` makes the controller read a Secret of `secret.name` the chart does not write.
 * - Argo CD v3.4.4: the trigger conditions of notifications_catalog/triggers/on-sync-failed.yaml and
 *   on-health-degraded.yaml (the chart installs no catalog, so they are declared here); webhook services,
 *   templates and the GitHub commit status example in docs/operator-manual/notifications/services/webhook.md;
 *   default subscriptions with webhook names as recipients in docs/operator-manual/notifications/subscriptions.md;
 *   `repo.FullNameByRepoURL` in conditions from util/notification/expression (expr.go Spawn, repo/repo.go).
 * - argoproj/notifications-engine pkg/api/config.go: `$key` anywhere in a service's config is replaced
 *   by that key of the notifications Secret.
 * - Flux 2.9.4 ships notification-controller v1.9.3 (fluxcd/flux2 manifests/bases/notification-controller),
 *   whose CRDs serve Provider and Alert as notification.toolkit.fluxcd.io/v1beta3 only
 *   (config/crd/bases/notification.toolkit.fluxcd.io_{providers,alerts}.yaml); docs/spec/v1beta3/providers.md:
 *   `slack` with the incoming webhook URL in the Secret's `address` key, `github` commit statuses from
 *   Kustomization events with the token in `token`.
 * - Flux's drift: kustomize-controller v1.9.4 (internal/controller/kustomization_controller.go) sends an info
 *   event listing the objects an apply changed, `<Kind>/<namespace>/<name> configured` for an existing one
 *   (fluxcd/pkg ssa ConfiguredAction); Flux reports failed reconciliations and failed health checks alike as
 *   error events, so syncFailed and degraded share one Alert.
 */
import * as YAML from "yaml";

export type NotificationEvent = "syncFailed" | "degraded" | "drift";
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ["syncFailed", "degraded", "drift"];

export type NotificationDestination = "slack" | "githubCommitStatus";

export interface CommitStatusSettings {
    /** GitHub owner (organization or user) of the repositories. */
    readonly owner: string;
    /**
     * Repository name → Flux Kustomizations that apply from it (the GitOps repository's is the root sync).
     * Argo CD posts on these repositories only, for any Application synced from them.
     */
    readonly repositories: Readonly<Record<string, readonly string[]>>;
}

export interface NotificationSettings {
    /** What to tell Slack about. */
    readonly events: readonly NotificationEvent[];
    /** Post the events to Slack through an incoming webhook. */
    readonly slack: boolean;
    /** Post commit statuses (pending, success, failure of each sync) on these GitHub repositories; undefined: none. */
    readonly commitStatus?: CommitStatusSettings;
    /** Names the environment in messages and commit status contexts (staging and production share app repositories). */
    readonly environment: string;
}

/** Keys of the Argo CD notifications Secret; `$<key>` in the services refers to them. */
export const ARGO_SECRET_NAME = "argocd-notifications-secret";
export const ARGO_SECRET_KEYS: Readonly<Record<NotificationDestination, string>> = {
    slack: "slack-webhook-url",
    githubCommitStatus: "github-token",
};
/** Webhook service names: recipients of the subscriptions. */
const ARGO_SERVICES = { slack: "slack-webhook", github: "github-status" } as const;

/** Argo CD trigger per event: the catalog's names where the catalog has the event. */
export const ARGO_TRIGGERS: Readonly<Record<NotificationEvent, string>> = {
    syncFailed: "on-sync-failed",
    degraded: "on-health-degraded",
    drift: "on-drift",
};
export const ARGO_COMMIT_STATUS_TRIGGER = "on-commit-status";
/** Health of an app at its synced commit, as commit statuses: promotion reads how long it has been healthy. */
export const ARGO_HEALTH_STATUS_TRIGGER = "on-health-status";

/** The commit status context of an app's health in an environment (promotion's evidence reads the same). */
export function argoHealthContext(environment: string, app: string): string {
    return `gitops/${environment}/${app}/health`;
}

interface Condition {
    when: string;
    send: string[];
    oncePer?: string;
    description: string;
}

/** Conditions per event. syncFailed and degraded are the catalog's; drift is a change of the live state after a successful sync of the same revision. */
const ARGO_CONDITIONS: Readonly<Record<NotificationEvent, Omit<Condition, "send">>> = {
    syncFailed: {
        description: "Application syncing has failed",
        when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
        oncePer: "app.status.operationState?.syncResult?.revision",
    },
    degraded: {
        description: "Application has degraded",
        when: "app.status.health.status == 'Degraded'",
        oncePer: "app.status.operationState?.syncResult?.revision",
    },
    drift: {
        description: "Application drifted from Git after its revision synced",
        when: "app.status.sync.status == 'OutOfSync' and app.status.operationState != nil and app.status.operationState.phase == 'Succeeded' and app.status.operationState.syncResult?.revision == app.status.sync.revision",
        oncePer: "app.status.sync.revision",
    },
};

const SLACK_TEXT: Readonly<Record<NotificationEvent, string>> = {
    syncFailed: ":x: [{{.app.metadata.name}}] sync failed ({{.app.status.operationState.phase}})",
    degraded: ":warning: [{{.app.metadata.name}}] is Degraded",
    drift: ":twisted_rightwards_arrows: [{{.app.metadata.name}}] is OutOfSync with Git (drift)",
};

function slackTemplate(event: NotificationEvent, environment: string): string {
    // Only names, statuses and the URL go into the JSON body: none of them can hold a quote.
    const text = `${environment}: ${SLACK_TEXT[event]}: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}`;
    return YAML.stringify({
        webhook: { [ARGO_SERVICES.slack]: { method: "POST", body: JSON.stringify({ text }) } },
    });
}

/** A GitHub commit status webhook: POST /repos/<repo>/statuses/<commit> with a state, a description and a context. */
function githubStatusTemplate(status: { state: string; description: string; context: string; commit: string }): string {
    const body = [
        "{",
        `  "state": "${status.state}",`,
        `  "description": "${status.description}",`,
        `  "target_url": "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",`,
        `  "context": "${status.context}"`,
        "}",
    ].join("\n");
    return YAML.stringify({
        webhook: {
            [ARGO_SERVICES.github]: {
                method: "POST",
                path: `/repos/{{call .repo.FullNameByRepoURL .app.spec.source.repoURL}}/statuses/{{${status.commit}}}`,
                body,
            },
        },
    });
}

/** GitHub's commit status states (pending, success, error, failure) from the sync phase; the context names the environment. */
function commitStatusTemplate(environment: string): string {
    const phase = ".app.status.operationState.phase";
    return githubStatusTemplate({
        state: `{{if eq ${phase} "Running"}}pending{{else if eq ${phase} "Succeeded"}}success{{else if eq ${phase} "Failed"}}failure{{else}}error{{end}}`,
        description: `Argo CD sync: {{${phase}}}`,
        context: `gitops/${environment}/{{.app.metadata.name}}`,
        commit: ".app.status.operationState.operation.sync.revision",
    });
}

/** GitHub states from the app's health (gitops-engine HealthStatusCode): Healthy success, Degraded and Missing failure. */
function healthStatusTemplate(environment: string): string {
    const health = ".app.status.health.status";
    return githubStatusTemplate({
        state: `{{if eq ${health} "Healthy"}}success{{else if or (eq ${health} "Degraded") (eq ${health} "Missing")}}failure{{else}}pending{{end}}`,
        description: `Argo CD health: {{${health}}}`,
        context: argoHealthContext(environment, "{{.app.metadata.name}}"),
        commit: ".app.status.sync.revision",
    });
}

/** Full names (owner/name) of the repositories commit statuses go to. */
export function commitStatusRepositories(commitStatus: CommitStatusSettings): string[] {
    return Object.keys(commitStatus.repositories)
        .sort()
        .map((name) => `${commitStatus.owner}/${name}`);
}

/** Only the platform's repositories: the token cannot (and must not try to) post on public upstreams. */
function ourRepositories(commitStatus: CommitStatusSettings): string {
    const repositories = commitStatusRepositories(commitStatus)
        .map((name) => `'${name}'`)
        .join(", ");
    return `app.spec.source != nil and repo.FullNameByRepoURL(app.spec.source.repoURL) in [${repositories}]`;
}

function commitStatusConditions(commitStatus: CommitStatusSettings): Condition[] {
    const ours = ourRepositories(commitStatus);
    const phases: [string, string][] = [
        ["Sync started", "['Running']"],
        ["Sync succeeded", "['Succeeded']"],
        ["Sync failed", "['Error', 'Failed']"],
    ];
    return phases.map(([description, phase]) => ({
        description,
        when: `app.status.operationState != nil and app.status.operationState.phase in ${phase} and ${ours}`,
        send: ["github-commit-status"],
        oncePer: "app.status.operationState?.operation?.sync?.revision",
    }));
}

/**
 * A status on each change of health at the synced commit. Without `oncePer` a condition is sent each time
 * it turns true and forgotten when it turns false (notifications-engine pkg/controller/state.go,
 * SetAlreadyNotified), so Healthy → Degraded → Healthy posts success again; the `oncePer` condition posts
 * once per new commit an app reaches while staying Healthy (with oncePer the state is never forgotten).
 */
function healthStatusConditions(commitStatus: CommitStatusSettings): Condition[] {
    const at = "app.status.sync.revision != nil and app.status.sync.revision != ''";
    const when = (states: string) =>
        `app.status.health.status in [${states}] and ${at} and ${ourRepositories(commitStatus)}`;
    const send = ["github-health-status"];
    return [
        { description: "Healthy", when: when("'Healthy'"), send },
        { description: "Healthy at a new commit", when: when("'Healthy'"), send, oncePer: "app.status.sync.revision" },
        { description: "Degraded", when: when("'Degraded', 'Missing'"), send },
        { description: "Progressing", when: when("'Progressing', 'Suspended'"), send },
    ];
}

/** Which Secret keys the settings need (Argo CD: one Secret; Flux: one Secret per destination). */
export function neededSecrets(settings: NotificationSettings): NotificationDestination[] {
    return [
        ...(settings.slack ? ["slack" as const] : []),
        ...(settings.commitStatus ? ["githubCommitStatus" as const] : []),
    ];
}

/**
 * The Secrets the engine reads the credentials from: Argo CD one (ARGO_SECRET_NAME, a key per
 * destination), Flux one per destination (FLUX_SECRETS); none without a destination.
 */
export function notificationSecrets<T>(
    engine: "argocd" | "flux",
    settings: NotificationSettings,
    credentials: Readonly<Record<NotificationDestination, T>>,
): { secretName: string; data: Record<string, T> }[] {
    const needed = neededSecrets(settings);
    if (engine === "flux") {
        return needed.map((d) => ({
            secretName: FLUX_SECRETS[d].name,
            data: { [FLUX_SECRETS[d].key]: credentials[d] },
        }));
    }
    return needed.length === 0
        ? []
        : [
              {
                  secretName: ARGO_SECRET_NAME,
                  data: Object.fromEntries(needed.map((d) => [ARGO_SECRET_KEYS[d], credentials[d]])),
              },
          ];
}

/** The argo-cd chart's `notifications` values; the Secret (ARGO_SECRET_NAME) is delivered by the platform. */
export function argoNotificationsValues(settings: NotificationSettings): Record<string, unknown> {
    const slackEvents = settings.slack ? NOTIFICATION_EVENTS.filter((e) => settings.events.includes(e)) : [];
    const notifiers: Record<string, string> = {};
    const templates: Record<string, string> = {};
    const triggers: Record<string, string> = {};
    const subscriptions: { recipients: string[]; triggers: string[] }[] = [];
    if (slackEvents.length > 0) {
        notifiers[`service.webhook.${ARGO_SERVICES.slack}`] = YAML.stringify({
            url: `$${ARGO_SECRET_KEYS.slack}`,
            headers: [{ name: "Content-Type", value: "application/json" }],
        });
        for (const event of slackEvents) {
            templates[`template.slack-${ARGO_TRIGGERS[event]}`] = slackTemplate(event, settings.environment);
            triggers[`trigger.${ARGO_TRIGGERS[event]}`] = YAML.stringify([
                { ...ARGO_CONDITIONS[event], send: [`slack-${ARGO_TRIGGERS[event]}`] },
            ]);
        }
        subscriptions.push({ recipients: [ARGO_SERVICES.slack], triggers: slackEvents.map((e) => ARGO_TRIGGERS[e]) });
    }
    if (settings.commitStatus) {
        notifiers[`service.webhook.${ARGO_SERVICES.github}`] = YAML.stringify({
            url: "https://api.github.com",
            headers: [{ name: "Authorization", value: `token $${ARGO_SECRET_KEYS.githubCommitStatus}` }],
        });
        templates["template.github-commit-status"] = commitStatusTemplate(settings.environment);
        triggers[`trigger.${ARGO_COMMIT_STATUS_TRIGGER}`] = YAML.stringify(
            commitStatusConditions(settings.commitStatus),
        );
        templates["template.github-health-status"] = healthStatusTemplate(settings.environment);
        triggers[`trigger.${ARGO_HEALTH_STATUS_TRIGGER}`] = YAML.stringify(
            healthStatusConditions(settings.commitStatus),
        );
        subscriptions.push({
            recipients: [ARGO_SERVICES.github],
            triggers: [ARGO_COMMIT_STATUS_TRIGGER, ARGO_HEALTH_STATUS_TRIGGER],
        });
    }
    return {
        enabled: true,
        secret: { create: false, name: ARGO_SECRET_NAME },
        notifiers,
        templates,
        triggers,
        subscriptions,
    };
}

export const FLUX_API_VERSION = "notification.toolkit.fluxcd.io/v1beta3";
/** Flux Secrets, by destination, and the key each provider reads. */
export const FLUX_SECRETS: Readonly<Record<NotificationDestination, { name: string; key: string }>> = {
    slack: { name: "slack-webhook", key: "address" },
    githubCommitStatus: { name: "github-status-token", key: "token" },
};

type Metadata = { name: string; namespace: string; labels: Record<string, string> };
type EventSource = { kind: string; name: string };

export interface FluxProvider {
    apiVersion: typeof FLUX_API_VERSION;
    kind: "Provider";
    metadata: Metadata;
    spec: { type: "slack" | "github"; address?: string; secretRef: { name: string } };
}

export interface FluxAlert {
    apiVersion: typeof FLUX_API_VERSION;
    kind: "Alert";
    metadata: Metadata;
    spec: {
        providerRef: { name: string };
        eventSeverity: "info" | "error";
        eventSources: EventSource[];
        inclusionList?: string[];
        eventMetadata: Record<string, string>;
    };
}

/** Every kind the platform's Flux objects are (and the HelmCharts helm-controller makes for them). */
const FLUX_SOURCES = ["GitRepository", "HelmChart", "Kustomization", "HelmRelease"];

/** Flux's Providers and Alerts, by name, in Flux's namespace (where every sync object of the platform lives). */
export function fluxNotificationObjects(
    settings: NotificationSettings,
    namespace: string,
    labels: Readonly<Record<string, string>>,
): (FluxProvider | FluxAlert)[] {
    const metadata = (name: string): Metadata => ({ name, namespace, labels: { ...labels } });
    const eventMetadata = { environment: settings.environment };
    const alert = (name: string, provider: string, spec: Omit<FluxAlert["spec"], "providerRef" | "eventMetadata">) =>
        ({
            apiVersion: FLUX_API_VERSION,
            kind: "Alert",
            metadata: metadata(name),
            spec: { providerRef: { name: provider }, ...spec, eventMetadata },
        }) satisfies FluxAlert;
    const objects: (FluxProvider | FluxAlert)[] = [];
    const events = new Set(settings.events);
    if (settings.slack && events.size > 0) {
        objects.push({
            apiVersion: FLUX_API_VERSION,
            kind: "Provider",
            metadata: metadata("slack"),
            spec: { type: "slack", secretRef: { name: FLUX_SECRETS.slack.name } },
        });
        if (events.has("syncFailed") || events.has("degraded")) {
            objects.push(
                alert("slack-failures", "slack", {
                    eventSeverity: "error",
                    eventSources: FLUX_SOURCES.map((kind) => ({ kind, name: "*" })),
                }),
            );
        }
        if (events.has("drift")) {
            objects.push(
                alert("slack-drift", "slack", {
                    eventSeverity: "info",
                    eventSources: [{ kind: "Kustomization", name: "*" }],
                    // An existing object changed on apply: drift corrected (or a new revision changed it).
                    inclusionList: [" configured(\\n|$)"],
                }),
            );
        }
    }
    if (settings.commitStatus) {
        const { owner, repositories } = settings.commitStatus;
        for (const repository of Object.keys(repositories).sort()) {
            const kustomizations = [...repositories[repository]].sort();
            if (kustomizations.length === 0) {
                continue;
            }
            const name = `github-${repository}`;
            objects.push(
                {
                    apiVersion: FLUX_API_VERSION,
                    kind: "Provider",
                    metadata: metadata(name),
                    spec: {
                        type: "github",
                        address: `https://github.com/${owner}/${repository}`,
                        secretRef: { name: FLUX_SECRETS.githubCommitStatus.name },
                    },
                },
                alert(name, name, {
                    eventSeverity: "info",
                    eventSources: kustomizations.map((k) => ({ kind: "Kustomization", name: k })),
                }),
            );
        }
    }
    return objects;
}

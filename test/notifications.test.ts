/**
 * Notifications: the argo-cd chart's `notifications` values and Flux's Provider/Alert objects built
 * from one settings shape; config rules for the credentials; the checked-in stacks plan them with the
 * credentials delivered through the secrets store, never in plain text; switching the engine keeps the
 * same config working.
 */
import assert from "node:assert/strict";
import * as YAML from "yaml";
import {
    ARGO_COMMIT_STATUS_TRIGGER,
    ARGO_HEALTH_STATUS_TRIGGER,
    argoHealthContext,
    ARGO_SECRET_KEYS,
    ARGO_SECRET_NAME,
    ARGO_TRIGGERS,
    argoNotificationsValues,
    FLUX_API_VERSION,
    FLUX_SECRETS,
    fluxNotificationObjects,
    notificationSecrets,
    NotificationSettings,
} from "../components/notifications/objects";
import { argoCdValues } from "../components/gitops/argocd/values";
import { PROFILES } from "../stacks/profiles";
import { notificationSettings } from "../stacks/notifications";
import { ArgocdConfig } from "../stacks/config";
import { argoCdArgs, EngineDeps } from "../stacks/engine";
import { byName, configProblems, importEsm, ofType, planStack, platformConfig } from "./harness";

const SETTINGS: NotificationSettings = {
    environment: "production",
    events: ["syncFailed", "degraded", "drift"],
    slack: true,
    commitStatus: {
        owner: "acme",
        repositories: { "platform-gitops": ["flux-system"], "payments-api": ["payments-api"], "helm-only": [] },
    },
};

/**
 * The keys of the argo-cd chart's `notifications` block this program sets, read in argoproj/argo-helm
 * charts/argo-cd/values.yaml at argo-cd-10.1.1 (`notifications.enabled`, `secret.create`, `secret.name`,
 * `notifiers`, `templates`, `triggers`, `subscriptions`).
 */
const CHART_NOTIFICATION_KEYS = ["enabled", "secret", "notifiers", "templates", "triggers", "subscriptions"];
/**
 * Trigger names and conditions of Argo CD's catalog, argoproj/argo-cd v3.4.4
 * notifications_catalog/triggers/on-sync-failed.yaml and on-health-degraded.yaml.
 */
const CATALOG: Readonly<Record<string, string>> = {
    "on-sync-failed": "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    "on-health-degraded": "app.status.health.status == 'Degraded'",
};
/** Provider types and Alert event kinds of notification-controller v1.9.3's v1beta3 CRDs (the version Flux 2.9.4 ships). */
const FLUX_PROVIDER_TYPES = ["slack", "github"];

type Trigger = { when: string; send: string[]; oncePer: string }[];
type Values = {
    enabled: boolean;
    secret: { create: boolean; name: string };
    notifiers: Record<string, string>;
    templates: Record<string, string>;
    triggers: Record<string, string>;
    subscriptions: { recipients: string[]; triggers: string[] }[];
};

describe("notifications: Argo CD values", () => {
    const values = argoNotificationsValues(SETTINGS) as Values;

    it("sets only keys the chart's notifications block has, and leaves the Secret to the platform", () => {
        assert.deepEqual(Object.keys(values).sort(), [...CHART_NOTIFICATION_KEYS].sort());
        assert.deepEqual(values.secret, { create: false, name: ARGO_SECRET_NAME });
    });

    it("uses the catalog's trigger names and conditions for sync failed and degraded", () => {
        for (const [name, when] of Object.entries(CATALOG)) {
            const trigger = YAML.parse(values.triggers[`trigger.${name}`]) as Trigger;
            assert.equal(trigger[0].when, when, name);
        }
    });

    it("every trigger sends a template that exists, and every template's webhook is a declared service", () => {
        const services = Object.keys(values.notifiers).map((key) => key.replace(/^service\.webhook\./, ""));
        for (const text of Object.values(values.triggers)) {
            for (const condition of YAML.parse(text) as Trigger) {
                for (const template of condition.send) {
                    const body = values.templates[`template.${template}`];
                    assert.ok(body, `template ${template} is missing`);
                    const webhook = Object.keys((YAML.parse(body) as { webhook: object }).webhook);
                    assert.deepEqual(
                        webhook.filter((s) => !services.includes(s)),
                        [],
                        template,
                    );
                }
            }
        }
    });

    it("subscribes Slack to the selected events and GitHub to the commit status trigger; services read the Secret's keys", () => {
        assert.deepEqual(values.subscriptions, [
            { recipients: ["slack-webhook"], triggers: ["on-sync-failed", "on-health-degraded", "on-drift"] },
            { recipients: ["github-status"], triggers: [ARGO_COMMIT_STATUS_TRIGGER, ARGO_HEALTH_STATUS_TRIGGER] },
        ]);
        const notifiers = Object.values(values.notifiers).join("\n");
        assert.ok(notifiers.includes(`$${ARGO_SECRET_KEYS.slack}`));
        assert.ok(notifiers.includes(`token $${ARGO_SECRET_KEYS.githubCommitStatus}`));
        assert.ok(!notifiers.includes("hooks.slack.com"), "no webhook URL in the values");
    });

    it("commit statuses only for the stack's repositories, with a context naming the environment", () => {
        const conditions = YAML.parse(values.triggers[`trigger.${ARGO_COMMIT_STATUS_TRIGGER}`]) as Trigger;
        assert.equal(conditions.length, 3);
        for (const condition of conditions) {
            assert.match(condition.when, /in \['acme\/helm-only', 'acme\/payments-api', 'acme\/platform-gitops'\]/);
        }
        const body = (YAML.parse(values.templates["template.github-commit-status"]) as never)["webhook"][
            "github-status"
        ] as { body: string; path: string };
        assert.match(body.body, /"context": "gitops\/production\/\{\{\.app\.metadata\.name\}\}"/);
        assert.match(body.path, /^\/repos\/\{\{call \.repo\.FullNameByRepoURL/);
    });

    // Promotion measures continuous health from these statuses (delivery/evidence/statuses.ts).
    it("commit statuses report health at the synced commit, on every change of health, in the context promotion reads", () => {
        const conditions = YAML.parse(values.triggers[`trigger.${ARGO_HEALTH_STATUS_TRIGGER}`]) as {
            description: string;
            when: string;
            oncePer?: string;
        }[];
        assert.deepEqual(
            conditions.map((c) => [c.description, /in \[([^\]]*)\] and/.exec(c.when)?.[1], c.oncePer]),
            [
                ["Healthy", "'Healthy'", undefined],
                ["Healthy at a new commit", "'Healthy'", "app.status.sync.revision"],
                ["Degraded", "'Degraded', 'Missing'", undefined],
                ["Progressing", "'Progressing', 'Suspended'", undefined],
            ],
        );
        for (const condition of conditions) {
            assert.match(condition.when, /app\.status\.sync\.revision != nil and app\.status\.sync\.revision != ''/);
            assert.match(condition.when, /in \['acme\/helm-only', 'acme\/payments-api', 'acme\/platform-gitops'\]$/);
        }
        const webhook = (YAML.parse(values.templates["template.github-health-status"]) as never)["webhook"][
            "github-status"
        ] as { body: string; path: string };
        assert.match(webhook.path, /\/statuses\/\{\{\.app\.status\.sync\.revision\}\}$/);
        const body = webhook.body;
        assert.ok(body.includes(`"context": "${argoHealthContext("production", "{{.app.metadata.name}}")}"`));
        assert.equal(argoHealthContext("staging", "web"), "gitops/staging/web/health");
        assert.ok(
            body.includes(
                '{{if eq .app.status.health.status "Healthy"}}success{{else if or (eq .app.status.health.status "Degraded") (eq .app.status.health.status "Missing")}}failure{{else}}pending{{end}}',
            ),
        );
    });

    it("staging's events (failed sync only) give one Slack trigger; no destination gives no trigger", () => {
        const staging = argoNotificationsValues({
            ...SETTINGS,
            events: ["syncFailed"],
            commitStatus: undefined,
        }) as Values;
        assert.deepEqual(Object.keys(staging.triggers), [`trigger.${ARGO_TRIGGERS.syncFailed}`]);
        const none = argoNotificationsValues({ ...SETTINGS, slack: false, commitStatus: undefined }) as Values;
        assert.deepEqual(none.subscriptions, []);
    });

    it("reach the chart values under notifications", () => {
        const chart = argoCdValues({ highAvailability: false, adminGroups: [], knownHosts: [], notifications: values });
        assert.equal(chart.notifications, values);
        assert.ok(!("notifications" in argoCdValues({ highAvailability: false, adminGroups: [], knownHosts: [] })));
    });
});

describe("notifications: credential Secrets", () => {
    const credentials = { slack: "https://hooks.slack.example/x", githubCommitStatus: "token" };

    it("Argo CD: one Secret the chart's controller reads, a key per destination; Flux: one per destination", () => {
        assert.deepEqual(notificationSecrets("argocd", SETTINGS, credentials), [
            {
                secretName: ARGO_SECRET_NAME,
                data: { "slack-webhook-url": credentials.slack, "github-token": credentials.githubCommitStatus },
            },
        ]);
        assert.deepEqual(notificationSecrets("flux", SETTINGS, credentials), [
            { secretName: "slack-webhook", data: { address: credentials.slack } },
            { secretName: "github-status-token", data: { token: credentials.githubCommitStatus } },
        ]);
    });

    it("only what the destinations need", () => {
        const slackOnly = { ...SETTINGS, commitStatus: undefined };
        assert.deepEqual(
            notificationSecrets("argocd", slackOnly, credentials).map((s) => Object.keys(s.data)),
            [["slack-webhook-url"]],
        );
        assert.deepEqual(notificationSecrets("argocd", { ...slackOnly, slack: false }, credentials), []);
    });
});

describe("notifications: Flux objects", () => {
    const objects = fluxNotificationObjects(SETTINGS, "flux-system", { environment: "production" });

    it("validate against notification-controller's v1beta3 schemas (@kubernetes-models/flux-cd)", async () => {
        const models = await importEsm<Record<string, new (o: object) => { validate(): void }>>(
            "@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3",
        );
        for (const object of objects) {
            assert.equal(object.apiVersion, FLUX_API_VERSION);
            new models[object.kind](object).validate();
        }
    });

    it("a Slack provider with the webhook in its Secret, failure and drift alerts, a GitHub provider per repository with Kustomizations", () => {
        const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
        assert.deepEqual(names, [
            "Provider/slack",
            "Alert/slack-failures",
            "Alert/slack-drift",
            "Provider/github-payments-api",
            "Alert/github-payments-api",
            "Provider/github-platform-gitops",
            "Alert/github-platform-gitops",
        ]);
        for (const object of objects.filter((o) => o.kind === "Provider")) {
            assert.ok(FLUX_PROVIDER_TYPES.includes(object.spec.type));
        }
        const slack = objects.find((o) => o.metadata.name === "slack")!;
        assert.deepEqual(slack.spec, { type: "slack", secretRef: { name: FLUX_SECRETS.slack.name } });
        const gitops = objects.find((o) => o.kind === "Alert" && o.metadata.name === "github-platform-gitops")!;
        assert.deepEqual((gitops.spec as { eventSources: unknown }).eventSources, [
            { kind: "Kustomization", name: "flux-system" },
        ]);
    });

    it("drift matches kustomize-controller's change-set lines of existing objects only", () => {
        const drift = objects.find((o) => o.metadata.name === "slack-drift")!;
        const pattern = new RegExp((drift.spec as { inclusionList: string[] }).inclusionList[0]);
        assert.ok(pattern.test("Deployment/payments/payments-api configured"));
        assert.ok(pattern.test("Deployment/payments/api configured\nService/payments/api created"));
        assert.ok(!pattern.test("Deployment/payments/api created"));
        assert.ok(!pattern.test("Deployment/payments/api-configured created"));
    });

    it("staging's defaults: one error alert, no drift alert", () => {
        const staging = fluxNotificationObjects(
            { ...SETTINGS, events: ["syncFailed"], commitStatus: undefined },
            "flux-system",
            {},
        );
        assert.deepEqual(
            staging.map((o) => o.metadata.name),
            ["slack", "slack-failures"],
        );
    });
});

describe("notifications config", () => {
    it("defaults from the profile: production syncFailed, degraded and drift; staging syncFailed", () => {
        assert.deepEqual(PROFILES.production.notifyOn, { syncFailed: true, degraded: true, drift: true });
        assert.deepEqual(notificationSettings(platformConfig("production"))?.events, [
            "syncFailed",
            "degraded",
            "drift",
        ]);
        assert.deepEqual(notificationSettings(platformConfig("staging"))?.events, ["syncFailed"]);
        const listed = platformConfig("staging", {
            set: { "gitops-platform:notifications": { destinations: ["slack"], events: ["drift", "drift"] } },
        });
        assert.deepEqual(notificationSettings(listed)?.events, ["drift"]);
    });

    it("commit statuses: the GitOps repository with its root sync, app repositories with their Kustomizations", () => {
        assert.deepEqual(notificationSettings(platformConfig("staging"))?.commitStatus, {
            owner: "acme-platform",
            repositories: {
                "platform-gitops-staging": ["argocd"],
                "payments-api": ["payments-api"],
                "checkout-web": ["checkout-web"],
            },
        });
    });

    it("a destination without its credential is refused, naming the secret key and the command", () => {
        const problems = configProblems("staging", { remove: ["gitops-platform:slackWebhookUrl"] });
        assert.ok(
            problems.some(
                (p) =>
                    p.key === "gitops-platform:slackWebhookUrl" &&
                    /pulumi config set --secret gitops-platform:slackWebhookUrl/.test(p.message),
            ),
            JSON.stringify(problems),
        );
    });

    it("a credential in plain text is refused, its value never shown", () => {
        const problems = configProblems("staging", {
            set: { "gitops-platform:githubStatusToken": "ghp_plaintexttoken" },
        });
        const problem = problems.find((p) => p.key === "gitops-platform:githubStatusToken");
        assert.ok(problem && /plain text/.test(problem.message));
        assert.ok(!JSON.stringify(problems).includes("ghp_plaintexttoken"));
    });

    it("commit statuses without a github section are refused; unknown destinations and events too", () => {
        const local = configProblems("local", {
            set: { "gitops-platform:notifications": { destinations: ["githubCommitStatus"] } },
            secrets: { "gitops-platform:githubStatusToken": "t" },
        });
        assert.ok(
            local.some((p) => p.key === "gitops-platform:notifications.destinations"),
            JSON.stringify(local),
        );
        for (const notifications of [
            { destinations: ["email"] },
            { destinations: ["slack"], events: ["deployed"] },
            { destinations: ["slack"], events: [] },
            { destinations: [] },
        ]) {
            assert.ok(
                configProblems("staging", { set: { "gitops-platform:notifications": notifications } }).some((p) =>
                    p.key.startsWith("gitops-platform:notifications."),
                ),
            );
        }
    });
});

describe("notifications in the checked-in stacks", () => {
    type Planned = { type: string; name: string; inputs: Record<string, unknown> };

    for (const stack of ["staging", "production"]) {
        it(`${stack}: Argo CD values and the Secret through the store; with engine flux, Providers and Alerts`, async () => {
            // With SSO the release values are secret in the plan: read them from the Args the stack hands Argo CD.
            const config = platformConfig(stack);
            const deps = {
                cluster: { clusterName: "c" },
                repositories: { gitops: { url: "u", branch: "main" } },
            } as unknown as EngineDeps;
            const values = argoCdArgs(config, config.engine as ArgocdConfig, deps).notifications as Values;
            assert.deepEqual(values, argoNotificationsValues(notificationSettings(config)!));
            assert.equal(values.subscriptions.length, 2);
            const argo = await planStack(stack);
            const external = byName(
                argo.resources,
                "kubernetes:external-secrets.io/v1:ExternalSecret",
                `${stack}-notifications-${ARGO_SECRET_NAME}`,
            ).inputs as { spec: { target: { name: string } } };
            assert.equal(external.spec.target.name, ARGO_SECRET_NAME);
            assert.ok(!JSON.stringify(argo.resources).includes("offline-plan-secret"), "a credential in the plan");

            const flux = await planStack(stack, {
                set: { "gitops-platform:engine": { type: "flux", multitenancy: true } },
            });
            const kinds = (flux.resources as Planned[])
                .filter((r) => r.type.startsWith("kubernetes:notification.toolkit.fluxcd.io/v1beta3:"))
                .map((r) => r.type.split(":").pop());
            assert.ok(kinds.includes("Provider") && kinds.includes("Alert"));
            assert.equal(
                ofType(flux.resources, "kubernetes:external-secrets.io/v1:ExternalSecret").filter((r) =>
                    r.name.startsWith(`${stack}-notifications-`),
                ).length,
                2,
            );
        });
    }

    it("local (no notifications section) plans no notification objects", async () => {
        const result = await planStack("local");
        assert.deepEqual(
            (result.resources as Planned[]).filter((r) => r.type.includes("notification")),
            [],
        );
    });
});

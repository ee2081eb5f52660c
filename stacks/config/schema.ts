/**
 * The schema of the stack's whole configuration: each section's schema (stacks/config/<section>.ts)
 * under its top-level key.
 */
import { z } from "zod";
import { appDefaultsConfig, appsConfig, teamConfig } from "./apps";
import { ciConfig } from "./ci";
import { clusterConfig } from "./cluster";
import { deliveryConfig } from "./delivery";
import { engineConfig } from "./engine";
import { fleetConfig } from "./fleet";
import { monitoringConfig } from "./monitoring";
import { notificationsConfig } from "./notifications";
import { promotionConfig } from "./promotion";
import { githubConfig, gitopsRepositoryConfig } from "./repositories";
import { dnsLabel, strictObject } from "./rules";
import { secretsConfig } from "./secrets";
import { versionsConfig } from "./versions";

export const projectSchema = strictObject({
    environment: z.enum(["staging", "production", "local"]),
    /** Tags on every AWS resource that takes them; `environment` and `project` are added. */
    tags: z
        .record(z.string().regex(/^[\w.:/=+@ -]{1,128}$/, "expected an AWS tag key"), z.string().max(256))
        .refine((tags) => "owner" in tags, 'expected an "owner" tag: who to ask about these resources')
        // AWS tagging rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): the aws: prefix is
        // reserved, at most 50 tags per resource; the program adds environment and project.
        .refine(
            (tags) => !Object.keys(tags).some((k) => k.toLowerCase().startsWith("aws:")),
            'tag keys starting with "aws:" are reserved for AWS: rename them',
        )
        .refine(
            (tags) => Object.keys({ ...tags, environment: "", project: "" }).length <= 50,
            "AWS allows 50 tags per resource and the program adds environment and project: keep at most 48",
        )
        .default({ owner: "platform-team" }),
    cluster: clusterConfig,
    engine: engineConfig,
    gitopsRepository: gitopsRepositoryConfig,
    github: githubConfig.optional(),
    secrets: secretsConfig.optional(),
    teams: z.record(dnsLabel, teamConfig).default({}),
    apps: appsConfig.default([]),
    appDefaults: appDefaultsConfig.default({}),
    promotion: promotionConfig.optional(),
    ssoClientSecret: z.string().min(1).optional(),
    monitoring: monitoringConfig.optional(),
    delivery: deliveryConfig.optional(),
    notifications: notificationsConfig.optional(),
    /** Slack incoming webhook URL for notifications (a secret). */
    slackWebhookUrl: z.string().min(1).optional(),
    /** GitHub token that may write commit statuses on the stack's repositories (a secret). */
    githubStatusToken: z.string().min(1).optional(),
    fleet: fleetConfig.optional(),
    ci: ciConfig.optional(),
    /** The Kubernetes minor of an existing cluster and chart pins over its version set (stacks/versionSets.ts). */
    versions: versionsConfig.optional(),
});

export type ProjectConfig = z.infer<typeof projectSchema>;

/** The sections of the config, each parsed alone: what is left when another section is wrong. */
export type PlatformConfigSections = Partial<ProjectConfig>;

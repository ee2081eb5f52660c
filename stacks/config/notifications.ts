/** `gitops-platform:notifications`: where the engine reports (Slack, GitHub commit statuses) and about what. */
import { z } from "zod";
import { NOTIFICATION_EVENTS } from "../../components/notifications/objects";
import { CrossFieldContext, CrossFieldProblem } from "./crossField";
import { PROJECT, strictObject } from "./rules";

export const notificationsConfig = strictObject({
    /**
     * slack: an incoming webhook, its URL the secret key gitops-platform:slackWebhookUrl.
     * githubCommitStatus: a status per sync on each commit of the GitOps and app repositories this stack
     * manages, with the token in the secret key gitops-platform:githubStatusToken.
     */
    destinations: z
        .array(z.enum(["slack", "githubCommitStatus"]))
        .min(1, "expected at least one of slack, githubCommitStatus (or remove the notifications section)")
        .transform((list) => [...new Set(list)].sort()),
    /** What Slack hears about; default the environment's (production: all three, staging: syncFailed). */
    events: z
        .array(z.enum(NOTIFICATION_EVENTS as [string, ...string[]]))
        .min(
            1,
            "expected at least one of syncFailed, degraded, drift (to tell Slack nothing, remove slack from destinations)",
        )
        .transform((list) => [...new Set(list)].sort())
        .optional(),
});

export type NotificationsConfig = z.infer<typeof notificationsConfig>;

/** Each notification destination needs its credential; commit statuses need repositories on GitHub. */
export function notificationRules(
    config: { readonly notifications?: NotificationsConfig },
    { present }: CrossFieldContext,
): CrossFieldProblem[] {
    const destinations = config.notifications?.destinations ?? [];
    const problems: CrossFieldProblem[] = [];
    const credentials = { slack: "slackWebhookUrl", githubCommitStatus: "githubStatusToken" } as const;
    for (const destination of destinations) {
        const key = credentials[destination];
        if (!present(key)) {
            problems.push({
                path: [key],
                message: `notifications.destinations lists ${destination}, which needs it: pulumi config set --secret ${PROJECT}:${key} <value>`,
            });
        }
    }
    if (destinations.includes("githubCommitStatus") && !present("github")) {
        problems.push({
            path: ["notifications", "destinations"],
            message:
                "githubCommitStatus posts on the repositories this stack manages on GitHub, and it has no github section: remove githubCommitStatus, or add a github section",
        });
    }
    return problems;
}

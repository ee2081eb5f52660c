/**
 * How long an app has been healthy, continuously, at one commit: from the commit statuses the engine's
 * notifications post there. GitHub's `GET /repos/{owner}/{repo}/commits/{ref}/statuses` answers an array,
 * newest first, of `{ state: error|failure|pending|success, context, description, target_url, created_at,
 * updated_at, ... }` (docs.github.com/en/rest/commits/statuses, "List commit statuses for a reference").
 * The contexts: Argo CD's health trigger posts `gitops/<environment>/<app>/health`
 * (components/notifications/objects.ts); Flux's github provider posts `kustomization/<name>/<provider uid
 * prefix>` from every Kustomization event, `success` for info and `failure` for error events
 * (fluxcd/notification-controller internal/notifier/github.go, generateCommitStatusID), and with `wait: true`
 * a Kustomization is reconciled only when its objects are healthy.
 */
import { z } from "zod";
import { argoHealthContext } from "../../components/notifications/objects";
import { EvidenceSource, EvidenceUnavailable } from "./source";

const status = z.object({ state: z.string(), context: z.string(), created_at: z.string() });

/** The context prefix an app's health statuses carry, by engine. */
export function healthContext(engine: "argocd" | "flux", environment: string, app: string): string {
    return engine === "argocd" ? argoHealthContext(environment, app) : `kustomization/${app}/`;
}

/**
 * The start of the current unbroken run of `success` statuses of the context (prefix), or undefined when
 * the latest is not a success (or there is none).
 */
export function healthySince(statuses: z.infer<typeof status>[], context: string): string | undefined {
    const matching = statuses
        .filter((s) => (context.endsWith("/") ? s.context.startsWith(context) : s.context === context))
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
    let since: string | undefined;
    for (const s of matching) {
        if (s.state !== "success") {
            break;
        }
        since = s.created_at;
    }
    return since;
}

export function parseStatuses(text: string): z.infer<typeof status>[] {
    const parsed = z.array(status).safeParse(JSON.parse(text));
    if (!parsed.success) {
        throw new EvidenceUnavailable(
            `commit statuses: not the GitHub statuses API's array (${parsed.error.issues[0].message})`,
        );
    }
    return parsed.data;
}

export async function collectHealthySince(
    source: EvidenceSource,
    repository: string,
    sha: string,
    context: string,
): Promise<string | undefined> {
    return healthySince(parseStatuses(await source.read({ kind: "statuses", repository, sha })), context);
}

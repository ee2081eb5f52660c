/**
 * Whether the source stack has an open drift issue: the drift workflow keeps one issue per stack open,
 * labelled `drift:<stack>` (.github/workflows/drift.yml), while drift lasts. GitHub's
 * `GET /repos/{owner}/{repo}/issues?state=open&labels=...` answers an array of `{ number, title, html_url,
 * state, ... }` (docs.github.com/en/rest/issues/issues, "List repository issues").
 */
import { z } from "zod";
import { EvidenceSource, EvidenceUnavailable } from "./source";

const issue = z.object({ number: z.number(), title: z.string(), html_url: z.string(), state: z.string() });

export interface DriftIssue {
    readonly number: number;
    readonly title: string;
    readonly url: string;
}

export const driftLabel = (stack: string) => `drift:${stack}`;

export function parseDriftIssues(text: string): DriftIssue[] {
    const parsed = z.array(issue).safeParse(JSON.parse(text));
    if (!parsed.success) {
        throw new EvidenceUnavailable(
            `drift issues: not the GitHub issues API's array (${parsed.error.issues[0].message})`,
        );
    }
    return parsed.data
        .filter((i) => i.state === "open")
        .map((i) => ({ number: i.number, title: i.title, url: i.html_url }));
}

export async function collectDrift(source: EvidenceSource, repository: string, stack: string): Promise<DriftIssue[]> {
    return parseDriftIssues(await source.read({ kind: "issues", repository, label: driftLabel(stack) }));
}

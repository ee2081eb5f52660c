/**
 * Tag → commit, from `git ls-remote <url>` output: one `<sha>\t<ref>` per line, an annotated tag
 * followed by its peeled commit as `<ref>^{}` (git-scm.com/docs/git-ls-remote, "EXAMPLES"; the peeled
 * line is the commit, the unpeeled one the tag object). Argo CD and Flux check out the commit.
 */
import { isFullCommitSha } from "../../components/gitops/revisions";
import { EvidenceSource, EvidenceUnavailable } from "./source";

/** Fully qualified ref → the commit it points at (annotated tags peeled). */
export function parseLsRemote(text: string): Map<string, string> {
    const refs = new Map<string, string>();
    const peeled = new Map<string, string>();
    for (const line of text.split("\n")) {
        const match = /^([0-9a-f]{40})\t(\S+)$/.exec(line.trim());
        if (match === null) {
            continue;
        }
        const [, sha, ref] = match;
        if (ref.endsWith("^{}")) {
            peeled.set(ref.slice(0, -3), sha);
        } else {
            refs.set(ref, sha);
        }
    }
    for (const [ref, sha] of peeled) {
        refs.set(ref, sha);
    }
    return refs;
}

/**
 * The commit a revision names: a full SHA is itself; a tag is `refs/tags/<tag>` only (a branch of the
 * same name never wins, unlike an engine's first-match lookup). Undefined when the repository has no such tag.
 */
export function resolveRevision(revision: string, refs: ReadonlyMap<string, string>): string | undefined {
    if (isFullCommitSha(revision)) {
        return revision;
    }
    const name = revision.startsWith("refs/tags/") ? revision : `refs/tags/${revision}`;
    return refs.get(name);
}

export async function collectResolution(
    source: EvidenceSource,
    url: string,
    revision: string,
): Promise<string | undefined> {
    if (isFullCommitSha(revision)) {
        return revision;
    }
    const resolved = resolveRevision(revision, parseLsRemote(await source.read({ kind: "refs", url })));
    if (resolved === undefined) {
        throw new EvidenceUnavailable(`${url} has no tag ${revision} (git ls-remote)`);
    }
    return resolved;
}

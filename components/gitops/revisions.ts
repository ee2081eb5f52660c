/** What a Git revision in config is: one definition for config rules, promotion and the engines' source refs. */

/** Release tags: v1.4.2, 1.4.2, v2.0.0-rc.1, or a chart's grafana-10.1.4. */
export function isReleaseTag(revision: string): boolean {
    return /^([A-Za-z0-9_.-]+-)?v?\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(revision);
}

/** A commit SHA, abbreviated (7 or more hex digits) or full. */
export function isCommitSha(revision: string): boolean {
    return /^[0-9a-f]{7,40}$/.test(revision);
}

/** A full 40-digit commit SHA. */
export function isFullCommitSha(revision: string): boolean {
    return /^[0-9a-f]{40}$/.test(revision);
}

/**
 * A fully qualified tag, refs/tags/<name>: Argo CD resolves it by the full ref name only (argoproj/argo-cd
 * util/git/client.go lsRemote: `(isShortRef && ref.Name().Short() == revision) || refName == revision`),
 * never as a semver constraint or a branch; Flux checks it out as spec.ref.name.
 */
export function isQualifiedTag(revision: string): boolean {
    return /^refs\/tags\/[^\s~^:?*[\\]+$/.test(revision);
}

/** What production deploys: a revision nobody can move without review. */
export function isProductionRevision(revision: string): boolean {
    return isFullCommitSha(revision) || isQualifiedTag(revision);
}

/**
 * Where the versions the program pins are offered: EKS add-on builds per Kubernetes version, and chart
 * versions per Helm repository (an HTTPS repository's index.yaml, or an OCI repository's tags). Used by
 * `npm run preflight` (are the pins offered?) and `npm run bump` (what is the newest offered?).
 *
 * Stable interface (other commands build on it; add to it, do not change it):
 * - addonVersionsOffered(runner, addon, kubernetesVersion, options?) → builds offered, newest first
 * - addonVersions(runner, addon, kubernetesVersion, options?) → the same with EKS's default marked
 * - chartVersions(runner, repositoryUrl, chart) → versions in the repository, newest first
 * - githubReleases(runner, repository, options?) → a GitHub repository's published releases, newest first
 * - SourceError: the source could not answer (kind "unavailable") or has no such thing ("missing")
 * - Runner, processRunner, recordedRunner, recordingRunner: from ./runner, re-exported here
 */
import * as semver from "semver";
import * as YAML from "yaml";
import { HttpResponse, Runner } from "./runner";

export {
    CommandResult,
    HttpRequest,
    HttpResponse,
    processRunner,
    RecordedResponse,
    RecordedRunner,
    recordedRunner,
    Recording,
    recordingRunner,
    Runner,
} from "./runner";

/**
 * Why a source gave no list. "unavailable": it could not be asked (tool missing, no credentials, access
 * denied, no network, a server error): the caller may skip. "missing": it answered that the repository or
 * chart does not exist. The message says what was asked and what came back.
 */
export class SourceError extends Error {
    constructor(
        message: string,
        readonly kind: "unavailable" | "missing",
    ) {
        super(message);
    }
}

/** One build of an EKS add-on offered for a Kubernetes version. */
export interface AddonVersion {
    readonly version: string;
    /** EKS installs this build when none is named (Compatibility.defaultVersion). */
    readonly defaultVersion: boolean;
}

export interface AddonQueryOptions {
    /** AWS region to ask (the stack's aws:region); default: the CLI's own (AWS_REGION, profile). */
    readonly region?: string;
}

/**
 * Newest first by semver, build number included (`v1.19.5-eksbuild.10` after `-eksbuild.9`, since semver
 * compares numeric pre-release identifiers as numbers); strings that are no version go last, in order.
 */
export function newestFirst(versions: readonly string[]): string[] {
    const valid = versions.filter((v) => semver.valid(v) !== null);
    const invalid = versions.filter((v) => semver.valid(v) === null);
    return [...[...new Set(valid)].sort(semver.rcompare), ...new Set(invalid)];
}

/**
 * The output of `aws eks describe-addon-versions --output json` (the CLI gathers every page). Shape: EKS
 * API reference, DescribeAddonVersions response: `addons` is a list of AddonInfo { addonName,
 * addonVersions: AddonVersionInfo[] }, AddonVersionInfo { addonVersion, compatibilities: Compatibility[] },
 * Compatibility { clusterVersion, platformVersions, defaultVersion }; the EKS user guide's "Verify Amazon
 * EKS add-on version compatibility with a cluster" (addon-compat) shows the CLI's output in that shape.
 */
interface DescribeAddonVersionsOutput {
    readonly addons?: readonly {
        readonly addonName?: string;
        readonly addonVersions?: readonly {
            readonly addonVersion?: string;
            readonly compatibilities?: readonly {
                readonly clusterVersion?: string;
                readonly defaultVersion?: boolean;
            }[];
        }[];
    }[];
}

/** Parses describe-addon-versions' JSON: the builds of `addon` compatible with `kubernetesVersion`. */
export function addonVersionsFromOutput(output: string, addon: string, kubernetesVersion: string): AddonVersion[] {
    let parsed: DescribeAddonVersionsOutput;
    try {
        parsed = JSON.parse(output) as DescribeAddonVersionsOutput;
    } catch {
        throw new SourceError(
            `aws eks describe-addon-versions printed no JSON: ${output.slice(0, 200)}`,
            "unavailable",
        );
    }
    const builds = new Map<string, boolean>();
    for (const info of parsed.addons ?? []) {
        if (info.addonName !== addon) {
            continue;
        }
        for (const build of info.addonVersions ?? []) {
            const compatible = (build.compatibilities ?? []).filter((c) => c.clusterVersion === kubernetesVersion);
            if (build.addonVersion !== undefined && compatible.length > 0) {
                builds.set(
                    build.addonVersion,
                    compatible.some((c) => c.defaultVersion === true),
                );
            }
        }
    }
    return newestFirst([...builds.keys()]).map((version) => ({ version, defaultVersion: builds.get(version)! }));
}

/** The AWS CLI arguments that list `addon`'s builds for `kubernetesVersion`. */
export function describeAddonVersionsArgs(
    addon: string,
    kubernetesVersion: string,
    options: AddonQueryOptions = {},
): string[] {
    return [
        "eks",
        "describe-addon-versions",
        "--addon-name",
        addon,
        "--kubernetes-version",
        kubernetesVersion,
        ...(options.region === undefined ? [] : ["--region", options.region]),
        "--output",
        "json",
    ];
}

/**
 * The builds of EKS add-on `addon` (its EKS name: vpc-cni, coredns, kube-proxy, eks-pod-identity-agent,
 * ...) offered for `kubernetesVersion` ("1.35"), newest first, EKS's default marked. An add-on EKS does
 * not know gives []. Throws SourceError("unavailable") when the AWS CLI fails (not installed, no
 * credentials, access denied).
 */
export async function addonVersions(
    runner: Runner,
    addon: string,
    kubernetesVersion: string,
    options: AddonQueryOptions = {},
): Promise<AddonVersion[]> {
    const result = await runner.exec("aws", describeAddonVersionsArgs(addon, kubernetesVersion, options));
    if (result.exitCode !== 0) {
        const reason = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" ");
        throw new SourceError(
            `aws eks describe-addon-versions --addon-name ${addon} failed (exit ${result.exitCode}): ${reason}`,
            "unavailable",
        );
    }
    return addonVersionsFromOutput(result.stdout, addon, kubernetesVersion);
}

/** addonVersions' builds as strings, newest first. */
export async function addonVersionsOffered(
    runner: Runner,
    addon: string,
    kubernetesVersion: string,
    options: AddonQueryOptions = {},
): Promise<string[]> {
    return (await addonVersions(runner, addon, kubernetesVersion, options)).map((a) => a.version);
}

/** Where a chart is published: an HTTPS Helm repository's index, or an OCI repository. */
export type ChartLocation =
    | { readonly kind: "https"; readonly indexUrl: string; readonly chart: string }
    | { readonly kind: "oci"; readonly registry: string; readonly repository: string };

/**
 * Resolves a chart as Helm (and pulumi-kubernetes' Release) takes it: `chart` a name in `repositoryUrl`
 * (https://... or oci://...), or `chart` a whole `oci://registry/path/name` reference with no repository.
 */
export function chartLocation(repositoryUrl: string | undefined, chart: string): ChartLocation {
    const reference = chart.startsWith("oci://")
        ? chart
        : repositoryUrl?.startsWith("oci://")
          ? `${repositoryUrl.replace(/\/+$/, "")}/${chart}`
          : undefined;
    if (reference !== undefined) {
        const [registry, ...rest] = reference.slice("oci://".length).split("/");
        if (registry === "" || rest.length === 0 || rest.some((part) => part === "")) {
            throw new SourceError(
                `"${reference}" is no OCI chart reference (oci://<registry>/<path>/<chart>)`,
                "missing",
            );
        }
        return { kind: "oci", registry, repository: rest.join("/") };
    }
    if (repositoryUrl === undefined || !/^https?:\/\//.test(repositoryUrl)) {
        throw new SourceError(
            `chart "${chart}" names no repository (expected an https:// or oci:// repository URL, got ${repositoryUrl === undefined ? "none" : `"${repositoryUrl}"`})`,
            "missing",
        );
    }
    // Helm reads <repository>/index.yaml (helm/helm v4.2.4 pkg/repo/v1/chartrepo.go, DownloadIndexFile).
    return { kind: "https", indexUrl: `${repositoryUrl.replace(/\/+$/, "")}/index.yaml`, chart };
}

/**
 * The versions of `chart` in a Helm repository's index.yaml (helm/helm v4.2.4 pkg/repo/v1/index.go: IndexFile
 * { apiVersion, entries: map of chart name → ChartVersion[] each with `version` }). A chart not in the
 * index is SourceError("missing").
 */
export function chartVersionsFromIndex(indexText: string, chart: string, indexUrl: string): string[] {
    let index: { entries?: Record<string, unknown> } | null;
    try {
        index = YAML.parse(indexText, { maxAliasCount: -1 }) as typeof index;
    } catch (error) {
        throw new SourceError(`${indexUrl} is not YAML: ${(error as Error).message.split("\n")[0]}`, "unavailable");
    }
    if (index === null || typeof index !== "object" || typeof index.entries !== "object" || index.entries === null) {
        throw new SourceError(`${indexUrl} has no "entries": not a Helm repository index`, "unavailable");
    }
    const entries: unknown = index.entries[chart];
    if (!Array.isArray(entries)) {
        throw new SourceError(`chart "${chart}" is not in ${indexUrl}`, "missing");
    }
    const versions = (entries as readonly { version?: unknown }[]).map((e) => e.version);
    return newestFirst(versions.filter((v): v is string => typeof v === "string"));
}

function describeFailure(url: string, response: HttpResponse): string {
    return `${url} answered HTTP ${response.status}${response.body ? `: ${response.body.trim().slice(0, 200)}` : ""}`;
}

/** A JSON answer's body; an answer that is no JSON means the source could not be read. */
function parseJson<T>(url: string, body: string): T {
    try {
        return JSON.parse(body) as T;
    } catch {
        throw new SourceError(`${url} answered no JSON: ${body.trim().slice(0, 200)}`, "unavailable");
    }
}

async function request(runner: Runner, url: string, headers?: Record<string, string>): Promise<HttpResponse> {
    try {
        return await runner.http(url, headers === undefined ? undefined : { headers });
    } catch (error) {
        throw new SourceError(`${url}: no answer (${(error as Error).message})`, "unavailable");
    }
}

async function httpsChartVersions(runner: Runner, location: { indexUrl: string; chart: string }): Promise<string[]> {
    const response = await request(runner, location.indexUrl);
    if (response.status !== 200) {
        throw new SourceError(
            describeFailure(location.indexUrl, response),
            response.status === 404 ? "missing" : "unavailable",
        );
    }
    return chartVersionsFromIndex(response.body, location.chart, location.indexUrl);
}

/**
 * A Bearer challenge's parameters (RFC 6750 section 3: `Bearer realm="...",service="...",scope="..."`),
 * as OCI registries send it on 401 (distribution/distribution docs/spec/auth/token.md).
 */
export function bearerChallenge(header: string | undefined): Record<string, string> | undefined {
    if (header === undefined || !/^Bearer\s/i.test(header)) {
        return undefined;
    }
    const parameters: Record<string, string> = {};
    for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) {
        parameters[match[1]] = match[2];
    }
    return parameters.realm === undefined ? undefined : parameters;
}

/** An anonymous pull token for `repository` (token.md: GET realm?service=&scope= → { token | access_token }). */
async function anonymousToken(runner: Runner, challenge: Record<string, string>, repository: string): Promise<string> {
    const query = new URLSearchParams();
    if (challenge.service !== undefined) {
        query.set("service", challenge.service);
    }
    query.set("scope", challenge.scope ?? `repository:${repository}:pull`);
    const url = `${challenge.realm}?${query.toString()}`;
    const response = await request(runner, url);
    if (response.status !== 200) {
        throw new SourceError(describeFailure(url, response), "unavailable");
    }
    const body = parseJson<{ token?: string; access_token?: string }>(url, response.body);
    const token = body.token ?? body.access_token;
    if (token === undefined) {
        throw new SourceError(`${url} gave no token`, "unavailable");
    }
    return token;
}

/**
 * The next page named by a `Link` header (RFC 8288: `<url>; rel="next"`), as OCI registries
 * (distribution-spec, "Listing Tags") and GitHub's REST API page their lists; relative to `host`.
 */
export function nextPage(registry: string, link: string | undefined): string | undefined {
    const target = link === undefined ? undefined : /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1];
    return target === undefined ? undefined : new URL(target, `https://${registry}`).toString();
}

const MAX_TAG_PAGES = 50;

/**
 * Every tag of an OCI repository (opencontainers/distribution-spec v1.1.1 spec.md, "Listing Tags": GET
 * /v2/<name>/tags/list → { name, tags }), with an anonymous token where the registry asks for one.
 * Helm stores a version's `+` as `_` in the tag and reads it back (helm/helm v4.2.4 pkg/registry/reference.go
 * and client.go Tags), so tags are read back with `+`.
 */
async function ociChartVersions(runner: Runner, location: { registry: string; repository: string }): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `https://${location.registry}/v2/${location.repository}/tags/list`;
    let headers: Record<string, string> | undefined;
    for (let page = 0; url !== undefined && page < MAX_TAG_PAGES; page++) {
        let response = await request(runner, url, headers);
        const challenge = response.status === 401 ? bearerChallenge(response.headers["www-authenticate"]) : undefined;
        if (challenge !== undefined && headers === undefined) {
            headers = { authorization: `Bearer ${await anonymousToken(runner, challenge, location.repository)}` };
            response = await request(runner, url, headers);
        }
        if (response.status !== 200) {
            // Registries refuse an anonymous pull (401, 403) of a repository they do not have as of one
            // that is private: either way the chart cannot be pulled as the program names it.
            throw new SourceError(
                describeFailure(url, response),
                response.status === 404 || response.status === 401 || response.status === 403
                    ? "missing"
                    : "unavailable",
            );
        }
        const body = parseJson<{ tags?: string[] | null }>(url, response.body);
        tags.push(...(body.tags ?? []));
        url = nextPage(location.registry, response.headers.link);
    }
    return newestFirst(tags.map((tag) => tag.replace(/_/g, "+")));
}

/**
 * The versions of `chart` published in `repositoryUrl`, newest first: an HTTPS repository's index.yaml,
 * or an OCI repository's tags (`chart` may itself be a whole oci:// reference, repositoryUrl then
 * undefined). SourceError "missing" when the repository answers that it has no such chart, "unavailable"
 * when it cannot be asked.
 */
export async function chartVersions(
    runner: Runner,
    repositoryUrl: string | undefined,
    chart: string,
): Promise<string[]> {
    const location = chartLocation(repositoryUrl, chart);
    return location.kind === "https" ? httpsChartVersions(runner, location) : ociChartVersions(runner, location);
}

/** A published GitHub release: its tag, whether it is a pre-release, and its page. */
export interface GithubRelease {
    readonly tag: string;
    readonly prerelease: boolean;
    readonly url: string;
}

const MAX_RELEASE_PAGES = 10;

/**
 * The published releases of GitHub repository `repository` ("fluxcd/flux2"), newest first by their tag's
 * version (drafts left out). GitHub REST "List releases" (API version 2022-11-28): GET
 * /repos/{owner}/{repo}/releases?per_page=100 → [{ tag_name, draft, prerelease, html_url, ... }], further
 * pages in the `Link` header. Anonymous unless `token` is given (GitHub allows 60 anonymous requests an
 * hour). SourceError "missing" when GitHub has no such repository.
 */
export async function githubReleases(
    runner: Runner,
    repository: string,
    options: { readonly token?: string } = {},
): Promise<GithubRelease[]> {
    const headers: Record<string, string> = {
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    };
    const releases: GithubRelease[] = [];
    let url: string | undefined = `https://api.github.com/repos/${repository}/releases?per_page=100`;
    for (let page = 0; url !== undefined && page < MAX_RELEASE_PAGES; page++) {
        const response = await request(runner, url, headers);
        if (response.status !== 200) {
            throw new SourceError(describeFailure(url, response), response.status === 404 ? "missing" : "unavailable");
        }
        const body = parseJson<{ tag_name?: string; draft?: boolean; prerelease?: boolean; html_url?: string }[]>(
            url,
            response.body,
        );
        for (const release of body) {
            if (release.tag_name !== undefined && release.draft !== true) {
                releases.push({
                    tag: release.tag_name,
                    prerelease: release.prerelease === true,
                    url: release.html_url ?? "",
                });
            }
        }
        url = nextPage("api.github.com", response.headers.link);
    }
    const order = newestFirst(releases.map((r) => r.tag));
    return [...releases].sort((a, b) => order.indexOf(a.tag) - order.indexOf(b.tag));
}

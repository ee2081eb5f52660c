/**
 * Where promotion evidence is read from: every collector asks an EvidenceSource for one raw answer, in
 * the shape the real API returns it, so the collectors run the same on recorded answers (tests, the
 * docs' walkthrough, `--evidence <dir>`) as against the live systems (the promote job's credentials).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";

/** The Kubernetes resources evidence reads, by the plural names kubectl takes. */
export type KubeResource =
    | "applications.argoproj.io"
    | "kustomizations.kustomize.toolkit.fluxcd.io"
    | "helmreleases.helm.toolkit.fluxcd.io"
    | "rollouts.argoproj.io"
    | "analysisruns.argoproj.io"
    | "canaries.flagger.app";

export type EvidenceRequest =
    /** `pulumi stack history --json --stack <stack>`. */
    | { readonly kind: "history"; readonly stack: string }
    /** `git ls-remote <url>`. */
    | { readonly kind: "refs"; readonly url: string }
    /** `kubectl --context <stack> get <resource> --all-namespaces -o json` (a List). */
    | { readonly kind: "kubernetes"; readonly stack: string; readonly resource: KubeResource }
    /** GitHub `GET /repos/{owner}/{repo}/commits/{sha}/statuses`. */
    | { readonly kind: "statuses"; readonly repository: string; readonly sha: string }
    /** Prometheus `GET /api/v1/query?query=...`. */
    | { readonly kind: "query"; readonly url: string; readonly query: string }
    /** GitHub `GET /repos/{owner}/{repo}/issues?state=open&labels=<label>`. */
    | { readonly kind: "issues"; readonly repository: string; readonly label: string };

export interface EvidenceSource {
    /** The raw answer (JSON or text); throws EvidenceUnavailable when it cannot be had. */
    read(request: EvidenceRequest): Promise<string>;
}

/** An answer that could not be read; the collector records the reason and the policy refuses on it. */
export class EvidenceUnavailable extends Error {}

/** `https://github.com/acme/payments-api.git` → `github.com-acme-payments-api`: a file name per URL. */
function slug(text: string): string {
    return text
        .replace(/^[a-z+]+:\/\/(git@)?/, "")
        .replace(/\.git$/, "")
        .replace(/[^A-Za-z0-9._-]+/g, "-");
}

/** Where a recorded answer lives inside an evidence directory (test/fixtures/promotion/<case>/). */
export function recordedPath(request: EvidenceRequest): string {
    switch (request.kind) {
        case "history":
            return `history/${request.stack}.json`;
        case "refs":
            return `refs/${slug(request.url)}.txt`;
        case "kubernetes":
            return `kubernetes/${request.stack}/${request.resource}.json`;
        case "statuses":
            return `statuses/${request.repository}/${request.sha}.json`;
        case "query":
            return `prometheus/${slug(request.url)}.json`;
        case "issues":
            return `issues/${request.repository}/${request.label.replace(/[^A-Za-z0-9._-]+/g, "-")}.json`;
    }
}

/** Answers recorded as files (recordedPath); a missing file is an unavailable answer, named. */
export function recordedSource(dir: string): EvidenceSource {
    return {
        read: (request) => {
            const file = path.join(dir, recordedPath(request));
            try {
                return Promise.resolve(fs.readFileSync(file, "utf8"));
            } catch {
                return Promise.reject(new EvidenceUnavailable(`no recorded answer ${file}`));
            }
        },
    };
}

const run = promisify(execFile);

async function command(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
    try {
        const { stdout } = await run(file, [...args], { maxBuffer: 64 * 1024 * 1024, env: env ?? process.env });
        return stdout;
    } catch (error) {
        const reason =
            (error as NodeJS.ErrnoException).code === "ENOENT"
                ? `${file} is not installed`
                : String((error as { stderr?: string }).stderr ?? error).trim();
        throw new EvidenceUnavailable(`${file} ${args.join(" ")}: ${reason}`);
    }
}

async function get(url: string, headers: Record<string, string>): Promise<string> {
    let response: Response;
    try {
        response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
        throw new EvidenceUnavailable(`GET ${url}: ${(error as Error).message}`);
    }
    if (!response.ok) {
        throw new EvidenceUnavailable(`GET ${url}: HTTP ${response.status}`);
    }
    return response.text();
}

/** The environment variable naming a stack's kubeconfig file: KUBECONFIG_STAGING for staging. */
export function kubeconfigVariable(stack: string): string {
    return `KUBECONFIG_${stack.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** `--kubeconfig <file>` when the workflow wrote the stack's kubeconfig (kubeconfigVariable); else the context named after the stack. */
function kubeconfigArgs(env: NodeJS.ProcessEnv, stack: string): string[] {
    const file = env[kubeconfigVariable(stack)];
    return file ? ["--kubeconfig", file] : ["--context", stack];
}

/**
 * The live systems, with the credentials the promote job already has: the Pulumi CLI (its access
 * token), kubectl with each stack's kubeconfig (the read-only viewer role), git, and the GitHub API
 * with GITHUB_TOKEN; Prometheus at the configured URL.
 */
export function liveSource(env: NodeJS.ProcessEnv = process.env): EvidenceSource {
    const github = (pathAndQuery: string) =>
        get(`${env.GITHUB_API_URL ?? "https://api.github.com"}${pathAndQuery}`, {
            Accept: "application/vnd.github+json",
            ...(env.GITHUB_TOKEN ? { Authorization: `Bearer ${env.GITHUB_TOKEN}` } : {}),
        });
    return {
        read: async (request) => {
            switch (request.kind) {
                case "history":
                    return command("pulumi", ["stack", "history", "--json", "--stack", request.stack]);
                case "refs":
                    return command("git", ["ls-remote", request.url]);
                case "kubernetes":
                    return command("kubectl", [
                        ...kubeconfigArgs(env, request.stack),
                        "get",
                        request.resource,
                        "--all-namespaces",
                        "-o",
                        "json",
                    ]);
                case "statuses":
                    return github(`/repos/${request.repository}/commits/${request.sha}/statuses?per_page=100`);
                case "query":
                    return get(`${request.url}/api/v1/query?query=${encodeURIComponent(request.query)}`, {});
                case "issues":
                    return github(
                        `/repos/${request.repository}/issues?state=open&labels=${encodeURIComponent(request.label)}`,
                    );
            }
        },
    };
}

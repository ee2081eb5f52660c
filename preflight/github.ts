/**
 * Check "github-apps": each GitHub App the workflows use (preflight/githubNeeds.ts) is installed on the
 * stack's GitHub owner, not suspended, grants every permission its jobs' tokens ask for at that level,
 * reaches every repository of the owner where a job needs that (the deploy App: the program creates
 * repositories), and reaches the repositories named in <APP>_REPOSITORIES otherwise. Asked as the App
 * itself: a JWT signed with <APP>_APP_PRIVATE_KEY (GitHub docs, "Generating a JSON Web Token (JWT) for a
 * GitHub App": RS256, iat 60 s in the past, exp at most 10 minutes ahead, iss the App's ID), then
 * GET /app/installations (REST, "List installations for the authenticated app": id, account.login,
 * repository_selection, permissions, suspended_at) and, for a selection of repositories, an installation
 * token (POST /app/installations/{id}/access_tokens → token) and GET /installation/repositories
 * (→ total_count, repositories[].name).
 */
import * as crypto from "crypto";
import { AppNeeds, levelAtLeast } from "./githubNeeds";
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { HttpResponse, Runner } from "./runner";
import { nextPage } from "./sources";

const API = "https://api.github.com";
const HEADERS = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };

export interface Installation {
    readonly id: number;
    readonly account?: { readonly login?: string };
    readonly repository_selection?: "all" | "selected";
    readonly permissions?: Readonly<Record<string, string>>;
    readonly suspended_at?: string | null;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** The App's JWT (RS256), valid from a minute ago for nine minutes. */
export function appJwt(appId: string, privateKeyPem: string, now: Date): string {
    const iat = Math.floor(now.getTime() / 1000) - 60;
    const unsigned = `${base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${base64url(
        JSON.stringify({ iat, exp: iat + 600, iss: appId }),
    )}`;
    const signature = crypto.createSign("RSA-SHA256").update(unsigned).sign(privateKeyPem);
    return `${unsigned}.${base64url(signature)}`;
}

/** The verdict on an App's installation on `owner` against what its jobs need. */
export function judgeInstallation(
    needs: AppNeeds,
    owner: string,
    installations: readonly Installation[],
    reachable?: { readonly wanted: readonly string[]; readonly listed: readonly string[] },
): Outcome[] {
    const subject = `GitHub App ${needs.app} on ${owner}`;
    const installation = installations.find((i) => i.account?.login?.toLowerCase() === owner.toLowerCase());
    const settings = `the App's installation on ${owner} (organization settings → GitHub Apps → Configure)`;
    if (installation === undefined) {
        return [
            fail(
                subject,
                `not installed on ${owner} (installed on: ${installations.map((i) => i.account?.login).join(", ") || "nothing"})`,
                `install the App on ${owner}; used by ${needs.usedBy.join(", ")}`,
            ),
        ];
    }
    if (installation.suspended_at) {
        return [
            fail(
                subject,
                `installation ${installation.id} suspended since ${installation.suspended_at}`,
                `unsuspend ${settings}`,
            ),
        ];
    }
    const granted = installation.permissions ?? {};
    const missing = Object.entries(needs.permissions)
        .filter(([permission, level]) => !levelAtLeast(granted[permission], level))
        .map(([permission, level]) => `${permission}: ${level} (granted: ${granted[permission] ?? "none"})`);
    const outcomes: Outcome[] = [
        missing.length === 0
            ? pass(
                  `${subject}: permissions`,
                  `grants ${Object.entries(needs.permissions)
                      .map(([p, l]) => `${p}:${l}`)
                      .join(", ")}`,
              )
            : fail(
                  `${subject}: permissions`,
                  `missing ${missing.join(", ")}; asked for by ${needs.usedBy.join(", ")}`,
                  `add them in the App's settings (Permissions & events), then accept the new permissions in ${settings}`,
              ),
    ];
    if (needs.allRepositories) {
        outcomes.push(
            installation.repository_selection === "all"
                ? pass(`${subject}: repositories`, "all repositories, the ones the program creates included")
                : fail(
                      `${subject}: repositories`,
                      "installed on selected repositories only: the repositories the program creates are out of its reach",
                      `set Repository access to "All repositories" in ${settings}`,
                  ),
        );
    } else if (reachable !== undefined) {
        const listed = new Set(reachable.listed.map((r) => r.toLowerCase()));
        const out = reachable.wanted.filter((r) => !listed.has(r.toLowerCase()));
        outcomes.push(
            out.length === 0
                ? pass(`${subject}: repositories`, `reaches ${reachable.wanted.join(", ")}`)
                : fail(
                      `${subject}: repositories`,
                      `cannot reach ${out.join(", ")}`,
                      `add them to the repositories of ${settings}`,
                  ),
        );
    }
    return outcomes;
}

/** GitHub answered, but not with success. */
class GithubRefusal extends Error {}

async function answer(runner: Runner, url: string, token: string, method: "GET" | "POST"): Promise<HttpResponse> {
    const response = await runner.http(url, { method, headers: { ...HEADERS, authorization: `Bearer ${token}` } });
    if (response.status < 200 || response.status > 299) {
        throw new GithubRefusal(
            `${method} ${url} answered HTTP ${response.status}: ${response.body.trim().slice(0, 200)}`,
        );
    }
    return response;
}

async function json<T>(runner: Runner, url: string, token: string, method: "GET" | "POST" = "GET"): Promise<T> {
    return JSON.parse((await answer(runner, url, token, method)).body) as T;
}

const MAX_PAGES = 10;

/** Every page of a GitHub list (REST "Using pagination": `Link: <...>; rel="next"`), each page's items picked. */
async function allPages<P, T>(runner: Runner, url: string, token: string, items: (page: P) => T[]): Promise<T[]> {
    const all: T[] = [];
    let next: string | undefined = url;
    for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
        const response = await answer(runner, next, token, "GET");
        all.push(...items(JSON.parse(response.body) as P));
        next = nextPage("api.github.com", response.headers.link);
    }
    return all;
}

/** Repository names in `<APP>_REPOSITORIES` (comma or newline separated, as pulumi-setup takes them). */
export function wantedRepositories(value: string | undefined): string[] {
    return (value ?? "")
        .split(/[,\n]/)
        .map((r) => r.trim().replace(/^.*\//, ""))
        .filter((r) => r !== "");
}

async function checkApp(
    runner: Runner,
    needs: AppNeeds,
    owner: string,
    env: Readonly<Record<string, string | undefined>>,
    now: Date,
): Promise<Outcome[]> {
    const [idVar, keyVar] = [`${needs.app}_APP_ID`, `${needs.app}_APP_PRIVATE_KEY`];
    const appId = env[idVar];
    const key = env[keyVar]?.replace(/\\n/g, "\n");
    const subject = `GitHub App ${needs.app} on ${owner}`;
    if (!appId || !key) {
        return [
            skip(
                subject,
                `no credentials: ${idVar} and ${keyVar} are not both set`,
                `set ${idVar} and ${keyVar} (the App's ID and private key) to check it`,
            ),
        ];
    }
    let jwt: string;
    try {
        jwt = appJwt(appId, key, now);
    } catch (error) {
        return [
            fail(
                subject,
                `${keyVar} is no usable private key: ${(error as Error).message}`,
                `set ${keyVar} to the App's PEM private key`,
            ),
        ];
    }
    try {
        const installations = await allPages<Installation[], Installation>(
            runner,
            `${API}/app/installations?per_page=100`,
            jwt,
            (page) => page,
        );
        const installation = installations.find((i) => i.account?.login?.toLowerCase() === owner.toLowerCase());
        const wanted = wantedRepositories(env[`${needs.app}_REPOSITORIES`]);
        let reachable: { wanted: string[]; listed: string[] } | undefined;
        if (installation?.repository_selection === "selected" && !needs.allRepositories && wanted.length > 0) {
            const { token } = await json<{ token: string }>(
                runner,
                `${API}/app/installations/${installation.id}/access_tokens`,
                jwt,
                "POST",
            );
            const listed = await allPages<{ repositories?: { name: string }[] }, string>(
                runner,
                `${API}/installation/repositories?per_page=100`,
                token,
                (page) => (page.repositories ?? []).map((r) => r.name),
            );
            reachable = { wanted, listed };
        }
        return judgeInstallation(needs, owner, installations, reachable);
    } catch (error) {
        return error instanceof GithubRefusal
            ? [
                  fail(
                      subject,
                      error.message,
                      `check ${idVar} and ${keyVar}: GitHub refused the App's credentials or request`,
                  ),
              ]
            : [
                  skip(
                      subject,
                      `GitHub could not be asked: ${(error as Error).message}`,
                      "run where api.github.com is reachable",
                  ),
              ];
    }
}

export async function checkGithubApps(
    runner: Runner,
    owner: string | undefined,
    needs: readonly AppNeeds[],
    env: Readonly<Record<string, string | undefined>>,
    now: Date,
): Promise<Outcome[]> {
    if (owner === undefined) {
        return [notApplicable("GitHub Apps", "the stack names no github:owner")];
    }
    if (needs.length === 0) {
        return [notApplicable("GitHub Apps", "no workflow asks for a GitHub App token")];
    }
    const outcomes: Outcome[] = [];
    for (const app of needs) {
        outcomes.push(...(await checkApp(runner, app, owner, env, now)));
    }
    return outcomes;
}

/**
 * How preflight (and `npm run bump`) reach the outside: every command execution and HTTP request goes
 * through a Runner, so the checks are pure functions over its answers and tests replay recorded ones.
 * processRunner() is the real one; recordedRunner() answers from a table and fails loudly on anything
 * it was not given.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** What a finished command left: its exit code (127 when it could not be started), stdout and stderr. */
export interface CommandResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface HttpRequest {
    readonly method?: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
}

/** An HTTP answer; header names are lower-case. A request that never got an answer rejects instead. */
export interface HttpResponse {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
}

export interface Runner {
    /** Runs `command` with `args` (no shell); resolves with its result whatever the exit code. */
    exec(command: string, args: readonly string[]): Promise<CommandResult>;
    /** Sends one HTTP request (redirects followed); rejects only when no answer came (DNS, TLS, timeout). */
    http(url: string, request?: HttpRequest): Promise<HttpResponse>;
}

/** The key a recorded answer is filed under: the command line, or `METHOD url`. */
export function commandKey(command: string, args: readonly string[]): string {
    return [command, ...args].join(" ");
}

export function httpKey(url: string, request: HttpRequest = {}): string {
    return `${request.method ?? "GET"} ${url}`;
}

const COMMAND_TIMEOUT_MS = 120_000;
const HTTP_TIMEOUT_MS = 30_000;

/**
 * The real runner: child processes with the caller's environment, and Node's fetch. AWS_PAGER is
 * emptied: AWS CLI v2 pipes output through a pager unless told not to (AWS CLI user guide, "Using the
 * output pager").
 */
export function processRunner(env: NodeJS.ProcessEnv = process.env): Runner {
    env = { ...env, AWS_PAGER: "" };
    return {
        exec: (command, args) =>
            new Promise((resolve) => {
                execFile(
                    command,
                    [...args],
                    { env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
                    (error, stdout, stderr) => {
                        const code = (error as NodeJS.ErrnoException | null)?.code;
                        const exitCode =
                            error === null ? 0 : code === "ENOENT" ? 127 : typeof code === "number" ? code : 1;
                        resolve({
                            exitCode,
                            stdout: String(stdout),
                            stderr: code === "ENOENT" ? `${command}: command not found` : String(stderr),
                        });
                    },
                );
            }),
        http: async (url, request = {}) => {
            let response: Response;
            try {
                response = await fetch(url, {
                    method: request.method ?? "GET",
                    headers: request.headers,
                    body: request.body,
                    redirect: "follow",
                    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
                });
            } catch (error) {
                // fetch says only "fetch failed"; the cause names it (ENOTFOUND, a certificate error, ...).
                const cause = (error as { cause?: { code?: string; message?: string } }).cause;
                const reason = cause?.code ?? cause?.message;
                throw new Error(`${(error as Error).message}${reason === undefined ? "" : `: ${reason}`}`, {
                    cause: error,
                });
            }
            const headers: Record<string, string> = {};
            response.headers.forEach((value, name) => {
                headers[name.toLowerCase()] = value;
            });
            return { status: response.status, headers, body: await response.text() };
        },
    };
}

/** A recorded HTTP answer; `bodyFile` (relative to the recording's folder) stands for a long body. */
export interface RecordedResponse {
    readonly status: number;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly bodyFile?: string;
}

/** A request that got no answer: `error` is the message fetch rejected with. */
export interface RecordedFailure {
    readonly error: string;
}

type RecordedAnswer = RecordedResponse | RecordedFailure;

/**
 * Recorded answers: command lines (commandKey) and requests (httpKey) → what came back. A list answers
 * successive identical requests in turn, its last answer repeating (a registry's 401, then the same
 * URL with a token).
 */
export interface Recording {
    readonly commands?: Readonly<Record<string, CommandResult>>;
    readonly http?: Readonly<Record<string, RecordedAnswer | readonly RecordedAnswer[]>>;
}

/** A runner that replays a recording, and the calls it was asked (in order), for tests to assert on. */
export interface RecordedRunner extends Runner {
    readonly calls: string[];
}

/**
 * Replays `recording`; a call it has no answer for throws, naming the key to record, so a test never
 * passes on a call it did not expect. `folder` is where `bodyFile`s are read from.
 */
export function recordedRunner(recording: Recording, folder = "."): RecordedRunner {
    const calls: string[] = [];
    return {
        calls,
        exec: (command, args) => {
            const key = commandKey(command, args);
            calls.push(key);
            const answer = recording.commands?.[key];
            return answer === undefined
                ? Promise.reject(new Error(`no recorded answer for command: ${key}`))
                : Promise.resolve(answer);
        },
        http: (url, request) => {
            const key = httpKey(url, request);
            calls.push(key);
            const recorded = recording.http?.[key];
            if (recorded === undefined) {
                return Promise.reject(new Error(`no recorded answer for request: ${key}`));
            }
            const seen = calls.filter((call) => call === key).length;
            const answer = isAnswerList(recorded) ? recorded[Math.min(seen, recorded.length) - 1] : recorded;
            if ("error" in answer) {
                return Promise.reject(new Error(answer.error));
            }
            const body =
                answer.bodyFile === undefined
                    ? (answer.body ?? "")
                    : fs.readFileSync(path.join(folder, answer.bodyFile), "utf8");
            return Promise.resolve({ status: answer.status, headers: answer.headers ?? {}, body });
        },
    };
}

function isAnswerList(recorded: RecordedAnswer | readonly RecordedAnswer[]): recorded is readonly RecordedAnswer[] {
    return Array.isArray(recorded);
}

/** A recording kept as a JSON file (test/fixtures/preflight/*.json); its bodyFiles sit beside it. */
export function recordingRunner(file: string): RecordedRunner {
    return recordedRunner(JSON.parse(fs.readFileSync(file, "utf8")) as Recording, path.dirname(file));
}

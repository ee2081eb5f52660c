/**
 * The delivery workflows read as data, for the credential and reachability invariants: per job, the
 * stacks it works on, the Pulumi commands it runs, the setup's token scope and AWS role secret, and
 * where it runs; and the GitHub App token steps of .github/actions/pulumi-setup with what they grant.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../plan/stackFile";
import { GithubPermissions } from "../components/ci/githubApps";

export const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");
export const SETUP_ACTION = path.join(PROJECT_ROOT, ".github", "actions", "pulumi-setup", "action.yml");
export const APP_TOKEN_ACTION = "actions/create-github-app-token@";

export interface Step {
    readonly id?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, string>;
    readonly env?: Record<string, string>;
}
export interface Job {
    readonly "runs-on": string | string[];
    readonly environment?: string;
    readonly strategy?: { matrix?: { include?: Record<string, unknown>[] } };
    readonly steps: Step[];
}

/** What a job does to a stack: `preview` (plain), `refresh` (preview --refresh, the drift report), `up`, `destroy`. */
export type Command = "preview" | "refresh" | "up" | "destroy";

export interface WorkflowJob {
    readonly file: string;
    readonly id: string;
    readonly job: Job;
}

export function readWorkflow(file: string): { jobs: Record<string, Job> } {
    return YAML.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8")) as { jobs: Record<string, Job> };
}

export function workflowJobs(read: (file: string) => { jobs: Record<string, Job> } = readWorkflow): WorkflowJob[] {
    return fs
        .readdirSync(WORKFLOWS_DIR)
        .filter((f) => f.endsWith(".yml"))
        .flatMap((file) => Object.entries(read(file).jobs).map(([id, job]) => ({ file, id, job })));
}

const setupStep = (job: Job) => job.steps.find((s) => /pulumi-setup$/.test(s.uses ?? ""));

/** The Pulumi commands a job runs (pulumi/actions' command input, `pulumi ...` and `npm run drift` in run steps). */
export function commandsOf(job: Job): Command[] {
    const found = new Set<Command>();
    for (const step of job.steps) {
        const command = /^pulumi\/actions@/.test(step.uses ?? "") ? step.with?.command : undefined;
        if (command === "preview" || command === "up" || command === "destroy") {
            found.add(command);
        }
        const run = step.run ?? "";
        // delivery/drift.ts runs `pulumi preview --refresh --expect-no-changes`.
        if (/npm run[^\n]*\bdrift\b/.test(run) || /pulumi preview[^\n]*--refresh/.test(run)) {
            found.add("refresh");
        } else if (/pulumi preview\b/.test(run)) {
            found.add("preview");
        }
        if (/pulumi (up|destroy)\b/.test(run)) {
            found.add(/pulumi up\b/.test(run) ? "up" : "destroy");
        }
    }
    return [...found];
}

/** One stack a job works on, with the matrix entry (if any) that names it. */
export interface JobStack {
    readonly stack: string;
    readonly matrix?: Record<string, unknown>;
}

/** The stacks a job works on: its matrix's `stack` entries, else its pulumi/actions stack-name or a run step's `--stack`, else its environment. */
export function stacksOf(job: Job): JobStack[] {
    const include = job.strategy?.matrix?.include ?? [];
    if (include.some((m) => typeof m.stack === "string")) {
        return include.map((m) => ({ stack: String(m.stack), matrix: m }));
    }
    const named = job.steps
        .map((s) => s.with?.["stack-name"] ?? /--stack ([\w-]+)/.exec(s.run ?? "")?.[1])
        .find((s) => s !== undefined && !s.includes("${{"));
    const stack = named ?? job.environment;
    return stack === undefined ? [] : [{ stack }];
}

/** The token scope a job asks the setup for (undefined: the job does not use the setup). */
export function tokenScopeOf(job: Job): string | undefined {
    return setupStep(job)?.with?.["token-scope"];
}

/** `runs-on` of a job for one of its stacks, with `${{ matrix.<key> }}` resolved from that stack's matrix entry. */
export function runsOnFor(job: Job, stack: JobStack): string[] {
    const value = job["runs-on"];
    const matrixRef = typeof value === "string" ? /^\$\{\{\s*matrix\.(\w+)\s*\}\}$/.exec(value) : null;
    const resolved = matrixRef ? stack.matrix?.[matrixRef[1]] : value;
    assert.ok(resolved !== undefined, `runs-on ${JSON.stringify(value)} does not resolve for ${stack.stack}`);
    return [resolved as string | string[]].flat();
}

interface ActionFile {
    readonly inputs: Record<string, { readonly required?: boolean }>;
    readonly runs: { steps: Step[] };
}

/**
 * What each App token step of the setup action grants, by the scope its `if` selects: the literal
 * permission-* inputs (an expression could send "" for a permission, which the action passes on).
 */
export function setupTokenGrants(action: ActionFile = readSetupAction()): Record<string, GithubPermissions> {
    const grants: Record<string, GithubPermissions> = {};
    for (const step of action.runs.steps.filter((s) => s.uses?.startsWith(APP_TOKEN_ACTION))) {
        const scope = /^inputs\.token-scope == '(\w+)'$/.exec(step.if ?? "")?.[1];
        assert.ok(scope, `token step ${step.id ?? "?"} is not selected by one token scope: if: ${step.if}`);
        grants[scope] = permissionInputs(step);
    }
    return grants;
}

/** The permission-* inputs of a token step, checked to be literal read/write values. */
export function permissionInputs(step: Step): GithubPermissions {
    return Object.fromEntries(
        Object.entries(step.with ?? {})
            .filter(([key]) => key.startsWith("permission-"))
            .map(([key, value]) => {
                assert.ok(
                    value === "read" || value === "write",
                    `${step.id ?? "?"} ${key}: "${value}" is not read or write`,
                );
                return [key.slice("permission-".length), value];
            }),
    );
}

export function readSetupAction(): ActionFile {
    return YAML.parse(fs.readFileSync(SETUP_ACTION, "utf8")) as ActionFile;
}

/**
 * What each GitHub App's tokens must be able to do, read off this repository's workflows: every
 * actions/create-github-app-token step (its `permission-*` inputs and `repositories`), directly or
 * through the pulumi-setup composite action (whose `token-scope` input picks read or write). An App is
 * named by the prefix of its secrets: `secrets.DEPLOY_APP_ID` → "DEPLOY", credentials in DEPLOY_APP_ID
 * and DEPLOY_APP_PRIVATE_KEY. Once a token lists any permission it gets only those
 * (actions/create-github-app-token v1.12.0 README, "permission-*"), so the App's installation must grant
 * each listed permission at the listed level or higher.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export type PermissionLevel = "read" | "write" | "admin";

export interface AppNeeds {
    /** The secrets' prefix: DEPLOY, PREVIEW, PROMOTION. */
    readonly app: string;
    /** Permission → the highest level any job asks for. */
    readonly permissions: Readonly<Record<string, PermissionLevel>>;
    /** Some job asks for a token over all of the owner's repositories (no `repositories` input). */
    readonly allRepositories: boolean;
    /** Where the jobs asking for a token that names its repositories are (workflow file and job). */
    readonly usedBy: readonly string[];
}

const LEVELS: readonly PermissionLevel[] = ["read", "write", "admin"];

export function levelAtLeast(granted: string | undefined, needed: PermissionLevel): boolean {
    return granted !== undefined && LEVELS.indexOf(granted as PermissionLevel) >= LEVELS.indexOf(needed);
}

const TOKEN_ACTION = /^actions\/create-github-app-token@/;
const SETUP_ACTION = ".github/actions/pulumi-setup";
/** The composite action, from this checkout or another (pull requests run the base branch's: ./base/...). */
const SETUP_USES = /^\.\/(?:[\w.-]+\/)*\.github\/actions\/pulumi-setup$/;
/** `${{ inputs.token-scope == 'deploy' && 'write' || 'read' }}`: the level for a scope. */
const SCOPED = /^\$\{\{\s*inputs\.token-scope\s*==\s*'([\w-]+)'\s*&&\s*'(\w+)'\s*\|\|\s*'(\w+)'\s*\}\}$/;
const APP_SECRET = /^\$\{\{\s*secrets\.([A-Z0-9_]+)_APP_ID\s*\}\}$/;

type Step = { uses?: unknown; if?: unknown; with?: Record<string, unknown> };

/** `if: inputs.token-scope == 'deploy'`: the one scope a setup token step runs for (undefined: every scope). */
const STEP_SCOPE = /^\s*(?:\$\{\{\s*)?inputs\.token-scope\s*==\s*'([\w-]+)'\s*(?:\}\})?\s*$/;
const runsFor = (step: Step, scope: string) => {
    const only = STEP_SCOPE.exec(input(step.if))?.[1];
    return only === undefined || only === scope;
};

/** A step input as text (workflow inputs are scalars; anything else reads as ""). */
function input(value: unknown): string {
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/** A `permission-*` input's level for a token scope (undefined: that scope asks for none). */
function levelFor(value: unknown, scope: string | undefined): PermissionLevel | undefined {
    const text = input(value).trim();
    const scoped = SCOPED.exec(text);
    const level = scoped === null ? text : scope === scoped[1] ? scoped[2] : scoped[3];
    return LEVELS.includes(level as PermissionLevel) ? (level as PermissionLevel) : undefined;
}

/** The permissions a create-github-app-token step asks for, its inputs read for `scope`. */
function stepPermissions(step: Step, scope: string | undefined): Record<string, PermissionLevel> {
    const permissions: Record<string, PermissionLevel> = {};
    for (const [input, value] of Object.entries(step.with ?? {})) {
        const level = input.startsWith("permission-") ? levelFor(value, scope) : undefined;
        if (level !== undefined) {
            permissions[input.slice("permission-".length)] = level;
        }
    }
    return permissions;
}

/** Whether a step's `repositories` input leaves the token over every repository of the owner. */
function allRepositories(value: unknown, scope: string | undefined): boolean {
    const text = input(value).trim();
    // pulumi-setup: `${{ inputs.token-scope == 'preview' && inputs.repositories || '' }}`.
    const scoped =
        /^\$\{\{\s*inputs\.token-scope\s*==\s*'([\w-]+)'\s*&&\s*inputs\.repositories\s*\|\|\s*''\s*\}\}$/.exec(text);
    return scoped === null ? text === "" : scope !== scoped[1];
}

interface Need {
    app: string;
    permissions: Record<string, PermissionLevel>;
    allRepositories: boolean;
    usedBy: string;
}

/** Every App token a workflow document asks for; `setupSteps` are the composite action's token steps. */
export function workflowNeeds(file: string, workflow: unknown, setupSteps: readonly Step[]): Need[] {
    const jobs = (workflow as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs ?? {};
    const needs: Need[] = [];
    for (const [jobName, job] of Object.entries(jobs)) {
        for (const step of job.steps ?? []) {
            const app = APP_SECRET.exec(input(step.with?.["app-id"] ?? step.with?.["github-app-id"]))?.[1];
            if (app === undefined) {
                continue;
            }
            const usedBy = `${file} job ${jobName}`;
            if (typeof step.uses === "string" && TOKEN_ACTION.test(step.uses)) {
                needs.push({
                    app,
                    permissions: stepPermissions(step, undefined),
                    allRepositories: allRepositories(step.with?.repositories, undefined),
                    usedBy,
                });
            } else if (typeof step.uses === "string" && SETUP_USES.test(step.uses)) {
                const scope = input(step.with?.["token-scope"]);
                for (const tokenStep of setupSteps.filter((t) => runsFor(t, scope))) {
                    needs.push({
                        app,
                        permissions: stepPermissions(tokenStep, scope),
                        allRepositories: allRepositories(tokenStep.with?.repositories, scope),
                        usedBy,
                    });
                }
            }
        }
    }
    return needs;
}

/** The needs of the same App merged: the highest level per permission, every job that uses it. */
export function mergeNeeds(needs: readonly Need[]): AppNeeds[] {
    const byApp = new Map<string, { permissions: Record<string, PermissionLevel>; all: boolean; usedBy: string[] }>();
    for (const need of needs) {
        const entry = byApp.get(need.app) ?? { permissions: {}, all: false, usedBy: [] };
        for (const [permission, level] of Object.entries(need.permissions)) {
            if (!levelAtLeast(entry.permissions[permission], level)) {
                entry.permissions[permission] = level;
            }
        }
        entry.all ||= need.allRepositories;
        if (!entry.usedBy.includes(need.usedBy)) {
            entry.usedBy.push(need.usedBy);
        }
        byApp.set(need.app, entry);
    }
    return [...byApp.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([app, e]) => ({ app, permissions: e.permissions, allRepositories: e.all, usedBy: e.usedBy }));
}

/** The Apps this repository's workflows use and what their tokens need (root: the project folder). */
export function appNeeds(root: string): AppNeeds[] {
    const read = (file: string) => YAML.parse(fs.readFileSync(path.join(root, file), "utf8")) as unknown;
    const setup = read(path.join(SETUP_ACTION, "action.yml")) as { runs?: { steps?: Step[] } };
    const setupSteps = (setup.runs?.steps ?? []).filter((s) => typeof s.uses === "string" && TOKEN_ACTION.test(s.uses));
    const folder = path.join(".github", "workflows");
    const files = fs
        .readdirSync(path.join(root, folder))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
    return mergeNeeds(
        files.flatMap((f) => workflowNeeds(path.join(folder, f), read(path.join(folder, f)), setupSteps)),
    );
}

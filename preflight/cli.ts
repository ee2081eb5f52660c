/**
 * npm run preflight -- --stack <name> [--check <name>]... [--app <name>]... [--strict]
 *
 * Checks, with credentials, what the offline plan cannot know (docs/preflight.md): add-on builds
 * offered, chart versions published, the seeded checks' schema set, the GitHub Apps' installations, the
 * state backend, the API endpoint from here. Each outcome is pass, fail (with the fix), skip (what it
 * needed) or n/a. The stack is planned offline first: what is checked is what the program declares.
 */
import * as fs from "fs";
import { expectedFailure, parseCommand, runCommand, UsageError } from "../cli/command";
import { STACK_NAME } from "../plan/cli";
import { runPlan } from "../plan/run";
import { PROJECT_ROOT, readStackConfig, stackFilePath } from "../plan/stackFile";
import { runPlatform } from "../stacks";
import { PROJECT } from "../stacks/config";
import { checkAddonConfiguration } from "./addonConfig";
import { checkAddons } from "./addons";
import { AwsAccess, awsAccess } from "./aws";
import { checkStateBackend } from "./backend";
import { checkCharts } from "./charts";
import { checkEndpoint } from "./endpoint";
import { checkGithubApps } from "./github";
import { appNeeds } from "./githubNeeds";
import { CheckReport, exitCodeOf, formatReport, Outcome } from "./outcome";
import { checkReleases } from "./releases";
import { processRunner, Runner } from "./runner";
import { checkSchemas } from "./schemas";
import { PreflightTarget, preflightTarget } from "./target";

/** What a check gets: the runner, the target, and what it may need to know about here. */
interface CheckContext {
    readonly runner: Runner;
    readonly target: PreflightTarget;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly now: Date;
    readonly root: string;
    readonly apps: readonly string[] | undefined;
    /** Asked once, when the first check needs AWS. */
    readonly aws: () => Promise<AwsAccess>;
}

/** The checks in the order they run; the usage text lists them from here. */
export const CHECKS: readonly {
    readonly name: string;
    readonly what: string;
    readonly run: (context: CheckContext) => Promise<Outcome[]>;
}[] = [
    {
        name: "addons",
        what: "every pinned EKS add-on build is offered for the cluster's Kubernetes version, and unpinned add-ons have a default build (aws eks describe-addon-versions; needs AWS credentials)",
        run: async (c) => checkAddons(c.runner, c.target, await c.aws()),
    },
    {
        name: "addon-config",
        what: "each EKS add-on's configurationValues fit its build's configuration schema, and its Pod Identity service accounts are the build's (aws eks describe-addon-configuration; needs AWS credentials)",
        run: async (c) => checkAddonConfiguration(c.runner, c.target, await c.aws()),
    },
    {
        name: "charts",
        what: "every chart version the stack installs is published in its repository (index.yaml over HTTPS, or OCI tags; public, no credentials)",
        run: (c) => checkCharts(c.runner, c.target),
    },
    {
        name: "releases",
        what: "the Flux distribution a FluxInstance runs is a fluxcd/flux2 release (api.github.com; public, GITHUB_TOKEN optional)",
        run: (c) => checkReleases(c.runner, c.target, c.env),
    },
    {
        name: "schemas",
        what: "the schema set the seeded kubeconform checks validate against exists for their Kubernetes version (raw.githubusercontent.com; public)",
        run: (c) => checkSchemas(c.runner, c.target),
    },
    {
        name: "github-apps",
        what: "each GitHub App the workflows use is installed on github:owner with the permissions and repositories its jobs' tokens ask for (needs <APP>_APP_ID and <APP>_APP_PRIVATE_KEY, e.g. DEPLOY_APP_ID; <APP>_REPOSITORIES for a selection)",
        run: (c) => {
            const needs = appNeeds(c.root).filter((n) => c.apps === undefined || c.apps.includes(n.app));
            return checkGithubApps(c.runner, c.target.githubOwner, needs, c.env, c.now);
        },
    },
    {
        name: "state-backend",
        what: "the state backend in PULUMI_BACKEND_URL is reachable and writable (s3://: AWS credentials; empty: Pulumi Cloud with PULUMI_ACCESS_TOKEN)",
        run: async (c) => checkStateBackend(c.runner, c.target.stack, c.target.region, c.env, await c.aws()),
    },
    {
        name: "endpoint",
        what: "the cluster's API endpoint answers from where this runs; before the cluster exists, its planned public endpoint admits this runner's egress address (needs AWS credentials)",
        run: async (c) => checkEndpoint(c.runner, c.target, await c.aws()),
    },
];

const wrap = (text: string, indent: string) => text.replace(/(.{1,96})(\s+|$)/g, `$1\n${indent}`).trimEnd();

export const PREFLIGHT_USAGE = `usage: npm run preflight -- --stack <name> [--check <name>]... [--app <name>]... [--strict]

Plans the stack offline, then checks with the credentials at hand what the plan cannot know. Each
outcome is PASS, FAIL (with the fix), SKIP (the source could not be asked: no credentials, no network;
it says what it needed) or N/A (the stack has nothing to check there). Without credentials every check
that needs them is skipped and the command exits 0.
  --stack <name>    the stack: Pulumi.<name>.yaml
  --check <name>    run only this check (repeatable); default: all
  --app <name>      check only this GitHub App (repeatable: DEPLOY, PREVIEW, PROMOTION); default: all
  --strict          a skipped check fails too (for CI jobs that hold the credentials)
  --help            print this help
Checks:
${CHECKS.map((c) => `  ${c.name.padEnd(14)}${wrap(c.what, " ".repeat(16))}`).join("\n")}
Exits 0 when nothing failed, 1 when a check failed (with --strict: or was skipped) or the stack config
is bad, 2 on bad arguments, 3 on an unexpected error.`;

/** The stacks there are: Pulumi.<name>.yaml files in the project folder. */
export function stackNames(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

export interface PreflightArgs {
    readonly stack: string;
    readonly checks: readonly string[];
    readonly apps: readonly string[] | undefined;
    readonly strict: boolean;
}

export function parsePreflightArgs(argv: readonly string[], root = PROJECT_ROOT): PreflightArgs {
    const { values } = parseCommand(argv, {
        usage: PREFLIGHT_USAGE,
        options: {
            stack: { type: "string" },
            check: { type: "string", multiple: true },
            app: { type: "string", multiple: true },
            strict: { type: "boolean" },
        },
    });
    const stacks = stackNames(root);
    if (values.stack === undefined) {
        throw new UsageError(`name a stack with --stack (one of: ${stacks.join(", ")})\n${PREFLIGHT_USAGE}`);
    }
    if (!STACK_NAME.test(values.stack) || !stacks.includes(values.stack)) {
        throw new UsageError(`no stack "${values.stack}": the stacks are ${stacks.join(", ")} (Pulumi.<name>.yaml)`);
    }
    const known = CHECKS.map((c) => c.name);
    for (const check of values.check ?? []) {
        if (!known.includes(check)) {
            throw new UsageError(`--check: no check "${check}"; the checks are ${known.join(", ")}`);
        }
    }
    const apps = values.app?.map((a) => a.toUpperCase());
    const used = appNeeds(root).map((n) => n.app);
    for (const app of apps ?? []) {
        if (!used.includes(app)) {
            throw new UsageError(`--app: no workflow uses a GitHub App "${app}"; the Apps are ${used.join(", ")}`);
        }
    }
    return { stack: values.stack, checks: values.check ?? known, apps, strict: values.strict === true };
}

export interface PreflightDeps {
    readonly runner: Runner;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly now: Date;
    readonly root: string;
    readonly write: (text: string) => void;
}

/** Runs the checks the arguments select; resolves with the reports. */
export async function runPreflight(args: PreflightArgs, deps: Omit<PreflightDeps, "write">): Promise<CheckReport[]> {
    const { config, secretKeys } = readStackConfig(stackFilePath(args.stack, deps.root), deps.root);
    const plan = await runPlan({ project: PROJECT, stack: args.stack, config, secretKeys }, runPlatform);
    const target = preflightTarget(args.stack, config, plan.resources);
    let aws: Promise<AwsAccess> | undefined;
    const context: CheckContext = {
        ...deps,
        target,
        apps: args.apps,
        aws: () => (aws ??= awsAccess(deps.runner, target.region)),
    };
    const reports: CheckReport[] = [];
    for (const check of CHECKS.filter((c) => args.checks.includes(c.name))) {
        reports.push({ check: check.name, outcomes: await check.run(context) });
    }
    return reports;
}

export async function main(
    argv: readonly string[],
    deps: PreflightDeps = {
        runner: processRunner(),
        env: process.env,
        now: new Date(),
        root: PROJECT_ROOT,
        write: (text) => process.stdout.write(text),
    },
): Promise<number> {
    try {
        const args = parsePreflightArgs(argv, deps.root);
        deps.write(`preflight of stack ${args.stack}\n`);
        const reports = await runPreflight(args, deps);
        deps.write(formatReport(reports));
        return exitCodeOf(reports, args.strict);
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand((argv) => main(argv));
}

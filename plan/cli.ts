/**
 * npm run plan -- --stack <name> [--config <file>] [--json]
 *
 * Plans a stack offline: the real program under Pulumi's mock runtime, with the stack's config file.
 * Prints the declared resources as a tree, or as one JSON array with --json. Exits 1 on bad config
 * (the validation report names every bad key), 2 on bad arguments.
 */
import { runPlatform } from "../stacks";
import { PROJECT } from "../stacks/config";
import { expectedFailure, parseCommand, runCommand, UsageError } from "../cli/command";
import { PlannedResource } from "./recorder";
import { PlanResult, runPlan } from "./run";
import { readStackConfig, stackFilePath, stackNameOf } from "./stackFile";

export interface StackArgs {
    readonly stack?: string;
    readonly configFile?: string;
    readonly json: boolean;
}

const PLAN_USAGE = `usage: npm run plan -- --stack <name> [--config <file>] [--json]

Plans the stack offline (the program under Pulumi's mock runtime) and prints what it declares.
  --stack <name>    the stack: Pulumi.<name>.yaml (production rules follow its config's environment)
  --config <file>   plan this stack config file instead (its stack name comes from Pulumi.<name>.yaml)
  --json            print one JSON array of the declared resources
  --help            print this help
Exits 0 when planned, 1 on bad config or an unreadable file, 2 on bad arguments.`;

/**
 * `--stack <name> [--config <file>]`, and `--json` where the command takes it: the arguments of
 * every command that plans a stack.
 */
export function parseStackArgs(argv: readonly string[], usage = PLAN_USAGE, acceptsJson = true): StackArgs {
    const { values } = parseCommand(argv, {
        usage,
        options: {
            stack: { type: "string" },
            config: { type: "string" },
            ...(acceptsJson ? { json: { type: "boolean" } } : {}),
        },
    });
    const { stack, config: configFile } = values as { stack?: string; config?: string };
    if (stack === undefined && configFile === undefined) {
        throw new UsageError(`name a stack or a config file\n${usage}`);
    }
    if (stack !== undefined && !STACK_NAME.test(stack)) {
        throw new UsageError(`--stack expects a stack name (letters, digits, '-', '_', '.'), got "${stack}"\n${usage}`);
    }
    return { stack, configFile, json: (values as { json?: boolean }).json === true };
}

/** Pulumi's stack name rule (pulumi/sdk go/common/tokens: names are [A-Za-z0-9_.-]+); no path can sneak in. */
export const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** A few scalar inputs that identify a resource at a glance. */
function keyInputs(resource: PlannedResource): string {
    const scalars = Object.entries(resource.inputs)
        .filter(([, v]) => ["string", "number", "boolean"].includes(typeof v))
        .slice(0, 4)
        .map(([k, v]) => `${k}=${String(v).length > 60 ? `${String(v).slice(0, 57)}...` : String(v)}`);
    return scalars.length > 0 ? `  (${scalars.join(", ")})` : "";
}

export function formatTree(resources: readonly PlannedResource[]): string {
    const children = new Map<string | undefined, PlannedResource[]>();
    for (const r of resources) {
        const key = r.parent && resources.some((p) => p.urn === r.parent) ? r.parent : undefined;
        children.set(key, [...(children.get(key) ?? []), r]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const flags = [r.options.protect && "protect", r.options.retainOnDelete && "retainOnDelete"].filter(
                Boolean,
            );
            lines.push(
                `${"  ".repeat(depth)}${r.type} ${r.name}${keyInputs(r)}${flags.length ? ` [${flags.join(", ")}]` : ""}`,
            );
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return `${lines.join("\n")}\n${resources.length} resources`;
}

/**
 * The stack the arguments name and its offline plan, for every command that plans a stack. A config
 * file planned without --stack takes its stack name from its file name, so a file planned as a named
 * stack gets that stack's production-only rules.
 */
export async function planFromArgs(args: StackArgs): Promise<{ stack: string; plan: PlanResult }> {
    const file = args.configFile ?? stackFilePath(args.stack!);
    const stack = args.stack ?? stackNameOf(file);
    return { stack, plan: await runPlan({ project: PROJECT, stack, ...readStackConfig(file) }, runPlatform) };
}

export async function main(argv: readonly string[]): Promise<number> {
    try {
        const args = parseStackArgs(argv);
        const { plan } = await planFromArgs(args);
        const resources = plan.resources.map(({ custom: _custom, ...r }) => r);
        process.stdout.write(args.json ? `${JSON.stringify(resources, null, 2)}\n` : `${formatTree(plan.resources)}\n`);
        return 0;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

/**
 * npm run plan -- --stack <name> [--config <file>] [--json]
 *
 * Plans a stack offline: the real program under Pulumi's mock runtime, with the stack's config file.
 * Prints the declared resources as a tree, or as one JSON array with --json. Exits 1 on bad config
 * (the validation report names every bad key), 2 on bad arguments.
 */
import { runPlatform } from "../stacks";
import { PROJECT } from "../stacks/config";
import { expectedFailure, runCommand, UsageError } from "../scripts/command";
import { PlannedResource } from "./recorder";
import { runPlan } from "./run";
import { readStackConfig, stackFilePath, stackNameOf } from "./stackFile";

export interface StackArgs {
    readonly stack?: string;
    readonly configFile?: string;
    readonly json: boolean;
}

const PLAN_USAGE = "usage: npm run plan -- --stack <name> [--config <file>] [--json]";

/**
 * `--stack <name> [--config <file>]`, and `--json` where the command takes it: the arguments of
 * every command that plans a stack.
 */
export function parseStackArgs(argv: readonly string[], usage = PLAN_USAGE, acceptsJson = true): StackArgs {
    let stack: string | undefined;
    let configFile: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const next = argv[++i];
            if (next === undefined || next.startsWith("--")) {
                throw new UsageError(`${arg} needs a value\n${usage}`);
            }
            return next;
        };
        if (arg === "--stack") {
            stack = value();
        } else if (arg === "--config") {
            configFile = value();
        } else if (arg === "--json" && acceptsJson) {
            json = true;
        } else {
            throw new UsageError(`unknown argument "${arg}"\n${usage}`);
        }
    }
    if (stack === undefined && configFile === undefined) {
        throw new UsageError(`name a stack or a config file\n${usage}`);
    }
    return { stack, configFile, json };
}

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
            const flags = [r.options.protect && "protect", r.options.retainOnDelete && "retainOnDelete"].filter(Boolean);
            lines.push(`${"  ".repeat(depth)}${r.type} ${r.name}${keyInputs(r)}${flags.length ? ` [${flags.join(", ")}]` : ""}`);
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return `${lines.join("\n")}\n${resources.length} resources`;
}

export async function main(argv: readonly string[]): Promise<number> {
    try {
        const args = parseStackArgs(argv);
        const file = args.configFile ?? stackFilePath(args.stack!);
        const stack = args.stack ?? stackNameOf(file);
        const plan = await runPlan({ project: PROJECT, stack, ...readStackConfig(file) }, runPlatform);
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

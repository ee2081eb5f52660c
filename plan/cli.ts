/**
 * npm run plan -- --stack <name> [--config <file>] [--json]
 *
 * Plans a stack offline: the real program under Pulumi's mock runtime, with the stack's config file.
 * Prints the declared resources as a tree, or as one JSON array with --json. Exits 1 on bad config
 * (the validation report names every bad key), 2 on bad arguments.
 */
import { runPlatform } from "../stacks";
import { ConfigError, PROJECT } from "../stacks/config";
import { PlannedResource } from "./recorder";
import { runPlan } from "./run";
import { readStackConfig, stackFilePath, stackNameOf } from "./stackFile";

export interface PlanArgs {
    readonly stack?: string;
    readonly configFile?: string;
    readonly json: boolean;
}

export class UsageError extends Error {}

const USAGE = "usage: npm run plan -- --stack <name> [--config <file>] [--json]";

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
    let stack: string | undefined;
    let configFile: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const next = argv[++i];
            if (next === undefined || next.startsWith("--")) {
                throw new UsageError(`${arg} needs a value\n${USAGE}`);
            }
            return next;
        };
        if (arg === "--stack") {
            stack = value();
        } else if (arg === "--config") {
            configFile = value();
        } else if (arg === "--json") {
            json = true;
        } else {
            throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
        }
    }
    if (stack === undefined && configFile === undefined) {
        throw new UsageError(`name a stack or a config file\n${USAGE}`);
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
    let args: PlanArgs;
    try {
        args = parsePlanArgs(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n`);
            return 2;
        }
        throw error;
    }
    const file = args.configFile ?? stackFilePath(args.stack!);
    const stack = args.stack ?? stackNameOf(file);
    const { config, secretKeys } = readStackConfig(file);
    try {
        const plan = await runPlan({ project: PROJECT, stack, config, secretKeys }, runPlatform);
        const resources = plan.resources.map(({ custom: _custom, ...r }) => r);
        process.stdout.write(args.json ? `${JSON.stringify(resources, null, 2)}\n` : `${formatTree(plan.resources)}\n`);
        return 0;
    } catch (error) {
        if (error instanceof ConfigError) {
            process.stderr.write(`${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    // exitCode, not exit(): exit() would cut off output still being written to a pipe.
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    }, (error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 3;
    });
}

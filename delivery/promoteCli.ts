/**
 * npm run promote -- --from staging --to production [--app <name>...] [--platform] [--dry-run] [--outputs <file>]
 *
 * Reads the source stack's outputs (`pulumi stack output --json`, or --outputs <file> offline) and
 * writes its app revisions (and with --platform its engine, External Secrets and Kubernetes
 * versions) into Pulumi.<to>.yaml. Exits 1 when the promotion is refused (nothing written), 2 on
 * bad arguments.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { PROJECT_ROOT } from "../plan/stackFile";
import { expectedFailure, runCommand, UsageError } from "../scripts/command";
import { parseSourceOutputs, promote, PromotionRefused, SourceOutputs } from "./promote";

const USAGE = "usage: npm run promote -- --from <stack> --to <stack> [--app <name>...] [--platform] [--dry-run] [--outputs <file>]";

export interface PromoteArgs {
    readonly from: string;
    readonly to: string;
    readonly apps: string[];
    readonly platform: boolean;
    readonly dryRun: boolean;
    readonly outputsFile?: string;
}

export function parsePromoteArgs(argv: readonly string[]): PromoteArgs {
    const values: Record<string, string | undefined> = {};
    const apps: string[] = [];
    const flags = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--platform" || arg === "--dry-run") {
            flags.add(arg);
            continue;
        }
        if (!["--from", "--to", "--app", "--outputs"].includes(arg)) {
            throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
        }
        const value = argv[++i];
        if (value === undefined || value.startsWith("--")) {
            throw new UsageError(`${arg} needs a value\n${USAGE}`);
        }
        if (arg === "--app") {
            apps.push(value);
        } else {
            values[arg] = value;
        }
    }
    const from = values["--from"];
    const to = values["--to"];
    if (from === undefined || to === undefined) {
        throw new UsageError(`--from and --to are required\n${USAGE}`);
    }
    return { from, to, apps, platform: flags.has("--platform"), dryRun: flags.has("--dry-run"), outputsFile: values["--outputs"] };
}

/** The source stack's outputs from the Pulumi CLI (needs a logged-in backend). */
export function stackOutputs(stack: string, pulumiCli = "pulumi"): SourceOutputs {
    let text: string;
    try {
        text = execFileSync(pulumiCli, ["stack", "output", "--json", "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the Pulumi CLI is not installed" : String((error as { stderr?: string }).stderr ?? error).trim();
        throw new PromotionRefused(`cannot read stack ${stack}'s outputs (${reason}): log in to its backend, or pass --outputs <file> with the output of pulumi stack output --json; nothing was written`);
    }
    return parseSourceOutputs(text, `pulumi stack output --stack ${stack}`);
}

export function main(argv: readonly string[], root = PROJECT_ROOT): number {
    try {
        const args = parsePromoteArgs(argv);
        const file = args.outputsFile;
        const readOutputs = file === undefined ? stackOutputs : () => parseSourceOutputs(fs.readFileSync(file, "utf8"), file);
        const { summary } = promote({ ...args, root, readOutputs });
        process.stdout.write(`${summary}\n`);
        return 0;
    } catch (error) {
        if (error instanceof PromotionRefused) {
            process.stderr.write(`promotion refused: ${error.message}\n`);
            return 1;
        }
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

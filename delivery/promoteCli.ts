/**
 * npm run promote -- --from staging --to production [--app <name>...] [--platform] [--dry-run] [--outputs <file>]
 *
 * Reads the source stack's outputs (`pulumi stack output --json`, or --outputs <file> offline) and
 * writes its app revisions (and with --platform the whole version set it runs: Kubernetes minor,
 * EKS add-on builds, node AMI release, every chart it installs) into Pulumi.<to>.yaml. Exits 1 when the promotion is refused (nothing written), 2 on
 * bad arguments.
 */
import { execFileSync } from "child_process";
import { PROJECT_ROOT } from "../plan/stackFile";
import { STACK_NAME } from "../plan/cli";
import { expectedFailure, parseCommand, readTextFile, runCommand, UsageError } from "../cli/command";
import { parseSourceOutputs, promote, PromotionRefused, SourceOutputs } from "./promote";

const USAGE = `usage: npm run promote -- --from <stack> --to <stack> [--app <name>...] [--platform] [--allow-downgrade] [--dry-run] [--outputs <file>]

Copies the source stack's app revisions (and with --platform the whole version set it runs: the
Kubernetes minor, EKS add-on builds, node AMI release and the version of every chart it installs) into
Pulumi.<to>.yaml, validated with the stack config schema before it is written.
  --from <stack>      the stack whose outputs are promoted (pulumi stack output --json)
  --to <stack>        a stack of this project: Pulumi.<to>.yaml next to Pulumi.yaml
  --app <name>        promote only this app (repeatable)
  --platform          also promote the version set (refused: a Kubernetes jump of more than one minor)
  --allow-downgrade   accept a version older than the one the target runs (EKS build numbers included)
  --dry-run           print the change, write nothing
  --outputs <file>    read the source outputs from this file instead of the Pulumi CLI
  --help              print this help
Exits 0 when promoted, 1 when refused (nothing written), 2 on bad arguments.`;

export interface PromoteArgs {
    readonly from: string;
    readonly to: string;
    readonly apps: string[];
    readonly platform: boolean;
    readonly dryRun: boolean;
    readonly allowDowngrade: boolean;
    readonly outputsFile?: string;
}

export function parsePromoteArgs(argv: readonly string[]): PromoteArgs {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: {
            from: { type: "string" },
            to: { type: "string" },
            app: { type: "string", multiple: true },
            platform: { type: "boolean" },
            "allow-downgrade": { type: "boolean" },
            "dry-run": { type: "boolean" },
            outputs: { type: "string" },
        },
    });
    const { from, to } = values;
    if (from === undefined || to === undefined) {
        throw new UsageError(`--from and --to are required\n${USAGE}`);
    }
    for (const [flag, stack] of [
        ["--from", from],
        ["--to", to],
    ] as const) {
        if (!STACK_NAME.test(stack) || stack.startsWith(".")) {
            // Only Pulumi.<stack>.yaml next to Pulumi.yaml is written: no path may reach another project.
            throw new UsageError(
                `${flag} expects a stack name of this project (letters, digits, '-', '_'), got "${stack}"\n${USAGE}`,
            );
        }
    }
    return {
        from,
        to,
        apps: values.app ?? [],
        platform: values.platform === true,
        dryRun: values["dry-run"] === true,
        allowDowngrade: values["allow-downgrade"] === true,
        outputsFile: values.outputs,
    };
}

/** The source stack's outputs from the Pulumi CLI (needs a logged-in backend). */
export function stackOutputs(stack: string, pulumiCli = "pulumi"): SourceOutputs {
    let text: string;
    try {
        text = execFileSync(pulumiCli, ["stack", "output", "--json", "--stack", stack], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const reason =
            (error as NodeJS.ErrnoException).code === "ENOENT"
                ? "the Pulumi CLI is not installed"
                : String((error as { stderr?: string }).stderr ?? error).trim();
        throw new PromotionRefused(
            `cannot read stack ${stack}'s outputs (${reason}): log in to its backend, or pass --outputs <file> with the output of pulumi stack output --json; nothing was written`,
        );
    }
    return parseSourceOutputs(text, `pulumi stack output --stack ${stack}`);
}

export function main(argv: readonly string[], root = PROJECT_ROOT): number {
    try {
        const args = parsePromoteArgs(argv);
        const file = args.outputsFile;
        const readOutputs =
            file === undefined ? stackOutputs : () => parseSourceOutputs(readTextFile(file, "outputs file"), file);
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

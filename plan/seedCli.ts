/**
 * npm run seed -- --stack <name> --out <folder>
 *
 * Writes the layout a stack's engine syncs (clusters/<stack>/, apps/, README.md, the checks workflow)
 * into a folder, for a GitOps repository this program does not create (the local stack's): push it
 * to that repository and the first `pulumi up` finds what it syncs. Never overwrites a file that
 * exists. Exit codes: USAGE.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfig, PROJECT } from "../stacks/config";
import { gitopsSeedFiles } from "../stacks/repositories";
import { EXIT, expectedFailure, helpText, parseCommand, Refused, runCommand, UsageError } from "../cli/command";
import { readStackConfig, stackFilePath } from "./stackFile";

const USAGE = helpText({
    usage: "npm run seed -- --stack <name> --out <folder>",
    summary:
        "Writes what the stack's engine syncs (clusters/<stack>/, apps/, README.md, the checks workflow) into a\nfolder, for a GitOps repository this program does not create: push it there before the first `pulumi up`.",
    options: [
        ["--stack <name>", "the stack: Pulumi.<name>.yaml (an unknown name lists the stacks there are)"],
        ["--out <folder>", "where to write; created if missing; files already there are never overwritten"],
    ],
    exits: {
        [EXIT.ok]: "written",
        [EXIT.badInput]: "the stack config is refused, or a file is unreadable",
        [EXIT.refused]: "a file it would write exists already (all are listed; nothing was written)",
    },
});

/** Every file the stack's GitOps repository needs, path → content. */
export function stackSeedFiles(stack: string): Record<string, string> {
    const { config: values, secretKeys } = readStackConfig(stackFilePath(stack));
    const config = loadConfig({ values, isSecret: (key) => secretKeys.includes(key), stack });
    return gitopsSeedFiles(config, config.github?.codeOwners ?? []);
}

export function main(argv: readonly string[]): number {
    try {
        const { values } = parseCommand(argv, {
            usage: USAGE,
            options: { stack: { type: "string" }, out: { type: "string" } },
        });
        const { stack, out } = values;
        if (stack === undefined || out === undefined) {
            throw new UsageError(`name the stack and the output folder\n${USAGE}`);
        }
        const files = stackSeedFiles(stack);
        const existing = Object.keys(files).filter((file) => fs.existsSync(path.join(out, file)));
        if (existing.length > 0) {
            throw new Refused(`not overwriting what is there: ${existing.join(", ")} (in ${out})`);
        }
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
            fs.writeFileSync(path.join(out, file), content);
        }
        process.stdout.write(`${PROJECT}: wrote ${Object.keys(files).length} files for stack ${stack} into ${out}\n`);
        return 0;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

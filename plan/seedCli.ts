/**
 * npm run seed -- --stack <name> --out <folder>
 *
 * Writes the layout a stack's engine syncs (clusters/<stack>/, apps/, README.md, the checks workflow)
 * into a folder, for a GitOps repository this program does not create (the local stack's): push it
 * to that repository and the first `pulumi up` finds what it syncs. Exits 1 on bad config, 2 on bad
 * arguments; never overwrites a file that exists.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfig, PROJECT } from "../stacks/config";
import { gitopsSeedFiles } from "../stacks/repositories";
import { expectedFailure, runCommand, UsageError } from "../cli/command";
import { readStackConfig, stackFilePath } from "./stackFile";

const USAGE = "usage: npm run seed -- --stack <name> --out <folder>";

/** Every file the stack's GitOps repository needs, path → content. */
export function stackSeedFiles(stack: string): Record<string, string> {
    const { config: values, secretKeys } = readStackConfig(stackFilePath(stack));
    const config = loadConfig({ values, isSecret: (key) => secretKeys.includes(key), stack });
    return gitopsSeedFiles(config, config.github?.codeOwners ?? []);
}

export function main(argv: readonly string[]): number {
    try {
        const options = new Map<string, string>();
        for (let i = 0; i < argv.length; i += 2) {
            if (!["--stack", "--out"].includes(argv[i]) || argv[i + 1] === undefined) {
                throw new UsageError(`unexpected argument "${argv[i]}"\n${USAGE}`);
            }
            options.set(argv[i], argv[i + 1]);
        }
        const stack = options.get("--stack");
        const out = options.get("--out");
        if (stack === undefined || out === undefined) {
            throw new UsageError(`name the stack and the output folder\n${USAGE}`);
        }
        const files = stackSeedFiles(stack);
        const existing = Object.keys(files).filter((file) => fs.existsSync(path.join(out, file)));
        if (existing.length > 0) {
            throw new UsageError(`not overwriting what is there: ${existing.join(", ")} (in ${out})`);
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

/**
 * npm run bump -- --stack <name> [--dry-run] [--recorded <file>]
 *
 * Checks each pin of the stack's version set against its source and writes the newest versions within
 * the set's lines into Pulumi.<stack>.yaml (delivery/bump.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { expectedFailure, parseCommand, runCommand, UsageError } from "../cli/command";
import { STACK_NAME } from "../plan/cli";
import { PROJECT_ROOT, stackConfigFromText } from "../plan/stackFile";
import { processRunner, recordingRunner, Runner } from "../preflight/runner";
import { ConfigError, loadConfig, PROJECT } from "../stacks/config";
import { bumps, checkPins, formatBump, PinCheck } from "./bump";
import { applyChanges } from "./promote";
import { insertScalar } from "./stackText";

export const USAGE = `usage: npm run bump -- --stack <name> [--dry-run] [--recorded <file>]

Checks each pin of the stack's version set (EKS add-on builds offered for its Kubernetes minor, the
node AMI release, the version of every chart it installs) against its source, and writes the newest
version within each pin's line into Pulumi.<name>.yaml, comments kept; prints each change with a link
to its release notes, and what could not be checked. The Kubernetes minor never moves: that is an
upgrade of its own, one minor at a time (docs/upgrades.md).
  --stack <name>     the stack: Pulumi.<name>.yaml next to Pulumi.yaml
  --dry-run          print the changes, write nothing
  --recorded <file>  answer from a recording (preflight/runner.ts Recording) instead of the AWS CLI
                     and the chart repositories: offline runs and tests
  --help             print this help
Sources need the AWS CLI with credentials that may call eks:DescribeAddonVersions and ssm:GetParameter,
and HTTPS to the chart repositories; a pin whose source cannot be asked is listed under Notes.
Exits 0 when the file is current or was updated (notes may list pins not checked), 1 when a pin is
not offered and nothing in its line is (the version set must move), when the updated file would not
validate (nothing written) or the stack config is invalid, 2 on bad arguments.`;

export interface BumpArgs {
    readonly stack: string;
    readonly dryRun: boolean;
    readonly recorded?: string;
}

export function parseBumpArgs(argv: readonly string[]): BumpArgs {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: { stack: { type: "string" }, "dry-run": { type: "boolean" }, recorded: { type: "string" } },
    });
    const stack = values.stack;
    if (stack === undefined) {
        throw new UsageError(`--stack is required\n${USAGE}`);
    }
    if (!STACK_NAME.test(stack) || stack.startsWith(".")) {
        throw new UsageError(
            `--stack expects a stack name of this project (letters, digits, '-', '_'), got "${stack}"\n${USAGE}`,
        );
    }
    return { stack, dryRun: values["dry-run"] === true, recorded: values.recorded };
}

/** Loads the stack file's config as the program would (ConfigError when invalid). */
function load(stack: string, file: string, text: string, root: string) {
    const { config, secretKeys } = stackConfigFromText(file, text, root);
    return loadConfig({ values: config, isSecret: (key) => secretKeys.includes(key), stack });
}

/**
 * The stack file with the pins changed: existing ones replaced in place (promote.ts applyChanges), new
 * ones inserted as lines, so every other byte stays.
 */
export function withChanges(text: string, changes: ReturnType<typeof bumps>): string {
    const document = YAML.parseDocument(text);
    const present = changes.filter((c) => document.hasIn(["config", ...c.path]));
    let result = applyChanges(text, present);
    for (const c of changes.filter((change) => !present.includes(change))) {
        const parent = ["config", ...c.path.slice(0, -1)];
        result = insertScalar(result, parent, String(c.path.at(-1)), c.to) ?? applyChanges(result, [c]);
    }
    return result;
}

/**
 * The checks with every newest version the stack config refuses taken back, with the config's reason as
 * its note (an argo-cd chart whose Argo CD version the program does not know yet). `validate` throws
 * a ConfigError for the file the checks would write; a problem at no bumped key is rethrown.
 */
export function acceptedByConfig(
    checks: readonly PinCheck[],
    validate: (checks: readonly PinCheck[]) => void,
): PinCheck[] {
    let current = [...checks];
    for (;;) {
        try {
            validate(current);
            return current;
        } catch (error) {
            if (!(error instanceof ConfigError)) {
                throw error;
            }
            const refused = error.problems.filter((p) =>
                current.some((c) => c.newest !== undefined && p.key === `${PROJECT}:${c.label}`),
            );
            if (refused.length === 0) {
                throw error;
            }
            current = current.map((c) => {
                const problem = refused.find((p) => p.key === `${PROJECT}:${c.label}`);
                return problem && c.newest !== undefined
                    ? {
                          ...c,
                          newest: undefined,
                          link: undefined,
                          note: `${c.newest} is newer, but the config refuses it: ${problem.message}`,
                      }
                    : c;
            });
        }
    }
}

export async function main(argv: readonly string[], root = PROJECT_ROOT, runner?: Runner): Promise<number> {
    try {
        const args = parseBumpArgs(argv);
        const file = path.join(root, `Pulumi.${args.stack}.yaml`);
        if (!fs.existsSync(file)) {
            throw new UsageError(`no stack file ${file}\n${USAGE}`);
        }
        const text = fs.readFileSync(file, "utf8");
        const config = load(args.stack, file, text, root);
        const source = runner ?? (args.recorded ? recordingRunner(args.recorded) : processRunner());
        const checks = acceptedByConfig(await checkPins(source, config), (checked) => {
            const changes = bumps(checked);
            // The file that would be written must load like any other: nothing half-done is written.
            load(args.stack, file, withChanges(text, changes), root);
        });
        const changes = bumps(checks);
        if (changes.length > 0 && !args.dryRun) {
            fs.writeFileSync(file, withChanges(text, changes));
        }
        process.stdout.write(`${formatBump(args.stack, config, checks, !args.dryRun)}\n`);
        const stuck = checks.filter((c) => c.notOffered === true && c.newest === undefined);
        return stuck.length > 0 ? 1 : 0;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

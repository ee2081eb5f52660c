/**
 * The policy pack's rules over a `pulumi preview --json --show-sames` file: the pull-request
 * workflow's `policy` job runs them from the base branch's checkout, without credentials, in a job
 * where the pull request's code never runs (it could rewrite the pack in the preview's own job).
 * Each step's newState is the resource as the pack would see it (Pulumi pkg/backend/display/json.go,
 * ShowPreviewDigest: inputs with secrets as "[secret]", protect, retainOnDelete, dependencies);
 * --show-sames keeps unchanged resources in, so stack-wide rules see the whole stack.
 *
 *   npx ts-node policy/previewCheck.ts preview.json
 */
import { expectedFailure, InputError, parseCommand, readTextFile, runCommand, UsageError } from "../cli/command";
import { parsePreview, parseUrn } from "../delivery/guard";
import { PACK_RULES } from "./pack";
import { checkResources, PolicyResource, Violation } from "./rules";

/** The part of apitype.ResourceV3 the rules read. */
interface PreviewState {
    readonly type?: string;
    readonly inputs?: Record<string, unknown>;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly additionalSecretOutputs?: string[];
    readonly dependencies?: string[];
    readonly propertyDependencies?: Record<string, string[]>;
}

/** The resources the stack would have after the preview (deleted ones have no newState). */
export function previewResources(text: string): PolicyResource[] {
    parsePreview(text);
    const { steps } = JSON.parse(text) as { steps: { urn: string; newState?: PreviewState }[] };
    const byUrn = new Map<string, PolicyResource>();
    for (const { urn, newState } of steps) {
        if (newState === undefined) {
            continue;
        }
        byUrn.set(urn, {
            type: newState.type ?? parseUrn(urn).type,
            name: parseUrn(urn).name,
            urn,
            props: newState.inputs ?? {},
            options: {
                protect: newState.protect === true,
                ignoreChanges: [],
                retainOnDelete: newState.retainOnDelete,
                additionalSecretOutputs: newState.additionalSecretOutputs ?? [],
            },
            dependencies: [
                ...new Set([
                    ...(newState.dependencies ?? []),
                    ...Object.values(newState.propertyDependencies ?? {}).flat(),
                ]),
            ],
        });
    }
    return [...byUrn.values()];
}

export function checkPreview(text: string): Violation[] {
    return checkResources(previewResources(text), PACK_RULES);
}

const USAGE = `usage: ts-node policy/previewCheck.ts <preview.json>...

Applies the policy pack's rules (policy/) to the resources of a preview (pulumi preview --json --show-sames).
  --help   print this help
Exits 0 without violations, 1 on violations or an unreadable/incomplete preview, 2 on bad arguments.`;

export function main(argv: readonly string[]): number {
    try {
        const { positionals: files } = parseCommand(argv, { usage: USAGE, options: {}, positionals: true });
        if (files.length === 0) {
            throw new UsageError(`name at least one preview file\n${USAGE}`);
        }
        const violations = files.flatMap((file) => {
            const text = readTextFile(file, "preview");
            try {
                return checkPreview(text);
            } catch (error) {
                throw new InputError(`${file}: ${(error as Error).message}`);
            }
        });
        const lines = violations.map((v) => `  [${v.rule}] ${v.message}\n      ${v.urn}`);
        if (violations.length === 0) {
            process.stdout.write(`${files.join(", ")}: no policy violations\n`);
            return 0;
        }
        process.stderr.write(`${violations.length} policy violation(s):\n${lines.join("\n")}\n`);
        return 1;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

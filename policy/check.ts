/**
 * npm run check -- --stack <name> [--config <file>]
 *
 * The policy pack's rules over the offline plan: what `pulumi preview --policy-pack policy` enforces,
 * without a Pulumi backend or cloud credentials (forks get it too). Exit codes: USAGE.
 */
import { PlannedResource } from "../plan/recorder";
import { parseStackArgs, planFromArgs, STACK_OPTIONS } from "../plan/cli";
import { EXIT, expectedFailure, helpText, runCommand } from "../cli/command";
import { withEnvironment } from "./environment";
import { PACK_RULES } from "./pack";
import { checkResources, PolicyResource, Violation } from "./rules";
import { checkWorkflows, loadWorkflowContext } from "./workflows";
import { PROJECT_ROOT } from "../plan/stackFile";

const USAGE = helpText({
    usage: "npm run check -- --stack <name> [--config <file>]",
    summary:
        "Plans the stack offline and applies the policy pack's rules (policy/): what `pulumi preview --policy-pack\npolicy` enforces, without a Pulumi backend or cloud credentials; then the rules over the workflow files\nand the repository's environments (policy/workflows.ts).",
    options: STACK_OPTIONS,
    exits: {
        [EXIT.ok]: "no policy violations",
        [EXIT.badInput]: "the stack config is refused, or a file is unreadable",
        [EXIT.found]: "policy violations (each with its rule and resource, on stderr)",
    },
});

/** A planned resource as the rules read it: inputs are the props a preview's policy pack sees. */
export function fromPlanned(resource: PlannedResource): PolicyResource {
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.inputs,
        options: {
            protect: resource.options.protect,
            ignoreChanges: resource.options.ignoreChanges,
            deleteBeforeReplace: resource.options.deleteBeforeReplace,
            retainOnDelete: resource.options.retainOnDelete,
        },
        dependencies: resource.dependencies,
    };
}

export function formatViolations(stack: string, count: number, violations: readonly Violation[]): string {
    if (violations.length === 0) {
        return `${stack}: ${count} resources, no policy violations`;
    }
    const lines = violations.map((v) => `  [${v.rule}] ${v.message}\n      ${v.urn}`);
    return `${stack}: ${violations.length} policy violation(s):\n${lines.join("\n")}`;
}

export async function main(argv: readonly string[]): Promise<number> {
    try {
        const { stack, plan } = await planFromArgs(parseStackArgs(argv, USAGE, false));
        // The config's environment decides production (the plan's `environment` output), whatever the stack's name.
        const environment = typeof plan.outputs.environment === "string" ? plan.outputs.environment : undefined;
        const violations = [
            ...checkResources(withEnvironment(plan.resources.map(fromPlanned), environment), PACK_RULES),
            ...checkWorkflows(loadWorkflowContext(PROJECT_ROOT)),
        ];
        const report = formatViolations(stack, plan.resources.length, violations);
        (violations.length === 0 ? process.stdout : process.stderr).write(`${report}\n`);
        return violations.length === 0 ? EXIT.ok : EXIT.found;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

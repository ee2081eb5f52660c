/**
 * npm run check -- --stack <name> [--config <file>]
 *
 * The policy pack's rules over the offline plan: what `pulumi preview --policy-pack policy` enforces,
 * without a Pulumi backend or cloud credentials (forks get it too). Exits 1 on violations or bad
 * config, 2 on bad arguments.
 */
import { PlannedResource } from "../plan/recorder";
import { parseStackArgs, planFromArgs } from "../plan/cli";
import { expectedFailure, runCommand } from "../cli/command";
import { withEnvironment } from "./environment";
import { PACK_RULES } from "./pack";
import { checkResources, PolicyResource, Violation } from "./rules";
import { checkWorkflows, loadWorkflowContext } from "./workflows";
import { PROJECT_ROOT } from "../plan/stackFile";

const USAGE = `usage: npm run check -- --stack <name> [--config <file>]

Plans the stack offline and applies the policy pack's rules (policy/), then the rules over the
workflow files and the repository's environments (policy/workflows.ts).
  --stack <name>    the stack: Pulumi.<name>.yaml; production rules apply when its config says environment: production
  --config <file>   check this stack config file instead
  --help            print this help
Exits 0 without violations, 1 on violations, bad config or an unreadable file, 2 on bad arguments.`;

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
        return violations.length === 0 ? 0 : 1;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

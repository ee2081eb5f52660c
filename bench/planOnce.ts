/**
 * One offline plan in this process, measured; run by bench/run.ts in a fresh child process each
 * time, so that every plan starts from a clean Pulumi runtime and its peak memory is its own.
 *
 *   node -r ./scripts/register.cjs bench/planOnce.ts --stack <name> [--analyze]
 *   node -r ./scripts/register.cjs bench/planOnce.ts --base <stack> --engine argocd|flux --apps <n> [--analyze]
 *
 * Prints one line `BENCH_RESULT <json>` (a PlanMeasurement); exits 1 when the plan fails.
 */
import { runPlan } from "../plan/run";
import { integerOption, parseCommand, UsageError } from "../cli/command";
import { readStackConfig, StackConfig, stackFilePath } from "../plan/stackFile";
import { runPlatform } from "../stacks";
import { PROJECT } from "../stacks/config";
import { benchConfig, EngineType } from "./generate";
import { RESULT_MARKER } from "./report";
import type { PlanMeasurement } from "./measurement";
import { apiCallsByStage } from "./scale";
import { criticalPath, createWeight, isCreated, offClusterChecks, stagesOf, unitWeight, unlistedTypes } from "./graph";

interface Args {
    readonly stack: string;
    readonly engine?: EngineType;
    readonly apps?: number;
    readonly analyze: boolean;
}

const USAGE = "usage: planOnce.ts --stack <name> | --base <stack> --engine argocd|flux --apps <n> [--analyze]";

function parseArgs(argv: readonly string[]): Args {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: {
            stack: { type: "string" },
            base: { type: "string" },
            engine: { type: "string" },
            apps: { type: "string" },
            analyze: { type: "boolean" },
        },
    });
    const stack = values.stack ?? values.base;
    if (stack === undefined) {
        throw new UsageError(USAGE);
    }
    const engine = values.engine;
    if (engine !== undefined && engine !== "argocd" && engine !== "flux") {
        throw new UsageError(`--engine takes argocd or flux, got ${engine}`);
    }
    const apps = values.apps === undefined ? undefined : integerOption("apps", values.apps, 0, 1, 100_000);
    return { stack, engine, apps, analyze: values.analyze === true };
}

function configOf(args: Args): StackConfig {
    const base = readStackConfig(stackFilePath(args.stack));
    return args.apps === undefined ? base : benchConfig(base, args.apps, args.engine ?? "argocd");
}

async function measure(argv: readonly string[]): Promise<PlanMeasurement> {
    const args = parseArgs(argv);
    const { config, secretKeys } = configOf(args);
    const started = process.hrtime.bigint();
    const plan = await runPlan({ project: PROJECT, stack: args.stack, config, secretKeys }, runPlatform);
    const planMs = Number(process.hrtime.bigint() - started) / 1e6;
    const maxRssKiB = process.resourceUsage().maxRSS;
    if (!args.analyze) {
        return { ok: true, resources: plan.resources.length, planMs, maxRssKiB };
    }
    const analysisStarted = process.hrtime.bigint();
    const typical = criticalPath(plan.resources, createWeight("typical"));
    const analysis = {
        created: plan.resources.filter(isCreated).length,
        depth: criticalPath(plan.resources, unitWeight).length,
        estimate: {
            typical: typical.length,
            low: criticalPath(plan.resources, createWeight("low")).length,
            high: criticalPath(plan.resources, createWeight("high")).length,
        },
        path: typical.steps,
        stages: stagesOf(typical.steps),
        offCluster: offClusterChecks(plan.resources),
        unlistedTypes: unlistedTypes(plan.resources),
        apiCalls: apiCallsByStage(plan.resources),
    };
    const analysisMs = Number(process.hrtime.bigint() - analysisStarted) / 1e6;
    return { ok: true, resources: plan.resources.length, planMs, maxRssKiB, analysis: { ...analysis, analysisMs } };
}

if (require.main === module) {
    measure(process.argv.slice(2)).then(
        (result) => {
            process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
            process.exit(0);
        },
        (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            process.stdout.write(
                `${RESULT_MARKER}${JSON.stringify({ ok: false, error: message.split("\n").slice(0, 6).join(" | ") })}\n`,
            );
            process.exit(1);
        },
    );
}

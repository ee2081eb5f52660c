/**
 * Runs the real program under Pulumi's mock runtime and returns what it declares. This is the
 * offline plan: no CLI, no provider plugins, no credentials. What providers compute (IDs, ARNs,
 * endpoints) comes from plan/mocks.ts and is made up.
 */
import * as pulumi from "@pulumi/pulumi";
import { platformMocks } from "./mocks";
import { maskSerialized, MonitorLike, PlannedResource, PlanRecorder } from "./recorder";

export interface PlanInput {
    readonly project: string;
    readonly stack: string;
    /** `namespace:key` → value text. */
    readonly config: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
}

export interface PlanResult {
    readonly resources: PlannedResource[];
    /** Stack outputs, secrets masked. */
    readonly outputs: Record<string, unknown>;
}

export type Program = () => Promise<Record<string, unknown>> | Record<string, unknown>;

interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface MockMonitorInternals extends MonitorLike {
    registerResourceOutputs(req: OutputsRequest, callback: (err: unknown, resp?: unknown) => void): void;
}

// The mock monitor is internal to @pulumi/pulumi (pinned in package.json); the plan reads the
// registration requests it receives, which carry what the public mocks interface leaves out.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MockMonitorInternals };

const recorder = new PlanRecorder();

/**
 * Pulumi captures a stack trace for every promise and resource (`new Error().stack`), for leak
 * reports and source positions the plan never shows; under ts-node each capture also goes through
 * source-map-support. That was two thirds of a 1000-app plan's time, so the plan turns stack traces
 * off while the program runs. PLAN_STACK_TRACES=1 keeps them, to debug a failing program.
 * `Resource.callsites` (private in @pulumi/pulumi 3.270.0, resource.js) raises the trace limit to
 * infinity for every resource's source position, which the plan never records: it answers none.
 */
async function withoutStackTraces<T>(run: () => Promise<T>): Promise<T> {
    if (process.env.PLAN_STACK_TRACES === "1") {
        return run();
    }
    const errors = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"]; stackTraceLimit: number };
    const resource = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const { prepareStackTrace, stackTraceLimit } = errors;
    const callsites = resource.callsites;
    errors.prepareStackTrace = undefined;
    errors.stackTraceLimit = 0;
    resource.callsites = () => [];
    try {
        return await run();
    } finally {
        errors.prepareStackTrace = prepareStackTrace;
        errors.stackTraceLimit = stackTraceLimit;
        resource.callsites = callsites;
    }
}

/** Plans `program` with the given config. Runs are sequential: the Pulumi runtime is process-global. */
export async function runPlan(input: PlanInput, program: Program): Promise<PlanResult> {
    pulumi.runtime.setAllConfig({ ...input.config }, [...input.secretKeys]);
    // As the CLI's language host passes them (stacks/index.ts configSecretKeys reads this).
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(input.secretKeys);
    await pulumi.runtime.setMocks(platformMocks, input.project, input.stack, false);
    const monitor = settings.getMonitor();
    recorder.clear();
    recorder.attach(monitor);

    let outputs: Record<string, unknown> = {};
    const stackType = "pulumi:pulumi:Stack";
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        if (req.getUrn().includes(`::${stackType}::`)) {
            outputs = maskSerialized(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        }
        registerOutputs(req, callback);
    };

    const unhandled: unknown[] = [];
    const onRejection = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        await withoutStackTraces(async () => {
            await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation(recorder.transformation);
                return program();
            });
            await pulumi.runtime.disconnect();
        });
        if (unhandled.length > 0) {
            throw unhandled[0];
        }
        return { resources: await recorder.resources(), outputs };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

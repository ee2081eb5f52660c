/**
 * Runs the real program under Pulumi's mock runtime and returns what it declares. This is the
 * offline plan: no CLI, no provider plugins, no credentials. What providers compute (IDs, ARNs,
 * endpoints) comes from plan/mocks.ts and is made up.
 */
import * as pulumi from "@pulumi/pulumi";
import { mockContext, platformMocks } from "./mocks";
import { maskSerialized, PlannedResource, PlanRecorder } from "./recorder";
import { mockMonitor, withoutStackTraces } from "./sdk";

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

const recorder = new PlanRecorder();

/** Plans `program` with the given config. Runs are sequential: the Pulumi runtime is process-global. */
export async function runPlan(input: PlanInput, program: Program): Promise<PlanResult> {
    pulumi.runtime.setAllConfig({ ...input.config }, [...input.secretKeys]);
    // As the CLI's language host passes them (stacks/index.ts configSecretKeys reads this).
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(input.secretKeys);
    await pulumi.runtime.setMocks(platformMocks(mockContext(input.config)), input.project, input.stack, false);
    const monitor = mockMonitor();
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

/**
 * The bare-SDK baseline: a program that declares `--resources N` ConfigMaps under the same mocks,
 * recorder and batching as the platform (stacks/batches.ts), and nothing else. The benchmark
 * compares the platform's time and memory per resource with it, so what the SDK costs anyway is
 * told apart from what this program adds.
 *   node -r ./scripts/register.cjs bench/bareOnce.ts --resources 9302
 */
import * as k8s from "@pulumi/kubernetes";
import { integerOption, parseCommand } from "../cli/command";
import { runPlan } from "../plan/run";
import { declareInBatches, DECLARE_BATCH } from "../stacks/batches";
import { PROJECT } from "../stacks/config";
import { RESULT_MARKER } from "./report";

/** Resources the platform declares per batched item (an app: namespace, quota, limits, role, binding, sync object...). */
const RESOURCES_PER_ITEM = 9;

async function main(): Promise<void> {
    const { values } = parseCommand(process.argv.slice(2), {
        usage: "usage: bareOnce.ts --resources <n>",
        options: { resources: { type: "string" } },
    });
    const count = integerOption("resources", values.resources ?? "", 1, 1, 1_000_000);
    const started = process.hrtime.bigint();
    const plan = await runPlan({ project: PROJECT, stack: "bare", config: {}, secretKeys: [] }, async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const items = Array.from({ length: Math.ceil(count / RESOURCES_PER_ITEM) }, (_, i) => i);
        let declared = 0;
        await declareInBatches(
            items,
            (item) => {
                for (let j = 0; j < RESOURCES_PER_ITEM && declared < count - 2; j++, declared++) {
                    new k8s.core.v1.ConfigMap(
                        `item-${item}-${j}`,
                        { metadata: { name: `item-${item}-${j}`, namespace: `ns-${item}` }, data: { key: "value" } },
                        { provider },
                    );
                }
            },
            DECLARE_BATCH,
        );
        return {};
    });
    const planMs = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
        `${RESULT_MARKER}${JSON.stringify({ ok: true, resources: plan.resources.length, planMs, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
    );
}

main().catch((error: unknown) => {
    process.stdout.write(
        `${RESULT_MARKER}${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    process.exitCode = 1;
});

/**
 * The program: read the stack's config, validate all of it, then declare the platform.
 * Nothing is declared when the config has a problem.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, PlatformConfig } from "./config";
import { definePlatform } from "./platform";

// Pulumi offers no public synchronous way to ask whether a config key was set as a secret;
// this internal function (in the pinned @pulumi/pulumi) is what `Config.get` itself uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

export function readPlatformConfig(): PlatformConfig {
    return loadConfig({ values: pulumi.runtime.allConfig(), isSecret: isConfigSecret, stack: pulumi.getStack() });
}

/** Entry point: returns the stack outputs. */
export async function runPlatform(): Promise<Record<string, unknown>> {
    return definePlatform(readPlatformConfig()).outputs;
}

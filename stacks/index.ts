/**
 * The program: read the stack's config, validate all of it, then declare the platform.
 * Nothing is declared when the config has a problem.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, PlatformConfig } from "./config";
import { definePlatform } from "./platform";

/**
 * The keys set as secrets, as the Pulumi CLI hands them to the program: the Node.js language host
 * puts them in PULUMI_CONFIG_SECRET_KEYS (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * pulumiConfigSecretKeysVar), which @pulumi/pulumi 3.270.0 itself reads (runtime/state.js). The SDK's
 * own reader (runtime/config isConfigSecret) is @internal, so the program does not import it.
 */
export function configSecretKeys(env: NodeJS.ProcessEnv = process.env): Set<string> {
    const text = env.PULUMI_CONFIG_SECRET_KEYS;
    const keys: unknown = text ? JSON.parse(text) : [];
    return new Set(Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : []);
}

export function readPlatformConfig(): PlatformConfig {
    const secretKeys = configSecretKeys();
    return loadConfig({
        values: pulumi.runtime.allConfig(),
        isSecret: (key) => secretKeys.has(key),
        stack: pulumi.getStack(),
    });
}

/** Entry point: returns the stack outputs. */
export async function runPlatform(): Promise<Record<string, unknown>> {
    return (await definePlatform(readPlatformConfig())).outputs;
}

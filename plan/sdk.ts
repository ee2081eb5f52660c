/**
 * Everything the offline plan takes from @pulumi/pulumi beyond its documented mocks API, in one place
 * (the SDK is pinned in package.json; test/plan-sdk.test.ts checks what this relies on). Public exports
 * are used where the SDK has them: `pulumi.runtime.getMonitor()` for the mock monitor, and the
 * serialization signatures from `pulumi.runtime` (sdk/nodejs/runtime/rpc.ts). What remains internal:
 * the shape of the mock monitor's requests, and `Resource.callsites`.
 */
import * as pulumi from "@pulumi/pulumi";

/** Signatures of Pulumi's property serialization, as the monitor receives inputs and outputs. */
export const WIRE = {
    sigKey: pulumi.runtime.specialSigKey,
    secretSig: pulumi.runtime.specialSecretSig,
    resourceSig: pulumi.runtime.specialResourceSig,
    unknownValue: pulumi.runtime.unknownValue,
} as const;

/** A resource registration as the mock monitor receives it (what plan/recorder.ts reads of it). */
export interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
}

export interface MonitorLike {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string }) => void): unknown;
}

interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** The mock monitor `setMocks` installs, with the two calls the plan wraps (requests as the SDK builds them). */
export interface MockMonitor extends MonitorLike {
    registerResourceOutputs(req: OutputsRequest, callback: (err: unknown, resp?: unknown) => void): void;
}

/** The monitor of the running (mocked) program; call after `pulumi.runtime.setMocks`. */
export function mockMonitor(): MockMonitor {
    const monitor = pulumi.runtime.getMonitor();
    if (monitor === undefined) {
        throw new Error("no resource monitor: the plan calls pulumi.runtime.setMocks first");
    }
    return monitor;
}

/**
 * Pulumi captures a stack trace for every promise and resource (`new Error().stack`), for leak
 * reports and source positions the plan never shows; under a TypeScript loader each capture also goes
 * through source maps. That was two thirds of a 1000-app plan's time, so the plan turns stack traces
 * off while the program runs, and restores them after, also when it fails. PLAN_STACK_TRACES=1 keeps
 * them, to debug a failing program. `Resource.callsites` (private in @pulumi/pulumi 3.270.0,
 * resource.js) raises the trace limit to infinity for every resource's source position, which the
 * plan never records: it answers none.
 */
export async function withoutStackTraces<T>(run: () => Promise<T>): Promise<T> {
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

/**
 * The plan's adapter to @pulumi/pulumi (plan/sdk.ts): the SDK version it was written against, the wire
 * signatures it reads, and that the stack-trace switch restores the process's state.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { WIRE, withoutStackTraces } from "../plan/sdk";
import { planProgram } from "./harness";

const ROOT = path.resolve(__dirname, "..");

class Thing extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs) {
        super("test:index:Thing", name, props);
    }
}

describe("plan/sdk.ts: the plan's one adapter to SDK internals", () => {
    it("is pinned: package.json names one exact @pulumi/pulumi, and that is the version installed", () => {
        const pinned = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
                dependencies: Record<string, string>;
            }
        ).dependencies["@pulumi/pulumi"];
        assert.match(pinned, /^\d+\.\d+\.\d+$/);
        const installed = (
            JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }
        ).version;
        assert.equal(installed, pinned);
    });

    // pulumi/pulumi sdk/go/common/resource/sig/sig.go (commit 9a066946765a37113e748f26b470b6fe4fd7ab14):
    // Key, Secret, ResourceReference, and UnknownStringValue, which the engine and every SDK share.
    it("reads the wire signatures the engine defines", () => {
        assert.deepEqual(WIRE, {
            sigKey: "4dabf18193072939515e22adb298388d",
            secretSig: "1b47061264138c4ac30d75fd1eb44270",
            resourceSig: "5cf8f73096256a8f31e491e813e4eb8e",
            unknownValue: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        });
    });

    it("records secrets, resource references and outputs through the public monitor", async () => {
        const { resources, outputs } = await planProgram(() => {
            const first = new Thing("first", { token: pulumi.secret("s3cret") });
            new Thing("second", { other: first });
            return { name: "out" };
        });
        const byName = (name: string) => resources.find((r) => r.name === name)!;
        assert.deepEqual(byName("first").inputs, { token: "[secret]" });
        assert.deepEqual(byName("second").inputs, { other: { resource: byName("first").urn } });
        assert.deepEqual(outputs, { name: "out" });
    });

    it("turns stack traces off while the program runs and restores them, also when it fails", async () => {
        const errors = Error as { prepareStackTrace?: unknown; stackTraceLimit: number };
        const resource = pulumi.Resource as unknown as { callsites: unknown };
        const before = { prepareStackTrace: errors.prepareStackTrace, limit: errors.stackTraceLimit };
        const callsites = resource.callsites;
        let during: number | undefined;
        await assert.rejects(
            withoutStackTraces(async () => {
                during = Error.stackTraceLimit;
                await Promise.resolve();
                throw new Error("program failed");
            }),
            /program failed/,
        );
        assert.equal(during, process.env.PLAN_STACK_TRACES === "1" ? before.limit : 0);
        assert.equal(errors.prepareStackTrace, before.prepareStackTrace);
        assert.equal(errors.stackTraceLimit, before.limit);
        assert.equal(resource.callsites, callsites);
    });
});

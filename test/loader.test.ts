/**
 * scripts/register.cjs, the loader of the commands and of this suite: it defers the modules
 * @pulumi/pulumi loads only to serialize closures, and closures still serialize.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

const SDK = require.resolve("@pulumi/pulumi/package.json").replace(/package\.json$/, "");

describe("loader: what the Pulumi SDK loads only for closures waits until used", () => {
    it("has not loaded npm's Arborist, though the SDK is loaded", () => {
        assert.ok(require.cache[require.resolve("@pulumi/pulumi")]);
        assert.deepEqual(
            Object.keys(require.cache).filter((file) => file.includes("/@npmcli/arborist/")),
            [],
        );
    });

    it("still serializes a closure (TypeScript's parser, loaded on first use)", async () => {
        const { text } = await pulumi.runtime.serializeFunction(() => 6 * 7);
        assert.match(text, /return \(\) ?=> ?6 \* 7;/);
    });

    it("defers them as the pinned SDK reads them (@pulumi/pulumi 3.270.0)", () => {
        const source = (file: string) => fs.readFileSync(`${SDK}${file}`, "utf8");
        assert.equal((JSON.parse(source("package.json")) as { version: string }).version, "3.270.0");
        // typescript-shim.js passes the module on as it is; its users read members of it.
        assert.match(source("typescript-shim.js"), /module\.exports = require\("typescript"\);/);
        // codePaths.js takes Arborist through __importStar and reads only its Arborist member.
        const codePaths = source("runtime/closure/codePaths.js");
        assert.match(codePaths, /const arborist = __importStar\(require\("@npmcli\/arborist"\)\);/);
        assert.deepEqual([...new Set(codePaths.match(/arborist\.\w+/g))], ["arborist.Arborist"]);
    });
});

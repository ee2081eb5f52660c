/** docs/promotion.md: its config snippets validate over production's stack file, its offline command runs. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { main } from "../delivery/promoteCli";
import { PROJECT_ROOT } from "../plan/stackFile";
import { captureOutput } from "./delivery-capture";
import { configProblems } from "./harness";

const DOC = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "promotion.md"), "utf8");
const blocks = (language: string) =>
    [...DOC.matchAll(new RegExp("^( *)```" + language + "\\n([\\s\\S]*?)^\\1```$", "gm"))].map((m) =>
        m[2].replace(new RegExp(`^${m[1]}`, "gm"), ""),
    );

describe("docs/promotion.md", () => {
    const snippets = blocks("yaml");
    it("has config snippets", () => assert.equal(snippets.length, 2));
    snippets.forEach((snippet, index) => {
        it(`config snippet ${index + 1} validates over Pulumi.production.yaml`, () => {
            const config = (YAML.parse(snippet) as { config: Record<string, unknown> }).config;
            assert.deepEqual(configProblems("production", { set: config }), []);
        });
    });

    it("the offline command runs on the recorded evidence and writes nothing", async () => {
        const command = blocks("sh")
            .find((b) => b.includes("--evidence"))!
            .trim();
        const argv = command.replace(/^npm run promote -- /, "").split(/\s+/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promotion-docs-"));
        for (const file of ["Pulumi.production.yaml", "Pulumi.staging.yaml"]) {
            fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(dir, file));
        }
        const resolved = argv.map((a) => (a.startsWith("test/") ? path.join(PROJECT_ROOT, a) : a));
        const { result, out, err } = await captureOutput(() =>
            main(resolved, dir, { now: () => new Date("2026-12-06T12:00:00Z") }),
        );
        assert.equal(result, 0, err);
        assert.match(out, /would change Pulumi.production.yaml/);
        assert.equal(
            fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8"),
            fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.production.yaml"), "utf8"),
        );
        assert.equal(fs.existsSync(path.join(dir, "promotion")), false);
    });
});

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { main, parseStackArgs } from "../plan/cli";
import { TYPESCRIPT_LOADER, UsageError } from "../cli/command";
import { maskSerialized, SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER } from "../plan/recorder";
import { OFFLINE_SECRET_VALUE, PROJECT_ROOT, readStackConfig, stackFilePath, stackNameOf } from "../plan/stackFile";
import { captureOutput } from "./delivery-capture";
import { CHECKED_IN_STACKS, planStack } from "./harness";

/** Runs `npm run plan` the way a reviewer does, in a child process: the one smoke test of the CLI itself. */
function runPlanCliProcess(args: string[]) {
    const result = spawnSync(process.execPath, [...TYPESCRIPT_LOADER, "plan/cli.ts", ...args], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The plan command's main, in-process, with its output captured. */
async function runPlanCli(args: string[]) {
    const { result, out, err } = await captureOutput(() => main(args));
    return { code: result, stdout: out, stderr: err };
}

function assertPlanJson(stdout: string) {
    const resources = JSON.parse(stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(resources) && resources.length > 1);
    for (const resource of resources) {
        assert.deepEqual(
            Object.keys(resource).sort(),
            ["dependencies", "inputs", "name", "options", "parent", "provider", "type", "urn"]
                .filter((k) => k in resource)
                .sort(),
        );
        assert.deepEqual(Object.keys(resource.options as object).sort(), [
            "deleteBeforeReplace",
            "dependsOn",
            "ignoreChanges",
            "protect",
            "retainOnDelete",
        ]);
    }
    assert.equal(resources[0].type, "pulumi:pulumi:Stack");
}

describe("offline plan command", () => {
    it("runs as npm run plan does, in its own process, and prints the local plan as JSON", function () {
        this.timeout(120_000);
        const { code, stdout, stderr } = runPlanCliProcess(["--stack", "local", "--json"]);
        assert.equal(code, 0, stderr);
        assertPlanJson(stdout);
    });

    for (const stack of CHECKED_IN_STACKS) {
        it(`prints the ${stack} plan as one JSON array of resources`, async () => {
            const { code, stdout, stderr } = await runPlanCli(["--stack", stack, "--json"]);
            assert.equal(code, 0, stderr);
            assertPlanJson(stdout);
        });
    }

    it("prints a tree by default", async () => {
        const { code, stdout } = await runPlanCli(["--stack", "local"]);
        assert.equal(code, 0);
        assert.match(stdout, /^pulumi:pulumi:Stack gitops-platform-local\n {2}\S/);
        assert.match(stdout, /\n\d+ resources\n$/);
    });

    it("exits 1 on a config file with bad values, naming every bad key and declaring nothing", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bad-"));
        const file = path.join(dir, "Pulumi.broken.yaml");
        // The parts of staging's stack file this test breaks.
        const document = YAML.parse(fs.readFileSync(stackFilePath("staging"), "utf8")) as {
            config: Record<string, unknown> & {
                "gitops-platform:cluster": { nodeGroups: Record<string, { maxSize: number }> };
                "gitops-platform:apps": { name: string }[];
            };
        };
        document.config["gitops-platform:environment"] = "qa";
        document.config["gitops-platform:cluster"].nodeGroups.general.maxSize = 0;
        document.config["gitops-platform:apps"][0].name = "Payments";
        fs.writeFileSync(file, YAML.stringify(document));
        const { code, stdout, stderr } = await runPlanCli(["--config", file, "--json"]);
        assert.equal(code, 1);
        assert.equal(stdout, "");
        for (const key of [
            "gitops-platform:environment",
            "gitops-platform:cluster.nodeGroups.general.maxSize",
            "gitops-platform:apps[0].name",
        ]) {
            assert.ok(stderr.includes(`- ${key}: `), `report lacks ${key}:\n${stderr}`);
        }
        assert.match(stderr, /nothing was declared/);
    });

    it("exits 2 on bad arguments", async () => {
        const { code, stderr } = await runPlanCli(["--stak", "staging"]);
        assert.equal(code, 2);
        assert.match(stderr, /unknown argument "--stak"/);
    });
});

describe("plan arguments", () => {
    it("parses stack, config file and --json", () => {
        assert.deepEqual(parseStackArgs(["--stack", "staging", "--json"]), {
            stack: "staging",
            configFile: undefined,
            json: true,
        });
        assert.deepEqual(parseStackArgs(["--config", "x.yaml"]), {
            stack: undefined,
            configFile: "x.yaml",
            json: false,
        });
    });

    const bad: [string, string[], RegExp][] = [
        ["no stack and no file", [], /name a stack or a config file/],
        ["a flag without its value", ["--stack"], /--stack needs a value/],
        ["a flag where the value should be", ["--stack", "--json"], /--stack needs a value/],
        ["an unknown flag", ["--stack", "x", "--yes"], /unknown argument "--yes"/],
    ];
    for (const [name, argv, message] of bad) {
        it(`rejects ${name}`, () => {
            assert.throws(
                () => parseStackArgs(argv),
                (error: unknown) => error instanceof UsageError && message.test(error.message),
            );
        });
    }
});

describe("stack files", () => {
    it("names the stack after the file", () => {
        assert.equal(stackNameOf("/x/Pulumi.production.yaml"), "production");
        assert.equal(stackNameOf("/x/broken.yaml"), "offline");
    });

    it("reads structured values as JSON text and secure values as secrets", () => {
        const { config, secretKeys } = readStackConfig(stackFilePath("staging"));
        assert.equal(config["gitops-platform:environment"], "staging");
        assert.equal((JSON.parse(config["gitops-platform:cluster"]) as { type: string }).type, "eks");
        assert.deepEqual(secretKeys, [
            "gitops-platform:ssoClientSecret",
            "gitops-platform:slackWebhookUrl",
            "gitops-platform:githubStatusToken",
        ]);
        assert.equal(config["gitops-platform:ssoClientSecret"], OFFLINE_SECRET_VALUE);
    });
});

describe("plan recorder", () => {
    it("masks secrets, marks unknowns and names referenced resources", () => {
        const serialized = {
            a: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
            b: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9", 1],
            c: { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x", id: "i" },
            d: { e: "plain" },
        };
        assert.deepEqual(maskSerialized(serialized), {
            a: SECRET_PLACEHOLDER,
            b: [UNKNOWN_PLACEHOLDER, 1],
            c: { resource: "urn:x" },
            d: { e: "plain" },
        });
    });
});

describe("no secret in plain text", () => {
    // Known values for every secret a stack can be given; none may appear in a plan or an output.
    const SECRETS = {
        "gitops-platform:ssoClientSecret": "sso-client-secret-4f9a1c",
        "github:token": "github-token-8d2e7b",
    };
    for (const stack of CHECKED_IN_STACKS) {
        it(`keeps the ${stack} stack's secrets out of every declared input and output`, async () => {
            const plan = await planStack(stack, { secrets: SECRETS });
            const text = JSON.stringify(plan);
            for (const [key, value] of Object.entries(SECRETS)) {
                assert.ok(!text.includes(value), `${key}'s value appears in the ${stack} plan`);
            }
        });
    }
});

describe("the project's commands", () => {
    it("run with the one TypeScript loader the benchmark and these tests use (cli/command.ts)", () => {
        const { scripts } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
            scripts: Record<string, string>;
        };
        for (const name of ["plan", "bench", "promote", "seed", "check", "drift"]) {
            assert.match(
                scripts[name],
                new RegExp(`^node ${TYPESCRIPT_LOADER.join(" ")} [a-z]+/[A-Za-z]+\\.ts$`),
                name,
            );
        }
    });
});

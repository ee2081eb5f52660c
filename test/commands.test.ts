/**
 * Commands that explain themselves (issue 26): every command of package.json (and the guard, which the
 * workflows run by path) answers `--help` with exit 0 within seconds, starting no work, and its help
 * explains every option and every exit code it uses; docs/commands.md has the one exit-code table; an
 * unknown stack is a bad argument that lists the stacks there are.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, EXIT_MEANINGS, TYPESCRIPT_LOADER } from "../cli/command";
import { PROJECT_ROOT, stackNames } from "../plan/stackFile";
import { main as benchMain } from "../bench/run";
import { main as driftMain } from "../delivery/driftCli";
import { main as promoteMain } from "../delivery/promoteCli";
import { main as planMain } from "../plan/cli";
import { main as seedMain } from "../plan/seedCli";
import { main as checkMain } from "../policy/check";
import { captureOutput } from "./delivery-capture";

const SCRIPTS = (
    JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
    }
).scripts;

/** npm's own scripts, not commands of the program: they take the tools' flags. */
const TOOL_SCRIPTS = ["test", "format", "lint"];

/** Commands other helpers are writing (issues 24 and 27): checked as soon as their file exists. */
const PENDING = ["preflight", "bump"];

const LOADER_PREFIX = `node ${TYPESCRIPT_LOADER.join(" ")} `;

/** Each command: its name and the file package.json runs (the guard by the path the workflows use). */
function commands(): [string, string][] {
    const scripts = Object.entries(SCRIPTS)
        .filter(([name]) => !TOOL_SCRIPTS.includes(name))
        .map(([name, script]): [string, string] => {
            assert.ok(script.startsWith(LOADER_PREFIX), `${name}: "${script}" does not run a file of this project`);
            return [name, script.slice(LOADER_PREFIX.length)];
        });
    return [...scripts, ["guard", "delivery/guard.ts"]];
}

/** The help's "Exit codes" section as code → text. */
function exitSection(help: string): Map<number, string> {
    const section = help.split(/^Exit codes.*:$/m)[1] ?? "";
    return new Map([...section.matchAll(/^ {2}(\d+) {2}(.+)$/gm)].map((m) => [Number(m[1]), m[2]]));
}

describe("commands: --help", function () {
    this.timeout(120_000);

    it("lists every script of package.json but npm's tool scripts", () => {
        assert.deepEqual(
            commands()
                .map(([name]) => name)
                .sort(),
            [...Object.keys(SCRIPTS).filter((name) => !TOOL_SCRIPTS.includes(name)), "guard"].sort(),
        );
    });

    for (const [name, file] of commands()) {
        it(`${name} --help exits 0 within seconds, starts nothing, and explains every option and exit code`, function () {
            if (PENDING.includes(name) && !fs.existsSync(path.join(PROJECT_ROOT, file))) {
                this.skip(); // not written yet; checked like the others once it lands
            }
            const started = Date.now();
            // An empty PATH: no pulumi, kubectl or cluster to reach, whatever the command would start.
            const result = spawnSync(process.execPath, [...TYPESCRIPT_LOADER, file, "--help"], {
                cwd: PROJECT_ROOT,
                encoding: "utf8",
                timeout: 60_000,
                env: { PATH: fs.mkdtempSync(path.join(os.tmpdir(), "help-path-")), HOME: os.tmpdir() },
            });
            const seconds = (Date.now() - started) / 1000;
            assert.equal(result.status, 0, `${name} --help: ${result.stderr}`);
            assert.ok(seconds < 30, `${name} --help took ${seconds} s`);
            assert.equal(result.stderr, "", "help goes to stdout, nothing else is printed");
            const help = result.stdout;
            assert.match(help, /^usage: /);
            // Every flag of the usage line has its line in the options (the parser also refuses a help
            // that leaves an option out, cli/command.ts).
            const usage = help.split("\n")[0];
            const options = help.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? "";
            for (const flag of usage.match(/--[a-z][a-z-]*/g) ?? []) {
                assert.match(options, new RegExp(`^ {2}${flag}\\b`, "m"), `${name}: ${flag} is not explained`);
            }
            const exits = exitSection(help);
            for (const code of [EXIT.ok, EXIT.usage, EXIT.unexpected]) {
                assert.ok(
                    exits.has(code),
                    `${name}: exit ${code} is not explained (build the help with helpText, cli/command.ts)`,
                );
            }
            for (const code of exits.keys()) {
                assert.ok(code in EXIT_MEANINGS, `${name}: exit ${code} is not in the convention`);
            }
        });
    }

    it("the parser refuses a help text that leaves an option out", async () => {
        const { parseCommand } = await import("../cli/command");
        assert.throws(
            () =>
                parseCommand(["--help"], {
                    usage: "usage: x --a",
                    options: { a: { type: "boolean" }, b: { type: "string" } },
                }),
            /the help text does not explain --b/,
        );
    });
});

describe("commands: one exit-code convention", () => {
    it("docs/commands.md's table is EXIT_MEANINGS, code for code", () => {
        const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "commands.md"), "utf8");
        const rows = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => [Number(m[1]), m[2].trim()]);
        assert.deepEqual(
            rows,
            Object.entries(EXIT_MEANINGS).map(([code, meaning]) => [Number(code), meaning]),
        );
    });

    it("seed --help exits 0 (it exited 2, unexpected argument); a refusal to overwrite is 4, not 2", async () => {
        assert.equal((await captureOutput(() => seedMain(["--help"]))).result, EXIT.ok);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "seed-"));
        fs.writeFileSync(path.join(out, "README.md"), "mine\n");
        const { result, err } = await captureOutput(() => seedMain(["--stack", "local", "--out", out]));
        assert.equal(result, EXIT.refused);
        assert.match(err, /^refused: not overwriting what is there: README\.md/);
    });
});

describe("commands: an unknown stack lists the stacks there are", function () {
    this.timeout(60_000);
    const listed = `the stacks are: ${stackNames().join(", ")}`;

    it("knows the checked-in stacks", () => {
        const names = stackNames();
        assert.deepEqual(names, [...names].sort());
        for (const stack of ["fleet-example", "local", "production", "staging"]) {
            assert.ok(names.includes(stack), stack);
        }
        assert.ok(!names.includes("yaml") && !names.some((name) => name.includes("/")));
    });

    const cases: [string, () => number | Promise<number>][] = [
        ["plan", () => planMain(["--stack", "stagin"])],
        ["check", () => checkMain(["--stack", "stagin"])],
        ["seed", () => seedMain(["--stack", "stagin", "--out", os.tmpdir()])],
        ["drift", () => driftMain(["--stack", "stagin", "--preview", "none.json"])],
        ["promote", () => promoteMain(["--from", "staging", "--to", "prod", "--dry-run"])],
        ["bench", () => benchMain(["--base", "stagin"])],
    ];
    for (const [name, run] of cases) {
        it(name, async () => {
            const { result, err } = await captureOutput(run);
            assert.equal(result, EXIT.usage, err);
            assert.match(err, /^no stack "(stagin|prod)" \(no Pulumi\.(stagin|prod)\.yaml in /);
            assert.ok(err.includes(listed), err);
        });
    }
});

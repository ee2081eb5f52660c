/**
 * Docs tested like code (issue 26): every stack-config snippet in README.md and docs/**\/*.md is
 * validated against the config schema, and every offline command they show runs and exits 0; every
 * other command's flags must be ones its --help explains. How snippets and commands are recognised is
 * said in docs/testing.md ("Docs are tested like code"); planted breaks below show both checks catch a
 * renamed key and a changed flag.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { TYPESCRIPT_LOADER } from "../cli/command";
import { stackConfigFromText, PROJECT_ROOT } from "../plan/stackFile";
import { main as planMain } from "../plan/cli";
import { main as checkMain } from "../policy/check";
import { ConfigError, loadConfig } from "../stacks/config";
import { captureOutput } from "./delivery-capture";

/** README.md and every Markdown file under docs/, relative to the root. */
function docFiles(): string[] {
    const walk = (dir: string): string[] =>
        fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
            const relative = path.join(dir, entry.name);
            return entry.isDirectory() ? walk(relative) : entry.name.endsWith(".md") ? [relative] : [];
        });
    return ["README.md", ...walk("docs")];
}

interface Block {
    readonly file: string;
    readonly line: number;
    readonly lang: string;
    readonly text: string;
}

/** Fenced code blocks (```lang), indented ones included (a block inside a list item). */
export function codeBlocks(file: string, markdown: string): Block[] {
    const blocks: Block[] = [];
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
        if (!open) {
            continue;
        }
        const indent = open[1].length;
        const body: string[] = [];
        let j = i + 1;
        for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) {
            body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
        }
        blocks.push({ file, line: i + 1, lang: open[2], text: body.join("\n") });
        i = j;
    }
    return blocks;
}

const FRAGMENT = /^# fragment of (Pulumi\.([\w.-]+)\.yaml)/;
/** A stack config key: `namespace:key`. */
const CONFIG_KEY = /^[a-z][\w-]*:[A-Za-z]\w*$/;

type Snippet = { readonly kind: "file" | "fragment"; readonly stack: string; readonly text: string } | undefined;

/** What a yaml block is: a whole stack file, a fragment over one, or not stack config (undefined). */
export function stackSnippet(block: Block): Snippet {
    const document = YAML.parse(block.text) as unknown;
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
        return undefined;
    }
    const keys = Object.keys(document);
    const base = FRAGMENT.exec(block.text);
    if (keys.length === 1 && keys[0] === "config") {
        return { kind: "file", stack: base?.[2] ?? "offline", text: block.text };
    }
    if (!keys.some((key) => CONFIG_KEY.test(key))) {
        return undefined;
    }
    assert.ok(
        base,
        `${block.file}:${block.line}: stack config keys without "# fragment of Pulumi.<stack>.yaml" on the first line (or a config: mapping)`,
    );
    return { kind: "fragment", stack: base[2], text: block.text };
}

/** The stack file a snippet stands for: a fragment's keys replace the base file's keys of the same name. */
export function snippetStackFile(snippet: NonNullable<Snippet>): string {
    if (snippet.kind === "file") {
        return snippet.text;
    }
    const base = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${snippet.stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
    };
    const fragment = YAML.parse(snippet.text) as Record<string, unknown>;
    return YAML.stringify({ config: { ...base.config, ...fragment } });
}

/** The config problems of a snippet, as the program reports them; [] when it validates. */
function snippetProblems(snippet: NonNullable<Snippet>): string[] {
    const file = `Pulumi.${snippet.stack}.yaml`;
    const { config, secretKeys } = stackConfigFromText(file, snippetStackFile(snippet));
    try {
        loadConfig({ values: config, isSecret: (key) => secretKeys.includes(key), stack: snippet.stack });
        return [];
    } catch (error) {
        if (error instanceof ConfigError) {
            return error.problems.map((p) => `${p.key}: ${p.message}`);
        }
        throw error;
    }
}

/** `npm run <script> -- args` lines of a sh block (comments and continuation lines joined). */
export function npmCommands(block: Block): { script: string; args: string[]; text: string }[] {
    const joined = block.text.replace(/\\\n\s*/g, " ");
    return joined.split("\n").flatMap((line) => {
        const text = line.replace(/\s+#.*$/, "").trim();
        const match = /^npm run (?:--silent )?([\w:-]+)(?: -- (.*))?$/.exec(text);
        if (!match) {
            return [];
        }
        return [{ script: match[1], args: (match[2] ?? "").split(/\s+/).filter(Boolean), text }];
    });
}

const SCRIPTS = (
    JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/** The help text of an npm script's command (cached: each is a child process). */
const helps = new Map<string, string>();
function helpOf(script: string): string | undefined {
    const command = SCRIPTS[script];
    assert.ok(command, `npm run ${script}: no such script in package.json`);
    const file = command.split(" ").at(-1)!;
    if (!fs.existsSync(path.join(PROJECT_ROOT, file))) {
        return undefined; // a command another helper is still writing (preflight, bump): checked once it exists
    }
    if (!helps.has(script)) {
        const result = spawnSync(process.execPath, [...TYPESCRIPT_LOADER, file, "--help"], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            timeout: 60_000,
        });
        assert.equal(result.status, 0, `npm run ${script} -- --help: ${result.stderr}`);
        assert.match(result.stdout, /^usage: /);
        helps.set(script, result.stdout);
    }
    return helps.get(script);
}

/** The flags a documented command uses that its help does not explain. */
export function unknownFlags(args: readonly string[], help: string): string[] {
    const options = help.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? "";
    const explained = new Set([...options.matchAll(/^ {2}(--[a-z][\w-]*)/gm)].map((m) => m[1]));
    return args
        .map((arg) => arg.replace(/^\[/, "").replace(/[\]]+$/, ""))
        .filter((arg) => arg.startsWith("--"))
        .map((arg) => arg.split("=")[0])
        .filter((flag) => !explained.has(flag));
}

/** Commands that need nothing but this checkout, and so run in the test. */
const RUNNERS: Readonly<Record<string, (argv: readonly string[]) => number | Promise<number>>> = {
    plan: planMain,
    check: checkMain,
};

const runnable = (command: { script: string; args: string[]; inline?: boolean }) =>
    !command.inline && command.script in RUNNERS && !command.args.some((arg) => /[<>[\]|]/.test(arg));

const blocks = docFiles().flatMap((file) => codeBlocks(file, fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")));
const yamlBlocks = blocks.filter((b) => b.lang === "yaml");
/** Inline `npm run ...` in the prose, as one-line sh blocks (their flags are checked like the others'). */
function inlineCommands(file: string, markdown: string): Block[] {
    const prose = markdown.replace(/^\s*```[\s\S]*?^\s*```\s*$/gm, (fence) => fence.replace(/[^\n]/g, ""));
    return prose.split("\n").flatMap((line, index) =>
        [...line.matchAll(/`(npm run [^`]+)`/g)].map((m) => ({
            file,
            line: index + 1,
            lang: "inline",
            text: m[1],
        })),
    );
}

const inline = docFiles().flatMap((file) =>
    inlineCommands(file, fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")),
);
/** npm's own scripts, which take the tools' flags (test/commands.test.ts says the same). */
const TOOL_SCRIPTS = ["test", "format", "lint"];
const commands = [...blocks.filter((b) => b.lang === "sh"), ...inline].flatMap((b) =>
    npmCommands(b)
        .filter((c) => !TOOL_SCRIPTS.includes(c.script))
        // A command named in the prose is not an instruction to run it: only its flags are checked.
        .map((c) => ({ ...c, inline: b.lang === "inline", where: `${b.file}:${b.line}` })),
);

describe("docs: stack config snippets", () => {
    it("finds the snippets of the README and the walkthroughs", () => {
        const snippets = yamlBlocks.filter((b) => stackSnippet(b) !== undefined).map((b) => b.file);
        for (const file of ["README.md", "docs/walkthroughs/add-an-app.md", "docs/walkthroughs/add-a-team.md"]) {
            assert.ok(snippets.includes(file), `no stack config snippet found in ${file}`);
        }
    });

    for (const block of yamlBlocks) {
        const snippet = (() => {
            try {
                return stackSnippet(block);
            } catch (error) {
                return error as Error;
            }
        })();
        if (snippet === undefined) {
            continue;
        }
        it(`${block.file}:${block.line} is valid stack config`, () => {
            if (snippet instanceof Error) {
                throw snippet;
            }
            assert.deepEqual(snippetProblems(snippet), []);
        });
    }

    it("catches a documented key that the schema no longer knows (a rename planted in each snippet)", () => {
        for (const block of yamlBlocks) {
            const snippet = stackSnippet(block);
            if (snippet === undefined) {
                continue;
            }
            // Rename each key of the snippet in turn, as a rename in the schema would leave the docs, until
            // one is a schema field (map keys such as team names are names, not fields): it must be refused.
            const lines = snippet.text.split("\n");
            const caught = lines.some((line, index) => {
                const key = /^\s+(?:- )?([a-z]\w*):/.exec(line)?.[1];
                if (key === undefined) {
                    return false;
                }
                const renamed = [...lines];
                renamed[index] = line.replace(`${key}:`, `${key}Renamed:`);
                return snippetProblems({ ...snippet, text: renamed.join("\n") }).some((p) =>
                    p.includes(`unknown key "${key}Renamed"`),
                );
            });
            assert.ok(caught, `${block.file}:${block.line}: no renamed key of the snippet was refused`);
        }
    });

    it("refuses stack config keys without a base to merge them over", () => {
        assert.throws(
            () => stackSnippet({ file: "x.md", line: 1, lang: "yaml", text: "gitops-platform:apps: []\n" }),
            /without "# fragment of Pulumi.<stack>.yaml"/,
        );
        assert.equal(
            stackSnippet({ file: "x.md", line: 1, lang: "yaml", text: "apiVersion: v1\nkind: Secret\n" }),
            undefined,
        );
    });
});

describe("docs: commands", function () {
    this.timeout(180_000);

    it("finds the commands of the README, the walkthroughs and the commands page", () => {
        const files = new Set(commands.map((c) => c.where.split(":")[0]));
        for (const file of ["README.md", "docs/walkthroughs/first-local-run.md", "docs/commands.md"]) {
            assert.ok(files.has(file), `no npm run command found in ${file}`);
        }
        assert.ok(commands.some(runnable), "no offline command to run");
    });

    for (const command of commands) {
        if (command.args.includes("--help")) {
            it(`${command.where}: ${command.text} exits 0`, function () {
                if (helpOf(command.script) === undefined) {
                    this.skip();
                }
            });
        } else if (runnable(command)) {
            it(`${command.where}: ${command.text} exits 0`, async () => {
                const { result, err } = await captureOutput(() => RUNNERS[command.script](command.args));
                assert.equal(result, 0, err);
            });
        } else {
            it(`${command.where}: ${command.text} uses only flags its --help explains`, function () {
                const help = helpOf(command.script);
                if (help === undefined) {
                    this.skip();
                }
                assert.deepEqual(unknownFlags(command.args, help), []);
            });
        }
    }

    it("catches a documented flag the command no longer takes", async () => {
        const plan = commands.find((c) => c.script === "plan" && runnable(c))!;
        const renamed = plan.args.map((arg) => (arg === "--stack" ? "--stack-name" : arg));
        const { result } = await captureOutput(() => RUNNERS.plan(renamed));
        assert.equal(result, 2, "a renamed flag is a usage error");
        const help = helpOf("seed")!;
        assert.deepEqual(unknownFlags(["--stack", "local", "--output", os.tmpdir()], help), ["--output"]);
        assert.deepEqual(unknownFlags(["--stack", "local", "--out", os.tmpdir()], help), []);
    });
});

/** Pages other helpers are writing (issues 24, 25, 27, 28); a link to one is checked as soon as it exists. */
const PENDING_PAGES = [
    "docs/ci.md",
    "docs/ci-security.md",
    "docs/preflight.md",
    "docs/verification.md",
    "docs/production.md",
    "docs/upgrades.md",
    "docs/promotion.md",
    "docs/invariants.md",
];

describe("docs: the front door and its links", () => {
    it("keeps the README under 300 lines", () => {
        const lines = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8").split("\n").length;
        assert.ok(lines < 300, `README.md has ${lines} lines: move the detail into docs/`);
    });

    it("links only to pages and headings that exist", () => {
        const broken: string[] = [];
        const headings = (file: string) =>
            [...fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8").matchAll(/^#+ (.+)$/gm)].map((m) =>
                m[1]
                    .toLowerCase()
                    .replace(/[^\w\s-]/g, "")
                    .replace(/\s/g, "-"),
            );
        for (const file of docFiles()) {
            const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) {
                    continue; // an external address
                }
                const [page, anchor] = target.split("#");
                const linked = page === "" ? file : path.normalize(path.join(path.dirname(file), page));
                if (!fs.existsSync(path.join(PROJECT_ROOT, linked))) {
                    if (!PENDING_PAGES.includes(linked)) {
                        broken.push(`${file}: ${target}`);
                    }
                    continue;
                }
                if (anchor !== undefined && linked.endsWith(".md") && !headings(linked).includes(anchor)) {
                    broken.push(`${file}: ${target} (no such heading)`);
                }
            }
        }
        assert.deepEqual(broken, []);
    });
});

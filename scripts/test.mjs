// npm test: Prettier's check, the type check, ESLint and the mocha suite, side by side (one process each, so
// two cores stay busy); exits 1 when any of them fails. The type check and ESLint run in one process and share
// one TypeScript program: building it (parsing the SDKs' typings) is most of what either costs.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** `tsc --noEmit` over tsconfig.json, then `eslint .` with the same program; prints both reports. */
async function typesAndLint() {
    const { default: ts } = await import("typescript");
    const { ESLint } = await import("eslint");
    const configErrors = [];
    const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d) };
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, host);
    const program = ts.createProgram({
        rootNames: parsed?.fileNames ?? [],
        options: { ...parsed?.options, noEmit: true },
    });
    const diagnostics = [...configErrors, ...(parsed?.errors ?? []), ...ts.getPreEmitDiagnostics(program)];
    const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" };
    const format = process.env.FORCE_COLOR ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
    process.stdout.write(format(diagnostics, formatHost));

    const eslint = new ESLint({
        cwd: ROOT,
        // TypeScript files get the program above instead of the project service eslint.config.mjs names.
        overrideConfig: [
            { files: ["**/*.ts"], languageOptions: { parserOptions: { projectService: false, programs: [program] } } },
        ],
    });
    const results = await eslint.lintFiles(["."]);
    const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
    process.stdout.write(await (await eslint.loadFormatter("stylish")).format(results));
    process.stdout.write(`type check: ${diagnostics.length} error(s); ESLint: ${problems} problem(s)\n`);
    return diagnostics.length === 0 && problems === 0 ? 0 : 1;
}

/** Runs a task as a child process, its output kept until it ends so reports do not interleave. */
function task(name, args) {
    const started = Date.now();
    return new Promise((resolve) => {
        // Colours when npm test runs in a terminal, though each task writes to a pipe.
        const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: "1" } : process.env;
        const child = spawn(process.execPath, args, { cwd: ROOT, env });
        const output = [];
        child.stdout.on("data", (chunk) => output.push(chunk));
        child.stderr.on("data", (chunk) => output.push(chunk));
        child.on("close", (code) => {
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            process.stdout.write(`\n== ${name}: ${code === 0 ? "passed" : "FAILED"} in ${seconds} s\n`);
            process.stdout.write(Buffer.concat(output));
            resolve(code === 0);
        });
    });
}

if (process.argv[2] === "--types-and-lint") {
    process.exitCode = await typesAndLint();
} else {
    const passed = await Promise.all([
        // The two long tasks first; each takes about as long on this machine.
        task("mocha", [require.resolve("mocha/bin/mocha.js"), "test/**/*.test.ts"]),
        task("type check and ESLint", [fileURLToPath(import.meta.url), "--types-and-lint"]),
        task("prettier --check", [require.resolve("prettier/bin/prettier.cjs"), "--check", "--log-level", "warn", "."]),
    ]);
    process.exitCode = passed.every(Boolean) ? 0 : 1;
}

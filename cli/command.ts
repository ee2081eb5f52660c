/**
 * What the project's commands (plan, check, promote, guard, bench) share: one strict argument parser
 * (Node's util.parseArgs), usage errors, one-line input errors, the report of a bad stack config, and
 * running a main as the process's command.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { ConfigError } from "../stacks/config";

/** Bad command-line arguments; the message says what is wrong, then the usage line. */
export class UsageError extends Error {}

/** A file the command cannot read or parse (missing, a folder, bad YAML/JSON): one line, exit 1. */
export class InputError extends Error {}

/** `--help` was asked for: the usage goes to stdout and the command exits 0. */
export class HelpRequested extends Error {}

type OptionSpec = { readonly type: "string" | "boolean"; readonly multiple?: boolean };

export interface CommandSpec<T extends Record<string, OptionSpec>> {
    /** The usage text, printed by --help and after every usage error. */
    readonly usage: string;
    readonly options: T;
    /** Whether the command takes positional arguments (the guard's preview files). */
    readonly positionals?: boolean;
}

type Parsed<T extends Record<string, OptionSpec>> = {
    [K in keyof T]: T[K]["type"] extends "boolean"
        ? boolean | undefined
        : T[K]["multiple"] extends true
          ? string[] | undefined
          : string | undefined;
};

/**
 * Parses `argv` strictly: unknown flags, a missing value and stray positionals are UsageErrors; `--help`
 * (or `-h`) throws HelpRequested whatever else is given, so it never starts the command's work.
 */
export function parseCommand<T extends Record<string, OptionSpec>>(
    argv: readonly string[],
    spec: CommandSpec<T>,
): { values: Parsed<T>; positionals: string[] } {
    if (argv.includes("--help") || argv.includes("-h")) {
        throw new HelpRequested(spec.usage);
    }
    try {
        const options: Record<string, OptionSpec> = spec.options;
        const { values, positionals } = parseArgs({
            args: [...argv],
            options,
            strict: true,
            allowPositionals: spec.positionals ?? false,
        });
        for (const [name, value] of Object.entries(values)) {
            // parseArgs takes `--stack --json` as stack "--json"; a flag is never a value here.
            const list = Array.isArray(value) ? value : [value];
            if (list.some((v) => typeof v === "string" && v.startsWith("--"))) {
                throw new UsageError(`--${name} needs a value`);
            }
        }
        return { values: values as Parsed<T>, positionals };
    } catch (error) {
        throw new UsageError(`${usageMessage(error)}\n${spec.usage}`);
    }
}

/** parseArgs' messages in the words the commands use ("unknown argument", "needs a value"). */
function usageMessage(error: unknown): string {
    if (error instanceof UsageError) {
        return error.message;
    }
    const { code, message } = error as { code?: string; message: string };
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
        return `unknown argument "${quoted}"`;
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
        return `unexpected argument "${quoted}"`;
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing|is ambiguous/.test(message)) {
        return `${quoted.split(" ")[0]} needs a value`;
    }
    return message.split(". ")[0];
}

/** A whole number within [min, max] from a flag's text; anything else ("abc", "1.5", "") is a UsageError. */
export function integerOption(name: string, text: string | undefined, fallback: number, min = 1, max = 1000): number {
    if (text === undefined) {
        return fallback;
    }
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
        throw new UsageError(`--${name} expects a whole number from ${min} to ${max}, got "${text}"`);
    }
    return value;
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
    ENOENT: "no such file",
    EISDIR: "is a folder, not a file",
    EACCES: "not readable (permission denied)",
    ENOTDIR: "a part of the path is not a folder",
};

/** Reads a text file; a missing file, a folder or no permission is one InputError line. */
export function readTextFile(file: string, what = "file"): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        throw new InputError(`${what} ${file}: ${FILE_ERRORS[code] ?? (error as Error).message}`);
    }
}

/**
 * The exit code of an expected failure, after printing its message: 0 for --help (usage on stdout),
 * 2 for bad arguments, 1 for bad stack config or an unreadable file. Anything else is rethrown.
 */
export function expectedFailure(error: unknown): number {
    if (error instanceof HelpRequested) {
        process.stdout.write(`${error.message}\n`);
        return 0;
    }
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError) {
        process.stderr.write(`${error.message}\n`);
        return error instanceof UsageError ? 2 : 1;
    }
    throw error;
}

/**
 * Runs `main` with the process's arguments; its result is the exit code, and an unexpected error
 * prints its stack and exits 3. Sets exitCode rather than calling process.exit(), which would cut
 * off output still queued for a pipe.
 */
export function runCommand(main: (argv: readonly string[]) => number | Promise<number>): void {
    // The Pulumi runtime leaves the program's own rejection unhandled after main has reported it;
    // Node would print it again as an object dump.
    process.on("unhandledRejection", (reason) => {
        if (!(reason instanceof ConfigError)) {
            process.stderr.write(`${reason instanceof Error ? reason.stack : String(reason)}\n`);
            process.exitCode = 3;
        }
    });
    Promise.resolve(process.argv.slice(2))
        .then(main)
        .then(
            (code) => {
                process.exitCode = code;
            },
            (error: unknown) => {
                process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
                process.exitCode = 3;
            },
        );
}

/**
 * How the project's commands load TypeScript (package.json's scripts say the same; relative to the
 * project root, where they run): scripts/register.cjs transpiles each file with swc and defers what
 * the Pulumi SDK loads only for closure serialization (README, "Benchmarks").
 */
export const TYPESCRIPT_LOADER: readonly string[] = ["-r", "./scripts/register.cjs"];

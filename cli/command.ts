/**
 * What the project's commands (plan, seed, check, promote, drift, guard, bench, test:live) share: one
 * strict argument parser (Node's util.parseArgs), the help text's shape, one exit-code convention,
 * usage errors, one-line input errors, the report of a bad stack config, and running a main as the
 * process's command.
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

/** The command will not do what was asked (seed would overwrite, a promotion is refused): exit 4. */
export class Refused extends Error {}

/** Every command's exit codes: one convention, listed in docs/commands.md (a test keeps the two equal). */
export const EXIT = { ok: 0, badInput: 1, usage: 2, unexpected: 3, refused: 4, found: 5 } as const;

/** What each exit code means, for every command; a command's help says what it means there. */
export const EXIT_MEANINGS: Readonly<Record<number, string>> = {
    [EXIT.ok]: "done, or nothing found",
    [EXIT.badInput]: "bad input: a stack config the schema refuses, or a file missing, unreadable or malformed",
    [EXIT.usage]: "bad arguments: an unknown flag, a missing value, an unknown stack (the usage follows)",
    [EXIT.unexpected]: "unexpected failure: a bug, or a tool the command runs failed (the stack trace follows)",
    [EXIT.refused]: "refused: the command will not do what was asked, and says why; nothing was changed",
    [EXIT.found]: "found: the command ran and found what it looks for (violations, drift, a failed live test)",
};

export interface HelpSpec {
    /** The usage line, without "usage: ". */
    readonly usage: string;
    /** What the command does, in a few lines. */
    readonly summary: string;
    /** Each option as written (`--stack <name>`) and what it does; --help is added. */
    readonly options: readonly (readonly [string, string])[];
    /** Environment variables the command reads, and what for. */
    readonly environment?: readonly (readonly [string, string])[];
    /** What each exit code the command uses means for it; 2 and 3 are added with their common meaning. */
    readonly exits: Readonly<Partial<Record<number, string>>>;
}

/**
 * The help text of a command, the same shape for all: usage, what it does, every option, the
 * environment it reads, and every exit code.
 */
export function helpText(spec: HelpSpec): string {
    const table = (rows: readonly (readonly [string, string])[]) => {
        const width = Math.max(...rows.map(([left]) => left.length));
        return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
    };
    const options: (readonly [string, string])[] = [
        ...spec.options,
        ["--help", "print this help and exit 0; nothing runs, nothing is written"],
    ];
    const exits: Record<number, string> = {
        [EXIT.usage]: EXIT_MEANINGS[EXIT.usage],
        [EXIT.unexpected]: EXIT_MEANINGS[EXIT.unexpected],
        ...spec.exits,
    };
    const codes = Object.keys(exits)
        .map(Number)
        .sort((a, b) => a - b);
    return [
        `usage: ${spec.usage}`,
        "",
        spec.summary,
        "",
        "Options:",
        table(options),
        ...(spec.environment ? ["", "Environment:", table(spec.environment)] : []),
        "",
        "Exit codes (docs/commands.md):",
        table(codes.map((code) => [String(code), exits[code]])),
    ].join("\n");
}

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
        const unexplained = Object.keys(spec.options).filter((name) => !spec.usage.includes(`--${name}`));
        if (unexplained.length > 0) {
            // A programming error, caught by the commands' --help tests: the help must explain every option.
            throw new Error(`the help text does not explain ${unexplained.map((name) => `--${name}`).join(", ")}`);
        }
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
 * The exit code of an expected failure (EXIT), after printing its message: 0 for --help (usage on
 * stdout), 2 for bad arguments, 1 for bad stack config or an unreadable file, 4 for a refusal.
 * Anything else is rethrown.
 */
export function expectedFailure(error: unknown): number {
    if (error instanceof HelpRequested) {
        process.stdout.write(`${error.message}\n`);
        return EXIT.ok;
    }
    if (error instanceof Refused) {
        process.stderr.write(`refused: ${error.message}\n`);
        return EXIT.refused;
    }
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError) {
        process.stderr.write(`${error.message}\n`);
        return error instanceof UsageError ? EXIT.usage : EXIT.badInput;
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
            process.exitCode = EXIT.unexpected;
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
                process.exitCode = EXIT.unexpected;
            },
        );
}

/**
 * How the project's commands load TypeScript (package.json's scripts say the same; relative to the
 * project root, where they run): scripts/register.cjs transpiles each file with swc and defers what
 * the Pulumi SDK loads only for closure serialization (docs/benchmarks.md).
 */
export const TYPESCRIPT_LOADER: readonly string[] = ["-r", "./scripts/register.cjs"];

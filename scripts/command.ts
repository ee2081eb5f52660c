/**
 * What the project's commands (plan, check, promote, guard) share: usage errors, the report of a
 * bad stack config, and running a main as the process's command.
 */
import { ConfigError } from "../stacks/config";

/** Bad command-line arguments; the message says what is wrong, then the usage line. */
export class UsageError extends Error {}

/**
 * The exit code of an expected failure, after printing its message: 2 for bad arguments, 1 for bad
 * stack config (the validation report names every bad key). Anything else is rethrown.
 */
export function expectedFailure(error: unknown): number {
    if (error instanceof UsageError || error instanceof ConfigError) {
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
    Promise.resolve(process.argv.slice(2)).then(main).then((code) => {
        process.exitCode = code;
    }, (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 3;
    });
}

/** Runs a CLI's main function with stdout and stderr captured, for the delivery and policy tests. */
export async function captureOutput<T>(run: () => T | Promise<T>): Promise<{ result: T; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const writeOut = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = (chunk: string) => out.push(chunk) > 0;
    process.stderr.write = (chunk: string) => err.push(chunk) > 0;
    try {
        const result = await run();
        return { result, out: out.join(""), err: err.join("") };
    } finally {
        process.stdout.write = writeOut;
        process.stderr.write = writeErr;
    }
}

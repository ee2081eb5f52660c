/**
 * npm run bench [-- --runs 5 --large-runs 3 --base staging --out bench/results/latest.json]
 *
 * Plans each checked-in stack, and generated configs of 10, 100 and 1000 apps for each engine
 * (from the --base stack), each plan in a fresh child process (bench/planOnce.ts), and prints:
 * plan cost (median and spread of wall time, plan time, peak RSS, time per resource), the critical
 * path of each stack under bench/create-times.ts, and the targets of issue 9 as PASS/MISS.
 * A case whose plan fails is reported as an error line; the others still run.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT, stackFilePath, unknownStackError } from "../plan/stackFile";
import {
    EXIT,
    expectedFailure,
    helpText,
    integerOption,
    parseCommand,
    runCommand,
    TYPESCRIPT_LOADER,
} from "../cli/command";
import type { EngineType } from "./generate";
import type { PlanMeasurement } from "./measurement";
import { issue17Targets, resourcesPerApp } from "./scale";
import {
    CaseSummary,
    RESULT_MARKER,
    formatSpread,
    formatTarget,
    offClusterTarget,
    pathTarget,
    spread,
    TargetResult,
} from "./report";

const STACKS = ["staging", "production", "local"] as const;
const ENGINES: readonly EngineType[] = ["argocd", "flux"];
const SCALES = [10, 100, 1000, 5000] as const;
/** A plan that takes longer than this is stopped and reported as an error. */
const CHILD_TIMEOUT_MS = 180_000;

interface Options {
    readonly runs: number;
    readonly largeRuns: number;
    readonly base: string;
    readonly out: string;
}

const USAGE = helpText({
    usage: "npm run bench [-- --runs 5 --large-runs 3 --base staging --out bench/results/latest.json]",
    summary:
        "Plans each stack, and generated configs of 10 to 5000 apps per engine, each in a fresh process, and\nprints time, memory, API calls, the critical path and the scale targets (docs/benchmarks.md). Takes\nminutes to an hour: the 1000- and 5000-app plans dominate.",
    options: [
        ["--runs <n>", "plans per case (1-1000, default 5); the median and spread are reported"],
        ["--large-runs <n>", "plans per 1000-app case (1-1000, default 3); 5000 apps always run once"],
        ["--base <stack>", "the stack whose config the generated apps are added to (default staging)"],
        ["--out <file>", "where the results go as JSON (default bench/results/latest.json)"],
    ],
    exits: {
        [EXIT.ok]: "measured and written (a missed target is reported as MISS, not as an exit code)",
    },
});

function parseOptions(argv: readonly string[]): Options {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: {
            runs: { type: "string" },
            "large-runs": { type: "string" },
            base: { type: "string" },
            out: { type: "string" },
        },
    });
    const base = values.base ?? "staging";
    if (!fs.existsSync(stackFilePath(base))) {
        throw unknownStackError(base);
    }
    return {
        runs: integerOption("runs", values.runs, 5),
        largeRuns: integerOption("large-runs", values["large-runs"], 3),
        base,
        out: path.resolve(PROJECT_ROOT, values.out ?? "bench/results/latest.json"),
    };
}

interface Case {
    readonly label: string;
    readonly args: string[];
    readonly runs: number;
    /** Default bench/planOnce.ts. */
    readonly script?: string;
}

function cases(options: Options): Case[] {
    return [
        ...STACKS.map((stack) => ({ label: `stack ${stack}`, args: ["--stack", stack], runs: options.runs })),
        ...ENGINES.flatMap((engine) =>
            SCALES.map((apps) => ({
                label: `${apps} apps, ${engine} (${options.base})`,
                args: ["--base", options.base, "--engine", engine, "--apps", String(apps)],
                runs: apps >= 5000 ? 1 : apps >= 1000 ? options.largeRuns : options.runs,
            })),
        ),
    ];
}

/** The bare-SDK baseline of a case: as many resources, declared the same batched way (bench/bareOnce.ts). */
function bareCase(of: CaseSummary, runs: number): Case | undefined {
    return of.ok
        ? {
              label: `bare SDK, ${of.resources} resources`,
              args: ["--resources", String(of.resources)],
              runs,
              script: "bench/bareOnce.ts",
          }
        : undefined;
}

interface Run {
    readonly measurement: PlanMeasurement;
    readonly wallMs: number;
}

/** One plan in a fresh Node process. */
function runChild(args: readonly string[], script = "bench/planOnce.ts"): Promise<Run> {
    return new Promise((resolve) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, [...TYPESCRIPT_LOADER, script, ...args], {
            cwd: PROJECT_ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
            const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
            const measurement: PlanMeasurement =
                line !== undefined
                    ? (JSON.parse(line.slice(RESULT_MARKER.length)) as PlanMeasurement)
                    : {
                          ok: false,
                          error: signal
                              ? `killed (${signal}) after ${Math.round(wallMs)} ms`
                              : `exit ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`,
                      };
            resolve({ measurement, wallMs });
        });
    });
}

async function runCase(c: Case): Promise<CaseSummary> {
    const runs: Extract<PlanMeasurement, { ok: true }>[] = [];
    const walls: number[] = [];
    for (let i = 0; i < c.runs; i++) {
        const analyze = i === 0 && c.script === undefined;
        const { measurement, wallMs } = await runChild(analyze ? [...c.args, "--analyze"] : c.args, c.script);
        if (!measurement.ok) {
            return { label: c.label, ok: false, error: measurement.error };
        }
        runs.push(measurement);
        walls.push(wallMs - (measurement.analysis?.analysisMs ?? 0));
    }
    const resources = runs[0].resources;
    return {
        label: c.label,
        ok: true,
        resources,
        wallMs: spread(walls),
        planMs: spread(runs.map((r) => r.planMs)),
        maxRssMiB: spread(runs.map((r) => r.maxRssKiB / 1024)),
        msPerResource: spread(runs.map((r) => r.planMs / resources)),
        analysis: runs[0].analysis,
    };
}

function printCase(s: CaseSummary): void {
    if (!s.ok) {
        process.stdout.write(`ERROR ${s.label}: ${s.error}\n`);
        return;
    }
    process.stdout.write(
        `${s.label}: ${s.resources} resources\n` +
            `    wall ${formatSpread(s.wallMs, "ms")}, plan ${formatSpread(s.planMs, "ms")}, ` +
            `peak RSS ${formatSpread(s.maxRssMiB, "MiB")}, ${formatSpread(s.msPerResource, "ms/resource", 3)}\n`,
    );
}

/** Modelled API calls of a real preview, up and refresh of one case, by stage; the first stage dominates. */
function printApiCalls(s: CaseSummary): void {
    if (!s.ok || s.analysis === undefined) {
        return;
    }
    const total = (key: "preview" | "up" | "refresh") => s.analysis!.apiCalls.reduce((n, c) => n + c[key], 0);
    process.stdout.write(
        `\n${s.label}: API calls (model, bench/scale.ts): preview ${total("preview")}, up ${total("up")}, refresh of the unchanged stack ${total("refresh")}\n`,
    );
    for (const c of s.analysis.apiCalls) {
        process.stdout.write(
            `    ${c.stage.padEnd(40)} ${String(c.resources).padStart(6)} resources  preview ${String(c.preview).padStart(6)}  up ${String(c.up).padStart(6)}  refresh ${String(c.refresh).padStart(6)}\n`,
        );
    }
}

function printCriticalPath(s: CaseSummary): void {
    if (!s.ok || s.analysis === undefined) {
        return;
    }
    const a = s.analysis;
    const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
    process.stdout.write(
        `\n${s.label}: ${s.resources} resources (${a.created} created), depth ${a.depth}, ` +
            `estimated pulumi up ${minutes(a.estimate.typical)} (range ${minutes(a.estimate.low)}–${minutes(a.estimate.high)})\n`,
    );
    for (const step of a.path.filter((p) => p.weight > 0)) {
        process.stdout.write(
            `    ${String(Math.round(step.finish)).padStart(5)} s  +${String(step.weight).padStart(3)} s  ${step.type}  ${step.name}\n`,
        );
    }
    if (a.unlistedTypes.length > 0) {
        process.stdout.write(
            `    (not in bench/create-times.ts, weighted as a quick API call: ${a.unlistedTypes.join(", ")})\n`,
        );
    }
}

export async function main(argv: readonly string[]): Promise<number> {
    let options: Options;
    try {
        options = parseOptions(argv);
    } catch (error) {
        return expectedFailure(error);
    }
    process.stdout.write(
        `plan benchmark: node ${process.version}, ${os.cpus().length} CPUs, ${options.runs} runs per case (${options.largeRuns} for 1000 apps), generated apps on the ${options.base} stack\n\n`,
    );
    const summaries: CaseSummary[] = [];
    const find = (label: string) => summaries.find((s) => s.label === label);
    for (const c of cases(options)) {
        const summary = await runCase(c);
        printCase(summary);
        summaries.push(summary);
    }

    for (const engine of ENGINES) {
        const large = find(`1000 apps, ${engine} (${options.base})`);
        const bare = large && bareCase(large, options.largeRuns);
        if (bare) {
            const summary = await runCase(bare);
            printCase(summary);
            summaries.push({ ...summary, label: `${summary.label} (${engine})` });
        }
    }

    process.stdout.write("\nresources per app (slope 10 → 1000 apps)\n");
    for (const engine of ENGINES) {
        const [small, large] = [
            find(`10 apps, ${engine} (${options.base})`),
            find(`1000 apps, ${engine} (${options.base})`),
        ];
        if (small?.ok && large?.ok) {
            process.stdout.write(`    ${engine}: ${resourcesPerApp(small, 10, large, 1000).toFixed(2)}\n`);
        }
    }
    summaries.filter((s) => s.label.startsWith("stack ") || s.label.startsWith("1000 apps")).forEach(printApiCalls);

    process.stdout.write("\ncritical path (create times from bench/create-times.ts)\n");
    summaries.filter((s) => s.label.startsWith("stack ")).forEach(printCriticalPath);

    const targets: TargetResult[] = [
        ...ENGINES.flatMap((engine) =>
            issue17Targets(engine, {
                small: find(`10 apps, ${engine} (${options.base})`),
                large: find(`1000 apps, ${engine} (${options.base})`),
                huge: find(`5000 apps, ${engine} (${options.base})`),
                bare: summaries.find((s) => s.label.startsWith("bare SDK") && s.label.endsWith(`(${engine})`)),
            }),
        ),
        offClusterTarget(find("stack staging")),
        offClusterTarget(find("stack production")),
        pathTarget(find("stack production")),
    ];
    process.stdout.write("\ntargets (issue 17: scale; issue 9: critical path)\n");
    targets.forEach((t) => process.stdout.write(`${formatTarget(t)}\n`));

    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(
        options.out,
        `${JSON.stringify(
            {
                measuredAt: new Date().toISOString(),
                node: process.version,
                cpus: os.cpus().length,
                options: { runs: options.runs, largeRuns: options.largeRuns, base: options.base },
                cases: summaries,
                targets,
            },
            null,
            2,
        )}\n`,
    );
    process.stdout.write(`\nwritten: ${path.relative(PROJECT_ROOT, options.out)}\n`);
    return 0;
}

if (require.main === module) {
    runCommand(main);
}

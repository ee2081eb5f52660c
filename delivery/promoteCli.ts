/**
/**
 * npm run promote: verified promotion, rollback, and the production workflow's checks (see USAGE).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { PROJECT_ROOT, stackFilePath, unknownStackError } from "../plan/stackFile";
import { STACK_NAME } from "../plan/cli";
import {
    EXIT,
    expectedFailure,
    helpText,
    integerOption,
    parseCommand,
    readTextFile,
    runCommand,
    UsageError,
} from "../cli/command";
import { parseSourceOutputs, PromotionRefused, SourceOutputs } from "./promote";
import { liveSource, recordedSource, EvidenceSource } from "./evidence/source";
import { GateRefused, rollback, runPromotion } from "./promotion";
import { formatRefusals, Override, parseOverride } from "./promotionPolicy";
import { appendLedger, ResultEntry } from "./ledger";
import { awaitProduction, Compare, compareAnswer, verifyBundle } from "./verify";
import { activeDenyWindow, describeWindow } from "./denyWindows";
import { loadStackFile } from "./promote";

const USAGE = helpText({
    usage: `npm run promote -- --from <stack> --to <stack> [--app <name>...] [--platform] [--allow-downgrade]
                          [--override <app>:<check>=<reason>...] [--together] [--scheduled] [--dry-run]
                          [--outputs <file>] [--evidence <dir>] [--out <dir>]
       npm run promote -- --rollback <stack> [--dry-run] [--out <dir>]
       npm run promote -- --verify <stack> [--compare <file>]
       npm run promote -- --await <stack> [--evidence <dir>] [--timeout <seconds>] [--interval <seconds>]
                          [--up-outcome <outcome>] --result <file>
       npm run promote -- --record <stack> --result <file>`,
    summary: `Promotes a bundle: the program commit of the source stack's last succeeded update (pulumi stack
history), each app's commit as the source's engine synced it (the tag kept as a comment in the stack
file) and, with --platform, the version set; identified by a hash of that content. It moves only
when the evidence passes the target's promotion policy (gitops-platform:promotion in Pulumi.<to>.yaml):
  update     the source's last update succeeded, at a known program commit
  synced     the engine (Argo CD Application, Flux Kustomization/HelmRelease) synced the app
  tag        the tag still names the commit the engine synced (git ls-remote)
  healthy    the app is healthy in the source
  analysis   apps with progressive delivery: the Rollout/Canary completed, its last analysis succeeded
  soak       healthy continuously for promotion.soak (commit statuses the notifications post)
  alerts     no firing alert of promotion.alerts.severities in the app's or the engine's namespace
  drift      no open drift issue (label drift:<from>)
Every failing app and check is named. Passing writes Pulumi.<to>.yaml, a line in promotion/ledger.jsonl
and, with --out, the pull request's body.md, title.txt, labels.txt, commit-message.txt, bundle-id.txt.`,
    options: [
        ["--from <stack>", "the stack whose bundle is promoted"],
        ["--to <stack>", "a stack of this project: Pulumi.<to>.yaml next to Pulumi.yaml (an unknown name lists them)"],
        ["--app <name>", "promote only this app (repeatable)"],
        [
            "--platform",
            "also promote the version set (Kubernetes minor, EKS add-on builds, node AMI release, every chart; " +
                "refused: a Kubernetes jump of more than one minor); it goes first: apps follow in the next " +
                "promotion, unless promotion.order is together or --together",
        ],
        ["--allow-downgrade", "accept a version older than the one the target runs (EKS build numbers included)"],
        [
            "--override <app>:<check>=<reason>",
            "let one failing check through (app * for all); the reason is recorded in the ledger and the " +
                "pull request, which is labelled promotion-override and needs a code owner",
        ],
        ["--together", "platform and apps in one pull request"],
        [
            "--scheduled",
            "the scheduled dry run: nothing during a promotion.denyWindows window, and a refused gate is " +
                "reported, not an error (exit 0)",
        ],
        ["--dry-run", "print the change and the verdict, write nothing"],
        ["--outputs <file>", "the source's outputs (pulumi stack output --json) from a file"],
        ["--evidence <dir>", "recorded answers instead of the live systems (layout: delivery/evidence/source.ts)"],
        ["--out <dir>", "write the pull request files there"],
        ["--rollback <stack>", "restore the last bundle production reported good (soak waived, nothing else)"],
        [
            "--verify <stack>",
            "before pulumi up: the ledger's last bundle is what Pulumi.<stack>.yaml holds, the program is its " +
                "program commit, its evidence is fresh (promotion.evidenceMaxAge)",
        ],
        ["--compare <file>", "GitHub's compare answer (program commit...HEAD) from a file"],
        ["--await <stack>", "after pulumi up: wait until the engine reports the bundle synced and healthy"],
        ["--timeout <seconds>", "how long --await waits (default 900)"],
        ["--interval <seconds>", "between --await's reads (default 15)"],
        [
            "--up-outcome <outcome>",
            "the workflow's pulumi up outcome: anything but success records the bundle bad at once",
        ],
        ["--result <file>", "the result line --await writes and --record appends to the ledger"],
        ["--record <stack>", "append the result line to promotion/ledger.jsonl"],
    ],
    exits: {
        [EXIT.ok]: "promoted, rolled back, verified, good or recorded (scheduled: also when nothing was due)",
        [EXIT.badInput]: "a stack file, outputs file, evidence or result file is unreadable or malformed",
        [EXIT.refused]:
            "refused: the gate failed (every failing app and check named), a downgrade, a bundle not verified; nothing was written",
        [EXIT.found]: "--await: production did not report the bundle synced and healthy in time (recorded bad)",
    },
});

type Mode = "promote" | "rollback" | "verify" | "await" | "record";

export interface PromoteArgs {
    readonly mode: Mode;
    readonly from: string;
    readonly to: string;
    readonly apps: string[];
    readonly platform: boolean;
    readonly dryRun: boolean;
    readonly allowDowngrade: boolean;
    readonly outputsFile?: string;
    readonly evidenceDir?: string;
    readonly out?: string;
    readonly overrides: Override[];
    readonly together: boolean;
    readonly scheduled: boolean;
    readonly compareFile?: string;
    readonly resultFile?: string;
    readonly timeoutSeconds: number;
    readonly intervalSeconds: number;
    /** steps.<up>.outcome of the workflow: success, failure, cancelled or skipped. */
    readonly upOutcome?: string;
}

function stackName(flag: string, stack: string): string {
    if (!STACK_NAME.test(stack) || stack.startsWith(".")) {
        // Only Pulumi.<stack>.yaml next to Pulumi.yaml is written: no path may reach another project.
        throw new UsageError(
            `${flag} expects a stack name of this project (letters, digits, '-', '_'), got "${stack}"\n${USAGE}`,
        );
    }
    return stack;
}

export function parsePromoteArgs(argv: readonly string[]): PromoteArgs {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: {
            from: { type: "string" },
            to: { type: "string" },
            app: { type: "string", multiple: true },
            platform: { type: "boolean" },
            "allow-downgrade": { type: "boolean" },
            "dry-run": { type: "boolean" },
            outputs: { type: "string" },
            evidence: { type: "string" },
            out: { type: "string" },
            override: { type: "string", multiple: true },
            together: { type: "boolean" },
            scheduled: { type: "boolean" },
            rollback: { type: "string" },
            verify: { type: "string" },
            compare: { type: "string" },
            await: { type: "string" },
            "up-outcome": { type: "string" },
            timeout: { type: "string" },
            interval: { type: "string" },
            result: { type: "string" },
            record: { type: "string" },
        },
    });
    const modes = (["rollback", "verify", "await", "record"] as const).filter((m) => values[m] !== undefined);
    if (modes.length > 1 || (modes.length === 1 && (values.from !== undefined || values.to !== undefined))) {
        throw new UsageError(
            `give one of --from/--to, --rollback, --verify, --await, --record (got ${[...modes.map((m) => `--${m}`), ...(values.from || values.to ? ["--from/--to"] : [])].join(", ")})\n${USAGE}`,
        );
    }
    const mode: Mode = modes.length > 0 ? modes[0] : "promote";
    if ((mode === "await" || mode === "record") && values.result === undefined) {
        throw new UsageError(`--${mode} needs --result <file>\n${USAGE}`);
    }
    let from = "";
    let to: string;
    if (mode === "promote") {
        if (values.from === undefined || values.to === undefined) {
            throw new UsageError(`--from and --to are required\n${USAGE}`);
        }
        from = stackName("--from", values.from);
        to = stackName("--to", values.to);
    } else {
        to = stackName(`--${mode}`, values[mode] as string);
    }
    let overrides: Override[];
    try {
        overrides = (values.override ?? []).map(parseOverride);
    } catch (error) {
        throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
    return {
        mode,
        from,
        to,
        apps: values.app ?? [],
        platform: values.platform === true,
        dryRun: values["dry-run"] === true,
        allowDowngrade: values["allow-downgrade"] === true,
        outputsFile: values.outputs,
        evidenceDir: values.evidence,
        out: values.out,
        overrides,
        together: values.together === true,
        scheduled: values.scheduled === true,
        compareFile: values.compare,
        resultFile: values.result,
        timeoutSeconds: integerOption("timeout", values.timeout, 900, 0, 3600),
        intervalSeconds: integerOption("interval", values.interval, 15, 1, 600),
        upOutcome: values["up-outcome"],
    };
}

/** The source stack's outputs from the Pulumi CLI (needs a logged-in backend). */
export function stackOutputs(stack: string, pulumiCli = "pulumi"): SourceOutputs {
    let text: string;
    try {
        text = execFileSync(pulumiCli, ["stack", "output", "--json", "--stack", stack], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const reason =
            (error as NodeJS.ErrnoException).code === "ENOENT"
                ? "the Pulumi CLI is not installed"
                : String((error as { stderr?: string }).stderr ?? error).trim();
        throw new PromotionRefused(
            `cannot read stack ${stack}'s outputs (${reason}): log in to its backend, or pass --outputs <file> with the output of pulumi stack output --json; nothing was written`,
        );
    }
    return parseSourceOutputs(text, `pulumi stack output --stack ${stack}`);
}

/** GitHub's compare API for the commit being applied (GITHUB_SHA) in this repository (GITHUB_REPOSITORY). */
async function liveCompare(programCommit: string): Promise<Compare> {
    const { GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_TOKEN } = process.env;
    if (!GITHUB_REPOSITORY || !GITHUB_SHA) {
        throw new Error("GITHUB_REPOSITORY and GITHUB_SHA are not set: pass --compare <file> outside a workflow");
    }
    const api = process.env.GITHUB_API_URL ?? "https://api.github.com";
    const response = await fetch(`${api}/repos/${GITHUB_REPOSITORY}/compare/${programCommit}...${GITHUB_SHA}`, {
        headers: {
            Accept: "application/vnd.github+json",
            ...(GITHUB_TOKEN ? { Authorization: `Bearer ${GITHUB_TOKEN}` } : {}),
        },
        signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
    }
    return compareAnswer.parse(await response.json());
}

/** What main reads from outside the arguments; tests pass recorded ones. */
export interface PromoteEnvironment {
    readonly now: () => Date;
    readonly source?: EvidenceSource;
    readonly sleep?: (seconds: number) => Promise<void>;
    readonly run?: string;
}

const defaultEnvironment: PromoteEnvironment = {
    now: () => new Date(),
    run: process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined,
};

async function promoteMode(
    args: PromoteArgs,
    root: string,
    env: PromoteEnvironment,
    source: EvidenceSource,
): Promise<number> {
    const now = env.now();
    if (args.scheduled) {
        const target = `${root}/Pulumi.${args.to}.yaml`;
        const windows = loadStackFile(target, readTextFile(target, "stack file"), args.to).promotion?.denyWindows ?? [];
        const window = activeDenyWindow(windows, now);
        if (window !== undefined) {
            process.stdout.write(`deny window ${describeWindow(window)} is active: no promotion opened\n`);
            return 0;
        }
    }
    const file = args.outputsFile;
    const readOutputs =
        file === undefined ? stackOutputs : () => parseSourceOutputs(readTextFile(file, "outputs file"), file);
    try {
        const { bundle, verdict, summary } = await runPromotion({
            ...args,
            root,
            readOutputs,
            source,
            now,
            output: args.out,
            run: env.run,
        });
        const overridden = verdict.overridden.length > 0 ? `\noverridden:\n${formatRefusals(verdict.overridden)}` : "";
        process.stdout.write(
            `bundle ${bundle.id}: ${bundle.from} → ${bundle.to}, program ${bundle.programCommit}\n${summary}${overridden}\n`,
        );
        return 0;
    } catch (error) {
        if (args.scheduled && error instanceof GateRefused) {
            process.stdout.write(`not promoted yet: ${error.message}\n`);
            return 0;
        }
        throw error;
    }
}

async function dispatch(args: PromoteArgs, root: string, env: PromoteEnvironment): Promise<number> {
    const source = env.source ?? (args.evidenceDir === undefined ? liveSource() : recordedSource(args.evidenceDir));
    switch (args.mode) {
        case "promote":
            return promoteMode(args, root, env, source);
        case "rollback": {
            const { bundle, summary } = rollback({
                stack: args.to,
                root,
                dryRun: args.dryRun,
                now: env.now(),
                output: args.out,
                run: env.run,
            });
            process.stdout.write(
                `rollback of ${args.to} to bundle ${bundle.id}, program ${bundle.programCommit}\n${summary}\n`,
            );
            return 0;
        }
        case "verify": {
            const compareFile = args.compareFile;
            const compare =
                compareFile === undefined
                    ? liveCompare
                    : () =>
                          Promise.resolve(compareAnswer.parse(JSON.parse(readTextFile(compareFile, "compare answer"))));
            const { entry, problems } = await verifyBundle({ stack: args.to, root, now: env.now(), compare });
            if (problems.length > 0) {
                process.stderr.write(
                    `bundle not verified; do not apply:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
                );
                return EXIT.refused;
            }
            process.stdout.write(`bundle ${entry!.bundle.id} verified: program ${entry!.bundle.programCommit}\n`);
            return 0;
        }
        case "await": {
            const result = await awaitProduction({
                stack: args.to,
                root,
                source,
                timeoutSeconds: args.timeoutSeconds,
                intervalSeconds: args.intervalSeconds,
                now: env.now,
                sleep: env.sleep ?? ((s) => new Promise((resolve) => setTimeout(resolve, s * 1000))),
                upOutcome: args.upOutcome,
            });
            const line = { ...result, ...(env.run === undefined ? {} : { run: env.run }) };
            fs.writeFileSync(args.resultFile!, `${JSON.stringify(line)}\n`);
            process.stdout.write(`bundle ${result.bundleId} in ${args.to}: ${result.result} (${result.detail})\n`);
            return result.result === "good" ? EXIT.ok : EXIT.found;
        }
        case "record": {
            const entry = JSON.parse(readTextFile(args.resultFile!, "result file")) as ResultEntry;
            if (entry.type !== "result" || entry.to !== args.to) {
                throw new PromotionRefused(`${args.resultFile} is not a result for ${args.to}`);
            }
            appendLedger(root, entry);
            process.stdout.write(`recorded bundle ${entry.bundleId} as ${entry.result} in promotion/ledger.jsonl\n`);
            return 0;
        }
    }
}

export async function main(
    argv: readonly string[],
    root = PROJECT_ROOT,
    env: PromoteEnvironment = defaultEnvironment,
): Promise<number> {
    try {
        const args = parsePromoteArgs(argv);
        if (!fs.existsSync(stackFilePath(args.to, root))) {
            throw unknownStackError(args.to, root);
        }
        return await dispatch(args, root, env);
    } catch (error) {
        if (error instanceof PromotionRefused) {
            process.stderr.write(`promotion refused: ${error.message}\n`);
            return EXIT.refused;
        }
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

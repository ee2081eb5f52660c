/**
 * npm run drift -- --stack <stack> [--json] [--preview <file>] [--cluster-dir <dir>] [--kubeconfig <file>] [--context <name>]
 *
 * Runs `pulumi preview --refresh --expect-no-changes --json` for the stack (or reads --preview <file>) and
 * `kubectl get <kind> -A -o json` for each GitOps kind (or reads <dir>/<Kind>.json, a missing file
 * meaning the kind is not installed), prints one report (Markdown, or JSON with --json).
 * Exit codes: USAGE (5 on drift, 0 when clean).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EXIT, expectedFailure, helpText, parseCommand, readTextFile, runCommand, UsageError } from "../cli/command";
import { stackFilePath, unknownStackError } from "../plan/stackFile";
import { driftReport, formatReport, GITOPS_KINDS, GitopsKind } from "./drift";

const USAGE = helpText({
    usage: "npm run drift -- --stack <stack> [--json] [--preview <file>] [--cluster-dir <dir>] [--kubeconfig <file>] [--context <name>]",
    summary:
        "Compares what runs with what is declared: `pulumi preview --refresh --expect-no-changes` for the stack\n(infrastructure drift) and each GitOps object's status through kubectl (Applications, Kustomizations,\nHelmReleases, ExternalSecrets that have not converged), and prints one report.",
    options: [
        ["--stack <stack>", "the stack: Pulumi.<stack>.yaml (an unknown name lists the stacks there are)"],
        ["--json", "print the report as JSON instead of Markdown"],
        ["--preview <file>", "read a recorded `pulumi preview --json` instead of running it (offline)"],
        ["--cluster-dir <dir>", "read <dir>/<Kind>.json (kubectl get -A -o json) instead of asking the cluster"],
        ["--kubeconfig <file>", "the kubeconfig kubectl uses"],
        ["--context <name>", "the kubeconfig context kubectl uses"],
    ],
    exits: {
        [EXIT.ok]: "no drift",
        [EXIT.badInput]: "a recorded file is unreadable",
        [EXIT.unexpected]: "pulumi or kubectl failed (the error follows)",
        [EXIT.found]: "drift (the report says where)",
    },
});

export interface DriftArgs {
    readonly stack: string;
    readonly json: boolean;
    readonly previewFile?: string;
    readonly clusterDir?: string;
    readonly kubeconfig?: string;
    readonly context?: string;
}

export function parseDriftArgs(argv: readonly string[]): DriftArgs {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: {
            stack: { type: "string" },
            json: { type: "boolean" },
            preview: { type: "string" },
            "cluster-dir": { type: "string" },
            kubeconfig: { type: "string" },
            context: { type: "string" },
        },
    });
    if (values.stack === undefined || values.stack === "") {
        throw new UsageError(`--stack is required\n${USAGE}`);
    }
    if (!fs.existsSync(stackFilePath(values.stack))) {
        throw unknownStackError(values.stack);
    }
    return {
        stack: values.stack,
        json: values.json ?? false,
        previewFile: values.preview,
        clusterDir: values["cluster-dir"],
        kubeconfig: values.kubeconfig,
        context: values.context,
    };
}

/**
 * `pulumi preview` exits non-zero when --expect-no-changes finds changes; its JSON is on stdout either
 * way. --refresh reads what actually runs first (without writing state), so hand edits show up.
 */
function runPreview(stack: string): string {
    const result = spawnSync("pulumi", ["preview", "--stack", stack, "--refresh", "--expect-no-changes", "--json"], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error || !result.stdout.trim().startsWith("{")) {
        throw new Error(`pulumi preview --stack ${stack} gave no JSON: ${result.error?.message ?? result.stderr}`);
    }
    return result.stdout;
}

/** A kind whose CRD is absent (the other engine's) reads as not installed, not as an error. */
function runKubectl(kind: GitopsKind, args: DriftArgs): string | undefined {
    const connection = [
        ...(args.kubeconfig ? ["--kubeconfig", args.kubeconfig] : []),
        ...(args.context ? ["--context", args.context] : []),
    ];
    try {
        return execFileSync("kubectl", [...connection, "get", GITOPS_KINDS[kind], "--all-namespaces", "-o", "json"], {
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        // execFileSync's error carries the child's stderr, a string with encoding "utf8".
        const stderr = (error as { stderr?: string }).stderr ?? "";
        if (stderr.includes("the server doesn't have a resource type")) {
            return undefined;
        }
        throw new Error(`kubectl get ${GITOPS_KINDS[kind]} failed: ${stderr || (error as Error).message}`, {
            cause: error,
        });
    }
}

function readRecorded(dir: string, kind: GitopsKind): string | undefined {
    const file = path.join(dir, `${kind}.json`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

export function main(argv: readonly string[]): number {
    let args: DriftArgs;
    let preview: string;
    try {
        args = parseDriftArgs(argv);
        preview = args.previewFile ? readTextFile(args.previewFile, "preview") : runPreview(args.stack);
    } catch (error) {
        return expectedFailure(error);
    }
    const cluster: Partial<Record<GitopsKind, string>> = {};
    for (const kind of Object.keys(GITOPS_KINDS) as GitopsKind[]) {
        cluster[kind] = args.clusterDir ? readRecorded(args.clusterDir, kind) : runKubectl(kind, args);
    }
    const report = driftReport({ stack: args.stack, preview, cluster });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.drift ? EXIT.found : EXIT.ok;
}

if (require.main === module) {
    runCommand(main);
}

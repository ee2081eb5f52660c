/**
 * Destructive-change guard: reads `pulumi preview --json` and names every step that would replace
 * or delete a resource whose loss takes data or running workloads with it (the cluster, the KMS key
 * that encrypts its secrets, a GitHub repository, a namespace, the Kubernetes provider, whose
 * replacement re-creates every object it manages).
 *
 *   pulumi preview --json --stack staging > preview.json
 *   npx ts-node delivery/guard.ts preview.json [--allow]
 *
 * Exits 1 when such a step exists and --allow (a reviewer's override: delivery/allowance.ts) is absent.
 */
import { kubernetesJumps } from "./upgradeGuard";
import { expectedFailure, InputError, parseCommand, readTextFile, runCommand, UsageError } from "../cli/command";

/** Resource types whose replacement or deletion needs an explicit override. */
export const GUARDED_TYPES: Readonly<Record<string, string>> = {
    "aws:eks/cluster:Cluster": "EKS cluster",
    "aws:kms/key:Key": "KMS key",
    "github:index/repository:Repository": "GitHub repository",
    "kubernetes:core/v1:Namespace": "Kubernetes namespace",
    "pulumi:providers:kubernetes": "Kubernetes provider",
};

/** Step operations (Pulumi's deploy.StepOp) that remove the existing resource. */
export const DESTRUCTIVE_OPS: ReadonlySet<string> = new Set([
    "delete",
    "replace",
    "create-replacement",
    "delete-replaced",
]);

/** The part of a preview step the guard reads (pulumi/pkg display.PreviewStep). */
export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly replaceReasons?: readonly string[];
}

export interface DestructiveChange {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** "replace" or "delete". */
    readonly action: "replace" | "delete";
    readonly what: string;
    readonly replaceReasons: readonly string[];
}

/** `urn:pulumi:<stack>::<project>::<parent types$>type::<name>` → type and name. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
        throw new Error(`not a Pulumi URN: ${urn}`);
    }
    const qualifiedType = parts[2];
    return { type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

/** A JSON value's fields, unchecked; null and non-objects have none. */
function fields(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

/**
 * Reads the steps out of `pulumi preview --json` output, failing closed: anything but a complete
 * preview is an error, never a pass. Pulumi's previewDigest (pkg/backend/display/json.go, v3) has
 * `steps` and `changeSummary` with omitempty; every preview has a step for the stack resource itself
 * (op "same" when nothing changes), and changeSummary comes from the summary event at the very end,
 * so a preview cut short or one that failed lacks one of them. Error diagnostics mean it failed.
 */
export function parsePreview(text: string): PreviewStep[] {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new Error(`preview output is not JSON (run pulumi preview --json): ${(error as Error).message}`, {
            cause: error,
        });
    }
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
        throw new Error('preview output is not a JSON object with "steps" (run pulumi preview --json)');
    }
    const { steps, changeSummary, diagnostics } = document as {
        steps?: unknown;
        changeSummary?: unknown;
        diagnostics?: unknown;
    };
    if (
        !Array.isArray(steps) ||
        steps.some((s) => typeof fields(s).op !== "string" || typeof fields(s).urn !== "string")
    ) {
        throw new Error('preview "steps" must be a list of {op, urn}');
    }
    if (!steps.some((s: PreviewStep) => s.urn.includes("::pulumi:pulumi:Stack::"))) {
        throw new Error(
            "preview has no step for the stack resource: not a complete preview (did pulumi preview fail?)",
        );
    }
    if (changeSummary === null || typeof changeSummary !== "object") {
        throw new Error('preview has no "changeSummary": it did not run to the end (did pulumi preview fail?)');
    }
    const errors: unknown[] = Array.isArray(diagnostics)
        ? diagnostics.filter((d) => fields(d).severity === "error")
        : [];
    if (errors.length > 0) {
        const message = fields(errors[0]).message;
        throw new Error(
            `preview reported ${errors.length} error(s), so its steps are incomplete: ${typeof message === "string" ? message.trim() : ""}`,
        );
    }
    return steps as PreviewStep[];
}

/** Guarded resources the steps would replace or delete, one entry per resource. */
export function destructiveChanges(steps: readonly PreviewStep[]): DestructiveChange[] {
    const byUrn = new Map<string, DestructiveChange>();
    for (const step of steps) {
        if (!DESTRUCTIVE_OPS.has(step.op)) {
            continue;
        }
        const { type, name } = parseUrn(step.urn);
        const what = GUARDED_TYPES[type];
        if (what === undefined) {
            continue;
        }
        // A replacement shows up as replace + create-replacement + delete-replaced on the same URN.
        const previous = byUrn.get(step.urn);
        byUrn.set(step.urn, {
            urn: step.urn,
            type,
            name,
            action:
                step.op === "delete" && (previous === undefined || previous.action === "delete") ? "delete" : "replace",
            what,
            replaceReasons: [...new Set([...(previous?.replaceReasons ?? []), ...(step.replaceReasons ?? [])])],
        });
    }
    return [...byUrn.values()];
}

export const OVERRIDE_LABEL = "allow-destructive";

/** The guard's verdict and the text the job prints. */
export function judge(changes: readonly DestructiveChange[], allowed: boolean): { ok: boolean; report: string } {
    if (changes.length === 0) {
        return {
            ok: true,
            report: "no cluster, KMS key, repository, namespace or Kubernetes provider would be replaced or deleted",
        };
    }
    const lines = changes.map(
        (c) =>
            `  ${c.action} ${c.what} "${c.name}" (${c.urn})${c.replaceReasons.length ? ` because of: ${c.replaceReasons.join(", ")}` : ""}`,
    );
    const header = allowed
        ? `allowed by the "${OVERRIDE_LABEL}" label:`
        : `this change would destroy resources that hold data or running workloads:`;
    const footer = allowed
        ? ""
        : `\nIf that is intended: on a pull request, a reviewer adds the label "${OVERRIDE_LABEL}" and approves its head commit (delivery/allowance.ts); on staging or production, run the workflow by hand with ${OVERRIDE_LABEL}.`;
    return { ok: allowed, report: `${header}\n${lines.join("\n")}${footer}` };
}

const USAGE = `usage: ts-node delivery/guard.ts <preview.json>... [--allow]

Fails when a preview (pulumi preview --json) would replace or delete a cluster, KMS key, repository,
namespace or Kubernetes provider, when an EKS cluster would move more than one Kubernetes minor (or
back; no override passes that), or when a file is not a complete preview.
  --allow   a reviewer allowed it (delivery/allowance.ts, or the workflow's input): list the changes and pass
  --help    print this help
Exits 0 when safe or allowed, 1 on destructive changes or an unreadable/incomplete preview, 2 on bad arguments.`;

export function main(argv: readonly string[]): number {
    try {
        const { values, positionals: files } = parseCommand(argv, {
            usage: USAGE,
            options: { allow: { type: "boolean" } },
            positionals: true,
        });
        if (files.length === 0) {
            throw new UsageError(`name at least one preview file\n${USAGE}`);
        }
        const steps = files.flatMap((file) => {
            const text = readTextFile(file, "preview");
            try {
                return parsePreview(text);
            } catch (error) {
                throw new InputError(`${file}: ${(error as Error).message}`);
            }
        });
        // EKS would refuse the update half-way: no label overrides it.
        const jumps = kubernetesJumps(steps);
        if (jumps.length > 0) {
            process.stderr.write(`${jumps.join("\n")}\n`);
            return 1;
        }
        const changes = destructiveChanges(steps);
        const { ok, report } = judge(changes, values.allow === true);
        (ok ? process.stdout : process.stderr).write(`${report}\n`);
        return ok ? 0 : 1;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}

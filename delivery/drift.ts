/**
 * One drift report per stack: what Pulumi would change (`pulumi preview --expect-no-changes --json`)
 * and what the GitOps engine reports as not converged (Argo CD Applications not Synced/Healthy, Flux
 * Kustomizations/HelmReleases not Ready, ExternalSecrets not Ready), merged into one document.
 * Pure functions over recorded inputs; driftCli.ts runs Pulumi and kubectl.
 */
import { parsePreview, parseUrn, PreviewStep } from "./guard";

/**
 * Step operations that change nothing: Pulumi's own "has changes" leaves out same and the read
 * steps of `.get` resources, which re-read on every preview (pulumi/pkg/engine ChangeSummary).
 */
const UNCHANGED_OPS: ReadonlySet<string> = new Set(["same", "read", "read-discard"]);

export interface IacChange {
    readonly type: string;
    readonly name: string;
    readonly op: string;
    /** Properties that differ (diffReasons, or replaceReasons for a replacement). */
    readonly properties: readonly string[];
}

/** The GitOps objects the report reads, by the kind `kubectl get` names. */
export const GITOPS_KINDS = {
    Application: "applications.argoproj.io",
    Kustomization: "kustomizations.kustomize.toolkit.fluxcd.io",
    HelmRelease: "helmreleases.helm.toolkit.fluxcd.io",
    ExternalSecret: "externalsecrets.external-secrets.io",
} as const;

export type GitopsKind = keyof typeof GITOPS_KINDS;

export interface GitopsProblem {
    readonly kind: GitopsKind;
    readonly namespace: string;
    readonly name: string;
    /** e.g. "OutOfSync/Healthy", "Ready=False (ReconciliationFailed)", "suspended". */
    readonly state: string;
    readonly message?: string;
}

export interface DriftReport {
    readonly stack: string;
    readonly drift: boolean;
    readonly iac: readonly IacChange[];
    readonly gitops: readonly GitopsProblem[];
    /** Kinds whose CRD is not on the cluster (the other engine's), so nothing was read for them. */
    readonly notInstalled: readonly GitopsKind[];
}

interface PreviewStepWithDiff extends PreviewStep {
    readonly diffReasons?: readonly string[];
}

export function iacChanges(previewJson: string): IacChange[] {
    return (parsePreview(previewJson) as PreviewStepWithDiff[])
        .filter((step) => !UNCHANGED_OPS.has(step.op))
        .map((step) => {
            const { type, name } = parseUrn(step.urn);
            const properties =
                step.op === "replace" || step.op === "create-replacement"
                    ? (step.replaceReasons ?? step.diffReasons ?? [])
                    : (step.diffReasons ?? []);
            return { type, name, op: step.op, properties: [...properties] };
        });
}

interface Condition {
    readonly type?: string;
    readonly status?: string;
    readonly reason?: string;
    readonly message?: string;
}

interface KubeObject {
    readonly kind?: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
    readonly spec?: { readonly suspend?: boolean };
    readonly status?: {
        readonly conditions?: readonly Condition[];
        readonly sync?: { readonly status?: string };
        readonly health?: { readonly status?: string; readonly message?: string };
        readonly operationState?: { readonly phase?: string; readonly message?: string };
    };
}

/** An Argo CD Application is converged when Synced and Healthy (argoproj/gitops-engine sync and health codes). */
function applicationProblem(object: KubeObject): Omit<GitopsProblem, "kind" | "namespace" | "name"> | undefined {
    const sync = object.status?.sync?.status ?? "Unknown";
    const health = object.status?.health?.status ?? "Unknown";
    if (sync === "Synced" && health === "Healthy") {
        return undefined;
    }
    const operation = object.status?.operationState;
    const message =
        (operation?.phase === "Failed" || operation?.phase === "Error" ? operation.message : undefined) ??
        object.status?.conditions?.[0]?.message ??
        object.status?.health?.message;
    return { state: `${sync}/${health}`, ...(message ? { message } : {}) };
}

/** Flux objects and ExternalSecrets report through the `Ready` condition (kstatus). */
function readyProblem(object: KubeObject): Omit<GitopsProblem, "kind" | "namespace" | "name"> | undefined {
    if (object.spec?.suspend === true) {
        return { state: "suspended", message: "reconciliation is suspended: changes in Git do not reach the cluster" };
    }
    const ready = object.status?.conditions?.find((condition) => condition.type === "Ready");
    if (ready?.status === "True") {
        return undefined;
    }
    const state = ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ""}` : "no Ready condition";
    return { state, ...(ready?.message ? { message: ready.message } : {}) };
}

/** Problems in one `kubectl get <kind> -A -o json` List. */
export function gitopsProblems(kind: GitopsKind, listJson: string): GitopsProblem[] {
    const list = JSON.parse(listJson) as { items?: unknown };
    if (!Array.isArray(list.items)) {
        throw new Error(`${GITOPS_KINDS[kind]}: expected the List of kubectl get -o json, with items`);
    }
    const judge = kind === "Application" ? applicationProblem : readyProblem;
    return (list.items as KubeObject[]).flatMap((object) => {
        const problem = judge(object);
        return problem === undefined
            ? []
            : [
                  {
                      kind,
                      namespace: object.metadata?.namespace ?? "",
                      name: object.metadata?.name ?? "",
                      ...problem,
                  },
              ];
    });
}

export interface DriftInputs {
    readonly stack: string;
    readonly preview: string;
    /** `kubectl get -o json` output per kind; undefined for a kind whose CRD is not installed. */
    readonly cluster: Readonly<Partial<Record<GitopsKind, string>>>;
}

export function driftReport(inputs: DriftInputs): DriftReport {
    const iac = iacChanges(inputs.preview);
    const kinds = Object.keys(GITOPS_KINDS) as GitopsKind[];
    const gitops = kinds.flatMap((kind) => {
        const list = inputs.cluster[kind];
        return list === undefined ? [] : gitopsProblems(kind, list);
    });
    const notInstalled = kinds.filter((kind) => inputs.cluster[kind] === undefined);
    return { stack: inputs.stack, drift: iac.length > 0 || gitops.length > 0, iac, gitops, notInstalled };
}

/** Markdown, so the same text reads in a terminal and as the body of the workflow's issue. */
export function formatReport(report: DriftReport): string {
    const lines = [`# Drift report: ${report.stack}`, ""];
    lines.push(
        report.drift ? "Drift found." : "No drift: the stack matches the program and every GitOps object is converged.",
        "",
    );
    lines.push(
        `## Infrastructure (pulumi preview): ${report.iac.length === 0 ? "no changes" : `${report.iac.length} change(s)`}`,
    );
    for (const change of report.iac) {
        const properties = change.properties.length > 0 ? `: ${change.properties.join(", ")}` : "";
        lines.push(`- ${change.op} ${change.type} ${change.name}${properties}`);
    }
    lines.push(
        "",
        `## GitOps (cluster): ${report.gitops.length === 0 ? "all converged" : `${report.gitops.length} not converged`}`,
    );
    for (const problem of report.gitops) {
        const where = problem.namespace ? `${problem.namespace}/${problem.name}` : problem.name;
        lines.push(`- ${problem.kind} ${where}: ${problem.state}${problem.message ? ` — ${problem.message}` : ""}`);
    }
    if (report.notInstalled.length > 0) {
        lines.push("", `Not on this cluster (not read): ${report.notInstalled.join(", ")}`);
    }
    return `${lines.join("\n")}\n`;
}

/**
 * The guard's upgrade rule: a preview whose EKS cluster would move more than one Kubernetes minor (or
 * back) is refused, with the steps. The deployed version is the cluster's old state in the preview
 * (pulumi/pulumi pkg/backend/display/json.go previewStep: `oldState`/`newState` are
 * apitype.ResourceV3, whose `inputs` hold the declared `version`): what the stack last applied, read
 * by the same command every pull request and the production job already run, with no extra config.
 */
import { minorJumpProblem } from "./platform";

/** The part of a preview step this rule reads. */
export interface VersionedStep {
    readonly op: string;
    readonly urn: string;
    readonly oldState?: { readonly inputs?: Record<string, unknown> };
    readonly newState?: { readonly inputs?: Record<string, unknown> };
}

const EKS_CLUSTER = "aws:eks/cluster:Cluster";

/** One message per EKS cluster whose update skips a minor or goes back. */
export function kubernetesJumps(steps: readonly VersionedStep[]): string[] {
    return steps.flatMap((step) => {
        const type = step.urn.split("::")[2] ?? "";
        if (step.op !== "update" || type.slice(type.lastIndexOf("$") + 1) !== EKS_CLUSTER) {
            return [];
        }
        const [deployed, next] = [step.oldState?.inputs?.version, step.newState?.inputs?.version];
        if (typeof deployed !== "string" || typeof next !== "string") {
            return [];
        }
        const stack = step.urn.slice("urn:pulumi:".length).split("::")[0];
        const problem = minorJumpProblem(stack, deployed, next);
        return problem ? [`${problem} (${step.urn})`] : [];
    });
}

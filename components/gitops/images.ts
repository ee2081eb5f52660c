/** Image updates as both engines take them: Flux's image automation and Argo CD Image Updater read the same shape. */

/** Which tag wins: the newest in a semver range, or the highest of the tags a pattern matches. */
export type ImageTagPolicy =
    | { readonly semver: string }
    | {
          readonly pattern: string;
          /** Replacement for the pattern's match (e.g. `$ts`) that is then ordered. Default: the whole tag. */
          readonly extract?: string;
          /** numerical (timestamps, build numbers) or alphabetical (RFC 3339 dates). */
          readonly order: "numerical" | "alphabetical";
      };

/** How update commits reach the target branch. */
export type ImagePushMode = "pull-request" | "direct";

/** One app's image update, as the stack resolved it. */
export interface ImageUpdate {
    readonly app: string;
    readonly team: string;
    /** Image without tag, e.g. ghcr.io/acme/payments-api. */
    readonly image: string;
    readonly policy: ImageTagPolicy;
    /** Branch of the GitOps repository the new tags are for. */
    readonly targetBranch: string;
    /** The app's directory in the GitOps repository; updates rewrite files there only. */
    readonly path: string;
}

/** Branches updates are pushed to in pull-request mode: `image-updates/<target>`. */
export const IMAGE_BRANCH_PREFIX = "image-updates/";

/** The branch updates are pushed to: the target itself in direct mode, `image-updates/<target>` otherwise. */
export function imagePushBranch(targetBranch: string, push: ImagePushMode): string {
    return push === "direct" ? targetBranch : `${IMAGE_BRANCH_PREFIX}${targetBranch}`;
}

/** The target branches of a set of updates, each once, sorted; with the updates of each. */
export function byTargetBranch(updates: readonly ImageUpdate[]): [string, ImageUpdate[]][] {
    const branches = [...new Set(updates.map((update) => update.targetBranch))].sort();
    return branches.map((branch) => [branch, updates.filter((update) => update.targetBranch === branch)]);
}

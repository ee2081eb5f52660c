/** Config → image updates: each app's `imageUpdate`, for the branch of the GitOps repository its new tags go to. */
import { ArgoCd } from "../components/gitops/argocd";
import { Flux } from "../components/gitops/flux";
import { ImageUpdate } from "../components/gitops/flux/images";
import { isCommitSha, isQualifiedTag, isReleaseTag } from "../components/gitops/revisions";
import { GitopsEngine } from "../components/gitops/types";
import { PlatformConfig } from "./config";

/**
 * An app that follows a branch gets its new tags on that branch; one pinned to a tag or a commit
 * gets them on the GitOps repository's branch, from which its next release is cut.
 */
export function imageTargetBranch(revision: string, gitopsBranch: string): string {
    return isReleaseTag(revision) || isQualifiedTag(revision) || isCommitSha(revision) ? gitopsBranch : revision;
}

export function imageUpdates(config: Pick<PlatformConfig, "apps">, gitopsBranch: string): ImageUpdate[] {
    return config.apps.flatMap((app) =>
        app.imageUpdate === undefined
            ? []
            : [
                  {
                      app: app.name,
                      team: app.team,
                      image: app.imageUpdate.image,
                      policy: app.imageUpdate.policy,
                      targetBranch: imageTargetBranch(app.source.revision, gitopsBranch),
                      path: app.source.path,
                  },
              ],
    );
}

/** Declares the stack's image updates on the engine: Flux's image automation or Argo CD Image Updater. */
export function registerImageUpdates(config: PlatformConfig, engine: GitopsEngine, gitopsBranch: string): void {
    const updates = imageUpdates(config, gitopsBranch);
    if (engine instanceof Flux) {
        engine.registerImageUpdates(updates);
    } else if (engine instanceof ArgoCd) {
        engine.registerImageUpdates(updates, config.gitopsRepository.name);
    }
}

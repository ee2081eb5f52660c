/**
 * Argo CD Image Updater for Argo CD stacks, with the config shape of Flux's image automation: the
 * argocd-image-updater chart (argoproj/argo-helm charts/argocd-image-updater 1.2.4, app v1.2.2) in
 * Argo CD's namespace, and one ImageUpdater (argocd-image-updater.argoproj.io/v1alpha1, the only
 * version the v1.2.2 CRD serves) per target branch. It writes back to Git (`method: git`) with the
 * app repository's Argo CD credentials, i.e. the GitOps repository's deploy key, to
 * `<target>:image-updates/<target>` (the controller's "base:commit branch" form, docs/basics/
 * update-methods.md) for a pull request, or to the target itself in direct mode. Its own
 * `pullRequest` mode is not used: it needs a token, not the SSH deploy key (same document).
 * No CRD package exists for it, so the object is typed here from api/v1alpha1/imageupdater_types.go.
 */
import { byTargetBranch, IMAGE_BRANCH_PREFIX, ImagePushMode, ImageTagPolicy, ImageUpdate } from "../images";
import { dnsName } from "../flux/application";

export const IMAGE_UPDATER = {
    chartRepository: "https://argoproj.github.io/argo-helm",
    chart: "argocd-image-updater",
    /** argoproj/argo-helm charts/argocd-image-updater/Chart.yaml (July 2026): version 1.2.4, appVersion v1.2.2. */
    chartVersion: "1.2.4",
    appVersion: "v1.2.2",
    releaseName: "argocd-image-updater",
    author: { name: "argocd-image-updater", email: "argocd-image-updater@users.noreply.github.com" },
} as const;

export interface ImageUpdaterCommonSettings {
    updateStrategy: "semver" | "alphabetical";
    allowTags?: string;
}

export interface ImageUpdaterObject {
    apiVersion: "argocd-image-updater.argoproj.io/v1alpha1";
    kind: "ImageUpdater";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        writeBackConfig: { method: "git"; gitConfig: { branch: string } };
        applicationRefs: {
            namePattern: string;
            images: { alias: string; imageName: string; commonUpdateSettings: ImageUpdaterCommonSettings }[];
        }[];
    };
}

/**
 * The image and its settings: a semver range goes after the image name (docs/configuration/images.md,
 * "nginx:~1.26"); a pattern becomes `allowTags: regexp:<pattern>` with the `alphabetical` strategy
 * (registry-scanner/pkg/image/options.go). Numerical ordering and `extract` have no Image Updater
 * equivalent; config refuses them on Argo CD (imageUpdaterPolicyProblem).
 */
export function imageUpdaterImage(
    image: string,
    policy: ImageTagPolicy,
): { imageName: string; commonUpdateSettings: ImageUpdaterCommonSettings } {
    if ("semver" in policy) {
        return { imageName: `${image}:${policy.semver}`, commonUpdateSettings: { updateStrategy: "semver" } };
    }
    return {
        imageName: image,
        commonUpdateSettings: { updateStrategy: "alphabetical", allowTags: `regexp:${policy.pattern}` },
    };
}

/** Why Image Updater cannot follow a policy, or undefined. */
export function imageUpdaterPolicyProblem(policy: ImageTagPolicy): string | undefined {
    if ("semver" in policy) {
        return undefined;
    }
    if (policy.extract !== undefined) {
        return "Argo CD Image Updater matches whole tags (allowTags regexp) and cannot extract part of one: remove extract";
    }
    return policy.order === "numerical"
        ? 'Argo CD Image Updater orders tags by semver or by name only: set order to "alphabetical" (use zero-padded or date tags), or a semver range'
        : undefined;
}

/** `<target>` in direct mode, else `<target>:image-updates/<target>`: check the target out, commit to its own branch. */
export function writeBackBranch(targetBranch: string, push: ImagePushMode): string {
    return push === "direct" ? targetBranch : `${targetBranch}:${IMAGE_BRANCH_PREFIX}${targetBranch}`;
}

export function imageUpdaterObject(
    targetBranch: string,
    updates: readonly ImageUpdate[],
    settings: { namespace: string; labels: Readonly<Record<string, string>>; push: ImagePushMode },
): ImageUpdaterObject {
    return {
        apiVersion: "argocd-image-updater.argoproj.io/v1alpha1",
        kind: "ImageUpdater",
        metadata: {
            name: dnsName(`image-updates-${targetBranch}`),
            namespace: settings.namespace,
            labels: { ...settings.labels },
        },
        spec: {
            writeBackConfig: { method: "git", gitConfig: { branch: writeBackBranch(targetBranch, settings.push) } },
            // One reference per app, by its Application's exact name (apps' names are DNS labels: no glob characters).
            applicationRefs: updates.map((update) => ({
                namePattern: update.app,
                images: [{ alias: update.app, ...imageUpdaterImage(update.image, update.policy) }],
            })),
        },
    };
}

export function imageUpdaterObjects(
    updates: readonly ImageUpdate[],
    settings: { namespace: string; labels: Readonly<Record<string, string>>; push: ImagePushMode },
): ImageUpdaterObject[] {
    return byTargetBranch(updates).map(([branch, forBranch]) => imageUpdaterObject(branch, forBranch, settings));
}

/** Values of the chart (charts/argocd-image-updater/values.yaml 1.2.4: config["git.user"], config["git.email"]). */
export function imageUpdaterValues(): Record<string, unknown> {
    return { config: { "git.user": IMAGE_UPDATER.author.name, "git.email": IMAGE_UPDATER.author.email } };
}

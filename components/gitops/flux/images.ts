/**
 * Flux image update automation (image.toolkit.fluxcd.io/v1, the only version the CRDs of
 * image-reflector-controller and image-automation-controller v1.2.x serve; fluxcd/flux2 v2.9.4
 * manifests/bases/image-*-controller/kustomization.yaml pin v1.2.4): per app an ImageRepository
 * that scans the image and an ImagePolicy that picks its tag; per target branch one
 * ImageUpdateAutomation that commits the picked tags to the GitOps repository. Every object sits in
 * Flux's namespace with no `accessFrom` and no cross-namespace reference, so a tenant's own objects
 * (which lockdown confines to their namespace) can use none of them.
 */
import type { IImagePolicy } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicy";
import type { IImagePolicySpec } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicySpec";
import type { IImageRepository } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageRepository";
import type { IImageUpdateAutomation } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageUpdateAutomation";
import {
    byTargetBranch,
    IMAGE_BRANCH_PREFIX,
    ImagePushMode,
    imagePushBranch,
    ImageTagPolicy,
    ImageUpdate,
} from "../images";
import { dnsName, FluxDeclared, FluxMetadata } from "./application";

export type { ImagePushMode, ImageTagPolicy, ImageUpdate };

export type FluxImageRepository = FluxDeclared<IImageRepository>;
export type FluxImagePolicy = FluxDeclared<IImagePolicy>;
export type FluxImageUpdateAutomation = FluxDeclared<IImageUpdateAutomation>;

export interface ImageAutomationSettings {
    /** Flux's namespace. */
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    /** GitRepository (in `namespace`) of the GitOps repository, cloned with its writable deploy key. */
    readonly sourceName: string;
    readonly push: ImagePushMode;
}

export const IMAGE_DEFAULTS = {
    scanInterval: "5m",
    automationInterval: "5m",
    /** Branches the automation pushes to in pull-request mode: `image-updates/<target>`. */
    branchPrefix: IMAGE_BRANCH_PREFIX,
    author: { name: "flux-image-automation", email: "flux-image-automation@users.noreply.github.com" },
} as const;

/** Label that ties an app's ImagePolicy to the automation of its target branch. */
export const TARGET_BRANCH_LABEL = "gitops-platform.io/image-update-branch";

/** `./apps/a` and `./apps/b` → `./apps`: the narrowest directory holding every path (`./` at worst). */
export function commonDirectory(paths: readonly string[]): string {
    const split = paths.map((path) => path.replace(/^\.\//, "").split("/").filter(Boolean));
    const common: string[] = [];
    for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0][i]); i++) {
        common.push(split[0][i]);
    }
    return `./${common.join("/")}`;
}

function metadata(name: string, settings: ImageAutomationSettings, extra: Record<string, string> = {}): FluxMetadata {
    return { name, namespace: settings.namespace, labels: { ...settings.labels, ...extra } };
}

export function imageRepository(update: ImageUpdate, settings: ImageAutomationSettings): FluxImageRepository {
    return {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImageRepository",
        metadata: metadata(update.app, settings, { team: update.team }),
        spec: { image: update.image, interval: IMAGE_DEFAULTS.scanInterval },
    };
}

/** ImagePolicy spec.policy and spec.filterTags (image-reflector-controller CRD: semver.range, numerical/alphabetical.order, filterTags.pattern/extract). */
export function imagePolicySpec(policy: ImageTagPolicy): Pick<IImagePolicySpec, "policy" | "filterTags"> {
    if ("semver" in policy) {
        return { policy: { semver: { range: policy.semver } } };
    }
    return {
        filterTags: { pattern: policy.pattern, ...(policy.extract === undefined ? {} : { extract: policy.extract }) },
        policy: { [policy.order]: { order: "asc" } },
    };
}

export function imagePolicy(update: ImageUpdate, settings: ImageAutomationSettings): FluxImagePolicy {
    return {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImagePolicy",
        metadata: metadata(update.app, settings, {
            team: update.team,
            [TARGET_BRANCH_LABEL]: dnsName(update.targetBranch),
        }),
        spec: { imageRepositoryRef: { name: update.app }, ...imagePolicySpec(update.policy) },
    };
}

/** `image-updates-<branch>`. */
export function automationName(targetBranch: string): string {
    return dnsName(`image-updates-${targetBranch}`);
}

/**
 * The automation of one target branch: checks the branch out, rewrites the image fields marked
 * `# {"$imagepolicy": "<flux namespace>:<app>"}` under the apps' common directory (Setters), and
 * pushes to `image-updates/<branch>` for a pull request, or to the branch itself in direct mode.
 * Only the ImagePolicies labelled for this branch take part.
 */
export function imageUpdateAutomation(
    targetBranch: string,
    updates: readonly ImageUpdate[],
    settings: ImageAutomationSettings,
): FluxImageUpdateAutomation {
    return {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImageUpdateAutomation",
        metadata: metadata(automationName(targetBranch), settings),
        spec: {
            interval: IMAGE_DEFAULTS.automationInterval,
            sourceRef: { kind: "GitRepository", name: settings.sourceName },
            policySelector: { matchLabels: { [TARGET_BRANCH_LABEL]: dnsName(targetBranch) } },
            git: {
                checkout: { ref: { branch: targetBranch } },
                commit: {
                    author: { ...IMAGE_DEFAULTS.author },
                    messageTemplate:
                        "Update images\n\n{{ range .Changed.Changes }}{{ print .OldValue }} -> {{ println .NewValue }}{{ end }}",
                },
                push: { branch: imagePushBranch(targetBranch, settings.push) },
            },
            update: { strategy: "Setters", path: commonDirectory(updates.map((update) => update.path)) },
        },
    };
}

/** Every object of the stack's image updates: per app a repository and a policy, per target branch one automation. */
export function imageAutomationObjects(
    updates: readonly ImageUpdate[],
    settings: ImageAutomationSettings,
): {
    perApp: { app: string; objects: (FluxImageRepository | FluxImagePolicy)[] }[];
    automations: FluxImageUpdateAutomation[];
} {
    return {
        perApp: updates.map((update) => ({
            app: update.app,
            objects: [imageRepository(update, settings), imagePolicy(update, settings)],
        })),
        automations: byTargetBranch(updates).map(([branch, forBranch]) =>
            imageUpdateAutomation(branch, forBranch, settings),
        ),
    };
}

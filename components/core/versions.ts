import * as semver from "semver";

/**
 * Exact semantic version (optionally with a leading "v"), as config takes chart and distribution
 * versions and the policy pack requires of Helm releases: a range would let an upgrade slip in unreviewed.
 */
export const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Version order, by semver (https://semver.org §11, the `semver` package): a leading "v" is dropped,
 * pre-release identifiers order after their dot-separated parts, numeric ones numerically. EKS add-on
 * versions are `major.minor.patch-eksbuild.build` (aws eks describe-addon-versions
 * `addons[].addonVersions[].addonVersion`, e.g. "v1.19.2-eksbuild.1"; awsdocs/amazon-eks-user-guide
 * latest/ug/networking/managing-vpc-cni.adoc: "Versions are specified as
 * major-version.minor-version.patch-version-eksbuild.build-number"), so `-eksbuild.N` is a
 * pre-release and builds order by N: v1.19.5-eksbuild.2 > v1.19.5-eksbuild.1 > v1.19.4-eksbuild.9.
 * Throws on text that is not a version: no pin is compared by guesswork.
 */
export function compareVersions(a: string, b: string): number {
    return semver.compare(parseVersion(a), parseVersion(b));
}

/** The version as semver reads it; a clear error naming the text otherwise. */
export function parseVersion(text: string): semver.SemVer {
    const parsed = semver.parse(text.trim());
    if (parsed === null) {
        throw new Error(`"${text}" is not a version (expected major.minor.patch, optionally with a leading v)`);
    }
    return parsed;
}

/** "major.minor" of a version: the line a pin may move within without a new version set. */
export function versionLine(text: string): string {
    const { major, minor } = parseVersion(text);
    return `${major}.${minor}`;
}

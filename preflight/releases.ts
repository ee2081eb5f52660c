/**
 * Check "releases": versions the stack names that are GitHub releases rather than charts are published.
 * Today the Flux distribution a FluxInstance runs: flux-operator installs the controllers of that
 * fluxcd/flux2 release (FluxInstance spec.distribution.version, exact here), and an unreleased version
 * leaves the instance failing to reconcile. Public: GitHub's API answers anonymously (60 requests an
 * hour); GITHUB_TOKEN, when set, raises that.
 */
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";
import { GithubRelease, githubReleases, SourceError } from "./sources";
import { PreflightTarget } from "./target";

export const FLUX_REPOSITORY = "fluxcd/flux2";
const SHOWN = 3;

/** The verdict on a Flux distribution version from fluxcd/flux2's releases (newest first). */
export function judgeFluxDistribution(stack: string, version: string, releases: readonly GithubRelease[]): Outcome {
    const subject = `Flux distribution ${version}`;
    const release = releases.find((r) => r.tag === `v${version.replace(/^v/, "")}`);
    if (release !== undefined) {
        return pass(subject, `released: ${release.url || release.tag}${release.prerelease ? " (a pre-release)" : ""}`);
    }
    const newest = releases
        .filter((r) => !r.prerelease)
        .slice(0, SHOWN)
        .map((r) => r.tag)
        .join(", ");
    return fail(
        subject,
        `no ${FLUX_REPOSITORY} release v${version.replace(/^v/, "")} (newest: ${newest || "none"})`,
        `set engine.distributionVersion in Pulumi.${stack}.yaml to a released version, or run \`npm run bump -- --stack ${stack}\``,
    );
}

export async function checkReleases(
    runner: Runner,
    target: PreflightTarget,
    env: Readonly<Record<string, string | undefined>>,
): Promise<Outcome[]> {
    if (target.fluxDistributions.length === 0) {
        return [notApplicable("releases", "the stack runs no Flux distribution")];
    }
    let releases: GithubRelease[];
    try {
        releases = await githubReleases(runner, FLUX_REPOSITORY, { token: env.GITHUB_TOKEN || undefined });
    } catch (error) {
        if (!(error instanceof SourceError)) {
            throw error;
        }
        return target.fluxDistributions.map((v) =>
            skip(
                `Flux distribution ${v}`,
                error.message,
                "run where api.github.com answers (set GITHUB_TOKEN past its anonymous limit)",
            ),
        );
    }
    return target.fluxDistributions.map((v) => judgeFluxDistribution(target.stack, v, releases));
}

/**
 * Check "addons": every EKS add-on build the stack pins is offered for the cluster's Kubernetes version
 * (DescribeAddonVersions), and every unpinned add-on has a default build for it (the program takes
 * EKS's default through aws.eks.getAddonVersion). Otherwise the first `up` fails with "Addon version
 * specified is not supported" (or finds no default).
 */
import { AWS_NEEDS, AwsAccess } from "./aws";
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";
import { AddonVersion, addonVersions, SourceError } from "./sources";
import { PlannedAddon, PreflightTarget } from "./target";

const SHOWN = 3;

/** The verdict on one add-on from the builds EKS offers for the version (newest first). */
export function judgeAddon(
    stack: string,
    addon: PlannedAddon,
    kubernetesVersion: string,
    offered: readonly AddonVersion[],
): Outcome {
    const subject = `add-on ${addon.name} ${addon.version ?? "(EKS's default build)"}`;
    const defaultBuild = offered.find((b) => b.defaultVersion)?.version;
    const bump = `or run \`npm run bump -- --stack ${stack}\``;
    if (offered.length === 0) {
        return fail(
            subject,
            `EKS offers no build of ${addon.name} for Kubernetes ${kubernetesVersion}`,
            `choose a Kubernetes version ${addon.name} supports (\`aws eks describe-addon-versions --addon-name ${addon.name}\` lists them)`,
        );
    }
    const newest = offered
        .slice(0, SHOWN)
        .map((b) => b.version)
        .join(", ");
    const choices = `newest: ${newest}${defaultBuild === undefined ? "" : `; EKS's default: ${defaultBuild}`}`;
    if (addon.version === undefined) {
        return defaultBuild === undefined
            ? fail(
                  subject,
                  `EKS names no default build of ${addon.name} for Kubernetes ${kubernetesVersion}`,
                  `pin a build of ${addon.name} in Pulumi.${stack}.yaml (${choices}) ${bump}`,
              )
            : pass(subject, `EKS's default for Kubernetes ${kubernetesVersion} is ${defaultBuild}`);
    }
    return offered.some((b) => b.version === addon.version)
        ? pass(subject, `offered for Kubernetes ${kubernetesVersion}`)
        : fail(
              subject,
              `not offered for Kubernetes ${kubernetesVersion} (${choices})`,
              `pin one of the offered builds of ${addon.name} in Pulumi.${stack}.yaml ${bump}`,
          );
}

export async function checkAddons(runner: Runner, target: PreflightTarget, aws: AwsAccess): Promise<Outcome[]> {
    const cluster = target.cluster;
    if (cluster === undefined || cluster.addons.length === 0) {
        return [notApplicable("add-ons", "the stack creates no EKS cluster")];
    }
    if (!aws.available) {
        return [skip(`${cluster.addons.length} EKS add-ons`, aws.reason, AWS_NEEDS)];
    }
    const outcomes: Outcome[] = [];
    for (const addon of cluster.addons) {
        try {
            const offered = await addonVersions(runner, addon.name, cluster.kubernetesVersion, {
                region: target.region,
            });
            outcomes.push(judgeAddon(target.stack, addon, cluster.kubernetesVersion, offered));
        } catch (error) {
            if (!(error instanceof SourceError)) {
                throw error;
            }
            outcomes.push(skip(`add-on ${addon.name} ${addon.version ?? ""}`.trim(), error.message, AWS_NEEDS));
        }
    }
    return outcomes;
}

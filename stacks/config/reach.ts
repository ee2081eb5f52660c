/**
 * Reachability of the cluster's API endpoint from the CI jobs that need it (preview, up, drift).
 * Source: Amazon EKS User Guide, "Cluster API server endpoint" (awsdocs/amazon-eks-user-guide
 * latest/ug/clusters/cluster-endpoint.adoc at 4d52b4d0): with public access limited by CIDR blocks the
 * endpoint "will only receive requests from the listed blocks"; a private endpoint is reached from the
 * VPC or a connected network, and "the Amazon EKS control plane security group [must contain] rules to
 * allow ingress traffic on port 443 from your connected network". GitHub-hosted standard runners have
 * no fixed addresses (GitHub Docs, "About GitHub-hosted runners": IP addresses change; static addresses
 * only for larger runners, which run under labels of their own).
 */
import { cidrContains, parseCidr } from "../../components/cluster/cidr";
import { Environment, profileOf } from "../profiles";
import type { CiConfig } from "./ci";
import type { ClusterConfig, EksClusterConfig } from "./cluster";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";

/**
 * Labels of GitHub's standard hosted runners (GitHub Docs, "GitHub-hosted runners reference",
 * standard runners for public and private repositories): addresses from Azure's ranges, never stable.
 */
export const GITHUB_HOSTED_LABELS = [
    "ubuntu-latest",
    "ubuntu-24.04",
    "ubuntu-22.04",
    "ubuntu-24.04-arm",
    "ubuntu-22.04-arm",
    "windows-latest",
    "windows-2025",
    "windows-2022",
    "windows-11-arm",
    "macos-latest",
    "macos-15",
    "macos-14",
    "macos-13",
] as const;

const EVERYWHERE = "0.0.0.0/0";

/** The one decision on whether the EKS endpoint is public: explicit, or by the environment's default when ranges are listed. */
export function endpointPublicAccess(endpoint: EksClusterConfig["endpoint"], environment: Environment): boolean {
    return (
        endpoint.publicAccess ??
        (profileOf(environment).publicEndpointByDefault && endpoint.publicAccessCidrs.length > 0)
    );
}

export type Reach = "open" | "restricted" | "private";

/** How the API endpoint can be reached: from anywhere, from listed ranges, or only from its network. */
export function endpointReach(endpoint: EksClusterConfig["endpoint"], environment: Environment): Reach {
    if (!endpointPublicAccess(endpoint, environment)) {
        return "private";
    }
    // No ranges means 0.0.0.0/0 to EKS (the cluster config refuses that for a public endpoint anyway).
    const cidrs = endpoint.publicAccessCidrs;
    return cidrs.length === 0 || cidrs.includes(EVERYWHERE) ? "open" : "restricted";
}

type Problem = { path: PropertyKey[]; message: string };

/**
 * A stack whose endpoint is private or restricted names the runners that reach it (`ci.runners`):
 * required wherever CI runs the stack (`ci` set) and always in production with a private endpoint.
 */
export function reachabilityProblems(
    ci: CiConfig | undefined,
    eks: EksClusterConfig,
    environment: Environment,
): Problem[] {
    const reach = endpointReach(eks.endpoint, environment);
    const runners = ci?.runners;
    if (reach === "open") {
        return [];
    }
    if (runners === undefined) {
        const why =
            reach === "private"
                ? "the cluster's API endpoint is private (cluster.endpoint.publicAccess: false): GitHub-hosted runners cannot reach it"
                : `the cluster's API endpoint admits only ${eks.endpoint.publicAccessCidrs.join(", ")}: GitHub-hosted runners have no fixed address among them`;
        const fix =
            reach === "private"
                ? "set ci.runners.labels to self-hosted runners inside its network (e.g. [self-hosted, linux, gitops-<stack>]) and ci.runners.cidrs to their subnets"
                : "set ci.runners.labels to runners with static egress addresses and ci.runners.cidrs to those addresses (inside cluster.endpoint.publicAccessCidrs)";
        return ci !== undefined || (environment === "production" && reach === "private")
            ? [{ path: ci === undefined ? ["cluster", "endpoint"] : ["ci", "runners"], message: `${why}; ${fix}` }]
            : [];
    }
    const hosted = runners.labels.filter((l) => (GITHUB_HOSTED_LABELS as readonly string[]).includes(l));
    const problems: Problem[] = hosted.map((label) => ({
        path: ["ci", "runners", "labels"],
        message: `"${label}" is a GitHub-hosted runner without a fixed address, which the ${reach} endpoint does not admit: name your own runners' labels`,
    }));
    if (reach === "private" && !runners.labels.includes("self-hosted")) {
        problems.push({
            path: ["ci", "runners", "labels"],
            message: `the endpoint is private: only a runner inside its network reaches it; add "self-hosted" and the labels of runners in the VPC or a connected network`,
        });
    }
    if (reach === "restricted") {
        const allowed = eks.endpoint.publicAccessCidrs.map((c) => parseCidr(c)!);
        for (const [index, block] of runners.cidrs.entries()) {
            const parsed = parseCidr(block);
            if (parsed !== undefined && !allowed.some((a) => cidrContains(a, parsed))) {
                problems.push({
                    path: ["ci", "runners", "cidrs", index],
                    message: `runner addresses ${block} are outside cluster.endpoint.publicAccessCidrs (${eks.endpoint.publicAccessCidrs.join(", ")}): add them there, or correct the runners' addresses`,
                });
            }
        }
    }
    return problems;
}

/** The rule as stacks/config/index.ts lists it: on an EKS stack whose ci section parsed or is absent. */
export function reachabilityRule(
    config: { readonly ci?: CiConfig; readonly cluster?: ClusterConfig; readonly environment?: Environment },
    { present }: CrossFieldContext,
): CrossFieldProblem[] {
    const ci = optionalSection(config.ci, present("ci"));
    const { cluster, environment } = config;
    return ci === undefined || cluster?.type !== "eks" || environment === undefined
        ? []
        : reachabilityProblems(ci ?? undefined, cluster, environment);
}

/**
 * Policy rules of CI's reach (issue 24): the role that may read the stack's secret values for
 * `preview --refresh` is trusted by the `drift` environment alone, which admits the default branch
 * only, so no pull request's code can assume it; and production's private API endpoint admits the CI
 * runners that preview, update and check it (stacks/config/reach.ts refuses the config without them).
 */
import type { PolicyResource, ResourceRule, StackRule } from "./types";

const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const DRIFT_SUBJECT = /:environment:drift$/;

function parsed(document: unknown): unknown {
    try {
        return typeof document === "string" ? JSON.parse(document) : undefined;
    } catch {
        return undefined;
    }
}

/** The `sub` values GitHub-federated Allow statements of a trust policy admit, whatever the operator. */
export function githubSubjects(trust: unknown): string[] {
    const statements = [(parsed(trust) as { Statement?: unknown } | undefined)?.Statement ?? []].flat() as {
        Effect?: string;
        Principal?: { Federated?: string };
        Condition?: Record<string, Record<string, unknown>>;
    }[];
    return statements
        .filter((s) => s.Effect === "Allow" && String(s.Principal?.Federated ?? "").endsWith(GITHUB_ISSUER))
        .flatMap((s) =>
            Object.values(s.Condition ?? {}).flatMap((keys) =>
                [keys[`${GITHUB_ISSUER}:sub`]].flat().filter((v): v is string => typeof v === "string"),
            ),
        );
}

export const driftRoleDriftOnly: ResourceRule = {
    kind: "resource",
    name: "ci-drift-role-drift-environment-only",
    description:
        "A role trusted by the drift environment (it reads secret values) is trusted by no other GitHub subject.",
    types: ["aws:iam/role:Role"],
    validate: (r: PolicyResource) => {
        const subjects = githubSubjects(r.props.assumeRolePolicy);
        return subjects.some((s) => DRIFT_SUBJECT.test(s))
            ? subjects
                  .filter((s) => !DRIFT_SUBJECT.test(s))
                  .map(
                      (s) =>
                          `drift role ${r.name} also trusts "${s}": only repo:<owner>/<repo>:environment:drift (main only) may assume a role that reads secrets`,
                  )
            : [];
    },
};

const productionStack = (r: PolicyResource) => /^urn:pulumi:production::/.test(r.urn);
const admits443 = (rule: PolicyResource) =>
    ["tcp", "6", "-1"].includes(String(rule.props.ipProtocol)) &&
    (String(rule.props.ipProtocol) === "-1" ||
        (Number(rule.props.fromPort) <= 443 && Number(rule.props.toPort) >= 443));

/**
 * A production EKS cluster whose endpoint is private is reached by CI only from a connected network
 * that its cluster security group admits on 443 (EKS User Guide, cluster-endpoint.adoc): without such
 * a rule (ci.runners.cidrs), no workflow can preview, update or check it.
 */
export const privateEndpointReachedByCi: StackRule = {
    kind: "stack",
    name: "eks-private-endpoint-reached-by-ci",
    description: "A production EKS cluster with a private endpoint admits its CI runners' network on 443.",
    validate: (resources) =>
        resources
            .filter(
                (r) =>
                    r.type === "aws:eks/cluster:Cluster" &&
                    productionStack(r) &&
                    (r.props.vpcConfig as { endpointPublicAccess?: unknown } | undefined)?.endpointPublicAccess !==
                        true,
            )
            .filter(
                () =>
                    !resources.some(
                        (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && admits443(r),
                    ),
            )
            .map((r) => ({
                urn: r.urn,
                message: `EKS cluster ${r.name} has a private endpoint and no security group rule admits CI's runners on 443: set gitops-platform:ci.runners (self-hosted labels, and cidrs of their network)`,
            })),
};

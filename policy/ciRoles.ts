/**
 * Rules over the CI roles a stack declares (components/ci; issue 25, findings 4 and 8): the preview
 * role carries no managed policy (AWS's read-only policies read data), the deploy role's trust pins
 * the workflow file, its own policy bounds what it may do to IAM and secrets, and every other role
 * of the stack carries the workload boundary. Registered in pack.ts beside rules.ts.
 */
import { WORKLOAD_ROLE_PATH } from "../components/ci/policies";
import type { PolicyResource, Rule } from "./rules";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ISSUER = "token.actions.githubusercontent.com";
/** GitHub environments whose jobs deploy: a role trusted by one is a deploy role. */
const DEPLOY_ENVIRONMENTS = ["staging", "production"];

type Statement = Record<string, unknown>;
const OPAQUE = ["[secret]", "[unknown]"];
const statements = (document: unknown): Statement[] => {
    if (typeof document !== "string" || OPAQUE.includes(document)) {
        return [];
    }
    const parsed = (JSON.parse(document) as { Statement?: unknown }).Statement;
    return (Array.isArray(parsed) ? parsed : [parsed]).filter(
        (s): s is Statement => typeof s === "object" && s !== null,
    );
};
const values = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
/** A condition key's values under any operator, with the operators that name it. */
const conditionOn = (s: Statement, key: string): { operator: string; values: unknown[] }[] =>
    Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>)
        .filter(([, keys]) => keys[key] !== undefined)
        .map(([operator, keys]) => ({ operator, values: values(keys[key]) }));

/** The GitHub-trusting Allow statements of a role's trust. */
const githubTrust = (r: PolicyResource) =>
    statements(r.props.assumeRolePolicy).filter(
        (s) =>
            s.Effect === "Allow" &&
            String((s.Principal as Record<string, string> | undefined)?.Federated ?? "").endsWith(ISSUER),
    );
const deploysFrom = (s: Statement) =>
    conditionOn(s, `${ISSUER}:sub`).some((c) =>
        c.values.some((v) => DEPLOY_ENVIRONMENTS.some((e) => String(v).endsWith(`:environment:${e}`))),
    );
const isDeployRole = (r: PolicyResource) => r.type === ROLE && githubTrust(r).some(deploysFrom);
const isPreviewRole = (r: PolicyResource) => r.type === ROLE && githubTrust(r).length > 0 && !isDeployRole(r);
const roleName = (r: PolicyResource) => r.props.name ?? r.name;
const policiesOf = (role: PolicyResource, all: readonly PolicyResource[]) =>
    all.filter((p) => p.type === ROLE_POLICY && p.props.role === roleName(role));

/** A managed policy gives the preview role whatever AWS puts in it: ReadOnlyAccess reads S3 objects and logs. */
const previewNoManagedPolicies: Rule = {
    kind: "stack",
    name: "ci-preview-role-no-managed-policies",
    description:
        "A role GitHub workflows assume outside the deploy environments has no managed policy: its reads are named inline.",
    validate: (resources) =>
        resources.filter(isPreviewRole).flatMap((role) => [
            ...resources
                .filter((a) => a.type === ATTACHMENT && a.props.role === roleName(role))
                .map((a) => ({
                    urn: a.urn,
                    message: `preview role ${role.name} has managed policy ${String(a.props.policyArn)} attached: managed read policies read data (S3 objects, items, logs); name the reads inline`,
                })),
            ...values(role.props.managedPolicyArns).map((arn) => ({
                urn: role.urn,
                message: `preview role ${role.name} lists managed policy ${String(arn)}: name the reads inline`,
            })),
        ]),
};

/** GitHub Docs, "OpenID Connect reference": job_workflow_ref is <owner>/<repo>/<workflow file>@<ref>. */
const deployTrustPinsWorkflow: Rule = {
    kind: "resource",
    name: "ci-deploy-role-pins-workflow",
    description:
        "A deploy role's GitHub trust names the workflow file and ref its jobs run (job_workflow_ref, exact values).",
    types: [ROLE],
    validate: (r) =>
        githubTrust(r)
            .filter(deploysFrom)
            .flatMap((s) => {
                const pins = conditionOn(s, `${ISSUER}:job_workflow_ref`);
                if (pins.length === 0) {
                    return [
                        `deploy role ${r.name} admits any workflow of its environment: add StringEquals ${ISSUER}:job_workflow_ref <owner>/<repo>/.github/workflows/<file>@refs/heads/main`,
                    ];
                }
                return pins
                    .filter((p) => p.operator !== "StringEquals" || p.values.some((v) => /[*?]/.test(String(v))))
                    .map(
                        () =>
                            `deploy role ${r.name} pins its workflow with a pattern: name the file and ref exactly (StringEquals)`,
                    );
            }),
};

const allows = (s: Statement, action: string, resource: string) =>
    s.Effect === "Allow" &&
    values(s.Action).some(
        (a) =>
            a === action ||
            a === `${action.split(":")[0]}:*` ||
            a === "*" ||
            (String(a).endsWith("*") && action.startsWith(String(a).slice(0, -1))),
    ) &&
    values(s.Resource).includes(resource);

/** What made the deploy role admin-equivalent: unbounded role writes, PassRole and secret reads on "*". */
const deployRoleBounded: Rule = {
    kind: "stack",
    name: "ci-deploy-role-bounded",
    description:
        "A deploy role denies role writes without the permissions boundary, and allows neither iam:PassRole nor secret reads on every resource.",
    validate: (resources) =>
        resources.filter(isDeployRole).flatMap((role) => {
            const own = policiesOf(role, resources).flatMap((p) => statements(p.props.policy));
            const boundaryDeny = own.some(
                (s) =>
                    s.Effect === "Deny" &&
                    values(s.Action).includes("iam:CreateRole") &&
                    conditionOn(s, "iam:PermissionsBoundary").some((c) => c.operator === "StringNotEquals"),
            );
            const problems = [
                ...(boundaryDeny
                    ? []
                    : [
                          `deploy role ${role.name} may create roles without a permissions boundary: deny iam:CreateRole and the role writes unless iam:PermissionsBoundary is the workload boundary`,
                      ]),
                ...(own.some((s) => allows(s, "iam:PassRole", "*"))
                    ? [`deploy role ${role.name} may pass any role: scope iam:PassRole to the workload roles`]
                    : []),
                ...(own.some((s) => allows(s, "secretsmanager:GetSecretValue", "*"))
                    ? [`deploy role ${role.name} may read every secret: scope Secrets Manager to the stack's prefix`]
                    : []),
            ];
            return problems.map((message) => ({ urn: role.urn, message }));
        }),
};

/** Where the stack has a deploy role, every role it creates for workloads carries the boundary, under the path. */
const workloadRolesBounded: Rule = {
    kind: "stack",
    name: "iam-workload-roles-bounded",
    description: `Where a stack declares a CI deploy role, every other role it declares lives under ${WORKLOAD_ROLE_PATH} and carries a permissions boundary.`,
    validate: (resources) =>
        resources.some(isDeployRole)
            ? resources
                  .filter((r) => r.type === ROLE && githubTrust(r).length === 0)
                  .filter(
                      (r) =>
                          r.props.path !== WORKLOAD_ROLE_PATH ||
                          typeof r.props.permissionsBoundary !== "string" ||
                          r.props.permissionsBoundary === "",
                  )
                  .map((r) => ({
                      urn: r.urn,
                      message: `role ${r.name} has no permissions boundary or lies outside ${WORKLOAD_ROLE_PATH}: the deploy role can neither manage nor pass it; declare it after the CI roles (stacks/ci.ts)`,
                  }))
            : [],
};

export const CI_ROLE_RULES: readonly Rule[] = [
    previewNoManagedPolicies,
    deployTrustPinsWorkflow,
    deployRoleBounded,
    workloadRolesBounded,
];

/** EKS access for teams (namespace-scoped through their groups) and the read-only viewer role. */
import * as assert from "node:assert/strict";
import { PlanResult } from "../plan/run";
import { byName, configProblems, ofType, planStack, stackValue } from "./harness";

const ENTRY = "aws:eks/accessEntry:AccessEntry";
const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";

describe("cluster access: teams and viewers (staging plan)", () => {
    let plan: PlanResult;
    before(async () => {
        plan = await planStack("staging");
    });

    it("maps each team's role to its groups, with no access policy (its RoleBindings are all it gets)", () => {
        const teams = stackValue<Record<string, { groups: string[]; roleArn: string }>>(
            "staging",
            "gitops-platform:teams",
        );
        for (const [team, { groups, roleArn }] of Object.entries(teams)) {
            const entry = byName(plan.resources, ENTRY, `staging-cluster-team-${team}`);
            assert.deepEqual(
                [entry.inputs.principalArn, entry.inputs.type, entry.inputs.kubernetesGroups],
                [roleArn, "STANDARD", groups],
            );
            assert.ok(!ofType(plan.resources, ASSOCIATION).some((a) => a.inputs.principalArn === roleArn), team);
        }
    });

    it("the groups an entry grants are bound only in namespaces, never cluster-wide", () => {
        const groups = ofType(plan.resources, ENTRY).flatMap(
            (e) => (e.inputs.kubernetesGroups as string[] | undefined) ?? [],
        );
        assert.ok(groups.length > 0);
        const bound = ofType(plan.resources, BINDING).flatMap((b) =>
            (b.inputs.subjects as { name: string }[]).map((s) => s.name),
        );
        assert.ok(
            groups.every((g) => bound.includes(g)),
            "every team group has a RoleBinding",
        );
        assert.deepEqual(ofType(plan.resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"), []);
    });

    it("gives the preview role read-only access on the whole cluster (AmazonEKSViewPolicy)", () => {
        const association = byName(plan.resources, ASSOCIATION, "staging-cluster-viewer-github-actions-preview");
        assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
        assert.equal(association.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        assert.equal(association.inputs.principalArn, "arn:aws:iam::111122223333:role/github-actions-preview");
    });

    it("declares no team entry for a team without a role", async () => {
        const teams = structuredClone(
            stackValue<Record<string, { roleArn?: string }>>("staging", "gitops-platform:teams"),
        );
        delete teams.payments.roleArn;
        const without = await planStack("staging", { set: { "gitops-platform:teams": teams } });
        assert.ok(!ofType(without.resources, ENTRY).some((e) => e.name === "staging-cluster-team-payments"));
        assert.ok(ofType(without.resources, ENTRY).some((e) => e.name === "staging-cluster-team-storefront"));
    });
});

describe("cluster access: config", () => {
    const problems = (set: Record<string, unknown>) =>
        configProblems("staging", { set }).map((p) => `${p.key}: ${p.message}`);

    it("rejects a team roleArn that is not an IAM role ARN, naming the key", () => {
        const teams = structuredClone(
            stackValue<Record<string, Record<string, unknown>>>("staging", "gitops-platform:teams"),
        );
        teams.payments.roleArn = "arn:aws:iam::111122223333:user/alice";
        assert.deepEqual(problems({ "gitops-platform:teams": teams }), [
            "gitops-platform:teams.payments.roleArn: expected an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins",
        ]);
    });

    it("rejects a viewer that is not an IAM role ARN", () => {
        const cluster = structuredClone(stackValue<Record<string, unknown>>("staging", "gitops-platform:cluster"));
        cluster.viewerRoleArns = ["github-actions-preview"];
        assert.deepEqual(problems({ "gitops-platform:cluster": cluster }), [
            "gitops-platform:cluster.viewerRoleArns[0]: expected an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins",
        ]);
    });
});

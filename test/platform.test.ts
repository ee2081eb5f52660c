/**
 * The composed platform, planned from the checked-in stack files: the stack-output contract the
 * promotion command reads, promotion fed with a real staging plan's outputs, and the order of the
 * graph that `pulumi up` follows and `pulumi destroy` reverses.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { applyChanges, parseSourceOutputs, planPromotion } from "../delivery/promote";
import { PlannedResource } from "../plan/recorder";
import { stackFilePath } from "../plan/stackFile";
import { CHECKED_IN_STACKS, ofType, planStack } from "./harness";

/** Every resource `urn` waits for, directly or through others (dependencies and explicit dependsOn). */
function transitiveDependencies(resources: readonly PlannedResource[], urn: string): Set<string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length > 0) {
        const current = byUrn.get(stack.pop()!);
        for (const next of [...(current?.dependencies ?? []), ...(current?.options.dependsOn ?? [])]) {
            if (!seen.has(next)) {
                seen.add(next);
                stack.push(next);
            }
        }
    }
    return seen;
}

describe("the composed platform", () => {
    for (const stack of CHECKED_IN_STACKS) {
        it(`outputs the ${stack} stack's contract, which the promotion command accepts`, async () => {
            const { outputs } = await planStack(stack);
            const eks = stack !== "local";
            assert.deepEqual(
                Object.keys(outputs).sort(),
                [
                    // The local stack reads its public repository anonymously: no deploy key to output.
                    "apps",
                    // The EKS stacks declare their account's CI roles (gitops-platform:ci).
                    ...(eks ? ["ciRoles"] : []),
                    "cluster",
                    "engine",
                    "environment",
                    ...(eks ? ["gitopsDeployPublicKey", "kubeconfig"] : []),
                    "gitopsRepository",
                    "secrets",
                    // The version set the stack runs, which promote --platform carries.
                    "versions",
                ].sort(),
            );
            if (eks) {
                assert.equal(outputs.kubeconfig, "[secret]");
            }
            assert.doesNotThrow(() => parseSourceOutputs(JSON.stringify(outputs), `the ${stack} plan`));
        });
    }

    it("promotes what the staging plan runs into Pulumi.production.yaml", async () => {
        const { outputs } = await planStack("staging");
        const source = parseSourceOutputs(JSON.stringify(outputs), "the staging plan");
        const production = fs.readFileSync(stackFilePath("production"), "utf8");
        const changes = planPromotion(
            { from: "staging", to: "production", apps: [], platform: true },
            source,
            production,
        );
        assert.deepEqual(
            changes.map((c) => [c.label, c.from, c.to]),
            [
                ["apps.payments-api.revision", "refs/tags/v2.14.1", "refs/tags/v2.15.0"],
                ["apps.checkout-web.revision", "refs/tags/v5.3.0", "refs/tags/v5.4.0"],
            ],
        );
        const promoted = applyChanges(production, changes);
        // A second promotion of the same outputs finds nothing left to do.
        assert.deepEqual(
            planPromotion({ from: "staging", to: "production", apps: [], platform: true }, source, promoted),
            [],
        );
    });

    it("publishes the secrets operator's IAM role in the platform metadata (GitOps bridge)", async () => {
        const { resources } = await planStack("production");
        const role = ofType(resources, "aws:iam/role:Role").find((r) => r.name === "production-secrets-operator-role");
        assert.ok(role, "the operator's role is declared");
        const secret = resources.find(
            (r) => r.type === "kubernetes:core/v1:Secret" && r.name === "argocd-cluster-in-cluster",
        );
        const annotations = (secret?.inputs.metadata as { annotations: Record<string, string> }).annotations;
        assert.equal(
            annotations.external_secrets_iam_role_arn,
            "arn:aws:iam::123456789012:role/gitops-platform/production-secrets-operator-role",
        );
        assert.ok(transitiveDependencies(resources, secret!.urn).has(role.urn), "the metadata waits for the role");
    });

    describe("order of the graph", () => {
        let resources: PlannedResource[];
        before(async () => {
            resources = (await planStack("production")).resources;
        });
        const one = (type: string) => {
            const found = ofType(resources, type);
            assert.equal(found.length, 1, type);
            return found[0].urn;
        };

        it("creates GitHub repositories, deploy keys, IAM roles and Secrets Manager entries without waiting for the EKS cluster", () => {
            const cluster = one("aws:eks/cluster:Cluster");
            const independent = resources.filter((r) =>
                ["github:", "tls:", "aws:secretsmanager/", "aws:iam/"].some((prefix) => r.type.startsWith(prefix)),
            );
            // Pod Identity trust names the cluster by its configured name, so workload roles need not wait for it.
            assert.deepEqual(
                ofType(independent, "aws:iam/role:Role")
                    .map((r) => r.name)
                    .sort(),
                [
                    "ci-deploy",
                    "ci-drift",
                    "ci-preview",
                    "production-cluster-cluster",
                    "production-cluster-ebs-csi-role",
                    "production-cluster-node",
                    "production-cluster-vpc-cni-role",
                    "production-secrets-operator-role",
                ],
            );
            assert.ok(
                independent.length >= 20,
                `expected the repositories, keys, roles and secrets, got ${independent.length}`,
            );
            for (const resource of independent) {
                assert.ok(
                    !transitiveDependencies(resources, resource.urn).has(cluster),
                    `${resource.type} ${resource.name} waits for the cluster`,
                );
            }
        });

        // Finding 9: vpc-cni's Pod Identity association is served by the agent, so vpc-cni comes after it.
        it("creates vpc-cni after the pod identity agent, and the networking add-ons before the node groups", () => {
            const addon = (name: string) =>
                ofType(resources, "aws:eks/addon:Addon").find((r) => r.name === `production-cluster-${name}`)!;
            const [agent, cni, proxy] = ["pod-identity-agent", "vpc-cni", "kube-proxy"].map(addon);
            assert.ok(
                transitiveDependencies(resources, cni.urn).has(agent.urn),
                "vpc-cni waits for the pod identity agent",
            );
            assert.ok(!transitiveDependencies(resources, proxy.urn).has(agent.urn), "kube-proxy does not");
            for (const group of ofType(resources, "aws:eks/nodeGroup:NodeGroup")) {
                const waitsFor = transitiveDependencies(resources, group.urn);
                assert.deepEqual(
                    [agent, cni, proxy].map((a) => waitsFor.has(a.urn)),
                    [true, true, true],
                    group.name,
                );
            }
        });

        it("installs the engine after the node groups, and registers apps after the engine", () => {
            const release = ofType(resources, "kubernetes:helm.sh/v3:Release").find(
                (r) => r.name === "argocd-release",
            )!;
            const engineWaitsFor = transitiveDependencies(resources, release.urn);
            for (const group of ofType(resources, "aws:eks/nodeGroup:NodeGroup")) {
                assert.ok(engineWaitsFor.has(group.urn), `the engine does not wait for ${group.name}`);
            }
            const applications = ofType(resources, "kubernetes:argoproj.io/v1alpha1:Application");
            assert.equal(applications.length, 4);
            for (const application of applications) {
                assert.ok(
                    transitiveDependencies(resources, application.urn).has(release.urn),
                    `${application.name} does not wait for the engine`,
                );
            }
        });
    });
});

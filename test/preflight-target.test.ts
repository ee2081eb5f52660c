/** What preflight checks, read off the offline plans of the checked-in stacks. */
import * as assert from "node:assert/strict";
import { DEFAULTS as FLUX_DEFAULTS } from "../components/gitops/flux";
import { PlannedResource } from "../plan/recorder";
import { preflightTarget } from "../preflight/target";
import { planStack, stackConfig, stackValue } from "./harness";

async function targetOf(stack: string) {
    const plan = await planStack(stack);
    return preflightTarget(stack, stackConfig(stack).config, plan.resources);
}

describe("preflight target", () => {
    it("takes staging's cluster, its pinned add-ons and the add-ons that take EKS's default build", async () => {
        const target = await targetOf("staging");
        const pins = stackValue<{ addons: Record<string, string> }>("staging", "gitops-platform:cluster").addons;
        assert.equal(target.region, "eu-west-1");
        assert.equal(target.githubOwner, "acme-platform");
        assert.equal(target.cluster?.name, "gitops-platform-staging");
        assert.equal(target.cluster?.kubernetesVersion, "1.35");
        const addons = Object.fromEntries(target.cluster.addons.map((a) => [a.name, a.version]));
        assert.deepEqual(addons, {
            "vpc-cni": pins.vpcCni,
            coredns: pins.coreDns,
            "kube-proxy": pins.kubeProxy,
            "eks-pod-identity-agent": pins.podIdentityAgent,
            // Unpinned in the stack file: the plan's placeholder for EKS's default is not taken as a pin.
            "metrics-server": undefined,
            "aws-ebs-csi-driver": undefined,
        });
        const cni = target.cluster.addons.find((a) => a.name === "vpc-cni")!;
        assert.deepEqual(JSON.parse(cni.configurationValues!), { enableNetworkPolicy: "true" });
        assert.deepEqual(cni.podIdentityServiceAccounts, ["aws-node"]);
    });

    it("takes staging's endpoint settings as planned", async () => {
        const cluster = (await targetOf("staging")).cluster!;
        assert.equal(cluster.publicAccess, true);
        assert.deepEqual(cluster.publicAccessCidrs, ["203.0.113.0/24", "198.51.100.0/24"]);
        const production = (await targetOf("production")).cluster!;
        assert.equal(production.publicAccess, false);
        assert.equal(production.privateAccess, true);
    });

    it("takes every chart a stack installs with Pulumi, with its repository", async () => {
        const target = await targetOf("staging");
        const engine = stackValue<{ chartVersion: string }>("staging", "gitops-platform:engine").chartVersion;
        const secrets = stackValue<{ chartVersion: string }>("staging", "gitops-platform:secrets").chartVersion;
        assert.deepEqual(
            target.charts.map((c) => [c.chart, c.version, c.repository]).sort(),
            [
                ["argo-cd", engine, "https://argoproj.github.io/argo-helm"],
                ["external-secrets", secrets, "https://charts.external-secrets.io"],
            ].sort(),
        );
    });

    it("takes a whole oci:// chart reference (flux-operator on the local stack) and no cluster", async () => {
        const target = await targetOf("local");
        assert.equal(target.cluster, undefined);
        assert.deepEqual(target.fluxDistributions, [FLUX_DEFAULTS.distributionVersion]);
        const flux = target.charts.find((c) => c.chart.endsWith("/flux-operator"));
        assert.deepEqual(flux && { chart: flux.chart, repository: flux.repository }, {
            chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
            repository: undefined,
        });
    });

    it("takes the charts the engine installs from the fleet's ApplicationSets", async () => {
        const target = await targetOf("fleet-example");
        const fromEngine = target.charts.filter((c) => c.installedBy.includes("fleet-addon"));
        assert.deepEqual(fromEngine.map((c) => [c.chart, c.repository]).sort(), [
            ["external-secrets", "https://charts.external-secrets.io"],
            ["kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts"],
        ]);
        assert.ok(
            fromEngine.every((c) => /^\d+\.\d+\.\d+/.test(c.version)),
            JSON.stringify(fromEngine),
        );
    });

    it("takes the Kubernetes version the seeded checks validate against, and the kinds they validate", async () => {
        const target = await targetOf("staging");
        assert.deepEqual(target.schemaVersions, ["1.35.0"]);
        assert.ok(
            target.seededKinds.some((k) => k.apiVersion === "v1" && k.kind === "ConfigMap"),
            JSON.stringify(target.seededKinds),
        );
        assert.ok(!target.seededKinds.some((k) => k.kind === "Kustomization"), "kustomization.yaml is not rendered");
    });

    it("reads an Argo CD OCI Helm source (repoURL without scheme) and a Flux HelmRelease's HelmRepository", () => {
        const resource = (type: string, name: string, inputs: Record<string, unknown>): PlannedResource => ({
            urn: `urn:${name}`,
            type,
            name,
            custom: true,
            dependencies: [],
            inputs,
            options: {
                protect: false,
                retainOnDelete: false,
                ignoreChanges: [],
                deleteBeforeReplace: false,
                dependsOn: [],
            },
        });
        const resources = [
            resource("kubernetes:argoproj.io/v1alpha1:Application", "nginx", {
                spec: {
                    source: { chart: "nginx", repoURL: "registry-1.docker.io/bitnamicharts", targetRevision: "15.9.0" },
                },
            }),
            resource("kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository", "repo", {
                metadata: { name: "addon-external-secrets", namespace: "flux-system" },
                spec: { url: "https://charts.external-secrets.io" },
            }),
            resource("kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease", "release", {
                metadata: { name: "external-secrets", namespace: "flux-system" },
                spec: {
                    chart: {
                        spec: {
                            chart: "external-secrets",
                            version: "2.9.0",
                            sourceRef: { kind: "HelmRepository", name: "addon-external-secrets" },
                        },
                    },
                },
            }),
        ];
        const target = preflightTarget("test", {}, resources);
        assert.deepEqual(
            target.charts.map((c) => [c.installedBy, c.chart, c.version, c.repository]),
            [
                ["nginx", "nginx", "15.9.0", "oci://registry-1.docker.io/bitnamicharts"],
                ["release", "external-secrets", "2.9.0", "https://charts.external-secrets.io"],
            ],
        );
    });
});

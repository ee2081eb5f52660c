/**
 * Upgrades as data: semver order of pins, nodes that follow the control plane, version sets per
 * Kubernetes minor, and config pins held to their set.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { compareVersions, versionLine } from "../components/core/versions";
import { PlannedResource } from "../plan/recorder";
import { EKS_KUBERNETES_VERSIONS } from "../stacks/config/cluster";
import { withinLine } from "../stacks/config/versions";
import { ADDONS, CHART_KEYS, CHARTS, VERSION_SETS } from "../stacks/versionSets";
import { installedCharts } from "../stacks/versions";
import { assertProblemAt, configProblems, edited, ofType, planStack, platformConfig, stackValue } from "./harness";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const CLUSTER = "aws:eks/cluster:Cluster";
const ADDON = "aws:eks/addon:Addon";
const EKS_STACKS = ["staging", "production", "fleet-example"] as const;

describe("upgrades: versions ordered by semver", () => {
    for (const [lower, higher] of [
        ["v1.19.5-eksbuild.1", "v1.19.5-eksbuild.2"],
        ["v1.19.5-eksbuild.9", "v1.19.5-eksbuild.10"],
        ["v1.19.4-eksbuild.9", "v1.19.5-eksbuild.1"],
        ["2.9.0", "2.10.0"],
        ["v2.9.0", "2.9.1"],
    ] as const) {
        it(`${lower} < ${higher}`, () => {
            assert.ok(compareVersions(lower, higher) < 0);
            assert.ok(compareVersions(higher, lower) > 0);
        });
    }

    it("a leading v changes nothing", () => {
        assert.equal(compareVersions("v2.9.0", "2.9.0"), 0);
    });

    it("refuses to order what is not a version", () => {
        assert.throws(() => compareVersions("^2.9.0", "2.9.0"), /"\^2\.9\.0" is not a version/);
        assert.throws(() => compareVersions("1.36", "1.35"), /"1\.36" is not a version/);
    });

    it("orders EKS builds as (major, minor, patch, build) tuples", () => {
        const build = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30), fc.integer({ min: 1, max: 40 }));
        fc.assert(
            fc.property(build, build, (a, b) => {
                const text = ([ma, mi, pa, bu]: number[]) => `v${ma}.${mi}.${pa}-eksbuild.${bu}`;
                const tuple = a.findIndex((part, i) => part !== b[i]);
                const expected = tuple === -1 ? 0 : Math.sign(a[tuple] - b[tuple]);
                assert.equal(Math.sign(compareVersions(text(a), text(b))), expected);
            }),
        );
    });

    it("a pin's line is its major.minor", () => {
        assert.equal(versionLine("v1.19.5-eksbuild.2"), "1.19");
        assert.ok(withinLine("addon", "v1.19.5-eksbuild.1", "v1.19.7-eksbuild.3"));
        assert.ok(!withinLine("addon", "v1.19.5-eksbuild.1", "v1.20.0-eksbuild.1"));
        assert.ok(withinLine("chart", "10.1.1", "10.4.0"));
        assert.ok(!withinLine("chart", "10.1.1", "11.0.0"));
        // Below 1.0 a minor may break: the line is the minor.
        assert.ok(!withinLine("chart", "0.58.1", "0.59.0"));
    });
});

/** Node groups that do not run the cluster's version, or wait for neither control plane nor networking add-ons. */
export function nodeGroupsOffVersion(resources: readonly PlannedResource[]): string[] {
    const clusters = ofType(resources, CLUSTER);
    const networking = ofType(resources, ADDON).filter((a) =>
        ["vpc-cni", "kube-proxy"].includes(String(a.inputs.addonName)),
    );
    return ofType(resources, NODE_GROUP).flatMap((group) => {
        const cluster = clusters.find((c) => c.urn.split("::")[0] === group.urn.split("::")[0]) ?? clusters[0];
        const problems: string[] = [];
        if (cluster === undefined || group.inputs.version !== cluster.inputs.version) {
            problems.push(
                `${group.name}: version ${String(group.inputs.version)}, cluster ${String(cluster?.inputs.version)}`,
            );
        }
        if (!group.options.dependsOn.includes(cluster?.urn ?? "")) {
            problems.push(`${group.name}: does not wait for the control plane`);
        }
        for (const addon of networking) {
            if (!group.options.dependsOn.includes(addon.urn)) {
                problems.push(`${group.name}: does not wait for ${addon.name}`);
            }
        }
        return problems;
    });
}

describe("upgrades: nodes follow the control plane", () => {
    for (const stack of EKS_STACKS) {
        it(`every node group of ${stack} runs the cluster's Kubernetes version and its AMI release, after the control plane and networking add-ons`, async () => {
            const { resources } = await planStack(stack);
            const groups = ofType(resources, NODE_GROUP);
            assert.ok(groups.length > 0);
            assert.deepEqual(nodeGroupsOffVersion(resources), []);
            const version = stackValue<{ kubernetesVersion: string }>(
                stack,
                "gitops-platform:cluster",
            ).kubernetesVersion;
            for (const group of groups) {
                assert.equal(group.inputs.version, version);
                assert.equal(group.inputs.releaseVersion, VERSION_SETS[version].nodeAmiRelease?.version);
            }
        });
    }

    it("catches a node group left on the old version (planted break)", async () => {
        const { resources } = await planStack("production");
        const planted = resources.map((r) =>
            r.type === NODE_GROUP && r.name === "production-cluster-apps"
                ? { ...r, inputs: { ...r.inputs, version: "1.34" } }
                : r,
        );
        assert.deepEqual(nodeGroupsOffVersion(planted), ["production-cluster-apps: version 1.34, cluster 1.35"]);
    });

    it("catches a node group that does not wait for the networking add-ons (planted break)", async () => {
        const { resources } = await planStack("staging");
        const planted = resources.map((r) =>
            r.type === NODE_GROUP ? { ...r, options: { ...r.options, dependsOn: [] } } : r,
        );
        assert.deepEqual(nodeGroupsOffVersion(planted), [
            "staging-cluster-general: does not wait for the control plane",
            "staging-cluster-general: does not wait for staging-cluster-kube-proxy",
            "staging-cluster-general: does not wait for staging-cluster-vpc-cni",
        ]);
    });

    it("an explicit AMI release overrides the set's", async () => {
        const { resources } = await planStack("staging", {
            set: edited<Record<string, unknown>>("staging", "gitops-platform:cluster", (c) => {
                c.nodeAmiReleaseVersion = "1.35.7-20260827";
            }),
        });
        assert.deepEqual(
            ofType(resources, NODE_GROUP).map((g) => g.inputs.releaseVersion),
            ["1.35.7-20260827"],
        );
    });
});

describe("upgrades: one version set per Kubernetes minor", () => {
    it("has a set for every minor EKS offers, and no other", () => {
        assert.deepEqual(Object.keys(VERSION_SETS), [...EKS_KUBERNETES_VERSIONS]);
    });

    for (const minor of EKS_KUBERNETES_VERSIONS) {
        it(`${minor}: kube-proxy and the AMI release belong to ${minor}; each pin names its source`, () => {
            const set = VERSION_SETS[minor];
            if (set.addons.kubeProxy) {
                assert.equal(versionLine(set.addons.kubeProxy.version), minor);
            }
            if (set.nodeAmiRelease) {
                assert.ok(set.nodeAmiRelease.version.startsWith(`${minor}.`));
            }
            for (const pin of [...Object.values(set.addons), ...Object.values(set.charts)]) {
                // A confirmed pin names the file it was read from; an unconfirmed one says so.
                assert.match(pin.source, pin.confirmed ? /\.(adoc|ts)\b/ : /^unconfirmed: /);
                assert.doesNotThrow(() => compareVersions(pin.version, pin.version));
            }
        });
    }

    it("covers every chart the program installs, with the components' pinned versions", () => {
        assert.deepEqual([...CHART_KEYS].sort(), [
            "argo-cd",
            "argo-rollouts",
            "argocd-image-updater",
            "external-secrets",
            "flagger",
            "flux",
            "flux-operator",
            "kube-prometheus-stack",
            "sealed-secrets",
        ]);
    });

    it("every Helm release in every plan is a chart of the set, at the stack's version", async () => {
        for (const stack of [...EKS_STACKS, "local"]) {
            const { resources } = await planStack(stack);
            const charts = installedCharts(platformConfig(stack));
            for (const release of ofType(resources, "kubernetes:helm.sh/v3:Release")) {
                const chart = CHART_KEYS.find((key) =>
                    [CHARTS[key].chart, `${CHARTS[key].repository}/${CHARTS[key].chart}`].includes(
                        String(release.inputs.chart),
                    ),
                );
                assert.ok(chart, `${stack}: ${String(release.inputs.chart)} is in no version set`);
                assert.ok(charts.includes(chart), `${stack}: installs ${chart}, which installedCharts misses`);
                assert.equal(release.inputs.version, CHARTS[chart].version);
            }
        }
    });

    // The Prometheus Operator's CRDs may come from the cluster's own kube-prometheus-stack: served by a
    // chart of the set, not necessarily one this stack installs.
    it("every custom resource in every plan has an API version a chart of the set serves", async () => {
        for (const stack of [...EKS_STACKS, "local"]) {
            assert.deepEqual(unservedApis((await planStack(stack)).resources), [], stack);
        }
    });

    it("catches a custom resource at an API version no chart of the set serves (planted break)", async () => {
        const { resources } = await planStack("staging");
        const planted = resources.map((r) =>
            r.name === "payments-api-application"
                ? { ...r, inputs: { ...r.inputs, apiVersion: "argoproj.io/v1beta1" } }
                : r,
        );
        assert.deepEqual(unservedApis(planted), ["payments-api-application writes argoproj.io/v1beta1"]);
    });
});

/** Kubernetes objects whose API version is neither built in nor served by a chart of the version set. */
function unservedApis(resources: readonly PlannedResource[]): string[] {
    const builtIn = /^(v1|[a-z.]*k8s\.io\/v\d+|apps\/v1|batch\/v1|policy\/v1|helm\.sh\/v3)$/;
    const served = new Set<string>(CHART_KEYS.flatMap((chart) => CHARTS[chart].apis));
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.inputs.apiVersion !== undefined)
        .filter((r) => !builtIn.test(String(r.inputs.apiVersion)) && !served.has(String(r.inputs.apiVersion)))
        .map((r) => `${r.name} writes ${String(r.inputs.apiVersion)}`);
}

describe("upgrades: explicit pins within the version set", () => {
    /** The parts of staging's cluster section these cases edit. */
    interface ClusterSection {
        kubernetesVersion: string;
        addons: Record<string, string>;
        nodeAmiReleaseVersion?: string;
    }
    const cluster = (edit: (c: ClusterSection) => void) =>
        edited<ClusterSection>("staging", "gitops-platform:cluster", edit);

    it("accepts a newer build of the same line (vpc-cni v1.19.7 on the set's v1.19.5)", () => {
        assert.deepEqual(
            configProblems("staging", { set: cluster((c) => (c.addons.vpcCni = "v1.19.7-eksbuild.3")) }),
            [],
        );
    });

    for (const c of [
        {
            name: "an add-on build of another line",
            set: cluster((c) => (c.addons.vpcCni = "v1.20.1-eksbuild.3")),
            key: "gitops-platform:cluster.addons.vpcCni",
            expect: "vpc-cni v1.20.1-eksbuild.3 is beyond the version set of Kubernetes 1.35 (v1.19.5-eksbuild.1, 1.19.x",
        },
        {
            name: "an older add-on line",
            set: cluster((c) => (c.addons.coreDns = "v1.13.2-eksbuild.4")),
            key: "gitops-platform:cluster.addons.coreDns",
            expect: "coredns v1.13.2-eksbuild.4 is older than the version set of Kubernetes 1.35",
        },
        {
            name: "a chart of another major",
            set: { "gitops-platform:versions": { charts: { "kube-prometheus-stack": "89.0.0" } } },
            key: "gitops-platform:versions.charts.kube-prometheus-stack",
            expect: "kube-prometheus-stack 89.0.0 is beyond the version set of Kubernetes 1.35 (88.5.3, the 88.x line",
        },
        {
            name: "an external-secrets chart of another major",
            set: edited<{ chartVersion: string }>(
                "staging",
                "gitops-platform:secrets",
                (s) => (s.chartVersion = "3.0.0"),
            ),
            key: "gitops-platform:secrets.chartVersion",
            expect: "external-secrets 3.0.0 is beyond the version set",
        },
        {
            name: "versions.kubernetes on an EKS stack",
            set: { "gitops-platform:versions": { kubernetes: "1.34" } },
            key: "gitops-platform:versions.kubernetes",
            expect: "an EKS stack names its Kubernetes minor in cluster.kubernetesVersion (1.35)",
        },
        {
            name: "an AMI release of another minor",
            set: cluster((c) => (c.nodeAmiReleaseVersion = "1.34.4-20260301")),
            key: "gitops-platform:cluster.nodeAmiReleaseVersion",
            expect: "use an AMI release of 1.35",
        },
    ]) {
        it(`refuses ${c.name}, with the fix`, () => {
            assertProblemAt(configProblems("staging", { set: c.set }), c.key, c.expect);
        });
    }

    it("a minor whose set lacks add-on builds requires each, naming the command that lists them", () => {
        const problems = configProblems("staging", {
            set: cluster((c) => {
                c.kubernetesVersion = "1.34";
                c.addons = {};
            }),
        });
        for (const key of ["vpcCni", "coreDns", "kubeProxy", "podIdentityAgent"] as const) {
            assertProblemAt(
                problems,
                `gitops-platform:cluster.addons.${key}`,
                `has no confirmed ${ADDONS[key].eksName} build: pin one that EKS offers (aws eks describe-addon-versions --addon-name ${ADDONS[key].eksName} --kubernetes-version 1.34`,
            );
        }
    });

    it("a stack on a minor with a full set needs no add-on pins", async () => {
        const { resources } = await planStack("staging", { set: cluster((c) => (c.addons = {})) });
        const builds = Object.fromEntries(
            ofType(resources, ADDON).map((a) => [String(a.inputs.addonName), a.inputs.addonVersion]),
        );
        const set = VERSION_SETS["1.35"].addons;
        assert.equal(builds["vpc-cni"], set.vpcCni?.version);
        assert.equal(builds["kube-proxy"], set.kubeProxy?.version);
        assert.equal(builds.coredns, set.coreDns?.version);
        assert.equal(builds["eks-pod-identity-agent"], set.podIdentityAgent?.version);
    });
});

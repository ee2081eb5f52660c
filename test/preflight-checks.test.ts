/**
 * Preflight's checks on recorded answers (test/fixtures/preflight; README.md there cites each shape).
 * Each check is judged on a target like staging's, so a verdict follows from the answers alone.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { checkAddonConfiguration, judgeAddonConfiguration } from "../preflight/addonConfig";
import { checkAddons, judgeAddon } from "../preflight/addons";
import { AwsAccess } from "../preflight/aws";
import { checkStateBackend, parseBackendUrl } from "../preflight/backend";
import { checkCharts } from "../preflight/charts";
import { checkEndpoint, ipv4InCidr } from "../preflight/endpoint";
import { exitCodeOf, formatReport, Outcome } from "../preflight/outcome";
import { checkReleases } from "../preflight/releases";
import { recordingRunner } from "../preflight/runner";
import { checkSchemas, crdSchemaUrl, defaultSchemaUrl } from "../preflight/schemas";
import { githubReleases } from "../preflight/sources";
import { PlannedCluster, PreflightTarget } from "../preflight/target";

const fixture = (name: string) => recordingRunner(path.join(__dirname, "fixtures", "preflight", name));

const CLUSTER: PlannedCluster = {
    name: "gitops-platform-staging",
    kubernetesVersion: "1.35",
    publicAccess: true,
    privateAccess: true,
    publicAccessCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
    addons: [
        { name: "vpc-cni", version: "v1.19.5-eksbuild.1" },
        { name: "coredns", version: undefined },
    ],
};

const TARGET: PreflightTarget = {
    stack: "staging",
    region: "eu-west-1",
    githubOwner: "acme-platform",
    cluster: CLUSTER,
    charts: [
        {
            installedBy: "argocd-release",
            chart: "argo-cd",
            version: "10.1.1",
            repository: "https://argoproj.github.io/argo-helm",
        },
    ],
    schemaVersions: ["1.35.0"],
    fluxDistributions: [],
    seededKinds: [{ apiVersion: "v1", kind: "ConfigMap" }],
};

const AWS: AwsAccess = {
    available: true,
    account: "111122223333",
    arn: "arn:aws:sts::111122223333:assumed-role/deploy/x",
};
const NO_AWS: AwsAccess = { available: false, reason: "no usable AWS credentials (Unable to locate credentials.)" };

const statuses = (outcomes: readonly Outcome[]) => outcomes.map((o) => `${o.status} ${o.subject}`);

describe("preflight checks", () => {
    describe("addons", () => {
        it("passes a pinned build EKS offers and an unpinned add-on with a default build", async () => {
            const outcomes = await checkAddons(fixture("eks-addon-versions-1.35.json"), TARGET, AWS);
            assert.deepEqual(statuses(outcomes), [
                "pass add-on vpc-cni v1.19.5-eksbuild.1",
                "pass add-on coredns (EKS's default build)",
            ]);
            assert.match(outcomes[1].detail, /EKS's default for Kubernetes 1.35 is v1.14.2-eksbuild.4/);
        });

        it("fails a build EKS does not offer for the version, naming the newest and the default", async () => {
            const target = {
                ...TARGET,
                cluster: { ...CLUSTER, addons: [{ name: "vpc-cni", version: "v1.18.0-eksbuild.1" }] },
            };
            const [outcome] = await checkAddons(fixture("eks-addon-versions-1.35.json"), target, AWS);
            assert.equal(outcome.status, "fail");
            assert.match(
                outcome.detail,
                /not offered for Kubernetes 1.35 \(newest: v1.20.1-eksbuild.3, v1.19.5-eksbuild.10, v1.19.5-eksbuild.1; EKS's default: v1.19.5-eksbuild.10\)/,
            );
            assert.match(outcome.fix!, /npm run bump -- --stack staging/);
        });

        it("fails an add-on EKS offers no build of for the version, pinned or not", () => {
            assert.equal(
                judgeAddon("staging", { name: "coredns", version: "v1.14.2-eksbuild.4" }, "1.36", []).status,
                "fail",
            );
            assert.equal(judgeAddon("staging", { name: "coredns", version: undefined }, "1.36", []).status, "fail");
            const noDefault = judgeAddon("staging", { name: "x", version: undefined }, "1.35", [
                { version: "v1.0.0-eksbuild.1", defaultVersion: false },
            ]);
            assert.equal(noDefault.status, "fail");
            assert.match(noDefault.detail, /no default build/);
        });

        it("skips, naming what it needed, without AWS credentials or when the CLI fails", async () => {
            const [skipped] = await checkAddons(fixture("eks-addon-versions-1.35.json"), TARGET, NO_AWS);
            assert.equal(skipped.status, "skip");
            assert.match(skipped.detail, /Unable to locate credentials/);
            const target = {
                ...TARGET,
                cluster: { ...CLUSTER, addons: [{ name: "kube-proxy", version: "v1.35.3-eksbuild.2" }] },
            };
            assert.deepEqual(statuses(await checkAddons(fixture("eks-addon-versions-1.35.json"), target, AWS)), [
                "skip add-on kube-proxy v1.35.3-eksbuild.2",
            ]);
        });

        it("has nothing to check on a stack without an EKS cluster", async () => {
            const outcomes = await checkAddons(
                fixture("eks-addon-versions-1.35.json"),
                { ...TARGET, cluster: undefined },
                AWS,
            );
            assert.deepEqual(
                outcomes.map((o) => o.status),
                ["n/a"],
            );
        });
    });

    describe("charts", () => {
        it("passes a published version and fails one its repository does not publish, with the newest", async () => {
            const target = {
                ...TARGET,
                charts: [
                    ...TARGET.charts,
                    {
                        installedBy: "rollouts",
                        chart: "argo-cd",
                        version: "9.9.9",
                        repository: "https://argoproj.github.io/argo-helm",
                    },
                ],
            };
            const runner = fixture("charts.json");
            const outcomes = await checkCharts(runner, target);
            assert.deepEqual(
                outcomes.map((o) => o.status),
                ["pass", "fail"],
            );
            assert.match(outcomes[1].detail, /9.9.9 is not published in .*; newest: 10.2.0, 10.1.1, 10.1.0/);
            assert.equal(runner.calls.length, 1, "one index request per repository and chart");
        });

        it("passes an OCI chart whose tag exists", async () => {
            const target = {
                ...TARGET,
                charts: [
                    {
                        installedBy: "flux",
                        chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
                        version: "0.58.1",
                        repository: undefined,
                    },
                ],
            };
            assert.deepEqual(statuses(await checkCharts(fixture("charts.json"), target)), [
                "pass chart flux-operator 0.58.1 (flux)",
            ]);
        });

        it("fails a chart its repository does not list, and skips a repository that does not answer", async () => {
            const target = {
                ...TARGET,
                charts: [
                    {
                        installedBy: "a",
                        chart: "argo",
                        version: "1.0.0",
                        repository: "https://argoproj.github.io/argo-helm",
                    },
                    {
                        installedBy: "b",
                        chart: "x",
                        version: "1.0.0",
                        repository: "https://charts.unreachable.example",
                    },
                ],
            };
            assert.deepEqual(
                (await checkCharts(fixture("charts.json"), target)).map((o) => o.status),
                ["fail", "skip"],
            );
        });
    });

    describe("schemas", () => {
        it("builds kubeconform v0.7.0's locations: the strict default set and the CRD catalog", () => {
            assert.equal(
                defaultSchemaUrl("1.35.0", "apps/v1", "Deployment"),
                "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.35.0-standalone-strict/deployment-apps-v1.json",
            );
            assert.equal(
                defaultSchemaUrl("1.35.0", "v1", "ConfigMap"),
                "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.35.0-standalone-strict/configmap-v1.json",
            );
            assert.equal(
                crdSchemaUrl("argoproj.io/v1alpha1", "Application"),
                "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/argoproj.io/application_v1alpha1.json",
            );
            assert.equal(crdSchemaUrl("v1", "ConfigMap"), undefined);
        });

        it("passes kinds found in the default set or the CRD catalog", async () => {
            const target = {
                ...TARGET,
                seededKinds: [...TARGET.seededKinds, { apiVersion: "argoproj.io/v1alpha1", kind: "Application" }],
            };
            const outcomes = await checkSchemas(fixture("schemas.json"), target);
            assert.deepEqual(
                outcomes.map((o) => o.status),
                ["pass", "pass", "pass"],
            );
            assert.match(outcomes[2].detail, /CRDs-catalog/);
        });

        it("fails a Kubernetes version the schema set does not have", async () => {
            const outcomes = await checkSchemas(fixture("schemas.json"), { ...TARGET, schemaVersions: ["1.36.0"] });
            assert.deepEqual(
                outcomes.map((o) => o.status),
                ["fail", "fail"],
            );
            assert.match(outcomes[0].detail, /no schema at .*v1.36.0-standalone-strict\/deployment-apps-v1.json/);
        });
    });

    describe("state-backend", () => {
        it("reads Pulumi's backend URLs: s3 with prefix and region, Pulumi Cloud when empty", () => {
            assert.deepEqual(parseBackendUrl("s3://acme-pulumi-state/team?region=eu-west-1&awssdk=v2"), {
                kind: "s3",
                bucket: "acme-pulumi-state",
                prefix: "team",
                region: "eu-west-1",
            });
            assert.equal(parseBackendUrl("").kind, "cloud");
            assert.equal(parseBackendUrl(undefined).kind, "cloud");
            assert.equal(parseBackendUrl("gs://bucket").kind, "other");
        });

        it("passes an S3 bucket it can reach, write and clean up", async () => {
            const runner = fixture("state-backend.json");
            const env = { PULUMI_BACKEND_URL: "s3://acme-pulumi-state/team?region=eu-west-1" };
            const [outcome] = await checkStateBackend(runner, "staging", "eu-west-1", env, AWS);
            assert.equal(outcome.status, "pass", outcome.detail);
            assert.deepEqual(
                runner.calls.map((c) => c.split(" ").slice(0, 3).join(" ")),
                ["aws s3api head-bucket", "aws s3api put-object", "aws s3api delete-object"],
            );
        });

        it("fails a bucket the role cannot write, and one that does not exist, with the rights to grant", async () => {
            const readonly = { PULUMI_BACKEND_URL: "s3://acme-pulumi-state-readonly" };
            const [denied] = await checkStateBackend(
                fixture("state-backend.json"),
                "staging",
                "eu-west-1",
                readonly,
                AWS,
            );
            assert.equal(denied.status, "fail");
            assert.match(denied.detail, /not authorized to perform: s3:PutObject/);
            assert.match(denied.fix!, /s3:PutObject/);
            const missing = { PULUMI_BACKEND_URL: "s3://acme-missing-bucket" };
            const [notFound] = await checkStateBackend(
                fixture("state-backend.json"),
                "staging",
                "eu-west-1",
                missing,
                AWS,
            );
            assert.equal(notFound.status, "fail");
            assert.match(notFound.detail, /\(404\)/);
        });

        it("checks Pulumi Cloud's token: accepted passes, refused fails, absent skips", async () => {
            const token = { PULUMI_ACCESS_TOKEN: "pul-0123" };
            assert.equal(
                (await checkStateBackend(fixture("state-backend.json"), "staging", "eu-west-1", token, NO_AWS))[0]
                    .status,
                "pass",
            );
            assert.equal(
                (
                    await checkStateBackend(
                        fixture("state-backend-cloud-refused.json"),
                        "staging",
                        "eu-west-1",
                        token,
                        NO_AWS,
                    )
                )[0].status,
                "fail",
            );
            assert.equal(
                (await checkStateBackend(fixture("state-backend.json"), "staging", "eu-west-1", {}, NO_AWS))[0].status,
                "skip",
            );
        });
    });

    describe("endpoint", () => {
        it("matches IPv4 addresses against CIDRs", () => {
            assert.ok(ipv4InCidr("198.51.100.23", "198.51.100.0/24"));
            assert.ok(!ipv4InCidr("198.51.101.23", "198.51.100.0/24"));
            assert.ok(ipv4InCidr("20.57.1.9", "0.0.0.0/0"));
            assert.ok(!ipv4InCidr("not-an-ip", "0.0.0.0/0"));
        });

        it("passes an existing cluster whose API answers (TLS reached, signed by the cluster's own CA)", async () => {
            const [outcome] = await checkEndpoint(fixture("endpoint-existing.json"), TARGET, AWS);
            assert.equal(outcome.status, "pass");
            assert.match(outcome.detail, /egress 198.51.100.23/);
        });

        it("fails an API that does not answer from here, with the way in for the stack's settings", async () => {
            const [outcome] = await checkEndpoint(fixture("endpoint-unreachable.json"), TARGET, AWS);
            assert.equal(outcome.status, "fail");
            assert.match(
                outcome.fix!,
                /add this runner's egress \(20.57.1.9\/32\).*publicAccessCidrs in Pulumi.staging.yaml/,
            );
            const production = { ...TARGET, cluster: { ...CLUSTER, publicAccess: false, publicAccessCidrs: [] } };
            const [privateOnly] = await checkEndpoint(fixture("endpoint-unreachable.json"), production, AWS);
            assert.match(
                privateOnly.fix!,
                /the endpoint is private: run this job on a runner inside the cluster's VPC/,
            );
        });

        it("judges a cluster the first `up` creates by whether its public endpoint will admit this runner", async () => {
            const [outside] = await checkEndpoint(fixture("endpoint-not-created.json"), TARGET, AWS);
            assert.equal(outside.status, "fail");
            assert.match(outside.detail, /not created yet/);
            const open = { ...TARGET, cluster: { ...CLUSTER, publicAccessCidrs: ["20.57.0.0/16"] } };
            assert.equal((await checkEndpoint(fixture("endpoint-not-created.json"), open, AWS))[0].status, "pass");
        });
    });

    describe("report", () => {
        const reports = [
            {
                check: "addons",
                outcomes: [{ status: "skip" as const, subject: "add-ons", detail: "no credentials", fix: "log in" }],
            },
            { check: "charts", outcomes: [{ status: "pass" as const, subject: "chart a 1.0.0", detail: "published" }] },
        ];

        it("prints each outcome with its fix and a count; a skip exits 0 unless strict", () => {
            const text = formatReport(reports);
            assert.match(
                text,
                /^addons:\n {2}SKIP add-ons: no credentials\n {7}fix: log in\ncharts:\n {2}PASS chart a 1.0.0: published\n/,
            );
            assert.match(text, /preflight: 1 pass, 0 fail, 1 skip, 0 n\/a\n$/);
            assert.equal(exitCodeOf(reports, false), 0);
            assert.equal(exitCodeOf(reports, true), 1);
        });

        it("a failure exits 1", () => {
            const failed = [
                ...reports,
                { check: "x", outcomes: [{ status: "fail" as const, subject: "s", detail: "d", fix: "f" }] },
            ];
            assert.equal(exitCodeOf(failed, false), 1);
        });
    });
});

describe("preflight checks: addon-config", () => {
    const configured: PlannedCluster = {
        ...CLUSTER,
        addons: [
            {
                name: "vpc-cni",
                version: "v1.19.5-eksbuild.1",
                configurationValues: '{"enableNetworkPolicy":"true"}',
                podIdentityServiceAccounts: ["aws-node"],
            },
            {
                name: "aws-ebs-csi-driver",
                version: undefined,
                configurationValues: '{"defaultStorageClass":{"enabled":true}}',
                podIdentityServiceAccounts: ["ebs-csi-controller-sa"],
            },
            { name: "coredns", version: "v1.14.2-eksbuild.4" },
        ],
    };
    const target = { ...TARGET, cluster: configured };

    it("passes values that fit each build's schema and the service accounts the builds name, the default build for an unpinned add-on", async () => {
        const runner = fixture("eks-addon-configuration.json");
        const outcomes = await checkAddonConfiguration(runner, target, AWS);
        assert.deepEqual(statuses(outcomes), [
            "pass add-on vpc-cni v1.19.5-eksbuild.1: configurationValues",
            "pass add-on vpc-cni v1.19.5-eksbuild.1: Pod Identity",
            "pass add-on aws-ebs-csi-driver v1.47.0-eksbuild.1: configurationValues",
            "pass add-on aws-ebs-csi-driver v1.47.0-eksbuild.1: Pod Identity",
        ]);
        assert.ok(
            !runner.calls.some((c) => c.includes("coredns")),
            "an add-on without configuration is not asked about",
        );
    });

    it("fails values the build's schema refuses and a service account the build does not name", async () => {
        const planted: PlannedCluster = {
            ...configured,
            addons: [
                {
                    ...configured.addons[0],
                    configurationValues: '{"enableNetworkPolicy":true,"enableNetworkPolicies":"true"}',
                    podIdentityServiceAccounts: ["vpc-cni"],
                },
            ],
        };
        const outcomes = await checkAddonConfiguration(
            fixture("eks-addon-configuration.json"),
            { ...TARGET, cluster: planted },
            AWS,
        );
        assert.deepEqual(
            outcomes.map((o) => o.status),
            ["fail", "fail"],
        );
        assert.match(outcomes[0].detail, /values\/enableNetworkPolicy must be string/);
        assert.match(outcomes[0].detail, /must NOT have additional properties/);
        assert.match(outcomes[1].detail, /the build names aws-node for Pod Identity, not vpc-cni/);
    });

    it("fails a build EKS has no configuration for, and skips without AWS credentials", async () => {
        const planted: PlannedCluster = {
            ...configured,
            addons: [{ ...configured.addons[0], version: "v1.12.0-eksbuild.1" }],
        };
        const [outcome] = await checkAddonConfiguration(
            fixture("eks-addon-configuration.json"),
            { ...TARGET, cluster: planted },
            AWS,
        );
        assert.equal(outcome.status, "fail");
        assert.match(outcome.detail, /InvalidParameterException/);
        assert.deepEqual(
            (await checkAddonConfiguration(fixture("eks-addon-configuration.json"), target, NO_AWS)).map(
                (o) => o.status,
            ),
            ["skip"],
        );
    });

    it("skips a build whose schema cannot be read", () => {
        const [outcome] = judgeAddonConfiguration("staging", configured.addons[0], "v1", {
            configurationSchema: '{"type": "no-such-type"}',
        });
        assert.equal(outcome.status, "skip");
        assert.match(outcome.detail, /schema cannot be read/);
    });

    it("fails configuration for a build that takes none", () => {
        const [outcome] = judgeAddonConfiguration("staging", configured.addons[0], "v1", { configurationSchema: "" });
        assert.equal(outcome.status, "fail");
        assert.match(outcome.detail, /takes no configuration/);
    });
});

describe("preflight checks: releases", () => {
    const flux = { ...TARGET, fluxDistributions: ["2.9.4"] };

    it("lists a repository's releases over every page, newest first, drafts left out", async () => {
        const runner = fixture("github-releases-flux2.json");
        const releases = await githubReleases(runner, "fluxcd/flux2");
        assert.deepEqual(
            releases.map((r) => r.tag),
            ["v2.10.0-rc.1", "v2.9.4", "v2.9.3", "v2.9.2"],
        );
        assert.equal(releases[1].url, "https://github.com/fluxcd/flux2/releases/tag/v2.9.4");
        assert.equal(runner.calls.length, 2);
    });

    it("passes a released Flux distribution and fails one fluxcd/flux2 never released", async () => {
        assert.deepEqual(statuses(await checkReleases(fixture("github-releases-flux2.json"), flux, {})), [
            "pass Flux distribution 2.9.4",
        ]);
        const [missing] = await checkReleases(
            fixture("github-releases-flux2.json"),
            { ...flux, fluxDistributions: ["2.9.9"] },
            {},
        );
        assert.equal(missing.status, "fail");
        assert.match(missing.detail, /no fluxcd\/flux2 release v2.9.9 \(newest: v2.9.4, v2.9.3, v2.9.2\)/);
        assert.match(missing.fix!, /engine.distributionVersion/);
    });

    it("skips when GitHub limits anonymous requests, and has nothing to check without Flux", async () => {
        const [limited] = await checkReleases(fixture("github-releases-rate-limited.json"), flux, {});
        assert.equal(limited.status, "skip");
        assert.match(limited.detail, /API rate limit exceeded/);
        assert.deepEqual(
            (await checkReleases(fixture("github-releases-flux2.json"), TARGET, {})).map((o) => o.status),
            ["n/a"],
        );
    });
});

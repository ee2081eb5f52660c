/** Pure functions of the cluster component, and the component in IRSA mode and with grants. */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { MAX_LAYOUT_VPC_PREFIX, subnetLayout } from "../components/cluster/cidr";
import { roleNameOf } from "../components/cluster/access";
import { EksCluster, eksKubeconfig } from "../components/cluster/eks";
import { amiTypeFor, EksClusterArgs, validateEksClusterArgs } from "../components/cluster/eksArgs";
import { irsaTrustPolicy, oidcIssuerHostPath, podIdentityTrustPolicy } from "../components/cluster/iam";
import { natZoneFor } from "../components/cluster/network";

import { eksClusterArgs, stackTags, zoneNames } from "../stacks/cluster";
import { byName, ofType, planProgram, planStack, platformConfig, stackValue } from "./harness";
import { assertNoWildcardActions, policiesIn, principalsOf, trustPolicyOf } from "./iamAssertions";

/** The test's own CIDR arithmetic (not components/cluster/cidr.ts): first and last address, refusing host bits. */
function addressRange(cidr: string): [number, number] {
    const [address, bits] = cidr.split("/");
    const octets = address.split(".").map(Number);
    assert.equal(octets.length, 4, cidr);
    const first = ((octets[0] * 256 + octets[1]) * 256 + octets[2]) * 256 + octets[3];
    const size = 2 ** (32 - Number(bits));
    assert.equal(first % size, 0, `${cidr} has host bits set`);
    return [first, first + size - 1];
}

describe("subnet layout", () => {
    it("splits a /16 into /19 private and /22 public subnets", () => {
        assert.deepEqual(subnetLayout("10.20.0.0/16", 3), {
            private: ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"],
            public: ["10.20.224.0/22", "10.20.228.0/22", "10.20.232.0/22"],
        });
    });

    it("gives one subnet per zone and tier, all inside the VPC, none overlapping", () => {
        // Any VPC block of /16 to /22: its host bits are in the third octet (zeroed here) and the fourth (0).
        const vpcs = fc
            .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 16, max: MAX_LAYOUT_VPC_PREFIX }))
            .map(([a, b, c, bits]) => `${a}.${b}.${c - (c % 2 ** (24 - bits))}.0/${bits}`);
        fc.assert(
            fc.property(vpcs, fc.integer({ min: 1, max: 6 }), (vpcCidr, zones) => {
                const layout = subnetLayout(vpcCidr, zones);
                assert.equal(layout.public.length, zones);
                assert.equal(layout.private.length, zones);
                const [vpcFirst, vpcLast] = addressRange(vpcCidr);
                const subnets = [...layout.public, ...layout.private];
                const ranges = subnets.map(addressRange);
                ranges.forEach(([first, last], i) => {
                    assert.ok(first >= vpcFirst && last <= vpcLast, `${subnets[i]} outside ${vpcCidr}`);
                    // AWS: a subnet's block is between /16 and /28 (VPC user guide, "Subnet CIDR blocks").
                    assert.ok(last - first + 1 >= 16, `${subnets[i]} is smaller than /28`);
                    ranges
                        .slice(0, i)
                        .forEach(([otherFirst, otherLast], j) =>
                            assert.ok(last < otherFirst || otherLast < first, `${subnets[i]} overlaps ${subnets[j]}`),
                        );
                });
            }),
        );
    });

    const bad: [string, string, number, RegExp][] = [
        ["a VPC smaller than /22", "10.0.0.0/23", 2, /too small to split/],
        ["seven zones", "10.0.0.0/16", 7, /1 to 6 availability zones/],
        ["a CIDR with host bits", "10.0.0.1/16", 2, /not a canonical/],
    ];
    for (const [name, vpc, zones, message] of bad) {
        it(`rejects ${name}`, () => assert.throws(() => subnetLayout(vpc, zones), message));
    }
});

describe("cluster helpers", () => {
    it("routes every zone through the first zone's NAT with a single gateway, else through its own", () => {
        const zones = ["z-a", "z-b", "z-c"];
        assert.deepEqual(
            zones.map((z) => natZoneFor(z, zones, "single")),
            ["z-a", "z-a", "z-a"],
        );
        assert.deepEqual(
            zones.map((z) => natZoneFor(z, zones, "onePerZone")),
            zones,
        );
    });

    const amiCases: [string[], string | undefined][] = [
        [["m6i.large", "m5.large"], "AL2023_x86_64_STANDARD"],
        [["g5.xlarge"], "AL2023_x86_64_STANDARD"],
        [["m7g.large", "c6gn.xlarge", "r8gd.2xlarge"], "AL2023_ARM_64_STANDARD"],
        [["m7g.large", "m6i.large"], undefined],
    ];
    for (const [types, ami] of amiCases) {
        it(`picks ${ami ?? "no AMI type"} for ${types.join(", ")}`, () => assert.equal(amiTypeFor(types), ami));
    }

    it("names zones by letter and keys admin entries by role name", () => {
        assert.deepEqual(zoneNames("eu-west-1", 3), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        assert.equal(roleNameOf("arn:aws:iam::111122223333:role/team/platform-admins"), "platform-admins");
    });

    it("builds a kubeconfig that authenticates with aws eks get-token", () => {
        const config = JSON.parse(
            eksKubeconfig({
                clusterName: "c1",
                endpoint: "https://x",
                certificateAuthority: "Q0E=",
                region: "eu-west-1",
            }),
        ) as { clusters: unknown; "current-context": string; users: unknown };
        assert.deepEqual(config.clusters, [
            { name: "c1", cluster: { server: "https://x", "certificate-authority-data": "Q0E=" } },
        ]);
        assert.equal(config["current-context"], "c1");
        assert.deepEqual(config.users, [
            {
                name: "c1",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", "c1", "--region", "eu-west-1"],
                    },
                },
            },
        ]);
    });

    it("pins IRSA trust to the service account and STS audience", () => {
        const policy = irsaTrustPolicy({
            namespace: "ns",
            serviceAccount: "sa",
            providerArn: "arn:aws:iam::1:oidc-provider/x",
            issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        });
        assert.deepEqual(policy.Statement, [
            {
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::1:oidc-provider/x" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa",
                        "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                    },
                },
            },
        ]);
        assert.equal(oidcIssuerHostPath("https://a/b"), "a/b");
    });

    it("lets only Pod Identity assume and tag, for one cluster, namespace and service account", () => {
        const policy = podIdentityTrustPolicy({
            namespace: "ns",
            serviceAccount: "sa",
            clusterName: "c1",
            accountId: "123456789012",
        });
        assert.deepEqual(policy.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
        assert.deepEqual(principalsOf(policy), ["Service:pods.eks.amazonaws.com"]);
        assert.deepEqual(policy.Statement[0].Condition, {
            StringEquals: {
                "aws:SourceAccount": "123456789012",
                "aws:RequestTag/eks-cluster-name": "c1",
                "aws:RequestTag/kubernetes-namespace": "ns",
                "aws:RequestTag/kubernetes-service-account": "sa",
            },
        });
    });
});

const configOf = (stack: "staging" | "production") => platformConfig(stack);

describe("stack config → EksCluster arguments", () => {
    it("adds environment and project to the configured tags", () => {
        assert.deepEqual(stackTags(configOf("production")), {
            owner: "platform-team",
            costCenter: "4711",
            dataClassification: "confidential",
            environment: "production",
            project: "gitops-platform",
        });
    });

    it("keeps the public endpoint off unless config turns it on, or lists its ranges outside production", () => {
        const config = configOf("production");
        const eks = config.cluster.type === "eks" ? config.cluster : assert.fail("production is EKS");
        const unset = { ...eks, endpoint: { publicAccessCidrs: [] } };
        assert.equal(eksClusterArgs(config, unset).endpointPublicAccess, false);
        assert.equal(eksClusterArgs(config, unset).protect, true);
        const staging = configOf("staging");
        const stagingEks = staging.cluster.type === "eks" ? staging.cluster : assert.fail("staging is EKS");
        assert.equal(
            eksClusterArgs(staging, { ...stagingEks, endpoint: { publicAccessCidrs: [] } }).endpointPublicAccess,
            false,
        );
        assert.equal(
            eksClusterArgs(staging, { ...stagingEks, endpoint: { publicAccessCidrs: ["198.51.100.0/24"] } })
                .endpointPublicAccess,
            true,
        );
        assert.equal(
            eksClusterArgs(config, { ...eks, endpoint: { publicAccessCidrs: ["198.51.100.0/24"] } })
                .endpointPublicAccess,
            false,
        );
        assert.equal(eksClusterArgs(staging, stagingEks).protect, false);
    });
});

const BASE_ARGS: EksClusterArgs = {
    clusterName: "test",
    region: "eu-west-1",
    kubernetesVersion: "1.33",
    network: { vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"] },
    adminRoleArns: ["arn:aws:iam::123456789012:role/admins"],
    nodeGroups: { general: { instanceTypes: ["m6i.large"], minSize: 1, maxSize: 2, desiredSize: 1 } },
    addons: {
        vpcCni: "v1.19.5-eksbuild.1",
        coreDns: "v1.12.1-eksbuild.2",
        kubeProxy: "v1.33.0-eksbuild.2",
        podIdentityAgent: "v1.3.7-eksbuild.2",
    },
};

describe("EksCluster argument checks", () => {
    it("accepts complete arguments", () => assert.deepEqual(validateEksClusterArgs(BASE_ARGS), []));

    const bad: [string, Partial<EksClusterArgs>, string][] = [
        ["no admin roles", { adminRoleArns: [] }, "adminRoleArns: at least one role"],
        [
            "one zone",
            { network: { vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a"] } },
            "network.availabilityZones",
        ],
        ["no node groups", { nodeGroups: {} }, "nodeGroups: at least one"],
        [
            "minSize above maxSize",
            { nodeGroups: { g: { instanceTypes: ["m6i.large"], minSize: 3, maxSize: 2, desiredSize: 2 } } },
            "nodeGroups.g: need 1 <= minSize",
        ],
        [
            "mixed architectures",
            {
                nodeGroups: {
                    g: { instanceTypes: ["m7g.large", "m6i.large"], minSize: 1, maxSize: 2, desiredSize: 1 },
                },
            },
            "nodeGroups.g.instanceTypes",
        ],
        [
            "Pod Identity without its agent",
            { addons: { ...BASE_ARGS.addons, podIdentityAgent: undefined } },
            "addons.podIdentityAgent",
        ],
    ];
    for (const [name, change, message] of bad) {
        it(`rejects ${name}`, () => {
            const problems = validateEksClusterArgs({ ...BASE_ARGS, ...change });
            assert.equal(problems.length, 1);
            assert.ok(problems[0].startsWith(message), problems[0]);
        });
    }
});

describe("workload identity grants", () => {
    const grantProgram = (args: EksClusterArgs) => () => {
        const cluster = new EksCluster("c", args);
        const role = cluster.workloadIdentity.grant(
            "eso",
            {
                namespace: "external-secrets",
                serviceAccount: "external-secrets",
                policyDocument: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["secretsmanager:GetSecretValue"],
                            Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x/*",
                        },
                    ],
                }),
            },
            { parent: cluster },
        );
        return {
            roleArn: role.roleArn,
            annotations: role.serviceAccountAnnotations,
            ready: role.ready.length,
            kubeconfig: cluster.kubeconfig,
        };
    };

    it("with Pod Identity: a role trusted by pods.eks.amazonaws.com for that service account, its policy, and an association", async () => {
        const plan = await planProgram(grantProgram(BASE_ARGS));
        const trust = trustPolicyOf(plan.resources, "eso-role");
        assert.deepEqual(principalsOf(trust), ["Service:pods.eks.amazonaws.com"]);
        assert.equal(
            trust.Statement[0].Condition?.StringEquals["aws:RequestTag/kubernetes-service-account"],
            "external-secrets",
        );
        const association = byName(
            plan.resources,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "eso-association",
        );
        assert.deepEqual(
            {
                cluster: association.inputs.clusterName,
                ns: association.inputs.namespace,
                sa: association.inputs.serviceAccount,
                role: association.inputs.roleArn,
            },
            {
                cluster: "test",
                ns: "external-secrets",
                sa: "external-secrets",
                role: "arn:aws:iam::123456789012:role/eso-role",
            },
        );
        assert.equal(byName(plan.resources, "aws:iam/rolePolicy:RolePolicy", "eso-policy").inputs.role, "eso-role");
        assert.deepEqual(plan.outputs.annotations, {});
        assert.equal(plan.outputs.ready, 3);
        assert.equal(plan.outputs.kubeconfig, "[secret]");
        assertNoWildcardActions(policiesIn(plan.resources));
    });

    it("with IRSA: an OIDC provider, a role trusted through it, the role-arn annotation, and no association or agent", async () => {
        const plan = await planProgram(
            grantProgram({
                ...BASE_ARGS,
                workloadIdentity: "irsa",
                addons: { ...BASE_ARGS.addons, podIdentityAgent: undefined },
            }),
        );
        const oidc = byName(plan.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "c-oidc");
        assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
        assert.equal(oidc.inputs.url, "https://oidc.eks.eu-west-1.amazonaws.com/id/MOCKTEST");
        const trust = trustPolicyOf(plan.resources, "eso-role");
        assert.deepEqual(principalsOf(trust), [
            "Federated:arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/MOCKTEST",
        ]);
        assert.deepEqual(trust.Statement[0].Condition?.StringEquals, {
            "oidc.eks.eu-west-1.amazonaws.com/id/MOCKTEST:sub":
                "system:serviceaccount:external-secrets:external-secrets",
            "oidc.eks.eu-west-1.amazonaws.com/id/MOCKTEST:aud": "sts.amazonaws.com",
        });
        assert.deepEqual(plan.outputs.annotations, {
            "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eso-role",
        });
        assert.equal(ofType(plan.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
        assert.deepEqual(
            ofType(plan.resources, "aws:eks/addon:Addon")
                .map((a) => a.inputs.addonName)
                .sort(),
            ["aws-ebs-csi-driver", "coredns", "kube-proxy", "metrics-server", "vpc-cni"],
        );
        const cni = byName(plan.resources, "aws:eks/addon:Addon", "c-vpc-cni");
        assert.equal(cni.inputs.serviceAccountRoleArn, "arn:aws:iam::123456789012:role/c-vpc-cni-role");
        assert.deepEqual(
            trustPolicyOf(plan.resources, "c-vpc-cni-role").Statement[0].Condition?.StringEquals[
                "oidc.eks.eu-west-1.amazonaws.com/id/MOCKTEST:sub"
            ],
            "system:serviceaccount:kube-system:aws-node",
        );
    });

    it("switches a checked-in stack to IRSA through config", async () => {
        const cluster = structuredClone(stackValue<Record<string, unknown>>("staging", "gitops-platform:cluster"));
        cluster.workloadIdentity = "irsa";
        const plan = await planStack("staging", { set: { "gitops-platform:cluster": cluster } });
        // The cluster's issuer; the stack's other provider is GitHub's (components/ci), declared first.
        const providers = ofType(plan.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.deepEqual(
            providers.map((p) => p.name),
            ["ci-github", "staging-cluster-oidc"],
        );
    });

    it("refuses bad arguments before declaring any child", async () => {
        await assert.rejects(
            planProgram(() => {
                new EksCluster("c", { ...BASE_ARGS, adminRoleArns: [] });
                return {};
            }),
            /invalid EksCluster arguments:\n {2}adminRoleArns/,
        );
    });
});

/** Bad cluster config: each case names its key, and nothing is declared. */
import * as assert from "node:assert/strict";
import { EksClusterConfig } from "../stacks/config/cluster";
import { runPlatform } from "../stacks";
import { assertProblemAt, edited, planStack, problemsOfError } from "./harness";

/** Staging's and production's clusters are EKS; a case that writes a value of the wrong type does so with Object.assign. */
type Cluster = EksClusterConfig;

interface BadClusterCase {
    readonly name: string;
    readonly stack: "staging" | "production";
    readonly edit: (cluster: Cluster) => void;
    readonly key: string;
    readonly expect: string;
}

const CASES: BadClusterCase[] = [
    {
        name: "a patch version instead of a minor version",
        stack: "staging",
        edit: (c) => {
            c.kubernetesVersion = "1.33.2";
        },
        key: "gitops-platform:cluster.kubernetesVersion",
        expect: 'such as "1.33"',
    },
    {
        name: "a v-prefixed Kubernetes version",
        stack: "production",
        edit: (c) => {
            c.kubernetesVersion = "v1.33";
        },
        key: "gitops-platform:cluster.kubernetesVersion",
        expect: 'such as "1.33"',
    },
    {
        name: "private subnets overlapping public ones",
        stack: "staging",
        edit: (c) => {
            c.network.publicSubnetCidrs = ["10.20.0.0/24", "10.20.1.0/24"];
            c.network.privateSubnetCidrs = ["10.20.0.0/20", "10.20.16.0/20"];
        },
        key: "gitops-platform:cluster.network.privateSubnetCidrs[0]",
        expect: "overlaps 10.20.0.0/24",
    },
    {
        name: "only public subnets given",
        stack: "staging",
        edit: (c) => {
            c.network.publicSubnetCidrs = ["10.20.0.0/24", "10.20.1.0/24"];
        },
        key: "gitops-platform:cluster.network.privateSubnetCidrs",
        expect: "give both publicSubnetCidrs and privateSubnetCidrs",
    },
    {
        name: "a VPC too small to split",
        stack: "staging",
        edit: (c) => {
            c.network.vpcCidr = "10.20.0.0/24";
        },
        key: "gitops-platform:cluster.network.vpcCidr",
        expect: "too small to split",
    },
    {
        name: "a VPC larger than AWS allows",
        stack: "staging",
        edit: (c) => {
            c.network.vpcCidr = "10.0.0.0/12";
        },
        key: "gitops-platform:cluster.network.vpcCidr",
        expect: "AWS VPC blocks are /16 to /28",
    },
    {
        name: "a node group of zero nodes",
        stack: "production",
        edit: (c) => {
            c.nodeGroups.system.minSize = 0;
        },
        key: "gitops-platform:cluster.nodeGroups.system.minSize",
        expect: "at least 1 node",
    },
    {
        name: "a node group with minSize above maxSize",
        stack: "production",
        edit: (c) => {
            c.nodeGroups.apps.minSize = 13;
            c.nodeGroups.apps.desiredSize = 13;
        },
        key: "gitops-platform:cluster.nodeGroups.apps.minSize",
        expect: "minSize 13 is greater than maxSize 12",
    },
    {
        name: "desiredSize outside min..max",
        stack: "staging",
        edit: (c) => {
            c.nodeGroups.general.desiredSize = 9;
        },
        key: "gitops-platform:cluster.nodeGroups.general.desiredSize",
        expect: "must lie between minSize 2 and maxSize 5",
    },
    {
        name: "public CIDRs with the public endpoint off",
        stack: "production",
        edit: (c) => {
            c.endpoint.publicAccessCidrs = ["203.0.113.0/24"];
        },
        key: "gitops-platform:cluster.endpoint.publicAccessCidrs",
        expect: "the public endpoint is off",
    },
    {
        name: "kube-proxy built for another Kubernetes version",
        stack: "production",
        edit: (c) => {
            c.kubernetesVersion = "1.34";
        },
        key: "gitops-platform:cluster.addons.kubeProxy",
        expect: "kube-proxy must match kubernetesVersion 1.34",
    },
    {
        // On a minor whose version set has no agent build (1.35's supplies one).
        name: "Pod Identity without its agent add-on",
        stack: "staging",
        edit: (c) => {
            c.kubernetesVersion = "1.36";
            c.addons.kubeProxy = "v1.36.0-eksbuild.1";
            delete c.addons.podIdentityAgent;
        },
        key: "gitops-platform:cluster.addons.podIdentityAgent",
        expect: "eks-pod-identity-agent",
    },
];

describe("bad cluster config", () => {
    for (const c of CASES) {
        it(`rejects ${c.name} in ${c.stack}, naming ${c.key}, and declares nothing`, async () => {
            let caught: unknown;
            const plan = await planStack(
                c.stack,
                { set: edited(c.stack, "gitops-platform:cluster", c.edit) },
                async () => {
                    try {
                        return await runPlatform();
                    } catch (error) {
                        caught = error;
                        return {};
                    }
                },
            );
            assertProblemAt(problemsOfError(caught), c.key, c.expect);
            assert.deepEqual(
                plan.resources.map((r) => r.type),
                ["pulumi:pulumi:Stack"],
            );
        });
    }
});

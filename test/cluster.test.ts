/** The cluster through the real stack files: inventory, security properties, safety options, tags. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { CLUSTER_ADMIN_ACCESS_POLICY, MANAGED_POLICIES } from "../components/cluster/iam";
import { byName, planStack, stackValue } from "./harness";
import { assertNoWildcardActions, parsePolicy, policiesIn, principalsOf, trustPolicyOf } from "./iamAssertions";

const T = {
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    addon: "aws:eks/addon:Addon",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    vpc: "aws:ec2/vpc:Vpc",
    routeTable: "aws:ec2/routeTable:RouteTable",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    key: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
} as const;

/** Resources declared inside the EKS cluster component (other areas' AWS resources are theirs to test). */
function clusterResources(plan: PlanResult): PlannedResource[] {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const inCluster = (r: PlannedResource | undefined): boolean =>
        r !== undefined &&
        (r.type === "gitops-platform:cluster:EksCluster" || (r.parent !== undefined && inCluster(byUrn.get(r.parent))));
    return plan.resources.filter((r) => r.type !== "gitops-platform:cluster:EksCluster" && inCluster(r));
}

function ofType(plan: PlanResult, type: string): PlannedResource[] {
    return clusterResources(plan).filter((r) => r.type === type);
}

function names(resources: readonly PlannedResource[]): string[] {
    return resources.map((r) => r.name).sort();
}

interface Expected {
    readonly zones: string[];
    readonly natZones: string[];
    readonly nodeGroups: string[];
    readonly admins: string[];
    readonly publicAccess: boolean;
    readonly publicAccessCidrs?: string[];
    readonly protect: boolean;
    readonly retentionDays: number;
}

const EXPECTED: Record<"staging" | "production", Expected> = {
    staging: {
        zones: ["eu-west-1a", "eu-west-1b"],
        natZones: ["eu-west-1a"],
        nodeGroups: ["general"],
        admins: ["github-actions-deploy", "platform-admins"],
        publicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
        protect: false,
        retentionDays: 30,
    },
    production: {
        zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        natZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        nodeGroups: ["apps", "system"],
        admins: ["github-actions-deploy", "platform-admins"],
        publicAccess: false,
        publicAccessCidrs: undefined,
        protect: true,
        retentionDays: 365,
    },
};

for (const stack of ["staging", "production"] as const) {
    describe(`EKS cluster of the ${stack} stack`, () => {
        const expected = EXPECTED[stack];
        const prefix = `${stack}-cluster`;
        const net = `${prefix}-network`;
        let plan: PlanResult;
        let eks: PlannedResource;
        before(async () => {
            plan = await planStack(stack);
            eks = byName(plan.resources, T.cluster, `${prefix}-eks`);
        });

        it("declares one cluster, the configured node groups, six add-ons, and subnets and NAT gateways per zone", () => {
            assert.deepEqual(names(ofType(plan, T.cluster)), [`${prefix}-eks`]);
            assert.deepEqual(names(ofType(plan, T.nodeGroup)), expected.nodeGroups.map((g) => `${prefix}-${g}`).sort());
            assert.deepEqual(
                names(ofType(plan, T.launchTemplate)),
                expected.nodeGroups.map((g) => `${prefix}-${g}`).sort(),
            );
            assert.deepEqual(
                ofType(plan, T.addon)
                    .map((a) => a.inputs.addonName)
                    .sort(),
                ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"],
            );
            assert.deepEqual(
                names(ofType(plan, T.subnet)),
                expected.zones.flatMap((z) => [`${net}-private-${z}`, `${net}-public-${z}`]).sort(),
            );
            assert.deepEqual(
                names(ofType(plan, T.nat)),
                expected.natZones.map((z) => `${net}-nat-${z}`),
            );
            assert.deepEqual(
                names(ofType(plan, T.eip)),
                expected.natZones.map((z) => `${net}-nat-${z}`),
            );
            assert.equal(ofType(plan, T.vpc).length, 1);
            assert.equal(ofType(plan, T.oidc).length, 0, "Pod Identity stacks need no OIDC provider");
        });

        it("runs the configured Kubernetes version and add-on versions", () => {
            const cluster = stackValue<{ kubernetesVersion: string; addons: Record<string, string> }>(
                stack,
                "gitops-platform:cluster",
            );
            assert.equal(eks.inputs.version, cluster.kubernetesVersion);
            const versions = Object.fromEntries(
                ofType(plan, T.addon).map((a): [string, unknown] => [
                    String(a.inputs.addonName),
                    a.inputs.addonVersion,
                ]),
            );
            assert.deepEqual(versions, {
                "vpc-cni": cluster.addons.vpcCni,
                coredns: cluster.addons.coreDns,
                "kube-proxy": cluster.addons.kubeProxy,
                "eks-pod-identity-agent": cluster.addons.podIdentityAgent,
                // Unpinned in config: EKS's default build for the cluster's version (the mock names both).
                "metrics-server": `v0.0.0-eksbuild.mock-metrics-server-${cluster.kubernetesVersion}`,
                "aws-ebs-csi-driver": `v0.0.0-eksbuild.mock-aws-ebs-csi-driver-${cluster.kubernetesVersion}`,
            });
        });

        // Finding 8: 1.33 left standard support on 2026-07-29 and a cluster without upgradePolicy is
        // billed for extended support ("Extended support is enabled by default", EKS user guide,
        // "Kubernetes versions"; @pulumi/aws 7.48.0 ClusterUpgradePolicy.supportType STANDARD | EXTENDED).
        it("runs a Kubernetes version in EKS standard support, and says so explicitly", () => {
            assert.deepEqual(eks.inputs.upgradePolicy, { supportType: "STANDARD" });
            // End of standard support by minor version, from the EKS user guide's release calendar
            // (read December 2026): 1.34 ended 2026-12-02, 1.35 ends 2027-03-27.
            const endOfStandard: Record<string, string> = {
                "1.33": "2026-07-29",
                "1.34": "2026-12-02",
                "1.35": "2027-03-27",
            };
            const version = String(eks.inputs.version);
            assert.ok(
                endOfStandard[version] !== undefined,
                `no end-of-standard-support date known for ${version}: add it from the EKS calendar`,
            );
            assert.ok(endOfStandard[version] > "2026-12-02", `${version} is out of standard support`);
        });

        it("authenticates through access entries only, with no implicit creator admin, and ignores creation-only inputs", () => {
            assert.deepEqual(eks.inputs.accessConfig, {
                authenticationMode: "API",
                bootstrapClusterCreatorAdminPermissions: false,
            });
            assert.deepEqual([...eks.options.ignoreChanges].sort(), [
                "accessConfig.bootstrapClusterCreatorAdminPermissions",
                "bootstrapSelfManagedAddons",
            ]);
        });

        it("gives each admin role an access entry with the cluster-admin policy at cluster scope", () => {
            // Team and viewer entries: test/cluster-access.test.ts.
            const admins = ofType(plan, T.accessEntry).filter((e) => e.name.startsWith(`${prefix}-admin-`));
            assert.deepEqual(
                names(admins),
                expected.admins.map((a) => `${prefix}-admin-${a}`),
            );
            const arns = stackValue<{ adminRoleArns: string[] }>(stack, "gitops-platform:cluster").adminRoleArns;
            assert.deepEqual(admins.map((e) => e.inputs.principalArn).sort(), [...arns].sort());
            const adminPolicies = ofType(plan, T.accessPolicy).filter(
                (a) => a.inputs.policyArn === CLUSTER_ADMIN_ACCESS_POLICY,
            );
            for (const association of adminPolicies) {
                assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
            }
            assert.deepEqual(adminPolicies.map((e) => e.inputs.principalArn).sort(), [...arns].sort());
            assert.deepEqual(
                names(ofType(plan, T.accessEntry).filter((e) => !admins.includes(e))),
                [
                    ...Object.keys(stackValue<object>(stack, "gitops-platform:teams")).map(
                        (t) => `${prefix}-team-${t}`,
                    ),
                    `${prefix}-viewer-github-actions-preview`,
                    // The drift role reads Secrets (AmazonEKSAdminViewPolicy): test/ci-drift.test.ts.
                    `${prefix}-reader-github-actions-drift`,
                ].sort(),
            );
        });

        it("encrypts secrets with its own KMS key, which rotates", () => {
            const key = byName(plan.resources, T.key, `${prefix}-secrets`);
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.deepEqual(eks.inputs.encryptionConfig, {
                resources: ["secrets"],
                provider: { keyArn: `arn:aws:kms:eu-west-1:123456789012:key/${prefix}-secrets` },
            });
        });

        it("logs all five control-plane log types to a log group created first, with the configured retention", () => {
            // Issue 25: controllerManager and scheduler too (aws_eks_cluster enabled_cluster_log_types).
            assert.deepEqual(eks.inputs.enabledClusterLogTypes, [
                "api",
                "audit",
                "authenticator",
                "controllerManager",
                "scheduler",
            ]);
            const logGroup = byName(plan.resources, T.logGroup, `${prefix}-logs`);
            assert.equal(logGroup.inputs.name, `/aws/eks/gitops-platform-${stack}/cluster`);
            assert.equal(logGroup.inputs.retentionInDays, expected.retentionDays);
            assert.ok(eks.options.dependsOn.includes(logGroup.urn), "the cluster must wait for its log group");
        });

        // The policy shape is the key policy of the CloudWatch Logs User Guide, "Encrypt log data in CloudWatch
        // Logs using AWS Key Management Service" (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html):
        // the regional logs service principal, restricted by kms:EncryptionContext:aws:logs:arn to the log group.
        it("encrypts the log group with its own rotating key that CloudWatch Logs may use for that log group only", () => {
            const logGroup = byName(plan.resources, T.logGroup, `${prefix}-logs`);
            const key = byName(plan.resources, T.key, `${prefix}-logs`);
            assert.equal(logGroup.inputs.kmsKeyId, `arn:aws:kms:eu-west-1:123456789012:key/${prefix}-logs`);
            assert.equal(key.inputs.enableKeyRotation, true);
            const policy = parsePolicy(key.inputs.policy, key.name);
            const groupArn = `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/gitops-platform-${stack}/cluster`;
            assert.deepEqual(
                policy.Statement.map((s) => s.Principal),
                [{ AWS: "arn:aws:iam::123456789012:root" }, { Service: "logs.eu-west-1.amazonaws.com" }],
            );
            assert.deepEqual(policy.Statement[1].Condition, {
                ArnEquals: { "kms:EncryptionContext:aws:logs:arn": groupArn },
            });
            assert.ok(!JSON.stringify(policy.Statement[1].Action).includes("kms:*"), "logs gets no key management");
        });

        it(`${expected.protect ? "keeps" : "does not keep"} the log group and its key on destroy`, () => {
            for (const resource of [
                byName(plan.resources, T.logGroup, `${prefix}-logs`),
                byName(plan.resources, T.key, `${prefix}-logs`),
            ]) {
                assert.equal(resource.options.protect, expected.protect, resource.name);
                assert.equal(resource.options.retainOnDelete, expected.protect, resource.name);
            }
        });

        it(`keeps the private endpoint on and the public one ${expected.publicAccess ? "limited to the configured CIDRs" : "off"}`, () => {
            const vpcConfig = eks.inputs.vpcConfig as Record<string, unknown>;
            assert.equal(vpcConfig.endpointPrivateAccess, true);
            assert.equal(vpcConfig.endpointPublicAccess, expected.publicAccess);
            assert.deepEqual(vpcConfig.publicAccessCidrs, expected.publicAccessCidrs);
        });

        it("requires IMDSv2 with one hop and encrypted volumes in every launch template", () => {
            for (const template of ofType(plan, T.launchTemplate)) {
                assert.deepEqual(template.inputs.metadataOptions, {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                });
                const devices = template.inputs.blockDeviceMappings as { ebs: Record<string, unknown> }[];
                assert.equal(devices.length, 1);
                assert.equal(devices[0].ebs.encrypted, "true");
            }
        });

        it("puts node groups only in private subnets, through their launch template, without SSH", () => {
            const privateIds = expected.zones.map((z) => `${net}-private-${z}-id`);
            for (const group of ofType(plan, T.nodeGroup)) {
                assert.deepEqual(group.inputs.subnetIds, privateIds);
                assert.equal(group.inputs.remoteAccess, undefined);
                assert.deepEqual(group.inputs.launchTemplate, { id: `${group.name}-id`, version: "1" });
            }
            assert.deepEqual((eks.inputs.vpcConfig as { subnetIds: string[] }).subnetIds, privateIds);
        });

        it("sizes node groups from config", () => {
            const groups = stackValue<{
                nodeGroups: Record<
                    string,
                    {
                        minSize: number;
                        maxSize: number;
                        desiredSize: number;
                        instanceTypes: string[];
                        capacityType: string;
                    }
                >;
            }>(stack, "gitops-platform:cluster").nodeGroups;
            for (const [name, spec] of Object.entries(groups)) {
                const group = byName(plan.resources, T.nodeGroup, `${prefix}-${name}`);
                assert.deepEqual(group.inputs.scalingConfig, {
                    minSize: spec.minSize,
                    maxSize: spec.maxSize,
                    desiredSize: spec.desiredSize,
                });
                assert.deepEqual(group.inputs.instanceTypes, spec.instanceTypes);
                assert.equal(group.inputs.capacityType, spec.capacityType);
                assert.equal(group.inputs.amiType, "AL2023_x86_64_STANDARD");
            }
        });

        it("tags subnets for load balancers and routes private zones through their NAT gateway", () => {
            for (const zone of expected.zones) {
                const publicTags = byName(plan.resources, T.subnet, `${net}-public-${zone}`).inputs.tags as Record<
                    string,
                    string
                >;
                const privateTags = byName(plan.resources, T.subnet, `${net}-private-${zone}`).inputs.tags as Record<
                    string,
                    string
                >;
                assert.equal(publicTags["kubernetes.io/role/elb"], "1");
                assert.equal(publicTags["kubernetes.io/role/internal-elb"], undefined);
                assert.equal(privateTags["kubernetes.io/role/internal-elb"], "1");
                assert.equal(privateTags["kubernetes.io/role/elb"], undefined);
                const natZone = expected.natZones.length === 1 ? expected.natZones[0] : zone;
                const routes = byName(plan.resources, T.routeTable, `${net}-private-${zone}`).inputs.routes;
                assert.deepEqual(routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: `${net}-nat-${natZone}-id` }]);
            }
            assert.deepEqual(byName(plan.resources, T.routeTable, `${net}-public`).inputs.routes, [
                { cidrBlock: "0.0.0.0/0", gatewayId: `${net}-igw-id` },
            ]);
        });

        it(`${expected.protect ? "protects" : "does not protect"} the cluster, its KMS key and its VPC`, () => {
            const guarded = [
                eks,
                byName(plan.resources, T.key, `${prefix}-secrets`),
                byName(plan.resources, T.vpc, `${net}-vpc`),
            ];
            for (const resource of guarded) {
                assert.equal(resource.options.protect, expected.protect, resource.name);
            }
            assert.equal(eks.inputs.deletionProtection, expected.protect);
        });

        // Finding 9: vpc-cni's Pod Identity association is served by the agent, which must run first.
        it("creates vpc-cni and the EBS CSI driver after the pod identity agent", () => {
            const agent = byName(plan.resources, T.addon, `${prefix}-pod-identity-agent`).urn;
            for (const role of ["vpc-cni", "ebs-csi-driver"]) {
                assert.ok(byName(plan.resources, T.addon, `${prefix}-${role}`).options.dependsOn.includes(agent), role);
            }
        });

        // Finding 9: the charts' NetworkPolicies are only enforced with vpc-cni's network policy agent;
        // the key and its string value are the chart's (aws/amazon-vpc-cni-k8s v1.23.0
        // charts/aws-vpc-cni/values.yaml line 126, `enableNetworkPolicy: "false"`).
        it("turns on vpc-cni's network policy agent", () => {
            const cni = byName(plan.resources, T.addon, `${prefix}-vpc-cni`);
            assert.deepEqual(JSON.parse(String(cni.inputs.configurationValues)), { enableNetworkPolicy: "true" });
        });

        // Finding 6: persistence needs the EBS CSI driver and a default StorageClass
        // (kubernetes-sigs/aws-ebs-csi-driver helm-chart-aws-ebs-csi-driver-2.64.0 values.yaml
        // `defaultStorageClass.enabled`, `controller.serviceAccount.name: ebs-csi-controller-sa`).
        it("runs the EBS CSI driver with its own role and a default StorageClass", () => {
            const ebs = byName(plan.resources, T.addon, `${prefix}-ebs-csi-driver`);
            assert.deepEqual(JSON.parse(String(ebs.inputs.configurationValues)), {
                defaultStorageClass: { enabled: true },
            });
            assert.deepEqual(ebs.inputs.podIdentityAssociations, [
                {
                    // Under the workload path every role of a stack with CI roles gets (stacks/ci.ts).
                    roleArn: `arn:aws:iam::123456789012:role/gitops-platform/${prefix}-ebs-csi-role`,
                    serviceAccount: "ebs-csi-controller-sa",
                },
            ]);
            const attached = ofType(plan, T.attachment)
                .filter((a) => a.inputs.role === `${prefix}-ebs-csi-role`)
                .map((a) => a.inputs.policyArn);
            assert.deepEqual(attached, [...MANAGED_POLICIES.ebsCsiDriver]);
        });

        // Finding 2: with creator-admin off, the Kubernetes provider's first call races the access
        // entries' policy associations unless it waits for all of them.
        it("configures the Kubernetes provider only after every admin's access entry and policy association", () => {
            const provider = byName(plan.resources, "pulumi:providers:kubernetes", `${prefix}-k8s`);
            // Pulumi deploys as an admin: team and viewer entries are not on its path.
            const access = [
                ...ofType(plan, "aws:eks/accessEntry:AccessEntry"),
                ...ofType(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"),
            ].filter((r) => r.name.startsWith(`${prefix}-admin-`));
            assert.equal(
                access.length,
                2 * stackValue<{ adminRoleArns: string[] }>(stack, "gitops-platform:cluster").adminRoleArns.length,
            );
            assert.deepEqual([...provider.options.dependsOn].sort(), access.map((r) => r.urn).sort());
        });

        it("waits for node groups and the networking add-ons before CoreDNS, and for the networking add-ons before nodes", () => {
            const addon = (role: string) => byName(plan.resources, T.addon, `${prefix}-${role}`).urn;
            for (const group of ofType(plan, T.nodeGroup)) {
                for (const role of ["vpc-cni", "kube-proxy", "pod-identity-agent"]) {
                    assert.ok(group.options.dependsOn.includes(addon(role)), `${group.name} waits for ${role}`);
                }
            }
            const coreDns = byName(plan.resources, T.addon, `${prefix}-coredns`);
            assert.deepEqual(
                [...coreDns.options.dependsOn].sort(),
                ofType(plan, T.nodeGroup)
                    .map((g) => g.urn)
                    .sort(),
            );
        });

        it("gives the CNI its own Pod Identity role and nodes only the worker and image-pull policies", () => {
            const attached = (role: string) =>
                ofType(plan, T.attachment)
                    .filter((a) => a.inputs.role === role)
                    .map((a) => a.inputs.policyArn);
            assert.deepEqual(attached(`${prefix}-node`), [...MANAGED_POLICIES.node]);
            assert.deepEqual(attached(`${prefix}-cluster`), [...MANAGED_POLICIES.cluster]);
            assert.deepEqual(attached(`${prefix}-vpc-cni-role`), [...MANAGED_POLICIES.vpcCni]);
            const cni = byName(plan.resources, T.addon, `${prefix}-vpc-cni`);
            assert.deepEqual(cni.inputs.podIdentityAssociations, [
                {
                    roleArn: `arn:aws:iam::123456789012:role/gitops-platform/${prefix}-vpc-cni-role`,
                    serviceAccount: "aws-node",
                },
            ]);
        });

        it('declares IAM documents that parse, allow no "*" action and trust the right principals', () => {
            const policies = policiesIn(clusterResources(plan));
            assert.equal(
                policies.length,
                6,
                "four trust policies, the control plane's KMS policy and the log key's policy",
            );
            assertNoWildcardActions(policies);
            assert.deepEqual(principalsOf(trustPolicyOf(plan.resources, `${prefix}-cluster`)), [
                "Service:eks.amazonaws.com",
            ]);
            assert.deepEqual(principalsOf(trustPolicyOf(plan.resources, `${prefix}-node`)), [
                "Service:ec2.amazonaws.com",
            ]);
            const cniTrust = trustPolicyOf(plan.resources, `${prefix}-vpc-cni-role`);
            assert.deepEqual(principalsOf(cniTrust), ["Service:pods.eks.amazonaws.com"]);
            assert.deepEqual(cniTrust.Statement[0].Condition?.StringEquals, {
                "aws:SourceAccount": "123456789012",
                "aws:RequestTag/eks-cluster-name": `gitops-platform-${stack}`,
                "aws:RequestTag/kubernetes-namespace": "kube-system",
                "aws:RequestTag/kubernetes-service-account": "aws-node",
            });
            const kms = policies.find((p) => p.resource.type === "aws:iam/rolePolicy:RolePolicy")!;
            // The log key's account statement administers it; only CloudWatch Logs may encrypt and decrypt.
            const logKey = policies.find((p) => p.resource.type === "aws:kms/key:Key")!;
            const uses = logKey.document.Statement.filter((s) =>
                [s.Action].flat().some((a) => /^kms:(Encrypt|Decrypt|GenerateDataKey)/.test(a)),
            );
            assert.deepEqual(principalsOf({ ...logKey.document, Statement: uses }), [
                "Service:logs.eu-west-1.amazonaws.com",
            ]);
            assert.deepEqual(
                kms.document.Statement.map((s) => s.Resource),
                [`arn:aws:kms:eu-west-1:123456789012:key/${prefix}-secrets`],
            );
        });

        it("tags every AWS resource that takes tags with the config's tags, environment and project", () => {
            const configured = stackValue<Record<string, string>>(stack, "gitops-platform:tags");
            const base = { ...configured, environment: stack, project: "gitops-platform" };
            const awsResources = clusterResources(plan).filter((r) => r.type.startsWith("aws:"));
            assert.ok(awsResources.length > 30);
            for (const resource of awsResources) {
                if (!takesTags(resource.type)) {
                    assert.equal(resource.inputs.tags, undefined);
                    continue;
                }
                const tags = resource.inputs.tags as Record<string, string> | undefined;
                for (const [key, value] of Object.entries(base)) {
                    assert.equal(tags?.[key], value, `${resource.type} ${resource.name} tag ${key}`);
                }
            }
        });

        it("gives a Kubernetes provider that only a different cluster replaces, with a secret kubeconfig", () => {
            const provider = byName(plan.resources, "pulumi:providers:kubernetes", `${prefix}-k8s`);
            assert.equal(
                provider.inputs.clusterIdentifier,
                `arn:aws:eks:eu-west-1:123456789012:cluster/gitops-platform-${stack}`,
            );
            assert.equal(provider.inputs.kubeconfig, "[secret]");
        });
    });
}

/** Whether the resource type's Args accept `tags`, read from the installed @pulumi/aws declarations. */
function takesTags(type: string): boolean {
    const match = /^aws:([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(type);
    assert.ok(match, `unexpected type token ${type}`);
    const [, module, file, resource] = match;
    const declaration = fs.readFileSync(
        path.join(require.resolve("@pulumi/aws/package.json"), "..", module, `${file}.d.ts`),
        "utf8",
    );
    const args = new RegExp(`export interface ${resource}Args \\{([\\s\\S]*?)\\n\\}`).exec(declaration);
    assert.ok(args, `no ${resource}Args in @pulumi/aws/${module}/${file}.d.ts`);
    return /\n\s+tags\?:/.test(args[1]);
}

describe("cluster of the local stack", () => {
    it("declares no AWS resource, only the Kubernetes provider of the existing cluster", async () => {
        const plan = await planStack("local");
        assert.deepEqual(
            plan.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.name),
            [],
        );
        const provider = byName(plan.resources, "pulumi:providers:kubernetes", "local-cluster-k8s");
        assert.equal(provider.inputs.context, "kind-gitops");
    });
});

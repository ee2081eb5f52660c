/**
 * `gitops-platform:cluster`: an EKS cluster this stack creates, or an existing cluster reached through a kubeconfig.
 */
import { z } from "zod";
import { cidrContains, cidrsOverlap, Ipv4Cidr, MAX_LAYOUT_VPC_PREFIX, parseCidr } from "../../components/cluster/cidr";
import { amiTypeFor, DEFAULTS as EKS } from "../../components/cluster/eksArgs";
import { cidr, dnsLabel, iamRoleArn, labels, strictObject } from "./rules";

/**
 * Kubernetes versions EKS creates clusters on: those in standard or extended support on the EKS
 * release calendar (awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc:
 * 1.32 to 2027-03-23, 1.33 to 2027-07-29, 1.34 to 2027-12-02; 1.35, released 2026-01-28, to
 * 2028-03-27 per endoflife.date/amazon-eks; 1.36, the newest the user guide names, docs.aws.amazon.com
 * de_de/it_it/id_id eks/latest/userguide/kubernetes-versions.md). 1.31 left extended support on
 * 2026-11-26. Add a version here when EKS releases it (`aws eks describe-cluster-versions`), and drop
 * one at its end of extended support.
 */
export const EKS_KUBERNETES_VERSIONS: readonly string[] = ["1.32", "1.33", "1.34", "1.35", "1.36"];

/** A Kubernetes minor EKS offers, quoted so YAML keeps it a string. */
export const kubernetesVersion = z
    .string({
        error: 'expected a Kubernetes minor version as a quoted string, such as "1.33" (unquoted, YAML reads 1.30 as the number 1.3)',
    })
    .regex(
        /^1\.\d{2}$/,
        'expected a Kubernetes minor version as EKS takes it, such as "1.33" (quoted, so YAML keeps it a string)',
    )
    .refine(
        (version) => !/^1\.\d{2}$/.test(version) || EKS_KUBERNETES_VERSIONS.includes(version),
        `EKS does not offer this Kubernetes version: use one of ${EKS_KUBERNETES_VERSIONS.join(", ")}`,
    );

const nodeGroup = strictObject({
    /** EC2 instance types, most preferred first. */
    instanceTypes: z
        .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, "expected an EC2 instance type such as m6i.large"))
        .min(1),
    capacityType: z.enum(["ON_DEMAND", "SPOT"]).default(EKS.capacityType),
    minSize: z
        .number()
        .int()
        .min(1, "expected at least 1 node: a group of zero nodes runs nothing, including the GitOps engine"),
    maxSize: z.number().int().min(1),
    desiredSize: z.number().int().min(1),
    diskSizeGiB: z.number().int().min(20).max(16384).default(EKS.diskSizeGiB),
    labels: labels.default({}),
}).superRefine((group, ctx) => {
    // The component checks it too, but only once resources exist: here it is one report, before anything.
    if (amiTypeFor(group.instanceTypes) === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["instanceTypes"],
            input: group.instanceTypes,
            message:
                "mixes Graviton (arm64) and x86_64 instance types: a node group runs one AMI, so one architecture; split them into two groups",
        });
    }
    if (group.minSize > group.maxSize) {
        ctx.addIssue({
            code: "custom",
            path: ["minSize"],
            input: group.minSize,
            message: `minSize ${group.minSize} is greater than maxSize ${group.maxSize}; lower minSize or raise maxSize`,
        });
    }
    if (group.desiredSize < group.minSize || group.desiredSize > group.maxSize) {
        ctx.addIssue({
            code: "custom",
            path: ["desiredSize"],
            input: group.desiredSize,
            message: `desiredSize ${group.desiredSize} must lie between minSize ${group.minSize} and maxSize ${group.maxSize}`,
        });
    }
});

/**
 * IPv4 special-purpose ranges a VPC cannot be addressed from (IANA special-purpose registry, RFC 6890
 * and RFC 5771/3927/1122): "this network", loopback, link-local (where the instance metadata service
 * and Amazon DNS live, 169.254.169.254), multicast, reserved and broadcast.
 */
export const RESERVED_RANGES: readonly [string, string][] = [
    ["0.0.0.0/8", '"this network" (RFC 1122)'],
    ["127.0.0.0/8", "loopback (RFC 1122)"],
    ["169.254.0.0/16", "link-local, where the instance metadata service lives (RFC 3927)"],
    ["224.0.0.0/4", "multicast (RFC 5771)"],
    ["240.0.0.0/4", "reserved, with broadcast (RFC 1112)"],
];

function reservedRange(block: Ipv4Cidr): string | undefined {
    const hit = RESERVED_RANGES.find(([text]) => cidrsOverlap(parseCidr(text)!, block));
    return hit ? `${hit[0]}, ${hit[1]}` : undefined;
}

/** AWS takes VPC and subnet blocks of /16 to /28: an issue at `path` when `text` is outside. */
function checkBlockSize(
    ctx: z.RefinementCtx,
    what: string,
    path: (string | number)[],
    text: string,
    block: Ipv4Cidr,
): void {
    if (block.prefixLength < 16 || block.prefixLength > 28) {
        ctx.addIssue({
            code: "custom",
            path,
            input: text,
            message: `AWS ${what} are /16 to /28; ${text} is ${block.prefixLength < 16 ? "larger than /16" : "smaller than /28"}`,
        });
    }
}

const network = strictObject({
    vpcCidr: cidr,
    /** How many availability zones to spread subnets over (the region's first N). */
    availabilityZones: z
        .number()
        .int()
        .min(2, "expected at least 2 availability zones: EKS requires subnets in two")
        .max(6),
    natGateways: z.enum(["single", "onePerZone"]),
    /** Explicit subnet blocks, one per zone; computed from vpcCidr when omitted. */
    publicSubnetCidrs: z.array(cidr).optional(),
    privateSubnetCidrs: z.array(cidr).optional(),
}).superRefine((net, ctx) => {
    const vpc = parseCidr(net.vpcCidr);
    if (!vpc) {
        return;
    }
    checkBlockSize(ctx, "VPC blocks", ["vpcCidr"], net.vpcCidr, vpc);
    const reserved = reservedRange(vpc);
    if (reserved) {
        ctx.addIssue({
            code: "custom",
            path: ["vpcCidr"],
            input: net.vpcCidr,
            message: `${net.vpcCidr} overlaps ${reserved}: use a private range (RFC 1918) such as 10.0.0.0/16`,
        });
    }
    const explicit = [net.publicSubnetCidrs, net.privateSubnetCidrs].filter((list) => list !== undefined).length;
    if (explicit === 1) {
        const missing = net.publicSubnetCidrs === undefined ? "publicSubnetCidrs" : "privateSubnetCidrs";
        ctx.addIssue({
            code: "custom",
            path: [missing],
            input: undefined,
            message:
                "give both publicSubnetCidrs and privateSubnetCidrs, or neither to have them computed from vpcCidr",
        });
    }
    if (explicit === 0 && vpc.prefixLength > MAX_LAYOUT_VPC_PREFIX) {
        ctx.addIssue({
            code: "custom",
            path: ["vpcCidr"],
            input: net.vpcCidr,
            message: `too small to split into subnets automatically: use /${MAX_LAYOUT_VPC_PREFIX} or larger, or give publicSubnetCidrs and privateSubnetCidrs`,
        });
    }
    const blocks: { path: (string | number)[]; text: string }[] = [];
    for (const kind of ["publicSubnetCidrs", "privateSubnetCidrs"] as const) {
        const list = net[kind];
        if (list === undefined) {
            continue;
        }
        if (list.length !== net.availabilityZones) {
            ctx.addIssue({
                code: "custom",
                path: [kind],
                input: list,
                message: `expected ${net.availabilityZones} blocks, one per availability zone, got ${list.length}`,
            });
        }
        list.forEach((text, index) => blocks.push({ path: [kind, index], text }));
    }
    blocks.forEach((block, index) => {
        const parsed = parseCidr(block.text);
        if (!parsed) {
            return;
        }
        checkBlockSize(ctx, "subnets", block.path, block.text, parsed);
        if (!cidrContains(vpc, parsed)) {
            ctx.addIssue({
                code: "custom",
                path: block.path,
                input: block.text,
                message: `subnet ${block.text} lies outside vpcCidr ${net.vpcCidr}`,
            });
        }
        const clash = blocks.slice(0, index).find((other) => {
            const otherParsed = parseCidr(other.text);
            return otherParsed !== undefined && cidrsOverlap(otherParsed, parsed);
        });
        if (clash) {
            ctx.addIssue({
                code: "custom",
                path: block.path,
                input: block.text,
                message: `subnet ${block.text} overlaps ${clash.text} (${clash.path.join("[")}]); give each subnet its own block`,
            });
        }
    });
});

const eksVersion = z
    .string()
    .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "expected an EKS add-on version such as v1.19.2-eksbuild.1");

export const eksClusterConfig = strictObject({
    type: z.literal("eks"),
    kubernetesVersion,
    network,
    endpoint: strictObject({
        /** Public API endpoint; by default on outside production when publicAccessCidrs are listed, off otherwise. */
        publicAccess: z.boolean().optional(),
        publicAccessCidrs: z.array(cidr).default([]),
    }).prefault({}),
    /** IAM role ARNs given cluster-admin through EKS access entries. */
    adminRoleArns: z
        .array(iamRoleArn)
        .min(
            1,
            "expected at least one admin role: with bootstrap creator permissions off, nobody could reach the cluster",
        ),
    /** IAM roles with read-only access (AmazonEKSViewPolicy: no Secrets), e.g. the preview and drift role. */
    viewerRoleArns: z.array(iamRoleArn).default([]),
    /** IAM roles that read everything, Kubernetes Secrets included (AmazonEKSAdminViewPolicy): the drift role, whose refresh reads Secrets and Helm releases. */
    adminViewRoleArns: z.array(iamRoleArn).default([]),
    workloadIdentity: z.enum(["podIdentity", "irsa"]).default(EKS.workloadIdentity),
    nodeGroups: z
        .record(dnsLabel, nodeGroup)
        .refine((groups) => Object.keys(groups).length > 0, "expected at least one node group"),
    /**
     * Add-on builds over the version set of kubernetesVersion (stacks/versionSets.ts); required where
     * the set has none (stacks/config/versions.ts says which).
     */
    addons: strictObject({
        vpcCni: eksVersion.optional(),
        coreDns: eksVersion.optional(),
        kubeProxy: eksVersion.optional(),
        podIdentityAgent: eksVersion.optional(),
        /** Pins; by default EKS's default build for kubernetesVersion. */
        metricsServer: eksVersion.optional(),
        ebsCsiDriver: eksVersion.optional(),
    }).prefault({}),
    /** AMI release of every node group (`<Kubernetes patch>-<date>`); by default the version set's. */
    nodeAmiReleaseVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+-\d{8}$/, "expected an EKS AMI release version such as 1.35.6-20260728")
        .optional(),
    logRetentionDays: z
        .number()
        .int()
        .refine(
            (days) =>
                [
                    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                    3653,
                ].includes(days),
            "expected a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days",
        )
        .default(EKS.logRetentionDays),
}).superRefine((eks, ctx) => {
    if (eks.endpoint.publicAccess === false && eks.endpoint.publicAccessCidrs.length > 0) {
        ctx.addIssue({
            code: "custom",
            path: ["endpoint", "publicAccessCidrs"],
            input: eks.endpoint.publicAccessCidrs,
            message:
                "the public endpoint is off (publicAccess: false): remove publicAccessCidrs or set publicAccess to true",
        });
    }
    if (eks.endpoint.publicAccess === true && eks.endpoint.publicAccessCidrs.length === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["endpoint", "publicAccessCidrs"],
            input: [],
            message:
                "a public endpoint needs the address ranges allowed to reach it: list them (0.0.0.0/0 only if you mean the whole internet), or set publicAccess to false",
        });
    }
    // kube-proxy add-on builds are made per Kubernetes minor version, and must match the cluster's.
    if (eks.addons.kubeProxy !== undefined && !eks.addons.kubeProxy.startsWith(`v${eks.kubernetesVersion}.`)) {
        ctx.addIssue({
            code: "custom",
            path: ["addons", "kubeProxy"],
            input: eks.addons.kubeProxy,
            message: `kube-proxy must match kubernetesVersion ${eks.kubernetesVersion}: use a v${eks.kubernetesVersion}.x-eksbuild.N version`,
        });
    }
    if (eks.nodeAmiReleaseVersion !== undefined && !eks.nodeAmiReleaseVersion.startsWith(`${eks.kubernetesVersion}.`)) {
        ctx.addIssue({
            code: "custom",
            path: ["nodeAmiReleaseVersion"],
            input: eks.nodeAmiReleaseVersion,
            message: `nodes run the cluster's Kubernetes version: use an AMI release of ${eks.kubernetesVersion} (${eks.kubernetesVersion}.<patch>-<date>)`,
        });
    }
});

export const existingClusterConfig = strictObject({
    type: z.literal("existing"),
    /** Path to the kubeconfig file; "~" expands to the home folder. */
    kubeconfig: z.string().min(1),
    /** Context in that kubeconfig; its current context when omitted. */
    context: z.string().min(1).optional(),
});

export const clusterConfig = z.discriminatedUnion("type", [eksClusterConfig, existingClusterConfig]);

export type EksClusterConfig = z.infer<typeof eksClusterConfig>;
export type ExistingClusterConfig = z.infer<typeof existingClusterConfig>;
export type ClusterConfig = z.infer<typeof clusterConfig>;

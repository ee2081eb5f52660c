/** The EksCluster component's Args, their defaults and their checks, and what every step of it reads. */
import * as pulumi from "@pulumi/pulumi";

export interface EksNodeGroupArgs {
    /** EC2 instance types, most preferred first. Required. */
    readonly instanceTypes: readonly string[];
    /** ON_DEMAND or SPOT. Default ON_DEMAND. */
    readonly capacityType?: "ON_DEMAND" | "SPOT";
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredSize: number;
    /** Root volume size. Default 50 GiB. */
    readonly diskSizeGiB?: number;
    /** Kubernetes node labels. Default none. */
    readonly labels?: Record<string, string>;
}

export interface EksAddonVersions {
    readonly vpcCni: string;
    readonly coreDns: string;
    readonly kubeProxy: string;
    /** Required when workloadIdentity is "podIdentity". */
    readonly podIdentityAgent?: string;
    /** metrics-server (EKS community add-on); default: EKS's default version for kubernetesVersion. */
    readonly metricsServer?: string;
    /** aws-ebs-csi-driver; default: EKS's default version for kubernetesVersion. */
    readonly ebsCsiDriver?: string;
}

export interface EksClusterArgs {
    /** Physical cluster name; also names the log group. Default: the component name. */
    readonly clusterName?: string;
    /** AWS region of the stack's provider, for the kubeconfig. Required. */
    readonly region: string;
    /** Kubernetes minor version, e.g. "1.33". Required. */
    readonly kubernetesVersion: string;
    /** VPC block and zones; see NetworkArgs. Required. */
    readonly network: {
        readonly vpcCidr: string;
        readonly availabilityZones: readonly string[];
        readonly natGateways?: "single" | "onePerZone";
        readonly publicSubnetCidrs?: readonly string[];
        readonly privateSubnetCidrs?: readonly string[];
    };
    /** Public API endpoint. Default false (private endpoint only). */
    readonly endpointPublicAccess?: boolean;
    /** CIDRs allowed to the public endpoint. Default none, which EKS takes as 0.0.0.0/0: set them. */
    readonly publicAccessCidrs?: readonly string[];
    /** IAM role ARNs made cluster-admin through access entries. Required, at least one. */
    readonly adminRoleArns: readonly string[];
    /**
     * Team roles by team name, each mapped by an access entry to the team's Kubernetes groups, with no
     * access policy: the namespaced RoleBindings of the apps component are all it gets. Default none.
     */
    readonly teamAccess?: Readonly<Record<string, { readonly roleArn: string; readonly groups: readonly string[] }>>;
    /** IAM roles given read-only access (AmazonEKSViewPolicy, which excludes Secrets). Default none. */
    readonly viewerRoleArns?: readonly string[];
    /** IAM roles that read everything, Secrets included (AmazonEKSAdminViewPolicy): the drift check's. Default none. */
    readonly adminViewRoleArns?: readonly string[];
    /**
     * Networks whose clients (CI runners in a connected network) reach the private endpoint: the
     * cluster security group admits them on 443 (EKS User Guide, cluster-endpoint.adoc). Default none.
     */
    readonly privateApiCidrs?: readonly string[];
    /** How workloads get AWS roles. Default "podIdentity". */
    readonly workloadIdentity?: "podIdentity" | "irsa";
    /** Managed node groups by name; every group runs kubernetesVersion. Required, at least one. */
    readonly nodeGroups: Readonly<Record<string, EksNodeGroupArgs>>;
    /**
     * AMI release version of every node group, e.g. "1.35.6-20260728" (`<Kubernetes patch>-<date>`);
     * it must belong to kubernetesVersion. Default: EKS's latest AMI for the version when a group is
     * created or upgraded (aws.eks.NodeGroup releaseVersion).
     */
    readonly nodeAmiReleaseVersion?: string;
    /** Versions of the managed add-ons. Required. */
    readonly addons: EksAddonVersions;
    /** Control-plane log retention. Default 90 days. */
    readonly logRetentionDays?: number;
    /** Tags on every AWS resource that takes tags. Default none. */
    readonly tags?: Record<string, string>;
    /**
     * Protect the cluster, its KMS keys, its VPC and its control-plane log group (production); the log
     * group (the audit trail) and its key then also stay in AWS when removed from the stack. Default false.
     */
    readonly protect?: boolean;
}

export const DEFAULTS = {
    endpointPublicAccess: false,
    publicAccessCidrs: [] as readonly string[],
    teamAccess: {} as Readonly<Record<string, { readonly roleArn: string; readonly groups: readonly string[] }>>,
    viewerRoleArns: [] as readonly string[],
    adminViewRoleArns: [] as readonly string[],
    privateApiCidrs: [] as readonly string[],
    workloadIdentity: "podIdentity",
    logRetentionDays: 90,
    tags: {} as Record<string, string>,
    protect: false,
    /**
     * Control-plane log types, all five EKS offers (aws_eks_cluster enabled_cluster_log_types: api, audit,
     * authenticator, controllerManager, scheduler): API calls, the audit trail, who authenticated, and what
     * the controllers and the scheduler decided, to reconstruct an incident.
     */
    logTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    kmsDeletionWindowDays: 30,
    capacityType: "ON_DEMAND",
    diskSizeGiB: 50,
    /**
     * Standard support only: a version past it is upgraded by EKS instead of billed at extended-support
     * rates (aws.eks.Cluster upgradePolicy.supportType, STANDARD | EXTENDED; EKS user guide "Kubernetes
     * versions": "Extended support is enabled by default"). Set explicitly.
     */
    supportType: "STANDARD",
} as const;

/** Checks Args before any child exists; returns the problems (empty when fine). */
export function validateEksClusterArgs(args: EksClusterArgs): string[] {
    const problems: string[] = [];
    const mode = args.workloadIdentity ?? DEFAULTS.workloadIdentity;
    if (args.adminRoleArns.length === 0) {
        problems.push("adminRoleArns: at least one role, or nobody can reach the cluster");
    }
    if (args.network.availabilityZones.length < 2) {
        problems.push("network.availabilityZones: EKS needs subnets in at least two zones");
    }
    if (Object.keys(args.nodeGroups).length === 0) {
        problems.push("nodeGroups: at least one node group");
    }
    for (const [group, spec] of Object.entries(args.nodeGroups)) {
        if (
            spec.minSize < 1 ||
            spec.minSize > spec.maxSize ||
            spec.desiredSize < spec.minSize ||
            spec.desiredSize > spec.maxSize
        ) {
            problems.push(`nodeGroups.${group}: need 1 <= minSize <= desiredSize <= maxSize`);
        }
        if (amiTypeFor(spec.instanceTypes) === undefined) {
            problems.push(
                `nodeGroups.${group}.instanceTypes: mixes Graviton (arm64) and x86_64 types; one group runs one architecture`,
            );
        }
    }
    const release = args.nodeAmiReleaseVersion;
    if (release !== undefined && !release.startsWith(`${args.kubernetesVersion}.`)) {
        problems.push(
            `nodeAmiReleaseVersion: ${release} is not an AMI release of Kubernetes ${args.kubernetesVersion} (expected ${args.kubernetesVersion}.<patch>-<date>)`,
        );
    }
    if (mode === "podIdentity" && args.addons.podIdentityAgent === undefined) {
        problems.push("addons.podIdentityAgent: Pod Identity needs the eks-pod-identity-agent add-on");
    }
    return problems;
}

/** Graviton families carry a "g" after the generation digit (m7g, c6gn, r8gd). */
const GRAVITON = /^[a-z]+\d+[a-z]*g[a-z]*\./;

/** Amazon Linux 2023 AMI type for the instance types' architecture; undefined when they mix architectures. */
export function amiTypeFor(
    instanceTypes: readonly string[],
): "AL2023_x86_64_STANDARD" | "AL2023_ARM_64_STANDARD" | undefined {
    const arm = instanceTypes.filter((type) => GRAVITON.test(type)).length;
    if (arm === 0) {
        return "AL2023_x86_64_STANDARD";
    }
    return arm === instanceTypes.length ? "AL2023_ARM_64_STANDARD" : undefined;
}

/** Args with DEFAULTS applied. */
export const withDefaults = (args: EksClusterArgs) => ({ ...DEFAULTS, ...args });

/** What every step of the EksCluster constructor reads: the settings with defaults applied, names, and the parent. */
export interface EksStep {
    readonly name: string;
    readonly clusterName: string;
    readonly settings: ReturnType<typeof withDefaults>;
    readonly tags: Record<string, string>;
    readonly protect: boolean;
    readonly accountId: pulumi.Output<string>;
    /** The EksCluster component: every child's parent. */
    readonly parent: pulumi.Resource;
}

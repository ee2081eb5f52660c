import * as aws from "../core/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    CLUSTER_ADMIN_ACCESS_POLICY,
    VIEW_ACCESS_POLICY,
    ADMIN_VIEW_ACCESS_POLICY,
    clusterKmsPolicy,
    irsaTrustPolicy,
    logGroupKeyPolicy,
    MANAGED_POLICIES,
    podIdentityTrustPolicy,
    PolicyDocument,
    serviceTrustPolicy,
    ServiceAccountRef,
} from "./iam";
import { Network } from "./network";
import { ClusterHandle, WorkloadIdentity, WorkloadIdentityGrant, WorkloadRole } from "./types";

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
    /** Managed node groups by name. Required, at least one. */
    readonly nodeGroups: Readonly<Record<string, EksNodeGroupArgs>>;
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
    /** Control-plane log types: API calls, the audit trail, and who authenticated. */
    logTypes: ["api", "audit", "authenticator"],
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

/**
 * vpc-cni's configuration: its network policy agent on, so the NetworkPolicies the engines' charts
 * create are enforced. The key is the chart value the add-on takes, a string "true"
 * (aws/amazon-vpc-cni-k8s v1.23.0 charts/aws-vpc-cni/values.yaml: `enableNetworkPolicy: "false"`,
 * rendered into the DaemonSet's `--enable-network-policy` flag and the controller ConfigMap).
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

/**
 * aws-ebs-csi-driver's configuration: a default StorageClass (`ebs-csi-default-sc`, gp3 by the
 * driver's default, WaitForFirstConsumer), so volumes that name no class bind (kubernetes-sigs/aws-ebs-csi-driver
 * helm-chart-aws-ebs-csi-driver-2.64.0 charts/aws-ebs-csi-driver/values.yaml `defaultStorageClass.enabled`,
 * templates/ebs-csi-default-sc.yaml). Whether EKS's own gp2 class is still marked default on a new
 * cluster was not confirmed upstream; this class does not rely on it.
 */
export const EBS_CSI_CONFIGURATION = { defaultStorageClass: { enabled: true } } as const;

/** The EBS CSI controller's service account (same chart, values.yaml `controller.serviceAccount.name`). */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" } as const;

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

/** The log group EKS writes control-plane logs to; created first, so EKS does not create an unmanaged one. */
export function controlPlaneLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** The last path segment of a role ARN, used as a stable resource key. */
export function roleNameOf(roleArn: string): string {
    return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

export interface KubeconfigInput {
    readonly clusterName: string;
    readonly endpoint: string;
    readonly certificateAuthority: string;
    readonly region: string;
}

/** A kubeconfig that authenticates with `aws eks get-token`, so it holds no credential of its own. */
export function eksKubeconfig(input: KubeconfigInput): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: input.clusterName,
                cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthority },
            },
        ],
        contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user: input.clusterName } }],
        "current-context": input.clusterName,
        users: [
            {
                name: input.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", input.clusterName, "--region", input.region],
                    },
                },
            },
        ],
    });
}

const json = (document: PolicyDocument) => JSON.stringify(document);

interface IdentitySettings {
    readonly mode: "podIdentity" | "irsa";
    /**
     * The cluster's name as configured, known before the cluster exists: Pod Identity trust policies
     * name it without waiting for the cluster, so IAM roles are created while EKS is.
     */
    readonly clusterName: string;
    /** The created cluster's name: associations need the cluster to exist. */
    readonly createdClusterName: pulumi.Output<string>;
    readonly accountId: pulumi.Output<string>;
    readonly oidcProvider?: aws.iam.OpenIdConnectProvider;
    readonly tags: Record<string, string>;
}

/** Per-workload IAM roles through EKS Pod Identity or IRSA, whichever the cluster uses. */
export class EksWorkloadIdentity implements WorkloadIdentity {
    constructor(private readonly settings: IdentitySettings) {}

    /** A role only the given service account of this cluster can assume. */
    role(name: string, ref: ServiceAccountRef, parent: pulumi.Resource): aws.iam.Role {
        const { mode, clusterName, accountId, oidcProvider } = this.settings;
        const trust =
            mode === "podIdentity"
                ? accountId.apply((account) =>
                      json(podIdentityTrustPolicy({ ...ref, clusterName, accountId: account })),
                  )
                : pulumi
                      .all([oidcProvider!.arn, oidcProvider!.url])
                      .apply(([providerArn, issuerUrl]) => json(irsaTrustPolicy({ ...ref, providerArn, issuerUrl })));
        return new aws.iam.Role(
            `${name}-role`,
            {
                description: `${ref.namespace}/${ref.serviceAccount} on EKS cluster ${clusterName}`,
                assumeRolePolicy: trust,
                tags: this.settings.tags,
            },
            { parent },
        );
    }

    grant(name: string, grant: WorkloadIdentityGrant, opts: { parent: pulumi.Resource }): WorkloadRole {
        const role = this.role(name, grant, opts.parent);
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.name, policy: grant.policyDocument },
            { parent: opts.parent },
        );
        const ready: pulumi.Resource[] = [role, policy];
        if (this.settings.mode === "podIdentity") {
            ready.push(
                new aws.eks.PodIdentityAssociation(
                    `${name}-association`,
                    {
                        clusterName: this.settings.createdClusterName,
                        namespace: grant.namespace,
                        serviceAccount: grant.serviceAccount,
                        roleArn: role.arn,
                        tags: this.settings.tags,
                    },
                    { parent: opts.parent },
                ),
            );
        }
        return {
            roleArn: role.arn,
            serviceAccountAnnotations: this.settings.mode === "irsa" ? { "eks.amazonaws.com/role-arn": role.arn } : {},
            ready,
        };
    }
}

/** Args with DEFAULTS applied. */
const withDefaults = (args: EksClusterArgs) => ({ ...DEFAULTS, ...args });

/** What every step of the EksCluster constructor reads: the settings with defaults applied, and names. */
interface EksStep {
    readonly name: string;
    readonly clusterName: string;
    readonly settings: ReturnType<typeof withDefaults>;
    readonly tags: Record<string, string>;
    readonly protect: boolean;
    readonly accountId: pulumi.Output<string>;
}

/** The add-ons nodes wait for: they give a joining node its network. */
interface NetworkingAddons {
    readonly vpcCni: aws.eks.Addon;
    readonly kubeProxy: aws.eks.Addon;
    /** The pod identity agent, when the cluster uses Pod Identity: what credentialed add-ons wait for. */
    readonly afterAgent: aws.eks.Addon[];
}

/**
 * An EKS cluster with its VPC, KMS-encrypted secrets, control-plane logs, managed node groups in
 * private subnets, managed core add-ons, cluster-admin access entries, and per-workload IAM.
 */
export class EksCluster extends pulumi.ComponentResource implements ClusterHandle {
    readonly kind = "eks" as const;
    readonly clusterName: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthority: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly ready: pulumi.Resource[];
    readonly workloadIdentity: EksWorkloadIdentity;
    readonly aws: { readonly region: string; readonly accountId: pulumi.Output<string> };
    readonly network: Network;
    readonly cluster: aws.eks.Cluster;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:cluster:EksCluster", name, {}, opts);
        const problems = validateEksClusterArgs(args);
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`invalid EksCluster arguments:\n  ${problems.join("\n  ")}`, this);
        }
        const settings = withDefaults(args);
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const step: EksStep = {
            name,
            clusterName: settings.clusterName ?? name,
            settings,
            tags: settings.tags,
            protect: settings.protect,
            accountId,
        };
        this.aws = { region: settings.region, accountId };

        this.network = new Network(
            `${name}-network`,
            { ...settings.network, tags: step.tags, protect: step.protect },
            { parent: this },
        );
        this.cluster = this.controlPlane(step);
        this.clusterName = this.cluster.name;
        this.endpoint = this.cluster.endpoint;
        this.certificateAuthority = this.cluster.certificateAuthority.apply((ca) => ca.data ?? "");
        const access = this.accessEntries(step);
        this.workloadIdentity = this.identity(step);
        const networking = this.networkingAddons(step);
        const nodeGroups = this.nodeGroups(step, networking);
        this.ready = [...nodeGroups, ...this.nodeAddons(step, networking, nodeGroups)];
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.cluster.endpoint, this.certificateAuthority])
                .apply(([cluster, endpoint, ca]) =>
                    eksKubeconfig({
                        clusterName: cluster,
                        endpoint,
                        certificateAuthority: ca,
                        region: settings.region,
                    }),
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: this.kubeconfig,
                // Only a different cluster replaces the provider (and everything deployed through it).
                clusterIdentifier: this.cluster.arn,
            },
            { parent: this, dependsOn: access },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            certificateAuthority: this.certificateAuthority,
            kubeconfig: this.kubeconfig,
        });
    }

    /** The control plane: its role, the secrets key, the audit log group and key, and the cluster. */
    private controlPlane({ name, clusterName, settings, tags, protect, accountId }: EksStep): aws.eks.Cluster {
        const key = this.kmsKey(
            `${name}-secrets`,
            `Envelope encryption of Kubernetes secrets in EKS cluster ${clusterName}`,
            {},
            tags,
            { parent: this, protect },
        );

        const clusterRole = this.serviceRole(
            `${name}-cluster`,
            `EKS control plane of ${clusterName}`,
            "eks.amazonaws.com",
            tags,
        );
        const clusterRoleParts = [
            ...this.attachManaged(`${name}-cluster`, clusterRole, MANAGED_POLICIES.cluster),
            new aws.iam.RolePolicy(
                `${name}-cluster-kms`,
                { role: clusterRole.name, policy: key.arn.apply((arn) => json(clusterKmsPolicy(arn))) },
                { parent: this },
            ),
        ];

        // The audit trail outlives the stack where the environment protects: a destroy or a removal
        // leaves the log group and the key its logs need in AWS.
        const keepLogs = { parent: this, protect, retainOnDelete: protect };
        const logGroupName = controlPlaneLogGroupName(clusterName);
        const logKey = this.kmsKey(
            `${name}-logs`,
            `Encryption of the control-plane logs of EKS cluster ${clusterName}`,
            {
                policy: accountId.apply((account) =>
                    json(logGroupKeyPolicy({ accountId: account, region: settings.region, logGroupName })),
                ),
            },
            tags,
            keepLogs,
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: logGroupName,
                retentionInDays: settings.logRetentionDays,
                // CloudWatch Logs takes the key's ARN
                // (terraform-provider-aws internal/service/logs/group.go: kms_key_id → KmsKeyId).
                kmsKeyId: logKey.arn,
                tags,
            },
            keepLogs,
        );

        return new aws.eks.Cluster(
            `${name}-eks`,
            {
                name: clusterName,
                version: settings.kubernetesVersion,
                roleArn: clusterRole.arn,
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                // Managed add-ons below replace the self-managed ones EKS would install.
                bootstrapSelfManagedAddons: false,
                vpcConfig: {
                    subnetIds: this.network.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: settings.endpointPublicAccess,
                    publicAccessCidrs:
                        settings.endpointPublicAccess && settings.publicAccessCidrs.length > 0
                            ? [...settings.publicAccessCidrs]
                            : undefined,
                },
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
                upgradePolicy: { supportType: DEFAULTS.supportType },
                enabledClusterLogTypes: [...DEFAULTS.logTypes],
                deletionProtection: protect,
                tags,
            },
            {
                parent: this,
                protect,
                dependsOn: [logGroup, ...clusterRoleParts],
                // Both only take effect when the cluster is created, and the provider replaces the
                // cluster when they differ from state (e.g. after an import, or the provider's default
                // changing): never worth a new cluster.
                ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"],
            },
        );
    }

    /**
     * Access entries of admins, teams and viewers. Returns the admins' entries and policy associations:
     * with creator-admin off, only these let anyone in, so the Kubernetes provider waits for all of them.
     */
    private accessEntries({ name, settings, tags }: EksStep): pulumi.Resource[] {
        const access = settings.adminRoleArns.flatMap((roleArn) =>
            this.policyAccess(`${name}-admin-${roleNameOf(roleArn)}`, roleArn, CLUSTER_ADMIN_ACCESS_POLICY, tags),
        );
        for (const [team, access] of Object.entries(settings.teamAccess)) {
            new aws.eks.AccessEntry(
                `${name}-team-${team}`,
                {
                    clusterName: this.cluster.name,
                    principalArn: access.roleArn,
                    type: "STANDARD",
                    kubernetesGroups: [...access.groups],
                    tags,
                },
                { parent: this },
            );
        }
        for (const roleArn of settings.viewerRoleArns) {
            this.policyAccess(`${name}-viewer-${roleNameOf(roleArn)}`, roleArn, VIEW_ACCESS_POLICY, tags);
        }
        for (const roleArn of settings.adminViewRoleArns) {
            this.policyAccess(`${name}-reader-${roleNameOf(roleArn)}`, roleArn, ADMIN_VIEW_ACCESS_POLICY, tags);
        }
        for (const cidr of settings.privateApiCidrs) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-api-from-${cidr.replace(/[./]/g, "-")}`,
                {
                    securityGroupId: this.cluster.vpcConfig.clusterSecurityGroupId,
                    description: "Kubernetes API from CI runners (ci.runners.cidrs)",
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    tags,
                },
                { parent: this },
            );
        }
        return access;
    }

    /** An access entry for the role and the cluster-wide association of one EKS access policy. */
    private policyAccess(
        entryName: string,
        roleArn: string,
        policyArn: string,
        tags: Record<string, string>,
    ): [aws.eks.AccessEntry, aws.eks.AccessPolicyAssociation] {
        const entry = new aws.eks.AccessEntry(
            entryName,
            { clusterName: this.cluster.name, principalArn: roleArn, type: "STANDARD", tags },
            { parent: this },
        );
        const association = new aws.eks.AccessPolicyAssociation(
            entryName,
            {
                clusterName: this.cluster.name,
                principalArn: entry.principalArn,
                policyArn,
                accessScope: { type: "cluster" },
            },
            { parent: this },
        );
        return [entry, association];
    }

    /** Workload identity: the IRSA OIDC provider when the cluster uses IRSA; Pod Identity needs none. */
    private identity({ name, clusterName, settings, tags, accountId }: EksStep): EksWorkloadIdentity {
        const oidcProvider =
            settings.workloadIdentity === "irsa"
                ? new aws.iam.OpenIdConnectProvider(
                      `${name}-oidc`,
                      {
                          url: this.cluster.identities.apply((ids) => ids[0].oidcs[0].issuer),
                          clientIdLists: ["sts.amazonaws.com"],
                          tags,
                      },
                      { parent: this },
                  )
                : undefined;
        return new EksWorkloadIdentity({
            mode: settings.workloadIdentity,
            clusterName,
            createdClusterName: this.cluster.name,
            accountId,
            oidcProvider,
            tags,
        });
    }

    /** Networking add-ons go in before the nodes, so nodes become Ready as they join. */
    private networkingAddons(step: EksStep): NetworkingAddons {
        const { name, settings } = step;
        const podIdentityAgent =
            settings.workloadIdentity === "podIdentity"
                ? this.addon(step, "pod-identity-agent", "eks-pod-identity-agent", settings.addons.podIdentityAgent!)
                : undefined;
        const cniRef = { namespace: "kube-system", serviceAccount: "aws-node" };
        const cniRole = this.workloadIdentity.role(`${name}-vpc-cni`, cniRef, this);
        const cniAttachments = this.attachManaged(`${name}-vpc-cni`, cniRole, MANAGED_POLICIES.vpcCni);
        // After the pod identity agent: it serves the credentials the association grants, so aws-node
        // (and the EBS CSI controller) never start without them.
        const afterAgent = podIdentityAgent ? [podIdentityAgent] : [];
        const vpcCni = this.addon(
            step,
            "vpc-cni",
            "vpc-cni",
            settings.addons.vpcCni,
            {
                ...addonCredentials(settings.workloadIdentity, cniRole, cniRef.serviceAccount),
                configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
            },
            [...cniAttachments, ...afterAgent],
        );
        const kubeProxy = this.addon(step, "kube-proxy", "kube-proxy", settings.addons.kubeProxy);
        return { vpcCni, kubeProxy, afterAgent };
    }

    /** The node role and the managed node groups, each with its launch template. */
    private nodeGroups(
        { name, clusterName, settings, tags }: EksStep,
        networking: NetworkingAddons,
    ): aws.eks.NodeGroup[] {
        const nodeRole = this.serviceRole(
            `${name}-node`,
            `Nodes of EKS cluster ${clusterName}`,
            "ec2.amazonaws.com",
            tags,
        );
        const nodeAttachments = this.attachManaged(`${name}-node`, nodeRole, MANAGED_POLICIES.node);

        return Object.entries(settings.nodeGroups).map(([group, spec]) => {
            const groupName = `${name}-${group}`;
            const template = new aws.ec2.LaunchTemplate(
                groupName,
                {
                    description: `Nodes of ${clusterName}/${group}`,
                    // IMDSv2 only, one hop: pods can't reach the node role's credentials; they get their own roles.
                    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                    blockDeviceMappings: [
                        {
                            deviceName: "/dev/xvda",
                            ebs: {
                                volumeSize: spec.diskSizeGiB ?? DEFAULTS.diskSizeGiB,
                                volumeType: "gp3",
                                encrypted: "true",
                                deleteOnTermination: "true",
                            },
                        },
                    ],
                    tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                        resourceType,
                        tags: { ...tags, Name: groupName },
                    })),
                    updateDefaultVersion: true,
                    tags,
                },
                { parent: this },
            );
            return new aws.eks.NodeGroup(
                groupName,
                {
                    clusterName: this.cluster.name,
                    nodeRoleArn: nodeRole.arn,
                    subnetIds: this.network.privateSubnetIds,
                    instanceTypes: [...spec.instanceTypes],
                    capacityType: spec.capacityType ?? DEFAULTS.capacityType,
                    amiType: amiTypeFor(spec.instanceTypes),
                    scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
                    labels: spec.labels ?? {},
                    launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
                    updateConfig: { maxUnavailable: 1 },
                    tags,
                },
                {
                    parent: this,
                    dependsOn: [...nodeAttachments, networking.vpcCni, networking.kubeProxy, ...networking.afterAgent],
                },
            );
        });
    }

    /**
     * The add-ons that run on nodes (CoreDNS, metrics-server, the EBS CSI driver). Returns every add-on,
     * the networking ones included, in the order the cluster's `ready` lists them.
     */
    private nodeAddons(step: EksStep, networking: NetworkingAddons, nodeGroups: aws.eks.NodeGroup[]): aws.eks.Addon[] {
        const { name, settings } = step;
        // CoreDNS needs nodes to schedule on; created earlier it stays DEGRADED and the create times out.
        const coreDns = this.addon(step, "coredns", "coredns", settings.addons.coreDns, {}, nodeGroups);
        // Unpinned: EKS's default build for the cluster's version, which belongs to it by construction.
        const defaultVersion = (addonName: string) =>
            aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: this.cluster.version }, { parent: this })
                .version;
        // Argo CD's autoscaling (HA) reads CPU through the metrics API.
        const metricsServer = this.addon(
            step,
            "metrics-server",
            "metrics-server",
            settings.addons.metricsServer ?? defaultVersion("metrics-server"),
            {},
            nodeGroups,
        );
        // Volumes (the apps' PersistentVolumeClaims) need the EBS CSI driver and a default StorageClass.
        const ebsRole = this.workloadIdentity.role(`${name}-ebs-csi`, EBS_CSI_SERVICE_ACCOUNT, this);
        const ebsAttachments = this.attachManaged(`${name}-ebs-csi`, ebsRole, MANAGED_POLICIES.ebsCsiDriver);
        const ebsCsi = this.addon(
            step,
            "ebs-csi-driver",
            "aws-ebs-csi-driver",
            settings.addons.ebsCsiDriver ?? defaultVersion("aws-ebs-csi-driver"),
            {
                ...addonCredentials(settings.workloadIdentity, ebsRole, EBS_CSI_SERVICE_ACCOUNT.serviceAccount),
                configurationValues: JSON.stringify(EBS_CSI_CONFIGURATION),
            },
            [...nodeGroups, ...ebsAttachments, ...networking.afterAgent],
        );
        return [networking.vpcCni, networking.kubeProxy, coreDns, metricsServer, ebsCsi, ...networking.afterAgent];
    }

    /** One managed add-on, named `<component>-<role>`; it overwrites conflicting fields on create and update. */
    private addon(
        { name, tags }: EksStep,
        role: string,
        addonName: string,
        version: pulumi.Input<string>,
        extra: Partial<aws.eks.AddonArgs> = {},
        dependsOn: pulumi.Resource[] = [],
    ): aws.eks.Addon {
        return new aws.eks.Addon(
            `${name}-${role}`,
            {
                clusterName: this.cluster.name,
                addonName,
                addonVersion: version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags,
                ...extra,
            },
            { parent: this, dependsOn },
        );
    }

    /** A role an AWS service (EKS, EC2) assumes for this cluster. */
    private serviceRole(
        resourceName: string,
        description: string,
        service: string,
        tags: Record<string, string>,
    ): aws.iam.Role {
        return new aws.iam.Role(
            resourceName,
            { description, assumeRolePolicy: json(serviceTrustPolicy(service)), tags },
            { parent: this },
        );
    }

    /** A rotating KMS key with the component's deletion window. */
    private kmsKey(
        resourceName: string,
        description: string,
        extra: Partial<aws.kms.KeyArgs>,
        tags: Record<string, string>,
        opts: pulumi.CustomResourceOptions,
    ): aws.kms.Key {
        return new aws.kms.Key(
            resourceName,
            {
                description,
                enableKeyRotation: true,
                deletionWindowInDays: DEFAULTS.kmsDeletionWindowDays,
                ...extra,
                tags,
            },
            opts,
        );
    }

    private attachManaged(
        prefix: string,
        role: aws.iam.Role,
        policyArns: readonly string[],
    ): aws.iam.RolePolicyAttachment[] {
        return policyArns.map(
            (policyArn) =>
                new aws.iam.RolePolicyAttachment(
                    `${prefix}-${policyArn.slice(policyArn.lastIndexOf("/") + 1)}`,
                    {
                        role: role.name,
                        policyArn,
                    },
                    { parent: this },
                ),
        );
    }
}

/** How an add-on's service account gets its role: a Pod Identity association, or IRSA's role ARN. */
function addonCredentials(
    mode: "podIdentity" | "irsa",
    role: aws.iam.Role,
    serviceAccount: string,
): Partial<aws.eks.AddonArgs> {
    return mode === "podIdentity"
        ? { podIdentityAssociations: [{ roleArn: role.arn, serviceAccount }] }
        : { serviceAccountRoleArn: role.arn };
}

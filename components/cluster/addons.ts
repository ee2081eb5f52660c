/** EKS managed add-ons: the networking ones nodes wait for, and those that run on nodes. */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { EksStep } from "./eksArgs";
import { MANAGED_POLICIES } from "./iam";
import { EksWorkloadIdentity } from "./identity";
import { attachManaged } from "./roles";

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

/** The add-ons nodes wait for: they give a joining node its network. */
export interface NetworkingAddons {
    readonly vpcCni: aws.eks.Addon;
    readonly kubeProxy: aws.eks.Addon;
    /** The pod identity agent, when the cluster uses Pod Identity: what credentialed add-ons wait for. */
    readonly afterAgent: aws.eks.Addon[];
}

/** What the add-on steps need of the cluster built so far. */
export interface AddonTarget {
    readonly cluster: aws.eks.Cluster;
    readonly identity: EksWorkloadIdentity;
}

/** Networking add-ons go in before the nodes, so nodes become Ready as they join. */
export function networkingAddons(step: EksStep, target: AddonTarget): NetworkingAddons {
    const { name, settings, parent } = step;
    const podIdentityAgent =
        settings.workloadIdentity === "podIdentity"
            ? addon(step, target, "pod-identity-agent", "eks-pod-identity-agent", settings.addons.podIdentityAgent!)
            : undefined;
    const cniRef = { namespace: "kube-system", serviceAccount: "aws-node" };
    const cniRole = target.identity.role(`${name}-vpc-cni`, cniRef, parent);
    const cniAttachments = attachManaged(`${name}-vpc-cni`, cniRole, MANAGED_POLICIES.vpcCni, parent);
    // After the pod identity agent: it serves the credentials the association grants, so aws-node
    // (and the EBS CSI controller) never start without them.
    const afterAgent = podIdentityAgent ? [podIdentityAgent] : [];
    const vpcCni = addon(
        step,
        target,
        "vpc-cni",
        "vpc-cni",
        settings.addons.vpcCni,
        {
            ...addonCredentials(settings.workloadIdentity, cniRole, cniRef.serviceAccount),
            configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
        },
        [...cniAttachments, ...afterAgent],
    );
    const kubeProxy = addon(step, target, "kube-proxy", "kube-proxy", settings.addons.kubeProxy);
    return { vpcCni, kubeProxy, afterAgent };
}

/**
 * The add-ons that run on nodes (CoreDNS, metrics-server, the EBS CSI driver). Returns every add-on,
 * the networking ones included, in the order the cluster's `ready` lists them.
 */
export function nodeAddons(
    step: EksStep,
    target: AddonTarget,
    networking: NetworkingAddons,
    nodeGroups: aws.eks.NodeGroup[],
): aws.eks.Addon[] {
    const { name, settings, parent } = step;
    const { cluster } = target;
    // CoreDNS needs nodes to schedule on; created earlier it stays DEGRADED and the create times out.
    const coreDns = addon(step, target, "coredns", "coredns", settings.addons.coreDns, {}, nodeGroups);
    // Unpinned: EKS's default build for the cluster's version, which belongs to it by construction.
    const defaultVersion = (addonName: string) =>
        aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version }, { parent }).version;
    // Argo CD's autoscaling (HA) reads CPU through the metrics API.
    const metricsServer = addon(
        step,
        target,
        "metrics-server",
        "metrics-server",
        settings.addons.metricsServer ?? defaultVersion("metrics-server"),
        {},
        nodeGroups,
    );
    // Volumes (the apps' PersistentVolumeClaims) need the EBS CSI driver and a default StorageClass.
    const ebsRole = target.identity.role(`${name}-ebs-csi`, EBS_CSI_SERVICE_ACCOUNT, parent);
    const ebsAttachments = attachManaged(`${name}-ebs-csi`, ebsRole, MANAGED_POLICIES.ebsCsiDriver, parent);
    const ebsCsi = addon(
        step,
        target,
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
function addon(
    { name, tags, parent }: EksStep,
    { cluster }: AddonTarget,
    role: string,
    addonName: string,
    version: pulumi.Input<string>,
    extra: Partial<aws.eks.AddonArgs> = {},
    dependsOn: pulumi.Resource[] = [],
): aws.eks.Addon {
    return new aws.eks.Addon(
        `${name}-${role}`,
        {
            clusterName: cluster.name,
            addonName,
            addonVersion: version,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags,
            ...extra,
        },
        { parent, dependsOn },
    );
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

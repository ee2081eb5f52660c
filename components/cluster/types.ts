import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** What a workload needs to act in AWS as its own IAM role. */
export interface WorkloadIdentityGrant {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** IAM policy document (JSON) the role gets inline. */
    readonly policyDocument: pulumi.Input<string>;
}

export interface WorkloadRole {
    readonly roleArn: pulumi.Output<string>;
    /** Annotations the service account needs (IRSA's role-arn annotation; none for Pod Identity). */
    readonly serviceAccountAnnotations: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Resources that must exist before the workload starts (role, policy, association). */
    readonly ready: pulumi.Resource[];
}

/** Grants a Kubernetes service account an IAM role, through EKS Pod Identity or IRSA, whichever the cluster uses. */
export interface WorkloadIdentity {
    grant(name: string, grant: WorkloadIdentityGrant, opts: { parent: pulumi.Resource }): WorkloadRole;
}

/** The one interface the rest of the program uses, whether the cluster is EKS or an existing one. */
export interface ClusterHandle {
    readonly kind: "eks" | "existing";
    readonly clusterName: pulumi.Output<string>;
    /** API server URL; undefined for an existing cluster, whose kubeconfig holds it. */
    readonly endpoint?: pulumi.Output<string>;
    /**
     * Kubeconfig (a secret) authenticating with `aws eks get-token`; undefined for an existing cluster, whose file the
     * user has.
     */
    readonly kubeconfig?: pulumi.Output<string>;
    /** Every Kubernetes object of the platform is declared through this provider. */
    readonly provider: k8s.Provider;
    /** Resources that must exist before workloads can be scheduled (node groups, core add-ons). */
    readonly ready: pulumi.Resource[];
    /** Per-workload AWS permissions; undefined where the cluster has no AWS account (existing clusters). */
    readonly workloadIdentity?: WorkloadIdentity;
    /** AWS region and account of an EKS cluster. */
    readonly aws?: { readonly region: string; readonly accountId: pulumi.Output<string> };
}

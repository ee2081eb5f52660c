/**
 * IAM for a hub reaching EKS spokes, keyless, as argoproj/argo-cd v3.4.7
 * docs/operator-manual/declarative-setup.md ("EKS") lays it out: one management role on the hub,
 * given by EKS Pod Identity to the three Argo CD service accounts that talk to clusters; one role per
 * spoke, with no permission policy, that only the management role may assume; an access entry for
 * that role on its own spoke only. gitops-bridge does the same
 * (gitops-bridge-dev/gitops-bridge argocd/iac/terraform/examples/eks/multi-cluster/hub-spoke/spokes/main.tf).
 */
import { PolicyDocument, podIdentityTrustPolicy } from "../cluster/iam";

/**
 * Service accounts of the argo-cd chart that reach spokes (argoproj/argo-helm charts/argo-cd/values.yaml
 * at argo-cd-10.1.1: controller and applicationSet serviceAccount.name). Argo CD's docs give argocd-server
 * the management role too, but every cluster Secret names one role per spoke, cluster-admin there, so
 * the user-facing server would hold that power: it gets none (issue 25). The controllers still sync and
 * report status and health; the UI's live manifests, logs and resource actions on spokes are unavailable
 * (policy fleet-server-no-spoke-role).
 */
export const ARGOCD_CLUSTER_SERVICE_ACCOUNTS = [
    "argocd-application-controller",
    "argocd-applicationset-controller",
] as const;

/**
 * The EKS access policy of a spoke role: the one Argo CD's docs associate, cluster scope. Argo CD
 * applies add-ons with CRDs and cluster roles, which no narrower managed policy allows; the scope
 * of the grant is one principal on one cluster.
 */
export const SPOKE_ACCESS_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** The hub's EKS cluster and its account: the only place the management role may be used from. */
export interface HubCluster {
    readonly clusterName: string;
    readonly accountId: string;
}

/**
 * The management role trusts EKS Pod Identity for the listed service accounts of the engine's
 * namespace on the hub's own cluster, in the hub's account: the same trust as every workload role of
 * the cluster (../cluster/iam.ts podIdentityTrustPolicy), one statement per service account.
 */
export function managementTrustPolicy(
    hub: HubCluster,
    namespace: string,
    serviceAccounts: readonly string[] = ARGOCD_CLUSTER_SERVICE_ACCOUNTS,
): string {
    const document: PolicyDocument = {
        Version: "2012-10-17",
        Statement: serviceAccounts.flatMap(
            (serviceAccount) => podIdentityTrustPolicy({ ...hub, namespace, serviceAccount }).Statement,
        ),
    };
    return JSON.stringify(document);
}

/** The management role may assume exactly the listed spoke roles, nothing else. */
export function managementPolicy(spokeRoleArns: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Resource: [...spokeRoleArns].sort(),
            },
        ],
    });
}

/** A spoke role trusts the hub's management role only (TagSession: the caller came through Pod Identity). */
export function spokeTrustPolicy(managementRoleArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: managementRoleArn },
                Action: ["sts:AssumeRole", "sts:TagSession"],
            },
        ],
    });
}

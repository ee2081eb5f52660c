/**
 * A spoke's metadata: the in-cluster contract of components/gitops/metadata.ts (the same keys, so an
 * ApplicationSet reads `{{.metadata.annotations.gitops_repo_path}}` alike on hub and spokes) plus what
 * placement selects on: `cloud`, the `enable_<addon>` labels of the add-on catalog and the spoke's own
 * labels. `aws_cluster_name` is gitops-bridge's annotation for the EKS name
 * (gitops-bridge-dev/gitops-bridge argocd/iac/terraform/examples/eks/multi-cluster/hub-spoke/spokes/main.tf).
 */
import * as pulumi from "@pulumi/pulumi";
import { metadataLabels, platformMetadata } from "../gitops/metadata";
import { clusterPath } from "../repository/layout";
import { ADDON_NAMES, addonLabel } from "./addons";

export interface SpokeMetadataInput {
    /** The spoke's stable name: Argo CD's cluster name and its folder clusters/<name>/. */
    readonly name: string;
    readonly environment: string;
    /** `aws` for an EKS spoke; what the user says for an existing one. */
    readonly cloud: string;
    /** EKS region, account and cluster name; absent for an existing cluster. */
    readonly aws?: {
        readonly region: string;
        readonly accountId: pulumi.Input<string>;
        readonly clusterName: pulumi.Input<string>;
    };
    /** Catalog add-ons this spoke enables; others are labelled "false". */
    readonly addons: readonly string[];
    /** The user's labels; they may not take a key the contract sets. */
    readonly labels: Readonly<Record<string, string>>;
    readonly gitops: { readonly url: pulumi.Input<string>; readonly revision: string };
}

export interface SpokeMetadata {
    readonly labels: Record<string, pulumi.Input<string>>;
    readonly annotations: Record<string, pulumi.Input<string>>;
}

/** Label keys the contract sets on every spoke; user labels cannot override them. */
export function reservedLabelKeys(): string[] {
    return ["environment", "cluster_name", "aws_region", "cloud", ...ADDON_NAMES.map(addonLabel)];
}

export function spokeMetadata(input: SpokeMetadataInput): SpokeMetadata {
    const clash = Object.keys(input.labels).filter((key) => reservedLabelKeys().includes(key));
    if (clash.length > 0) {
        throw new Error(
            `spoke "${input.name}": labels ${clash.join(", ")} are set by the platform; remove them (use addons.<name> for enable_ labels)`,
        );
    }
    const unknown = input.addons.filter((addon) => !(ADDON_NAMES as readonly string[]).includes(addon));
    if (unknown.length > 0) {
        throw new Error(
            `spoke "${input.name}": no add-on ${unknown.join(", ")} in the catalog (${ADDON_NAMES.join(", ")})`,
        );
    }
    const annotations = {
        ...platformMetadata({
            environment: input.environment,
            clusterName: input.name,
            aws: input.aws ? { region: input.aws.region, accountId: input.aws.accountId } : undefined,
            addonRoleArns: {},
            gitops: { url: input.gitops.url, path: clusterPath(input.name), revision: input.gitops.revision },
        }),
        ...(input.aws ? { aws_cluster_name: input.aws.clusterName } : {}),
    };
    const addonLabels = Object.fromEntries(
        ADDON_NAMES.map((addon) => [addonLabel(addon), String(input.addons.includes(addon))]),
    );
    return {
        labels: { ...input.labels, ...metadataLabels(annotations), cloud: input.cloud, ...addonLabels },
        annotations,
    };
}

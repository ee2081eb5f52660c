/**
 * Platform metadata handed to the GitOps engine: one typed contract, the "GitOps bridge". Argo CD
 * gets it as labels and annotations of the in-cluster cluster Secret (ApplicationSet cluster
 * generators read them as `{{metadata.annotations.aws_region}}`); Flux gets the same keys as a
 * ConfigMap its sync substitutes with post-build variables (`${aws_region}`). Keys are snake_case
 * because Flux variable names must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
 */
import * as pulumi from "@pulumi/pulumi";

export interface PlatformMetadataInput {
    readonly environment: string;
    readonly clusterName: pulumi.Input<string>;
    /** AWS region and account of an EKS cluster; absent for an existing cluster. */
    readonly aws?: { readonly region: string; readonly accountId: pulumi.Input<string> };
    /** IAM role ARNs of add-ons, keyed by add-on name in snake_case (external_secrets → external_secrets_iam_role_arn). */
    readonly addonRoleArns: Readonly<Record<string, pulumi.Input<string>>>;
    readonly gitops: { readonly url: pulumi.Input<string>; readonly path: string; readonly revision: string };
}

/** Every key the contract can carry, except the per-add-on `<addon>_iam_role_arn` keys. */
export const METADATA_KEYS = [
    "environment",
    "cluster_name",
    "aws_region",
    "aws_account_id",
    "gitops_repo_url",
    "gitops_repo_path",
    "gitops_repo_revision",
] as const;

/** Keys short and plain enough to be label values too (label values: 63 characters, no '/' or ':'). */
export const LABEL_KEYS = ["environment", "cluster_name", "aws_region"] as const;

const ADDON_NAME = /^[a-z][a-z0-9_]*$/;

export function addonRoleKey(addon: string): string {
    if (!ADDON_NAME.test(addon)) {
        throw new Error(
            `add-on name "${addon}" must be snake_case (a-z, 0-9, _), so that ${addon}_iam_role_arn is a valid Flux variable name`,
        );
    }
    return `${addon}_iam_role_arn`;
}

/** The metadata as flat string key → value pairs; keys of absent values are left out, never empty. */
export function platformMetadata(input: PlatformMetadataInput): Record<string, pulumi.Input<string>> {
    const roles = Object.fromEntries(
        Object.entries(input.addonRoleArns).map(([addon, arn]) => [addonRoleKey(addon), arn]),
    );
    return {
        environment: input.environment,
        cluster_name: input.clusterName,
        ...(input.aws ? { aws_region: input.aws.region, aws_account_id: input.aws.accountId } : {}),
        gitops_repo_url: input.gitops.url,
        gitops_repo_path: input.gitops.path,
        gitops_repo_revision: input.gitops.revision,
        ...roles,
    };
}

/** The subset of the metadata that fits in labels (for label selectors in ApplicationSets). */
export function metadataLabels(metadata: Record<string, pulumi.Input<string>>): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(LABEL_KEYS.filter((key) => key in metadata).map((key) => [key, metadata[key]]));
}

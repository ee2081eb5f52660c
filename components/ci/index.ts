/**
 * The AWS side of CI, in the stack's own account: GitHub's OIDC provider, a preview role (read-only,
 * no secret reads) and a deploy role, each trusted only by the GitHub environments named in Args.
 */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    deployPolicy,
    environmentSubject,
    GITHUB_OIDC_ISSUER,
    githubTrustPolicy,
    GithubRepositoryRef,
    previewDenyPolicy,
    READ_ONLY_ACCESS,
    STS_AUDIENCE,
} from "./policies";

export interface CiRolesArgs {
    /** The repository whose workflows assume the roles. */
    readonly repository: GithubRepositoryRef;
    /** GitHub environments of the jobs that preview, check drift or read outputs. */
    readonly previewEnvironments: readonly string[];
    /** GitHub environments of the jobs that run `pulumi up` in this account. */
    readonly deployEnvironments: readonly string[];
    /** IAM role names; the defaults are the ones the README's access entries name. */
    readonly previewRoleName?: string;
    readonly deployRoleName?: string;
    readonly tags?: Record<string, string>;
    /** Pulumi `protect` on the provider and the roles: deleting them locks CI out of the account. */
    readonly protect?: boolean;
}

export const CI_DEFAULTS = {
    previewRoleName: "github-actions-preview",
    deployRoleName: "github-actions-deploy",
} as const;

const json = (document: unknown) => JSON.stringify(document);

export class CiRoles extends pulumi.ComponentResource {
    readonly providerArn: pulumi.Output<string>;
    readonly previewRoleArn: pulumi.Output<string>;
    readonly deployRoleArn: pulumi.Output<string>;

    constructor(name: string, args: CiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:ci:CiRoles", name, {}, opts);
        const { tags } = args;
        const kept = { parent: this, protect: args.protect ?? false };
        // No thumbprintLists: for GitHub's issuer IAM validates with its own trusted root CAs and ignores
        // thumbprints (IAM API Reference, UpdateOpenIDConnectProviderThumbprint, note; aws provider 7.48.0,
        // iam/openIdConnectProvider.d.ts, thumbprintLists optional).
        const provider = new aws.iam.OpenIdConnectProvider(
            `${name}-github`,
            { url: `https://${GITHUB_OIDC_ISSUER}`, clientIdLists: [STS_AUDIENCE], tags },
            kept,
        );
        const role = (suffix: string, roleName: string, environments: readonly string[]) =>
            new aws.iam.Role(
                `${name}-${suffix}`,
                {
                    name: roleName,
                    description: `GitHub Actions (${args.repository.owner}/${args.repository.name}, environments ${environments.join(", ")})`,
                    assumeRolePolicy: provider.arn.apply((arn) =>
                        json(
                            githubTrustPolicy(
                                arn,
                                environments.map((e) => environmentSubject(args.repository, e)),
                            ),
                        ),
                    ),
                    tags,
                },
                kept,
            );

        const preview = role("preview", args.previewRoleName ?? CI_DEFAULTS.previewRoleName, args.previewEnvironments);
        new aws.iam.RolePolicyAttachment(
            `${name}-preview-read-only`,
            { role: preview.name, policyArn: READ_ONLY_ACCESS },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-preview-no-secret-reads`,
            { role: preview.name, policy: json(previewDenyPolicy()) },
            { parent: this },
        );

        const deploy = role("deploy", args.deployRoleName ?? CI_DEFAULTS.deployRoleName, args.deployEnvironments);
        new aws.iam.RolePolicy(
            `${name}-deploy-permissions`,
            { role: deploy.name, policy: json(deployPolicy()) },
            { parent: this },
        );

        this.providerArn = provider.arn;
        this.previewRoleArn = preview.arn;
        this.deployRoleArn = deploy.arn;
        this.registerOutputs({
            providerArn: this.providerArn,
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
        });
    }
}

/**
 * The AWS side of CI, in the stack's own account: GitHub's OIDC provider, a preview role (reads the
 * configuration of what the program declares, never secrets or data), a deploy role (bounded: see
 * deployPolicy), each trusted only by the GitHub environments named in Args, and the permissions
 * boundary every other role of the stack carries. The first `pulumi up`, by an administrator, creates
 * them; the deploy role cannot change them afterwards (docs/ci-security.md).
 */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    deployPolicy,
    environmentSubject,
    GITHUB_OIDC_ISSUER,
    githubTrustPolicy,
    GithubRepositoryRef,
    jobWorkflowRef,
    previewPolicy,
    STS_AUDIENCE,
    WORKLOAD_BOUNDARY_NAME,
    WORKLOAD_ROLE_PATH,
    workloadBoundaryPolicy,
} from "./policies";

export interface CiRolesArgs {
    /** The repository whose workflows assume the roles. */
    readonly repository: GithubRepositoryRef;
    /** GitHub environments of the jobs that preview, check drift or read outputs. */
    readonly previewEnvironments: readonly string[];
    /** GitHub environments of the jobs that run `pulumi up` in this account. */
    readonly deployEnvironments: readonly string[];
    /** Workflow files (e.g. .github/workflows/production.yml) whose jobs on the deploy branch may assume the deploy role. Required. */
    readonly deployWorkflows: readonly string[];
    /** Secrets Manager name prefixes of the stack's secrets: the only secrets the deploy role and workload roles reach. Default none. */
    readonly secretPrefixes?: readonly string[];
    /** IAM role names; the defaults are the ones the README's access entries name. */
    readonly previewRoleName?: string;
    readonly deployRoleName?: string;
    readonly tags?: Record<string, string>;
    /** Pulumi `protect` on the provider, the roles and the boundary: deleting them locks CI out of the account. */
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
    /** The boundary every workload role must carry (the deploy role may create no role without it). */
    readonly workloadBoundaryArn: pulumi.Output<string>;

    constructor(name: string, args: CiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:ci:CiRoles", name, {}, opts);
        const { tags } = args;
        const kept = { parent: this, protect: args.protect ?? false };
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const secretPrefixes = args.secretPrefixes ?? [];
        const previewRoleName = args.previewRoleName ?? CI_DEFAULTS.previewRoleName;
        const deployRoleName = args.deployRoleName ?? CI_DEFAULTS.deployRoleName;
        // No thumbprintLists: for GitHub's issuer IAM validates with its own trusted root CAs and ignores
        // thumbprints (IAM API Reference, UpdateOpenIDConnectProviderThumbprint, note; aws provider 7.48.0,
        // iam/openIdConnectProvider.d.ts, thumbprintLists optional).
        const provider = new aws.iam.OpenIdConnectProvider(
            `${name}-github`,
            { url: `https://${GITHUB_OIDC_ISSUER}`, clientIdLists: [STS_AUDIENCE], tags },
            kept,
        );
        const role = (suffix: string, roleName: string, environments: readonly string[], workflows: string[] = []) =>
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
                                workflows,
                            ),
                        ),
                    ),
                    tags,
                },
                kept,
            );

        const preview = role("preview", previewRoleName, args.previewEnvironments);
        new aws.iam.RolePolicy(
            `${name}-preview-permissions`,
            { role: preview.name, policy: json(previewPolicy()) },
            { parent: this },
        );

        const boundary = new aws.iam.Policy(
            `${name}-workload-boundary`,
            {
                name: WORKLOAD_BOUNDARY_NAME,
                path: WORKLOAD_ROLE_PATH,
                description: "Permissions boundary of every role the gitops-platform program creates",
                policy: accountId.apply((account) =>
                    json(workloadBoundaryPolicy({ accountId: account, secretPrefixes })),
                ),
                tags,
            },
            kept,
        );

        const deploy = role(
            "deploy",
            deployRoleName,
            args.deployEnvironments,
            args.deployWorkflows.map((w) => jobWorkflowRef(args.repository, w)),
        );
        new aws.iam.RolePolicy(
            `${name}-deploy-permissions`,
            {
                role: deploy.name,
                policy: accountId.apply((account) =>
                    json(
                        deployPolicy({
                            accountId: account,
                            ciRoleNames: [previewRoleName, deployRoleName],
                            secretPrefixes,
                        }),
                    ),
                ),
            },
            { parent: this },
        );

        this.providerArn = provider.arn;
        this.previewRoleArn = preview.arn;
        this.deployRoleArn = deploy.arn;
        this.workloadBoundaryArn = boundary.arn;
        this.registerOutputs({
            providerArn: this.providerArn,
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            workloadBoundaryArn: this.workloadBoundaryArn,
        });
    }
}

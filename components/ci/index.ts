/**
 * The AWS side of CI, in the stack's own account: GitHub's OIDC provider (or an existing one, adopted
 * by ARN), a preview role (read-only, no secret reads), a drift role (read-only plus the stack's
 * secret values, for `preview --refresh`) and a deploy role, each trusted only by the GitHub
 * environments named in Args; with an S3 state backend, each role's rights on it (./state.ts).
 */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    deployPolicy,
    driftSecretReadPolicy,
    environmentSubject,
    GITHUB_OIDC_ISSUER,
    githubTrustPolicy,
    GithubRepositoryRef,
    previewDenyPolicy,
    READ_ONLY_ACCESS,
    STS_AUDIENCE,
} from "./policies";
import { StateAccess, StateBackend, stateBackendPolicy } from "./state";

export interface CiRolesArgs {
    /** The repository whose workflows assume the roles. */
    readonly repository: GithubRepositoryRef;
    /** GitHub environments of the jobs that preview, check drift or read outputs. */
    readonly previewEnvironments: readonly string[];
    /** GitHub environments of the jobs that run `pulumi up` in this account. */
    readonly deployEnvironments: readonly string[];
    /**
     * GitHub environments of the drift check (`preview --refresh`), which reads secret values: they
     * must admit the default branch only, so that no pull request's code reaches the role. Default none.
     */
    readonly driftEnvironments?: readonly string[];
    /** Secrets Manager name prefix of the stack's secrets, whose values the drift role may read. */
    readonly secretNamePrefix?: string;
    /** An existing GitHub OIDC provider of the account (an account has at most one per URL); default: declare it. */
    readonly existingProviderArn?: string;
    /** The S3 state backend the roles use; default none (Pulumi Cloud). */
    readonly stateBackend?: StateBackend;
    /** IAM role names; the defaults are the ones the README's access entries name. */
    readonly previewRoleName?: string;
    readonly deployRoleName?: string;
    readonly driftRoleName?: string;
    readonly tags?: Record<string, string>;
    /** Pulumi `protect` on the provider and the roles: deleting them locks CI out of the account. */
    readonly protect?: boolean;
}

export const CI_DEFAULTS = {
    previewRoleName: "github-actions-preview",
    deployRoleName: "github-actions-deploy",
    driftRoleName: "github-actions-drift",
} as const;

const json = (document: unknown) => JSON.stringify(document);

export class CiRoles extends pulumi.ComponentResource {
    readonly providerArn: pulumi.Output<string>;
    readonly previewRoleArn: pulumi.Output<string>;
    readonly deployRoleArn: pulumi.Output<string>;
    readonly driftRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: CiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:ci:CiRoles", name, {}, opts);
        const { tags } = args;
        const kept = { parent: this, protect: args.protect ?? false };
        // No thumbprintLists: for GitHub's issuer IAM validates with its own trusted root CAs and ignores
        // thumbprints (IAM API Reference, UpdateOpenIDConnectProviderThumbprint, note; aws provider 7.48.0,
        // iam/openIdConnectProvider.d.ts, thumbprintLists optional). IAM refuses a second provider for
        // the same URL (CreateOpenIDConnectProvider: EntityAlreadyExists), so an account that has one
        // names it instead.
        const providerArn =
            args.existingProviderArn === undefined
                ? new aws.iam.OpenIdConnectProvider(
                      `${name}-github`,
                      { url: `https://${GITHUB_OIDC_ISSUER}`, clientIdLists: [STS_AUDIENCE], tags },
                      kept,
                  ).arn
                : pulumi.output(args.existingProviderArn);
        const role = (suffix: string, roleName: string, environments: readonly string[]) =>
            new aws.iam.Role(
                `${name}-${suffix}`,
                {
                    name: roleName,
                    description: `GitHub Actions (${args.repository.owner}/${args.repository.name}, environments ${environments.join(", ")})`,
                    assumeRolePolicy: providerArn.apply((arn) =>
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

        const grant = (role: aws.iam.Role, policyName: string, document: unknown) =>
            new aws.iam.RolePolicy(
                `${name}-${policyName}`,
                { role: role.name, policy: json(document) },
                { parent: this },
            );
        const readOnly = (role: aws.iam.Role, suffix: string) =>
            new aws.iam.RolePolicyAttachment(
                `${name}-${suffix}-read-only`,
                { role: role.name, policyArn: READ_ONLY_ACCESS },
                { parent: this },
            );
        const state = (role: aws.iam.Role, suffix: string, access: StateAccess) =>
            args.stateBackend && grant(role, `${suffix}-state`, stateBackendPolicy(args.stateBackend, access));

        const preview = role("preview", args.previewRoleName ?? CI_DEFAULTS.previewRoleName, args.previewEnvironments);
        readOnly(preview, "preview");
        grant(preview, "preview-no-secret-reads", previewDenyPolicy(args.stateBackend?.secretsKeyArn));
        state(preview, "preview", "read");

        const deploy = role("deploy", args.deployRoleName ?? CI_DEFAULTS.deployRoleName, args.deployEnvironments);
        grant(deploy, "deploy-permissions", deployPolicy());
        state(deploy, "deploy", "write");

        this.providerArn = providerArn;
        this.previewRoleArn = preview.arn;
        this.deployRoleArn = deploy.arn;
        if ((args.driftEnvironments ?? []).length > 0) {
            const drift = role("drift", args.driftRoleName ?? CI_DEFAULTS.driftRoleName, args.driftEnvironments!);
            readOnly(drift, "drift");
            if (args.secretNamePrefix !== undefined) {
                grant(drift, "drift-secret-values", driftSecretReadPolicy(args.secretNamePrefix));
            }
            state(drift, "drift", "read");
            this.driftRoleArn = drift.arn;
        }
        this.registerOutputs({
            providerArn: this.providerArn,
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            driftRoleArn: this.driftRoleArn,
        });
    }
}

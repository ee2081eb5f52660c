/**
 * The AWS side of CI, in the stack's own account: GitHub's OIDC provider (or an existing one, adopted
 * by ARN), a preview role (reads the configuration of what the program declares, never secrets or
 * data), a drift role (the same reads plus the stack's secret values, for `preview --refresh`), a
 * deploy role (bounded: see deployPolicy), each trusted only by the GitHub environments named in
 * Args, the permissions boundary every other role of the stack carries, and, with an S3 state
 * backend, each role's rights on it (./state.ts). The first `pulumi up`, by an administrator, creates
 * them; the deploy role cannot change them afterwards (docs/ci-security.md).
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
    jobWorkflowRef,
    driftReadPolicy,
    previewPolicy,
    STS_AUDIENCE,
    WORKLOAD_BOUNDARY_NAME,
    WORKLOAD_ROLE_PATH,
    workloadBoundaryPolicy,
} from "./policies";
import { StateAccess, StateBackend, stateBackendPolicy } from "./state";

export interface CiRolesArgs {
    /** The repository whose workflows assume the roles. */
    readonly repository: GithubRepositoryRef;
    /** GitHub environments of the jobs that preview, check drift or read outputs. */
    readonly previewEnvironments: readonly string[];
    /** GitHub environments of the jobs that run `pulumi up` in this account. */
    readonly deployEnvironments: readonly string[];
    /** Workflow files (e.g. .github/workflows/production.yml) whose jobs on the deploy branch may assume the deploy role. Required. */
    readonly deployWorkflows: readonly string[];
    /**
     * Secrets Manager name prefixes of the stack's secrets: the only secrets the deploy role and
     * workload roles reach, and the only values the drift role reads. Default none.
     */
    readonly secretPrefixes?: readonly string[];
    /**
     * GitHub environments of the drift check (`preview --refresh`), which reads secret values: they
     * must admit the default branch only, so that no pull request's code reaches the role. Default none.
     */
    readonly driftEnvironments?: readonly string[];
    /** An existing GitHub OIDC provider of the account (an account has at most one per URL); default: declare it. */
    readonly existingProviderArn?: string;
    /** The S3 state backend the roles use; default none (Pulumi Cloud). */
    readonly stateBackend?: StateBackend;
    /** IAM role names; the defaults are the role names docs/ci.md lists (and the stack files' access entries name). */
    readonly previewRoleName?: string;
    readonly deployRoleName?: string;
    readonly driftRoleName?: string;
    readonly tags?: Record<string, string>;
    /** Pulumi `protect` on the provider, the roles and the boundary: deleting them locks CI out of the account. */
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
        const driftRoleName = args.driftRoleName ?? CI_DEFAULTS.driftRoleName;
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
        const role = (suffix: string, roleName: string, environments: readonly string[], workflows: string[] = []) =>
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
                                workflows,
                            ),
                        ),
                    ),
                    tags,
                },
                kept,
            );

        const grant = (role: aws.iam.Role, policyName: string, document: pulumi.Input<string>) =>
            new aws.iam.RolePolicy(`${name}-${policyName}`, { role: role.name, policy: document }, { parent: this });
        const state = (role: aws.iam.Role, suffix: string, access: StateAccess) =>
            args.stateBackend && grant(role, `${suffix}-state`, json(stateBackendPolicy(args.stateBackend, access)));

        const preview = role("preview", previewRoleName, args.previewEnvironments);
        grant(preview, "preview-permissions", json(previewPolicy(args.stateBackend?.secretsKeyArn)));
        state(preview, "preview", "read");

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

        const drifts = (args.driftEnvironments ?? []).length > 0;
        const deploy = role(
            "deploy",
            deployRoleName,
            args.deployEnvironments,
            args.deployWorkflows.map((w) => jobWorkflowRef(args.repository, w)),
        );
        grant(
            deploy,
            "deploy-permissions",
            accountId.apply((account) =>
                json(
                    deployPolicy({
                        accountId: account,
                        ciRoleNames: [previewRoleName, deployRoleName, ...(drifts ? [driftRoleName] : [])],
                        secretPrefixes,
                    }),
                ),
            ),
        );
        state(deploy, "deploy", "write");

        this.providerArn = providerArn;
        this.previewRoleArn = preview.arn;
        this.deployRoleArn = deploy.arn;
        if (drifts) {
            const drift = role("drift", driftRoleName, args.driftEnvironments!);
            grant(drift, "drift-permissions", json(driftReadPolicy()));
            // The drift role reads the values of the stack's own Secrets Manager secrets.
            if (secretPrefixes.length > 0) {
                grant(drift, "drift-secret-values", json(driftSecretReadPolicy(secretPrefixes)));
            }
            state(drift, "drift", "read");
            this.driftRoleArn = drift.arn;
        }
        this.workloadBoundaryArn = boundary.arn;
        this.registerOutputs({
            providerArn: this.providerArn,
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            driftRoleArn: this.driftRoleArn,
            workloadBoundaryArn: this.workloadBoundaryArn,
        });
    }
}

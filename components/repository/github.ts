/**
 * A repository on GitHub that the engine reads: the repository itself, default-branch protection,
 * vulnerability alerts, a deploy key, deployment environments and (for the GitOps repository) a
 * seeded layout.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { declareAccess } from "./access";
import { branchProtectionArgs, ProtectionSettings, rulesetArgs } from "./protection";
import { releaseTagRulesetArgs } from "./tags";
import { REPOSITORY_DEFAULTS, RepositoryAccess } from "./types";

export interface EnvironmentReviewers {
    /** GitHub user logins. */
    readonly users: readonly string[];
    /** Team slugs in the provider's owner organization. */
    readonly teams: readonly string[];
}

export interface EnvironmentSettings {
    /** Who approves deployments; none when empty. With reviewers, nobody approves their own deployment and admins cannot skip them. */
    readonly reviewers?: EnvironmentReviewers;
    /** The one branch whose workflows may use it; default: the repository's branch. */
    readonly branch?: string;
}

export interface GithubRepositoryArgs {
    /** Repository name on GitHub (under the provider's `github:owner`). Required. */
    readonly repositoryName: string;
    /** Description shown on GitHub; none by default. */
    readonly description?: string;
    /** Default "private". */
    readonly visibility?: "private" | "internal" | "public";
    /** Take over an existing repository instead of creating one; default false. */
    readonly adopt?: boolean;
    /** Branch the engine reads, seeded and protected by classic protection; default "main". */
    readonly branch?: string;
    /** Default-branch protection; none when undefined. */
    readonly protection?: ProtectionSettings;
    /** Let the deploy key push (Flux image automation commits to Git); default false (read-only). */
    readonly deployKeyWritable?: boolean;
    /**
     * Let the writable deploy key push straight to the protected branch (a ruleset `DeployKey` bypass);
     * default false: it pushes to other branches only, and a pull request brings the change in.
     */
    readonly deployKeyBypass?: boolean;
    /** Title of the deploy key on GitHub; default "gitops-platform". */
    readonly deployKeyTitle?: string;
    /**
     * Register a deploy key for the engine; default true. False for a repository nothing in a cluster
     * reads (the deploy repository that runs `pulumi up`): no key is made, none is kept in state.
     */
    readonly deployKey?: boolean;
    /**
     * Secret scanning with push protection; default true. GitHub accepts it on public repositories,
     * and on private or internal ones only with Advanced Security (see `advancedSecurity`): there it
     * is left out, not sent to be refused.
     */
    readonly secretScanning?: boolean;
    /** The organization licenses GitHub Advanced Security for private and internal repositories; default false. */
    readonly advancedSecurity?: boolean;
    /** Deployment environments by name; none by default. */
    readonly environments?: Readonly<Record<string, EnvironmentSettings>>;
    /** Files seeded once into a new repository, path → content; none by default. */
    readonly seedFiles?: Readonly<Record<string, string>>;
    /** Refuse to delete the repository at all, even by replacement (production); default false. */
    readonly protect?: boolean;
    /**
     * Leave the repository (and the seeded files) on GitHub when the stack is destroyed or the
     * repository leaves config: a Git history is never deleted; default true. Pulumi then does not
     * call the provider's delete, so archiveOnDestroy only acts once this is turned off.
     */
    readonly retainOnDelete?: boolean;
}

// Typed apart: an assertion inside the `as const satisfies` literal would be read as unnecessary.
const NO_ENVIRONMENTS: Readonly<Record<string, EnvironmentSettings>> = {};
const NO_FILES: Readonly<Record<string, string>> = {};

export const DEFAULTS = {
    ...REPOSITORY_DEFAULTS,
    visibility: "private",
    adopt: false,
    deployKeyBypass: false,
    deployKey: true,
    secretScanning: true,
    advancedSecurity: false,
    environments: NO_ENVIRONMENTS,
    seedFiles: NO_FILES,
    protect: false,
    retainOnDelete: true,
} as const satisfies Partial<GithubRepositoryArgs>;

/** `apps/overlays/staging/kustomization.yaml` → `apps-overlays-staging-kustomization-yaml`: a stable resource name per path. */
export function fileResourceName(path: string): string {
    return path
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
}

const ENABLED = { status: "enabled" };

export const WORKFLOW_PERMISSIONS = {
    defaultWorkflowPermissions: "read",
    canApprovePullRequestReviews: false,
} as const;

/**
 * What GitHub accepts: secret scanning and push protection on a public repository, or on a private
 * or internal one whose Advanced Security is enabled with them (terraform-provider-github v6.13.0,
 * github/resource_github_repository.go, security_and_analysis.secret_scanning: "the repository's
 * visibility must be 'public', advanced_security[0].status must also be set to 'enabled', or your
 * Organization must have split licensing"). Public repositories take no advanced_security block.
 */
export function securityAndAnalysis(settings: {
    readonly secretScanning: boolean;
    readonly advancedSecurity: boolean;
    readonly visibility: string;
}): github.types.input.RepositorySecurityAndAnalysis | undefined {
    if (!settings.secretScanning) {
        return undefined;
    }
    const scanning = { secretScanning: ENABLED, secretScanningPushProtection: ENABLED };
    if (settings.visibility === "public") {
        return scanning;
    }
    return settings.advancedSecurity ? { advancedSecurity: ENABLED, ...scanning } : undefined;
}

export class GithubRepository extends pulumi.ComponentResource {
    /** How the engine reads the repository; no key when the component registers no deploy key. */
    readonly access: RepositoryAccess;
    readonly repository: github.Repository;
    /** What the engine needs before its first sync: the registered deploy key and the seeded files. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: GithubRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:repository:GithubRepository", name, {}, opts);
        const a = { ...DEFAULTS, ...args };

        this.repository = new github.Repository(
            `${name}-repository`,
            {
                name: a.repositoryName,
                description: a.description,
                visibility: a.visibility,
                // A new repository needs a first commit, so that its default branch exists for the seeded files.
                autoInit: a.adopt ? undefined : true,
                deleteBranchOnMerge: true,
                allowSquashMerge: true,
                allowRebaseMerge: true,
                allowMergeCommit: false,
                archiveOnDestroy: true,
                // Left out when off, so repositories on plans without the feature are not asked to change it.
                securityAndAnalysis: securityAndAnalysis(a),
            },
            {
                parent: this,
                // Adopting: the `import` option takes the repository (ID = its name) into the stack on the
                // next `pulumi up` instead of creating it; settings that differ from the ones above are then
                // updated to match (pulumi/pulumi#19339: earlier CLIs failed such an import instead). Once the
                // repository is in the stack's state the option has no further effect. No autoInit: it exists.
                import: a.adopt ? a.repositoryName : undefined,
                protect: a.protect,
                retainOnDelete: a.retainOnDelete,
            },
        );
        const repositoryName = this.repository.name;

        // The Repository's own `vulnerabilityAlerts` is deprecated in @pulumi/github 6.x in favour of this resource.
        new github.RepositoryVulnerabilityAlerts(
            `${name}-vulnerability-alerts`,
            { repository: repositoryName, enabled: true },
            { parent: this },
        );

        // Workflows get a read-only GITHUB_TOKEN unless they ask for more, and cannot approve pull requests,
        // which would let a workflow satisfy the ruleset's review (terraform-provider-github v6.13.0,
        // github/resource_github_workflow_repository_permissions.go: "read" | "write", can_approve_pull_request_reviews).
        new github.WorkflowRepositoryPermissions(
            `${name}-workflow-permissions`,
            { repository: repositoryName, ...WORKFLOW_PERMISSIONS },
            { parent: this },
        );

        const { access, ready } = declareAccess(name, { host: "github", ...a, repository: this.repository }, this);
        this.access = access;

        // Seeded once: `ignoreChanges: ["content"]` leaves later edits in Git alone, so the files belong
        // to the repository's users. overwriteOnCreate: autoInit's first commit already holds a README.md.
        const files = Object.entries(a.seedFiles).map(
            ([path, content]) =>
                new github.RepositoryFile(
                    `${name}-file-${fileResourceName(path)}`,
                    {
                        repository: repositoryName,
                        branch: a.branch,
                        file: path,
                        content,
                        commitMessage: `Seed ${path} (created once by the platform's Pulumi program; yours to edit)`,
                        overwriteOnCreate: true,
                    },
                    { parent: this, ignoreChanges: ["content"], retainOnDelete: a.retainOnDelete },
                ),
        );

        // The protection waits for the seeded files: seeding pushes straight to the branch, which a
        // protected branch would refuse (no bypass for the identity that runs Pulumi is needed).
        if (a.protection) {
            if (a.deployKeyBypass && !a.deployKeyWritable) {
                throw new pulumi.ResourceError(
                    `${a.repositoryName}: a deploy key bypass needs a writable deploy key (deployKeyWritable)`,
                    this,
                );
            }
            if (a.deployKeyBypass && a.protection.mode === "classic") {
                throw new pulumi.ResourceError(
                    `${a.repositoryName}: the deploy key (Flux image automation) cannot push straight to the branch through classic branch protection, which exempts no deploy key; use protection mode "ruleset", or push image updates for a pull request`,
                    this,
                );
            }
            const protectionOpts = { parent: this, dependsOn: files };
            if (a.protection.mode === "ruleset") {
                new github.RepositoryRuleset(
                    `${name}-ruleset`,
                    rulesetArgs(repositoryName, { ...a.protection, deployKeysBypass: a.deployKeyBypass }),
                    protectionOpts,
                );
                // Tags only in ruleset mode: classic branch protection has no rules for tags.
                new github.RepositoryRuleset(
                    `${name}-release-tags`,
                    releaseTagRulesetArgs(repositoryName, a.protection.releaseAppId),
                    {
                        parent: this,
                    },
                );
            } else {
                new github.BranchProtection(
                    `${name}-branch-protection`,
                    branchProtectionArgs(this.repository.nodeId, a.branch, a.protection),
                    protectionOpts,
                );
            }
        }

        for (const [environment, settings] of Object.entries(a.environments)) {
            this.environment(name, environment, settings, repositoryName, a.branch);
        }

        this.ready = [...ready, ...files];
        this.registerOutputs({ url: this.access.url, publicKey: this.access.publicKey });
    }

    /** A deployment environment that deploys from one branch only (`branch` unless it names its own), with its reviewers. */
    private environment(
        name: string,
        environment: string,
        settings: EnvironmentSettings,
        repository: pulumi.Output<string>,
        branch: string,
    ): void {
        const reviewers = settings.reviewers ?? { users: [], teams: [] };
        const hasReviewers = reviewers.users.length + reviewers.teams.length > 0;
        // Reviewers are given by numeric ID: look teams and users up by slug and login.
        const teams = reviewers.teams.map((slug) =>
            github.getTeamOutput({ slug, summaryOnly: true }, { parent: this }).id.apply(Number),
        );
        const users = reviewers.users.map((username) =>
            github.getUserOutput({ username }, { parent: this }).id.apply(Number),
        );
        const env = new github.RepositoryEnvironment(
            `${name}-env-${environment}`,
            {
                repository,
                environment,
                reviewers: hasReviewers ? [{ teams, users }] : undefined,
                preventSelfReview: hasReviewers,
                canAdminsBypass: !hasReviewers,
                // A custom policy names the branch exactly. GitHub documents "protected branches only" in terms of
                // branch protection rules, "if none are defined, all branches can deploy": a repository protected
                // by a ruleset alone could be left open.
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
            },
            { parent: this },
        );
        new github.RepositoryEnvironmentDeploymentPolicy(
            `${name}-env-${environment}-branch`,
            {
                repository,
                environment: env.environment,
                branchPattern: settings.branch ?? branch,
            },
            { parent: this },
        );
    }
}

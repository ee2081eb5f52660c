/** Config → the stack's Git repositories: managed on GitHub with a github section, else given by URL. */
import { DRIFT_ENVIRONMENT } from "../components/ci/policies";
import { IMAGE_DEFAULTS } from "../components/gitops/flux/images";
import { IMAGE_UPDATES_ENVIRONMENT, imageUpdatesFiles } from "../components/repository/imageUpdates";
import { checksFiles, DEFAULT_KUBERNETES_VERSION } from "../components/repository/checks";
import { ExternalRepository } from "../components/repository/external";
import { GithubRepository } from "../components/repository/github";
import { codeOwnersFile, seedLayout } from "../components/repository/layout";
import { ProtectionSettings } from "../components/repository/protection";
import { SharedGithubRepository } from "../components/repository/sharedGithub";
import { RepositoryHandle } from "../components/repository/types";
import { GithubConfig, PlatformConfig } from "./config";
import { profileOf } from "./profiles";

/** Environments every GitOps repository deploys to, and gets an overlay for. */
export const DEPLOYMENT_ENVIRONMENTS = ["staging", "production"] as const;

/** Branch protection from config; administrators are bound where the environment says, unless config says otherwise. */
export function protectionSettings(
    github: GithubConfig,
    environment: PlatformConfig["environment"],
): ProtectionSettings | undefined {
    const { enabled, enforceAdmins, ...rules } = github.protection;
    return enabled ? { ...rules, enforceAdmins: enforceAdmins ?? profileOf(environment).enforceAdmins } : undefined;
}

/** The checks workflow every repository the stack creates runs: it produces the status checks its ruleset requires. */
export function repositoryChecks(config: PlatformConfig): Record<string, string> {
    return checksFiles({
        branch: config.gitopsRepository.branch,
        kubernetesVersion:
            config.cluster.type === "eks" ? config.cluster.kubernetesVersion : DEFAULT_KUBERNETES_VERSION,
    });
}

/** Image updates pushed for a pull request need the workflow that opens it (and its environment). */
const imagePullRequests = (config: PlatformConfig) =>
    config.engine.imageAutomation && config.engine.imagePush === "pull-request";

/** What a new GitOps repository of this stack is seeded with (also what the live test serves in its cluster). */
export function gitopsSeedFiles(config: PlatformConfig, codeOwners: readonly string[]): Record<string, string> {
    const layout = seedLayout({
        repositoryName: config.gitopsRepository.name,
        stack: config.stack,
        environment: config.environment,
        environments: DEPLOYMENT_ENVIRONMENTS,
        codeOwners,
        namespace: config.engine.namespace,
        spokes: Object.keys(config.fleet?.spokes ?? {}),
    });
    return {
        ...layout,
        ...repositoryChecks(config),
        ...(imagePullRequests(config) ? imageUpdatesFiles(IMAGE_DEFAULTS.branchPrefix) : {}),
    };
}

/**
 * The jobs of .github/workflows/pull-request.yml as the checks they report (matrix jobs by their
 * `name:`): the deploy repository's ruleset requires them all. None of them is skipped by a
 * condition (a skipped job counts as passed): for forks, preview fails. Production is previewed
 * after merge (production.yml), never with a pull request's code.
 */
export const DEPLOY_REPOSITORY_CHECKS = ["test", "preview (staging)", "policy (staging)", "guard (staging)"] as const;

/**
 * The repository of this program, adopted (it exists: it runs this program). Its own pull requests
 * are reviewed as the environment's protection says, with the pull-request workflow's checks; its
 * environments hold the credentials that change staging and production and admit main only.
 */
export function createDeployRepository(
    config: PlatformConfig,
    github: GithubConfig,
    deploy: NonNullable<GithubConfig["deployRepository"]>,
): GithubRepository {
    const protection = protectionSettings(github, config.environment);
    return new GithubRepository(deploy.name, {
        repositoryName: deploy.name,
        description: deploy.description,
        visibility: deploy.visibility,
        adopt: true,
        deployKey: false,
        protection: protection && { ...protection, requiredStatusChecks: [...DEPLOY_REPOSITORY_CHECKS] },
        secretScanning: github.secretScanning,
        advancedSecurity: github.advancedSecurity,
        // The promote workflow's App credentials live in `promotion`, production's read credentials in
        // `production-preview`, the drift roles' in `drift` (they read secret values); `preview` admits
        // every branch (pull requests), which the component's main-only branch policy cannot express:
        // it is created by hand (docs/ci-security.md).
        environments: {
            promotion: {},
            "production-preview": {},
            [DRIFT_ENVIRONMENT]: {},
            staging: { reviewers: deploy.stagingReviewers },
            production: { reviewers: github.productionReviewers },
        },
        // The ruleset asks for code-owner review: the file is the one checked in at the root of this repository.
        seedFiles: protection?.requireCodeOwnerReview ? { CODEOWNERS: codeOwnersFile(github.codeOwners) } : {},
        protect: profileOf(config.environment).protect,
    });
}

export function createRepositories(config: PlatformConfig): RepositoryHandle {
    const gitopsConfig = config.gitopsRepository;
    const github = config.github;
    if (github === undefined) {
        // Validation guarantees the URL without a github section.
        const gitops = new ExternalRepository(gitopsConfig.name, {
            repositoryName: gitopsConfig.name,
            url: gitopsConfig.url!,
            branch: gitopsConfig.branch,
            knownHosts: gitopsConfig.knownHosts,
            anonymous: gitopsConfig.anonymous,
        });
        // Anonymous: nothing to wait for. With a deploy key the user registers it by hand, which nothing here can wait for.
        return { gitops: gitops.access, appRepositories: {}, ready: [] };
    }

    if (github.deployRepository !== undefined) {
        createDeployRepository(config, github, github.deployRepository);
    }

    // One key per stack and repository: the title says which cluster reads with it.
    const deployKeyTitle = `gitops-platform ${config.stack}`;
    // A repository another stack manages: only this stack's deploy key on it (validation guarantees github:owner).
    const sharedRepository = (name: string, settings: { branch?: string; deployKeyWritable?: boolean } = {}) =>
        new SharedGithubRepository(name, {
            ...settings,
            repositoryName: name,
            owner: config.githubOwner!,
            deployKeyTitle,
        });
    const owned = {
        protection: protectionSettings(github, config.environment),
        secretScanning: github.secretScanning,
        advancedSecurity: github.advancedSecurity,
        deployKeyTitle,
        // Retained on destroy in every environment (the component's default); undeletable where the environment protects.
        protect: profileOf(config.environment).protect,
    };
    // Every owned repository checks itself: its workflow produces the status checks its ruleset requires.
    const checks = repositoryChecks(config);
    // Image automation commits updated tags to the GitOps repository: only that key may push.
    const gitopsWritable = config.engine.imageAutomation;
    // It pushes to the protected branch itself only in direct mode; otherwise to image-updates/<branch>.
    const gitopsBypass = gitopsWritable && config.engine.imagePush === "direct";
    const gitopsRepository = () => {
        if (gitopsConfig.managedBy !== undefined) {
            return sharedRepository(gitopsConfig.name, {
                branch: gitopsConfig.branch,
                deployKeyWritable: gitopsWritable,
            });
        }
        return new GithubRepository(gitopsConfig.name, {
            ...owned,
            repositoryName: gitopsConfig.name,
            description: gitopsConfig.description,
            visibility: gitopsConfig.visibility,
            adopt: gitopsConfig.adopt,
            branch: gitopsConfig.branch,
            deployKeyWritable: gitopsWritable,
            deployKeyBypass: gitopsBypass,
            environments: {
                staging: {},
                production: { reviewers: github.productionReviewers },
                // The pull-request workflow's App key, for the automation's branch only.
                ...(imagePullRequests(config)
                    ? {
                          [IMAGE_UPDATES_ENVIRONMENT]: {
                              branch: `${IMAGE_DEFAULTS.branchPrefix}${gitopsConfig.branch}`,
                          },
                      }
                    : {}),
            },
            // An adopted repository has its own content: nothing is seeded over it.
            seedFiles: gitopsConfig.adopt ? {} : gitopsSeedFiles(config, github.codeOwners),
        });
    };
    const appRepository = (name: string, app: GithubConfig["appRepositories"][string]) => {
        if (app.managedBy !== undefined) {
            return sharedRepository(name);
        }
        return new GithubRepository(name, {
            ...owned,
            repositoryName: name,
            description: app.description,
            visibility: app.visibility,
            adopt: app.adopt,
            // The ruleset asks for code-owner review; without CODEOWNERS no review could satisfy it.
            seedFiles: app.adopt ? {} : { ...checks, CODEOWNERS: codeOwnersFile(github.codeOwners) },
        });
    };
    const gitops = gitopsRepository();
    const appRepositories = Object.fromEntries(
        Object.entries(github.appRepositories).map(([name, app]) => [name, appRepository(name, app).access]),
    );
    return { gitops: gitops.access, appRepositories, ready: gitops.ready };
}

/**
 * What the GitHub App installation tokens of the workflows must be granted, per GitHub provider
 * resource type and per provider function the program calls, as data: the delivery-workflow tests
 * compare it with the permission-* inputs of each token step (actions/create-github-app-token
 * v1.12.0: once one permission-* input is set, the token carries only the listed permissions).
 *
 * Permission names are the action's input names without `permission-` (action.yml at
 * d72941d797fd3113feb6b93fd0dec494b13a2547, test/fixtures/github/create-github-app-token-v1.12.0-permissions.txt).
 * Sources: GitHub Docs, "Permissions required for GitHub Apps" (docs.github.com/en/rest/authentication/
 * permissions-required-for-github-apps) and its data file github/docs
 * src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json (commit 058fa63b), which lists
 * each REST endpoint under the permission that grants it; the endpoints are those each resource of
 * integrations/terraform-provider-github (v6, the bridge under @pulumi/github) calls.
 */
export type GithubAccess = "read" | "write";
export type GithubPermissions = Readonly<Record<string, GithubAccess>>;

/** What a resource needs to be read (refresh, drift) and to be written (up, destroy). */
export interface GithubNeed {
    readonly read: GithubPermissions;
    readonly write: GithubPermissions;
    /** The endpoints behind it. */
    readonly source: string;
}

/** Every installation token carries metadata: read (GitHub Docs, "Metadata": mandatory for every App). */
const METADATA = { metadata: "read" } as const;
const ADMIN = { read: { administration: "read" }, write: { administration: "write" } } as const;

export const GITHUB_NEEDS: Readonly<Record<string, GithubNeed>> = {
    "github:index/repository:Repository": {
        read: { ...METADATA, administration: "read" },
        // POST /orgs/{org}/repos, PATCH/DELETE /repos/{owner}/{repo}: "Administration" (write).
        write: { ...METADATA, administration: "write" },
        source: "resource_github_repository.go: POST /orgs/{org}/repos, PATCH and DELETE /repos/{owner}/{repo}",
    },
    "github:index/repositoryFile:RepositoryFile": {
        read: { ...METADATA, contents: "read" },
        write: { ...METADATA, contents: "write" },
        source: "resource_github_repository_file.go: PUT/DELETE /repos/{owner}/{repo}/contents/{path} (Contents)",
    },
    "github:index/repositoryDeployKey:RepositoryDeployKey": {
        ...ADMIN,
        source: "resource_github_repository_deploy_key.go: /repos/{owner}/{repo}/keys (Administration)",
    },
    "github:index/repositoryRuleset:RepositoryRuleset": {
        ...ADMIN,
        source: "resource_github_repository_ruleset.go: /repos/{owner}/{repo}/rulesets (Administration)",
    },
    "github:index/repositoryEnvironment:RepositoryEnvironment": {
        read: { ...METADATA, environments: "read", members: "read" },
        write: { ...METADATA, administration: "write", members: "read" },
        source: "resource_github_repository_environment.go: PUT/DELETE /repos/{owner}/{repo}/environments/{name} (Administration write; GET: Environments read); reviewer teams by slug (Members)",
    },
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": {
        read: { ...METADATA, environments: "read" },
        write: { ...METADATA, administration: "write" },
        source: "resource_github_repository_environment_deployment_policy.go: /repos/{owner}/{repo}/environments/{name}/deployment-branch-policies (Administration write; GET: Environments read)",
    },
    "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts": {
        ...ADMIN,
        source: "PUT/DELETE/GET /repos/{owner}/{repo}/vulnerability-alerts (Administration)",
    },
    "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions": {
        ...ADMIN,
        source: "PUT/GET /repos/{owner}/{repo}/actions/permissions/workflow (Administration)",
    },
    "github:index/branchProtection:BranchProtection": {
        ...ADMIN,
        source: "resource_github_branch_protection.go: GraphQL branchProtectionRule (Administration)",
    },
    "github:index/teamRepository:TeamRepository": {
        read: { ...METADATA, members: "read", administration: "read" },
        write: { ...METADATA, members: "read", administration: "write" },
        source: "PUT/DELETE /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo} (Administration; team lookup: Members)",
    },
    "github:index/repositoryCollaborators:RepositoryCollaborators": {
        read: { ...METADATA, members: "read", administration: "read" },
        write: { ...METADATA, members: "read", administration: "write" },
        source: "/repos/{owner}/{repo}/collaborators and teams (Administration; Members)",
    },
    // Provider functions the program calls (plan/mocks.ts CALLS): run by every command, preview included.
    "github:index/getTeam:getTeam": {
        read: { ...METADATA, members: "read" },
        write: { ...METADATA, members: "read" },
        source: "data_source_github_team.go: GET /orgs/{org}/teams/{team_slug} (Members)",
    },
    "github:index/getUser:getUser": {
        read: { ...METADATA },
        write: { ...METADATA },
        source: "data_source_github_user.go: GET /users/{username} (public: no permission beyond metadata)",
    },
};

/** Files under .github/workflows/: GitHub refuses them to a token without workflows: write. */
const WORKFLOW_FILE = /^\.github\/workflows\//;

/**
 * The permissions one planned resource needs for `access`. A repository file under
 * `.github/workflows/` also needs workflows: write (the action's permission-workflows input:
 * "to update GitHub Actions workflow files"; GitHub refuses the push otherwise: "refusing to allow a
 * GitHub App to create or update workflow ... without `workflows` permission").
 */
export function githubNeedOf(type: string, inputs: Readonly<Record<string, unknown>>, access: GithubAccess) {
    const need = GITHUB_NEEDS[type];
    if (need === undefined) {
        return undefined;
    }
    const file = inputs.file;
    return access === "write" && typeof file === "string" && WORKFLOW_FILE.test(file)
        ? { ...need.write, workflows: "write" as const }
        : need[access];
}

/** The permissions of `granted` that fall short of `needed`: "name: needed (granted)". */
export function missingPermissions(needed: GithubPermissions, granted: GithubPermissions): string[] {
    const rank = (access: GithubAccess | undefined) => (access === "write" ? 2 : access === "read" ? 1 : 0);
    return Object.entries(needed)
        .filter(([name, access]) => rank(granted[name]) < rank(access))
        .map(([name, access]) => `${name}: ${access} (granted ${granted[name] ?? "none"})`);
}

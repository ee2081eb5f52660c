/** The stacks' Git repositories, through the offline plan of each checked-in stack file. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { checksFiles } from "../components/repository/checks";
import { ExternalRepository } from "../components/repository/external";
import { GithubRepository } from "../components/repository/github";
import { GITHUB_KNOWN_HOSTS } from "../components/repository/hosts";
import { codeOwnersFile, seedLayout } from "../components/repository/layout";
import { branchProtectionArgs, GITHUB_ACTIONS_APP_ID } from "../components/repository/protection";
import { mockNumericId } from "../plan/mocks";
import { PlannedResource, SECRET_PLACEHOLDER } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { runPlatform, readPlatformConfig } from "../stacks";
import { DEPLOY_REPOSITORY_CHECKS, DEPLOYMENT_ENVIRONMENTS, createRepositories } from "../stacks/repositories";
import {
    assertProblemAt,
    byName,
    configProblems,
    edited,
    ofType,
    planProgram,
    planStack,
    problemsOfError,
    StackOverrides,
} from "./harness";

const T = {
    repository: "github:index/repository:Repository",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    branchProtection: "github:index/branchProtection:BranchProtection",
    deployKey: "github:index/repositoryDeployKey:RepositoryDeployKey",
    environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    environmentPolicy: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    file: "github:index/repositoryFile:RepositoryFile",
    vulnerabilityAlerts: "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts",
    keyPair: "tls:index/privateKey:PrivateKey",
    workflowPermissions: "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions",
} as const;

/**
 * Staging owns its GitOps repository and the app repositories; production owns its GitOps repository
 * and this program's repository (github.deployRepository).
 */
const REPOSITORIES = ["platform-gitops-staging", "payments-api", "checkout-web"];
const DEPLOY_REPOSITORY = "gitops-platform";
const PRODUCTION_REPOSITORIES = ["platform-gitops-production", DEPLOY_REPOSITORY];

interface RepositoriesPlan extends PlanResult {
    /** `import` option of each github.Repository, by resource name (the plan records no import). */
    readonly imports: Record<string, unknown>;
    /** Plain values the handle carries, read inside the program. */
    readonly knownHosts: string;
}

/** Plans only the repositories of a checked-in stack (the other areas are other components' tests). */
async function planRepositories(stack: string, overrides: StackOverrides = {}): Promise<RepositoriesPlan> {
    const imports: Record<string, unknown> = {};
    let knownHosts = "";
    const plan = await planStack(stack, overrides, () => {
        pulumi.runtime.registerStackTransformation((args) => {
            if (args.type === T.repository) {
                imports[args.name] = (args.opts as pulumi.CustomResourceOptions).import;
            }
            return undefined;
        });
        const handle = createRepositories(readPlatformConfig());
        knownHosts = handle.gitops.knownHosts;
        return {
            url: handle.gitops.url,
            privateKey: handle.gitops.privateKey,
            publicKey: handle.gitops.publicKey,
            ready: handle.ready.map((r) => r.urn),
        };
    });
    return { ...plan, imports, knownHosts };
}

const names = (resources: readonly PlannedResource[], type: string) =>
    ofType(resources, type)
        .map((r) => r.name)
        .sort();
const perRepository = (role: string, repositories = REPOSITORIES) =>
    repositories.map((repo) => `${repo}-${role}`).sort();

describe("repositories of the staging stack", () => {
    let plan: RepositoriesPlan;
    before(async () => {
        plan = await planRepositories("staging");
    });

    it("declares each repository with its protection, alerts, deploy key and key pair", () => {
        assert.deepEqual(names(plan.resources, T.repository), perRepository("repository"));
        assert.deepEqual(
            names(plan.resources, T.ruleset),
            [...perRepository("ruleset"), ...perRepository("release-tags")].sort(),
        );
        assert.deepEqual(names(plan.resources, T.vulnerabilityAlerts), perRepository("vulnerability-alerts"));
        assert.deepEqual(names(plan.resources, T.deployKey), perRepository("deploy-key"));
        assert.deepEqual(names(plan.resources, T.keyPair), perRepository("deploy-key-pair"));
        assert.deepEqual(names(plan.resources, T.branchProtection), []);
    });

    it("creates private repositories with squash or rebase merges and archive on destroy, no scanning without Advanced Security", () => {
        const repository = byName(plan.resources, T.repository, "platform-gitops-staging-repository");
        assert.deepEqual(repository.inputs, {
            name: "platform-gitops-staging",
            description: "GitOps repository of the platform: cluster and application manifests",
            visibility: "private",
            autoInit: true,
            deleteBranchOnMerge: true,
            allowSquashMerge: true,
            allowRebaseMerge: true,
            allowMergeCommit: false,
            archiveOnDestroy: true,
        });
        assert.deepEqual(
            byName(plan.resources, T.vulnerabilityAlerts, "platform-gitops-staging-vulnerability-alerts").inputs,
            { repository: "platform-gitops-staging", enabled: true },
        );
        assert.deepEqual(plan.imports, {
            "platform-gitops-staging-repository": undefined,
            "payments-api-repository": undefined,
            "checkout-web-repository": undefined,
        });
    });

    it("requires one approval, and lets admins bypass in pull requests only", () => {
        const ruleset = byName(plan.resources, T.ruleset, "platform-gitops-staging-ruleset").inputs as {
            rules: Record<string, unknown>;
            bypassActors: unknown;
        };
        assert.equal((ruleset.rules.pullRequest as Record<string, unknown>).requiredApprovingReviewCount, 1);
        assert.equal(ruleset.rules.requiredSignatures, false);
        assert.deepEqual(ruleset.bypassActors, [
            { actorType: "RepositoryRole", actorId: 5, bypassMode: "pull_request" },
        ]);
    });

    it("registers read-only deploy keys from the generated key pairs", () => {
        for (const repo of REPOSITORIES) {
            const key = byName(plan.resources, T.deployKey, `${repo}-deploy-key`);
            assert.deepEqual(key.inputs, {
                repository: repo,
                title: "gitops-platform staging",
                key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCK${repo}-deploy-key-pair mock`,
                readOnly: true,
            });
            assert.deepEqual(byName(plan.resources, T.keyPair, `${repo}-deploy-key-pair`).inputs, {
                algorithm: "ED25519",
            });
        }
    });

    it("hands the private key on only as a secret", () => {
        assert.equal(plan.outputs.privateKey, SECRET_PLACEHOLDER);
        assert.equal(JSON.stringify(plan).includes("mock-openssh-private-key"), false);
    });

    it("gives the engine the ssh:// URL and GitHub's host keys", () => {
        assert.equal(plan.outputs.url, "ssh://git@github.com/acme-platform/platform-gitops-staging.git");
        assert.equal(plan.knownHosts, GITHUB_KNOWN_HOSTS);
    });

    it("declares staging and production environments that deploy from main only", () => {
        assert.deepEqual(names(plan.resources, T.environment), [
            "platform-gitops-staging-env-production",
            "platform-gitops-staging-env-staging",
        ]);
        assert.deepEqual(byName(plan.resources, T.environment, "platform-gitops-staging-env-staging").inputs, {
            repository: "platform-gitops-staging",
            environment: "staging",
            preventSelfReview: false,
            canAdminsBypass: true,
            deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
        });
        for (const environment of DEPLOYMENT_ENVIRONMENTS) {
            assert.deepEqual(
                byName(plan.resources, T.environmentPolicy, `platform-gitops-staging-env-${environment}-branch`).inputs,
                {
                    repository: "platform-gitops-staging",
                    environment,
                    branchPattern: "main",
                },
            );
        }
    });

    it("requires the configured team to approve production deployments, never the deployer", () => {
        assert.deepEqual(byName(plan.resources, T.environment, "platform-gitops-staging-env-production").inputs, {
            repository: "platform-gitops-staging",
            environment: "production",
            reviewers: [{ teams: [mockNumericId("team/platform-leads")], users: [] }],
            preventSelfReview: true,
            canAdminsBypass: false,
            deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
        });
    });

    it("seeds the layout and the checks workflow once into the GitOps repository, content ignored afterwards", () => {
        const checks = checksFiles({ branch: "main", kubernetesVersion: "1.35" });
        const layout = {
            ...seedLayout({
                repositoryName: "platform-gitops-staging",
                stack: "staging",
                environment: "staging",
                environments: DEPLOYMENT_ENVIRONMENTS,
                codeOwners: ["@acme-platform/platform"],
                namespace: "argocd",
            }),
            ...checks,
        };
        const files = ofType(plan.resources, T.file).filter((f) => f.name.startsWith("platform-gitops-staging-"));
        assert.deepEqual(files.map((f) => f.inputs.file).sort(), Object.keys(layout).sort());
        for (const file of files) {
            assert.deepEqual(file.inputs, {
                repository: "platform-gitops-staging",
                branch: "main",
                file: file.inputs.file,
                content: layout[file.inputs.file as string],
                commitMessage: `Seed ${String(file.inputs.file)} (created once by the platform's Pulumi program; yours to edit)`,
                overwriteOnCreate: true,
            });
            assert.deepEqual(file.options.ignoreChanges, ["content"]);
        }
    });

    it("seeds only the checks workflow and CODEOWNERS (their rulesets require code-owner review) into the app repositories it owns", () => {
        for (const repo of ["payments-api", "checkout-web"]) {
            const files = ofType(plan.resources, T.file).filter((f) => f.name.startsWith(`${repo}-`));
            assert.deepEqual(
                files.map((f) => f.inputs.file).sort(),
                [...Object.keys(checksFiles({ branch: "main", kubernetesVersion: "1.35" })), "CODEOWNERS"].sort(),
            );
            assert.equal(
                files.find((f) => f.inputs.file === "CODEOWNERS")?.inputs.content,
                codeOwnersFile(["@acme-platform/platform"]),
            );
        }
    });

    it("locks every repository's tags: created, updated or deleted by nobody without a release App (issue 25)", () => {
        for (const repo of REPOSITORIES) {
            assert.deepEqual(byName(plan.resources, T.ruleset, `${repo}-release-tags`).inputs, {
                repository: repo,
                name: "release-tags",
                target: "tag",
                enforcement: "active",
                conditions: { refName: { includes: ["~ALL"], excludes: [] } },
                bypassActors: [],
                rules: { creation: true, update: true, deletion: true, nonFastForward: true },
            });
        }
    });

    it("protects the branch only after the files are seeded", () => {
        const filesOf = (repo: string) =>
            ofType(plan.resources, T.file)
                .filter((f) => f.name.startsWith(`${repo}-`))
                .map((f) => f.urn)
                .sort();
        for (const repo of REPOSITORIES) {
            assert.deepEqual(
                [...byName(plan.resources, T.ruleset, `${repo}-ruleset`).options.dependsOn].sort(),
                filesOf(repo),
                repo,
            );
        }
    });

    it("makes the engine wait for the deploy key and the seeded files", () => {
        const seeded = ofType(plan.resources, T.file).filter((f) => f.name.startsWith("platform-gitops-staging-"));
        const expected = [
            byName(plan.resources, T.deployKey, "platform-gitops-staging-deploy-key").urn,
            ...seeded.map((f) => f.urn),
        ];
        assert.deepEqual([...(plan.outputs.ready as string[])].sort(), expected.sort());
    });

    it("keeps staging's repositories and seeded files when the stack is destroyed, without protecting them", () => {
        assert.equal(ofType(plan.resources, T.repository).length, 3);
        for (const repository of ofType(plan.resources, T.repository)) {
            assert.deepEqual(
                [repository.options.protect, repository.options.retainOnDelete],
                [false, true],
                repository.name,
            );
        }
        for (const file of ofType(plan.resources, T.file)) {
            assert.equal(file.options.retainOnDelete, true, file.name);
        }
    });
});

describe("repositories of the production stack", () => {
    let plan: RepositoriesPlan;
    before(async () => {
        plan = await planRepositories("production");
    });

    it("requires two approvals and signed commits, with no bypass for anyone", () => {
        assert.deepEqual(
            names(plan.resources, T.ruleset),
            [
                ...perRepository("ruleset", PRODUCTION_REPOSITORIES),
                ...perRepository("release-tags", PRODUCTION_REPOSITORIES),
            ].sort(),
        );
        for (const repo of PRODUCTION_REPOSITORIES) {
            const ruleset = byName(plan.resources, T.ruleset, `${repo}-ruleset`).inputs as {
                rules: Record<string, unknown>;
                bypassActors: unknown;
            };
            assert.equal((ruleset.rules.pullRequest as Record<string, unknown>).requiredApprovingReviewCount, 2);
            assert.equal(ruleset.rules.requiredSignatures, true);
            assert.deepEqual(ruleset.bypassActors, []);
        }
    });

    it("protects every repository and keeps it when the stack is destroyed", () => {
        assert.deepEqual(names(plan.resources, T.repository), perRepository("repository", PRODUCTION_REPOSITORIES));
        for (const repository of ofType(plan.resources, T.repository)) {
            assert.deepEqual(
                [repository.options.protect, repository.options.retainOnDelete],
                [true, true],
                repository.name,
            );
        }
        for (const file of ofType(plan.resources, T.file)) {
            assert.equal(file.options.retainOnDelete, true, file.name);
        }
    });

    it("requires the configured team and user to approve production deployments", () => {
        const production = byName(plan.resources, T.environment, "platform-gitops-production-env-production");
        assert.deepEqual(production.inputs.reviewers, [
            { teams: [mockNumericId("team/platform-leads")], users: [mockNumericId("user/alice-sre")] },
        ]);
    });

    it("seeds the production cluster folder", () => {
        assert.ok(
            ofType(plan.resources, T.file).some((f) => f.inputs.file === "clusters/production/kustomization.yaml"),
        );
    });
});

describe("the deploy repository (this program's, owned by the production stack)", () => {
    let plan: RepositoriesPlan;
    const of = (type: string, role: string) => byName(plan.resources, type, `${DEPLOY_REPOSITORY}-${role}`);
    before(async () => {
        plan = await planRepositories("production");
    });

    it("adopts the existing repository, registers no deploy key and is declared by production only", async () => {
        assert.equal(plan.imports[`${DEPLOY_REPOSITORY}-repository`], DEPLOY_REPOSITORY);
        assert.ok(!ofType(plan.resources, T.deployKey).some((k) => k.name.startsWith(`${DEPLOY_REPOSITORY}-`)));
        const staging = await planRepositories("staging");
        assert.ok(!ofType(staging.resources, T.repository).some((r) => r.inputs.name === DEPLOY_REPOSITORY));
    });

    // Ruleset fields: terraform-provider-github v6.13.0 github/resource_github_repository_ruleset.go
    // (required_status_checks.required_check {context, integration_id}, strict_required_status_checks_policy).
    it("requires the pull-request workflow's jobs as checks reported by GitHub Actions, reviews, and no force push", () => {
        const ruleset = of(T.ruleset, "ruleset").inputs as {
            rules: {
                pullRequest: { requiredApprovingReviewCount: number; requireCodeOwnerReview: boolean };
                requiredStatusChecks: unknown;
                nonFastForward: boolean;
                deletion: boolean;
            };
            bypassActors: unknown;
        };
        const workflow = YAML.parse(fs.readFileSync(".github/workflows/pull-request.yml", "utf8")) as {
            jobs: Record<string, { name?: string; strategy?: { matrix: { include: { stack: string }[] } } }>;
        };
        // The check names the workflow's jobs report: a matrix job's `name:` with each stack filled in.
        const reported = Object.entries(workflow.jobs).flatMap(([id, job]) =>
            job.strategy
                ? job.strategy.matrix.include.map((m) => String(job.name).replace("${{ matrix.stack }}", m.stack))
                : [job.name ?? id],
        );
        assert.deepEqual([...DEPLOY_REPOSITORY_CHECKS].sort(), [...reported].sort());
        assert.deepEqual(ruleset.rules.requiredStatusChecks, {
            strictRequiredStatusChecksPolicy: true,
            requiredChecks: DEPLOY_REPOSITORY_CHECKS.map((context) => ({
                context,
                integrationId: GITHUB_ACTIONS_APP_ID,
            })),
        });
        assert.equal(ruleset.rules.pullRequest.requiredApprovingReviewCount, 2);
        assert.equal(ruleset.rules.pullRequest.requireCodeOwnerReview, true);
        assert.equal(ruleset.rules.nonFastForward, true);
        assert.equal(ruleset.rules.deletion, true);
        assert.deepEqual(ruleset.bypassActors, []);
    });

    it("seeds the CODEOWNERS file checked in at this repository's root, before the ruleset", () => {
        const file = of(T.file, "file-codeowners");
        assert.equal(file.inputs.file, "CODEOWNERS");
        assert.equal(file.inputs.content, fs.readFileSync("CODEOWNERS", "utf8"));
        assert.ok(of(T.ruleset, "ruleset").options.dependsOn.includes(file.urn));
    });

    // Environment fields: terraform-provider-github v6.13.0 github/resource_github_repository_environment.go
    // (can_admins_bypass defaults to true, prevent_self_review, reviewers.teams/users as IDs) and
    // resource_github_repository_environment_deployment_policy.go (branch_pattern).
    it("has promotion, staging, production-preview, drift and production environments that deploy from main only, production with reviewers nobody bypasses", () => {
        assert.deepEqual(
            ofType(plan.resources, T.environment)
                .filter((e) => e.inputs.repository === DEPLOY_REPOSITORY)
                .map((e) => e.inputs.environment)
                .sort(),
            ["drift", "production", "production-preview", "promotion", "staging"],
        );
        for (const environment of ["promotion", "staging", "production-preview", "drift", "production"]) {
            const env = of(T.environment, `env-${environment}`);
            assert.deepEqual(env.inputs.deploymentBranchPolicy, {
                protectedBranches: false,
                customBranchPolicies: true,
            });
            assert.deepEqual(of(T.environmentPolicy, `env-${environment}-branch`).inputs, {
                repository: DEPLOY_REPOSITORY,
                environment,
                branchPattern: "main",
            });
        }
        const production = of(T.environment, "env-production").inputs;
        assert.deepEqual(production.reviewers, [
            { teams: [mockNumericId("team/platform-leads")], users: [mockNumericId("user/alice-sre")] },
        ]);
        assert.equal(production.canAdminsBypass, false);
        assert.equal(production.preventSelfReview, true);
    });

    // terraform-provider-github v6.13.0 github/resource_github_workflow_repository_permissions.go.
    it("gives workflows a read-only token by default and no right to approve pull requests", () => {
        assert.deepEqual(of(T.workflowPermissions, "workflow-permissions").inputs, {
            repository: DEPLOY_REPOSITORY,
            defaultWorkflowPermissions: "read",
            canApprovePullRequestReviews: false,
        });
    });

    it("is a production invariant: production's github section without it is refused, naming the key", () => {
        const problems = configProblems("production", {
            set: edited<{ deployRepository?: unknown }>("production", "gitops-platform:github", (g) => {
                delete g.deployRepository;
            }),
        });
        assert.deepEqual(
            problems.map((p) => p.key),
            ["gitops-platform:github.deployRepository"],
        );
        assert.match(problems[0].message, /production invariant deploy-repository-gated: .*deployRepository\.name/);
    });

    it("refuses a deploy repository named like a GitOps or app repository", () => {
        assert.deepEqual(
            configProblems("production", {
                set: edited<{ deployRepository: { name: string } }>("production", "gitops-platform:github", (g) => {
                    g.deployRepository.name = "platform-gitops-production";
                }),
            }).map((p) => p.key),
            // ci.repository (gitops-platform) is then no longer the repository whose environments this stack gates.
            ["gitops-platform:ci.repository", "gitops-platform:github.deployRepository.name"],
        );
    });
});

describe("repository options from config", () => {
    it("uses classic branch protection where config asks, binding admins when config says so", async () => {
        // Production refuses classic mode (issue 25, ruleset-protection): staging asks for it here.
        const plan = await planRepositories("staging", {
            set: edited<{ protection: Record<string, unknown> }>("staging", "gitops-platform:github", (g) => {
                g.protection.mode = "classic";
                g.protection.enforceAdmins = true;
            }),
        });
        assert.deepEqual(names(plan.resources, T.ruleset), []);
        assert.deepEqual(names(plan.resources, T.branchProtection), perRepository("branch-protection"));
        const protection = byName(plan.resources, T.branchProtection, "platform-gitops-staging-branch-protection");
        // The builder's exact output is tested in repository-layout.test.ts; here, the settings staging's config gives it.
        assert.deepEqual(
            protection.inputs,
            branchProtectionArgs("R_mock_platform-gitops-staging", "main", {
                mode: "classic",
                requiredApprovals: 1,
                requireCodeOwnerReview: true,
                requireSignedCommits: false,
                requiredStatusChecks: ["test", "preview"],
                enforceAdmins: true,
            }),
        );
        assert.equal(
            protection.options.dependsOn.length,
            ofType(plan.resources, T.file).filter((f) => f.inputs.repository === "platform-gitops-staging").length,
        );
    });

    it("gives only the GitOps repository a read-write deploy key with Flux image automation", async () => {
        const plan = await planRepositories("staging", {
            set: { "gitops-platform:engine": { type: "flux", imageAutomation: true } },
        });
        const readOnly = Object.fromEntries(
            ofType(plan.resources, T.deployKey).map((k) => [k.name, k.inputs.readOnly]),
        );
        assert.deepEqual(readOnly, {
            "platform-gitops-staging-deploy-key": false,
            "payments-api-deploy-key": true,
            "checkout-web-deploy-key": true,
        });
    });

    const rulesetActors = (plan: PlanResult, repo: string) =>
        (byName(plan.resources, T.ruleset, `${repo}-ruleset`).inputs as { bypassActors: unknown[] }).bypassActors;
    const ADMINS_BY_PULL_REQUEST = { actorType: "RepositoryRole", actorId: 5, bypassMode: "pull_request" };

    it("keeps the ruleset binding the writable key when image updates go through pull requests (the default)", async () => {
        const plan = await planRepositories("staging", {
            set: { "gitops-platform:engine": { type: "flux", imageAutomation: true } },
        });
        assert.deepEqual(rulesetActors(plan, "platform-gitops-staging"), [ADMINS_BY_PULL_REQUEST]);
        assert.equal(byName(plan.resources, T.deployKey, "platform-gitops-staging-deploy-key").inputs.readOnly, false);
    });

    it("lets only the GitOps repository's writable key push past its ruleset with direct image pushes", async () => {
        const plan = await planRepositories("staging", {
            set: { "gitops-platform:engine": { type: "flux", imageAutomation: true, imagePush: "direct" } },
        });
        assert.deepEqual(rulesetActors(plan, "platform-gitops-staging"), [
            ADMINS_BY_PULL_REQUEST,
            { actorType: "DeployKey", bypassMode: "always" },
        ]);
        assert.deepEqual(rulesetActors(plan, "payments-api"), [ADMINS_BY_PULL_REQUEST]);
    });

    it("refuses direct image pushes under classic protection, which exempts no deploy key; allows pull-request mode", async () => {
        const classic = edited<{ protection: Record<string, unknown> }>("staging", "gitops-platform:github", (g) => {
            g.protection.mode = "classic";
        });
        const set = (imagePush: string) => ({
            "gitops-platform:engine": { type: "flux", imageAutomation: true, imagePush },
            ...classic,
        });
        await assert.rejects(
            planRepositories("staging", { set: set("direct") }),
            /cannot push straight to the branch through classic branch protection/,
        );
        const plan = await planRepositories("staging", { set: set("pull-request") });
        assert.equal(ofType(plan.resources, T.branchProtection).length, 3);
    });

    it("keeps deploy keys read-only with Flux but no image automation", async () => {
        const plan = await planRepositories("staging", { set: { "gitops-platform:engine": { type: "flux" } } });
        assert.ok(ofType(plan.resources, T.deployKey).every((k) => k.inputs.readOnly === true));
    });

    it("adopts an existing repository by importing it, seeding nothing into it", async () => {
        const plan = await planRepositories("staging", {
            set: edited<Record<string, unknown>>("staging", "gitops-platform:gitopsRepository", (r) => {
                r.adopt = true;
            }),
        });
        assert.equal(plan.imports["platform-gitops-staging-repository"], "platform-gitops-staging");
        assert.equal(plan.imports["payments-api-repository"], undefined);
        assert.equal(
            "autoInit" in byName(plan.resources, T.repository, "platform-gitops-staging-repository").inputs,
            false,
        );
        assert.deepEqual(
            ofType(plan.resources, T.file).filter((f) => f.name.startsWith("platform-gitops-staging-")),
            [],
        );
        assert.deepEqual(byName(plan.resources, T.ruleset, "platform-gitops-staging-ruleset").options.dependsOn, []);
    });

    it("turns secret scanning on with Advanced Security when config says the organization has it", async () => {
        const plan = await planRepositories("staging", {
            set: edited<Record<string, unknown>>("staging", "gitops-platform:github", (g) => {
                g.advancedSecurity = true;
            }),
        });
        assert.deepEqual(
            byName(plan.resources, T.repository, "platform-gitops-staging-repository").inputs.securityAndAnalysis,
            {
                advancedSecurity: { status: "enabled" },
                secretScanning: { status: "enabled" },
                secretScanningPushProtection: { status: "enabled" },
            },
        );
    });

    it("leaves secret scanning alone when config turns it off", async () => {
        const plan = await planRepositories("staging", {
            set: edited<Record<string, unknown>>("staging", "gitops-platform:github", (g) => {
                g.secretScanning = false;
            }),
        });
        assert.equal(
            "securityAndAnalysis" in byName(plan.resources, T.repository, "platform-gitops-staging-repository").inputs,
            false,
        );
    });

    it("adds a second app repository without touching any existing resource", async () => {
        const before = await planRepositories("staging");
        const after = await planRepositories("staging", {
            set: edited<{ appRepositories: Record<string, unknown> }>("staging", "gitops-platform:github", (g) => {
                // First in the map on purpose: position must not matter.
                g.appRepositories = { ledger: { description: "Ledger service" }, ...g.appRepositories };
            }),
        });
        const afterByUrn = new Map(after.resources.map((r) => [r.urn, r]));
        for (const resource of before.resources) {
            assert.deepEqual(afterByUrn.get(resource.urn)?.inputs, resource.inputs, resource.urn);
        }
        const added = after.resources
            .filter((r) => !before.resources.some((b) => b.urn === r.urn))
            .map((r) => r.name)
            .sort();
        const roles = [
            "deploy-key",
            "deploy-key-pair",
            "repository",
            "ruleset",
            "release-tags",
            "vulnerability-alerts",
            "workflow-permissions",
            "file-codeowners",
            "file-github-scripts-render-sh",
            "file-github-workflows-gitops-checks-yml",
        ];
        assert.deepEqual(added, ["ledger", ...roles.map((role) => `ledger-${role}`)].sort());
    });
});

/** The local stack's repository read over SSH with a deploy key, as before anonymous read. */
const sshLocal = (edit: (r: Record<string, unknown>) => void = () => undefined) =>
    edited<Record<string, unknown>>("local", "gitops-platform:gitopsRepository", (r) => {
        r.url = "ssh://git@github.com/acme-platform/platform-gitops.git";
        delete r.anonymous;
        edit(r);
    });

describe("repository of the local stack", () => {
    // Finding: the key was registered by hand after `up`, so the first clone (and the first `up`,
    // which waits for Flux to be Ready) failed. A public repository read over https needs nothing.
    it("reads its public GitOps repository anonymously over https: no key to register, no resource at all", async () => {
        const plan = await planRepositories("local");
        assert.deepEqual(
            plan.resources.filter((r) => r.custom),
            [],
        );
        assert.equal(plan.outputs.url, "https://github.com/acme-platform/platform-gitops.git");
        assert.equal(plan.outputs.privateKey, undefined);
    });

    it("outputs the URL, branch and cluster path, and no deploy key", async () => {
        const plan = await planStack("local", {}, runPlatform);
        assert.deepEqual(plan.outputs.gitopsRepository, {
            url: "https://github.com/acme-platform/platform-gitops.git",
            branch: "main",
            path: "clusters/local",
        });
        assert.equal(plan.outputs.gitopsDeployPublicKey, undefined);
    });

    it("makes only the key pair for a repository read over SSH, and outputs the public key to register", async () => {
        const plan = await planRepositories("local", { set: sshLocal() });
        assert.deepEqual(
            plan.resources.filter((r) => r.custom).map((r) => [r.type, r.name]),
            [[T.keyPair, "platform-gitops-deploy-key-pair"]],
        );
        assert.equal(plan.outputs.url, "ssh://git@github.com/acme-platform/platform-gitops.git");
        assert.equal(plan.outputs.privateKey, SECRET_PLACEHOLDER);
        const stack = await planStack("local", { set: sshLocal() }, runPlatform);
        assert.equal(
            stack.outputs.gitopsDeployPublicKey,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCKplatform-gitops-deploy-key-pair mock",
        );
        assert.equal(JSON.stringify(stack).includes("mock-openssh-private-key"), false);
    });

    it("refuses anonymous read of a URL that is not https", async () => {
        await assert.rejects(
            planRepositories("local", {
                set: sshLocal((r) => {
                    r.anonymous = true;
                }),
            }),
            /anonymous read is over https/,
        );
    });

    it("takes the known_hosts the user supplies for a host other than GitHub", async () => {
        const plan = await planRepositories("local", {
            set: sshLocal((r) => {
                r.url = "git@git.example.com:acme/gitops.git";
                r.knownHosts = "git.example.com ssh-ed25519 AAAAexample";
            }),
        });
        assert.equal(plan.outputs.url, "ssh://git@git.example.com/acme/gitops.git");
        assert.equal(plan.knownHosts, "git.example.com ssh-ed25519 AAAAexample");
    });
});

describe("repository config errors", () => {
    const cases: { name: string; stack: string; overrides: StackOverrides; key: string; expect: RegExp }[] = [
        {
            name: "a host other than GitHub without known_hosts",
            stack: "local",
            overrides: {
                set: sshLocal((r) => {
                    r.url = "ssh://git@git.example.com/acme/gitops.git";
                }),
            },
            key: "gitops-platform:gitopsRepository.knownHosts",
            expect: /verifies git\.example\.com by its SSH host keys/,
        },
        {
            name: "a URL without a host",
            stack: "local",
            overrides: {
                set: sshLocal((r) => {
                    r.url = "ssh://git@github.com:acme/gitops.git";
                }),
            },
            key: "gitops-platform:gitopsRepository.url",
            expect: /expected a Git URL with a host/,
        },
        {
            name: "the GitOps repository listed again as an app repository",
            stack: "staging",
            overrides: {
                set: edited<{ appRepositories: Record<string, unknown> }>("staging", "gitops-platform:github", (g) => {
                    g.appRepositories["platform-gitops-staging"] = {};
                }),
            },
            key: "gitops-platform:github.appRepositories.platform-gitops-staging",
            expect: /is the GitOps repository/,
        },
        {
            name: "more than six production reviewers",
            stack: "staging",
            overrides: {
                set: edited<{ productionReviewers: Record<string, unknown> }>(
                    "staging",
                    "gitops-platform:github",
                    (g) => {
                        g.productionReviewers = { users: ["a", "b", "c", "d"], teams: ["e", "f", "g"] };
                    },
                ),
            },
            key: "gitops-platform:github.productionReviewers",
            expect: /up to six reviewers/,
        },
    ];
    for (const c of cases) {
        it(`reports ${c.name} at ${c.key}`, async () => {
            await assert.rejects(planRepositories(c.stack, c.overrides), (error: unknown) => {
                assertProblemAt(problemsOfError(error), c.key, c.expect);
                return true;
            });
        });
    }
});

describe("repository components on their own", () => {
    it("defaults to a private, unprotected repository kept on delete, with a read-only key and no scanning GitHub would refuse", async () => {
        const plan = await planProgram(() => {
            const repository = new GithubRepository("solo", { repositoryName: "solo" });
            return { branch: repository.access.branch };
        });
        assert.deepEqual(
            plan.resources
                .filter((r) => r.custom)
                .map((r) => r.type)
                .sort(),
            [T.repository, T.deployKey, T.vulnerabilityAlerts, T.workflowPermissions, T.keyPair].sort(),
        );
        const repository = byName(plan.resources, T.repository, "solo-repository");
        assert.equal(repository.inputs.visibility, "private");
        assert.equal("securityAndAnalysis" in repository.inputs, false);
        assert.deepEqual([repository.options.protect, repository.options.retainOnDelete], [false, true]);
        assert.deepEqual(byName(plan.resources, T.deployKey, "solo-deploy-key").inputs, {
            repository: "solo",
            title: "gitops-platform",
            key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCKsolo-deploy-key-pair mock",
            readOnly: true,
        });
        assert.equal(plan.outputs.branch, "main");
    });

    it("refuses a repository on another host without its known_hosts", async () => {
        await assert.rejects(
            planProgram(() => {
                new ExternalRepository("elsewhere", {
                    repositoryName: "elsewhere",
                    url: "ssh://git@git.example.com/acme/gitops.git",
                });
                return {};
            }),
            /no known_hosts for git\.example\.com/,
        );
    });
});

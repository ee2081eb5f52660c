/**
 * Repositories shared between stacks (`managedBy`): the owning stack declares the repository, any
 * other stack only its own read-only deploy key on it, and both give the engine the same URL.
 */
import * as assert from "node:assert/strict";
import { GITHUB_KNOWN_HOSTS, githubSshUrl, sshUrl } from "../components/repository/hosts";
import { SharedGithubRepository } from "../components/repository/sharedGithub";
import { PlannedResource, SECRET_PLACEHOLDER } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { readPlatformConfig, runPlatform } from "../stacks";
import { ConfigError, ConfigProblem } from "../stacks/config";
import { createRepositories } from "../stacks/repositories";
import {
    assertProblemAt,
    byName,
    configProblems,
    ofType,
    planProgram,
    planStack,
    StackOverrides,
    stackValue,
} from "./harness";

const T = {
    shared: "gitops-platform:repository:SharedGithubRepository",
    owned: "gitops-platform:repository:GithubRepository",
    repository: "github:index/repository:Repository",
    deployKey: "github:index/repositoryDeployKey:RepositoryDeployKey",
    keyPair: "tls:index/privateKey:PrivateKey",
} as const;

const SHARED = ["checkout-web", "payments-api"];
/** Production's stack also manages this program's repository (github.deployRepository), which shares nothing. */
const DEPLOY_REPOSITORY = "gitops-platform";

/** The plan without the deploy repository's component and what it declares. */
function withoutDeployRepository(resources: readonly PlannedResource[]): PlannedResource[] {
    const deploy = resources.find((r) => r.type === T.owned && r.name === DEPLOY_REPOSITORY);
    return resources.filter((r) => r !== deploy && (deploy === undefined || r.parent !== deploy.urn));
}

/** Plans only the repositories of a stack; outputs the URL each app repository is read from. */
function planRepositories(stack: string, overrides: StackOverrides = {}): Promise<PlanResult> {
    return planStack(stack, overrides, () => {
        const handle = createRepositories(readPlatformConfig());
        return {
            gitopsUrl: handle.gitops.url,
            ready: handle.ready.map((r) => r.urn),
            appUrls: Object.fromEntries(
                Object.entries(handle.appRepositories).map(([name, access]) => [name, access.url]),
            ),
            appKeys: Object.fromEntries(
                Object.entries(handle.appRepositories).map(([name, access]) => [name, access.privateKey]),
            ),
        };
    });
}

function withGithub(
    stack: string,
    edit: (github: { appRepositories: Record<string, Record<string, unknown>> }) => void,
): StackOverrides {
    const github = structuredClone(
        stackValue<{ appRepositories: Record<string, Record<string, unknown>> }>(stack, "gitops-platform:github"),
    );
    edit(github);
    return { set: { "gitops-platform:github": github } };
}

function withGitopsRepository(stack: string, edit: (repository: Record<string, unknown>) => void): StackOverrides {
    const repository = structuredClone(stackValue<Record<string, unknown>>(stack, "gitops-platform:gitopsRepository"));
    edit(repository);
    return { set: { "gitops-platform:gitopsRepository": repository } };
}

/** [type, name] of every resource whose parent is the given component. */
const childrenOf = (resources: readonly PlannedResource[], parent: PlannedResource) =>
    resources
        .filter((r) => r.parent === parent.urn)
        .map((r) => [r.type, r.name])
        .sort();

describe("app repositories production shares with staging", () => {
    let production: PlanResult;
    let staging: PlanResult;
    before(async () => {
        // One plan at a time: the mocks are global.
        production = await planRepositories("production");
        staging = await planRepositories("staging");
    });

    it("declares no repository of its own for them, only its GitOps repository (and this program's)", () => {
        assert.deepEqual(
            ofType(production.resources, T.repository)
                .map((r) => r.inputs.name)
                .sort(),
            [DEPLOY_REPOSITORY, "platform-gitops-production"],
        );
        assert.deepEqual(
            ofType(production.resources, T.shared)
                .map((r) => r.name)
                .sort(),
            SHARED,
        );
    });

    for (const name of SHARED) {
        it(`${name}: only this stack's key pair and a read-only deploy key titled for production`, () => {
            const component = byName(production.resources, T.shared, name);
            assert.deepEqual(
                childrenOf(production.resources, component),
                [
                    [T.keyPair, `${name}-deploy-key-pair`],
                    [T.deployKey, `${name}-deploy-key`],
                ].sort(),
            );
            assert.deepEqual(byName(production.resources, T.keyPair, `${name}-deploy-key-pair`).inputs, {
                algorithm: "ED25519",
            });
            const deployKey = byName(production.resources, T.deployKey, `${name}-deploy-key`);
            assert.deepEqual(deployKey.inputs, {
                repository: name,
                title: "gitops-platform production",
                key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCK${name}-deploy-key-pair mock`,
                readOnly: true,
            });
            assert.deepEqual(deployKey.dependencies, [
                byName(production.resources, T.keyPair, `${name}-deploy-key-pair`).urn,
            ]);
        });

        it(`${name}: read from the same URL as staging's, which owns it`, () => {
            const url = (production.outputs.appUrls as Record<string, string>)[name];
            assert.equal(url, `ssh://git@github.com/acme-platform/${name}.git`);
            assert.equal(url, (staging.outputs.appUrls as Record<string, string>)[name]);
        });

        it(`${name}: owned by staging, kept on destroy but not protected`, () => {
            const repository = byName(staging.resources, T.repository, `${name}-repository`);
            assert.equal(repository.parent, byName(staging.resources, T.owned, name).urn);
            assert.deepEqual([repository.options.protect, repository.options.retainOnDelete], [false, true]);
            assert.equal(
                byName(staging.resources, T.deployKey, `${name}-deploy-key`).inputs.title,
                "gitops-platform staging",
            );
        });
    }

    it("hands the shared repositories' private keys on only as secrets", () => {
        assert.deepEqual(production.outputs.appKeys, {
            "payments-api": SECRET_PLACEHOLDER,
            "checkout-web": SECRET_PLACEHOLDER,
        });
        assert.equal(JSON.stringify(production).includes("mock-openssh-private-key"), false);
    });

    it("gives each environment a GitOps repository of its own", () => {
        assert.equal(production.outputs.gitopsUrl, "ssh://git@github.com/acme-platform/platform-gitops-production.git");
        assert.equal(staging.outputs.gitopsUrl, "ssh://git@github.com/acme-platform/platform-gitops-staging.git");
    });

    it("adds a shared repository without changing any other resource", async () => {
        const after = await planRepositories(
            "production",
            withGithub("production", (g) => {
                // First in the map on purpose: position must not matter.
                g.appRepositories = { ledger: { managedBy: "staging" }, ...g.appRepositories };
            }),
        );
        const afterByUrn = new Map(after.resources.map((r) => [r.urn, r]));
        for (const resource of production.resources) {
            assert.deepEqual(afterByUrn.get(resource.urn)?.inputs, resource.inputs, resource.urn);
        }
        const added = after.resources
            .filter((r) => !production.resources.some((b) => b.urn === r.urn))
            .map((r) => [r.type, r.name])
            .sort();
        assert.deepEqual(
            added,
            [
                [T.shared, "ledger"],
                [T.keyPair, "ledger-deploy-key-pair"],
                [T.deployKey, "ledger-deploy-key"],
            ].sort(),
        );
    });
});

describe("apps of both environments read shared repositories from one URL", () => {
    it("gives payments-api and checkout-web the same repoUrl in the staging and production outputs", async () => {
        const staging = await planStack("staging", {}, runPlatform);
        const production = await planStack("production", {}, runPlatform);
        type Apps = Record<string, { repoUrl: string }>;
        for (const name of SHARED) {
            assert.equal(
                (production.outputs.apps as Apps)[name].repoUrl,
                `ssh://git@github.com/acme-platform/${name}.git`,
                name,
            );
            assert.equal(
                (production.outputs.apps as Apps)[name].repoUrl,
                (staging.outputs.apps as Apps)[name].repoUrl,
                name,
            );
        }
    });
});

/**
 * Production refuses a GitOps repository another stack manages (issue 25, own-gitops-repository), so the
 * shared GitOps repository is planned in staging, with its app repositories left to production too.
 */
function stagingSharingAll(extra: Record<string, unknown> = {}): StackOverrides {
    return {
        set: {
            ...withGitopsRepository("staging", (r) => {
                r.managedBy = "production";
            }).set,
            ...withGithub("staging", (g) => {
                for (const app of Object.values(g.appRepositories)) {
                    app.managedBy = "production";
                    delete app.description;
                }
            }).set,
            ...extra,
        },
    };
}

describe("a GitOps repository another stack manages", () => {
    it("declares no repository, seeds and protects nothing, and waits only for the deploy key", async () => {
        const plan = await planRepositories("staging", stagingSharingAll());
        const resources = withoutDeployRepository(plan.resources);
        assert.deepEqual(ofType(resources, T.repository), []);
        assert.deepEqual(
            resources
                .filter((r) => r.custom)
                .map((r) => r.type)
                .sort(),
            [...Array<string>(3).fill(T.keyPair), ...Array<string>(3).fill(T.deployKey)].sort(),
        );
        assert.equal(plan.outputs.gitopsUrl, "ssh://git@github.com/acme-platform/platform-gitops-staging.git");
        assert.deepEqual(plan.outputs.ready, [
            byName(plan.resources, T.deployKey, "platform-gitops-staging-deploy-key").urn,
        ]);
    });

    it("keeps the deploy key writable for Flux image automation, which commits to it", async () => {
        const plan = await planRepositories(
            "staging",
            stagingSharingAll({ "gitops-platform:engine": { type: "flux", imageAutomation: true } }),
        );
        const readOnly = Object.fromEntries(
            ofType(plan.resources, T.deployKey).map((k) => [k.name, k.inputs.readOnly]),
        );
        assert.deepEqual(readOnly, {
            "platform-gitops-staging-deploy-key": false,
            "payments-api-deploy-key": true,
            "checkout-web-deploy-key": true,
        });
    });

    it("is refused in production, whose GitOps repository no other stack may protect (issue 25)", () => {
        assertProblemAt(
            configProblems(
                "production",
                withGitopsRepository("production", (r) => (r.managedBy = "staging")),
            ),
            "gitops-platform:gitopsRepository.managedBy",
            /production invariant own-gitops-repository/,
        );
    });
});

describe("shared repository config errors", () => {
    const SELF = "remove managedBy to manage the repository here, or name the stack that manages it";
    const ADOPTED = "so this stack cannot adopt it: remove adopt (or remove managedBy to manage it here)";
    const cases: { name: string; stack: string; overrides: StackOverrides; problem: ConfigProblem }[] = [
        {
            name: "an app repository managed by the stack itself",
            stack: "staging",
            overrides: withGithub("staging", (g) => {
                g.appRepositories["payments-api"].managedBy = "staging";
            }),
            problem: {
                key: "gitops-platform:github.appRepositories.payments-api.managedBy",
                message: `names this stack (staging): ${SELF}`,
                value: "staging",
            },
        },
        {
            name: "the GitOps repository managed by the stack itself",
            stack: "production",
            overrides: withGitopsRepository("production", (r) => {
                r.managedBy = "production";
            }),
            problem: {
                key: "gitops-platform:gitopsRepository.managedBy",
                message: `names this stack (production): ${SELF}`,
                value: "production",
            },
        },
        {
            name: "an app repository both adopted and managed by another stack",
            stack: "production",
            overrides: withGithub("production", (g) => {
                g.appRepositories["checkout-web"].adopt = true;
            }),
            problem: {
                key: "gitops-platform:github.appRepositories.checkout-web.managedBy",
                message: `the repository is managed by stack staging, ${ADOPTED}`,
                value: "staging",
            },
        },
        {
            name: "the GitOps repository both adopted and managed by another stack",
            stack: "production",
            overrides: withGitopsRepository("production", (r) => {
                r.managedBy = "staging";
                r.adopt = true;
            }),
            problem: {
                key: "gitops-platform:gitopsRepository.managedBy",
                message: `the repository is managed by stack staging, ${ADOPTED}`,
                value: "staging",
            },
        },
        {
            name: "managedBy without a github section",
            stack: "local",
            overrides: withGitopsRepository("local", (r) => {
                r.managedBy = "staging";
            }),
            problem: {
                key: "gitops-platform:gitopsRepository.managedBy",
                message:
                    "registers this stack's deploy key through GitHub and needs the github section: add it, or remove managedBy and give the repository's url",
                value: "staging",
            },
        },
        {
            name: "a managedBy that is no stack name",
            stack: "production",
            overrides: withGithub("production", (g) => {
                g.appRepositories["payments-api"].managedBy = "stag ing";
            }),
            problem: {
                key: "gitops-platform:github.appRepositories.payments-api.managedBy",
                message: "expected a stack name: letters, digits, '-', '_' and '.'",
                value: "stag ing",
            },
        },
    ];
    for (const c of cases) {
        it(`reports ${c.name} at ${c.problem.key}, and nothing else`, () => {
            assert.deepEqual(configProblems(c.stack, c.overrides), [c.problem]);
        });
    }

    it("stops the program before anything is declared", async () => {
        await assert.rejects(
            planRepositories("staging", cases[0].overrides),
            (error: unknown) =>
                error instanceof ConfigError &&
                error.message.includes(`${cases[0].problem.key}: ${cases[0].problem.message} (got "staging")`),
        );
    });
});

describe("SharedGithubRepository on its own", () => {
    it("defaults to branch main and a read-only key titled gitops-platform, on the owner's repository URL", async () => {
        const plan = await planProgram(() => {
            const shared = new SharedGithubRepository("solo", { repositoryName: "solo", owner: "acme" });
            const { url, branch, knownHosts, name } = shared.access;
            return { url, branch, knownHosts, name };
        });
        assert.deepEqual(
            plan.resources
                .filter((r) => r.custom)
                .map((r) => r.type)
                .sort(),
            [T.deployKey, T.keyPair].sort(),
        );
        assert.deepEqual(byName(plan.resources, T.deployKey, "solo-deploy-key").inputs, {
            repository: "solo",
            title: "gitops-platform",
            key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCKsolo-deploy-key-pair mock",
            readOnly: true,
        });
        assert.deepEqual(plan.outputs, {
            url: "ssh://git@github.com/acme/solo.git",
            branch: "main",
            knownHosts: GITHUB_KNOWN_HOSTS,
            name: "solo",
        });
    });

    it("builds GitHub's SSH URL as the generic converter reads GitHub's clone URLs", () => {
        assert.equal(githubSshUrl("acme/solo"), "ssh://git@github.com/acme/solo.git");
        assert.equal(githubSshUrl("acme/solo"), sshUrl("https://github.com/acme/solo.git"));
    });
});

/**
 * How the engine reaches a repository (components/repository/access.ts): the fields it needs and
 * the key it reads with, for GitHub repositories (owned or shared) and repositories given by URL,
 * first from the pure builder, then as the three components declare them.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { accessFields, GithubSource, UrlSource } from "../components/repository/access";
import { ExternalRepository } from "../components/repository/external";
import { GithubRepository } from "../components/repository/github";
import { SharedGithubRepository } from "../components/repository/sharedGithub";
import { SECRET_PLACEHOLDER } from "../plan/recorder";
import { byName, ofType, planProgram } from "./harness";

const T = {
    deployKey: "github:index/repositoryDeployKey:RepositoryDeployKey",
    keyPair: "tls:index/privateKey:PrivateKey",
} as const;

/**
 * GitHub's ED25519 host key as "GitHub's SSH key fingerprints" (docs.github.com) publishes it for
 * ~/.ssh/known_hosts: the engine must verify github.com against it.
 */
const GITHUB_ED25519 = "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

const github = (edit: Partial<GithubSource> = {}): GithubSource => ({
    host: "github",
    repositoryName: "platform-gitops",
    branch: "main",
    repository: { name: "platform-gitops", fullName: pulumi.output("acme/platform-gitops") },
    deployKey: true,
    deployKeyTitle: "gitops-platform staging",
    deployKeyWritable: false,
    ...edit,
});

const byUrl = (edit: Partial<UrlSource> = {}): UrlSource => ({
    host: "url",
    repositoryName: "platform-gitops",
    branch: "main",
    url: "git@github.com:acme/platform-gitops.git",
    anonymous: false,
    ...edit,
});

describe("repository access from what each kind knows", () => {
    it("reads a GitHub repository over SSH, verifying GitHub's host keys, with a deploy key registered on it", async () => {
        const fields = accessFields(github({ branch: "release" }));
        assert.equal(fields.name, "platform-gitops");
        assert.equal(fields.branch, "release");
        // GitHub's SSH clone URL git@github.com:OWNER/REPO.git, in the ssh:// form Flux accepts.
        assert.equal(await resolved(fields.url), "ssh://git@github.com/acme/platform-gitops.git");
        assert.ok(fields.knownHosts.split("\n").includes(GITHUB_ED25519));
        assert.deepEqual(fields.key, {
            kind: "github",
            settings: { repository: "platform-gitops", title: "gitops-platform staging", writable: false },
        });
    });

    it("registers a writable deploy key only when asked", () => {
        const fields = accessFields(github({ deployKeyWritable: true }));
        assert.equal(fields.key.kind === "github" && fields.key.settings.writable, true);
    });

    it("makes no key for a GitHub repository nothing in a cluster reads, and still says where it is", async () => {
        const fields = accessFields(github({ deployKey: false }));
        assert.deepEqual(fields.key, { kind: "none" });
        assert.equal(await resolved(fields.url), "ssh://git@github.com/acme/platform-gitops.git");
    });

    it("reads a public repository anonymously over its https URL: no key, no host keys", async () => {
        const url = "https://github.com/acme/platform-gitops.git";
        const fields = accessFields(byUrl({ url, anonymous: true }));
        assert.equal(await resolved(fields.url), url);
        assert.equal(fields.knownHosts, "");
        assert.deepEqual(fields.key, { kind: "none" });
    });

    it("refuses anonymous read of a URL that is not https", () => {
        assert.throws(
            () => accessFields(byUrl({ anonymous: true })),
            /platform-gitops: anonymous read needs an https:\/\/ URL, got git@github\.com:acme\/platform-gitops\.git/,
        );
    });

    it("reads any other URL over SSH with a key pair the user registers", async () => {
        for (const url of ["git@github.com:acme/platform-gitops.git", "https://github.com/acme/platform-gitops.git"]) {
            const fields = accessFields(byUrl({ url }));
            assert.equal(await resolved(fields.url), "ssh://git@github.com/acme/platform-gitops.git", url);
            assert.ok(fields.knownHosts.split("\n").includes(GITHUB_ED25519), url);
            assert.deepEqual(fields.key, { kind: "pair" }, url);
        }
    });

    it("takes another host's known_hosts from the user, and refuses the host without them", () => {
        const url = "ssh://git@git.example.com/acme/gitops.git";
        const supplied = "git.example.com ssh-ed25519 AAAAexample";
        assert.equal(accessFields(byUrl({ url, knownHosts: `${supplied}\n` })).knownHosts, supplied);
        assert.throws(() => accessFields(byUrl({ url })), /no known_hosts for git\.example\.com/);
    });
});

describe("repository access as the components declare it", () => {
    it("external, anonymous: declares nothing and hands the engine no key", async () => {
        const plan = await planProgram(() => {
            const { access } = new ExternalRepository("public", {
                repositoryName: "public",
                url: "https://github.com/acme/public.git",
                anonymous: true,
            });
            return {
                url: access.url,
                hasPrivateKey: access.privateKey !== undefined,
                hasPublicKey: access.publicKey !== undefined,
            };
        });
        assert.deepEqual(
            plan.resources.filter((r) => r.custom),
            [],
        );
        assert.deepEqual(plan.outputs, {
            url: "https://github.com/acme/public.git",
            hasPrivateKey: false,
            hasPublicKey: false,
        });
    });

    it("external over SSH: only a key pair, its private half a secret, its public half for the user", async () => {
        const plan = await planProgram(() => {
            const { access } = new ExternalRepository("elsewhere", {
                repositoryName: "elsewhere",
                url: "git@github.com:acme/elsewhere.git",
            });
            return { url: access.url, privateKey: access.privateKey, publicKey: access.publicKey };
        });
        assert.deepEqual(
            plan.resources.filter((r) => r.custom).map((r) => [r.type, r.name]),
            [[T.keyPair, "elsewhere-deploy-key-pair"]],
        );
        assert.deepEqual(plan.outputs, {
            url: "ssh://git@github.com/acme/elsewhere.git",
            privateKey: SECRET_PLACEHOLDER,
            publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCKelsewhere-deploy-key-pair mock",
        });
    });

    it("shared: registers only this stack's deploy key, read-only unless asked, and waits for it", async () => {
        const plan = await planProgram(() => {
            const shared = new SharedGithubRepository("app", { repositoryName: "app", owner: "acme" });
            const writable = new SharedGithubRepository("gitops", {
                repositoryName: "gitops",
                owner: "acme",
                deployKeyWritable: true,
            });
            return {
                ready: [...shared.ready, ...writable.ready].map((r) => r.urn),
                privateKey: shared.access.privateKey,
            };
        });
        assert.deepEqual(
            ofType(plan.resources, T.deployKey).map((k) => [k.name, k.inputs.repository, k.inputs.readOnly]),
            [
                ["app-deploy-key", "app", true],
                ["gitops-deploy-key", "gitops", false],
            ],
        );
        assert.deepEqual(plan.outputs.ready, [
            byName(plan.resources, T.deployKey, "app-deploy-key").urn,
            byName(plan.resources, T.deployKey, "gitops-deploy-key").urn,
        ]);
        assert.equal(plan.outputs.privateKey, SECRET_PLACEHOLDER);
    });

    it("owned without a deploy key: no key at all, read from the URL of the repository GitHub reports", async () => {
        const plan = await planProgram(
            () => {
                const owned = new GithubRepository("deploy", { repositoryName: "deploy", deployKey: false });
                return {
                    hasPrivateKey: owned.access.privateKey !== undefined,
                    ready: owned.ready.length,
                    url: owned.access.url,
                };
            },
            "test",
            { "github:owner": "acme" },
        );
        assert.deepEqual(ofType(plan.resources, T.deployKey), []);
        assert.deepEqual(ofType(plan.resources, T.keyPair), []);
        assert.deepEqual(plan.outputs, {
            hasPrivateKey: false,
            ready: 0,
            url: "ssh://git@github.com/acme/deploy.git",
        });
    });
});

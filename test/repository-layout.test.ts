/** The repository component's pure parts: URLs and known_hosts, protection settings, the seeded layout (built with kubectl kustomize). */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as fc from "fast-check";
import * as YAML from "yaml";
import { fileResourceName, securityAndAnalysis } from "../components/repository/github";
import { GITHUB_KNOWN_HOSTS, gitHost, knownHostsFor, sshUrl } from "../components/repository/hosts";
import { clusterPath, codeOwnersFile, seedLayout, SeedLayoutArgs } from "../components/repository/layout";
import {
    branchProtectionArgs,
    ProtectionSettings,
    rulesetArgs,
    rulesetBypassActors,
} from "../components/repository/protection";
import { GithubConfig } from "../stacks/config";
import { DEPLOYMENT_ENVIRONMENTS, protectionSettings } from "../stacks/repositories";

describe("Git URLs and known hosts", () => {
    const urls: [string, string][] = [
        ["git@github.com:acme/platform-gitops.git", "ssh://git@github.com/acme/platform-gitops.git"],
        ["ssh://git@github.com/acme/platform-gitops.git", "ssh://git@github.com/acme/platform-gitops.git"],
        ["ssh://git@git.example.com:2222/acme/gitops.git", "ssh://git@git.example.com:2222/acme/gitops.git"],
        ["https://github.com/acme/platform-gitops.git", "ssh://git@github.com/acme/platform-gitops.git"],
    ];
    for (const [url, expected] of urls) {
        it(`reads ${url} as ${expected}`, () => {
            assert.equal(sshUrl(url), expected);
        });
    }

    it("rejects a URL the engine cannot read over SSH", () => {
        assert.throws(() => sshUrl("ftp://example.com/x.git"), /unsupported Git URL "ftp:\/\/example.com\/x.git"/);
    });

    it("takes the host without user and port", () => {
        assert.equal(gitHost("ssh://git@git.example.com:2222/acme/gitops.git"), "git.example.com");
        assert.equal(gitHost("git@github.com:acme/x.git"), "github.com");
    });

    it("carries GitHub's published ed25519, ECDSA and RSA host keys", () => {
        const lines = GITHUB_KNOWN_HOSTS.split("\n").map((line) => line.split(" "));
        assert.deepEqual(
            lines.map(([host, type]) => [host, type]),
            [
                ["github.com", "ssh-ed25519"],
                ["github.com", "ecdsa-sha2-nistp256"],
                ["github.com", "ssh-rsa"],
            ],
        );
        assert.equal(lines[0][2], "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
    });

    it("uses GitHub's keys for github.com and the supplied lines for any host", () => {
        assert.equal(knownHostsFor("git@github.com:acme/x.git"), GITHUB_KNOWN_HOSTS);
        assert.equal(
            knownHostsFor("ssh://git@git.example.com/x.git", "git.example.com ssh-ed25519 AAAA\n"),
            "git.example.com ssh-ed25519 AAAA",
        );
    });

    it("refuses to guess the keys of another host", () => {
        assert.throws(() => knownHostsFor("ssh://git@git.example.com/x.git"), /no known_hosts for git.example.com/);
    });
});

const STAGING: ProtectionSettings = {
    mode: "ruleset",
    requiredApprovals: 1,
    requireCodeOwnerReview: true,
    requireSignedCommits: false,
    requiredStatusChecks: ["test", "preview"],
    enforceAdmins: false,
};

describe("default-branch protection", () => {
    it("builds the ruleset exactly, admins bypassing in pull requests only", () => {
        assert.deepEqual(rulesetArgs("platform-gitops", STAGING), {
            repository: "platform-gitops",
            name: "default-branch",
            target: "branch",
            enforcement: "active",
            conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
            bypassActors: [{ actorType: "RepositoryRole", actorId: 5, bypassMode: "pull_request" }],
            rules: {
                pullRequest: {
                    requiredApprovingReviewCount: 1,
                    dismissStaleReviewsOnPush: true,
                    requireCodeOwnerReview: true,
                    requireLastPushApproval: true,
                    requiredReviewThreadResolution: true,
                    allowedMergeMethods: ["squash", "rebase"],
                },
                requiredStatusChecks: {
                    strictRequiredStatusChecksPolicy: true,
                    requiredChecks: [
                        { context: "test", integrationId: 15368 },
                        { context: "preview", integrationId: 15368 },
                    ],
                },
                requiredLinearHistory: true,
                nonFastForward: true,
                deletion: true,
                requiredSignatures: false,
            },
        });
    });

    it("lets nobody bypass a ruleset that binds admins", () => {
        assert.deepEqual(rulesetArgs("r", { ...STAGING, enforceAdmins: true }).bypassActors, []);
    });

    // terraform-provider-github v6.13.0 (the provider @pulumi/github 6.15.0 bridges: its typings list
    // the DeployKey, EnterpriseOwner and User actor types that v6.13.0 added),
    // github/resource_github_repository_ruleset.go: bypass_mode is validated with
    // StringInSlice({"always", "pull_request", "exempt"}); the bridge renames fields, never values,
    // so the doc text's camel-cased "pullRequest" fails validation at preview.
    it("sends only bypass modes the provider accepts (finding: pullRequest was refused)", () => {
        const accepted = new Set(["always", "pull_request", "exempt"]);
        for (const enforceAdmins of [false, true]) {
            for (const deployKeysBypass of [false, true]) {
                for (const actor of rulesetBypassActors({ ...STAGING, enforceAdmins, deployKeysBypass })) {
                    const mode = actor.bypassMode;
                    assert.ok(typeof mode === "string" && accepted.has(mode), JSON.stringify(actor));
                }
            }
        }
    });

    // Same file: actor_type DeployKey has no actor_id, and the provider's acceptance test pairs it with
    // bypass_mode "always" (deploy keys push; "pull_request" does not apply to them).
    it("lets deploy keys push past the ruleset only when asked (Flux image automation)", () => {
        assert.deepEqual(rulesetArgs("r", { ...STAGING, enforceAdmins: true, deployKeysBypass: true }).bypassActors, [
            { actorType: "DeployKey", bypassMode: "always" },
        ]);
        assert.deepEqual(rulesetArgs("r", STAGING).bypassActors, [
            { actorType: "RepositoryRole", actorId: 5, bypassMode: "pull_request" },
        ]);
    });

    // terraform-provider-github v6.13.0 github/resource_github_repository.go,
    // security_and_analysis.secret_scanning: enabled needs visibility public, advanced_security enabled,
    // or split licensing; public repositories take no advanced_security block.
    it("asks for secret scanning only where GitHub accepts it (finding: refused on private repositories)", () => {
        const on = { status: "enabled" };
        assert.deepEqual(securityAndAnalysis({ secretScanning: true, advancedSecurity: false, visibility: "public" }), {
            secretScanning: on,
            secretScanningPushProtection: on,
        });
        assert.deepEqual(securityAndAnalysis({ secretScanning: true, advancedSecurity: true, visibility: "public" }), {
            secretScanning: on,
            secretScanningPushProtection: on,
        });
        assert.deepEqual(securityAndAnalysis({ secretScanning: true, advancedSecurity: true, visibility: "private" }), {
            advancedSecurity: on,
            secretScanning: on,
            secretScanningPushProtection: on,
        });
        for (const visibility of ["private", "internal"]) {
            assert.equal(securityAndAnalysis({ secretScanning: true, advancedSecurity: false, visibility }), undefined);
        }
        assert.equal(
            securityAndAnalysis({ secretScanning: false, advancedSecurity: true, visibility: "public" }),
            undefined,
        );
    });

    it("leaves the status-check rule out when no check is required", () => {
        const rules = rulesetArgs("r", { ...STAGING, requiredStatusChecks: [] }).rules as Record<string, unknown>;
        assert.equal("requiredStatusChecks" in rules, false);
        assert.equal(
            "requiredStatusChecks" in branchProtectionArgs("r", "main", { ...STAGING, requiredStatusChecks: [] }),
            false,
        );
    });

    it("builds classic branch protection with the same rules", () => {
        assert.deepEqual(
            branchProtectionArgs("R_node", "main", {
                ...STAGING,
                mode: "classic",
                enforceAdmins: true,
                requireSignedCommits: true,
                requiredApprovals: 2,
            }),
            {
                repositoryId: "R_node",
                pattern: "main",
                enforceAdmins: true,
                requiredPullRequestReviews: [
                    {
                        requiredApprovingReviewCount: 2,
                        dismissStaleReviews: true,
                        requireCodeOwnerReviews: true,
                        requireLastPushApproval: true,
                    },
                ],
                requiredStatusChecks: [{ strict: true, contexts: ["test", "preview"] }],
                requireConversationResolution: true,
                requiredLinearHistory: true,
                requireSignedCommits: true,
                allowsForcePushes: false,
                allowsDeletions: false,
            },
        );
    });

    const github = (protection: Partial<GithubConfig["protection"]>): GithubConfig => ({
        appRepositories: {},
        protection: {
            enabled: true,
            mode: "ruleset",
            requiredApprovals: 1,
            requireCodeOwnerReview: true,
            requireSignedCommits: false,
            requiredStatusChecks: ["test"],
            ...protection,
        },
        codeOwners: ["@acme/platform"],
        productionReviewers: { users: [], teams: [] },
        secretScanning: true,
        advancedSecurity: false,
    });
    const admins: [string, Partial<GithubConfig["protection"]>, "staging" | "production", boolean][] = [
        ["binds admins in production by default", {}, "production", true],
        ["lets admins bypass elsewhere by default", {}, "staging", false],
        ["binds admins in staging when config asks", { enforceAdmins: true }, "staging", true],
    ];
    for (const [name, protection, environment, enforced] of admins) {
        it(name, () => {
            assert.equal(protectionSettings(github(protection), environment)?.enforceAdmins, enforced);
        });
    }

    it("declares no protection when config turns it off", () => {
        assert.equal(protectionSettings(github({ enabled: false }), "staging"), undefined);
    });
});

const LAYOUT: SeedLayoutArgs = {
    repositoryName: "platform-gitops",
    stack: "staging",
    environment: "staging",
    environments: DEPLOYMENT_ENVIRONMENTS,
    codeOwners: ["@acme-platform/platform", "@alice"],
    namespace: "flux-system",
};

const written: string[] = [];

/** Writes the layout to a fresh folder (removed after the tests); returns it. */
function writeLayout(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "seed-"));
    written.push(root);
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
    }
    return root;
}

function kustomize(folder: string): Record<string, unknown>[] {
    const result = spawnSync("kubectl", ["kustomize", folder], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return YAML.parseAllDocuments(result.stdout).map((doc) => doc.toJSON() as Record<string, unknown>);
}

describe("seeded GitOps layout", () => {
    after(() => written.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

    it("seeds exactly the README, CODEOWNERS, base, one overlay per environment and the stack's cluster folder", () => {
        assert.deepEqual(Object.keys(seedLayout(LAYOUT)).sort(), [
            "CODEOWNERS",
            "README.md",
            "apps/base/kustomization.yaml",
            "apps/base/platform-info.yaml",
            "apps/overlays/production/kustomization.yaml",
            "apps/overlays/staging/kustomization.yaml",
            "clusters/staging/kustomization.yaml",
        ]);
    });

    it("has CODEOWNERS cover every path and itself", () => {
        assert.equal(
            codeOwnersFile(["@acme-platform/platform", "@alice"]),
            [
                "# Owners of every path in this repository; their review is required on the default branch.",
                "* @acme-platform/platform @alice",
                "# Changing who owns what needs the owners' review too.",
                "/CODEOWNERS @acme-platform/platform @alice",
                "",
            ].join("\n"),
        );
    });

    it("says in the README that pulumi up leaves edits alone", () => {
        assert.match(seedLayout(LAYOUT)["README.md"], /`pulumi up` does not revert edits made here/);
    });

    for (const environment of DEPLOYMENT_ENVIRONMENTS) {
        it(`builds the ${environment} overlay and the ${environment} cluster folder with kubectl kustomize`, () => {
            const files = seedLayout({ ...LAYOUT, stack: environment, environment });
            const root = writeLayout(files);
            const expected = [
                {
                    apiVersion: "v1",
                    kind: "ConfigMap",
                    metadata: {
                        name: "platform-info",
                        namespace: "flux-system",
                        labels: { "platform.gitops/environment": environment },
                    },
                    data: { environment },
                },
            ];
            assert.deepEqual(kustomize(path.join(root, "apps/overlays", environment)), expected);
            assert.deepEqual(kustomize(path.join(root, clusterPath(environment))), expected);
        });
    }

    it("builds every overlay whatever the stack is called (property)", () => {
        fc.assert(
            fc.property(
                fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
                fc.constantFrom(...DEPLOYMENT_ENVIRONMENTS),
                (stack, environment) => {
                    const files = seedLayout({ ...LAYOUT, stack, environment });
                    const cluster = YAML.parse(files[`${clusterPath(stack)}/kustomization.yaml`]) as {
                        resources: string[];
                    };
                    assert.deepEqual(cluster.resources, [`../../apps/overlays/${environment}`]);
                    // Resource names derived from paths stay unique.
                    const names = Object.keys(files).map(fileResourceName);
                    assert.equal(new Set(names).size, names.length);
                },
            ),
            { numRuns: 50 },
        );
    });
});

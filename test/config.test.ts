import * as assert from "node:assert/strict";
import { ConfigError, isImmutableRevision, keyPath, PlatformConfig } from "../stacks/config";
import { EksClusterConfig } from "../stacks/config/cluster";
import { editDistance, gitRepositoryUrl, gitUrlRepositoryPath, suggestKey } from "../stacks/config/rules";
import { runPlatform } from "../stacks";
import { assertProblemAt, CHECKED_IN_STACKS, configProblems, edited, planStack, StackOverrides } from "./harness";

type Stack = (typeof CHECKED_IN_STACKS)[number];

/**
 * Config sections as the checked-in stack files hold them: EKS clusters, an engine, a github section and a
 * secrets store. A case that writes a value of the wrong type does so with Object.assign.
 */
interface Sections {
    cluster: EksClusterConfig;
    apps: PlatformConfig["apps"];
    engine: PlatformConfig["engine"];
    github: NonNullable<PlatformConfig["github"]>;
    gitopsRepository: PlatformConfig["gitopsRepository"];
    secrets: NonNullable<PlatformConfig["secrets"]>;
}

const problemsOf = (stack: Stack, overrides: StackOverrides) => configProblems(stack, overrides);

interface BadCase {
    readonly name: string;
    readonly stack: Stack;
    readonly overrides: StackOverrides;
    /** The key path the report must name. */
    readonly key: string;
    /** A fragment of the message that says what is expected. */
    readonly expect: string | RegExp;
}

const BAD_CASES: BadCase[] = [
    {
        name: "unknown environment",
        stack: "staging",
        overrides: { set: { "gitops-platform:environment": "prod" } },
        key: "gitops-platform:environment",
        expect: /expected one of "staging"\|"production"\|"local"/,
    },
    {
        name: "a typo in a top-level key",
        stack: "staging",
        overrides: { set: { "gitops-platform:clster": {} } },
        key: "gitops-platform:clster",
        expect: 'did you mean "cluster"?',
    },
    {
        name: "Kubernetes version as a number",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                Object.assign(c, { kubernetesVersion: 1.3 });
            }),
        },
        key: "gitops-platform:cluster.kubernetesVersion",
        expect: "quoted string",
    },
    {
        name: "Kubernetes version not a minor version",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.kubernetesVersion = "latest";
            }),
        },
        key: "gitops-platform:cluster.kubernetesVersion",
        expect: 'such as "1.33"',
    },
    {
        name: "VPC CIDR with host bits",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.network.vpcCidr = "10.20.0.1/16";
            }),
        },
        key: "gitops-platform:cluster.network.vpcCidr",
        expect: "no host bits set",
    },
    {
        name: "overlapping subnet CIDRs",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.network.publicSubnetCidrs = ["10.20.0.0/24", "10.20.1.0/24"];
                c.network.privateSubnetCidrs = ["10.20.1.0/24", "10.20.64.0/18"];
            }),
        },
        key: "gitops-platform:cluster.network.privateSubnetCidrs[0]",
        expect: "overlaps 10.20.1.0/24",
    },
    {
        name: "subnet outside the VPC",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.network.publicSubnetCidrs = ["10.20.0.0/24", "10.99.1.0/24"];
            }),
        },
        key: "gitops-platform:cluster.network.publicSubnetCidrs[1]",
        expect: "outside vpcCidr 10.20.0.0/16",
    },
    {
        name: "a public API endpoint open to any address",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.endpoint.publicAccessCidrs = [];
            }),
        },
        key: "gitops-platform:cluster.endpoint.publicAccessCidrs",
        expect: "0.0.0.0/0 only if you mean the whole internet",
    },
    {
        name: "a single availability zone",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.network.availabilityZones = 1;
            }),
        },
        key: "gitops-platform:cluster.network.availabilityZones",
        expect: "at least 2 availability zones",
    },
    {
        name: "a node group of zero nodes",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.nodeGroups.general.minSize = 0;
            }),
        },
        key: "gitops-platform:cluster.nodeGroups.general.minSize",
        expect: "at least 1 node",
    },
    {
        name: "node group minSize above maxSize",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                c.nodeGroups.general.minSize = 6;
                c.nodeGroups.general.desiredSize = 6;
            }),
        },
        key: "gitops-platform:cluster.nodeGroups.general.minSize",
        expect: "greater than maxSize 5",
    },
    {
        name: "a typo in a node group key",
        stack: "staging",
        overrides: {
            set: edited<Sections["cluster"]>("staging", "gitops-platform:cluster", (c) => {
                Object.assign(c.nodeGroups.general, { instanceType: "m6i.large" });
            }),
        },
        key: "gitops-platform:cluster.nodeGroups.general.instanceType",
        expect: 'did you mean "instanceTypes"?',
    },
    {
        name: "unknown engine type",
        stack: "staging",
        overrides: {
            set: edited<Sections["engine"]>("staging", "gitops-platform:engine", (e) => {
                Object.assign(e, { type: "argo" });
            }),
        },
        key: "gitops-platform:engine.type",
        expect: "'argocd' | 'flux'",
    },
    {
        name: "an Argo CD option on Flux",
        stack: "local",
        overrides: {
            set: edited<Sections["engine"]>("local", "gitops-platform:engine", (e) => {
                Object.assign(e, { adminGroups: ["ops"] });
            }),
        },
        key: "gitops-platform:engine.adminGroups",
        expect: "option of engine type argocd, not flux",
    },
    {
        name: "a chart version range",
        stack: "staging",
        overrides: {
            set: edited<Sections["engine"]>("staging", "gitops-platform:engine", (e) => {
                Object.assign(e, { chartVersion: "^8.0.0" });
            }),
        },
        key: "gitops-platform:engine.chartVersion",
        expect: "exact version",
    },
    {
        name: "an app name that is not a DNS label",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[0].name = "Payments_API";
            }),
        },
        key: "gitops-platform:apps[0].name",
        expect: "DNS-1123 label",
    },
    {
        name: "duplicate app names",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[2].name = apps[0].name;
                apps[2].namespace = "other";
            }),
        },
        key: "gitops-platform:apps[2].name",
        expect: 'duplicate app "payments-api" (also at index 0)',
    },
    {
        name: "an app of an unknown team",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[1].team = "marketing";
            }),
        },
        key: "gitops-platform:apps[1].team",
        expect: 'no team "marketing" in gitops-platform:teams',
    },
    {
        name: "a branch revision in production",
        stack: "production",
        overrides: {
            set: edited<Sections["apps"]>("production", "gitops-platform:apps", (apps) => {
                apps[0].source.revision = "main";
            }),
        },
        key: "gitops-platform:apps[0].source.revision",
        expect: "immutable revisions only",
    },
    {
        name: "branch protection off in production",
        stack: "production",
        overrides: {
            set: edited<Sections["github"]>("production", "gitops-platform:github", (g) => {
                g.protection.enabled = false;
            }),
        },
        key: "gitops-platform:github.protection.enabled",
        expect: "cannot turn branch protection off",
    },
    {
        name: "SSO without its client secret",
        stack: "staging",
        overrides: { remove: ["gitops-platform:ssoClientSecret"] },
        key: "gitops-platform:ssoClientSecret",
        expect: "pulumi config set --secret gitops-platform:ssoClientSecret",
    },
    {
        name: "dependsOn an app that does not exist",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[1].dependsOn = ["ledger"];
            }),
        },
        key: "gitops-platform:apps[1].dependsOn[0]",
        expect: 'no app named "ledger"',
    },
    {
        name: "an EKS stack without aws:region",
        stack: "staging",
        overrides: { remove: ["aws:region"] },
        key: "aws:region",
        expect: "pulumi config set aws:region",
    },
    {
        name: "a github section without github:owner",
        stack: "staging",
        overrides: { remove: ["github:owner"] },
        key: "github:owner",
        expect: "pulumi config set github:owner",
    },
    {
        name: "AWS Secrets Manager on an existing cluster",
        stack: "local",
        overrides: { set: { "gitops-platform:secrets": { type: "aws-secrets-manager" } } },
        key: "gitops-platform:secrets.type",
        expect: "use type kubernetes",
    },
    {
        name: "an app in a system namespace",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[0].namespace = "kube-system";
            }),
        },
        key: "gitops-platform:apps[0].namespace",
        expect: "is a system namespace",
    },
    {
        name: "an app in the engine's namespace",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[0].namespace = "argocd";
            }),
        },
        key: "gitops-platform:apps[0].namespace",
        expect: "the GitOps engine's namespace",
    },
    {
        name: "two apps in one namespace",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[2].namespace = "checkout";
            }),
        },
        key: "gitops-platform:apps[2].namespace",
        expect: 'already used by app "checkout-web"',
    },
    {
        name: "a stack promoting from itself",
        stack: "production",
        overrides: { set: { "gitops-platform:promotion": { from: "production" } } },
        key: "gitops-platform:promotion.from",
        expect: "cannot promote from itself",
    },
    {
        name: "a zero refresh interval",
        stack: "staging",
        overrides: {
            set: edited<Sections["secrets"]>("staging", "gitops-platform:secrets", (s) => {
                Object.assign(s, { refreshInterval: "0s" });
            }),
        },
        key: "gitops-platform:secrets.refreshInterval",
        expect: "non-zero duration",
    },
    {
        name: "a URL for a repository GitHub manages",
        stack: "staging",
        overrides: {
            set: edited<Sections["gitopsRepository"]>("staging", "gitops-platform:gitopsRepository", (r) => {
                r.url = "https://example.com/x.git";
            }),
        },
        key: "gitops-platform:gitopsRepository.url",
        expect: "comes from GitHub",
    },
    {
        name: "a local stack without the repository URL",
        stack: "local",
        overrides: {
            set: edited<Sections["gitopsRepository"]>("local", "gitops-platform:gitopsRepository", (r) => {
                delete r.url;
            }),
        },
        key: "gitops-platform:gitopsRepository.url",
        expect: "set gitopsRepository.url",
    },
    {
        name: "tags without an owner",
        stack: "staging",
        overrides: { set: { "gitops-platform:tags": { team: "x" } } },
        key: "gitops-platform:tags",
        expect: '"owner" tag',
    },
    {
        name: "an app repository the stack does not manage",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[0].source.repository = "ledger";
            }),
        },
        key: "gitops-platform:apps[0].source.repository",
        expect: 'no repository "ledger" in github.appRepositories',
    },
    {
        name: "Helm values on a kustomize source",
        stack: "staging",
        overrides: {
            set: edited<Sections["apps"]>("staging", "gitops-platform:apps", (apps) => {
                apps[0].source.helmValues = { a: 1 };
            }),
        },
        key: "gitops-platform:apps[0].source.helmValues",
        expect: "only apply to source.type helm",
    },
    {
        name: "secret keys without a secrets store",
        stack: "local",
        overrides: { remove: ["gitops-platform:secrets"] },
        key: "gitops-platform:apps[0].secretKeys",
        expect: "need a secrets store",
    },
];

describe("stack config validation", () => {
    for (const stack of CHECKED_IN_STACKS) {
        it(`accepts the checked-in ${stack} stack`, () => {
            assert.deepEqual(problemsOf(stack, {}), []);
        });
    }

    describe("rejects bad config, naming the key", () => {
        for (const bad of BAD_CASES) {
            it(bad.name, () => {
                assertProblemAt(problemsOf(bad.stack, bad.overrides), bad.key, bad.expect);
            });
        }
    });

    it("reports every problem at once, across sections", () => {
        const problems = problemsOf("staging", {
            set: {
                "gitops-platform:environment": "qa",
                ...edited<{ chartVersion: string }>("staging", "gitops-platform:engine", (e) => {
                    e.chartVersion = "latest";
                }),
                ...edited<{ name: string }[]>("staging", "gitops-platform:apps", (apps) => {
                    apps[1].name = "Checkout";
                }),
            },
        });
        assert.deepEqual(problems.map((p) => p.key).sort(), [
            "gitops-platform:apps[1].name",
            "gitops-platform:engine.chartVersion",
            "gitops-platform:environment",
        ]);
    });

    it("shows the bad value, and never a secret's", () => {
        const problems = problemsOf("staging", {
            set: { "gitops-platform:environment": "qa", "gitops-platform:ssoClientSecret": "hunter2-plain" },
        });
        assert.deepEqual(problems.find((p) => p.key === "gitops-platform:environment")?.value, "qa");
        const secretProblem = problems.find((p) => p.key === "gitops-platform:ssoClientSecret");
        assert.ok(secretProblem, "a plain-text secret must be reported");
        assert.equal(secretProblem.value, "[secret]");
        assert.match(secretProblem.message, /stored in plain text/);
        assert.ok(!new ConfigError(problems).message.includes("hunter2-plain"));
    });

    it("declares nothing when the config is bad", async () => {
        let caught: unknown;
        const plan = await planStack("staging", { set: { "gitops-platform:environment": "qa" } }, async () => {
            try {
                return await runPlatform();
            } catch (error) {
                caught = error;
                return {};
            }
        });
        assert.ok(caught instanceof ConfigError);
        assert.deepEqual(
            plan.resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });
});

describe("config helpers", () => {
    it("writes key paths as users write them", () => {
        assert.equal(keyPath(["apps", 2, "source", "revision"]), "gitops-platform:apps[2].source.revision");
        assert.equal(keyPath(["environment"]), "gitops-platform:environment");
    });

    it("suggests the closest known key, and nothing for unrelated words", () => {
        assert.equal(editDistance("kitten", "sitting"), 3);
        assert.equal(suggestKey("clster", ["cluster", "engine"]), "cluster");
        assert.equal(suggestKey("nodegroups", ["nodeGroups", "network"]), "nodeGroups");
        assert.equal(suggestKey("zzzz", ["cluster", "engine"]), undefined);
    });

    const revisions: [string, boolean][] = [
        ["v1.4.2", true],
        ["1.4.2", true],
        ["grafana-10.1.4", true],
        ["v2.0.0-rc.1", true],
        ["3f2a9c1", true],
        ["3f2a9c1d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", true],
        ["main", false],
        ["release/1.4", false],
        ["HEAD", false],
        ["feature-x", false],
    ];
    for (const [revision, immutable] of revisions) {
        it(`takes ${revision} for ${immutable ? "an immutable revision" : "a branch"}`, () => {
            assert.equal(isImmutableRevision(revision), immutable);
        });
    }
});

describe("config: Git URLs", () => {
    it("reads the repository path of each form GitHub shows, and none of what is not a URL", () => {
        for (const url of [
            "https://github.com/acme/payments-api.git",
            "ssh://git@github.com/acme/payments-api.git",
            "git@github.com:acme/payments-api.git",
            "git@github.com:/acme/payments-api.git/",
        ]) {
            assert.equal(gitUrlRepositoryPath(url), "acme/payments-api.git", url);
        }
        assert.equal(gitUrlRepositoryPath("payments-api"), undefined);
    });

    it("refuses a URL that names no repository, or a GitHub URL that is not owner/repository", () => {
        const problem = (url: string) => gitRepositoryUrl.safeParse(url).error?.issues[0]?.message;
        assert.equal(problem("https://gitlab.example.com/group/sub/app.git"), undefined);
        assert.match(
            problem("https://git.example.com/") ?? "",
            /^names no repository: give the repository's clone URL/,
        );
        assert.match(problem("git@github.com:acme/team/app.git") ?? "", /^a GitHub URL names owner\/repository/);
    });
});

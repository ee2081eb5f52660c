/**
 * Issue 14: hostile and mistaken input gets a clear answer. Each case edits a checked-in stack file,
 * runs the plan's CLI main in-process, and asserts the exit code, the key the report names, that the
 * report is printed once, and that the program declared nothing (a stack transformation counts
 * every resource registration).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { main as planMain } from "../plan/cli";
import { main as checkMain } from "../policy/check";
import { runPlan } from "../plan/run";
import { readStackConfig } from "../plan/stackFile";
import { runPlatform } from "../stacks";
import { PlatformConfig, PROJECT } from "../stacks/config";
import { EksClusterConfig } from "../stacks/config/cluster";
import { ArgocdConfig } from "../stacks/config/engine";
import { PRODUCTION_INVARIANTS } from "../stacks/config/invariants";
import { captureOutput } from "./delivery-capture";
import { stackFilePath } from "../plan/stackFile";
import { fromPlanned } from "../policy/check";
import { INVARIANT_RULES } from "../policy/invariants";
import { checkResources, PolicyResource } from "../policy/rules";
import { planStack } from "./harness";

/**
 * A stack file's config as YAML parses it; the sections the cases edit are typed as the schema yields them
 * (EKS clusters, Argo CD, AWS Secrets Manager). A case that writes a value of the wrong type does so with Object.assign.
 */
type Config = Record<string, unknown> & {
    "gitops-platform:cluster": EksClusterConfig;
    "gitops-platform:engine": ArgocdConfig;
    "gitops-platform:github": NonNullable<PlatformConfig["github"]>;
    "gitops-platform:apps": PlatformConfig["apps"];
    "gitops-platform:appDefaults": PlatformConfig["appDefaults"];
    "gitops-platform:gitopsRepository": PlatformConfig["gitopsRepository"];
    "gitops-platform:secrets": Extract<PlatformConfig["secrets"], { type: "aws-secrets-manager" }>;
    "gitops-platform:tags": Record<string, string>;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guardrails-"));

function stackFile(stack: string, edit: (config: Config) => void, name = stack): string {
    const document = YAML.parse(fs.readFileSync(stackFilePath(stack), "utf8")) as { config: Config };
    edit(document.config);
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, YAML.stringify(document));
    return file;
}

/** Resources the program registers with this config (0 when validation refuses it). */
async function declaredCount(file: string, stack: string): Promise<number> {
    let count = 0;
    const program = () => {
        pulumi.runtime.registerStackTransformation(() => {
            count++;
            return undefined;
        });
        return runPlatform();
    };
    await runPlan({ project: PROJECT, stack, ...readStackConfig(file) }, program).catch(() => undefined);
    return count;
}

const P = "gitops-platform:";
interface BadInput {
    name: string;
    stack: "staging" | "production" | "local";
    edit: (c: Config) => void;
    key: string;
}
const cluster = (c: Config) => c[`${P}cluster`];
const protection = (c: Config) => c[`${P}github`].protection;
const apps = (c: Config) => c[`${P}apps`];

const CASES: BadInput[] = [
    // Namespaces: a typo in the project prefix must not drop a section (issue 14).
    {
        name: "misspelt project namespace",
        stack: "production",
        edit: (c) => {
            c["gitops-platfrom:apps"] = c[`${P}apps`];
            Reflect.deleteProperty(c, `${P}apps`);
        },
        key: "gitops-platfrom:apps",
    },
    {
        name: "unknown provider namespace",
        stack: "staging",
        edit: (c) => {
            c["awss:region"] = "eu-west-1";
        },
        key: "awss:region",
    },
    {
        name: "key without a namespace",
        stack: "staging",
        edit: (c) => {
            c.environment = "staging";
        },
        key: "environment",
    },
    // Production invariants, one broken at a time.
    {
        name: "production without github",
        stack: "production",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}github`);
        },
        key: `${P}github`,
    },
    {
        name: "production with 0 approvals",
        stack: "production",
        edit: (c) => {
            protection(c).requiredApprovals = 0;
        },
        key: `${P}github.protection.requiredApprovals`,
    },
    {
        name: "production with 1 approval",
        stack: "production",
        edit: (c) => {
            protection(c).requiredApprovals = 1;
        },
        key: `${P}github.protection.requiredApprovals`,
    },
    {
        name: "production without code-owner review",
        stack: "production",
        edit: (c) => {
            protection(c).requireCodeOwnerReview = false;
        },
        key: `${P}github.protection.requireCodeOwnerReview`,
    },
    {
        name: "production without status checks",
        stack: "production",
        edit: (c) => {
            protection(c).requiredStatusChecks = [];
        },
        key: `${P}github.protection.requiredStatusChecks`,
    },
    {
        name: "production without signed commits",
        stack: "production",
        edit: (c) => {
            protection(c).requireSignedCommits = false;
        },
        key: `${P}github.protection.requireSignedCommits`,
    },
    {
        name: "production with admins unbound",
        stack: "production",
        edit: (c) => {
            protection(c).enforceAdmins = false;
        },
        key: `${P}github.protection.enforceAdmins`,
    },
    {
        name: "production with protection off",
        stack: "production",
        edit: (c) => {
            protection(c).enabled = false;
        },
        key: `${P}github.protection.enabled`,
    },
    {
        name: "production endpoint open to the internet",
        stack: "production",
        edit: (c) => {
            cluster(c).endpoint = { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] };
        },
        key: `${P}cluster.endpoint.publicAccessCidrs[0]`,
    },
    {
        name: "production Argo CD without SSO",
        stack: "production",
        edit: (c) => {
            delete c[`${P}engine`].sso;
        },
        key: `${P}engine.sso`,
    },
    {
        name: "production cascade delete",
        stack: "production",
        edit: (c) => {
            c[`${P}engine`].cascadeDelete = true;
        },
        key: `${P}engine.cascadeDelete`,
    },
    {
        name: "production prune for every app",
        stack: "production",
        edit: (c) => {
            c[`${P}appDefaults`].sync = { prune: true };
        },
        key: `${P}appDefaults.sync.prune`,
    },
    {
        name: "production app on a branch",
        stack: "production",
        edit: (c) => {
            apps(c)[0].source.revision = "main";
        },
        key: `${P}apps[0].source.revision`,
    },
    {
        name: "production app on a release branch",
        stack: "production",
        edit: (c) => {
            apps(c)[1].source.revision = "release/5.3";
        },
        key: `${P}apps[1].source.revision`,
    },
    {
        name: "production app on HEAD",
        stack: "production",
        edit: (c) => {
            apps(c)[0].source.revision = "HEAD";
        },
        key: `${P}apps[0].source.revision`,
    },
    {
        name: "production file with environment staging",
        stack: "production",
        edit: (c) => {
            c[`${P}environment`] = "staging";
        },
        key: `${P}environment`,
    },
    {
        name: "staging file with environment production",
        stack: "staging",
        edit: (c) => {
            c[`${P}environment`] = "production";
        },
        key: `${P}environment`,
    },
    // Secrets and credentials.
    {
        name: "plain-text github:token",
        stack: "staging",
        edit: (c) => {
            c["github:token"] = "ghp_plaintexttoken";
        },
        key: "github:token",
    },
    {
        name: "plain-text ssoClientSecret",
        stack: "production",
        edit: (c) => {
            c[`${P}ssoClientSecret`] = "plain";
        },
        key: `${P}ssoClientSecret`,
    },
    {
        name: "plain-text aws:secretKey",
        stack: "staging",
        edit: (c) => {
            c["aws:secretKey"] = "abc";
        },
        key: "aws:secretKey",
    },
    {
        name: "production SSO without client secret",
        stack: "production",
        edit: (c) => {
            delete c[`${P}ssoClientSecret`];
        },
        key: `${P}ssoClientSecret`,
    },
    // Top-level shape and cross-section rules.
    {
        name: "unknown top-level key",
        stack: "staging",
        edit: (c) => {
            c[`${P}clustr`] = {};
        },
        key: `${P}clustr`,
    },
    {
        name: "bad environment",
        stack: "staging",
        edit: (c) => {
            c[`${P}environment`] = "prod";
        },
        key: `${P}environment`,
    },
    {
        name: "missing environment",
        stack: "staging",
        edit: (c) => {
            delete c[`${P}environment`];
        },
        key: `${P}environment`,
    },
    {
        name: "missing cluster",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}cluster`);
        },
        key: `${P}cluster`,
    },
    {
        name: "missing engine",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}engine`);
        },
        key: `${P}engine`,
    },
    {
        name: "tags without owner",
        stack: "staging",
        edit: (c) => {
            c[`${P}tags`] = { team: "x" };
        },
        key: `${P}tags`,
    },
    // AWS tagging rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): aws: prefix reserved, 50 tags.
    {
        name: "reserved aws: tag key",
        stack: "staging",
        edit: (c) => {
            c[`${P}tags`]["aws:createdBy"] = "me";
        },
        key: `${P}tags`,
    },
    {
        name: "more tags than AWS allows",
        stack: "staging",
        edit: (c) => {
            for (let i = 0; i < 49; i++) {
                c[`${P}tags`][`t${i}`] = "x";
            }
        },
        key: `${P}tags`,
    },
    // Region codes (docs.aws.amazon.com/general/latest/gr/rande.html).
    {
        name: "malformed region",
        stack: "staging",
        edit: (c) => {
            c["aws:region"] = "Europe (Ireland)";
        },
        key: "aws:region",
    },
    {
        name: "region without its number",
        stack: "staging",
        edit: (c) => {
            c["aws:region"] = "eu-west";
        },
        key: "aws:region",
    },
    {
        name: "EKS without aws:region",
        stack: "staging",
        edit: (c) => {
            delete c["aws:region"];
        },
        key: "aws:region",
    },
    {
        name: "github without github:owner",
        stack: "staging",
        edit: (c) => {
            delete c["github:owner"];
        },
        key: "github:owner",
    },
    {
        name: "promotion from itself",
        stack: "production",
        edit: (c) => {
            c[`${P}promotion`] = { from: "production" };
        },
        key: `${P}promotion.from`,
    },
    {
        name: "app of an unknown team",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].team = "nobody";
        },
        key: `${P}apps[0].team`,
    },
    {
        name: "app in kube-system",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].namespace = "kube-system";
        },
        key: `${P}apps[0].namespace`,
    },
    {
        name: "app in the engine's namespace",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].namespace = "argocd";
        },
        key: `${P}apps[0].namespace`,
    },
    {
        name: "two apps in one namespace",
        stack: "staging",
        edit: (c) => {
            apps(c)[1].namespace = apps(c)[0].namespace ?? apps(c)[0].name;
        },
        key: `${P}apps[1].namespace`,
    },
    {
        name: "app of an unknown repository",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].source.repository = "nope";
        },
        key: `${P}apps[0].source.repository`,
    },
    {
        name: "duplicate app names",
        stack: "staging",
        edit: (c) => {
            apps(c)[1].name = apps(c)[0].name;
        },
        key: `${P}apps[1].name`,
    },
    {
        name: "app name not a DNS label",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].name = "Payments_API";
        },
        key: `${P}apps[0].name`,
    },
    {
        name: "unknown app key",
        stack: "staging",
        edit: (c) => {
            Object.assign(apps(c)[0], { revison: "v1" });
        },
        key: `${P}apps[0].revison`,
    },
    {
        name: "app without source path",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(apps(c)[0].source, "path");
        },
        key: `${P}apps[0].source.path`,
    },
    {
        name: "secretKeys without a secrets section",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}secrets`);
        },
        key: `${P}apps[0].secretKeys`,
    },
    {
        name: "aws-secrets-manager on an existing cluster",
        stack: "local",
        edit: (c) => {
            Object.assign(c, { [`${P}secrets`]: { type: "aws-secrets-manager" } });
        },
        key: `${P}secrets.type`,
    },
    {
        name: "bad secrets prefix",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].prefix = "a//b";
        },
        key: `${P}secrets.prefix`,
    },
    {
        name: "old external-secrets chart",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].chartVersion = "0.9.0";
        },
        key: `${P}secrets.chartVersion`,
    },
    // Cluster values as EKS and EC2 take them.
    {
        name: "unquoted Kubernetes version",
        stack: "staging",
        edit: (c) => {
            Object.assign(cluster(c), { kubernetesVersion: 1.3 });
        },
        key: `${P}cluster.kubernetesVersion`,
    },
    {
        name: "kube-proxy of another version",
        stack: "staging",
        edit: (c) => {
            cluster(c).addons.kubeProxy = "v1.29.0-eksbuild.1";
        },
        key: `${P}cluster.addons.kubeProxy`,
    },
    {
        name: "bad add-on version",
        stack: "staging",
        edit: (c) => {
            cluster(c).addons.coreDns = "latest";
        },
        key: `${P}cluster.addons.coreDns`,
    },
    {
        name: "VPC with host bits",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "10.0.0.1/16";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "VPC larger than /16",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "10.0.0.0/8";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "one availability zone",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.availabilityZones = 1;
        },
        key: `${P}cluster.network.availabilityZones`,
    },
    {
        name: "bad NAT gateway mode",
        stack: "staging",
        edit: (c) => {
            Object.assign(cluster(c).network, { natGateways: "many" });
        },
        key: `${P}cluster.network.natGateways`,
    },
    {
        name: "public endpoint without ranges",
        stack: "staging",
        edit: (c) => {
            cluster(c).endpoint = { publicAccess: true, publicAccessCidrs: [] };
        },
        key: `${P}cluster.endpoint.publicAccessCidrs`,
    },
    {
        name: "no admin roles",
        stack: "staging",
        edit: (c) => {
            cluster(c).adminRoleArns = [];
        },
        key: `${P}cluster.adminRoleArns`,
    },
    {
        name: "admin role that is not an ARN",
        stack: "staging",
        edit: (c) => {
            cluster(c).adminRoleArns = ["admins"];
        },
        key: `${P}cluster.adminRoleArns[0]`,
    },
    {
        name: "no node groups",
        stack: "staging",
        edit: (c) => {
            cluster(c).nodeGroups = {};
        },
        key: `${P}cluster.nodeGroups`,
    },
    {
        name: "bad log retention",
        stack: "staging",
        edit: (c) => {
            cluster(c).logRetentionDays = 10;
        },
        key: `${P}cluster.logRetentionDays`,
    },
    {
        name: "unknown cluster type",
        stack: "staging",
        edit: (c) => {
            Object.assign(cluster(c), { type: "gke" });
        },
        key: `${P}cluster.type`,
    },
    // Engine and repositories.
    {
        name: "unknown Argo CD chart",
        stack: "staging",
        edit: (c) => {
            c[`${P}engine`].chartVersion = "1.0.0";
        },
        key: `${P}engine.chartVersion`,
    },
    {
        name: "chart version range",
        stack: "staging",
        edit: (c) => {
            c[`${P}engine`].chartVersion = "^10.1.1";
        },
        key: `${P}engine.chartVersion`,
    },
    {
        name: "Flux option on Argo CD",
        stack: "staging",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { multitenancy: true });
        },
        key: `${P}engine.multitenancy`,
    },
    {
        name: "unknown engine type",
        stack: "staging",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { type: "jenkins" });
        },
        key: `${P}engine.type`,
    },
    {
        name: "too many approvals",
        stack: "staging",
        edit: (c) => {
            protection(c).requiredApprovals = 9;
        },
        key: `${P}github.protection.requiredApprovals`,
    },
    {
        name: "bad code owner",
        stack: "staging",
        edit: (c) => {
            c[`${P}github`].codeOwners = ["platform"];
        },
        key: `${P}github.codeOwners[0]`,
    },
    {
        name: "github and a url",
        stack: "staging",
        edit: (c) => {
            c[`${P}gitopsRepository`].url = "https://github.com/a/b.git";
        },
        key: `${P}gitopsRepository.url`,
    },
    {
        name: "local without url",
        stack: "local",
        edit: (c) => {
            delete c[`${P}gitopsRepository`].url;
        },
        key: `${P}gitopsRepository.url`,
    },
];

describe("guardrails: bad input is refused with the key named and nothing declared", () => {
    it("has at least 60 cases", () => assert.ok(CASES.length >= 60, String(CASES.length)));

    for (const c of CASES) {
        it(`refuses ${c.name} (${c.key})`, async () => {
            const file = stackFile(c.stack, c.edit);
            const { result, out, err } = await captureOutput(() => planMain(["--stack", c.stack, "--config", file]));
            assert.equal(result, 1, err);
            assert.equal(out, "");
            assert.ok(err.includes(`  - ${c.key}: `), `expected ${c.key} in:\n${err}`);
            assert.equal(err.match(/Stack configuration has/g)?.length, 1, "printed once");
            assert.doesNotMatch(err, /ConfigError|__pulumiRunError|at .*\.ts:\d+/);
            assert.equal(await declaredCount(file, c.stack), 0);
        });
    }

    it("plans each checked-in stack unedited (the cases' baseline is valid)", async () => {
        for (const stack of ["staging", "production", "local"] as const) {
            assert.ok(
                (await declaredCount(
                    stackFile(stack, () => undefined),
                    stack,
                )) > 0,
                stack,
            );
        }
    });
});

describe("guardrails: one report lists every problem", () => {
    it("still checks invariants and namespaces when another section does not parse", async () => {
        const file = stackFile("production", (c) => {
            Object.assign(cluster(c), { kubernetesVersion: 1.3 });
            protection(c).requiredApprovals = 0;
            c["gitops-platfrom:teams"] = {};
        });
        const { result, err } = await captureOutput(() => planMain(["--stack", "production", "--config", file]));
        assert.equal(result, 1);
        for (const key of [
            `${P}cluster.kubernetesVersion`,
            `${P}github.protection.requiredApprovals`,
            "gitops-platfrom:teams",
        ]) {
            assert.ok(err.includes(`  - ${key}: `), key);
        }
    });

    it("never prints a secret value, whatever key it sits under", async () => {
        const file = stackFile("staging", (c) => {
            c["gitops-platfom:token"] = { secure: "v1:c2VjcmV0" };
            c[`${P}ssoClientSecre`] = { secure: "v1:c2VjcmV0" };
            c["github:token"] = "ghp_visible_if_leaked";
        });
        const { err } = await captureOutput(() => planMain(["--stack", "staging", "--config", file]));
        assert.doesNotMatch(err, /offline-plan-secret|ghp_visible_if_leaked/);
        assert.match(err, /gitops-platfom:token: .*\(got "\[secret\]"\)/);
    });
});

describe("guardrails: every production invariant is refused by npm run check", () => {
    it("names the invariant and exits non-zero", async () => {
        const file = stackFile("production", (c) => {
            protection(c).requireSignedCommits = false;
        });
        const { result, err } = await captureOutput(() => checkMain(["--stack", "production", "--config", file]));
        assert.equal(result, 1);
        assert.match(err, /production invariant signed-commits/);
        assert.ok(PRODUCTION_INVARIANTS.length >= 12);
    });
});

describe("guardrails: YAML as the Pulumi CLI reads it", () => {
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    const base = fs.readFileSync(stackFilePath("local"), "utf8");
    const bad: [string, string, RegExp][] = [
        ["a syntax error", "config:\n  gitops-platform:cluster: {type: eks\n", /:\d+:\d+: /],
        ["a duplicate key", `${base}  gitops-platform:environment: local\n`, /:\d+:\d+: Map keys must be unique/],
        ["a tab in indentation", "config:\n\tgitops-platform:environment: local\n", /:\d+:\d+: /],
        ["a list at the top", "- a\n", /expected a mapping with a "config:" mapping/],
    ];
    for (const [name, text, message] of bad) {
        it(`reports ${name} as file:line:column in one line, exit 1`, async () => {
            const file = write(`Pulumi.local.yaml`, text);
            const { result, err } = await captureOutput(() => planMain(["--stack", "local", "--config", file]));
            assert.equal(result, 1);
            assert.match(err, message);
            assert.equal(err.trim().split("\n").length, 1, err);
        });
    }

    it("reports a folder given as --config in one line", async () => {
        const { result, err } = await captureOutput(() => planMain(["--config", dir]));
        assert.equal(result, 1);
        assert.match(err, /is a folder, not a file\n$/);
    });

    it("applies merge keys (<<: *base), as go-yaml does for the CLI", () => {
        const file = write(
            "Pulumi.merge.yaml",
            "config:\n  gitops-platform:tags:\n    <<: &base {owner: platform-team}\n    team: x\n",
        );
        assert.deepEqual(JSON.parse(readStackConfig(file).config["gitops-platform:tags"]), {
            owner: "platform-team",
            team: "x",
        });
    });
});

describe("guardrails: every command answers --help with exit 0", () => {
    for (const [name, main] of [
        ["plan", planMain],
        ["check", checkMain],
    ] as const) {
        it(name, async () => {
            const { result, out } = await captureOutput(() => main(["--help"]));
            assert.equal(result, 0);
            assert.match(out, /^usage: npm run /);
        });
    }
});

describe("guardrails: the policy pack flags the same invariants on a preview", () => {
    const production = async () => (await planStack("production")).resources.map(fromPlanned);
    const edit = (r: PolicyResource, props: Record<string, unknown>, protect = r.options.protect): PolicyResource => ({
        ...r,
        props: { ...r.props, ...props },
        options: { ...r.options, protect },
    });

    it("passes production as planned", async () => {
        assert.deepEqual(checkResources(await production(), INVARIANT_RULES), []);
    });

    it("flags a weakened ruleset, an open endpoint and a missing protect, naming each invariant", async () => {
        const resources = (await production()).map((r) => {
            if (r.type === "github:index/repositoryRuleset:RepositoryRuleset") {
                const rules = r.props.rules as Record<string, Record<string, unknown>>;
                return edit(r, {
                    rules: {
                        ...rules,
                        pullRequest: { ...rules.pullRequest, requiredApprovingReviewCount: 1 },
                        nonFastForward: false,
                    },
                    bypassActors: [{ actorId: 1 }],
                });
            }
            if (r.type === "aws:eks/cluster:Cluster") {
                return edit(r, { vpcConfig: { ...(r.props.vpcConfig as object), endpointPublicAccess: true } }, false);
            }
            return r;
        });
        const messages = checkResources(resources, INVARIANT_RULES)
            .map((v) => v.message)
            .join("\n");
        for (const id of ["two-approvals", "no-force-push", "admins-bound", "private-endpoint", "protect"]) {
            assert.match(messages, new RegExp(`production invariant ${id}:`), id);
        }
    });

    it("leaves staging's rulesets to staging's rules", async () => {
        assert.deepEqual(checkResources((await planStack("staging")).resources.map(fromPlanned), INVARIANT_RULES), []);
    });
});

/**
 * Issue 25, the configuration and policy side: one test per finding that fails on the code before it
 * (production by environment, the OIDC secret out of Argo CD's values, immutable revisions and the
 * tag ruleset, tunable chart values, the lower findings, hostile input reported once).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PolicyResource as PulumiPolicyResource, StackValidationArgs } from "@pulumi/policy";
import { releaseTagRulesetArgs } from "../components/repository/tags";
import { gitRef } from "../components/gitops/flux/application";
import { main as planMain } from "../plan/cli";
import { fromPlanned } from "../policy/check";
import { stackEnvironment } from "../policy/environment";
import { PACK_RULES, policyPackArgs } from "../policy/pack";
import { checkResources, PolicyResource } from "../policy/rules";
import { SECURITY_TYPES as T } from "../policy/security";
import { TUNABLE_VALUES, untunableValues } from "../stacks/config/tunables";
import { captureOutput } from "./delivery-capture";
import { assertProblemAt, CHECKED_IN_STACKS, configProblems, edited, planStack, stackValue } from "./harness";
import { hostileStackFile } from "./production-hostile.test";

const P = "gitops-platform:";
const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::gitops-platform::${type}::${name}`;
const resource = (stack: string, type: string, name: string, props: Record<string, unknown>): PolicyResource => ({
    type,
    name,
    urn: urn(stack, type, name),
    props,
    options: { protect: true, ignoreChanges: [] },
});
const namespace = (stack: string, environment: string) =>
    resource(stack, T.namespace, "argocd-namespace", { metadata: { name: "argocd", labels: { environment } } });
const publicRepository = (stack: string) =>
    resource(stack, T.repository, "gitops-repository", { name: "gitops", visibility: "public" });

/** The pack's own entry point: a stack policy over the resources, as `pulumi preview --policy-pack` runs it. */
async function packViolations(rule: string, resources: readonly PolicyResource[]): Promise<string[]> {
    const policy = policyPackArgs.policies.find((p) => p.name === rule);
    assert.ok(policy && "validateStack" in policy, rule);
    const reported: string[] = [];
    const args = {
        resources: resources.map((r) => ({
            ...r,
            opts: { protect: true, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
            dependencies: [],
            propertyDependencies: {},
        })) as unknown as PulumiPolicyResource[],
        stackTags: new Map(),
        getConfig: <C extends object>() => ({}) as C,
        notApplicable: (): never => {
            throw new Error("not applicable");
        },
    } as StackValidationArgs;
    await policy.validateStack(args, (message) => {
        reported.push(message);
    });
    return reported;
}

describe("issue 25, finding 2: production is decided by environment, not by the stack's name", () => {
    for (const [stack, environment, flagged] of [
        ["prod", "production", true],
        ["prod", "staging", false],
        ["production", "production", true],
    ] as const) {
        it(`${flagged ? "flags" : "leaves"} a public repository in stack "${stack}" stamped ${environment}`, async () => {
            const resources = [namespace(stack, environment), publicRepository(stack)];
            const expected = flagged ? [/repository "gitops" is public in production/] : [];
            const fromPack = await packViolations("no-public-repository-in-production", resources);
            const offline = checkResources(resources, PACK_RULES).filter(
                (v) => v.rule === "no-public-repository-in-production",
            );
            for (const messages of [fromPack, offline.map((v) => v.message)]) {
                assert.equal(messages.length, expected.length, messages.join("\n"));
                expected.forEach((pattern, i) => assert.match(messages[i], pattern));
            }
        });
    }

    it("reads the stamps of Kubernetes labels and AWS tags; one production stamp is enough", () => {
        const tagged = resource("prod", "aws:kms/key:Key", "key", { tags: { environment: "production" } });
        assert.equal(stackEnvironment([tagged]), "production");
        assert.equal(stackEnvironment([namespace("prod", "staging"), tagged]), "production");
        assert.equal(stackEnvironment([namespace("prod", "staging")]), "staging");
        assert.equal(stackEnvironment([namespace("prod", "staging")], "production"), "production");
    });
});

describe("issue 25, finding 7: Argo CD's chart values are readable, so the hardening rules see them", () => {
    for (const stack of CHECKED_IN_STACKS) {
        it(`shows the engine's chart values of ${stack} in full`, async () => {
            const plan = await planStack(stack);
            const engine = plan.resources.find(
                (r) => r.type === T.helmRelease && /(^|\/)(argo-cd|flux-operator)$/.test(String(r.inputs.chart)),
            );
            assert.ok(engine, "an engine release");
            assert.equal(typeof engine.inputs.values, "object");
            assert.equal(JSON.stringify(engine.inputs.values).includes("[secret]"), false);
        });
    }

    it("flags admin, anonymous and exec planted on an SSO stack (production)", async () => {
        const planted = (await planStack("production")).resources.map(fromPlanned).map((r) => {
            if (r.type !== T.helmRelease || r.props.chart !== "argo-cd") {
                return r;
            }
            const values = structuredClone(r.props.values) as { configs: { cm: Record<string, unknown> } };
            Object.assign(values.configs.cm, {
                "admin.enabled": true,
                "users.anonymous.enabled": true,
                "exec.enabled": true,
            });
            return { ...r, props: { ...r.props, values } };
        });
        const rules = ["argocd-admin-off-in-production", "argocd-anonymous-off", "argocd-exec-off"];
        const flagged = checkResources(planted, PACK_RULES).filter((v) => rules.includes(v.rule));
        assert.deepEqual(flagged.map((v) => v.rule).sort(), [...rules].sort());
    });
});

describe("issue 25, finding 3: production revisions nobody can move without review", () => {
    const cases: [string, string, RegExp | undefined][] = [
        ["a short tag (a branch of that name could win)", "v2.14.1", /immutable revisions only/],
        ["a semver-shaped name (a range to Argo CD)", "2.14.1", /immutable revisions only/],
        ["an abbreviated SHA", "1dcaa30", /abbreviated commit SHA/],
        ["a fully qualified tag", "refs/tags/v2.14.1", undefined],
        ["a full commit SHA", "1dcaa30574cd4ce4c54a7d5ca16867f88de7ee16", undefined],
    ];
    for (const [name, revision, refused] of cases) {
        const accepted = refused === undefined;
        it(`${accepted ? "takes" : "refuses"} ${name} in production`, () => {
            const problems = configProblems("production", {
                set: edited<{ source: { revision: string } }[]>("production", `${P}apps`, (apps) => {
                    apps[0].source.revision = revision;
                }),
            });
            if (accepted) {
                assert.deepEqual(problems, []);
            } else {
                assertProblemAt(problems, `${P}apps[0].source.revision`, refused);
            }
        });
    }

    it("flags a production Application on a short tag, and takes refs/tags/ and a SHA", () => {
        const app = (targetRevision: string) =>
            resource("prod", "kubernetes:argoproj.io/v1alpha1:Application", "payments-api-application", {
                metadata: { name: "payments-api", labels: { team: "payments", environment: "production" } },
                spec: { source: { repoURL: "ssh://git@github.com/acme/payments-api.git", targetRevision } },
            });
        const flagged = (revision: string) =>
            checkResources([app(revision)], PACK_RULES).filter((v) => v.rule === "production-immutable-revisions");
        assert.equal(flagged("v2.14.1").length, 1);
        assert.deepEqual(flagged("refs/tags/v2.14.1"), []);
        assert.deepEqual(flagged("1dcaa30574cd4ce4c54a7d5ca16867f88de7ee16"), []);
    });

    it("checks a fully qualified tag out by name in Flux (source-controller GitRepositoryRef.name)", () => {
        assert.deepEqual(gitRef("refs/tags/v2.14.1"), { name: "refs/tags/v2.14.1" });
    });

    it("restricts tag creation too, with the release App as the one bypass", () => {
        const ruleset = releaseTagRulesetArgs("payments-api", 424242);
        assert.deepEqual(ruleset.rules, { creation: true, update: true, deletion: true, nonFastForward: true });
        assert.deepEqual(ruleset.bypassActors, [{ actorType: "Integration", actorId: 424242, bypassMode: "always" }]);
        assert.deepEqual(releaseTagRulesetArgs("payments-api").bypassActors, []);
    });
});

describe("issue 25: chart values are merged over an allow-list in production", () => {
    const fixtures: Record<string, string> = {
        "argo-cd": "argo-cd-10.1.1.keys",
        "flux-operator": "flux-operator-0.49.0.keys",
        "external-secrets": "external-secrets-2.9.0.keys",
    };
    for (const [chart, file] of Object.entries(fixtures)) {
        it(`allows only paths of ${chart}'s values.yaml (${file})`, () => {
            const keys = new Set(
                fs
                    .readFileSync(path.join(__dirname, "fixtures", "chart-values", file), "utf8")
                    .split("\n")
                    .filter((line) => line !== "" && !line.startsWith("#")),
            );
            for (const tunable of TUNABLE_VALUES[chart]) {
                assert.ok(keys.has(tunable.join(".")), `${tunable.join(".")} is not in ${file}`);
            }
        });
    }

    const refused: [string, Record<string, unknown>, string[]][] = [
        ["extraObjects", { extraObjects: [{ kind: "ClusterRoleBinding" }] }, ["extraObjects"]],
        ["a local account with login", { configs: { cm: { "accounts.ops": "login" } } }, ["configs"]],
        ["OIDC TLS skip-verify", { configs: { cm: { "oidc.tls.insecure.skip.verify": "true" } } }, ["configs"]],
        ["server.insecure", { configs: { params: { "server.insecure": true } } }, ["configs"]],
        ["a scalar over a component", { server: "x" }, ["server"]],
        ["a setting beside a tunable", { server: { replicas: 2, extraArgs: ["--insecure"] } }, ["server", "extraArgs"]],
    ];
    for (const [name, values, at] of refused) {
        it(`refuses ${name}, naming the key`, () => {
            assert.deepEqual(
                untunableValues("argo-cd", values).map((p) => p.path),
                [at],
            );
        });
    }

    it("takes replicas, resources and scheduling", () => {
        assert.deepEqual(
            untunableValues("argo-cd", {
                server: { replicas: 3, resources: { limits: { memory: "1Gi" } }, tolerations: [] },
                global: { nodeSelector: { pool: "system" } },
            }),
            [],
        );
    });

    const sections: [string, Record<string, unknown>, string][] = [
        ["engine", { configs: { params: { "server.insecure": true } } }, "engine.values.configs"],
        ["secrets", { rbac: { create: false } }, "secrets.values.rbac"],
        ["delivery", { dashboard: { readonlyRole: true } }, "delivery.values.dashboard"],
    ];
    for (const [section, values, key] of sections) {
        it(`refuses ${key} in production's ${section}.values`, () => {
            const current = stackValue<Record<string, unknown> | undefined>("production", `${P}${section}`) ?? {};
            const set = { [`${P}${section}`]: { ...current, values } };
            assertProblemAt(configProblems("production", { set }), `${P}${key}`, /tunable-values-only/);
        });
    }
});

describe("issue 25, finding 8 (config and pack): the lower findings", () => {
    it("refuses one-day control-plane log retention in production", () => {
        const set = edited<Record<string, unknown>>("production", `${P}cluster`, (c) => {
            c.logRetentionDays = 1;
        });
        assertProblemAt(configProblems("production", { set }), `${P}cluster.logRetentionDays`, /log-retention/);
    });

    it("refuses the bundled kube-prometheus-stack in production", () => {
        const set = edited<Record<string, unknown>>("production", `${P}monitoring`, (m) => {
            m.installPrometheusStack = true;
            delete m.selectorLabels;
        });
        assertProblemAt(
            configProblems("production", { set }),
            `${P}monitoring.installPrometheusStack`,
            /no-bundled-prometheus/,
        );
    });

    it("needs aws:allowedAccountIds in production, the account admin roles are checked against", () => {
        assertProblemAt(
            configProblems("production", { remove: ["aws:allowedAccountIds"] }),
            "aws:allowedAccountIds",
            /own-account-roles/,
        );
    });
});

describe("issue 25, finding 9: hostile input is reported once, by config validation", () => {
    it("refuses a node group mixing Graviton and x86: exit 1, the key named, printed once", async () => {
        const file = hostileStackFile((c) => {
            const cluster = c[`${P}cluster`] as { nodeGroups: Record<string, { instanceTypes: string[] }> };
            cluster.nodeGroups.apps.instanceTypes = ["m7g.2xlarge", "m6i.2xlarge"];
        });
        const { result, err } = await captureOutput(() => planMain(["--stack", "production", "--config", file]));
        assert.equal(result, 1, err);
        const line = /gitops-platform:cluster\.nodeGroups\.apps\.instanceTypes: mixes Graviton/g;
        assert.equal(err.match(line)?.length, 1, err);
        assert.match(err, /^Stack configuration has 1 problem; nothing was declared/);
    });

    it("names the real line and column of a YAML syntax error", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "yaml-")), "Pulumi.local.yaml");
        // Line 3, column 28: the unclosed flow mapping ends where the next key starts.
        fs.writeFileSync(
            file,
            "config:\n  gitops-platform:environment: local\n  gitops-platform:tags: {owner: a\n  gitops-platform:apps: []\n",
        );
        const { result, err } = await captureOutput(() => planMain(["--stack", "local", "--config", file]));
        assert.equal(result, 1);
        const [, line, column] = /:(\d+):(\d+): /.exec(err) ?? [];
        assert.notEqual(`${line}:${column}`, "0:0", err);
        assert.ok(Number(line) >= 3, err);
    });
});

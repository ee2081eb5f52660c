import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as aws from "../components/core/aws";
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { formatViolations, fromPlanned, main } from "../policy/check";
import { checkResources, RULES } from "../policy/rules";
import { SECURITY_RULES } from "../policy/security";
import { captureOutput } from "./delivery-capture";
import { CHECKED_IN_STACKS, planProgram } from "./harness";
import { PROJECT_ROOT, stackFilePath } from "../plan/stackFile";

/** The rules this program exercises; policy/security/'s are broken one by one in policy-security-check.test.ts. */
const BASE_RULES = RULES.filter((rule) => !SECURITY_RULES.includes(rule));

/** Declares one resource that complies with each base rule, or one that breaks it. */
function platformLike(broken: boolean) {
    return () => {
        const repository = new github.Repository("payments-api", {
            name: "payments-api",
            visibility: broken ? "public" : "private",
        });
        if (!broken) {
            new github.RepositoryRuleset("payments-api-ruleset", {
                repository: repository.name,
                target: "branch",
                enforcement: "active",
                rules: { deletion: true },
            });
        }
        new k8s.helm.v3.Release("argocd", { chart: "argo-cd", version: broken ? "8.x" : "8.6.4" });
        // The typed Secret keeps its data secret itself; an untyped one needs pulumi.secret().
        new k8s.core.v1.Secret("payments-api-secrets", { stringData: { "database-url": "postgres://user:pw@db" } });
        new k8s.apiextensions.CustomResource("repo-creds", {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "repo-creds" },
            stringData: { password: broken ? "hunter2" : pulumi.secret("hunter2") },
        });
        new k8s.apiextensions.CustomResource("payments-api-application", {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name: "payments-api", namespace: "argocd" },
            spec: { syncPolicy: { automated: { prune: broken, selfHeal: true } } },
        });
        new aws.eks.Cluster(
            "platform",
            {
                roleArn: "arn:aws:iam::123456789012:role/cluster",
                vpcConfig: { subnetIds: ["subnet-1", "subnet-2"] },
                encryptionConfig: broken
                    ? undefined
                    : { provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" }, resources: ["secrets"] },
            },
            { protect: true },
        );
        new aws.ec2.LaunchTemplate("general-nodes", {
            metadataOptions: { httpTokens: broken ? "optional" : "required" },
        });
        new aws.iam.Policy("external-secrets-read", {
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: broken ? "secretsmanager:*" : "secretsmanager:GetSecretValue",
                        Resource: "*",
                    },
                ],
            }),
        });
        return {};
    };
}

describe("npm run check: the rules over the offline plan", () => {
    it("finds nothing in a plan that follows every rule (secrets masked, ruleset wired by output)", async () => {
        const plan = await planProgram(platformLike(false), "production");
        assert.deepEqual(checkResources(plan.resources.map(fromPlanned), BASE_RULES), []);
    });

    it("finds exactly one violation of each rule in a plan that breaks them all", async () => {
        const plan = await planProgram(platformLike(true), "production");
        const violations = checkResources(plan.resources.map(fromPlanned), BASE_RULES);
        assert.deepEqual(
            violations.map((v) => v.rule),
            BASE_RULES.map((r) => r.name),
        );
        assert.deepEqual(
            violations.find((v) => v.rule === "no-literal-secret-data"),
            {
                rule: "no-literal-secret-data",
                urn: "urn:pulumi:production::gitops-platform::pulumi:pulumi:Stack$kubernetes:v1:Secret::repo-creds",
                message:
                    'Secret "repo-creds" has plain-text stringData.password: wrap the values in pulumi.secret(), or deliver them through External Secrets',
            },
        );
    });

    it("applies production-only rules by stack name", async () => {
        const plan = await planProgram(platformLike(true), "staging");
        const rules = checkResources(plan.resources.map(fromPlanned), BASE_RULES).map((v) => v.rule);
        const productionOnly = ["no-public-repository-in-production", "production-sync-without-prune"];
        assert.deepEqual(
            rules,
            BASE_RULES.map((r) => r.name).filter((name) => !productionOnly.includes(name)),
        );
    });

    it("formats violations with rule, message and URN", () => {
        assert.equal(
            formatViolations("production", 12, [{ rule: "launch-template-imdsv2", urn: "urn:x", message: "m" }]),
            "production: 1 policy violation(s):\n  [launch-template-imdsv2] m\n      urn:x",
        );
        assert.equal(formatViolations("local", 3, []), "local: 3 resources, no policy violations");
    });

    const badArguments: [string, string[], RegExp][] = [
        ["no stack and no file", [], /name a stack or a config file\nusage: npm run check/],
        ["a flag without its value", ["--stack"], /--stack needs a value/],
        ["--json, which only the plan takes", ["--stack", "local", "--json"], /unknown argument "--json"/],
    ];
    for (const [name, argv, message] of badArguments) {
        it(`exits 2 on ${name}`, async () => {
            const { result, err } = await captureOutput(() => main(argv));
            assert.equal(result, 2);
            assert.match(err, message);
        });
    }
});

/** A checked-in stack file with some values changed through the YAML document, written to a temp file. */
function brokenStackFile(stack: string, edits: [path: (string | number)[], value: unknown][]): string {
    const document = YAML.parseDocument(fs.readFileSync(stackFilePath(stack), "utf8"));
    for (const [keyPath, value] of edits) {
        document.setIn(["config", ...keyPath], value);
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "check-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, document.toString());
    return file;
}

describe("npm run check: checked-in stacks and stack files written to break a rule", () => {
    // Every stack file in the repository, examples too: a user copies them.
    const stackFiles = fs
        .readdirSync(PROJECT_ROOT)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined);
    it("finds the checked-in stacks among the stack files", () => {
        assert.deepEqual(
            [...CHECKED_IN_STACKS].filter((stack) => !stackFiles.includes(stack)),
            [],
        );
    });
    for (const stack of stackFiles) {
        it(`passes on Pulumi.${stack}.yaml`, async () => {
            const { result, out } = await captureOutput(() => main(["--stack", stack]));
            assert.equal(result, 0, out);
            assert.match(out, new RegExp(`^${stack}: \\d+ resources, no policy violations\\n$`));
        });
    }

    const cases: { rule: string; stack: string; edits: [(string | number)[], unknown][]; expected: RegExp }[] = [
        {
            rule: "repository-protected",
            stack: "staging",
            edits: [[["gitops-platform:github", "protection", "enabled"], false]],
            expected: /\[repository-protected\] repository "payments-api" has no ruleset or branch protection/,
        },
    ];

    // Issue 25: production invariants are refused in config too; the pack's half is broken on the plan in
    // policy-security-check.test.ts (no-public-repository-in-production).
    it("stops a public production repository at config validation (private-repositories)", async () => {
        const { result, err } = await captureOutput(() =>
            main([
                "--stack",
                "production",
                "--config",
                brokenStackFile("production", [[["gitops-platform:gitopsRepository", "visibility"], "public"]]),
            ]),
        );
        assert.equal(result, 1);
        assert.match(
            err,
            /^Stack configuration has 1 problem; nothing was declared:\n {2}- gitops-platform:gitopsRepository\.visibility: production invariant private-repositories/,
        );
    });
    for (const c of cases) {
        it(`fails on a ${c.stack} stack file that breaks ${c.rule}`, async () => {
            const { result, err } = await captureOutput(() =>
                main(["--stack", c.stack, "--config", brokenStackFile(c.stack, c.edits)]),
            );
            assert.equal(result, 1);
            assert.match(err, new RegExp(`^${c.stack}: \\d+ policy violation\\(s\\):\\n`));
            assert.match(err, c.expected);
        });
    }

    it("stops a chart version range at config validation, before any rule runs", async () => {
        const { result, err } = await captureOutput(() =>
            main([
                "--stack",
                "production",
                "--config",
                brokenStackFile("production", [[["gitops-platform:engine", "chartVersion"], "^10.1.0"]]),
            ]),
        );
        assert.equal(result, 1);
        assert.match(err, /gitops-platform:engine\.chartVersion/);
    });
});

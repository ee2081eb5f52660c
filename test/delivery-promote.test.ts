import * as assert from "node:assert/strict";
import { captureOutput } from "./delivery-capture";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, parsePromoteArgs, stackOutputs } from "../delivery/promoteCli";
import { applyChanges, parseSourceOutputs, planPromotion, SourceOutputs } from "../delivery/promote";
import { PROJECT_ROOT } from "../plan/stackFile";

const STAGING_OUTPUTS = path.join(__dirname, "fixtures", "staging-outputs.json");
const BRANCH_OUTPUTS = path.join(__dirname, "fixtures", "staging-outputs-branch.json");
const PRODUCTION_TEXT = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.production.yaml"), "utf8");
const STAGING_TEXT = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.staging.yaml"), "utf8");

const outputs = (): SourceOutputs => parseSourceOutputs(fs.readFileSync(STAGING_OUTPUTS, "utf8"), STAGING_OUTPUTS);

/** A temporary directory holding copies of the checked-in stack files. */
function workspace(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), PRODUCTION_TEXT);
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), STAGING_TEXT);
    return dir;
}

/** Runs the CLI with its output captured. */
async function run(argv: string[], dir: string): Promise<{ code: number; out: string; err: string }> {
    const { result, out, err } = await captureOutput(() => main(argv, dir));
    return { code: result, out, err };
}

const production = (dir: string) => fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");

describe("delivery promote: round trip into Pulumi.production.yaml", () => {
    it("writes the app revisions and nothing else, byte for byte", async () => {
        const dir = workspace();
        const result = await run(["--from", "staging", "--to", "production", "--outputs", STAGING_OUTPUTS], dir);
        assert.equal(result.code, 0, result.err);
        const expected = PRODUCTION_TEXT.replace(
            "        revision: refs/tags/v2.14.1\n",
            "        revision: refs/tags/v2.15.0\n",
        ).replace(
            "        revision: refs/tags/v5.3.0\n",
            "        revision: 3f9c2e1a7b4d5c6e8f90a1b2c3d4e5f6a7b8c9d0\n",
        );
        assert.notEqual(expected, PRODUCTION_TEXT);
        assert.equal(production(dir), expected);
        assert.equal(
            result.out,
            [
                "promotion staging → production changed Pulumi.production.yaml:",
                "  apps.payments-api.revision: refs/tags/v2.14.1 → refs/tags/v2.15.0",
                "  apps.checkout-web.revision: refs/tags/v5.3.0 → 3f9c2e1a7b4d5c6e8f90a1b2c3d4e5f6a7b8c9d0",
                "",
            ].join("\n"),
        );
    });

    it("with --platform also moves the engine chart, External Secrets chart and Kubernetes version, keeping comments and quotes", async () => {
        const dir = workspace();
        assert.equal(
            (await run(["--from", "staging", "--to", "production", "--platform", "--outputs", STAGING_OUTPUTS], dir))
                .code,
            0,
        );
        const text = production(dir);
        assert.ok(
            text.startsWith(
                "# Production: reached only by promotion from staging (npm run promote). Highly available,\n",
            ),
        );
        assert.ok(text.includes('    kubernetesVersion: "1.36"\n'));
        assert.ok(
            text.includes("      natGateways: onePerZone       # a zone outage must not cut the others' egress\n"),
        );
        assert.ok(text.includes(`    chartVersion: ${outputs().engine.chartVersion}\n    highAvailability: true\n`));
        assert.ok(
            text.includes(
                "    cascadeDelete: false            # a replaced Application must never delete running workloads\n",
            ),
        );
        assert.ok(text.includes("    type: aws-secrets-manager\n    chartVersion: 2.10.0\n"));
        assert.ok(text.includes("  # Encrypted with this stack's secrets provider; in a fork, set your own:\n"));
        assert.ok(
            text.includes("    secure: v1:UFJPRFVDVElPTk9OTFk=:cHJvZHVjdGlvbi1jbGllbnQtc2VjcmV0LWNpcGhlcnRleHQ=\n"),
        );
        assert.equal(text.split("\n").length, PRODUCTION_TEXT.split("\n").length);
    });

    it("with --app promotes only the named app", async () => {
        const dir = workspace();
        assert.equal(
            (
                await run(
                    ["--from", "staging", "--to", "production", "--app", "checkout-web", "--outputs", STAGING_OUTPUTS],
                    dir,
                )
            ).code,
            0,
        );
        assert.equal(
            production(dir),
            PRODUCTION_TEXT.replace(
                "        revision: refs/tags/v5.3.0\n",
                "        revision: 3f9c2e1a7b4d5c6e8f90a1b2c3d4e5f6a7b8c9d0\n",
            ),
        );
    });

    it("with --dry-run prints the summary and writes nothing", async () => {
        const dir = workspace();
        const result = await run(
            ["--from", "staging", "--to", "production", "--dry-run", "--outputs", STAGING_OUTPUTS],
            dir,
        );
        assert.equal(result.code, 0);
        assert.match(
            result.out,
            /^promotion staging → production would change Pulumi.production.yaml:\n {2}apps.payments-api.revision: refs\/tags\/v2.14.1 → refs\/tags\/v2.15.0\n/,
        );
        assert.equal(production(dir), PRODUCTION_TEXT);
    });

    it("is idempotent: the second run changes nothing and leaves the file byte-identical", async () => {
        const dir = workspace();
        const argv = ["--from", "staging", "--to", "production", "--platform", "--outputs", STAGING_OUTPUTS];
        await run(argv, dir);
        const first = production(dir);
        const second = await run(argv, dir);
        assert.equal(second.code, 0);
        assert.equal(second.out, "production already runs what staging runs: nothing to change\n");
        assert.equal(production(dir), first);
    });

    it("adds a version key the target leaves at the component default", () => {
        const target = PRODUCTION_TEXT.replace(
            /(\n {2}gitops-platform:engine:\n {4}type: argocd\n) {4}chartVersion: \S+\n/,
            "$1",
        );
        assert.notEqual(target, PRODUCTION_TEXT);
        const changes = planPromotion(
            { from: "staging", to: "production", apps: ["grafana"], platform: true },
            outputs(),
            target,
        );
        assert.deepEqual(
            changes.find((c) => c.label === "engine.chartVersion"),
            {
                path: ["gitops-platform:engine", "chartVersion"],
                label: "engine.chartVersion",
                from: undefined,
                to: outputs().engine.chartVersion,
            },
        );
        const text = applyChanges(target, changes);
        assert.ok(
            text.includes(
                `    cascadeDelete: false # a replaced Application must never delete running workloads\n    chartVersion: ${outputs().engine.chartVersion}\n`,
            ),
        );
    });

    it("quotes a plain value that YAML would read as a number", () => {
        const changes = planPromotion(
            { from: "staging", to: "production", apps: ["payments-api"], platform: false },
            { ...outputs(), apps: { "payments-api": { revision: "1234567" } } },
            PRODUCTION_TEXT,
        );
        assert.ok(applyChanges(PRODUCTION_TEXT, changes).includes('        revision: "1234567"\n'));
    });
});

describe("delivery promote: refusals write nothing", () => {
    const withoutGrafana = (o: SourceOutputs): SourceOutputs => ({
        ...o,
        apps: Object.fromEntries(Object.entries(o.apps).filter(([name]) => name !== "grafana")),
    });
    const fluxSource = (o: SourceOutputs): SourceOutputs => ({
        ...o,
        engine: { type: "flux", chartVersion: "0.33.0", appVersion: "2.7.2" },
    });
    const cases: {
        name: string;
        argv: string[];
        outputs?: (o: SourceOutputs) => SourceOutputs;
        target?: (text: string) => string;
        message: RegExp;
    }[] = [
        {
            name: "an --app the source stack does not run",
            argv: ["--app", "billing"],
            message:
                /app "billing" is not in stack staging's outputs \(it has: payments-api, checkout-web, grafana\); nothing was written/,
        },
        {
            name: "a target app the source stack does not run",
            argv: [],
            outputs: withoutGrafana,
            message:
                /stack production has app\(s\) grafana that stack staging does not run: promote the others with --app, or add them to staging first; nothing was written/,
        },
        {
            name: "an --app the target stack does not list",
            argv: ["--app", "grafana"],
            target: (text) => text.replace(/ {4}- name: grafana[\s\S]*?size: 10Gi\n/, ""),
            message: /app "grafana" is not in Pulumi.production.yaml: add it to gitops-platform:apps first/,
        },
        {
            name: "a revision that is a branch when the target is production",
            argv: ["--outputs", BRANCH_OUTPUTS],
            message:
                /production takes immutable revisions only .* but stack staging runs branches: payments-api → "main"; pin a tag in staging first; nothing was written/,
        },
        {
            name: "source and target the same",
            argv: ["--to", "staging"],
            message:
                /source and target are both "staging": promotion moves versions from one stack into another; nothing was written/,
        },
        {
            name: "a source that is not the target's declared promotion source",
            argv: ["--from", "local"],
            message:
                /Pulumi.production.yaml declares gitops-platform:promotion.from: staging, not local; nothing was written/,
        },
        // Issue 14: a chart older than the target's is a downgrade, refused unless --allow-downgrade.
        {
            name: "a platform downgrade",
            argv: ["--platform"],
            outputs: (o) => ({ ...o, secrets: { type: "aws-secrets-manager", chartVersion: "2.8.0" } }),
            message:
                /stack staging runs older versions than production: secrets.chartVersion 2.9.0 → 2.8.0; pass --allow-downgrade/,
        },
        // kube-proxy builds are per Kubernetes minor version (EKS user guide, managing kube-proxy): a
        // control-plane version moved without its add-ons is a file the schema refuses.
        {
            name: "a Kubernetes version without its add-ons",
            argv: ["--platform"],
            outputs: (o) => ({ ...o, cluster: { ...o.cluster, addons: undefined } }),
            message:
                /would not validate; nothing was written\n[\s\S]*cluster.addons.kubeProxy: kube-proxy must match kubernetesVersion 1.36/,
        },
        {
            name: "platform versions between different engines",
            argv: ["--platform"],
            outputs: fluxSource,
            message:
                /stack staging runs engine flux and stack production runs argocd: platform versions only promote between stacks of the same engine; nothing was written/,
        },
    ];
    for (const c of cases) {
        it(`refuses ${c.name}`, async () => {
            const dir = workspace();
            const outputsFile = path.join(dir, "outputs.json");
            fs.writeFileSync(outputsFile, JSON.stringify((c.outputs ?? ((o) => o))(outputs())));
            const target = (c.target ?? ((t) => t))(PRODUCTION_TEXT);
            fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), target);
            // Later flags win, so a case can replace --from, --to or --outputs.
            const result = await run(
                ["--from", "staging", "--to", "production", "--outputs", outputsFile, ...c.argv],
                dir,
            );
            assert.equal(result.code, 1);
            assert.match(result.err, /^promotion refused: /);
            assert.match(result.err, c.message);
            assert.equal(production(dir), target);
            assert.equal(fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8"), STAGING_TEXT);
        });
    }

    it("writes a downgrade with --allow-downgrade", async () => {
        const dir = workspace();
        const outputsFile = path.join(dir, "outputs.json");
        fs.writeFileSync(
            outputsFile,
            JSON.stringify({ ...outputs(), secrets: { type: "aws-secrets-manager", chartVersion: "2.8.0" } }),
        );
        const result = await run(
            ["--from", "staging", "--to", "production", "--platform", "--allow-downgrade", "--outputs", outputsFile],
            dir,
        );
        assert.equal(result.code, 0, result.err);
        assert.ok(production(dir).includes("    type: aws-secrets-manager\n    chartVersion: 2.8.0\n"));
    });

    it("moves no External Secrets chart from or to a sealed-secrets stack", async () => {
        const dir = workspace();
        const outputsFile = path.join(dir, "outputs.json");
        fs.writeFileSync(
            outputsFile,
            JSON.stringify({ ...outputs(), secrets: { type: "sealed-secrets", chartVersion: "2.18.5" } }),
        );
        const args = ["--from", "staging", "--to", "production", "--platform", "--outputs", outputsFile];
        assert.equal((await run(args, dir)).code, 0);
        assert.doesNotMatch(production(dir), /chartVersion: 2\.18\.5/);
        const target = PRODUCTION_TEXT.replace(
            "    type: aws-secrets-manager\n    chartVersion: 2.9.0\n",
            "    type: sealed-secrets\n",
        );
        assert.notEqual(target, PRODUCTION_TEXT);
        fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), target);
        fs.writeFileSync(outputsFile, JSON.stringify(outputs()));
        const result = await run(args, dir);
        assert.equal(result.code, 0, result.err);
        assert.doesNotMatch(result.out, /secrets\.chartVersion/);
    });

    it("moves the EKS add-ons with the Kubernetes version", async () => {
        const dir = workspace();
        assert.equal(
            (await run(["--from", "staging", "--to", "production", "--platform", "--outputs", STAGING_OUTPUTS], dir))
                .code,
            0,
        );
        const text = production(dir);
        for (const [name, version] of Object.entries(outputs().cluster.addons ?? {})) {
            assert.ok(text.includes(`      ${name}: ${version}\n`), name);
        }
    });

    it("refuses outputs that are not JSON, or a missing outputs file, in one line", async () => {
        const dir = workspace();
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, "{ not json");
        const notJson = await run(["--from", "staging", "--to", "production", "--outputs", bad], dir);
        assert.equal(notJson.code, 1);
        assert.match(notJson.err, /^promotion refused: the outputs in .*bad.json are not JSON/);
        const missing = await run(
            ["--from", "staging", "--to", "production", "--outputs", path.join(dir, "none.json")],
            dir,
        );
        assert.equal(missing.code, 1);
        assert.match(missing.err, /^outputs file .*none.json: no such file\n$/);
        assert.equal(production(dir), PRODUCTION_TEXT);
    });

    it("refuses outputs that break the contract, naming the key", () => {
        assert.throws(
            () => parseSourceOutputs(JSON.stringify({ ...outputs(), apps: { web: {} } }), "out.json"),
            /the outputs in out.json do not follow the stack-output contract:\n {2}apps.web.revision: /,
        );
    });
});

describe("delivery promote: flux platform versions", () => {
    it("moves the operator chart and the distribution version", () => {
        const target =
            "config:\n  gitops-platform:environment: staging\n  gitops-platform:engine:\n    type: flux # operator-managed\n    operatorChartVersion: 0.32.0\n    distributionVersion: 2.6.4\n";
        const flux = {
            ...outputs(),
            apps: {},
            secrets: undefined,
            engine: { type: "flux" as const, chartVersion: "0.33.0", appVersion: "2.7.2" },
        };
        const changes = planPromotion({ from: "local", to: "staging", apps: [], platform: true }, flux, target);
        assert.equal(
            applyChanges(target, changes),
            "config:\n  gitops-platform:environment: staging\n  gitops-platform:engine:\n    type: flux # operator-managed\n    operatorChartVersion: 0.33.0\n    distributionVersion: 2.7.2\n",
        );
    });
});

describe("delivery promote: arguments", () => {
    it("collects repeated --app and the switches", () => {
        assert.deepEqual(
            parsePromoteArgs([
                "--from",
                "staging",
                "--to",
                "production",
                "--app",
                "a",
                "--app",
                "b",
                "--platform",
                "--dry-run",
            ]),
            {
                from: "staging",
                to: "production",
                apps: ["a", "b"],
                platform: true,
                dryRun: true,
                allowDowngrade: false,
                outputsFile: undefined,
            },
        );
    });

    it("exits 2 naming the problem for a missing --to, a flag without value and an unknown flag", async () => {
        const dir = workspace();
        assert.match((await run(["--from", "staging"], dir)).err, /--from and --to are required/);
        assert.match((await run(["--from", "--to", "production"], dir)).err, /--from needs a value/);
        assert.equal((await run(["--from", "staging", "--to", "production", "--yes"], dir)).code, 2);
    });

    it("writes only this project's stack files: a --to or --from with a path exits 2", async () => {
        const dir = workspace();
        for (const stack of ["../production", "../../etc/x", "/tmp/production", ".hidden"]) {
            const result = await run(["--from", "staging", "--to", stack, "--outputs", STAGING_OUTPUTS], dir);
            assert.equal(result.code, 2, stack);
            assert.match(result.err, /--to expects a stack name of this project/);
        }
    });

    it("prints its usage and exits 0 on --help, writing nothing", async () => {
        const dir = workspace();
        const result = await run(
            ["--help", "--from", "staging", "--to", "production", "--outputs", STAGING_OUTPUTS],
            dir,
        );
        assert.equal(result.code, 0);
        assert.match(result.out, /^usage: npm run promote -- --from <stack> --to <stack>/);
        assert.equal(production(dir), PRODUCTION_TEXT);
    });
});

describe("delivery promote: reading outputs through the Pulumi CLI", () => {
    it("refuses, naming --outputs, when the CLI is missing", () => {
        assert.throws(
            () => stackOutputs("staging", "pulumi-not-installed-here"),
            /cannot read stack staging's outputs \(the Pulumi CLI is not installed\): log in to its backend, or pass --outputs <file>/,
        );
    });

    it("parses what the CLI prints", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        const cli = path.join(dir, "pulumi");
        fs.writeFileSync(
            cli,
            `#!/bin/sh\n[ "$*" = "stack output --json --stack staging" ] && cat ${JSON.stringify(STAGING_OUTPUTS)}\n`,
            { mode: 0o755 },
        );
        assert.equal(stackOutputs("staging", cli).apps["payments-api"].revision, "refs/tags/v2.15.0");
    });
});

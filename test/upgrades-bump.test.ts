/** `npm run bump` on recorded answers: what it writes, what it prints, and that the result plans. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bumps, checkPins, newestInLine } from "../delivery/bump";
import { main, USAGE } from "../delivery/bumpCli";
import { runPlan } from "../plan/run";
import { PROJECT_ROOT, stackConfigFromText } from "../plan/stackFile";
import { CommandResult, Recording, recordedRunner, recordingRunner } from "../preflight/runner";
import { runPlatform } from "../stacks";
import { PROJECT } from "../stacks/config";
import { captureOutput } from "./delivery-capture";
import { ofType, platformConfig } from "./harness";

const RECORDING = path.join(__dirname, "fixtures", "bump", "staging.json");
const STAGING = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.staging.yaml"), "utf8");

/** A project folder with Pulumi.yaml and a copy of Pulumi.staging.yaml. */
function workspace(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bump-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), STAGING);
    return dir;
}

async function bump(argv: string[], dir: string, recording: Recording | string = RECORDING) {
    const runner =
        typeof recording === "string" ? recordingRunner(recording) : recordedRunner(recording, path.dirname(RECORDING));
    const { result, out, err } = await captureOutput(() => main(argv, dir, runner));
    return {
        code: result,
        out,
        err,
        calls: runner.calls,
        file: fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8"),
    };
}

/** Staging as the recorded answers bump it: each pin replaced in place, the AMI release added under the cluster. */
const BUMPED = STAGING.replace("vpcCni: v1.19.5-eksbuild.1", "vpcCni: v1.19.5-eksbuild.10")
    .replace("coreDns: v1.14.2-eksbuild.4", "coreDns: v1.14.2-eksbuild.9")
    .replace("kubeProxy: v1.35.3-eksbuild.2", "kubeProxy: v1.35.3-eksbuild.17")
    .replace("podIdentityAgent: v1.3.7-eksbuild.2", "podIdentityAgent: v1.3.10-eksbuild.3")
    .replace("    chartVersion: 2.9.0\n", "    chartVersion: 2.9.2\n");

describe("upgrades: npm run bump", () => {
    it("--help explains the options and exit codes and asks no source", async () => {
        const dir = workspace();
        const { code, out, calls, file } = await bump(["--stack", "staging", "--help"], dir);
        assert.equal(code, 0);
        assert.equal(out, `${USAGE}\n`);
        for (const text of [
            "--stack <name>",
            "--dry-run",
            "--recorded <file>",
            "Exits 0",
            "1 when",
            "2 on bad arguments",
        ]) {
            assert.ok(USAGE.includes(text), text);
        }
        assert.deepEqual(calls, []);
        assert.equal(file, STAGING);
    });

    it("writes the newest pins within each line into the stack file, comments kept, with a link to each release", async () => {
        const dir = workspace();
        const { code, out, file } = await bump(["--stack", "staging"], dir);
        assert.equal(code, 0, out);
        // Every line of the original is still there but the bumped ones; the AMI release is added.
        const added = file.split("\n").filter((line) => !BUMPED.split("\n").includes(line));
        assert.deepEqual(added, ["    nodeAmiReleaseVersion: 1.35.7-20260827"]);
        assert.equal(file.replace("    nodeAmiReleaseVersion: 1.35.7-20260827\n", ""), BUMPED);
        for (const line of [
            "  cluster.addons.vpcCni: v1.19.5-eksbuild.1 → v1.19.5-eksbuild.10  https://github.com/aws/amazon-vpc-cni-k8s/releases/tag/v1.19.5",
            "  cluster.addons.kubeProxy: v1.35.3-eksbuild.2 → v1.35.3-eksbuild.17  https://github.com/kubernetes/kubernetes/releases/tag/v1.35.3",
            "  cluster.nodeAmiReleaseVersion: 1.35.6-20260728 → 1.35.7-20260827  https://github.com/awslabs/amazon-eks-ami/releases/tag/v20260827",
            "  secrets.chartVersion: 2.9.0 → 2.9.2  https://github.com/external-secrets/external-secrets/releases/tag/helm-chart-2.9.2",
        ]) {
            assert.ok(out.split("\n").includes(line), `missing: ${line}\n${out}`);
        }
        // Neither vpc-cni v1.20 (another line), external-secrets 3.0.0 (another major) nor 2.10.0-rc.1 (a pre-release).
        assert.ok(!/v1\.20\.1|3\.0\.0|rc\.1/.test(file));
    });

    it("takes back a version the config refuses, saying why (argo-cd 10.2.0 has no known Argo CD version)", async () => {
        const dir = workspace();
        const { out, file } = await bump(["--stack", "staging"], dir);
        assert.ok(file.includes("    chartVersion: 10.1.1\n"));
        assert.match(
            out,
            /engine\.chartVersion 10\.1\.1: 10\.2\.0 is newer, but the config refuses it: expected an argo-cd chart version whose Argo CD version is known/,
        );
    });

    it("writes a stack file that plans: the new builds declared, every node group on the new AMI release", async () => {
        const dir = workspace();
        const { file } = await bump(["--stack", "staging"], dir);
        const { config, secretKeys } = stackConfigFromText(path.join(dir, "Pulumi.staging.yaml"), file, dir);
        const { resources } = await runPlan({ project: PROJECT, stack: "staging", config, secretKeys }, runPlatform);
        const builds = Object.fromEntries(
            ofType(resources, "aws:eks/addon:Addon").map((a) => [String(a.inputs.addonName), a.inputs.addonVersion]),
        );
        assert.equal(builds["vpc-cni"], "v1.19.5-eksbuild.10");
        assert.equal(builds["kube-proxy"], "v1.35.3-eksbuild.17");
        assert.deepEqual(
            ofType(resources, "aws:eks/nodeGroup:NodeGroup").map((g) => [g.inputs.version, g.inputs.releaseVersion]),
            [["1.35", "1.35.7-20260827"]],
        );
        const external = ofType(resources, "kubernetes:helm.sh/v3:Release").find(
            (r) => r.inputs.chart === "external-secrets",
        );
        assert.equal(external?.inputs.version, "2.9.2");
    });

    it("is idempotent: a second run changes nothing", async () => {
        const dir = workspace();
        const first = await bump(["--stack", "staging"], dir);
        const second = await bump(["--stack", "staging"], dir);
        assert.equal(second.code, 0);
        assert.equal(second.file, first.file);
        assert.match(
            second.out,
            /^Pulumi\.staging\.yaml already runs the newest versions its version set \(Kubernetes 1\.35\) allows/,
        );
    });

    it("--dry-run prints the changes and writes nothing", async () => {
        const dir = workspace();
        const { code, out, file } = await bump(["--stack", "staging", "--dry-run"], dir);
        assert.equal(code, 0);
        assert.match(out, /^Pulumi\.staging\.yaml would pin/);
        assert.equal(file, STAGING);
    });

    it("lists a pin whose source cannot be asked under Notes, and bumps the others", async () => {
        const recording = JSON.parse(fs.readFileSync(RECORDING, "utf8")) as { commands: Record<string, CommandResult> };
        const key = Object.keys(recording.commands).find((k) => k.includes("--addon-name kube-proxy"))!;
        recording.commands[key] = { exitCode: 253, stdout: "", stderr: "Unable to locate credentials." };
        const dir = workspace();
        const { code, out, file } = await bump(["--stack", "staging"], dir, recording);
        assert.equal(code, 0);
        assert.ok(file.includes("kubeProxy: v1.35.3-eksbuild.2\n"));
        assert.ok(file.includes("vpcCni: v1.19.5-eksbuild.10\n"));
        assert.match(
            out,
            /cluster\.addons\.kubeProxy v1\.35\.3-eksbuild\.2: not checked: .*Unable to locate credentials/,
        );
    });

    it("exits 1 when a pin is not offered and nothing in its line is, naming the fix", async () => {
        const recording = JSON.parse(fs.readFileSync(RECORDING, "utf8")) as { commands: Record<string, CommandResult> };
        const key = Object.keys(recording.commands).find((k) => k.includes("--addon-name vpc-cni"))!;
        recording.commands[key] = {
            ...recording.commands[key],
            stdout: recording.commands[key].stdout.replace(/v1\.19\.5-eksbuild\.(10|1)/g, "v1.21.0-eksbuild.$1"),
        };
        const dir = workspace();
        const { code, out } = await bump(["--stack", "staging", "--dry-run"], dir, recording);
        assert.equal(code, 1);
        assert.match(
            out,
            /cluster\.addons\.vpcCni v1\.19\.5-eksbuild\.1: its source offers nothing in the line of v1\.19\.5-eksbuild\.1: the version set must move/,
        );
    });

    for (const [argv, message] of [
        [[], /--stack is required/],
        [["--stack", "../x"], /--stack expects a stack name/],
        [["--stack", "nowhere"], /no stack file .*Pulumi\.nowhere\.yaml/],
        [["--stack", "staging", "--force"], /unknown argument "--force"/],
    ] as const) {
        it(`exits 2 on ${argv.join(" ") || "no arguments"}`, async () => {
            const { code, err } = await bump([...argv], workspace());
            assert.equal(code, 2);
            assert.match(err, message);
        });
    }
});

describe("upgrades: bump picks within the line", () => {
    it("add-on builds: the newest of the same major.minor, build numbers compared as numbers", () => {
        assert.equal(
            newestInLine("addon", "v1.19.5-eksbuild.1", [
                "v1.20.1-eksbuild.3",
                "v1.19.5-eksbuild.9",
                "v1.19.5-eksbuild.10",
            ]),
            "v1.19.5-eksbuild.10",
        );
    });

    it("charts: the newest stable release of the same major", () => {
        assert.equal(newestInLine("chart", "2.9.0", ["3.0.0", "2.10.0-rc.1", "2.9.2", "2.9.0"]), "2.9.2");
        assert.equal(newestInLine("chart", "0.58.1", ["0.59.0", "0.58.3"]), "0.58.3");
        assert.equal(newestInLine("chart", "2.9.0", ["3.0.0"]), undefined);
    });
});

/** A recording's HTTP answers with their bodyFiles read in, so recordings of several folders combine. */
function inlined(file: string): NonNullable<Recording["http"]> {
    const recording = JSON.parse(fs.readFileSync(file, "utf8")) as Recording;
    const inline = (answer: object) =>
        "bodyFile" in answer
            ? {
                  ...answer,
                  bodyFile: undefined,
                  body: fs.readFileSync(path.join(path.dirname(file), String(answer.bodyFile)), "utf8"),
              }
            : answer;
    return Object.fromEntries(
        Object.entries(recording.http ?? {}).map(([key, answer]) => [
            key,
            Array.isArray(answer) ? answer.map(inline) : inline(answer as object),
        ]),
    ) as NonNullable<Recording["http"]>;
}

describe("upgrades: bump on a Flux stack", () => {
    it("checks the flux-operator chart (OCI) and the Flux distribution (fluxcd/flux2 releases), stable releases of the line only", async () => {
        const preflight = path.join(__dirname, "fixtures", "preflight");
        const runner = recordedRunner({
            http: {
                ...inlined(path.join(preflight, "charts.json")),
                ...inlined(path.join(preflight, "github-releases-flux2.json")),
                ...inlined(RECORDING),
            },
        });
        const checks = await checkPins(runner, platformConfig("local"));
        const byLabel = Object.fromEntries(checks.map((c) => [c.label, c]));
        assert.deepEqual(
            [byLabel["engine.distributionVersion"].newest, byLabel["engine.distributionVersion"].link],
            ["2.9.4", "https://github.com/fluxcd/flux2/releases/tag/v2.9.4"],
        );
        assert.equal(byLabel["engine.operatorChartVersion"].newest, "0.58.1");
        assert.deepEqual(
            bumps(checks).map((c) => c.label),
            ["secrets.chartVersion"],
        );
    });
});

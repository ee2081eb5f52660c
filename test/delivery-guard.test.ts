import * as os from "os";
import * as assert from "node:assert/strict";
import { captureOutput } from "./delivery-capture";
import * as fs from "fs";
import * as path from "path";
import { destructiveChanges, judge, main, parsePreview, parseUrn } from "../delivery/guard";

const fixture = (name: string) => path.join(__dirname, "fixtures", name);
const steps = (name: string) => parsePreview(fs.readFileSync(fixture(name), "utf8"));
const P = "urn:pulumi:production::gitops-platform::";

/** Runs the CLI with its output captured. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const { result, out, err } = await captureOutput(() => main(argv));
    return { code: result, out, err };
}

describe("delivery guard: parsing pulumi preview --json", () => {
    it("takes the type after the last $ of a nested URN, and the name", () => {
        assert.deepEqual(parseUrn(`${P}gitops-platform:cluster:EksCluster$aws:eks/cluster:Cluster::platform-cluster`), {
            type: "aws:eks/cluster:Cluster",
            name: "platform-cluster",
        });
        assert.deepEqual(parseUrn(`${P}pulumi:providers:kubernetes::k8s`), {
            type: "pulumi:providers:kubernetes",
            name: "k8s",
        });
    });

    it("rejects text that is not a URN", () => {
        assert.throws(() => parseUrn("platform-cluster"), /not a Pulumi URN: platform-cluster/);
    });

    it("rejects output that is not preview JSON instead of passing it", () => {
        assert.throws(() => parsePreview("Previewing update (production)"), /preview output is not JSON/);
        assert.throws(() => parsePreview("[]"), /not a JSON object with "steps"/);
        assert.throws(
            () => parsePreview(JSON.stringify({ steps: [{ op: "delete" }] })),
            /"steps" must be a list of \{op, urn\}/,
        );
    });

    // Fails closed (issue 14): previewDigest's steps and changeSummary are omitempty
    // (pulumi/pulumi pkg/backend/display/json.go), and a complete preview always has the stack's step.
    const stackStep = {
        op: "same",
        urn: "urn:pulumi:production::gitops-platform::pulumi:pulumi:Stack::gitops-platform-production",
    };
    const incomplete: [string, unknown, RegExp][] = [
        ["no steps at all", { changeSummary: { same: 12 } }, /"steps" must be a list/],
        ["an empty object", {}, /"steps" must be a list/],
        ["an empty step list", { steps: [], changeSummary: {} }, /no step for the stack resource/],
        [
            "steps without the stack resource",
            { steps: [{ op: "same", urn: "urn:pulumi:p::gitops-platform::aws:kms/key:Key::k" }], changeSummary: {} },
            /no step for the stack resource/,
        ],
        ["no change summary (cut short)", { steps: [stackStep] }, /no "changeSummary"/],
        [
            "a preview that reported errors",
            { steps: [stackStep], changeSummary: {}, diagnostics: [{ severity: "error", message: "boom" }] },
            /reported 1 error\(s\).*boom/,
        ],
    ];
    for (const [name, document, message] of incomplete) {
        it(`rejects ${name}`, () => {
            assert.throws(() => parsePreview(JSON.stringify(document)), message);
        });
    }

    it("reads a complete preview with no changes as the stack's step only", () => {
        assert.deepEqual(parsePreview(JSON.stringify({ steps: [stackStep], changeSummary: { same: 1 } })), [stackStep]);
    });
});

describe("delivery guard: destructive changes", () => {
    it("finds nothing in a preview that updates the cluster and replaces unguarded resources", () => {
        assert.deepEqual(destructiveChanges(steps("preview-safe.json")), []);
    });

    it("names each guarded resource once, replacement or deletion, with the replace reasons", () => {
        assert.deepEqual(
            destructiveChanges(steps("preview-destructive.json")).map((c) => [
                c.action,
                c.what,
                c.name,
                c.replaceReasons,
            ]),
            [
                ["replace", "EKS cluster", "platform-cluster", ["vpcConfig.subnetIds"]],
                ["replace", "Kubernetes provider", "platform-k8s", ["kubeconfig"]],
                ["delete", "GitHub repository", "checkout-web", []],
                ["delete", "Kubernetes namespace", "checkout-web-ns", []],
                ["delete", "KMS key", "platform-secrets-key", []],
            ],
        );
    });

    it("fails with the list and the override label's name when not allowed", () => {
        const verdict = judge(destructiveChanges(steps("preview-destructive.json")), false);
        assert.equal(verdict.ok, false);
        assert.match(
            verdict.report,
            /^this change would destroy resources that hold data or running workloads:\n {2}replace EKS cluster "platform-cluster" \(urn:pulumi:production::gitops-platform::gitops-platform:cluster:EksCluster\$aws:eks\/cluster:Cluster::platform-cluster\) because of: vpcConfig.subnetIds\n/,
        );
        assert.match(
            verdict.report,
            /a reviewer adds the label "allow-destructive" and approves its head commit \(delivery\/allowance\.ts\); on staging or production, run the workflow by hand with allow-destructive\.$/,
        );
    });

    it("passes with the same list when the override label is present", () => {
        const verdict = judge(destructiveChanges(steps("preview-destructive.json")), true);
        assert.equal(verdict.ok, true);
        assert.match(
            verdict.report,
            /^allowed by the "allow-destructive" label:\n {2}replace EKS cluster "platform-cluster"/,
        );
    });
});

describe("delivery guard: CLI", () => {
    it("exits 0 on a safe preview", async () => {
        const result = await run([fixture("preview-safe.json")]);
        assert.equal(result.code, 0);
        assert.match(
            result.out,
            /no cluster, KMS key, repository, namespace or Kubernetes provider would be replaced or deleted/,
        );
    });

    it("exits 1 on a destructive preview, naming the KMS key on stderr", async () => {
        const result = await run([fixture("preview-safe.json"), fixture("preview-destructive.json")]);
        assert.equal(result.code, 1);
        assert.match(result.err, /delete KMS key "platform-secrets-key"/);
    });

    it("exits 0 on a destructive preview with --allow", async () => {
        assert.equal((await run([fixture("preview-destructive.json"), "--allow"])).code, 0);
    });

    it("exits 2 without a file or with an unknown flag", async () => {
        assert.equal((await run([])).code, 2);
        assert.match((await run([fixture("preview-safe.json"), "--force"])).err, /usage: ts-node delivery\/guard.ts/);
    });

    it("prints its usage and exits 0 on --help", async () => {
        const result = await run(["--help"]);
        assert.equal(result.code, 0);
        assert.match(result.out, /^usage: ts-node delivery\/guard.ts/);
    });

    it("exits 1 with one line on an empty, malformed or missing preview file", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-"));
        fs.writeFileSync(path.join(dir, "empty.json"), "");
        fs.writeFileSync(path.join(dir, "bad.json"), "{ steps");
        for (const file of ["empty.json", "bad.json", "missing.json", "."]) {
            const result = await run([path.join(dir, file)]);
            assert.equal(result.code, 1, file);
            assert.equal(result.err.trim().split("\n").length, 1, result.err);
        }
    });
});

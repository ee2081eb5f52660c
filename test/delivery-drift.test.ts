/**
 * The drift report on recorded inputs: `pulumi preview --json` documents (display.PreviewStep with op,
 * urn, diffReasons, replaceReasons) and `kubectl get -o json` Lists of Applications, Kustomizations,
 * HelmReleases and ExternalSecrets, in the four cases clean, IaC only, GitOps only, both.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { driftReport, formatReport, gitopsProblems, iacChanges } from "../delivery/drift";
import { DriftReport } from "../delivery/drift";
import { main, parseDriftArgs } from "../delivery/driftCli";
import { captureOutput } from "./delivery-capture";

const FIXTURES = path.join(__dirname, "fixtures", "drift");
const fixture = (name: string) => path.join(FIXTURES, name);
const read = (name: string) => fs.readFileSync(fixture(name), "utf8");

async function run(preview: string, cluster: string) {
    return captureOutput(() =>
        main(["--stack", "staging", "--json", "--preview", fixture(preview), "--cluster-dir", fixture(cluster)]),
    );
}

describe("drift report", () => {
    it("clean: exit 0, no IaC change, every GitOps object converged, the other engine's kinds noted as not installed", async () => {
        const { result, out } = await run("preview-clean.json", "cluster-clean");
        const report = JSON.parse(out) as DriftReport;
        assert.strictEqual(result, 0);
        assert.deepStrictEqual(report, {
            stack: "staging",
            drift: false,
            iac: [],
            gitops: [],
            notInstalled: ["Kustomization", "HelmRelease"],
        });
    });

    it("IaC drift only: exit 5, the changed resources with the properties that differ", async () => {
        const { result, out } = await run("preview-changed.json", "cluster-clean");
        const report = JSON.parse(out) as DriftReport;
        assert.strictEqual(result, 5, "drift is a finding (docs/commands.md)");
        assert.deepStrictEqual(report.gitops, []);
        assert.deepStrictEqual(report.iac, [
            {
                type: "aws:eks/cluster:Cluster",
                name: "platform-cluster",
                op: "update",
                properties: ["tags", "vpcConfig"],
            },
            {
                type: "kubernetes:core/v1:Secret",
                name: "argocd-cluster-in-cluster",
                op: "replace",
                properties: ["metadata"],
            },
        ]);
    });

    it("GitOps drift only: exit 5, each unconverged object with its state and the engine's message", async () => {
        const { result, out } = await run("preview-clean.json", "cluster-drifted");
        const report = JSON.parse(out) as DriftReport;
        assert.strictEqual(result, 5, "drift is a finding (docs/commands.md)");
        assert.deepStrictEqual(report.iac, []);
        assert.deepStrictEqual(
            report.gitops.map((p: { kind: string; name: string; state: string }) => `${p.kind}/${p.name}: ${p.state}`),
            [
                "Application/payments-api: OutOfSync/Healthy",
                "Application/checkout-web: Synced/Degraded",
                "Kustomization/podinfo: Ready=False (ReconciliationFailed)",
                "Kustomization/infra: suspended",
                "HelmRelease/grafana: no Ready condition",
                "ExternalSecret/payments-api: Ready=False (SecretSyncedError)",
            ],
        );
        assert.deepStrictEqual(report.notInstalled, []);
        // A failed sync's condition is the message; a degraded app's health message when no operation failed.
        assert.strictEqual(report.gitops[0].message, "one or more objects failed to apply");
        assert.strictEqual(report.gitops[1].message, "Deployment exceeded its progress deadline");
    });

    it("both: exit 5 and the text report lists IaC and GitOps drift together", async () => {
        const { result, out } = await captureOutput(() =>
            main([
                "--stack",
                "staging",
                "--preview",
                fixture("preview-changed.json"),
                "--cluster-dir",
                fixture("cluster-drifted"),
            ]),
        );
        assert.strictEqual(result, 5, "drift is a finding (docs/commands.md)");
        assert.match(out, /^# Drift report: staging\n\nDrift found\./);
        assert.match(
            out,
            /## Infrastructure \(pulumi preview\): 2 change\(s\)\n- update aws:eks\/cluster:Cluster platform-cluster: tags, vpcConfig\n/,
        );
        assert.match(out, /## GitOps \(cluster\): 6 not converged\n/);
        assert.match(
            out,
            /- ExternalSecret payments-api\/payments-api: Ready=False \(SecretSyncedError\) — could not get secret data from provider\n/,
        );
    });

    it("reads of .get resources are not changes; everything but same/read is", () => {
        assert.deepStrictEqual(iacChanges(read("preview-clean.json")), []);
        const preview = JSON.stringify({
            steps: [
                { op: "same", urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s" },
                { op: "delete", urn: "urn:pulumi:s::p::aws:s3/bucket:Bucket::b" },
            ],
            changeSummary: { same: 1, delete: 1 },
        });
        assert.deepStrictEqual(iacChanges(preview), [
            { type: "aws:s3/bucket:Bucket", name: "b", op: "delete", properties: [] },
        ]);
    });

    it("input that is not what the tools print is an error, not a clean report", () => {
        assert.throws(() => iacChanges("[]"), /not a JSON object with "steps"/);
        assert.throws(
            () => gitopsProblems("Kustomization", JSON.stringify({ kind: "Kustomization" })),
            /expected the List/,
        );
    });

    it("the text of a clean report says so", () => {
        const report = driftReport({ stack: "production", preview: read("preview-clean.json"), cluster: {} });
        assert.match(formatReport(report), /No drift/);
        assert.strictEqual(report.drift, false);
    });

    it("arguments: --stack is required, unknown options are refused with exit 2", async () => {
        assert.deepStrictEqual(parseDriftArgs(["--stack", "production", "--kubeconfig", "/tmp/k"]), {
            stack: "production",
            json: false,
            previewFile: undefined,
            clusterDir: undefined,
            kubeconfig: "/tmp/k",
            context: undefined,
        });
        for (const argv of [[], ["--stack"], ["--stack", "staging", "--bogus"], ["extra"]]) {
            const { result, err } = await captureOutput(() => main(argv));
            assert.strictEqual(result, 2, argv.join(" "));
            assert.match(err, /usage: npm run drift/);
        }
    });
});

/** The guard refuses a preview whose EKS cluster would skip a Kubernetes minor or go back. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../delivery/guard";
import { kubernetesJumps } from "../delivery/upgradeGuard";
import { captureOutput } from "./delivery-capture";

const SAFE = path.join(__dirname, "fixtures", "preview-safe.json");

/** preview-safe.json with the EKS cluster's update going from `deployed` to `next`. */
function previewWith(deployed: string, next: string): string {
    const preview = JSON.parse(fs.readFileSync(SAFE, "utf8")) as {
        steps: { urn: string; oldState?: { inputs?: object }; newState?: { inputs?: object } }[];
    };
    const cluster = preview.steps.find((s) => s.urn.endsWith("aws:eks/cluster:Cluster::platform-cluster"))!;
    cluster.oldState = { ...cluster.oldState, inputs: { ...cluster.oldState?.inputs, version: deployed } };
    cluster.newState = { ...cluster.newState, inputs: { ...cluster.newState?.inputs, version: next } };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "guard-")), "preview.json");
    fs.writeFileSync(file, JSON.stringify(preview));
    return file;
}

describe("upgrades: the guard reads the deployed Kubernetes version from the preview", () => {
    it("refuses a jump of two minors with the steps, even with --allow", async () => {
        const { result, err } = await captureOutput(() => main([previewWith("1.33", "1.35"), "--allow"]));
        assert.equal(result, 1);
        assert.match(
            err,
            /stack production runs Kubernetes 1\.33 and would jump to 1\.35: .*Take the steps 1\.34 → 1\.35/,
        );
    });

    it("refuses going back a minor", async () => {
        const { result, err } = await captureOutput(() => main([previewWith("1.35", "1.34")]));
        assert.equal(result, 1);
        assert.match(err, /EKS cannot downgrade a control plane/);
    });

    it("passes one minor up", async () => {
        const { result } = await captureOutput(() => main([previewWith("1.34", "1.35")]));
        assert.equal(result, 0);
    });

    it("reads only EKS cluster updates", () => {
        assert.deepEqual(
            kubernetesJumps([
                {
                    op: "update",
                    urn: "urn:pulumi:production::gitops-platform::aws:eks/nodeGroup:NodeGroup::apps",
                    oldState: { inputs: { version: "1.33" } },
                    newState: { inputs: { version: "1.35" } },
                },
            ]),
            [],
        );
    });
});

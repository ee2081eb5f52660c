/**
 * `promote --platform` carries the whole version set: every chart, the Kubernetes minor with its add-on
 * builds and AMI release; it refuses downgrades (EKS build numbers included) and minor jumps.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { planPromotion, promote, PromotionRefused, SourceOutputs, sourceOutputsSchema } from "../delivery/promote";
import { minorJumpProblem } from "../delivery/platform";
import { PROJECT_ROOT } from "../plan/stackFile";
import { CHART_PIN_PATHS } from "../stacks/config/versions";
import { ChartKey, CHARTS } from "../stacks/versionSets";
import { ofType, planStack } from "./harness";
import { runPlan } from "../plan/run";
import { stackConfigFromText } from "../plan/stackFile";
import { runPlatform } from "../stacks";
import { PROJECT } from "../stacks/config";

const text = (stack: string) => fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8");

/** A stack file's text with `edit` applied to its parsed document. */
function editedText(stack: string, edit: (doc: YAML.Document) => void): string {
    const doc = YAML.parseDocument(text(stack));
    edit(doc);
    return doc.toString();
}

/** What the stack's program outputs (the offline plan), as promotion reads them. */
async function outputsOf(stack: string): Promise<SourceOutputs> {
    const { outputs } = await planStack(stack);
    return sourceOutputsSchema.parse(outputs);
}

/** The source's outputs with its version set changed. */
function withVersions(source: SourceOutputs, edit: (versions: NonNullable<SourceOutputs["versions"]>) => void) {
    const copy = structuredClone(source);
    edit(copy.versions!);
    return copy;
}

const request = (from: string, to: string, allowDowngrade = false) => ({
    from,
    to,
    apps: [],
    platform: true,
    allowDowngrade,
});

/** Per chart: the source stack, the target stack file, and the edit that makes the target install the chart. */
const CHART_CASES: Readonly<Record<ChartKey, { source: string; target: string; edit?: (doc: YAML.Document) => void }>> =
    {
        "argo-cd": { source: "staging", target: "production" },
        "argocd-image-updater": {
            source: "staging",
            target: "production",
            edit: (doc) => doc.setIn(["config", "gitops-platform:engine", "imageAutomation"], true),
        },
        "external-secrets": { source: "staging", target: "production" },
        "kube-prometheus-stack": {
            source: "staging",
            target: "production",
            edit: (doc) => doc.setIn(["config", "gitops-platform:monitoring", "installPrometheusStack"], true),
        },
        "argo-rollouts": {
            source: "staging",
            target: "production",
            edit: (doc) => doc.setIn(["config", "gitops-platform:apps", 0, "delivery"], { strategy: "canary" }),
        },
        "flux-operator": { source: "local", target: "local" },
        flux: { source: "local", target: "local" },
        flagger: {
            source: "local",
            target: "local",
            edit: (doc) => doc.setIn(["config", "gitops-platform:apps", 0, "delivery"], { strategy: "canary" }),
        },
        "sealed-secrets": {
            source: "local",
            target: "local",
            edit: (doc) => doc.setIn(["config", "gitops-platform:secrets"], { type: "sealed-secrets" }),
        },
    };

/** A version one patch above or below `version`. */
function step(version: string, by: 1 | -1): string {
    const [major, minor, patch] = version.replace(/^v/, "").split(".").map(Number);
    const next =
        by === 1
            ? `${major}.${minor}.${patch + 1}`
            : patch > 0
              ? `${major}.${minor}.${patch - 1}`
              : `${major}.${minor - 1}.9`;
    return version.startsWith("v") ? `v${next}` : next;
}

describe("upgrades: promote --platform moves every chart pin", () => {
    for (const [chart, c] of Object.entries(CHART_CASES) as [ChartKey, (typeof CHART_CASES)[ChartKey]][]) {
        const pinPath = CHART_PIN_PATHS[chart];
        const label = pinPath.join(".");
        const targetText = c.edit ? editedText(c.target, c.edit) : text(c.target);
        const to = c.target === c.source ? `${c.target}-copy` : c.target;

        it(`${chart}: a newer version in ${c.source} is written at ${label}`, async () => {
            const newer = step(CHARTS[chart].version, 1);
            const source = withVersions(await outputsOf(c.source), (v) => (v.charts[chart] = newer));
            const changes = planPromotion(request(c.source, to), source, targetText);
            const moved = changes.find((change) => change.label === label);
            assert.deepEqual(moved && { ...moved, path: [...moved.path] }, {
                path: [`gitops-platform:${pinPath[0]}`, ...pinPath.slice(1)],
                label,
                from: YAML.parseDocument(targetText).getIn([
                    "config",
                    `gitops-platform:${pinPath[0]}`,
                    ...pinPath.slice(1),
                ]) as string | undefined,
                to: newer,
            });
        });

        it(`${chart}: an older version is refused unless --allow-downgrade`, async () => {
            const target = YAML.parseDocument(targetText);
            target.setIn(["config", `gitops-platform:${pinPath[0]}`, ...pinPath.slice(1)], CHARTS[chart].version);
            const older = step(CHARTS[chart].version, -1);
            const source = withVersions(await outputsOf(c.source), (v) => (v.charts[chart] = older));
            assert.throws(
                () => planPromotion(request(c.source, to), source, target.toString()),
                (error: Error) =>
                    error instanceof PromotionRefused &&
                    error.message.includes(`${label} ${CHARTS[chart].version} → ${older}`),
            );
            assert.ok(
                planPromotion(request(c.source, to, true), source, target.toString()).some((ch) => ch.to === older),
            );
        });
    }

    it("moves no chart the target does not install", async () => {
        const source = withVersions(await outputsOf("staging"), (v) => (v.charts["kube-prometheus-stack"] = "88.6.0"));
        const changes = planPromotion(request("staging", "production"), source, text("production"));
        assert.equal(
            changes.find((c) => c.label.includes("kube-prometheus-stack")),
            undefined,
        );
    });
});

describe("upgrades: promote --platform refuses what EKS cannot do", () => {
    it("refuses a build-number downgrade of an add-on (v1.19.5-eksbuild.2 → -eksbuild.1)", async () => {
        const target = editedText("production", (doc) =>
            doc.setIn(["config", "gitops-platform:cluster", "addons", "vpcCni"], "v1.19.5-eksbuild.2"),
        );
        const source = withVersions(await outputsOf("staging"), (v) => (v.addons!.vpcCni = "v1.19.5-eksbuild.1"));
        assert.throws(
            () => planPromotion(request("staging", "production"), source, target),
            /cluster\.addons\.vpcCni v1\.19\.5-eksbuild\.2 → v1\.19\.5-eksbuild\.1/,
        );
    });

    it("moves a newer build of an add-on, and the AMI release", async () => {
        const source = withVersions(await outputsOf("staging"), (v) => {
            v.addons!.coreDns = "v1.14.2-eksbuild.5";
            v.nodeAmiReleaseVersion = "1.35.7-20260827";
        });
        const changes = planPromotion(request("staging", "production"), source, text("production"));
        assert.deepEqual(
            changes.filter((c) => c.label.startsWith("cluster.")).map((c) => [c.label, c.from, c.to]),
            [
                ["cluster.addons.coreDns", "v1.14.2-eksbuild.4", "v1.14.2-eksbuild.5"],
                ["cluster.nodeAmiReleaseVersion", undefined, "1.35.7-20260827"],
            ],
        );
    });

    it("refuses a jump of two minors, with the steps to take", () => {
        const target = editedText("production", (doc) =>
            doc.setIn(["config", "gitops-platform:cluster", "kubernetesVersion"], "1.33"),
        );
        assert.throws(
            () => planPromotion(request("staging", "production"), { ...outputsFixture() }, target),
            (error: Error) =>
                error instanceof PromotionRefused &&
                error.message.includes("stack production runs Kubernetes 1.33 and would jump to 1.35") &&
                error.message.includes("Take the steps 1.34 → 1.35"),
        );
    });

    it("refuses going back a minor", () => {
        assert.match(minorJumpProblem("production", "1.35", "1.34") ?? "", /EKS cannot downgrade a control plane/);
    });

    it("takes the same or the next minor", () => {
        assert.equal(minorJumpProblem("production", "1.35", "1.35"), undefined);
        assert.equal(minorJumpProblem("production", "1.35", "1.36"), undefined);
    });
});

/** Staging's planned outputs, loaded once for the synchronous cases. */
let stagingOutputs: SourceOutputs | undefined;
before(async () => {
    stagingOutputs = await outputsOf("staging");
});
const outputsFixture = () => structuredClone(stagingOutputs!);

describe("upgrades: promote --platform end to end", () => {
    it("writes staging's newer set into a copy of Pulumi.production.yaml that validates and plans, comments kept", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "upgrades-promote-"));
        const before = text("production");
        fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), before);
        const source = withVersions(outputsFixture(), (v) => {
            v.addons!.kubeProxy = "v1.35.3-eksbuild.5";
            v.charts["argo-cd"] = "10.1.1";
            v.charts["external-secrets"] = "2.9.1";
        });
        const { changes } = promote({
            ...request("staging", "production"),
            dryRun: false,
            root: dir,
            readOutputs: () => source,
        });
        assert.deepEqual(
            changes.map((c) => c.label),
            [
                "apps.payments-api.revision",
                "apps.checkout-web.revision",
                "cluster.addons.kubeProxy",
                "secrets.chartVersion",
            ],
        );
        const after = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
        assert.equal(
            after,
            before
                .replace("kubeProxy: v1.35.3-eksbuild.2", "kubeProxy: v1.35.3-eksbuild.5")
                .replace("chartVersion: 2.9.0", "chartVersion: 2.9.1")
                .replace("revision: refs/tags/v2.14.1", "revision: refs/tags/v2.15.0")
                .replace("revision: refs/tags/v5.3.0", "revision: refs/tags/v5.4.0"),
        );
        // It plans: every node group on the cluster's version, the new kube-proxy build declared.
        const { config, secretKeys } = stackConfigFromText("Pulumi.production.yaml", after);
        const { resources } = await runPlan({ project: PROJECT, stack: "production", config, secretKeys }, runPlatform);
        assert.deepEqual(
            ofType(resources, "aws:eks/addon:Addon")
                .filter((a) => a.inputs.addonName === "kube-proxy")
                .map((a) => a.inputs.addonVersion),
            ["v1.35.3-eksbuild.5"],
        );
    });
});

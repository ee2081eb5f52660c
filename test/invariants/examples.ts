/**
 * The example apps' workloads, as their upstream sources render them at the pinned revision with what the stack
 * adds (kustomize patches, Helm values): podinfo 6.9.2 through `kubectl kustomize` over a reduced copy of its
 * kustomize/ folder (test/fixtures/examples/), grafana 10.1.4 through the reading in ./grafana.ts. Apps from the
 * teams' own repositories are theirs, not the program's, and are not rendered here.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { AppConfig } from "../../stacks/config";
import { isGrafanaChart, renderGrafana } from "./grafana";
import { podSpecOf } from "./podSecurity";

/** Upstream kustomize sources with a reduced copy under test/fixtures/examples/. */
export const KUSTOMIZE_EXAMPLES = [
    {
        url: "https://github.com/stefanprodan/podinfo.git",
        path: "kustomize",
        revision: "6.9.2",
        fixture: "test/fixtures/examples/podinfo-6.9.2",
    },
] as const;

/** `kubectl kustomize` of a folder with the app's patches on top, as Flux's spec.patches and Argo CD's kustomize.patches apply them. */
export function kustomizeWithPatches(
    folder: string,
    patches: AppConfig["source"]["patches"] = [],
): Record<string, unknown>[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "example-"));
    try {
        fs.writeFileSync(
            path.join(dir, "kustomization.yaml"),
            YAML.stringify({
                apiVersion: "kustomize.config.k8s.io/v1beta1",
                kind: "Kustomization",
                resources: [path.relative(dir, path.resolve(folder))],
                ...(patches.length > 0 ? { patches } : {}),
            }),
        );
        // kustomize refuses a resource outside the kustomization's root unless it is a folder with its own kustomization.
        const result = spawnSync("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", dir], {
            encoding: "utf8",
        });
        if (result.status !== 0) {
            throw new Error(`kubectl kustomize failed: ${result.stderr}`);
        }
        return YAML.parseAllDocuments(result.stdout).map((d) => d.toJS() as Record<string, unknown>);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export interface ExampleWorkload {
    readonly app: string;
    readonly namespace: string;
    readonly workload: string;
    readonly podSpec: Record<string, unknown>;
}

/** The pods each example app of a config renders (apps from other sources are skipped). */
export function exampleWorkloads(apps: readonly AppConfig[]): ExampleWorkload[] {
    return apps.flatMap((app) => {
        const namespace = app.namespace ?? app.name;
        const { url, path: sourcePath, revision } = app.source;
        const kustomize = KUSTOMIZE_EXAMPLES.find(
            (e) => e.url === url && e.path === sourcePath && e.revision === revision,
        );
        if (kustomize !== undefined) {
            return kustomizeWithPatches(kustomize.fixture, app.source.patches).flatMap((object) => {
                const podSpec = podSpecOf(object);
                const metadata = object.metadata as { name: string };
                return podSpec
                    ? [{ app: app.name, namespace, workload: `${String(object.kind)}/${metadata.name}`, podSpec }]
                    : [];
            });
        }
        if (isGrafanaChart(app.source)) {
            return [
                {
                    app: app.name,
                    namespace,
                    workload: "Deployment/grafana",
                    podSpec: renderGrafana(app.source.helmValues).podSpec,
                },
            ];
        }
        if (url !== undefined) {
            // An upstream source by URL is the program's example, not a team's: it must be read before it is trusted.
            throw new Error(
                `app ${app.name}: ${url} ${sourcePath} at ${revision} is not among the example sources read here (test/invariants/examples.ts)`,
            );
        }
        return [];
    });
}

/**
 * Check "schemas": the schema set the seeded `gitops-checks` workflow validates against exists for the
 * Kubernetes version it names. The workflow (components/repository/checks.ts) runs kubeconform v0.7.0
 * with `-strict -kubernetes-version <v> -schema-location default -schema-location <CRD catalog>`;
 * kubeconform fails a resource whose schema no location has. Locations as kubeconform v0.7.0 builds them
 * (yannh/kubeconform v0.7.0 pkg/registry/registry.go, schemaPath and New): "default" is
 * https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v<version>-standalone-strict/<kind><kind suffix>.json,
 * kind lower-cased, suffix `-<group>-<version>` (`-v1` for the core group).
 */
import { CRD_SCHEMA_LOCATION } from "../components/repository/checks";
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";
import { PreflightTarget } from "./target";

/** What every app's manifests hold, whatever the seeded files contain: probed in each version's set. */
const PROBE = { apiVersion: "apps/v1", kind: "Deployment" };

/** kubeconform's "default" location for a kind (strict, as the seeded workflow runs it). */
export function defaultSchemaUrl(kubernetesVersion: string, apiVersion: string, kind: string): string {
    const [groupOrVersion, version] = apiVersion.split("/");
    const suffix = `-${groupOrVersion.split(".")[0].toLowerCase()}${version === undefined ? "" : `-${version.toLowerCase()}`}`;
    return `https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v${kubernetesVersion}-standalone-strict/${kind.toLowerCase()}${suffix}.json`;
}

/** The CRD catalog's location for a kind (CRD_SCHEMA_LOCATION: {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}). */
export function crdSchemaUrl(apiVersion: string, kind: string): string | undefined {
    const [group, version] = apiVersion.split("/");
    return version === undefined
        ? undefined
        : CRD_SCHEMA_LOCATION.replace("{{.Group}}", group)
              .replace("{{.ResourceKind}}", kind.toLowerCase())
              .replace("{{.ResourceAPIVersion}}", version);
}

async function status(runner: Runner, url: string): Promise<number | Error> {
    try {
        return (await runner.http(url, { method: "HEAD" })).status;
    } catch (error) {
        return error as Error;
    }
}

export async function checkSchemas(runner: Runner, target: PreflightTarget): Promise<Outcome[]> {
    if (target.schemaVersions.length === 0) {
        return [notApplicable("schemas", "the stack seeds no repository with kubeconform checks")];
    }
    const outcomes: Outcome[] = [];
    for (const version of target.schemaVersions) {
        const kinds = [
            PROBE,
            ...target.seededKinds.filter((k) => k.kind !== PROBE.kind || k.apiVersion !== PROBE.apiVersion),
        ];
        for (const { apiVersion, kind } of kinds) {
            const urls = [defaultSchemaUrl(version, apiVersion, kind), crdSchemaUrl(apiVersion, kind)].filter(
                (u): u is string => u !== undefined,
            );
            const subject = `schema ${apiVersion} ${kind} for Kubernetes ${version}`;
            const answers: (number | Error)[] = [];
            for (const url of urls) {
                const answer = await status(runner, url);
                answers.push(answer);
                if (answer === 200) {
                    break;
                }
            }
            const found = answers.indexOf(200);
            if (found >= 0) {
                outcomes.push(pass(subject, urls[found]));
            } else if (answers.every((a) => a === 404)) {
                outcomes.push(
                    fail(
                        subject,
                        `no schema at ${urls.join(" nor ")}: kubeconform fails every ${kind} the repositories render`,
                        `use a Kubernetes version the schema set has (the stack's cluster.kubernetesVersion), or wait until yannh/kubernetes-json-schema publishes v${version}`,
                    ),
                );
            } else {
                const reasons = answers.map((a) => (a instanceof Error ? a.message : `HTTP ${a}`)).join("; ");
                outcomes.push(
                    skip(subject, `could not ask: ${reasons}`, "run where raw.githubusercontent.com is reachable"),
                );
            }
        }
    }
    return outcomes;
}

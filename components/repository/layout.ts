/**
 * The layout seeded into a new GitOps repository: path → file content. Seeded once; from then on
 * the files belong to the repository's users (the component ignores later changes to them).
 */
import * as YAML from "yaml";

export interface SeedLayoutArgs {
    readonly repositoryName: string;
    /** Pulumi stack whose cluster syncs `clusters/<stack>`. */
    readonly stack: string;
    /** Environment of that stack; its overlay is what the cluster syncs. */
    readonly environment: string;
    /** Environments that get an overlay under apps/overlays/. */
    readonly environments: readonly string[];
    /** Owners of every path, e.g. "@acme/platform". */
    readonly codeOwners: readonly string[];
    /**
     * Namespace the seeded namespaced objects name: one that exists before the first sync (the
     * engine's). Flux's cluster sync sets no targetNamespace, and kustomize-controller refuses a
     * namespaced object without one ("namespace not specified"), so every seeded object names it.
     */
    readonly namespace: string;
    /** Spoke clusters of a hub (fleet): each gets `clusters/<spoke>/` for its overlays. Default: none. */
    readonly spokes?: readonly string[];
}

/** Folder of the repository the engine's root sync of `stack` reads. */
export function clusterPath(stack: string): string {
    return `clusters/${stack}`;
}

const KUSTOMIZATION = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" } as const;

function yamlFile(comment: string, document: object): string {
    return `${comment
        .split("\n")
        .map((line) => `# ${line}`)
        .join("\n")}\n${YAML.stringify(document)}`;
}

/** CODEOWNERS: the owners review every path, and this file itself (the last matching line wins). */
export function codeOwnersFile(owners: readonly string[]): string {
    const list = owners.join(" ");
    return [
        "# Owners of every path in this repository; their review is required on the default branch.",
        `* ${list}`,
        "# Changing who owns what needs the owners' review too.",
        `/CODEOWNERS ${list}`,
        "",
    ].join("\n");
}

function readme(args: SeedLayoutArgs, environments: readonly string[]): string {
    return [
        `# ${args.repositoryName}`,
        "",
        "The GitOps repository of the platform: what each cluster runs, as Kubernetes manifests built with kustomize.",
        "",
        "## Layout",
        "",
        `- \`${clusterPath(args.stack)}/\`: what the \`${args.stack}\` cluster syncs (the engine's root sync reads this folder).`,
        "- `apps/base/`: manifests shared by every environment.",
        ...environments.map(
            (env) => `- \`apps/overlays/${env}/\`: what differs in ${env}; it builds on \`apps/base/\`.`,
        ),
        "",
        "Check a change locally with `kubectl kustomize <folder>`. Pull requests run the same build of every",
        "kustomization, validate what it renders, and comment the rendered diff (`.github/workflows/gitops-checks.yml`).",
        "",
        "## Who owns these files",
        "",
        "The platform's Pulumi program created these files once, when it created the repository. They are yours",
        "now: change them through pull requests. `pulumi up` does not revert edits made here (it ignores their content).",
        "",
    ].join("\n");
}

/** Every seeded file, path → content. Overlays are seeded for `environments` and the stack's own environment. */
export function seedLayout(args: SeedLayoutArgs): Record<string, string> {
    const environments = [...new Set([...args.environments, args.environment])];
    const files: Record<string, string> = {
        "README.md": readme(args, environments),
        CODEOWNERS: codeOwnersFile(args.codeOwners),
        "apps/base/kustomization.yaml": yamlFile(
            [
                "Manifests every environment shares. Every namespaced object names its namespace: the cluster",
                "sync (Flux) sets no targetNamespace, and an object without one is refused.",
            ].join("\n"),
            { ...KUSTOMIZATION, resources: ["platform-info.yaml"] },
        ),
        // A placeholder so the base builds to something; replace it with the first shared manifest.
        "apps/base/platform-info.yaml": yamlFile(
            "Placeholder: shows which environment a cluster syncs. Replace it with real shared manifests.",
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "platform-info", namespace: args.namespace },
                data: { environment: "base" },
            },
        ),
    };
    for (const env of environments) {
        files[`apps/overlays/${env}/kustomization.yaml`] = yamlFile(`What differs in ${env}.`, {
            ...KUSTOMIZATION,
            resources: ["../../base"],
            labels: [{ pairs: { "platform.gitops/environment": env } }],
            patches: [
                {
                    target: { version: "v1", kind: "ConfigMap", name: "platform-info" },
                    patch: YAML.stringify([{ op: "replace", path: "/data/environment", value: env }]),
                },
            ],
        });
    }
    files[`${clusterPath(args.stack)}/kustomization.yaml`] = yamlFile(
        `Root of what the ${args.stack} cluster syncs: the ${args.environment} overlay, plus anything cluster-specific added here.`,
        { ...KUSTOMIZATION, resources: [`../../apps/overlays/${args.environment}`] },
    );
    // A README, not a kustomization: the hub's fleet placements read folders under it, nothing syncs it whole.
    for (const spoke of args.spokes ?? []) {
        files[`${clusterPath(spoke)}/README.md`] =
            `# Spoke ${spoke}\n\nOverlays for the ${spoke} cluster: a fleet placement with \`path: apps/<app>\` deploys \`${clusterPath(spoke)}/apps/<app>/\` to it when the cluster's labels match.\n`;
    }
    return files;
}

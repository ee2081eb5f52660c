/**
 * The checks a GitOps (or app) repository runs on itself, seeded with its layout: the status checks
 * its ruleset requires come from this workflow, so pull requests can be merged by the rules the
 * repository enforces. `test` renders every kustomization with kustomize and validates what it
 * renders with kubeconform; `preview` renders the diff against the target branch with a read-only
 * token no step keeps, and `comment`, which runs none of the repository's code, posts it.
 */
import * as YAML from "yaml";

/** Where the seeded files live in the repository. */
export const CHECKS_WORKFLOW_PATH = ".github/workflows/gitops-checks.yml";
export const RENDER_SCRIPT_PATH = ".github/scripts/render.sh";

/** The job (check) names, which the ruleset's required status checks name. */
export const CHECK_NAMES = { test: "test", preview: "preview" } as const;

/**
 * Pinned tools. kubeconform is installed with `go install` (Go is on GitHub's Ubuntu runners), so the
 * module's checksum is verified against the Go checksum database (yannh/kubeconform v0.7.0 Readme.md,
 * "Installation": `go install github.com/yannh/kubeconform/cmd/kubeconform@<tag>`). actions/checkout
 * by commit: v4.3.0 is 08eba0b27e820071cde6df949e0beb9ba4906955 (actions/checkout tag v4.3.0).
 */
export const KUBECONFORM_VERSION = "v0.7.0";
export const CHECKOUT_ACTION = "actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955";
/** v4.6.2 and v4.3.0 (`git rev-parse <tag>^{commit}` in actions/upload-artifact and actions/download-artifact). */
export const UPLOAD_ARTIFACT_ACTION = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02";
export const DOWNLOAD_ARTIFACT_ACTION = "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093";
/** The job that comments the rendered diff: the only one with a writing token, and it runs no repository code. */
export const COMMENT_JOB = "comment";
/**
 * Schemas of custom resources (Argo CD, Flux, External Secrets ...) come from Datree's CRDs-catalog
 * (yannh/kubeconform v0.7.0 Readme.md, "CustomResourceDefinition (CRD) Support").
 */
export const CRD_SCHEMA_LOCATION =
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json";

/**
 * Renders every kustomization under the current folder into `$1/<folder>.yaml` (folder path with
 * `/` as `__`), skipping kustomize Components, which only build as part of another kustomization.
 * Exits non-zero when any folder fails to build, after trying them all.
 */
export const RENDER_SCRIPT = `#!/usr/bin/env bash
# Renders every kustomization of this repository into one file per folder (seeded by the platform;
# yours to edit). Usage: render.sh <output folder>
set -euo pipefail
out="$1"
mkdir -p "$out"
status=0
while IFS= read -r file; do
  dir="$(dirname "$file")"
  dir="\${dir#./}"
  if grep -qE '^kind:[[:space:]]*Component[[:space:]]*$' "$file"; then
    continue
  fi
  target="$out/\${dir//\\//__}.yaml"
  if ! kubectl kustomize "$dir" > "$target"; then
    echo "::error file=$file::kustomize build of $dir failed"
    status=1
  fi
done < <(find . -path ./.git -prune -o -name kustomization.yaml -print | sort)
exit "$status"
`;

/** For repositories of stacks without an EKS version to follow (an existing cluster). */
export const DEFAULT_KUBERNETES_VERSION = "1.35";

export interface ChecksWorkflowArgs {
    /** The branch pull requests target and pushes are checked on. */
    readonly branch: string;
    /** Kubernetes version to validate against, "1.35" → kubeconform's "1.35.0". */
    readonly kubernetesVersion: string;
}

/** The workflow, as a GitHub Actions document. */
export function checksWorkflow(args: ChecksWorkflowArgs): Record<string, unknown> {
    const kubeconform = [
        '"$(go env GOPATH)/bin/kubeconform" -strict -summary',
        `-kubernetes-version ${args.kubernetesVersion}.0`,
        `-schema-location default -schema-location '${CRD_SCHEMA_LOCATION}'`,
        "rendered/",
    ].join(" ");
    return {
        name: "gitops-checks",
        on: { pull_request: { branches: [args.branch] }, push: { branches: [args.branch] } },
        permissions: { contents: "read" },
        jobs: {
            [CHECK_NAMES.test]: {
                name: CHECK_NAMES.test,
                "runs-on": "ubuntu-latest",
                steps: [
                    { uses: CHECKOUT_ACTION, with: { "persist-credentials": false } },
                    {
                        name: "Install kubeconform",
                        run: `go install github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}`,
                    },
                    { name: "kustomize build of every kustomization", run: `bash ${RENDER_SCRIPT_PATH} rendered` },
                    { name: "Validate what they render", run: kubeconform },
                ],
            },
            // Renders with a read-only token that no step keeps (the render script is the pull request's code).
            [CHECK_NAMES.preview]: {
                name: CHECK_NAMES.preview,
                "runs-on": "ubuntu-latest",
                permissions: { contents: "read" },
                steps: [
                    { uses: CHECKOUT_ACTION, with: { "fetch-depth": 0, "persist-credentials": false } },
                    { name: "Render this branch", run: `bash ${RENDER_SCRIPT_PATH} "$RUNNER_TEMP/head"` },
                    {
                        name: "Render the target branch",
                        if: "github.event_name == 'pull_request'",
                        env: { BASE_REF: "${{ github.base_ref }}" },
                        run: [
                            'git worktree add "$RUNNER_TEMP/base-tree" "origin/$BASE_REF"',
                            `(cd "$RUNNER_TEMP/base-tree" && bash "$GITHUB_WORKSPACE/${RENDER_SCRIPT_PATH}" "$RUNNER_TEMP/base") || true`,
                        ].join("\n"),
                    },
                    {
                        name: "The rendered diff as a comment",
                        if: "github.event_name == 'pull_request'",
                        run: [
                            'mkdir -p "$RUNNER_TEMP/base" "$RUNNER_TEMP/comment"',
                            'diff -ruN "$RUNNER_TEMP/base" "$RUNNER_TEMP/head" > "$RUNNER_TEMP/rendered.diff" || true',
                            "{",
                            "  echo '### Rendered manifests: this branch against the target branch'",
                            "  echo",
                            '  if [ -s "$RUNNER_TEMP/rendered.diff" ]; then',
                            "    echo '```diff'",
                            '    head -c 60000 "$RUNNER_TEMP/rendered.diff"',
                            "    echo '```'",
                            "  else",
                            "    echo 'No change to what the cluster receives.'",
                            "  fi",
                            '} > "$RUNNER_TEMP/comment/comment.md"',
                        ].join("\n"),
                    },
                    {
                        if: "github.event_name == 'pull_request'",
                        uses: UPLOAD_ARTIFACT_ACTION,
                        with: { name: "rendered-diff", path: "${{ runner.temp }}/comment/comment.md" },
                    },
                ],
            },
            // Writes the comment and nothing else: no checkout, so none of the pull request's code runs beside the token.
            [COMMENT_JOB]: {
                needs: CHECK_NAMES.preview,
                if: "github.event_name == 'pull_request'",
                "runs-on": "ubuntu-latest",
                permissions: { "pull-requests": "write" },
                steps: [
                    {
                        uses: DOWNLOAD_ARTIFACT_ACTION,
                        with: { name: "rendered-diff", path: "${{ runner.temp }}/comment" },
                    },
                    {
                        name: "Comment the rendered diff",
                        env: {
                            GH_TOKEN: "${{ github.token }}",
                            PR: "${{ github.event.pull_request.number }}",
                            REPO: "${{ github.repository }}",
                        },
                        run: [
                            'gh pr comment "$PR" --repo "$REPO" --edit-last --body-file "$RUNNER_TEMP/comment/comment.md" \\',
                            '  || gh pr comment "$PR" --repo "$REPO" --body-file "$RUNNER_TEMP/comment/comment.md"',
                        ].join("\n"),
                    },
                ],
            },
        },
    };
}

/** The seeded files, path → content. */
export function checksFiles(args: ChecksWorkflowArgs): Record<string, string> {
    const header = [
        "# Seeded by the platform's Pulumi program (yours to edit): the checks this repository's",
        "# ruleset requires. Job names are the required status checks; keep them.",
    ].join("\n");
    return {
        [CHECKS_WORKFLOW_PATH]: `${header}\n${YAML.stringify(checksWorkflow(args), { lineWidth: 0 })}`,
        [RENDER_SCRIPT_PATH]: RENDER_SCRIPT,
    };
}

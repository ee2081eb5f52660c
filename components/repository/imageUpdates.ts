/**
 * The pull requests of image automation: Flux pushes new tags to `image-updates/<branch>` (never to
 * a protected branch), and this seeded workflow opens a pull request from that branch into
 * `<branch>`, where the ruleset's reviews and checks apply as to any change. It opens it with the
 * repository secret IMAGE_UPDATES_TOKEN (a GitHub App or fine-grained token with pull-requests:
 * write), not GITHUB_TOKEN: a pull request opened with GITHUB_TOKEN starts no `pull_request`
 * workflow, so the required checks would never run, and letting Actions create pull requests also
 * lets them approve them (the repository setting can_approve_pull_request_reviews).
 */
import * as YAML from "yaml";

export const IMAGE_UPDATES_WORKFLOW_PATH = ".github/workflows/image-update-pull-requests.yml";
/** Repository secret the workflow opens pull requests with; the user adds it, it is never in Git or config. */
export const IMAGE_UPDATES_TOKEN_SECRET = "IMAGE_UPDATES_TOKEN";

/** The workflow for pushes to `<prefix><branch>`, as a GitHub Actions document. */
export function imageUpdatesWorkflow(prefix: string): Record<string, unknown> {
    return {
        name: "image-update-pull-requests",
        on: { push: { branches: [`${prefix}**`] } },
        // The job needs nothing of GITHUB_TOKEN: it works with the token secret only.
        permissions: {},
        concurrency: { group: "${{ github.ref }}" },
        jobs: {
            "pull-request": {
                "runs-on": "ubuntu-latest",
                steps: [
                    {
                        name: "Open a pull request for the image updates, once per branch",
                        env: {
                            GH_TOKEN: `\${{ secrets.${IMAGE_UPDATES_TOKEN_SECRET} }}`,
                            HEAD: "${{ github.ref_name }}",
                            REPO: "${{ github.repository }}",
                        },
                        run: [
                            'if [ -z "$GH_TOKEN" ]; then',
                            `  echo "::error::add the repository secret ${IMAGE_UPDATES_TOKEN_SECRET} (pull-requests: write) so image updates get a pull request"`,
                            "  exit 1",
                            "fi",
                            `base="\${HEAD#${prefix}}"`,
                            'open="$(gh pr list --repo "$REPO" --head "$HEAD" --base "$base" --state open --json number --jq length)"',
                            'if [ "$open" = "0" ]; then',
                            '  gh pr create --repo "$REPO" --head "$HEAD" --base "$base" \\',
                            '    --title "Image updates for $base" \\',
                            '    --body "New image tags picked by Flux image automation (ImagePolicies of this stack)."',
                            "fi",
                        ].join("\n"),
                    },
                ],
            },
        },
    };
}

/** The seeded file, path → content. */
export function imageUpdatesFiles(prefix: string): Record<string, string> {
    const header = [
        "# Seeded by the platform's Pulumi program (yours to edit): opens a pull request for each branch",
        `# Flux image automation pushes to (${prefix}<branch>). Needs the repository secret ${IMAGE_UPDATES_TOKEN_SECRET}.`,
    ].join("\n");
    return {
        [IMAGE_UPDATES_WORKFLOW_PATH]: `${header}\n${YAML.stringify(imageUpdatesWorkflow(prefix), { lineWidth: 0 })}`,
    };
}

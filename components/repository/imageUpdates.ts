/**
 * The pull requests of image automation: Flux pushes new tags to `image-updates/<branch>` (never to
 * a protected branch), and this seeded workflow opens a pull request from that branch into
 * `<branch>`, where the ruleset's reviews and checks apply as to any change. It opens it with a
 * token of a GitHub App minted for the run (actions/create-github-app-token v1.12.0): this
 * repository only, pull requests write and contents read, and nothing else. The App's key lives in
 * the environment `image-updates`, which admits the automation's branch only, not in a repository
 * secret every workflow of every branch can read. Not GITHUB_TOKEN: a pull request opened with it
 * starts no `pull_request` workflow, so the required checks would never run, and letting Actions
 * create pull requests also lets them approve them (can_approve_pull_request_reviews).
 */
import * as YAML from "yaml";

export const IMAGE_UPDATES_WORKFLOW_PATH = ".github/workflows/image-update-pull-requests.yml";
/** The deployment environment that holds the App's key; its branch policy admits `<prefix><branch>` only. */
export const IMAGE_UPDATES_ENVIRONMENT = "image-updates";
/** Environment secrets of that App; the user adds them, they are never in Git or config. */
export const IMAGE_UPDATES_APP_SECRETS = { id: "IMAGE_UPDATES_APP_ID", key: "IMAGE_UPDATES_APP_PRIVATE_KEY" } as const;
/** actions/create-github-app-token v1.12.0 (`git rev-parse v1.12.0^{commit}`). */
export const CREATE_APP_TOKEN_ACTION = "actions/create-github-app-token@d72941d797fd3113feb6b93fd0dec494b13a2547";

/** The workflow for pushes to `<prefix><branch>`, as a GitHub Actions document. */
export function imageUpdatesWorkflow(prefix: string): Record<string, unknown> {
    return {
        name: "image-update-pull-requests",
        on: { push: { branches: [`${prefix}**`] } },
        // The job needs nothing of GITHUB_TOKEN: it works with the App's token only.
        permissions: {},
        concurrency: { group: "${{ github.ref }}" },
        jobs: {
            "pull-request": {
                "runs-on": "ubuntu-latest",
                environment: IMAGE_UPDATES_ENVIRONMENT,
                steps: [
                    {
                        id: "token",
                        uses: CREATE_APP_TOKEN_ACTION,
                        with: {
                            "app-id": `\${{ secrets.${IMAGE_UPDATES_APP_SECRETS.id} }}`,
                            "private-key": `\${{ secrets.${IMAGE_UPDATES_APP_SECRETS.key} }}`,
                            repositories: "${{ github.event.repository.name }}",
                            "permission-contents": "read",
                            "permission-pull-requests": "write",
                        },
                    },
                    {
                        name: "Open a pull request for the image updates, once per branch",
                        env: {
                            GH_TOKEN: "${{ steps.token.outputs.token }}",
                            HEAD: "${{ github.ref_name }}",
                            REPO: "${{ github.repository }}",
                        },
                        run: [
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
        `# Flux image automation pushes to (${prefix}<branch>). Needs the secrets ${IMAGE_UPDATES_APP_SECRETS.id} and`,
        `# ${IMAGE_UPDATES_APP_SECRETS.key} in the environment ${IMAGE_UPDATES_ENVIRONMENT} (an App with pull requests: write).`,
    ].join("\n");
    return {
        [IMAGE_UPDATES_WORKFLOW_PATH]: `${header}\n${YAML.stringify(imageUpdatesWorkflow(prefix), { lineWidth: 0 })}`,
    };
}

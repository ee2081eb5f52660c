/**
 * The github-apps check: what the workflows' App tokens need (read off .github/), and the installations
 * GitHub reports (recorded answers shaped after REST "List installations for the authenticated app",
 * "Create an installation access token for an app" and "List repositories accessible to the app
 * installation").
 */
import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import * as path from "path";
import { appJwt, checkGithubApps, judgeInstallation, wantedRepositories } from "../preflight/github";
import { AppNeeds, appNeeds, mergeNeeds, workflowNeeds } from "../preflight/githubNeeds";
import { recordingRunner } from "../preflight/runner";
import { PROJECT_ROOT } from "../plan/stackFile";

const fixture = (name: string) => recordingRunner(path.join(__dirname, "fixtures", "preflight", name));
const NOW = new Date("2026-12-07T00:30:00Z");
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs1", format: "pem" }).toString();

const needsOf = (app: string): AppNeeds => {
    const found = appNeeds(PROJECT_ROOT).find((n) => n.app === app);
    assert.ok(found, `no workflow uses the ${app} App`);
    return found;
};

describe("preflight github-apps", () => {
    // Issue 25, finding 5: one deploy App per environment, its token limited to DEPLOY_REPOSITORIES.
    it("reads each App's needs off the workflows: the deploy token writes, over the repositories it names", () => {
        const deploy = needsOf("DEPLOY");
        assert.equal(deploy.allRepositories, false);
        for (const permission of ["contents", "administration", "environments"]) {
            assert.equal(deploy.permissions[permission], "write", permission);
        }
        assert.ok(
            deploy.usedBy.some((u) => u.includes("staging.yml")) &&
                deploy.usedBy.some((u) => u.includes("production.yml")),
        );
    });

    it("reads the preview token as read-only over the repositories it names, pull requests' base checkout included", () => {
        const preview = needsOf("PREVIEW");
        assert.equal(preview.allRepositories, false);
        assert.ok(
            Object.values(preview.permissions).every((level) => level === "read"),
            JSON.stringify(preview.permissions),
        );
        assert.ok(
            preview.usedBy.some((u) => u.includes("pull-request.yml")),
            preview.usedBy.join(", "),
        );
    });

    it("takes a permission added to a token step, at the highest level any job asks for", () => {
        const setupStep = {
            uses: "actions/create-github-app-token@d72941d797fd3113feb6b93fd0dec494b13a2547",
            with: { "permission-workflows": "${{ inputs.token-scope == 'deploy' && 'write' || 'read' }}" },
        };
        const workflow = (scope: string) => ({
            jobs: {
                up: {
                    steps: [
                        {
                            uses: "./.github/actions/pulumi-setup",
                            with: { "github-app-id": "${{ secrets.DEPLOY_APP_ID }}", "token-scope": scope },
                        },
                    ],
                },
            },
        });
        const [merged] = mergeNeeds([
            ...workflowNeeds("a.yml", workflow("preview"), [setupStep]),
            ...workflowNeeds("b.yml", workflow("deploy"), [setupStep]),
        ]);
        assert.deepEqual(merged.permissions, { workflows: "write" });
        assert.deepEqual(merged.usedBy, ["a.yml job up", "b.yml job up"]);
    });

    it("signs the App's JWT as GitHub asks: RS256, issued a minute back, at most ten minutes, iss the App ID", () => {
        const [header, payload, signature] = appJwt("1002001", PEM, NOW).split(".");
        assert.deepEqual(JSON.parse(Buffer.from(header, "base64url").toString()), { alg: "RS256", typ: "JWT" });
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as {
            iat: number;
            exp: number;
            iss: string;
        };
        assert.equal(claims.iss, "1002001");
        assert.equal(claims.iat, NOW.getTime() / 1000 - 60);
        assert.ok(claims.exp - claims.iat <= 600);
        const verified = crypto
            .createVerify("RSA-SHA256")
            .update(`${header}.${payload}`)
            .verify(publicKey, Buffer.from(signature, "base64url"));
        assert.ok(verified);
    });

    it("passes the deploy App installed on the owner with every permission", async () => {
        const runner = fixture("github-deploy-app.json");
        const env = { DEPLOY_APP_ID: "1002001", DEPLOY_APP_PRIVATE_KEY: PEM };
        const outcomes = await checkGithubApps(runner, "acme-platform", [needsOf("DEPLOY")], env, NOW);
        assert.deepEqual(
            outcomes.map((o) => `${o.status} ${o.subject}`),
            ["pass GitHub App DEPLOY on acme-platform: permissions"],
        );
    });

    it("fails a permission a job asks for that the installation does not grant, naming the job", async () => {
        const needs: AppNeeds = {
            ...needsOf("DEPLOY"),
            permissions: { ...needsOf("DEPLOY").permissions, members: "write" },
        };
        const env = { DEPLOY_APP_ID: "1002001", DEPLOY_APP_PRIVATE_KEY: PEM };
        const [permissions] = await checkGithubApps(
            fixture("github-deploy-app.json"),
            "acme-platform",
            [needs],
            env,
            NOW,
        );
        assert.equal(permissions.status, "fail");
        assert.match(permissions.detail, /missing members: write \(granted: read\); asked for by .*staging.yml job up/);
        assert.match(permissions.fix!, /accept the new permissions/);
    });

    it("passes a deploy App installed on selected repositories (one App per environment), fails one not installed on the owner", async () => {
        const env = { DEPLOY_APP_ID: "1002001", DEPLOY_APP_PRIVATE_KEY: PEM };
        const selected = await checkGithubApps(
            fixture("github-deploy-app-selected.json"),
            "acme-platform",
            [needsOf("DEPLOY")],
            env,
            NOW,
        );
        assert.deepEqual(
            selected.map((o) => o.status),
            ["pass"],
        );
        const elsewhere = await checkGithubApps(
            fixture("github-deploy-app.json"),
            "acme-other",
            [needsOf("DEPLOY")],
            env,
            NOW,
        );
        assert.equal(elsewhere[0].status, "fail");
        assert.match(elsewhere[0].detail, /not installed on acme-other \(installed on: acme-sandbox, acme-platform\)/);
    });

    it("checks a selection's repositories with an installation token", async () => {
        const runner = fixture("github-preview-app.json");
        const env = {
            PREVIEW_APP_ID: "1002002",
            PREVIEW_APP_PRIVATE_KEY: PEM,
            PREVIEW_REPOSITORIES: "gitops-platform,platform-gitops-production",
        };
        const outcomes = await checkGithubApps(runner, "acme-platform", [needsOf("PREVIEW")], env, NOW);
        assert.deepEqual(
            outcomes.map((o) => o.status),
            ["pass", "fail"],
        );
        assert.match(outcomes[1].detail, /cannot reach platform-gitops-production/);
        assert.deepEqual(runner.calls, [
            "GET https://api.github.com/app/installations?per_page=100",
            "POST https://api.github.com/app/installations/51235000/access_tokens",
            "GET https://api.github.com/installation/repositories?per_page=100",
            "GET https://api.github.com/installation/repositories?per_page=100&page=2",
        ]);
        const env2 = { ...env, PREVIEW_REPOSITORIES: "gitops-platform\nacme-platform/platform-gitops-staging" };
        const onSecondPage = await checkGithubApps(
            fixture("github-preview-app.json"),
            "acme-platform",
            [needsOf("PREVIEW")],
            env2,
            NOW,
        );
        assert.deepEqual(
            onSecondPage.map((o) => o.status),
            ["pass", "pass"],
            "a repository on the second page is reached",
        );
    });

    it("fails credentials GitHub refuses or a key that is no key, and skips an App without credentials", async () => {
        const refused = await checkGithubApps(
            fixture("github-app-bad-key.json"),
            "acme-platform",
            [needsOf("DEPLOY")],
            { DEPLOY_APP_ID: "1", DEPLOY_APP_PRIVATE_KEY: PEM },
            NOW,
        );
        assert.equal(refused[0].status, "fail");
        assert.match(refused[0].detail, /HTTP 401/);
        const badKey = await checkGithubApps(
            fixture("github-app-bad-key.json"),
            "acme-platform",
            [needsOf("DEPLOY")],
            { DEPLOY_APP_ID: "1", DEPLOY_APP_PRIVATE_KEY: "not a key" },
            NOW,
        );
        assert.equal(badKey[0].status, "fail");
        const none = await checkGithubApps(
            fixture("github-app-bad-key.json"),
            "acme-platform",
            [needsOf("DEPLOY")],
            {},
            NOW,
        );
        assert.equal(none[0].status, "skip");
        assert.match(none[0].detail, /DEPLOY_APP_ID and DEPLOY_APP_PRIVATE_KEY/);
    });

    it("judges a suspended installation as failed", () => {
        const [outcome] = judgeInstallation(needsOf("DEPLOY"), "acme-platform", [
            { id: 1, account: { login: "acme-platform" }, suspended_at: "2026-11-01T00:00:00Z", permissions: {} },
        ]);
        assert.equal(outcome.status, "fail");
        assert.match(outcome.detail, /suspended/);
    });

    it("reads <APP>_REPOSITORIES as pulumi-setup takes them: comma or newline separated, owner optional", () => {
        assert.deepEqual(wantedRepositories("a, acme/b\nc\n"), ["a", "b", "c"]);
        assert.deepEqual(wantedRepositories(undefined), []);
    });
});

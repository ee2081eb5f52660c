/**
 * docs/ci.md says what the code does: its config snippets are valid stack config, and its bucket, key
 * and Vault policies are the ones components/ci/state.ts and components/secrets/vault.ts build.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stateBucketPolicy, stateKeyPolicy } from "../components/ci/state";
import { vaultPolicies } from "../components/secrets/vault";
import { PROJECT_ROOT } from "../plan/stackFile";
import { configProblems } from "./harness";

const DOC = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "ci.md"), "utf8");
const blocks = (language: string) =>
    [...DOC.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);

describe("docs/ci.md", () => {
    it("its config snippets are valid in the stack they are written for", () => {
        const snippets = blocks("yaml");
        assert.equal(snippets.length, 3);
        for (const snippet of snippets) {
            const config = YAML.parse(snippet) as Record<string, { runners?: { labels: string[] } }>;
            // Self-hosted runners in a network connected to a private endpoint: production's case.
            const stack = config["gitops-platform:ci"].runners?.labels.includes("self-hosted")
                ? "production"
                : "staging";
            assert.deepEqual(configProblems(stack, { set: config }), [], snippet);
        }
    });

    it("shows the bucket policy and the key policy the code builds", () => {
        const [bucket, key] = blocks("json").map((text) => JSON.parse(text) as unknown);
        assert.deepEqual(
            bucket,
            stateBucketPolicy({ bucket: "acme-pulumi-state-production", prefix: "gitops-platform/" }, [
                "arn:aws:iam::444455556666:role/github-actions-deploy",
                "arn:aws:iam::444455556666:role/platform-admins",
            ]),
        );
        assert.deepEqual(key, stateKeyPolicy("444455556666"));
    });

    it("shows the Vault policy of Pulumi's token the code builds", () => {
        assert.deepEqual(blocks("hcl"), [vaultPolicies("secret", "gitops-platform/staging", []).pulumi]);
    });
});

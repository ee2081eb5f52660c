import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { benchConfig, generateApps } from "../bench/generate";
import { readStackConfig, stackFilePath } from "../plan/stackFile";
import { validateConfig } from "./harness";

const load = validateConfig;

describe("bench config generator", () => {
    it("generates numbered apps, each in its own namespace, ten to a team", () => {
        const { apps, teams } = generateApps(12, ["api-token"]);
        assert.deepEqual(Object.keys(teams), ["team-1", "team-2"]);
        assert.deepEqual(teams["team-2"], { groups: ["acme:team-2"] });
        assert.deepEqual(apps[0], {
            name: "app-01",
            team: "team-1",
            namespace: "app-01-ns",
            source: {
                url: "https://github.com/acme-platform/app-01.git",
                path: "deploy/overlays/bench",
                revision: "refs/tags/v1.0.0",
            },
            secretKeys: ["api-token"],
        });
        assert.equal(apps[11].name, "app-12");
        assert.equal(apps[11].team, "team-2");
        assert.equal(apps[10].team, "team-2");
        assert.equal(apps[9].team, "team-1");
    });

    it("rejects a count that is not a non-negative integer", () => {
        assert.throws(() => generateApps(-1), /non-negative integer, got -1/);
        assert.throws(() => generateApps(2.5), /non-negative integer, got 2.5/);
    });

    it("property: names and namespaces are unique DNS labels and every team exists", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 2000 }), (count) => {
                const { apps, teams } = generateApps(count);
                assert.equal(apps.length, count);
                assert.equal(new Set(apps.map((a) => a.name)).size, count);
                assert.equal(new Set(apps.map((a) => a.namespace)).size, count);
                for (const app of apps) {
                    assert.match(app.namespace, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
                    assert.ok(app.team in teams);
                }
                assert.equal(Object.keys(teams).length, Math.ceil(count / 10));
            }),
            { numRuns: 30 },
        );
    });

    for (const base of ["staging", "production"] as const) {
        it(`keeps ${base}'s Argo CD engine and passes validation with 100 apps`, () => {
            const baseConfig = readStackConfig(stackFilePath(base));
            const generated = benchConfig(baseConfig, 100, "argocd");
            assert.equal(generated.config["gitops-platform:engine"], baseConfig.config["gitops-platform:engine"]);
            assert.deepEqual(generated.secretKeys, baseConfig.secretKeys);
            const config = load(base, generated);
            assert.equal(config.apps.length, 100);
            assert.deepEqual(config.apps[0].secretKeys, ["api-token"]);
            assert.equal(Object.keys(config.teams).length, 10);
        });
    }

    it("switches staging to Flux with its defaults, dropping the Argo-only SSO secret, and passes validation", () => {
        const generated = benchConfig(readStackConfig(stackFilePath("staging")), 10, "flux");
        assert.equal(generated.config["gitops-platform:engine"], '{"type":"flux"}');
        assert.equal(generated.config["gitops-platform:ssoClientSecret"], undefined);
        // The notification credentials serve both engines.
        assert.deepEqual(generated.secretKeys, [
            "gitops-platform:slackWebhookUrl",
            "gitops-platform:githubStatusToken",
        ]);
        const config = load("staging", generated);
        assert.equal(config.engine.type, "flux");
        assert.equal(config.apps.length, 10);
    });

    it("gives apps no secret keys on a stack without a secrets store", () => {
        const { ["gitops-platform:secrets"]: _store, ...withoutStore } = readStackConfig(stackFilePath("local")).config;
        const { config } = benchConfig({ config: withoutStore, secretKeys: [] }, 3, "flux");
        const apps = JSON.parse(config["gitops-platform:apps"]) as { secretKeys: string[] }[];
        assert.deepEqual(
            apps.map((a) => a.secretKeys),
            [[], [], []],
        );
    });
});

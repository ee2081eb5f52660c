/** The promotion gate as a pure function: each check passes on the green evidence and refuses, named, when broken. */
import * as assert from "node:assert/strict";
import { collectEvidence, Evidence } from "../delivery/evidence/collect";
import { recordedSource } from "../delivery/evidence/source";
import { bundleFromEvidence, bundleId, bundleIntact, canonicalJson, makeBundle } from "../delivery/bundle";
import { evaluate, parseOverride, Policy, resolvePolicy } from "../delivery/promotionPolicy";
import { activeDenyWindow } from "../delivery/denyWindows";
import { durationMinutes, promotionConfig, promotionRules } from "../stacks/config/promotion";
import { assertProblemAt, configProblems, platformConfig } from "./harness";
import { CHECKOUT, GRAFANA, GREEN, GREEN_REQUEST, PAY, PROGRAM } from "./promotion-fixtures";

const NOW = new Date("2026-12-06T12:00:00Z");
let green: Evidence;
before(async () => {
    green = await collectEvidence(recordedSource(GREEN), GREEN_REQUEST);
});

const policy = (config: object = {}): Policy => resolvePolicy(promotionConfig.parse({ from: "staging", ...config }));
const withApp = (e: Evidence, app: string, change: object): Evidence => ({
    ...e,
    apps: { ...e.apps, [app]: { ...e.apps[app], ...change } },
});

describe("promotion policy: config", () => {
    it("reads durations as people write them", () => {
        assert.deepEqual(["30m", "2h", "1d", "1h30m", "0m", "", "2x", "h"].map(durationMinutes), [
            30,
            120,
            1440,
            90,
            0,
            undefined,
            undefined,
            undefined,
        ]);
    });

    it("applies the defaults once, and per-app policy over them", () => {
        assert.deepEqual(policy({ apps: { grafana: { soak: "0m", reason: "third-party chart, pinned by SHA" } } }), {
            defaults: { soakMinutes: 60, requireHealthy: true, alerts: true },
            apps: {
                grafana: {
                    soakMinutes: 0,
                    requireHealthy: true,
                    alerts: true,
                    reason: "third-party chart, pinned by SHA",
                },
            },
            evidenceMaxAgeMinutes: 1440,
        });
    });

    it("refuses a per-app policy without a reason, and an unknown key", () => {
        const result = promotionConfig.safeParse({
            from: "staging",
            apps: { grafana: { soak: "0m" } },
            soakTime: "1h",
        });
        assert.equal(result.success, false);
        const messages = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n") ?? "";
        assert.match(messages, /apps\.grafana\.reason/);
        assert.match(messages, /soakTime/);
    });

    it("names a per-app policy for an app the stack does not have, and a window ending before it starts", () => {
        const config = promotionConfig.parse({
            from: "staging",
            apps: { billing: { soak: "1h", reason: "a new service, watched closely" } },
            denyWindows: [{ days: ["fri"], from: "16:00", to: "09:00" }],
        });
        assert.deepEqual(
            promotionRules(
                { promotion: config, apps: [{ name: "payments-api" }] },
                { stack: "production", values: {}, present: () => true },
            ),
            [
                {
                    path: ["promotion", "apps", "billing"],
                    message:
                        'no app "billing" in this stack (it has: payments-api): name one of them, or remove the entry',
                },
                {
                    path: ["promotion", "denyWindows", 0, "to"],
                    message:
                        "the window ends (09:00) before it starts (16:00): split a window across midnight into two",
                },
            ],
        );
    });
});

describe("promotion policy: in the stack's config", () => {
    it("production's promotion section parses with its soak", () => {
        assert.equal(resolvePolicy(platformConfig("production").promotion).defaults.soakMinutes, 120);
    });

    it("is refused before anything is declared, each problem at its key", () => {
        const problems = configProblems("production", {
            set: {
                "gitops-platform:promotion": {
                    from: "staging",
                    soak: "two hours",
                    apps: { billing: { soak: "1h", reason: "a new service, watched closely" } },
                },
            },
        });
        assertProblemAt(problems, "gitops-platform:promotion.soak", "expected a duration such as 30m, 2h, 1d or 1h30m");
        const withApp = configProblems("production", {
            set: {
                "gitops-platform:promotion": {
                    from: "staging",
                    apps: { billing: { soak: "1h", reason: "a new service, watched closely" } },
                },
            },
        });
        assertProblemAt(withApp, "gitops-platform:promotion.apps.billing", 'no app "billing" in this stack');
    });
});

describe("promotion policy: the gate", () => {
    it("passes the green staging with a row per app", () => {
        const verdict = evaluate(green, policy({ soak: "2h" }), { now: NOW });
        assert.deepEqual(verdict.refusals, []);
        assert.equal(verdict.passed, true);
        assert.deepEqual(
            verdict.rows.map((r) => [r.app, r.sha, r.soakMinutes, r.soakRequired, r.healthFrom]),
            [
                ["payments-api", PAY, 220, 120, "commit statuses"],
                ["checkout-web", CHECKOUT, 300, 120, "commit statuses"],
                ["grafana", GRAFANA, 228, 120, "engine"],
            ],
        );
    });

    const cases: {
        name: string;
        evidence: () => Evidence;
        config?: object;
        expected: [string | undefined, string, RegExp][];
    }[] = [
        {
            name: "a failed last update",
            evidence: () => ({
                ...green,
                update: {
                    last: { version: 44, result: "failed", programCommit: PROGRAM },
                    succeeded: (green.update as never as { succeeded: never }).succeeded,
                },
            }),
            expected: [[undefined, "update", /staging's last update \(version 44\) failed: fix staging first/]],
        },
        {
            name: "an unreadable update history",
            evidence: () => ({ ...green, update: { unavailable: "pulumi is not installed" } }),
            expected: [[undefined, "update", /cannot read staging's update history: pulumi is not installed/]],
        },
        {
            name: "an open drift issue",
            evidence: () => ({
                ...green,
                drift: [
                    {
                        number: 57,
                        title: "Drift on staging",
                        url: "https://github.com/acme-platform/gitops-platform/issues/57",
                    },
                ],
            }),
            expected: [[undefined, "drift", /open drift issue: #57/]],
        },
        {
            name: "a degraded app, and one out of sync",
            evidence: () =>
                withApp(
                    withApp(green, "payments-api", {
                        engine: { synced: true, revision: PAY, healthy: false, health: "Degraded" },
                    }),
                    "grafana",
                    {
                        engine: {
                            synced: false,
                            revision: GRAFANA,
                            healthy: true,
                            health: "Healthy",
                            since: "2026-12-05T22:00:00Z",
                        },
                    },
                ),
            expected: [
                ["payments-api", "healthy", /payments-api is Degraded in staging/],
                ["grafana", "synced", /argocd reports grafana not synced in staging/],
            ],
        },
        {
            name: "a tag moved after staging synced it",
            evidence: () => withApp(green, "payments-api", { resolved: "0123456789abcdef0123456789abcdef01234567" }),
            expected: [
                [
                    "payments-api",
                    "tag",
                    /v2.15.0 now names 0123456789abcdef0123456789abcdef01234567, but staging runs 7a1c9e3f/,
                ],
            ],
        },
        {
            name: "too short a soak",
            config: { soak: "4h" },
            evidence: () => green,
            expected: [
                ["payments-api", "soak", /payments-api has been healthy for 220m of the 240m required/],
                ["grafana", "soak", /grafana has been healthy for 228m of the 240m required/],
            ],
        },
        {
            name: "no record of health",
            evidence: () => withApp(green, "checkout-web", { healthy: { from: "engine" } }),
            expected: [["checkout-web", "soak", new RegExp(`no record of checkout-web being healthy at ${CHECKOUT}`)]],
        },
        {
            name: "a failed analysis and a Rollout still progressing",
            evidence: () =>
                withApp(
                    withApp(green, "payments-api", {
                        progressive: { kind: "Rollout", healthy: true, phase: "Healthy", analysis: "Failed" },
                    }),
                    "checkout-web",
                    { progressive: { kind: "Canary", healthy: false, phase: "Progressing", analysis: "Running" } },
                ),
            expected: [
                ["payments-api", "analysis", /the last analysis of payments-api is Failed/],
                ["checkout-web", "analysis", /Canary checkout-web is Progressing, not complete and healthy/],
            ],
        },
        {
            name: "alerts in an app's namespace and in the engine's",
            config: { alerts: { prometheusUrl: "https://prometheus.staging.acme.example/", severities: ["critical"] } },
            evidence: () => ({
                ...green,
                alerts: [
                    { name: "KubePodCrashLooping", namespace: "checkout", severity: "critical" },
                    { name: "ArgoCdAppOutOfSync", namespace: "argocd", severity: "critical" },
                ],
            }),
            expected: [
                [undefined, "alerts", /alerts fired in the engine's namespace argocd within 60m: ArgoCdAppOutOfSync/],
                ["checkout-web", "alerts", /alerts fired in checkout: KubePodCrashLooping \(critical\)/],
            ],
        },
        {
            name: "alerts configured but unreadable",
            config: { alerts: { prometheusUrl: "https://prometheus.staging.acme.example" } },
            evidence: () => ({ ...green, alerts: { unavailable: "HTTP 503" } }),
            expected: [
                [undefined, "alerts", /cannot read alerts from https:\/\/prometheus.staging.acme.example: HTTP 503/],
            ],
        },
    ];
    for (const c of cases) {
        it(`refuses ${c.name}, naming every app and check`, () => {
            const verdict = evaluate(c.evidence(), policy(c.config), { now: NOW });
            assert.equal(verdict.passed, false);
            assert.deepEqual(
                verdict.refusals.map((r) => [r.app, r.check]),
                c.expected.map(([app, check]) => [app, check]),
            );
            verdict.refusals.forEach((r, i) => assert.match(r.message, c.expected[i][2]));
        });
    }

    it("holds an app to its own policy", () => {
        const verdict = evaluate(
            green,
            policy({ soak: "1d", apps: { grafana: { soak: "1h", reason: "third-party chart, pinned by SHA" } } }),
            { now: NOW },
        );
        assert.deepEqual(
            verdict.refusals.map((r) => [r.app, r.check]),
            [
                ["payments-api", "soak"],
                ["checkout-web", "soak"],
            ],
        );
        assert.equal(verdict.rows[2].policyReason, "third-party chart, pinned by SHA");
    });

    it("lets an overridden check through with its reason, and only that one", () => {
        const evidence = withApp(green, "payments-api", {
            engine: { synced: true, revision: PAY, healthy: false, health: "Degraded" },
        });
        const verdict = evaluate(evidence, policy({ soak: "4h" }), {
            now: NOW,
            overrides: [parseOverride("payments-api:soak=hotfix for INC-4711, watched by on-call")],
        });
        assert.deepEqual(
            verdict.overridden.map((o) => [o.app, o.check, o.reason]),
            [["payments-api", "soak", "hotfix for INC-4711, watched by on-call"]],
        );
        assert.deepEqual(
            verdict.refusals.map((r) => [r.app, r.check]),
            [
                ["payments-api", "healthy"],
                ["grafana", "soak"],
            ],
        );
    });

    it("waives soak for a rollback and nothing else", () => {
        const evidence = { ...green, drift: [{ number: 57, title: "Drift", url: "u" }] };
        const verdict = evaluate(evidence, policy({ soak: "1d" }), { now: NOW, waive: ["soak"] });
        assert.deepEqual(
            verdict.refusals.map((r) => r.check),
            ["drift"],
        );
    });

    it("parses overrides strictly", () => {
        assert.deepEqual(parseOverride("*:drift=drift issue is a known false positive (#58)"), {
            app: "*",
            check: "drift",
            reason: "drift issue is a known false positive (#58)",
        });
        assert.throws(() => parseOverride("payments-api:speed=because it is fast"), /check one of update, synced/);
        assert.throws(() => parseOverride("payments-api:soak=ok"), /needs a reason of at least 10 characters/);
        assert.throws(() => parseOverride("payments-api:soak"), /expects <app>:<check>=<reason>/);
    });
});

describe("promotion bundle", () => {
    it("takes the program commit and each app's synced commit, with the tag for display", () => {
        const { bundle, missing } = bundleFromEvidence(green, "production", {});
        assert.deepEqual(missing, []);
        assert.equal(bundle?.programCommit, PROGRAM);
        assert.deepEqual(bundle?.apps["payments-api"], {
            sha: PAY,
            tag: "v2.15.0",
            repoUrl: "https://github.com/acme-platform/payments-api.git",
        });
        assert.equal(bundle?.id.length, 16);
    });

    it("names what it cannot pin", () => {
        const broken = withApp({ ...green, update: { unavailable: "no history" } }, "grafana", {
            engine: { unavailable: "no cluster" },
            resolved: { unavailable: "no tag" },
        });
        assert.deepEqual(bundleFromEvidence(broken, "production", {}).missing, [
            "the program commit of staging's last succeeded update",
            "the commit grafana runs in staging",
        ]);
    });

    it("is identified by its content, whatever the key order", () => {
        const content = {
            from: "staging",
            to: "production",
            programCommit: PROGRAM,
            apps: { a: { sha: PAY, tag: "v1", repoUrl: "u" } },
            platform: {},
        };
        const reordered = {
            platform: {},
            apps: { a: { repoUrl: "u", tag: "v1", sha: PAY } },
            programCommit: PROGRAM,
            to: "production",
            from: "staging",
        };
        assert.equal(bundleId(content), bundleId(reordered));
        assert.notEqual(bundleId(content), bundleId({ ...content, programCommit: CHECKOUT }));
        assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
        const bundle = makeBundle(content);
        assert.equal(bundleIntact(bundle), true);
        assert.equal(bundleIntact({ ...bundle, programCommit: CHECKOUT }), false);
    });
});

describe("promotion deny windows", () => {
    const windows = [
        { days: ["fri" as const], from: "15:00" },
        { days: ["sat" as const, "sun" as const] },
        { from: "22:00", to: "23:00" },
    ];
    for (const [at, active] of [
        ["2026-12-04T16:00:00Z", 0], // Friday afternoon
        ["2026-12-04T14:59:00Z", undefined],
        ["2026-12-05T09:00:00Z", 1], // Saturday
        ["2026-12-07T22:30:00Z", 2],
        ["2026-12-07T23:00:00Z", undefined],
    ] as const) {
        it(`${at}: ${active === undefined ? "no window" : `window ${active}`}`, () => {
            assert.equal(activeDenyWindow(windows, new Date(at)), active === undefined ? undefined : windows[active]);
        });
    }
});

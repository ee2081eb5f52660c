/**
 * The alert rules, checked by Prometheus's own tool (issue 26): the PrometheusRule the program declares
 * for each engine (taken from the offline plan, so the tests follow the rules as they change) is written
 * to a rules file, `promtool check rules` parses it, and `promtool test rules` evaluates every alert on
 * input series: it fires on a series that should trigger it and stays silent on one that should not.
 * An alert whose expression cannot fire, or fires on the healthy series, fails here; so does an alert
 * without inputs below.
 *
 * promtool comes with Debian's prometheus package (2.42 here); `.ci/run` installs it. Input series are
 * the metrics as the exporters write them (components/monitoring/objects.ts cites each source); the
 * namespace an object lives in is scraped into `exported_namespace` next to the target's `namespace`,
 * as Prometheus does without honor_labels.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { AlertRule, PrometheusRuleObject } from "../components/monitoring/objects";
import { ofType, planStack } from "./harness";

const PROMTOOL = "promtool";
const INSTALL =
    "apt-get update && apt-get install -y --no-install-recommends prometheus (Debian's package ships promtool; .ci/run installs it)";

/** promtool's version line, or a failure that says how to install it: CI must have it, so this never skips. */
function promtoolVersion(): string {
    const result = spawnSync(PROMTOOL, ["--version"], { encoding: "utf8" });
    if (result.error || result.status !== 0) {
        throw new Error(
            `promtool is missing (${result.error?.message ?? result.stderr.trim()}); install it: ${INSTALL}`,
        );
    }
    return `${result.stdout}${result.stderr}`.split("\n")[0];
}

/** One series of a unit test: the selector and promtool's expanding notation (`0+1x90`: 0, 1, 2, ...). */
interface Series {
    readonly series: string;
    readonly values: string;
}

/** Inputs per alert: series that should raise exactly one alert, and healthy series that should raise none. */
interface AlertInputs {
    readonly fires: readonly Series[];
    readonly silent: readonly Series[];
}

const steady = (series: string, value: number): Series => ({ series, values: `${value}+0x180` });
const rising = (series: string): Series => ({ series, values: "0+1x180" });

const ARGO_APP = 'name="payments-api", namespace="argocd", exported_namespace="argocd", project="payments"';
const argoApp = (labels: string, value = 1) =>
    steady(`argocd_app_info{${ARGO_APP}, dest_namespace="payments-api", ${labels}}`, value);
const FLUX_OBJECT =
    'kind="Kustomization", name="payments-api", namespace="flux-system", exported_namespace="payments-api"';
const fluxObject = (labels: string) => steady(`flux_resource_info{${FLUX_OBJECT}, ${labels}}`, 1);
const EXTERNAL_SECRET = 'name="payments-api-db", namespace="external-secrets", exported_namespace="payments-api"';

/** A down alert's input: its job's `up` series, from the job the rule names (namespace/PodMonitor). */
function downInputs(rule: AlertRule): AlertInputs {
    const job = /up\{job="([^"]+)"\}/.exec(rule.expr)?.[1];
    assert.ok(job, `${rule.alert}: expected a down alert on up{job="..."}, got ${rule.expr}`);
    return {
        fires: [steady(`up{job="${job}", instance="10.0.0.1:8082"}`, 0)],
        silent: [steady(`up{job="${job}", instance="10.0.0.1:8082"}`, 1)],
    };
}

/** Every alert the program declares, by name: what should trigger it, and the healthy series. */
const INPUTS: Readonly<Record<string, (rule: AlertRule) => AlertInputs>> = {
    ArgoCdSyncFailed: () => ({
        fires: [rising(`argocd_app_sync_total{${ARGO_APP}, phase="Failed"}`)],
        silent: [
            rising(`argocd_app_sync_total{${ARGO_APP}, phase="Succeeded"}`),
            steady(`argocd_app_sync_total{${ARGO_APP}, phase="Error"}`, 3),
        ],
    }),
    ArgoCdAppProgressingTooLong: () => ({
        fires: [argoApp('sync_status="Synced", health_status="Progressing"')],
        silent: [argoApp('sync_status="Synced", health_status="Healthy"')],
    }),
    ArgoCdAppOutOfSync: () => ({
        fires: [argoApp('sync_status="OutOfSync", health_status="Healthy"')],
        silent: [argoApp('sync_status="Synced", health_status="Healthy"')],
    }),
    ArgoCdAppDegraded: () => ({
        fires: [argoApp('sync_status="Synced", health_status="Degraded"')],
        silent: [
            argoApp('sync_status="Synced", health_status="Healthy"'),
            argoApp('sync_status="Synced", health_status="Degraded"', 0),
        ],
    }),
    FluxReconciliationFailed: () => ({
        fires: [fluxObject('ready="False", suspended="False", reason="BuildFailed"')],
        silent: [
            fluxObject('ready="True", suspended="False", reason="ReconciliationSucceeded"'),
            fluxObject('ready="False", suspended="True", reason="BuildFailed"'),
        ],
    }),
    FluxReconciliationStalled: () => ({
        fires: [fluxObject('ready="Unknown", suspended="False", reason="Progressing"')],
        silent: [fluxObject('ready="True", suspended="False", reason="ReconciliationSucceeded"')],
    }),
    FluxResourceNotReady: () => ({
        fires: [fluxObject('ready="False", suspended="False", reason="BuildFailed"')],
        silent: [fluxObject('ready="True", suspended="False", reason="ReconciliationSucceeded"')],
    }),
    FluxResourceSuspended: () => ({
        fires: [fluxObject('ready="True", suspended="True", reason="ReconciliationSucceeded"')],
        silent: [fluxObject('ready="True", suspended="False", reason="ReconciliationSucceeded"')],
    }),
    // External Secrets sets the Ready condition's gauge to 1 for the status it has and 0 for the other.
    ExternalSecretNotReady: () => ({
        fires: [
            steady(`externalsecret_status_condition{${EXTERNAL_SECRET}, condition="Ready", status="False"}`, 1),
            steady(`externalsecret_status_condition{${EXTERNAL_SECRET}, condition="Ready", status="True"}`, 0),
        ],
        silent: [
            steady(`externalsecret_status_condition{${EXTERNAL_SECRET}, condition="Ready", status="False"}`, 0),
            steady(`externalsecret_status_condition{${EXTERNAL_SECRET}, condition="Ready", status="True"}`, 1),
        ],
    }),
    ExternalSecretSyncErrors: () => ({
        fires: [rising(`externalsecret_sync_calls_error{${EXTERNAL_SECRET}}`)],
        silent: [steady(`externalsecret_sync_calls_error{${EXTERNAL_SECRET}}`, 4)],
    }),
    ArgoCdApplicationControllerDown: downInputs,
    ArgoCdRepoServerDown: downInputs,
    ArgoCdServerDown: downInputs,
    FluxControllersDown: downInputs,
    FluxOperatorDown: downInputs,
    ExternalSecretsDown: downInputs,
};

/** A Prometheus duration (model.ParseDuration) in minutes, rounded up. */
function minutes(duration: string): number {
    const unit: Record<string, number> = { ms: 1 / 60000, s: 1 / 60, m: 1, h: 60, d: 1440, w: 10080, y: 525600 };
    const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
    assert.ok(parts.length > 0, `not a duration: ${duration}`);
    return Math.ceil(parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0));
}

/** promtool's unit tests for each alert: one group where it must fire, one where it must stay silent. */
export function unitTests(rulesFile: string, rules: readonly AlertRule[]): unknown {
    const tests = rules.flatMap((rule) => {
        const inputs = INPUTS[rule.alert];
        assert.ok(inputs, `alert ${rule.alert} has no unit-test inputs: add what fires it and what does not to INPUTS`);
        const { fires, silent } = inputs(rule);
        // Past the rule's `for` and the longest range the expressions use (15m), within the 180-minute series.
        const evalTime = `${minutes(rule.for) + 20}m`;
        assert.ok(minutes(rule.for) + 20 < 180, `${rule.alert}: for ${rule.for} is longer than the input series`);
        return [
            {
                interval: "1m",
                input_series: fires,
                promql_expr_test: [
                    {
                        expr: `count(ALERTS{alertname="${rule.alert}", alertstate="firing"})`,
                        eval_time: evalTime,
                        exp_samples: [{ labels: "{}", value: 1 }],
                    },
                ],
            },
            {
                interval: "1m",
                input_series: silent,
                promql_expr_test: [{ expr: `ALERTS{alertname="${rule.alert}"}`, eval_time: evalTime, exp_samples: [] }],
            },
        ];
    });
    return { rule_files: [rulesFile], evaluation_interval: "1m", tests };
}

interface Promtool {
    readonly status: number | null;
    readonly output: string;
}

function promtool(args: readonly string[], cwd: string): Promtool {
    const result = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 120_000 });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Writes the rules (each expression edited, to plant a break) and the unit tests of the rules as
 * planned into a fresh folder, and runs promtool's check and test on them.
 */
function checkAndTest(
    rule: PrometheusRuleObject,
    edit?: (alert: AlertRule) => string,
): { check: Promtool; test: Promtool } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
    const groups = rule.spec.groups.map((group) => ({
        ...group,
        rules: group.rules.map((alert) => ({ ...alert, expr: edit ? edit(alert) : alert.expr })),
    }));
    fs.writeFileSync(path.join(dir, "rules.yaml"), YAML.stringify({ groups }));
    const alerts = rule.spec.groups.flatMap((group) => group.rules);
    fs.writeFileSync(path.join(dir, "tests.yaml"), YAML.stringify(unitTests("rules.yaml", alerts)));
    try {
        return {
            check: promtool(["check", "rules", "rules.yaml"], dir),
            test: promtool(["test", "rules", "tests.yaml"], dir),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The PrometheusRule of a stack's offline plan. */
async function plannedRule(stack: string, engine?: "flux"): Promise<PrometheusRuleObject> {
    const plan = await planStack(stack, engine ? { set: { "gitops-platform:engine": { type: engine } } } : {});
    const rules = ofType(plan.resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    assert.equal(rules.length, 1, `${stack}: expected one PrometheusRule`);
    return rules[0].inputs as unknown as PrometheusRuleObject;
}

describe("alert rules under promtool", function () {
    this.timeout(180_000);
    const variants: [string, string, "flux" | undefined][] = [
        ["staging, Argo CD", "staging", undefined],
        ["staging, Flux", "staging", "flux"],
    ];
    const rules = new Map<string, PrometheusRuleObject>();

    before(async () => {
        promtoolVersion();
        for (const [label, stack, engine] of variants) {
            rules.set(label, await plannedRule(stack, engine));
        }
    });

    it("finds promtool (Debian's prometheus package)", () => {
        assert.match(promtoolVersion(), /^promtool, version \d+\.\d+/);
    });

    for (const [label] of variants) {
        it(`${label}: promtool checks the rules and every alert fires on its trigger and stays silent otherwise`, () => {
            const rule = rules.get(label)!;
            assert.ok(
                rule.spec.groups.flatMap((g) => g.rules).length >= 6,
                "the engine's, External Secrets' and the down alerts",
            );
            const { check, test } = checkAndTest(rule);
            assert.equal(check.status, 0, check.output);
            assert.match(check.output, /SUCCESS: \d+ rules found/);
            assert.equal(test.status, 0, test.output);
            assert.match(test.output, /SUCCESS/);
        });

        it(`${label}: an alert changed so that it cannot fire fails the unit tests`, () => {
            const rule = rules.get(label)!;
            // Each alert's threshold out of reach: `> 0` and `== 1` can no longer hold, absent() never answers.
            const { check, test } = checkAndTest(rule, (alert) => `(${alert.expr}) > 1e9`);
            assert.equal(check.status, 0, check.output);
            assert.notEqual(test.status, 0, "promtool test passed alerts that cannot fire");
            for (const alert of rule.spec.groups.flatMap((g) => g.rules)) {
                // promtool prints the failed expression quoted, its quotes escaped.
                assert.ok(
                    test.output.includes(`alertname=\\"${alert.alert}\\", alertstate=\\"firing\\"`),
                    `${alert.alert} not caught:\n${test.output}`,
                );
            }
        });

        it(`${label}: an alert that fires on healthy series fails the unit tests`, () => {
            const rule = rules.get(label)!;
            const { test } = checkAndTest(rule, () => "vector(1)");
            assert.notEqual(test.status, 0, "promtool test passed alerts that always fire");
            for (const alert of rule.spec.groups.flatMap((g) => g.rules)) {
                assert.ok(
                    test.output.includes(`ALERTS{alertname=\\"${alert.alert}\\"}`),
                    `${alert.alert} not caught:\n${test.output}`,
                );
            }
        });
    }

    it("fails with the way to install promtool when it is missing", () => {
        const saved = process.env.PATH;
        process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "no-promtool-"));
        try {
            assert.throws(
                promtoolVersion,
                /promtool is missing .*apt-get install -y --no-install-recommends prometheus/,
            );
        } finally {
            process.env.PATH = saved;
        }
    });
});

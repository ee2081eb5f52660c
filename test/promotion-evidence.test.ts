/**
 * The evidence collectors on recorded answers, in the real APIs' shapes (each collector's file cites the
 * upstream source of its shape). The Kubernetes answers are also validated against the CRD-generated
 * models (@kubernetes-models/argo-cd 4.0.0, flux-cd 4.0.0, argo-rollouts 2.0.0), so a fixture cannot
 * drift from what the controllers write.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { alertsQuery, parseAlerts } from "../delivery/evidence/alerts";
import { collectEvidence } from "../delivery/evidence/collect";
import { parseDriftIssues } from "../delivery/evidence/drift";
import { argoAppStatuses, fluxAppStatuses, fluxRevisionCommit, parseList } from "../delivery/evidence/engine";
import { parseUpdateHistory } from "../delivery/evidence/history";
import { canaryStatuses, rolloutStatuses } from "../delivery/evidence/progressive";
import { parseLsRemote, resolveRevision } from "../delivery/evidence/refs";
import { EvidenceUnavailable, recordedPath, recordedSource } from "../delivery/evidence/source";
import { healthySince, parseStatuses } from "../delivery/evidence/statuses";
import { z } from "zod";
import { importEsm } from "./harness";
import { CHECKOUT, FIXTURES, GRAFANA, GREEN, GREEN_REQUEST, PAY, PROGRAM } from "./promotion-fixtures";

type ModelClass = new (data: unknown) => { validate(): void };

const shape = (name: string) => fs.readFileSync(path.join(FIXTURES, "shapes", name), "utf8");
const green = (file: string) => fs.readFileSync(path.join(GREEN, file), "utf8");

const anyItem = z.object({}).passthrough();

describe("promotion evidence: recorded answers are the controllers' shapes", () => {
    const cases: [string, string, string][] = [
        ["green/kubernetes/staging/applications.argoproj.io.json", "argo-cd/argoproj.io/v1alpha1", "Application"],
        ["green/kubernetes/production/applications.argoproj.io.json", "argo-cd/argoproj.io/v1alpha1", "Application"],
        ["shapes/flux-kustomizations.json", "flux-cd/kustomize.toolkit.fluxcd.io/v1", "Kustomization"],
        ["shapes/flux-helmreleases.json", "flux-cd/helm.toolkit.fluxcd.io/v2", "HelmRelease"],
        ["shapes/rollouts.json", "argo-rollouts/argoproj.io/v1alpha1", "Rollout"],
        ["shapes/analysisruns.json", "argo-rollouts/argoproj.io/v1alpha1", "AnalysisRun"],
    ];
    for (const [file, module, kind] of cases) {
        it(`${file}: every item validates as a ${kind}`, async () => {
            const Model = (await importEsm<Record<string, ModelClass>>(`@kubernetes-models/${module}/${kind}`))[kind];
            const items = parseList(fs.readFileSync(path.join(FIXTURES, file), "utf8"), anyItem, kind);
            assert.ok(items.length > 0);
            for (const item of items) {
                assert.doesNotThrow(() => new Model(item).validate(), JSON.stringify(item.metadata));
            }
        });
    }
});

describe("promotion evidence: update history (pulumi stack history --json)", () => {
    it("takes the last succeeded update's git.head, ignoring refreshes", () => {
        assert.deepEqual(parseUpdateHistory(green("history/staging.json")), {
            last: { version: 43, result: "succeeded", programCommit: PROGRAM },
            succeeded: { version: 43, programCommit: PROGRAM, finishedAt: "2026-12-06T08:10:00.000Z", dirty: false },
        });
    });

    it("reports a failed last update next to the last succeeded one", () => {
        const history = JSON.parse(green("history/staging.json")) as { version: number; result: string }[];
        const failed = history.map((e) => (e.version === 43 ? { ...e, result: "failed" } : e));
        const older = { ...history[2], version: 41, result: "succeeded" };
        const result = parseUpdateHistory(JSON.stringify([...failed, older]));
        assert.deepEqual(result.last, { version: 43, result: "failed", programCommit: PROGRAM });
        assert.equal(result.succeeded?.version, 41);
    });

    it("falls back to a SHA message and flags a dirty tree", () => {
        const [, entry] = JSON.parse(green("history/staging.json")) as { environment: Record<string, string> }[];
        const environment: Record<string, string> = { ...entry.environment, "git.dirty": "true" };
        delete environment["git.head"];
        const noHead = { ...entry, environment };
        const result = parseUpdateHistory(JSON.stringify([noHead]));
        assert.equal(result.succeeded?.programCommit, PROGRAM);
        assert.equal(result.succeeded?.dirty, true);
    });

    it("is unavailable for a stack never updated or an answer of another shape", () => {
        assert.throws(() => parseUpdateHistory("[]"), EvidenceUnavailable);
        assert.throws(() => parseUpdateHistory('[{"version":"x"}]'), /not pulumi stack history --json output/);
    });
});

describe("promotion evidence: tags to commits (git ls-remote)", () => {
    const refs = parseLsRemote(green("refs/github.com-acme-platform-payments-api.txt"));
    it("peels an annotated tag to its commit", () => {
        assert.equal(resolveRevision("v2.15.0", refs), PAY);
        assert.equal(resolveRevision("refs/tags/v2.15.0", refs), PAY);
    });
    it("never takes a branch of the tag's name, and keeps a full SHA as it is", () => {
        assert.equal(refs.get("refs/heads/v2.15.0"), "0123456789abcdef0123456789abcdef01234567");
        assert.equal(resolveRevision("v9.9.9", refs), undefined);
        assert.equal(resolveRevision("main", refs), undefined);
        assert.equal(resolveRevision(CHECKOUT, refs), CHECKOUT);
    });
});

describe("promotion evidence: engine status", () => {
    it("Argo CD: sync revision, health and its transition time per Application", () => {
        const statuses = argoAppStatuses(
            parseList(green("kubernetes/staging/applications.argoproj.io.json"), anyItem, "Application") as never,
        );
        assert.deepEqual(statuses["payments-api"], {
            synced: true,
            revision: PAY,
            healthy: true,
            health: "Healthy",
            since: "2026-12-06T08:20:00Z",
        });
        assert.deepEqual(Object.keys(statuses), ["payments-api", "checkout-web", "grafana"]);
    });

    it("Flux: Ready and the last applied revision; a failed health check is not healthy", () => {
        const statuses = fluxAppStatuses([
            ...parseList(shape("flux-kustomizations.json"), anyItem, "Kustomization"),
            ...parseList(shape("flux-helmreleases.json"), anyItem, "HelmRelease"),
        ] as never);
        assert.deepEqual(statuses["payments-api"], {
            synced: true,
            revision: PAY,
            healthy: true,
            health: "Ready=True: ReconciliationSucceeded",
            since: "2026-12-06T08:20:00Z",
        });
        assert.equal(statuses["checkout-web"].healthy, false);
        assert.equal(statuses["checkout-web"].health, "Ready=False: HealthCheckFailed");
        // The last applied revision, not the attempted one.
        assert.equal(statuses["checkout-web"].revision, "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c");
        // A chart built with reconcileStrategy Revision carries the commit prefix in its version.
        assert.equal(statuses.grafana.revision, GRAFANA.slice(0, 12));
    });

    it("reads the commit out of every Flux revision format", () => {
        assert.equal(fluxRevisionCommit(`main@sha1:${PAY}`), PAY);
        assert.equal(fluxRevisionCommit(`main/${PAY}`), PAY);
        assert.equal(fluxRevisionCommit("10.1.4+5e6f7a8b9c0d"), "5e6f7a8b9c0d");
        assert.equal(fluxRevisionCommit("10.1.4"), undefined);
    });

    it("refuses a List of something else as unavailable, naming the resource", () => {
        assert.throws(
            () => parseList('{"items":[{}]}', z.object({ metadata: z.object({ name: z.string() }) }), "x"),
            /not a List of x/,
        );
        assert.throws(() => parseList("error: the server doesn't have a resource type", anyItem, "x"), /not JSON/);
    });
});

describe("promotion evidence: progressive delivery", () => {
    it("Argo Rollouts: healthy at the stable hash, with the last analysis of that hash", () => {
        const statuses = rolloutStatuses(
            parseList(shape("rollouts.json"), anyItem, "Rollout") as never,
            parseList(shape("analysisruns.json"), anyItem, "AnalysisRun") as never,
        );
        assert.deepEqual(statuses.get("payments-api/payments-api"), {
            kind: "Rollout",
            healthy: true,
            phase: "Healthy",
            analysis: "Successful",
        });
        assert.deepEqual(statuses.get("checkout/checkout-web"), {
            kind: "Rollout",
            healthy: false,
            phase: "Degraded",
            analysis: "Failed",
        });
    });

    it("Flagger: Succeeded is a successful analysis, Failed is not", () => {
        const statuses = canaryStatuses(parseList(shape("canaries.json"), anyItem, "Canary") as never);
        assert.deepEqual(statuses.get("payments-api/payments-api"), {
            kind: "Canary",
            healthy: true,
            phase: "Succeeded",
            analysis: "Successful",
        });
        assert.equal(statuses.get("checkout/checkout-web")?.analysis, "Failed");
    });
});

describe("promotion evidence: continuous health from commit statuses", () => {
    it("Argo CD: the start of the current run of successes of the health context", () => {
        const statuses = parseStatuses(green(`statuses/acme-platform/payments-api/${PAY}.json`));
        assert.equal(healthySince(statuses, "gitops/staging/payments-api/health"), "2026-12-06T08:20:00Z");
        // Another environment's context on the same commit is not staging's health.
        assert.equal(healthySince(statuses, "gitops/production/payments-api/health"), undefined);
    });

    it("Flux: the Kustomization's context, whatever the provider suffix; a failure resets it", () => {
        assert.equal(
            healthySince(parseStatuses(shape("flux-statuses.json")), "kustomization/payments-api/"),
            "2026-12-06T09:00:00Z",
        );
    });

    it("is undefined when the latest status is not a success", () => {
        const statuses = parseStatuses(green(`statuses/acme-platform/payments-api/${PAY}.json`));
        const degraded = [
            { state: "failure", context: "gitops/staging/payments-api/health", created_at: "2026-12-06T11:59:00Z" },
            ...statuses,
        ];
        assert.equal(healthySince(degraded, "gitops/staging/payments-api/health"), undefined);
    });
});

describe("promotion evidence: alerts and drift", () => {
    it("Prometheus: firing alerts by name, namespace and severity", () => {
        assert.deepEqual(parseAlerts(shape("prometheus-alerts.json")), [
            { name: "KubePodCrashLooping", namespace: "checkout", severity: "critical" },
            { name: "ArgoCdAppOutOfSync", namespace: "argocd", severity: "critical" },
        ]);
        assert.deepEqual(parseAlerts(shape("prometheus-empty.json")), []);
        assert.throws(() => parseAlerts('{"status":"error","errorType":"bad_data"}'), EvidenceUnavailable);
    });

    it("queries ALERTS over the window, for the severities", () => {
        assert.equal(
            alertsQuery(["critical", "warning"], 60),
            'max by (alertname, namespace, severity) (max_over_time(ALERTS{alertstate="firing",severity=~"critical|warning"}[60m]))',
        );
    });

    it("GitHub issues: open drift issues", () => {
        assert.deepEqual(parseDriftIssues(shape("drift-open.json")), [
            {
                number: 57,
                title: "Drift on staging",
                url: "https://github.com/acme-platform/gitops-platform/issues/57",
            },
        ]);
        assert.deepEqual(parseDriftIssues(green("issues/acme-platform/gitops-platform/drift-staging.json")), []);
    });
});

describe("promotion evidence: collected from one source", () => {
    it("names each recorded answer's file by request", () => {
        assert.equal(
            recordedPath({ kind: "refs", url: "https://github.com/grafana/helm-charts.git" }),
            "refs/github.com-grafana-helm-charts.txt",
        );
        assert.equal(
            recordedPath({ kind: "issues", repository: "a/b", label: "drift:staging" }),
            "issues/a/b/drift-staging.json",
        );
    });

    it("collects the green staging: commits, health and where each healthy-since came from", async () => {
        const evidence = await collectEvidence(recordedSource(GREEN), GREEN_REQUEST);
        assert.deepEqual(evidence.apps["payments-api"], {
            declared: "v2.15.0",
            repoUrl: "https://github.com/acme-platform/payments-api.git",
            namespace: "payments-api",
            resolved: PAY,
            engine: { synced: true, revision: PAY, healthy: true, health: "Healthy", since: "2026-12-06T08:20:00Z" },
            healthy: { since: "2026-12-06T08:20:00Z", from: "commit statuses" },
        });
        // A third-party repository gets no statuses from the notifications: the engine's transition time.
        // Healthy since long before, but at this commit only since its sync finished.
        assert.deepEqual(evidence.apps.grafana.healthy, { since: "2026-12-06T08:11:30Z", from: "engine" });
        assert.deepEqual(evidence.drift, []);
        assert.equal(evidence.alerts, undefined);
        assert.equal(evidence.collectedAt, "2026-12-06T12:00:00.000Z");
    });

    it("records a missing answer as unavailable, naming it, instead of failing", async () => {
        const evidence = await collectEvidence(recordedSource(GREEN), {
            ...GREEN_REQUEST,
            progressive: ["payments-api"],
            alerts: { url: "https://prometheus.staging.acme.example", severities: ["critical"], windowMinutes: 60 },
        });
        assert.match(
            JSON.stringify(evidence.apps["payments-api"].progressive),
            /no recorded answer .*rollouts\.argoproj\.io\.json/,
        );
        assert.match(
            JSON.stringify(evidence.alerts),
            /no recorded answer .*prometheus\/prometheus\.staging\.acme\.example\.json/,
        );
    });
});

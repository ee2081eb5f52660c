/**
 * Issue 24, finding 11 (the Kubernetes parts): External Secrets alerts read the label Prometheus keeps the
 * ExternalSecret's namespace in; Argo CD's repo-server is governed by its chart's policy alone (NetworkPolicies
 * add up); the flux-operator's unauthenticated web UI is off.
 */
import assert from "node:assert/strict";
import { ARGOCD_REPO_SERVER } from "../components/gitops/argocd/argoCd";
import { fluxOperatorValues } from "../components/gitops/flux/objects";
import { podMonitors, prometheusRule } from "../components/monitoring/objects";
import { planStack } from "./harness";

describe("issue 24 finding 11: External Secrets alerts and exported_namespace", () => {
    const settings = {
        engine: "argocd" as const,
        engineNamespace: "argocd",
        secrets: { namespace: "external-secrets", release: "external-secrets" },
        selectorLabels: { release: "kube-prometheus-stack" },
        labels: {},
        driftFor: "15m",
        stalledFor: "30m",
    };

    it("group and name the ExternalSecret by exported_namespace: Prometheus renames its `namespace` on scrape", () => {
        // prometheus/prometheus scrape/scrape.go mutateSampleLabels: with honor_labels false, a scraped label that
        // a target label also sets is kept as exported_<name>; the target's `namespace` is the controller pod's.
        const monitor = podMonitors(settings).find(
            (m) => m.spec.namespaceSelector.matchNames[0] === "external-secrets",
        )!;
        assert.notEqual(
            (monitor.spec as { podMetricsEndpoints: { honorLabels?: boolean }[] }).podMetricsEndpoints[0].honorLabels,
            true,
        );
        const rules = prometheusRule("alerts", settings).spec.groups.flatMap((g) => g.rules);
        for (const alert of ["ExternalSecretNotReady", "ExternalSecretSyncErrors"]) {
            const rule = rules.find((r) => r.alert === alert)!;
            const text = JSON.stringify(rule);
            assert.ok(!/\$labels\.namespace\b/.test(text), `${alert} reads $labels.namespace`);
            assert.ok(!/by \(namespace/.test(text), `${alert} groups by namespace`);
            assert.match(text, /exported_namespace/);
        }
    });
});

describe("issue 24 finding 11: Argo CD's repo-server isolation holds", () => {
    it("no platform policy admits the namespace's other pods to the repo-server; the default deny still covers it", async () => {
        const { resources } = await planStack("staging");
        const policies = resources
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .filter((r) => (r.inputs.metadata as { namespace: string }).namespace === "argocd")
            .map(
                (r) =>
                    r.inputs.spec as {
                        podSelector: Record<string, unknown>;
                        ingress: { from?: unknown[]; ports?: unknown[] }[];
                    },
            );
        // argo-helm charts/argo-cd 10.1.1 templates/argocd-repo-server/networkpolicy.yaml selects
        // app.kubernetes.io/name: argocd-repo-server and admits its port from server, controller, notifications and
        // ApplicationSet pods only, and `metrics` from any namespace. Policies add up: any platform policy that
        // selects the repo-server may open no more than that.
        const selectsRepoServer = (selector: Record<string, unknown>) =>
            JSON.stringify(selector) === "{}" ||
            !JSON.stringify(selector).includes(`"NotIn","values":["${ARGOCD_REPO_SERVER}"]`);
        const opening = policies.filter((p) => selectsRepoServer(p.podSelector));
        assert.equal(opening.length, 1, "the namespace's default deny");
        assert.deepEqual(opening[0].ingress, [
            { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: "metrics" }] },
        ]);
        // The other pods still reach each other.
        const peers = policies.find((p) => !selectsRepoServer(p.podSelector));
        assert.deepEqual(peers?.ingress, [{ from: [{ podSelector: {} }] }]);
        assert.equal(ARGOCD_REPO_SERVER, "argocd-repo-server");
    });
});

describe("issue 24 finding 11: the flux-operator web UI", () => {
    it("is off on every Flux stack (served without authentication by default)", async () => {
        assert.deepEqual(fluxOperatorValues({ multitenancy: true }).web, { enabled: false });
        const { resources } = await planStack("local");
        const release = resources.find((r) => String(r.inputs.chart).endsWith("flux-operator"))!;
        assert.deepEqual((release.inputs.values as { web: unknown }).web, { enabled: false });
    });
});

/**
 * Invariant (b), the platform's charts: each chart the program installs, at its pinned version, renders pods
 * its namespace's Pod Security level admits with the values the program sets. The platform's namespaces
 * enforce `baseline` (components/core/isolation.ts POD_SECURITY.platform), which only host namespaces,
 * privileged containers, hostPath volumes, host ports and extra capabilities break; so each chart's entry
 * lists the values that make its templates render one of those (each off in the chart's values.yaml), read
 * at the pinned version. A chart without an entry, or at another version, is a violation: read it first.
 */
import { PlannedResource, SECRET_PLACEHOLDER } from "../../plan/recorder";
import { Level } from "./podSecurity";

export interface ChartPodSecurity {
    readonly chart: string;
    readonly version: string;
    /** Value paths that, when set, render what `baseline` forbids; each is off by default. */
    readonly baselineBreakers: readonly { readonly path: string; readonly renders: string }[];
    /** Where upstream says so. */
    readonly source: string;
}

export const CHART_POD_SECURITY: readonly ChartPodSecurity[] = [
    {
        chart: "argo-cd",
        version: "10.1.1",
        baselineBreakers: [
            { path: "controller.hostNetwork", renders: "hostNetwork" },
            { path: "repoServer.hostNetwork", renders: "hostNetwork" },
            { path: "server.hostNetwork", renders: "hostNetwork" },
            { path: "commitServer.hostNetwork", renders: "hostNetwork" },
        ],
        source: "argoproj/argo-helm charts/argo-cd 10.1.1: templates/argocd-{application-controller,repo-server,server,commit-server}/*.yaml `if .Values.<component>.hostNetwork`; values.yaml hostNetwork: false; no privileged, hostPath, hostPort or added capability in templates/ (redis-ha 4.38.0's own templates not read)",
    },
    {
        chart: "argo-rollouts",
        version: "2.41.0",
        baselineBreakers: [],
        source: "argoproj/argo-helm charts/argo-rollouts 2.41.0: no host namespace, privileged, hostPath, hostPort or capability outside templates/crds/",
    },
    {
        chart: "argocd-image-updater",
        version: "1.2.4",
        baselineBreakers: [],
        source: "argoproj/argo-helm charts/argocd-image-updater 1.2.4: templates/ set no host namespace, privileged, hostPath, hostPort or capability",
    },
    {
        chart: "external-secrets",
        version: "2.9.0",
        baselineBreakers: [
            { path: "hostNetwork", renders: "hostNetwork" },
            { path: "webhook.hostNetwork", renders: "hostNetwork" },
            { path: "certController.hostNetwork", renders: "hostNetwork" },
        ],
        source: "external-secrets/external-secrets deploy/charts/external-secrets 2.9.0: templates/{deployment,webhook-deployment,cert-controller-deployment}.yaml hostNetwork; values.yaml hostNetwork: false",
    },
    {
        chart: "sealed-secrets",
        version: "2.18.5",
        baselineBreakers: [
            { path: "hostNetwork", renders: "hostNetwork and hostPorts" },
            { path: "hostPorts.http", renders: "hostPort" },
            { path: "hostPorts.metrics", renders: "hostPort" },
        ],
        source: "bitnami-labs/sealed-secrets helm/sealed-secrets 2.18.5: templates/deployment.yaml `if .Values.hostNetwork`, hostPorts.*; values.yaml hostNetwork: false, hostPorts empty",
    },
    {
        chart: "flagger",
        version: "1.44.0",
        baselineBreakers: [],
        source: "fluxcd/flagger charts/flagger 1.44.0: templates/ set no host namespace, privileged, hostPath, hostPort or capability (psp.yaml forbids them)",
    },
    {
        chart: "flux-operator",
        version: "0.58.1",
        baselineBreakers: [{ path: "hostNetwork", renders: "hostNetwork" }],
        source: "controlplaneio-fluxcd/charts charts/flux-operator: templates/deployment.yaml `if .Values.hostNetwork`, values.yaml hostNetwork: false (read at 0.49.0, the newest the snapshot holds)",
    },
    {
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        baselineBreakers: [
            { path: "nodeExporter.enabled", renders: "prometheus-node-exporter: hostNetwork, hostPID, hostPath" },
            { path: "prometheusOperator.hostNetwork", renders: "hostNetwork" },
            { path: "prometheusOperator.admissionWebhooks.deployment.hostNetwork", renders: "hostNetwork" },
            { path: "prometheus.prometheusSpec.hostNetwork", renders: "hostNetwork" },
            { path: "alertmanager.alertmanagerSpec.hostNetwork", renders: "hostNetwork" },
        ],
        source: "prometheus-community/helm-charts charts/kube-prometheus-stack 88.5.3: Chart.yaml prometheus-node-exporter condition nodeExporter.enabled (on by default); templates/prometheus-operator/deployment.yaml, prometheus/prometheus.yaml, alertmanager/alertmanager.yaml hostNetwork (false by default)",
    },
    {
        chart: "prometheus-operator-crds",
        version: "31.0.1",
        baselineBreakers: [],
        source: "prometheus-community/helm-charts charts/prometheus-operator-crds 31.0.1: CRDs only, no workload",
    },
];

/** Values a chart enables when the program does not set them (values.yaml defaults that break baseline). */
const ON_BY_DEFAULT: Readonly<Record<string, readonly string[]>> = {
    "kube-prometheus-stack": ["nodeExporter.enabled"],
};

export interface ChartViolation {
    readonly release: string;
    readonly problem: string;
}

const at = (values: unknown, path: string): unknown =>
    path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], values);

/** The level a namespace of the plan enforces; undefined when the plan declares no such namespace. */
export function enforcedLevels(resources: readonly PlannedResource[]): Map<string, Level> {
    const levels = new Map<string, Level>();
    for (const r of resources.filter((x) => x.type === "kubernetes:core/v1:Namespace")) {
        const metadata = r.inputs.metadata as { name?: string; labels?: Record<string, string> };
        const level = metadata.labels?.["pod-security.kubernetes.io/enforce"];
        if (metadata.name !== undefined && level !== undefined) {
            levels.set(metadata.name, level as Level);
        }
    }
    return levels;
}

/** The charts a plan installs whose pods its namespaces would not admit, or that no entry has read. */
export function chartViolations(resources: readonly PlannedResource[]): ChartViolation[] {
    const levels = enforcedLevels(resources);
    const violations: ChartViolation[] = [];
    for (const release of resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) {
        const chart = String(release.inputs.chart).split("/").pop()!;
        const version = String(release.inputs.version);
        const entry = CHART_POD_SECURITY.find((c) => c.chart === chart && c.version === version);
        if (entry === undefined) {
            violations.push({
                release: release.name,
                problem: `${chart} ${version} has no entry in CHART_POD_SECURITY: read its templates at that version`,
            });
            continue;
        }
        const level = levels.get(String(release.inputs.namespace));
        if (level === "restricted") {
            violations.push({
                release: release.name,
                problem: `${chart} runs in a restricted namespace, and only its baseline breakers were read`,
            });
        }
        if (level === undefined || level === "privileged") {
            continue;
        }
        const values = release.inputs.values ?? {};
        if (values === SECRET_PLACEHOLDER) {
            continue; // masked (Argo CD's SSO secret); the same builder is read unmasked in variants without SSO
        }
        for (const breaker of entry.baselineBreakers) {
            const set = at(values, breaker.path);
            const on =
                set === undefined ? (ON_BY_DEFAULT[chart] ?? []).includes(breaker.path) : Boolean(set) && set !== "";
            if (on) {
                violations.push({
                    release: release.name,
                    problem: `${breaker.path} renders ${breaker.renders}, which ${level} Pod Security in ${String(release.inputs.namespace)} refuses`,
                });
            }
        }
    }
    return violations;
}

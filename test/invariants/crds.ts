/**
 * Invariant (a): every custom resource a plan declares waits for what installs its CRD in the same stack.
 * pulumi-kubernetes refuses an object whose kind the cluster does not serve yet ("the apiVersion for this
 * resource does not exist"), so an object that does not (transitively) depend on its CRD's installer fails
 * the first `up` whenever the engine happens to run it first.
 */
import { PlannedResource, SECRET_PLACEHOLDER } from "../../plan/recorder";

/** Kubernetes' own API groups, as pulumi-kubernetes names them in type tokens (no CRD to wait for). */
const BUILTIN_GROUP = /^(core|apps|batch|policy|autoscaling|helm\.sh|([a-z0-9-]+\.)*k8s\.io)$/;

export interface CrdInstaller {
    /** API groups whose CRDs it installs; `kinds` narrows a group two installers share. */
    readonly groups: readonly string[];
    readonly kinds?: readonly string[];
    /** The resource that installs them: a Helm release of this chart (the name's last path segment), or a resource type. */
    readonly chart?: string;
    readonly type?: string;
    /** What the release's values must say for the chart to install them (the program's values). */
    readonly values?: (values: Record<string, unknown>) => boolean;
    /** Where upstream says so. */
    readonly source: string;
}

const path = (values: Record<string, unknown>, ...keys: string[]): unknown =>
    keys.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], values);

/** Which resource installs which CRDs, read upstream at the pinned versions. */
export const CRD_INSTALLERS: readonly CrdInstaller[] = [
    {
        groups: ["argoproj.io"],
        kinds: ["Application", "AppProject", "ApplicationSet", "AppProjectPatch", "ApplicationPatch"],
        chart: "argo-cd",
        values: (v) => path(v, "crds", "install") === true,
        source: "argoproj/argo-helm charts/argo-cd 10.1.1: templates/crds/*.yaml under `if .Values.crds.install`",
    },
    {
        groups: ["argoproj.io"],
        kinds: ["Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun", "Experiment"],
        chart: "argo-rollouts",
        values: (v) => v.installCRDs === true,
        source: "argoproj/argo-helm charts/argo-rollouts 2.41.0: templates/crds/*.yaml under `if .Values.installCRDs`",
    },
    {
        groups: ["argocd-image-updater.argoproj.io"],
        chart: "argocd-image-updater",
        values: (v) => path(v, "crds", "install") !== false,
        source: "argoproj/argo-helm charts/argocd-image-updater 1.2.4: templates/crds under `if .Values.crds.install` (default true)",
    },
    {
        groups: ["external-secrets.io", "generators.external-secrets.io"],
        chart: "external-secrets",
        values: (v) => v.installCRDs === true,
        source: "external-secrets/external-secrets deploy/charts/external-secrets 2.9.0: templates/crds/*.yaml under `if .Values.installCRDs`",
    },
    {
        groups: ["fluxcd.controlplane.io"],
        chart: "flux-operator",
        values: (v) => v.installCRDs === true,
        source: "controlplaneio-fluxcd/charts charts/flux-operator 0.58.1: templates/crds.yaml under `if .Values.installCRDs`",
    },
    {
        // The operator installs the toolkit's CRDs with the controllers of the instance's distribution.
        groups: [
            "source.toolkit.fluxcd.io",
            "kustomize.toolkit.fluxcd.io",
            "helm.toolkit.fluxcd.io",
            "notification.toolkit.fluxcd.io",
            "image.toolkit.fluxcd.io",
        ],
        type: "kubernetes:fluxcd.controlplane.io/v1:FluxInstance",
        source: "controlplaneio-fluxcd/flux-operator docs/api/v1/fluxinstance.md: the instance installs the components' CRDs and is Ready once they are",
    },
    {
        groups: ["flagger.app"],
        chart: "flagger",
        source: "fluxcd/flagger charts/flagger 1.44.0: crds/crd.yaml (Helm installs a chart's crds/ before its templates)",
    },
    {
        groups: ["bitnami.com"],
        chart: "sealed-secrets",
        source: "bitnami-labs/sealed-secrets helm/sealed-secrets 2.18.5: crds/bitnami.com_sealedsecrets.yaml",
    },
    {
        groups: ["monitoring.coreos.com"],
        chart: "prometheus-operator-crds",
        source: "prometheus-community/helm-charts charts/prometheus-operator-crds 31.0.1: charts/crds/templates/crd-*.yaml (each enabled by default)",
    },
    {
        groups: ["monitoring.coreos.com"],
        chart: "kube-prometheus-stack",
        values: (v) => path(v, "crds", "enabled") === true,
        source: "prometheus-community/helm-charts charts/kube-prometheus-stack 88.5.3: Chart.yaml dependency `crds`, condition crds.enabled",
    },
];

/** `kubernetes:monitoring.coreos.com/v1:PodMonitor` → group and kind; undefined for anything not a Kubernetes object. */
export function groupKind(type: string): { group: string; kind: string } | undefined {
    const match = /^kubernetes:([^/]+)\/[^:]+:(.+)$/.exec(type);
    return match ? { group: match[1], kind: match[2] } : undefined;
}

export function isCustomResource(resource: PlannedResource): boolean {
    const gk = groupKind(resource.type);
    return gk !== undefined && !BUILTIN_GROUP.test(gk.group);
}

function installs(installer: CrdInstaller, resource: PlannedResource): boolean {
    if (installer.type !== undefined) {
        return resource.type === installer.type;
    }
    if (resource.type !== "kubernetes:helm.sh/v3:Release") {
        return false;
    }
    const chart = typeof resource.inputs.chart === "string" ? resource.inputs.chart.split("/").pop() : undefined;
    const values = resource.inputs.values ?? {};
    // Values holding a secret (Argo CD's SSO client secret) are masked in the plan; the same builder's values
    // without SSO are read in the variants that have none (local on argocd, the fleet example).
    const readable = values !== SECRET_PLACEHOLDER;
    return (
        chart === installer.chart &&
        (installer.values === undefined || !readable || installer.values(values as Record<string, unknown>))
    );
}

/** Installers that may serve a custom resource's kind. */
export function installersOf(resource: PlannedResource): CrdInstaller[] {
    const gk = groupKind(resource.type);
    return gk === undefined
        ? []
        : CRD_INSTALLERS.filter(
              (i) => i.groups.includes(gk.group) && (i.kinds === undefined || i.kinds.includes(gk.kind)),
          );
}

/**
 * Everything a resource waits for: its dependencies, theirs, and, for a component it waits for, every
 * resource under it (Pulumi waits for a component's children).
 */
export function waitsFor(resources: readonly PlannedResource[]): (resource: PlannedResource) => Set<string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of resources) {
        if (r.parent !== undefined) {
            children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
        }
    }
    const memo = new Map<string, Set<string>>();
    const visit = (urn: string, seen: Set<string>) => {
        const stack = [urn];
        while (stack.length > 0) {
            const next = stack.pop()!;
            const r = byUrn.get(next);
            for (const dep of [...(r?.dependencies ?? []), ...(r?.options.dependsOn ?? [])]) {
                if (!seen.has(dep)) {
                    seen.add(dep);
                    stack.push(dep);
                    const below = [...(children.get(dep) ?? [])];
                    while (below.length > 0) {
                        const child = below.pop()!;
                        if (!seen.has(child)) {
                            seen.add(child);
                            stack.push(child);
                            below.push(...(children.get(child) ?? []));
                        }
                    }
                }
            }
        }
        return seen;
    };
    return (resource) => {
        const known = memo.get(resource.urn) ?? visit(resource.urn, new Set());
        memo.set(resource.urn, known);
        return known;
    };
}

export interface CrdViolation {
    readonly resource: string;
    readonly type: string;
    readonly problem: string;
}

/**
 * Custom resources that do not wait for an installer of their CRD declared in the same plan. `external`
 * lists API groups config says an operator outside the stack serves (monitoring.operatorCrds: existing).
 */
export function crdViolations(resources: readonly PlannedResource[], external: readonly string[] = []): CrdViolation[] {
    const waits = waitsFor(resources);
    const violations: CrdViolation[] = [];
    for (const resource of resources.filter(isCustomResource)) {
        const gk = groupKind(resource.type)!;
        if (external.includes(gk.group)) {
            continue;
        }
        const installers = installersOf(resource);
        if (installers.length === 0) {
            violations.push({
                resource: resource.name,
                type: resource.type,
                problem: `no known installer of ${gk.group} ${gk.kind}: add it to CRD_INSTALLERS with its upstream source`,
            });
            continue;
        }
        const waited = waits(resource);
        const declared = resources.filter((r) => installers.some((i) => installs(i, r)));
        if (!declared.some((installer) => waited.has(installer.urn))) {
            violations.push({
                resource: resource.name,
                type: resource.type,
                problem:
                    declared.length === 0
                        ? `nothing in the stack installs ${gk.group} (${installers.map((i) => i.chart ?? i.type).join(" or ")})`
                        : `does not wait for ${declared.map((r) => r.name).join(" or ")}, which installs its CRD`,
            });
        }
    }
    return violations;
}

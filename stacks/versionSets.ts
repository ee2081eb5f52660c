/**
 * Version sets: per Kubernetes minor EKS offers, the EKS add-on builds, the node AMI release, the
 * version of every chart the program installs and the API versions of the custom resources it
 * writes. A stack names its Kubernetes minor (cluster.kubernetesVersion, or versions.kubernetes for an
 * existing cluster) and takes that set; an explicit pin overrides a set's pin only within its line
 * (stacks/config/versions.ts), and `npm run bump` moves pins within the line, live-checked.
 *
 * What a pin records: `confirmed` is true only where the version was read in the upstream source named
 * in `source` (repository, path and revision); false pins are carried from earlier checks of this
 * project and are to be confirmed by `npm run preflight` / `npm run bump` with AWS credentials. A minor
 * without a confirmed build of an add-on has no pin for it: such a stack pins it in config.
 */
import { DEFAULT_CHART_VERSION as ARGOCD_CHART } from "../components/gitops/argocd/versions";
import { IMAGE_UPDATER } from "../components/gitops/argocd/imageUpdater";
import { DEFAULTS as FLUX } from "../components/gitops/flux/flux";
import { DELIVERY_CHARTS } from "../components/delivery/values";
import { DEFAULTS as MONITORING } from "../components/monitoring";
import { SEALED_SECRETS } from "../components/secrets/sealed";
import { DEFAULTS as STORE } from "../components/secrets/store";
import { EKS_KUBERNETES_VERSIONS } from "./config/cluster";

/** The EKS managed add-ons the cluster component installs, by config key, with their EKS names. */
export const ADDONS = {
    vpcCni: { eksName: "vpc-cni", releases: "https://github.com/aws/amazon-vpc-cni-k8s/releases/tag/v" },
    coreDns: { eksName: "coredns", releases: "https://github.com/coredns/coredns/releases/tag/v" },
    kubeProxy: { eksName: "kube-proxy", releases: "https://github.com/kubernetes/kubernetes/releases/tag/v" },
    podIdentityAgent: {
        eksName: "eks-pod-identity-agent",
        releases: "https://github.com/aws/eks-pod-identity-agent/releases/tag/v",
    },
    metricsServer: {
        eksName: "metrics-server",
        releases: "https://github.com/kubernetes-sigs/metrics-server/releases/tag/v",
    },
    ebsCsiDriver: {
        eksName: "aws-ebs-csi-driver",
        releases: "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/releases/tag/v",
    },
} as const;

export type AddonKey = keyof typeof ADDONS;
export const ADDON_KEYS = Object.keys(ADDONS) as AddonKey[];

export interface Pin {
    readonly version: string;
    /** Where the version was read (repository, path, revision), or why it is not confirmed. */
    readonly source: string;
    readonly confirmed: boolean;
}

export interface ChartPin extends Pin {
    readonly repository: string;
    readonly chart: string;
    /** Release notes of a version: this prefix + the version. */
    readonly releases: string;
    /** API versions of the custom resources the program writes that this chart's CRDs serve. */
    readonly apis: readonly string[];
}

/**
 * Every chart the program installs, plus the Flux distribution (a FluxInstance's version, promoted like
 * a chart). The versions are the components' own pins, cited where they are declared, so each is
 * decided in one place; the chart-values keys of each were read at that version (test/fixtures/chart-values).
 */
export const CHARTS = {
    "argo-cd": {
        version: ARGOCD_CHART,
        repository: "https://argoproj.github.io/argo-helm",
        chart: "argo-cd",
        releases: "https://github.com/argoproj/argo-helm/releases/tag/argo-cd-",
        // Application, AppProject (components/gitops/argocd; @kubernetes-models/argo-cd validates them).
        apis: ["argoproj.io/v1alpha1"],
        source: "components/gitops/argocd/versions.ts (argoproj/argo-helm charts/argo-cd/Chart.yaml)",
        confirmed: true,
    },
    "argocd-image-updater": {
        version: IMAGE_UPDATER.chartVersion,
        repository: IMAGE_UPDATER.chartRepository,
        chart: IMAGE_UPDATER.chart,
        releases: "https://github.com/argoproj/argo-helm/releases/tag/argocd-image-updater-",
        apis: ["argocd-image-updater.argoproj.io/v1alpha1"],
        source: "components/gitops/argocd/imageUpdater.ts (argo-helm charts/argocd-image-updater/Chart.yaml)",
        confirmed: true,
    },
    "flux-operator": {
        version: FLUX.operatorChartVersion,
        repository: FLUX.chart.slice(0, FLUX.chart.lastIndexOf("/")),
        chart: "flux-operator",
        releases: "https://github.com/controlplaneio-fluxcd/flux-operator/releases/tag/v",
        apis: ["fluxcd.controlplane.io/v1"],
        source: "components/gitops/flux/flux.ts (controlplaneio-fluxcd/flux-operator v0.58.1)",
        confirmed: true,
    },
    flux: {
        version: FLUX.distributionVersion,
        repository: "https://github.com/fluxcd/flux2",
        chart: "flux2 (distribution)",
        releases: "https://github.com/fluxcd/flux2/releases/tag/v",
        apis: ["source.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io/v1", "image.toolkit.fluxcd.io/v1"],
        source: "components/gitops/flux/flux.ts (fluxcd/flux2 v2.9.4)",
        confirmed: true,
    },
    "external-secrets": {
        version: STORE.chartVersion,
        repository: "https://charts.external-secrets.io",
        chart: "external-secrets",
        releases: "https://github.com/external-secrets/external-secrets/releases/tag/helm-chart-",
        apis: ["external-secrets.io/v1"],
        source: "components/secrets/store.ts (external-secrets chart 2.9.0)",
        confirmed: true,
    },
    "sealed-secrets": {
        version: SEALED_SECRETS.version,
        repository: SEALED_SECRETS.repository,
        chart: SEALED_SECRETS.chart,
        releases: "https://github.com/bitnami-labs/sealed-secrets/releases/tag/helm-v",
        apis: ["bitnami.com/v1alpha1"],
        source: "components/secrets/sealed.ts (bitnami-labs/sealed-secrets chart 2.18.5)",
        confirmed: true,
    },
    "kube-prometheus-stack": {
        version: MONITORING.stack.chartVersion,
        repository: MONITORING.stack.chartRepository,
        chart: MONITORING.stack.chart,
        releases: "https://github.com/prometheus-community/helm-charts/releases/tag/kube-prometheus-stack-",
        // PodMonitor, PrometheusRule (the Prometheus Operator's CRDs this chart installs).
        apis: ["monitoring.coreos.com/v1"],
        source: "components/monitoring/index.ts (prometheus-community/helm-charts 88.5.3)",
        confirmed: true,
    },
    "argo-rollouts": {
        version: DELIVERY_CHARTS["argo-rollouts"].version,
        repository: DELIVERY_CHARTS["argo-rollouts"].repository,
        chart: DELIVERY_CHARTS["argo-rollouts"].chart,
        releases: "https://github.com/argoproj/argo-helm/releases/tag/argo-rollouts-",
        apis: ["argoproj.io/v1alpha1"],
        source: "components/delivery/values.ts (argo-helm charts/argo-rollouts 2.41.0)",
        confirmed: true,
    },
    flagger: {
        version: DELIVERY_CHARTS.flagger.version,
        repository: DELIVERY_CHARTS.flagger.repository,
        chart: DELIVERY_CHARTS.flagger.chart,
        releases: "https://github.com/fluxcd/flagger/releases/tag/v",
        apis: ["flagger.app/v1beta1"],
        source: "components/delivery/values.ts (fluxcd/flagger charts/flagger 1.44.0)",
        confirmed: true,
    },
} as const satisfies Readonly<Record<string, ChartPin>>;

export type ChartKey = keyof typeof CHARTS;
export const CHART_KEYS = Object.keys(CHARTS) as ChartKey[];

export interface VersionSet {
    readonly kubernetes: string;
    /** EKS add-on builds; an add-on without a pin is pinned by the stack. */
    readonly addons: Readonly<Partial<Record<AddonKey, Pin>>>;
    /** Amazon Linux 2023 EKS AMI release (`<Kubernetes patch>-<date>`) of every node group; none: EKS's latest. */
    readonly nodeAmiRelease?: Pin;
    readonly charts: typeof CHARTS;
}

/** awsdocs/amazon-eks-user-guide latest/ug/networking/, the tables "latest version of the add-on per Kubernetes version". */
const GUIDE = "awsdocs/amazon-eks-user-guide latest/ug/networking";
const fromGuide = (version: string, page: string, commit: string): Pin => ({
    version,
    source: `${GUIDE}/${page} at ${commit}`,
    confirmed: true,
});
const carried = (version: string, why: string): Pin => ({ version, source: `unconfirmed: ${why}`, confirmed: false });

const ADDON_PINS: Readonly<Record<string, VersionSet["addons"]>> = {
    "1.32": {
        kubeProxy: fromGuide("v1.32.3-eksbuild.7", "managing-kube-proxy.adoc", "d9a9cba5"),
        coreDns: fromGuide("v1.11.4-eksbuild.22", "managing-coredns.adoc", "057948d9"),
        vpcCni: fromGuide("v1.20.1-eksbuild.3", "managing-vpc-cni.adoc", "057948d9"),
    },
    "1.33": {
        // The stored kube-proxy page stops at 1.32: no confirmed build, the stack pins it.
        coreDns: fromGuide("v1.12.3-eksbuild.1", "managing-coredns.adoc", "057948d9"),
        vpcCni: fromGuide("v1.20.1-eksbuild.3", "managing-vpc-cni.adoc", "057948d9"),
    },
    // 1.34 and 1.36: no stored user-guide page lists their builds; their stacks pin every add-on.
    "1.34": {},
    "1.35": {
        kubeProxy: carried(
            "v1.35.3-eksbuild.2",
            "the README's reading of managing-kube-proxy (December 2026); the stored page no longer has 1.35",
        ),
        coreDns: carried(
            "v1.14.2-eksbuild.4",
            "the README's reading of managing-coredns (December 2026); the stored page no longer has 1.35",
        ),
        vpcCni: carried("v1.19.5-eksbuild.1", "the stacks' pin, never confirmed to be offered for 1.35 (README)"),
        podIdentityAgent: carried(
            "v1.3.7-eksbuild.2",
            "the stacks' pin, never confirmed to be offered for 1.35 (README)",
        ),
    },
    "1.36": {},
};

/**
 * AMI releases: the public SSM parameter
 * /aws/service/eks/optimized-ami/<minor>/amazon-linux-2023/x86_64/standard/recommended/release_version
 * answers them; none was read here, so only 1.35 carries one, seen in third-party records of the
 * amazon-eks-ami v20260728 release (amazon-eks-node-al2023-x86_64-standard-1.35-v20260728).
 */
const AMI_PINS: Readonly<Record<string, Pin>> = {
    "1.35": carried("1.35.6-20260728", "third-party records of amazon-eks-ami release v20260728; check with SSM"),
};

/** One set per Kubernetes minor EKS offers (stacks/config/cluster.ts EKS_KUBERNETES_VERSIONS). */
export const VERSION_SETS: Readonly<Record<string, VersionSet>> = Object.fromEntries(
    EKS_KUBERNETES_VERSIONS.map((minor) => [
        minor,
        { kubernetes: minor, addons: ADDON_PINS[minor] ?? {}, nodeAmiRelease: AMI_PINS[minor], charts: CHARTS },
    ]),
);

/** The set of an existing cluster's stack that names no minor: the newest with the stacks' checked pins. */
export const DEFAULT_KUBERNETES_MINOR = "1.35";

/** Release notes of a pin, for the bump's summary. */
export function releaseLink(pin: { kind: "addon"; key: AddonKey } | { kind: "chart"; key: ChartKey }, version: string) {
    const bare = version.replace(/^v/, "").replace(/-eksbuild\.\d+$/, "");
    return pin.kind === "addon" ? `${ADDONS[pin.key].releases}${bare}` : `${CHARTS[pin.key].releases}${bare}`;
}

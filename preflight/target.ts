/**
 * What preflight checks, read off the stack's offline plan (the real program under the mock runtime):
 * the EKS cluster and its add-ons, every chart the stack installs (Pulumi's Helm releases and the
 * charts the engine installs from Argo CD Applications, ApplicationSets and Flux HelmReleases), the
 * Kubernetes version the seeded checks validate against, the GitHub owner and the AWS region.
 * Reading the plan, not the config, keeps each decision where the program makes it.
 */
import * as YAML from "yaml";
import { PlannedResource } from "../plan/recorder";

export interface PlannedAddon {
    /** EKS's add-on name (vpc-cni, coredns, ...). */
    readonly name: string;
    /** The pinned build; undefined when the program takes EKS's default build at deploy time. */
    readonly version: string | undefined;
    /** The add-on's configurationValues (JSON text), when the program sets any. */
    readonly configurationValues?: string;
    /** Service accounts the program associates with an IAM role through EKS Pod Identity. */
    readonly podIdentityServiceAccounts?: readonly string[];
}

export interface PlannedCluster {
    /** The EKS cluster's name (aws:eks/cluster:Cluster `name`). */
    readonly name: string;
    readonly kubernetesVersion: string;
    readonly publicAccess: boolean;
    readonly privateAccess: boolean;
    /** The CIDRs admitted to the public endpoint; EKS admits 0.0.0.0/0 when none are given. */
    readonly publicAccessCidrs: readonly string[];
    readonly addons: readonly PlannedAddon[];
}

export interface PlannedChart {
    /** The resource that installs it (Pulumi resource name), for the report. */
    readonly installedBy: string;
    readonly chart: string;
    readonly version: string;
    /** https:// or oci:// repository; undefined when `chart` is a whole oci:// reference. */
    readonly repository: string | undefined;
}

export interface PreflightTarget {
    readonly stack: string;
    readonly region: string | undefined;
    readonly githubOwner: string | undefined;
    readonly cluster: PlannedCluster | undefined;
    readonly charts: readonly PlannedChart[];
    /** Kubernetes versions the seeded checks pass to kubeconform (`-kubernetes-version 1.35.0`). */
    readonly schemaVersions: readonly string[];
    /** Flux distribution versions the stack's FluxInstances run ("2.9.4": fluxcd/flux2 release v2.9.4). */
    readonly fluxDistributions: readonly string[];
    /** apiVersion and kind of every object in the seeded manifests (what the seeded checks validate). */
    readonly seededKinds: readonly { readonly apiVersion: string; readonly kind: string }[];
}

/**
 * The offline plan's stand-in for EKS's default build (plan/mocks.ts, aws:eks/getAddonVersion): an
 * add-on with such a version is unpinned and takes EKS's default build at deploy time.
 */
const DEFAULT_BUILD_PLACEHOLDER = /^v0\.0\.0-eksbuild\.mock-/;

const CLUSTER_TYPE = "aws:eks/cluster:Cluster";
const ADDON_TYPE = "aws:eks/addon:Addon";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const REPOSITORY_FILE_TYPE = "github:index/repositoryFile:RepositoryFile";

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

function clusterOf(resources: readonly PlannedResource[]): PlannedCluster | undefined {
    const cluster = resources.find((r) => r.type === CLUSTER_TYPE);
    if (cluster === undefined) {
        return undefined;
    }
    const vpc = object(cluster.inputs.vpcConfig) ?? {};
    const addons = resources
        .filter((r) => r.type === ADDON_TYPE && r.inputs.clusterName === cluster.inputs.name)
        .map((r): PlannedAddon => {
            const version = text(r.inputs.addonVersion);
            const associations = Array.isArray(r.inputs.podIdentityAssociations)
                ? (r.inputs.podIdentityAssociations as unknown[])
                : [];
            const configurationValues = text(r.inputs.configurationValues);
            return {
                name: String(r.inputs.addonName),
                version: version === undefined || DEFAULT_BUILD_PLACEHOLDER.test(version) ? undefined : version,
                ...(configurationValues === undefined ? {} : { configurationValues }),
                podIdentityServiceAccounts: associations
                    .map((a) => text(object(a)?.serviceAccount))
                    .filter((a): a is string => a !== undefined),
            };
        });
    return {
        name: String(cluster.inputs.name),
        kubernetesVersion: String(cluster.inputs.version),
        // The EKS API's defaults (VpcConfigRequest): public access on, private access off.
        publicAccess: vpc.endpointPublicAccess !== false,
        privateAccess: vpc.endpointPrivateAccess === true,
        publicAccessCidrs: Array.isArray(vpc.publicAccessCidrs) ? vpc.publicAccessCidrs.map(String) : [],
        addons,
    };
}

/** Argo CD sources that name a chart (Application and an ApplicationSet's template; `source` or `sources`). */
function argoCharts(resource: PlannedResource): PlannedChart[] {
    const spec = object(resource.inputs.spec);
    const appSpec = resource.type.endsWith(":ApplicationSet") ? object(object(spec?.template)?.spec) : spec;
    const sources: unknown[] = [
        appSpec?.source,
        ...(Array.isArray(appSpec?.sources) ? (appSpec.sources as unknown[]) : []),
    ];
    return sources.flatMap((raw) => {
        const source = object(raw);
        const chart = text(source?.chart);
        const version = text(source?.targetRevision);
        const repoURL = text(source?.repoURL);
        if (chart === undefined || version === undefined || repoURL === undefined) {
            return [];
        }
        // A Helm chart from an OCI registry is named without the oci:// scheme (argoproj/argo-cd v3.4.4
        // docs/user-guide/helm.md: "the oci:// syntax is not included"; enableOCI on the repository).
        const repository = /^[a-z]+:\/\//.test(repoURL) ? repoURL : `oci://${repoURL}`;
        return [{ installedBy: resource.name, chart, version, repository }];
    });
}

/** Flux HelmReleases whose chart comes from a HelmRepository the plan declares (same namespace and name). */
function fluxCharts(resource: PlannedResource, resources: readonly PlannedResource[]): PlannedChart[] {
    const spec = object(object(object(resource.inputs.spec)?.chart)?.spec);
    const sourceRef = object(spec?.sourceRef);
    const chart = text(spec?.chart);
    const version = text(spec?.version);
    if (chart === undefined || version === undefined || sourceRef?.kind !== "HelmRepository") {
        return [];
    }
    const namespace = object(resource.inputs.metadata)?.namespace;
    const repository = resources.find((r) => {
        const metadata = object(r.inputs.metadata);
        return (
            r.type.endsWith(":HelmRepository") &&
            metadata?.name === sourceRef.name &&
            (sourceRef.namespace ?? namespace) === metadata?.namespace
        );
    });
    const url = text(object(repository?.inputs.spec)?.url);
    return url === undefined ? [] : [{ installedBy: resource.name, chart, version, repository: url }];
}

function chartsOf(resources: readonly PlannedResource[]): PlannedChart[] {
    return resources.flatMap((r): PlannedChart[] => {
        if (r.type === RELEASE_TYPE) {
            const chart = text(r.inputs.chart);
            const version = text(r.inputs.version);
            return chart === undefined || version === undefined
                ? []
                : [{ installedBy: r.name, chart, version, repository: text(object(r.inputs.repositoryOpts)?.repo) }];
        }
        if (/^kubernetes:argoproj\.io\/[^:]+:(Application|ApplicationSet)$/.test(r.type)) {
            return argoCharts(r);
        }
        if (/^kubernetes:helm\.toolkit\.fluxcd\.io\/[^:]+:HelmRelease$/.test(r.type)) {
            return fluxCharts(r, resources);
        }
        return [];
    });
}

/** The `-kubernetes-version` of every seeded workflow that runs kubeconform (components/repository/checks.ts). */
function schemaVersionsOf(resources: readonly PlannedResource[]): string[] {
    const versions = resources
        .filter((r) => r.type === REPOSITORY_FILE_TYPE)
        .map((r) => /kubeconform[^\n]*-kubernetes-version (\S+)/.exec(text(r.inputs.content) ?? "")?.[1])
        .filter((v): v is string => v !== undefined);
    return [...new Set(versions)].sort();
}

/** Objects in seeded YAML files other than kustomization.yaml and .github/ (kustomize renders them). */
function seededKindsOf(resources: readonly PlannedResource[]): { apiVersion: string; kind: string }[] {
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const r of resources) {
        const file = text(r.inputs.file) ?? "";
        if (
            r.type !== REPOSITORY_FILE_TYPE ||
            !/\.ya?ml$/.test(file) ||
            /(^|\/)kustomization\.ya?ml$|^\.github\//.test(file)
        ) {
            continue;
        }
        for (const document of YAML.parseAllDocuments(text(r.inputs.content) ?? "")) {
            const value = object(document.errors.length === 0 ? document.toJS() : undefined);
            const [apiVersion, kind] = [text(value?.apiVersion), text(value?.kind)];
            if (apiVersion !== undefined && kind !== undefined) {
                kinds.set(`${apiVersion} ${kind}`, { apiVersion, kind });
            }
        }
    }
    return [...kinds.values()];
}

/** spec.distribution.version of every FluxInstance (fluxcd.controlplane.io/v1). */
function fluxDistributionsOf(resources: readonly PlannedResource[]): string[] {
    const versions = resources
        .filter((r) => /^kubernetes:fluxcd\.controlplane\.io\/[^:]+:FluxInstance$/.test(r.type))
        .map((r) => text(object(object(r.inputs.spec)?.distribution)?.version))
        .filter((v): v is string => v !== undefined);
    return [...new Set(versions)];
}

/** The target of a stack's preflight, from its config (`namespace:key` → text) and offline plan. */
export function preflightTarget(
    stack: string,
    config: Readonly<Record<string, string>>,
    resources: readonly PlannedResource[],
): PreflightTarget {
    const charts = chartsOf(resources);
    const unique = new Map(charts.map((c) => [`${c.repository ?? ""} ${c.chart} ${c.version}`, c]));
    return {
        stack,
        region: config["aws:region"],
        githubOwner: config["github:owner"],
        cluster: clusterOf(resources),
        charts: [...unique.values()],
        schemaVersions: schemaVersionsOf(resources),
        fluxDistributions: fluxDistributionsOf(resources),
        seededKinds: seededKindsOf(resources),
    };
}

/**
 * Invariant (c): every namespace with a default-deny policy lets its declared workloads reach what they need.
 * NetworkPolicies are evaluated as the API defines them (kubernetes/website content/en/docs/concepts/
 * services-networking/network-policies.md): a pod no Egress policy selects may send anywhere; a selected pod
 * only where some rule of a selecting policy allows (policies are additive); a peer is an ipBlock, a namespace
 * selector, a pod selector (its own namespace), or both selectors together.
 */
import { PlannedResource } from "../../plan/recorder";
import type { AppConfig, PlatformConfig } from "../../stacks/config";
import { DASHBOARDS } from "../../components/monitoring/dashboards";
import { cidrContains as contains, formatCidr, parseCidr } from "../../components/cluster/cidr";
import { isGrafanaChart } from "./grafana";

type Labels = Readonly<Record<string, string>>;

/** Where a workload sends traffic: an address outside the cluster's pods, or pods of a namespace. */
export type Destination =
    | { readonly ip: string; readonly port: number; readonly protocol?: "TCP" | "UDP" }
    | {
          readonly namespace: string;
          readonly podLabels: Labels;
          readonly port: number;
          readonly protocol?: "TCP" | "UDP";
      };

interface Selector {
    matchLabels?: Record<string, string>;
    matchExpressions?: unknown[];
}
interface Peer {
    ipBlock?: { cidr: string; except?: string[] };
    namespaceSelector?: Selector;
    podSelector?: Selector;
}
interface EgressRule {
    to?: Peer[];
    ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}
interface PolicySpec {
    podSelector: Selector;
    policyTypes?: string[];
    egress?: EgressRule[];
}

function selects(selector: Selector | undefined, labels: Labels): boolean {
    if (selector === undefined) {
        return true;
    }
    if ((selector.matchExpressions ?? []).length > 0) {
        throw new Error("matchExpressions are not evaluated here: add them to test/invariants/network.ts first");
    }
    return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** Whether an address is in a CIDR block (components/cluster/cidr.ts arithmetic). */
export function cidrContains(cidr: string, ip: string): boolean {
    const outer = parseCidr(cidr);
    const inner = parseCidr(`${ip}/32`);
    if (outer === undefined || inner === undefined) {
        throw new Error(`not an IPv4 CIDR and address: ${cidr}, ${ip}`);
    }
    return contains(outer, inner);
}

function peerMatches(peer: Peer, from: string, to: Destination): boolean {
    if (peer.ipBlock !== undefined) {
        return (
            "ip" in to &&
            cidrContains(peer.ipBlock.cidr, to.ip) &&
            !(peer.ipBlock.except ?? []).some((cidr) => cidrContains(cidr, to.ip))
        );
    }
    if (!("namespace" in to)) {
        return false; // selectors match pods only
    }
    const namespaceLabels = { "kubernetes.io/metadata.name": to.namespace };
    const namespaceOk =
        peer.namespaceSelector === undefined ? to.namespace === from : selects(peer.namespaceSelector, namespaceLabels);
    return namespaceOk && selects(peer.podSelector, to.podLabels);
}

function portMatches(rule: EgressRule, to: Destination): boolean {
    const protocol = to.protocol ?? "TCP";
    return (
        (rule.ports ?? []).length === 0 ||
        (rule.ports ?? []).some(
            (p) =>
                (p.protocol ?? "TCP") === protocol &&
                (p.port === undefined ||
                    (typeof p.port === "number" &&
                        (p.endPort === undefined ? p.port === to.port : to.port >= p.port && to.port <= p.endPort))),
        )
    );
}

/** The plan's NetworkPolicies by namespace (their metadata.namespace as declared: a name, or a Namespace's output). */
export function policiesByNamespace(resources: readonly PlannedResource[]): Map<string, PolicySpec[]> {
    const byNamespace = new Map<string, PolicySpec[]>();
    for (const r of resources.filter((x) => x.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
        const namespace = String((r.inputs.metadata as { namespace?: unknown }).namespace);
        byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), r.inputs.spec as PolicySpec]);
    }
    return byNamespace;
}

/** Whether a pod with `podLabels` in `namespace` may send to `to` under `policies` (that namespace's). */
export function egressAllowed(
    policies: readonly PolicySpec[],
    namespace: string,
    podLabels: Labels,
    to: Destination,
): boolean {
    const selecting = policies.filter(
        (p) => (p.policyTypes ?? ["Ingress"]).includes("Egress") && selects(p.podSelector, podLabels),
    );
    if (selecting.length === 0) {
        return true;
    }
    return selecting.some((p) =>
        (p.egress ?? []).some(
            (rule) =>
                ((rule.to ?? []).length === 0 || (rule.to ?? []).some((peer) => peerMatches(peer, namespace, to))) &&
                portMatches(rule, to),
        ),
    );
}

export interface Need {
    readonly what: string;
    readonly to: Destination;
    /** Why the workload needs it, upstream. */
    readonly source: string;
}

/** An address of the API server as pods reach it: on EKS a control-plane ENI in the VPC (private access is on). */
function apiServerAddress(config: PlatformConfig): Destination {
    return config.cluster.type === "eks"
        ? { ip: firstHost(config.cluster.network.vpcCidr, 200), port: 443 }
        : { ip: "172.18.0.2", port: 6443 }; // kind's control-plane node on its docker network
}

/** The address `offset` past the start of a block. */
function firstHost(cidr: string, offset: number): string {
    const block = parseCidr(cidr);
    if (block === undefined) {
        throw new Error(`not an IPv4 CIDR: ${cidr}`);
    }
    return formatCidr({ base: block.base + offset, prefixLength: 32 }).replace(/\/32$/, "");
}

/** DNS, which every pod needs (CoreDNS keeps the k8s-app: kube-dns label on EKS, kubeadm and kind). */
const DNS: Need[] = [
    {
        what: "DNS over UDP",
        to: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53, protocol: "UDP" },
        source: "kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base: label k8s-app: kube-dns",
    },
    {
        what: "DNS over TCP",
        to: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53, protocol: "TCP" },
        source: "same; large answers fall back to TCP",
    },
];

/** raw.githubusercontent.com, where the dashboards' `.url` keys point (one of its published addresses). */
const GITHUB_RAW = "185.199.108.133";

/**
 * What each example app's workloads reach, by source: podinfo 6.9.2 serves and calls nothing outside its
 * namespace by default (kustomize/deployment.yaml sets no --backend-url); grafana 10.1.4's dashboards
 * sidecar watches ConfigMaps through the API server and downloads `.url` dashboards (kiwigrid/k8s-sidecar
 * src/resources.py, the sidecar the chart's _pod.tpl runs with sidecar.dashboards.enabled), and each
 * datasource URL is a service it queries (grafana.ini datasources, values `datasources`).
 */
export function appNeeds(app: AppConfig, config: PlatformConfig): Need[] {
    const needs = [...DNS];
    const { helmValues } = app.source;
    if (isGrafanaChart(app.source)) {
        const values = (helmValues ?? {}) as {
            sidecar?: { dashboards?: { enabled?: boolean } };
            datasources?: unknown;
        };
        if (values.sidecar?.dashboards?.enabled) {
            needs.push({
                what: "dashboards sidecar: the API server",
                to: apiServerAddress(config),
                source: "kiwigrid/k8s-sidecar src/resources.py: list and watch ConfigMaps (METHOD=WATCH)",
            });
            if (config.monitoring?.dashboards?.namespace === (app.namespace ?? app.name)) {
                needs.push({
                    what: "dashboards sidecar: the engine's dashboards by URL",
                    to: { ip: GITHUB_RAW, port: 443 },
                    source: `components/monitoring/dashboards.ts: .url keys such as ${Object.values(DASHBOARDS[config.engine.type])[0]}`,
                });
            }
        }
        for (const target of datasourceTargets(values.datasources)) {
            needs.push({
                what: `datasource ${target.namespace}:${target.port}`,
                to: { namespace: target.namespace, podLabels: {}, port: target.port },
                source: "grafana chart values `datasources`: Grafana's server queries each url",
            });
        }
    }
    return needs;
}

/** `http://<service>.<namespace>[.svc...]:<port>` URLs of the chart's `datasources` value. */
function datasourceTargets(datasources: unknown): { namespace: string; port: number }[] {
    const text = JSON.stringify(datasources ?? {});
    return [...text.matchAll(/https?:\/\/[a-z0-9-]+\.([a-z0-9-]+)(?:\.svc[a-z.]*)?:(\d+)/g)].map((m) => ({
        namespace: m[1],
        port: Number(m[2]),
    }));
}

export interface NetworkViolation {
    readonly app: string;
    readonly namespace: string;
    readonly need: string;
}

/** Needs of the config's example apps that their namespace's policies in the plan do not allow. */
export function networkViolations(config: PlatformConfig, resources: readonly PlannedResource[]): NetworkViolation[] {
    const policies = policiesByNamespace(resources);
    const apps = config.apps.map((app) => ({
        namespace: app.namespace ?? app.name,
        component: app.name,
        needs: appNeeds(app, config),
    }));
    return [...apps, ...platformNeeds(config)].flatMap(({ namespace, component, needs }) => {
        const own = policies.get(namespace) ?? [];
        return needs
            .filter((need) => !egressAllowed(own, namespace, { app: component }, need.to))
            .map((need) => ({ app: component, namespace, need: need.what }));
    });
}

/** Public addresses standing for hosts a platform controller calls (any would do: no policy here names hosts). */
const GITHUB = "140.82.121.4";
const GHCR = "140.82.121.33";
const AWS_API = "52.94.0.10";

/**
 * What the platform's controllers reach from their namespaces, by component: the engine reads Git (GitHub over
 * SSH with a deploy key, or HTTPS) and charts (Flux's distribution from ghcr.io: controlplaneio-fluxcd/
 * flux-operator docs/api/v1/fluxinstance.md distribution.registry), External Secrets calls its store's API
 * (AWS Secrets Manager over HTTPS); every controller watches the API server and resolves names.
 */
export function platformNeeds(config: PlatformConfig): { namespace: string; component: string; needs: Need[] }[] {
    const apiServer: Need = {
        what: "the API server",
        to: apiServerAddress(config),
        source: "every controller watches its objects (controller-runtime)",
    };
    const git: Need[] = [
        {
            what: "Git over SSH",
            to: { ip: GITHUB, port: 22 },
            source: "deploy keys: components/repository/deployKey.ts",
        },
        { what: "Git over HTTPS", to: { ip: GITHUB, port: 443 }, source: "anonymous sources (source.url)" },
    ];
    const engine =
        config.engine.type === "flux"
            ? {
                  namespace: "flux-system",
                  component: "flux",
                  needs: [
                      ...DNS,
                      apiServer,
                      ...git,
                      {
                          what: "ghcr.io",
                          to: { ip: GHCR, port: 443 },
                          source: "FluxInstance distribution.registry ghcr.io/fluxcd",
                      },
                  ],
              }
            : { namespace: "argocd", component: "argo-cd", needs: [...DNS, apiServer, ...git] };
    const secrets =
        config.secrets !== undefined && config.secrets.type === "aws-secrets-manager"
            ? [
                  {
                      namespace: config.secrets.namespace,
                      component: "external-secrets",
                      needs: [
                          ...DNS,
                          apiServer,
                          {
                              what: "AWS Secrets Manager",
                              to: { ip: AWS_API, port: 443 },
                              source: "secretsmanager.<region>.amazonaws.com",
                          },
                      ],
                  },
              ]
            : [];
    return [engine, ...secrets];
}

/**
 * Namespace isolation shared by the apps and the platform components: Pod Security Admission levels
 * (label keys and levels from k8s.io/pod-security-admission api/constants.go) and NetworkPolicies.
 */
import type * as k8s from "@pulumi/kubernetes";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * Levels of the namespaces the platform declares. App namespaces are `restricted`. The platform's own
 * namespaces enforce `baseline` and warn and audit at `restricted`: their charts (argo-cd, flux-operator,
 * external-secrets) are not all guaranteed to meet `restricted` in every version, and nothing in them
 * needs more than `baseline` (no host namespaces, no privileged containers).
 */
export const POD_SECURITY = { app: "restricted", platform: "baseline" } as const;

const PSA_PREFIX = "pod-security.kubernetes.io/";

/** Namespace labels that enforce `level`; warn and audit always at `restricted`, so gaps show up. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    return {
        [`${PSA_PREFIX}enforce`]: level,
        [`${PSA_PREFIX}enforce-version`]: "latest",
        [`${PSA_PREFIX}warn`]: "restricted",
        [`${PSA_PREFIX}audit`]: "restricted",
    };
}

/** The enforced level of a namespace's labels, if any. */
export function enforcedLevel(labels: Readonly<Record<string, unknown>> | undefined): unknown {
    return labels?.[`${PSA_PREFIX}enforce`];
}

/** The label every namespace carries with its own name (set by the API server since Kubernetes 1.21). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Name of the default-deny policy each isolated namespace gets. */
export const DEFAULT_DENY_POLICY = "default-deny";

/**
 * Default deny of all ingress and egress in a namespace, except: pods of the same namespace, DNS
 * to kube-dns in kube-system (CoreDNS pods keep the k8s-app: kube-dns label on EKS and kubeadm), and
 * ingress from the GitOps engine's namespace. Teams open more for their own pods with their own
 * NetworkPolicies (policies only add allowances; they cannot open another namespace's pods).
 */
export function defaultDenySpec(engineNamespace: string): k8s.types.input.networking.v1.NetworkPolicySpec {
    const sameNamespace = { podSelector: {} };
    return {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [
            {
                from: [
                    sameNamespace,
                    { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: engineNamespace } } },
                ],
            },
        ],
        egress: [
            { to: [sameNamespace] },
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    };
}

/** Name of the policy that opens what an app's workloads declare they reach beyond the default deny. */
export const APP_EGRESS_POLICY = "app-egress";

/** What an app's workloads reach beyond their namespace and DNS; each is declared in config (apps[].egress). */
export interface AppEgress {
    /** The API server, as pods reach it: its addresses and ports (EKS: the VPC's CIDR, where its ENIs are, on 443). */
    readonly apiServer?: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
    /** HTTPS to any address outside the cluster (registries, Git hosts, dashboards by URL): a policy cannot name hosts. */
    readonly https?: boolean;
    /** Services in other namespaces, by namespace and TCP port (a Prometheus a datasource queries). */
    readonly services?: readonly { readonly namespace: string; readonly port: number }[];
}

/** Egress the default deny does not allow, as one policy over every pod of the namespace; undefined when none is declared. */
export function appEgressSpec(egress: AppEgress): k8s.types.input.networking.v1.NetworkPolicySpec | undefined {
    const tcp = (port: number) => ({ protocol: "TCP", port });
    const rules: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [];
    if (egress.apiServer !== undefined) {
        rules.push({
            to: egress.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: egress.apiServer.ports.map(tcp),
        });
    }
    if (egress.https) {
        rules.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [tcp(443)] });
    }
    for (const service of egress.services ?? []) {
        rules.push({
            to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: service.namespace } } }],
            ports: [tcp(service.port)],
        });
    }
    return rules.length === 0 ? undefined : { podSelector: {}, policyTypes: ["Egress"], egress: rules };
}

/** Name of the ingress policy each platform namespace gets. */
export const PLATFORM_INGRESS_POLICY = "platform-ingress";

export interface PlatformIngress {
    /** Named container ports that pods of any namespace may reach: the metrics Prometheus scrapes. Default none. */
    readonly scrapedPorts?: readonly string[];
    /**
     * Named container ports any source may reach, the API server included (admission and conversion
     * webhooks: the API server is no pod, so no selector matches it). Default none.
     */
    readonly openPorts?: readonly string[];
    /**
     * Pods the namespace's own pods may not reach through this policy (values of app.kubernetes.io/name), because
     * a stricter policy of their chart governs them: policies add up, so one admitting the namespace's pods to
     * them too would open what the stricter one closes. Their peers' rule then goes into a second policy
     * (peerIngressSpec). Default none.
     */
    readonly exceptPods?: readonly string[];
}

/** Name of the policy that admits a platform namespace's pods to each other, when some pods are left out. */
export const PLATFORM_PEERS_POLICY = "platform-ingress-peers";

/** Ingress from the namespace's own pods to all of its pods but `exceptPods` (PlatformIngress.exceptPods). */
export function peerIngressSpec(exceptPods: readonly string[]): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: {
            matchExpressions: [{ key: "app.kubernetes.io/name", operator: "NotIn", values: [...exceptPods] }],
        },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }] }],
    };
}

/**
 * Default deny of ingress into a platform namespace, except from its own pods (the components talk
 * to each other: Argo CD's server and controller to repo-server and Redis) and on the named ports
 * given. Egress stays open: the components reach the API server, Git hosts, chart repositories and
 * cloud APIs, whose addresses no selector names. Kubelet probes need no rule: traffic from the
 * pod's node is always allowed (kubernetes/website, concepts/services-networking/network-policies.md).
 */
export function platformIngressSpec(settings: PlatformIngress = {}): k8s.types.input.networking.v1.NetworkPolicySpec {
    const tcp = (ports: readonly string[]) => ports.map((port) => ({ protocol: "TCP", port }));
    const scraped = settings.scrapedPorts ?? [];
    const open = settings.openPorts ?? [];
    const peers = (settings.exceptPods ?? []).length === 0;
    return {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
            ...(peers ? [{ from: [{ podSelector: {} }] }] : []),
            ...(scraped.length > 0 ? [{ from: [{ namespaceSelector: {} }], ports: tcp(scraped) }] : []),
            ...(open.length > 0 ? [{ ports: tcp(open) }] : []),
        ],
    };
}

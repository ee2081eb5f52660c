/**
 * Sealed Secrets: the bitnami-labs controller from its Helm chart, pinned. Teams commit SealedSecrets
 * (encrypted with the controller's public certificate) to Git; the controller, alone, holds the
 * private key, in Secrets of its own namespace, so it never passes through Pulumi (no state, no output).
 *
 * Read upstream (bitnami-labs/sealed-secrets, helm/sealed-secrets 2.18.5, appVersion 0.36.6):
 * - values.yaml: fullnameOverride (the controller's Service name, kubeseal's --controller-name),
 *   containerPorts.{http,metrics}; templates/deployment.yaml names the ports `http` and `metrics`.
 * - rbac.serviceProxier (default on): any authenticated user may reach the Service through the API
 *   server's proxy, which `kubeseal --fetch-cert` does; the API server is no pod, so `http` is open.
 * - pkg/apis/sealedsecrets/v1alpha1 types.go and sealedsecret_expansion.go: the scope is read from
 *   the SealedSecret's own metadata annotations, `sealedsecrets.bitnami.com/cluster-wide: "true"`
 *   unseals in any namespace under any name.
 * - pkg/controller/keys.go: the key pairs carry the label `sealedsecrets.bitnami.com/sealed-secrets-key`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareObject } from "../core/objects";
import { declarePlatformChart } from "../core/platformChart";
import { DirectSecretDelivery } from "./direct";
import { AppSecretSource, AppSecrets, PlatformSecret, SecretDelivery } from "./types";

export const SEALED_SECRETS = {
    repository: "https://bitnami-labs.github.io/sealed-secrets",
    chart: "sealed-secrets",
    version: "2.18.5",
    appVersion: "0.36.6",
    /** kubeseal's default --controller-name (cmd/kubeseal/main.go), so only the namespace must be given. */
    controllerName: "sealed-secrets-controller",
    namespace: "sealed-secrets",
    /** Helm's own default (helm.v3.Release `timeout`). */
    timeoutSeconds: 300,
} as const;

export const CLUSTER_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/cluster-wide";
export const SEALING_KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key";

/** What a team may ship when the stack seals its secrets: its own SealedSecrets (bitnami.com/v1alpha1). */
export const SEALED_SECRET_KIND = { group: "bitnami.com", kind: "SealedSecret", resource: "sealedsecrets" } as const;

/** The chart's values: the controller's name kubeseal expects by default. Everything else is the chart's default. */
export function sealedSecretsValues(): Record<string, unknown> {
    return { fullnameOverride: SEALED_SECRETS.controllerName };
}

/** How to fetch the public certificate: through the API server's service proxy, as any authenticated user. */
export function fetchCertCommand(namespace: string): string {
    return `kubeseal --fetch-cert --controller-name ${SEALED_SECRETS.controllerName} --controller-namespace ${namespace}`;
}

/** How an operator backs up the sealing keys (only the controller's namespace holds them). */
export function backupCommand(namespace: string): string {
    return `kubectl get secret -n ${namespace} -l ${SEALING_KEY_LABEL} -o yaml`;
}

/**
 * A ValidatingAdmissionPolicy refusing cluster-wide SealedSecrets: with that scope, ciphertext copied
 * from another team's repository would unseal in the copier's namespace. Strict and namespace-wide
 * scopes bind the ciphertext to its namespace, so they stay allowed.
 */
export function clusterWideDenial(name: string, labels: Readonly<Record<string, string>>) {
    const annotations = "object.metadata.annotations";
    const annotation = `!has(${annotations}) || !('${CLUSTER_WIDE_ANNOTATION}' in ${annotations}) || ${annotations}['${CLUSTER_WIDE_ANNOTATION}'] != 'true'`;
    return {
        policy: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name, labels: { ...labels } },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [
                        {
                            apiGroups: [SEALED_SECRET_KIND.group],
                            apiVersions: ["*"],
                            resources: [SEALED_SECRET_KIND.resource],
                            operations: ["CREATE", "UPDATE"],
                        },
                    ],
                },
                validations: [
                    {
                        expression: annotation,
                        message: `${CLUSTER_WIDE_ANNOTATION} is refused: seal with the default strict scope (kubeseal --scope strict)`,
                    },
                ],
            },
        },
        binding: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name, labels: { ...labels } },
            spec: { policyName: name, validationActions: ["Deny"] },
        },
    };
}

export interface SealedSecretsControllerArgs {
    readonly provider: k8s.Provider;
    /** Labels on every object (the platform's). Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** What must exist before the chart installs (node groups). Default: none. */
    readonly clusterReady?: readonly pulumi.Resource[];
    /** Default: SEALED_SECRETS.namespace. */
    readonly namespace?: string;
    /** sealed-secrets chart version. Default: SEALED_SECRETS.version. */
    readonly chartVersion?: string;
}

/**
 * The controller, and the platform's secret delivery for this backend: the platform's own values
 * (deploy keys, SSO) are Pulumi secrets already, so they go in directly (DirectSecretDelivery);
 * sealing them would only add a round trip through the controller's certificate.
 */
export class SealedSecretsController extends pulumi.ComponentResource implements SecretDelivery, AppSecretSource {
    public readonly namespace: string;
    /** The chart version installed, for the stack outputs. */
    public readonly chartVersion: string;
    public readonly fetchCertCommand: string;
    public readonly backupCommand: string;
    /** The release: apps reading sealed keys wait for the controller that unseals them. */
    private readonly release: pulumi.Resource;
    private readonly direct: DirectSecretDelivery;

    constructor(name: string, args: SealedSecretsControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:secrets:SealedSecretsController", name, {}, opts);
        this.namespace = args.namespace ?? SEALED_SECRETS.namespace;
        this.chartVersion = args.chartVersion ?? SEALED_SECRETS.version;
        this.fetchCertCommand = fetchCertCommand(this.namespace);
        this.backupCommand = backupCommand(this.namespace);
        this.direct = new DirectSecretDelivery(args.provider, { ...args.labels });
        const child = { parent: this, provider: args.provider };
        const { release } = declarePlatformChart(
            name,
            {
                namespace: this.namespace,
                labels: args.labels,
                ingress: { scrapedPorts: ["metrics"], openPorts: ["http"] },
                release: {
                    name: SEALED_SECRETS.chart,
                    chart: SEALED_SECRETS.chart,
                    version: this.chartVersion,
                    repository: SEALED_SECRETS.repository,
                    timeoutSeconds: SEALED_SECRETS.timeoutSeconds,
                    values: sealedSecretsValues(),
                },
            },
            { ...child, releaseDependsOn: args.clusterReady },
        );
        const denial = clusterWideDenial(`${name}-no-cluster-wide`, args.labels);
        const policy = declareObject(`${name}-no-cluster-wide`, denial.policy, child);
        declareObject(`${name}-no-cluster-wide-binding`, denial.binding, { ...child, dependsOn: [policy] });
        this.release = release;
        this.registerOutputs({ namespace: this.namespace, fetchCertCommand: this.fetchCertCommand });
    }

    deliver(
        name: string,
        secret: PlatformSecret,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource {
        return this.direct.deliver(name, secret, opts);
    }

    /** The team commits the SealedSecret itself; the app waits for the controller that unseals it. */
    appSecret(secrets: AppSecrets): pulumi.Resource | undefined {
        return secrets.keys.length > 0 ? this.release : undefined;
    }
}

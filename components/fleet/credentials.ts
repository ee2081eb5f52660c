/**
 * What the hub's engine reads to reach a spoke. An EKS spoke: its endpoint and CA, the engine signing
 * in through IAM. An existing spoke's credentials never pass through Pulumi: an ExternalSecret in the
 * engine's namespace fills the Secret the engine reads (Argo CD's cluster Secret, Flux's kubeconfig)
 * from one key of the platform's ClusterSecretStore, which only that namespace may use.
 */
import * as pulumi from "@pulumi/pulumi";
import { externalSecret, ExternalSecretSettings } from "../secrets/objects";
import { DEFAULTS as STORE_DEFAULTS } from "../secrets/store";

export interface EksSpokeInput {
    /** The spoke. */
    readonly name: string;
    /** The engine's namespace. */
    readonly namespace: string;
    /** The spoke's API server. */
    readonly endpoint: pulumi.Input<string>;
    /** Cluster CA, base64 of the PEM, as EKS gives it. */
    readonly caData: pulumi.Input<string>;
}

export interface StoredCredentialsInput {
    /** The spoke. */
    readonly name: string;
    /** The engine's namespace. */
    readonly namespace: string;
    /** Key in the platform's store holding the credentials. */
    readonly storeKey: string;
    /** The platform's ClusterSecretStore. */
    readonly storeName: string;
}

/** The ExternalSecret making Secret `secret.name`, with the store key's value under `secret.key` (or templated by `template`). */
export function storedCredentials(
    input: StoredCredentialsInput,
    secret: { readonly name: string; readonly key: string },
    template?: Pick<ExternalSecretSettings, "targetLabels" | "targetAnnotations" | "targetData">,
) {
    return externalSecret({
        name: secret.name,
        namespace: input.namespace,
        store: { kind: "ClusterSecretStore", name: input.storeName },
        refreshInterval: STORE_DEFAULTS.refreshInterval,
        ...template,
        entries: [{ secretKey: secret.key, key: input.storeKey }],
    });
}

/**
 * Delivery without a store, for stacks with no secrets section: the platform's own values go
 * straight into a Kubernetes Secret, from Pulumi secrets, so they are encrypted in state and masked
 * in previews. Apps get no secrets this way (config validation requires a store for secretKeys).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSecret, SecretDelivery } from "./types";

export class DirectSecretDelivery implements SecretDelivery {
    /** `provider`: the cluster every Secret goes to; `labels`: added to every Secret (default none). */
    constructor(
        private readonly provider: k8s.Provider,
        private readonly labels: Record<string, string> = {},
    ) {}

    deliver(
        name: string,
        secret: PlatformSecret,
        opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
    ): pulumi.Resource {
        return new k8s.core.v1.Secret(
            name,
            {
                metadata: {
                    name: secret.secretName,
                    namespace: secret.namespace,
                    labels: { ...this.labels, ...secret.labels },
                },
                type: "Opaque",
                stringData: pulumi.secret(secret.data),
            },
            { parent: opts.parent, provider: this.provider, dependsOn: opts.dependsOn },
        );
    }
}

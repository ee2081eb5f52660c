/** How every component declares a typed Kubernetes object that has no generated Pulumi class. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A typed object (apiVersion, kind, metadata, spec...) declared as a CustomResource. */
export function declareObject(
    name: string,
    object: { apiVersion: string; kind: string; metadata: object } & object,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(name, object, opts);
}

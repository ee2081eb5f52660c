import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as os from "os";
import * as path from "path";
import { ClusterHandle } from "./types";

export interface ExistingClusterArgs {
    /** Path to a kubeconfig file; a leading "~" is the home folder. */
    readonly kubeconfig: string;
    /** Context to use; the kubeconfig's current context when omitted. */
    readonly context?: string;
}

/** "~/x" → "<home>/x": the provider reads the path as given, and shells don't expand YAML values. */
export function expandHome(file: string, home = os.homedir()): string {
    return file === "~" || file.startsWith("~/") ? path.join(home, file.slice(1)) : file;
}

/**
 * A cluster someone else runs (kind, k3d, minikube, or a shared cluster), reached through a
 * kubeconfig. Declares no cloud resource, only the Kubernetes provider.
 */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterHandle {
    readonly kind = "existing" as const;
    readonly clusterName: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly ready: pulumi.Resource[] = [];

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:cluster:ExistingCluster", name, {}, opts);
        const context = args.context ?? "current-context";
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: expandHome(args.kubeconfig),
                context: args.context,
                // Identifies the cluster, so that moving the kubeconfig file does not replace the provider.
                clusterIdentifier: context,
            },
            { parent: this },
        );
        this.clusterName = pulumi.output(context);
        this.registerOutputs({ clusterName: this.clusterName });
    }
}

/** Config → cluster component. */
import { ExistingCluster } from "../components/cluster/existing";
import { ClusterHandle } from "../components/cluster/types";
import { PlatformConfig } from "./config";

export function createCluster(config: PlatformConfig): ClusterHandle {
    const name = `${config.stack}-cluster`;
    switch (config.cluster.type) {
        case "existing":
            return new ExistingCluster(name, { kubeconfig: config.cluster.kubeconfig, context: config.cluster.context });
        case "eks":
            throw new Error("EKS clusters are not implemented yet");
    }
}

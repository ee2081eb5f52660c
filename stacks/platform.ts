/**
 * Composition of one environment's platform: cluster, repositories, secrets store, GitOps engine
 * and applications, each a component from components/, wired with typed Args built from config.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./config";
import { createCluster } from "./cluster";

export interface Platform {
    readonly outputs: Record<string, pulumi.Input<unknown>>;
}

export function definePlatform(config: PlatformConfig): Platform {
    const cluster = createCluster(config);
    return {
        outputs: {
            environment: config.environment,
            cluster: { kind: cluster.kind, name: cluster.clusterName, endpoint: cluster.endpoint },
        },
    };
}

/**
 * Composition of one environment's platform: cluster, repositories, secrets store, GitOps engine
 * and applications, each a component from components/, wired with typed Args built from config.
 * The order of the calls is the order of the graph: what comes later depends on what came before,
 * so `pulumi destroy` removes applications while the engine still runs, then the engine, then the cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { clusterPath } from "../components/repository/layout";
import { DirectSecretDelivery } from "../components/secrets/direct";
import { registerApps } from "./apps";
import { createCiRoles } from "./ci";
import { clusterReachOutputs, createCluster } from "./cluster";
import { createDeliveryController } from "./delivery";
import { PlatformConfig } from "./config";
import { createEngine } from "./engine";
import { createFleet } from "./fleet";
import { registerImageUpdates } from "./images";
import { createMonitoring } from "./monitoring";
import { createNotifications } from "./notifications";
import { createRepositories } from "./repositories";
import { createSealedSecrets, createSecretsStore, secretsOutputs } from "./secrets";
import { stackVersions, versionsOutput } from "./versions";

export interface Platform {
    /** Stack outputs; the promotion command reads engine, secrets, cluster and apps. */
    readonly outputs: Record<string, pulumi.Input<unknown>>;
}

export async function definePlatform(config: PlatformConfig): Promise<Platform> {
    // First: every role declared after the CI roles carries their workload boundary (stacks/ci.ts).
    const ci = createCiRoles(config);
    const cluster = createCluster(config);
    // Repositories don't wait for the cluster: GitHub work runs while EKS is created.
    const repositories = createRepositories(config);
    const secretsStore = createSecretsStore(config, cluster);
    const sealed = createSealedSecrets(config, cluster);
    // Without a store, the engine's Git credentials go in as plain Secrets whose data are Pulumi secrets.
    const secretDelivery = secretsStore ?? sealed ?? new DirectSecretDelivery(cluster.provider);
    const engine = createEngine(config, {
        cluster,
        repositories,
        secrets: secretDelivery,
        addonRoleArns: secretsStore?.roleArn ? { external_secrets: secretsStore.roleArn } : {},
    });
    const delivery = createDeliveryController(config, cluster, engine);
    const namespaces = new Map<string, pulumi.Output<string>>();
    const apps = await registerApps(config, {
        cluster,
        engine,
        repositories,
        secrets: secretsStore ?? sealed,
        delivery,
        namespaces,
    });
    registerImageUpdates(config, engine, repositories.gitops.branch);
    createMonitoring(config, cluster, engine, namespaces);
    createNotifications(config, cluster, engine, secretDelivery);
    const fleet = createFleet(config, { cluster, engine, repositories, secrets: secretsStore });

    return {
        outputs: {
            environment: config.environment,
            cluster: {
                kind: cluster.kind,
                name: cluster.clusterName,
                endpoint: cluster.endpoint,
                kubernetesVersion: config.cluster.type === "eks" ? config.cluster.kubernetesVersion : undefined,
                // Promotion moves them with kubernetesVersion: kube-proxy must match the control plane.
                addons: config.cluster.type === "eks" ? stackVersions(config).addons : undefined,
                ...clusterReachOutputs(config, cluster),
            },
            ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
            gitopsRepository: {
                url: repositories.gitops.url,
                branch: repositories.gitops.branch,
                path: clusterPath(config.stack),
            },
            // None when the repository is read anonymously (nothing to register).
            ...(repositories.gitops.publicKey ? { gitopsDeployPublicKey: repositories.gitops.publicKey } : {}),
            engine: {
                type: engine.kind,
                namespace: engine.namespace,
                chartVersion: engine.versions.chart,
                appVersion: engine.versions.app,
            },
            secrets: secretsOutputs(config, secretsStore ?? sealed),
            ...(delivery
                ? {
                      delivery: {
                          controller: delivery.engine,
                          namespace: delivery.namespace,
                          chartVersion: delivery.versions.chart,
                          appVersion: delivery.versions.app,
                      },
                  }
                : {}),
            apps,
            // The whole version set the stack runs: `promote --platform` carries it.
            versions: versionsOutput(config),
            // The workflows' environment secrets (README, CI roles): AWS_PREVIEW_ROLE_ARN_<STACK>, AWS_DEPLOY_ROLE_ARN.
            ...(ci
                ? {
                      ciRoles: {
                          previewRoleArn: ci.previewRoleArn,
                          deployRoleArn: ci.deployRoleArn,
                          ...(ci.driftRoleArn ? { driftRoleArn: ci.driftRoleArn } : {}),
                      },
                  }
                : {}),
            ...(fleet ? { fleet: { spokes: fleet.spokeNames, managementRoleArn: fleet.managementRoleArn } } : {}),
        },
    };
}

/** Config → the GitOps engine the stack selects (Argo CD or Flux), connected to the GitOps repository. */
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle } from "../components/cluster/types";
import { ArgoCd, ArgoCdArgs } from "../components/gitops/argocd";
import { Flux, FluxArgs } from "../components/gitops/flux";
import { platformLabels } from "../components/core/labels";
import { platformMetadata } from "../components/gitops/metadata";
import { clusterPath } from "../components/repository/layout";
import { GitopsEngine } from "../components/gitops/types";
import { argoNotificationsValues } from "../components/notifications/objects";
import { RepositoryHandle } from "../components/repository/types";
import { SecretDelivery } from "../components/secrets/types";
import { ArgocdConfig, FluxConfig, PlatformConfig } from "./config";
import { notificationSettings } from "./notifications";
import { profileOf } from "./profiles";
import { stackVersions } from "./versions";

export interface EngineDeps {
    readonly cluster: ClusterHandle;
    readonly repositories: RepositoryHandle;
    readonly secrets: SecretDelivery;
    /** IAM role ARNs of add-ons, by snake_case add-on name, published in the platform metadata. Default: none. */
    readonly addonRoleArns?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** What both engines get alike: cluster, repositories, secrets, the synced path and the platform metadata. */
export function commonEngineArgs(config: PlatformConfig, deps: EngineDeps) {
    const path = clusterPath(config.stack);
    return {
        provider: deps.cluster.provider,
        clusterReady: deps.cluster.ready,
        labels: platformLabels(config.environment),
        repositories: deps.repositories,
        secrets: deps.secrets,
        clusterPath: path,
        metadata: platformMetadata({
            environment: config.environment,
            clusterName: deps.cluster.clusterName,
            aws: deps.cluster.aws,
            addonRoleArns: deps.addonRoleArns ?? {},
            gitops: { url: deps.repositories.gitops.url, path, revision: deps.repositories.gitops.branch },
        }),
    };
}

export function argoCdArgs(config: PlatformConfig, engine: ArgocdConfig, deps: EngineDeps): ArgoCdArgs {
    const profile = profileOf(config.environment);
    const notifications = notificationSettings(config);
    return {
        ...commonEngineArgs(config, deps),
        namespace: engine.namespace,
        chartVersion: engine.chartVersion,
        imageUpdaterChartVersion: stackVersions(config).charts["argocd-image-updater"],
        highAvailability: engine.highAvailability ?? profile.engineHighAvailability,
        domain: engine.domain,
        sso: engine.sso,
        // Validated config holds the decrypted text; it stays a secret from here on.
        ssoClientSecret: config.ssoClientSecret === undefined ? undefined : pulumi.secret(config.ssoClientSecret),
        adminGroups: engine.adminGroups,
        cascadeDelete: engine.cascadeDelete ?? profile.cascadeDelete,
        rootPrune: profile.rootPrune,
        pruneLast: profile.pruneLast,
        imageAutomation: engine.imageAutomation,
        imagePush: engine.imagePush,
        // Only with the Rollouts controller, which an app's delivery brings (stacks/delivery.ts).
        rolloutsExtension:
            (config.delivery?.argocdExtension ?? false) && config.apps.some((app) => app.delivery !== undefined),
        notifications: notifications === undefined ? undefined : argoNotificationsValues(notifications),
        values: engine.values,
    };
}

export function fluxArgs(config: PlatformConfig, engine: FluxConfig, deps: EngineDeps): FluxArgs {
    return {
        ...commonEngineArgs(config, deps),
        eks: deps.cluster.kind === "eks",
        namespace: engine.namespace,
        operatorChartVersion: engine.operatorChartVersion,
        distributionVersion: engine.distributionVersion,
        components: engine.components,
        multitenancy: engine.multitenancy,
        imageAutomation: engine.imageAutomation,
        imagePush: engine.imagePush,
        values: engine.values,
    };
}

export function createEngine(config: PlatformConfig, deps: EngineDeps): GitopsEngine {
    const engine = config.engine;
    return engine.type === "argocd"
        ? new ArgoCd("argocd", argoCdArgs(config, engine, deps))
        : new Flux("flux", fluxArgs(config, engine, deps));
}

/**
 * The skeleton both engines fill in: their common Args, and the steps every engine takes alike (its
 * namespace, its chart after the cluster with the user's values merged, one credentials Secret per
 * keyed repository, what the root sync waits for, the image update guard). Each engine supplies
 * only what is its own: chart coordinates, namespace metadata, the credentials Secret's name and
 * data, its root objects and how it registers teams and apps.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY, podSecurityLabels } from "../core/isolation";
import { ChartValues, ProtectedValue, withUserValues } from "../core/values";
import { RepositoryAccess, RepositoryHandle } from "../repository/types";
import { PlatformSecret, SecretDelivery } from "../secrets/types";
import { ImagePushMode, ImageUpdate } from "./images";

export const ENGINE_DEFAULTS = {
    imageAutomation: false,
    imagePush: "pull-request",
} as const;

/** The GitOps repository and every app repository, each once, keyed by repository name. */
export function repositoriesByName(handle: RepositoryHandle): Map<string, RepositoryAccess> {
    return new Map([[handle.gitops.name, handle.gitops], ...Object.entries(handle.appRepositories)]);
}

/** Args both engines take alike. */
export interface EngineArgs {
    /** Provider of the cluster the engine runs in. Required. */
    readonly provider: k8s.Provider;
    /** What must exist before the chart installs (node groups, core add-ons). Default: none. */
    readonly clusterReady?: readonly pulumi.Resource[];
    /** Labels on every object the engine declares (the platform's labels). Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** The engine's namespace; default per engine (argocd, flux-system). */
    readonly namespace?: string;
    /** The GitOps repository (root sync source) and the app repositories. Required. */
    readonly repositories: RepositoryHandle;
    /** Delivers the Git credentials into the engine's namespace. Required. */
    readonly secrets: SecretDelivery;
    /** Directory of the GitOps repository the root sync applies (clusters/<stack>). Required. */
    readonly clusterPath: string;
    /** Platform metadata (GitOps bridge), see ./metadata.ts. Required. */
    readonly metadata: Record<string, pulumi.Input<string>>;
    /**
     * Image updates may be declared (Argo CD: Image Updater is installed for them; Flux: the image
     * automation controllers run). Default: ENGINE_DEFAULTS.imageAutomation.
     */
    readonly imageAutomation?: boolean;
    /** Where image update commits go: a branch for a pull request (default), or straight to the target branch. */
    readonly imagePush?: ImagePushMode;
    /** Values of the engine's chart merged over the program's (core/values.ts); none at its protected paths. Default: none. */
    readonly values?: ChartValues;
}

/** A repository cloned with a deploy key. */
export type KeyedRepository = RepositoryAccess & { readonly privateKey: pulumi.Output<string> };

/** What an engine fills into the skeleton. */
export interface EngineParts {
    /** Its namespace: the default name, and labels and annotations beyond the platform's and Pod Security's. */
    readonly namespace: {
        readonly default: string;
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    /** Chart and application versions; the chart is installed at `versions.chart`. */
    readonly versions: { readonly chart: string; readonly app: string };
    readonly chart: {
        /** The chart's name in messages about its values. */
        readonly title: string;
        readonly releaseName: string;
        readonly chart: string;
        /** Chart repository; none for an OCI chart. */
        readonly repository?: string;
        /** The program's values: the user's are merged over them, refusing the `protected` paths. */
        readonly values: ChartValues;
        readonly protected: readonly ProtectedValue[];
        /** How long Helm waits for the release; default Helm's own. */
        readonly timeoutSeconds?: number;
    };
    /** The credentials Secret of a keyed repository, declared as `<engine>-<prefix>-<repository>`. */
    readonly credentials: {
        readonly prefix: string;
        readonly secret: (repository: KeyedRepository) => Omit<PlatformSecret, "namespace">;
    };
}

/**
 * The steps every engine takes, declared under `owner` when constructed: the namespace, the chart's
 * release after the cluster, and the credentials of each repository that has a deploy key (one read
 * anonymously, a public one over https, needs none).
 */
export class EngineSkeleton {
    readonly namespace: string;
    readonly versions: { readonly chart: string; readonly app: string };
    readonly namespaceResource: k8s.core.v1.Namespace;
    readonly release: k8s.helm.v3.Release;
    /** Options of the engine's own children. */
    readonly child: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider };
    readonly labels: Readonly<Record<string, string>>;
    readonly imageAutomation: boolean;
    readonly imagePush: ImagePushMode;
    /** Credentials Secrets by repository name: what syncs from a repository waits for its Secret. */
    private readonly credentials: Map<string, pulumi.Resource>;

    constructor(
        private readonly owner: pulumi.ComponentResource,
        name: string,
        private readonly args: EngineArgs,
        parts: EngineParts,
    ) {
        this.namespace = args.namespace ?? parts.namespace.default;
        this.versions = parts.versions;
        this.labels = args.labels;
        this.imageAutomation = args.imageAutomation ?? ENGINE_DEFAULTS.imageAutomation;
        this.imagePush = args.imagePush ?? ENGINE_DEFAULTS.imagePush;
        this.child = { parent: owner, provider: args.provider };

        this.namespaceResource = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: this.namespace,
                    labels: { ...args.labels, ...parts.namespace.labels, ...podSecurityLabels(POD_SECURITY.platform) },
                    ...(parts.namespace.annotations ? { annotations: { ...parts.namespace.annotations } } : {}),
                },
            },
            this.child,
        );

        const chart = parts.chart;
        const values = withUserValues(chart.title, chart.values, args.values, chart.protected, owner);
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: chart.releaseName,
                namespace: this.namespaceResource.metadata.name,
                chart: chart.chart,
                version: parts.versions.chart,
                ...(chart.repository === undefined ? {} : { repositoryOpts: { repo: chart.repository } }),
                ...(chart.timeoutSeconds === undefined ? {} : { timeout: chart.timeoutSeconds }),
                values,
            },
            {
                ...this.child,
                dependsOn: [...(args.clusterReady ?? [])],
            },
        );

        this.credentials = new Map(
            [...repositoriesByName(args.repositories).values()]
                .filter((repo): repo is KeyedRepository => repo.privateKey !== undefined)
                .map((repo) => [
                    repo.name,
                    args.secrets.deliver(
                        `${name}-${parts.credentials.prefix}-${repo.name}`,
                        { namespace: this.namespaceResource.metadata.name, ...parts.credentials.secret(repo) },
                        { parent: owner, dependsOn: [this.namespaceResource] },
                    ),
                ]),
        );
    }

    /** The credentials Secret of a repository, if it has one. */
    credentialsOf(repository: string | undefined): pulumi.Resource[] {
        const credentials = repository === undefined ? undefined : this.credentials.get(repository);
        return credentials ? [credentials] : [];
    }

    /**
     * What the root sync waits for: the release, the engine's own objects it reads (`own`), the
     * GitOps repository's credentials and the repositories' seeded files.
     */
    rootDependsOn(own: readonly pulumi.Resource[]): pulumi.Resource[] {
        return [
            this.release,
            ...own,
            ...this.credentialsOf(this.args.repositories.gitops.name),
            ...this.args.repositories.ready,
        ];
    }

    /** Whether there are image updates to declare; refuses any when image automation is off, naming what they need. */
    hasImageUpdates(updates: readonly ImageUpdate[], needs: string): boolean {
        if (updates.length > 0 && !this.imageAutomation) {
            throw new pulumi.ResourceError(
                `image updates of ${updates.map((u) => u.app).join(", ")} need ${needs}: set imageAutomation`,
                this.owner,
            );
        }
        return updates.length > 0;
    }
}

import * as pulumi from "@pulumi/pulumi";

/** What every repository component (owned, shared, external) assumes unless told otherwise. */
export const REPOSITORY_DEFAULTS = {
    /** Branch the engine reads. */
    branch: "main",
    /** Title of the deploy key on GitHub. */
    deployKeyTitle: "gitops-platform",
    /** Read-only deploy key. */
    deployKeyWritable: false,
} as const;

/** How the GitOps engine reaches one Git repository. */
export interface RepositoryAccess {
    readonly name: string;
    /** SSH clone URL, e.g. ssh://git@github.com/acme/platform-gitops.git; https:// when read anonymously. */
    readonly url: pulumi.Output<string>;
    readonly branch: string;
    /** Private half of the deploy key (OpenSSH format), always a Pulumi secret; none when read anonymously. */
    readonly privateKey?: pulumi.Output<string>;
    /** Public half, to register as a deploy key where Pulumi does not manage the repository. */
    readonly publicKey?: pulumi.Output<string>;
    /** known_hosts lines for the Git host, so the engine verifies it. */
    readonly knownHosts: string;
}

/** The repositories of a stack, as the engine and the apps see them. */
export interface RepositoryHandle {
    readonly gitops: RepositoryAccess;
    /** App repositories, keyed by repository name. */
    readonly appRepositories: Readonly<Record<string, RepositoryAccess>>;
    /** Resources that must exist before the engine first syncs (seeded files). */
    readonly ready: pulumi.Resource[];
}

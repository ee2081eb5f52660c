/**
 * A GitHub repository that another stack manages (config `managedBy`): this stack only reads it,
 * with a key pair of its own registered as a deploy key on the existing repository. The repository,
 * its protection, environments, alerts and files stay the owning stack's, so that two stacks never
 * declare the same repository (the second `pulumi up` would fail on the name) or fight over its rules.
 */
import * as pulumi from "@pulumi/pulumi";
import { declareAccess } from "./access";
import { REPOSITORY_DEFAULTS, RepositoryAccess } from "./types";

export interface SharedGithubRepositoryArgs {
    /** Name of the existing repository on GitHub. Required. */
    readonly repositoryName: string;
    /** Its owner, the GitHub provider's `github:owner`. Required. */
    readonly owner: string;
    /** Branch the engine reads; default "main". */
    readonly branch?: string;
    /** Title of this stack's deploy key on GitHub; default "gitops-platform". */
    readonly deployKeyTitle?: string;
    /** Let the deploy key push (Flux image automation commits to Git); default false (read-only). */
    readonly deployKeyWritable?: boolean;
}

const DEFAULTS = REPOSITORY_DEFAULTS satisfies Partial<SharedGithubRepositoryArgs>;

export class SharedGithubRepository extends pulumi.ComponentResource {
    readonly access: RepositoryAccess;
    /** What the engine needs before its first sync: the registered deploy key. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: SharedGithubRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:repository:SharedGithubRepository", name, {}, opts);
        const a = { ...DEFAULTS, ...args };
        // The names the owning stack's repository has: the same URL, and the key on that repository.
        const repository = { name: a.repositoryName, fullName: pulumi.output(`${a.owner}/${a.repositoryName}`) };
        const { access, ready } = declareAccess(name, { host: "github", ...a, repository, deployKey: true }, this);
        this.access = access;
        this.ready = ready;
        this.registerOutputs({ url: this.access.url, publicKey: this.access.publicKey });
    }
}

/**
 * A repository this stack does not manage (the local stack, no GitHub token). Either a public
 * repository the engine reads anonymously over https (nothing to register, so the first
 * `pulumi up` syncs), or one read over SSH with a deploy key pair made here, whose public half is a
 * stack output the user registers on the repository (read-only) before the engine can clone it.
 */
import * as pulumi from "@pulumi/pulumi";
import { declareAccess } from "./access";
import { REPOSITORY_DEFAULTS, RepositoryAccess } from "./types";

export interface ExternalRepositoryArgs {
    /** Repository name, as the engine and apps refer to it. Required. */
    readonly repositoryName: string;
    /** Clone URL: ssh://, git@host:path or https:// (read over SSH with the deploy key either way). Required. */
    readonly url: string;
    /** Branch the engine reads; default "main". */
    readonly branch?: string;
    /** known_hosts lines of the Git host; GitHub's published keys for github.com, required for any other host. */
    readonly knownHosts?: string;
    /** Read anonymously over https (a public repository): no deploy key; the URL must be https://. Default false. */
    readonly anonymous?: boolean;
}

const DEFAULTS = {
    branch: REPOSITORY_DEFAULTS.branch,
    anonymous: false,
} as const satisfies Partial<ExternalRepositoryArgs>;

export class ExternalRepository extends pulumi.ComponentResource {
    /** How the engine reads the repository; with a key, its public half is for the user to register. */
    readonly access: RepositoryAccess;

    constructor(name: string, args: ExternalRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:repository:ExternalRepository", name, {}, opts);
        this.access = declareAccess(name, { host: "url", ...DEFAULTS, ...args }, this).access;
        this.registerOutputs({ url: this.access.url, publicKey: this.access.publicKey });
    }
}

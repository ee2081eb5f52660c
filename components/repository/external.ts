/**
 * A repository this stack does not manage (the local stack, no GitHub token). Either a public
 * repository the engine reads anonymously over https (nothing to register, so the first
 * `pulumi up` syncs), or one read over SSH with a deploy key pair made here, whose public half is a
 * stack output the user registers on the repository (read-only) before the engine can clone it.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployKeyPair } from "./deployKey";
import { knownHostsFor, sshUrl } from "./hosts";
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

const DEFAULTS = { branch: REPOSITORY_DEFAULTS.branch } as const satisfies Partial<ExternalRepositoryArgs>;

export class ExternalRepository extends pulumi.ComponentResource implements RepositoryAccess {
    readonly name: string;
    readonly url: pulumi.Output<string>;
    readonly branch: string;
    readonly privateKey?: pulumi.Output<string>;
    readonly publicKey?: pulumi.Output<string>;
    readonly knownHosts: string;

    constructor(name: string, args: ExternalRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:repository:ExternalRepository", name, {}, opts);
        const a = { ...DEFAULTS, ...args };
        this.name = a.repositoryName;
        this.branch = a.branch;
        if (a.anonymous) {
            if (!a.url.startsWith("https://")) {
                throw new pulumi.ResourceError(
                    `${a.repositoryName}: anonymous read needs an https:// URL, got ${a.url}`,
                    this,
                );
            }
            this.url = pulumi.output(a.url);
            this.knownHosts = "";
            this.registerOutputs({ url: this.url });
            return;
        }
        this.url = pulumi.output(sshUrl(a.url));
        try {
            this.knownHosts = knownHostsFor(a.url, a.knownHosts);
        } catch (error) {
            throw new pulumi.ResourceError((error as Error).message, this);
        }
        const keyPair = deployKeyPair(name, this);
        this.privateKey = keyPair.privateKey;
        this.publicKey = keyPair.publicKey;
        this.registerOutputs({ url: this.url, publicKey: this.publicKey });
    }
}

/**
 * A repository this stack does not manage (the local stack, no GitHub token): only the deploy key
 * pair is made here. Its public half is a stack output that the user registers on the repository
 * by hand (read-only), e.g. on GitHub under Settings → Deploy keys.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployKeyPair } from "./deployKey";
import { knownHostsFor, sshUrl } from "./hosts";
import { RepositoryAccess } from "./types";

export interface ExternalRepositoryArgs {
    /** Repository name, as the engine and apps refer to it. Required. */
    readonly repositoryName: string;
    /** Clone URL: ssh://, git@host:path or https:// (read over SSH with the deploy key either way). Required. */
    readonly url: string;
    /** Branch the engine reads; default "main". */
    readonly branch?: string;
    /** known_hosts lines of the Git host; GitHub's published keys for github.com, required for any other host. */
    readonly knownHosts?: string;
}

const DEFAULTS = { branch: "main" } as const satisfies Partial<ExternalRepositoryArgs>;

export class ExternalRepository extends pulumi.ComponentResource implements RepositoryAccess {
    readonly name: string;
    readonly url: pulumi.Output<string>;
    readonly branch: string;
    readonly privateKey: pulumi.Output<string>;
    readonly publicKey: pulumi.Output<string>;
    readonly knownHosts: string;

    constructor(name: string, args: ExternalRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:repository:ExternalRepository", name, {}, opts);
        const a = { ...DEFAULTS, ...args };
        this.name = a.repositoryName;
        this.branch = a.branch;
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

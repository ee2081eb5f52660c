/**
 * How the engine reaches a repository, built one way for the three repository components: a GitHub
 * repository (owned by this stack, or shared from the stack that owns it) is read over SSH with
 * GitHub's host keys and a deploy key registered on it; a repository given by URL is read
 * anonymously over https, or over SSH with a key pair whose public half the user registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployKeyPair, githubDeployKey, GithubDeployKeySettings } from "./deployKey";
import { GITHUB_KNOWN_HOSTS, githubSshUrl, knownHostsFor, sshUrl } from "./hosts";
import { RepositoryAccess } from "./types";

/** A repository on GitHub, as the owned and the shared component know it. */
export interface GithubSource {
    readonly host: "github";
    readonly repositoryName: string;
    readonly branch: string;
    /**
     * Its name and `owner/name` on GitHub: the owned component passes its github.Repository, so that
     * the deploy key and the URL wait for the repository; the shared one the names it is given.
     */
    readonly repository: { readonly name: pulumi.Input<string>; readonly fullName: pulumi.Output<string> };
    /** Register a deploy key; false when nothing in a cluster reads the repository. */
    readonly deployKey: boolean;
    readonly deployKeyTitle: string;
    readonly deployKeyWritable: boolean;
}

/** A repository this stack does not manage, given by its clone URL. */
export interface UrlSource {
    readonly host: "url";
    readonly repositoryName: string;
    readonly branch: string;
    /** ssh://, git@host:path or https://. */
    readonly url: string;
    /** known_hosts lines of the host; built in for github.com only. */
    readonly knownHosts?: string;
    /** Read over https without a key (a public repository). */
    readonly anonymous: boolean;
}

export type RepositorySource = GithubSource | UrlSource;

/** The key the engine reads with. */
export type AccessKey =
    /** None: read anonymously, or not read by the engine at all. */
    | { readonly kind: "none" }
    /** A key pair; the user registers its public half (a stack output) on the repository. */
    | { readonly kind: "pair" }
    /** A key pair whose public half is registered as a deploy key of the GitHub repository. */
    | { readonly kind: "github"; readonly settings: GithubDeployKeySettings };

/** The access fields but the key's halves, and the key to make for them. */
export interface AccessFields extends Omit<RepositoryAccess, "privateKey" | "publicKey"> {
    readonly key: AccessKey;
}

/** What the engine needs to reach a repository, from what its component knows. Throws on a URL it cannot read. */
export function accessFields(source: RepositorySource): AccessFields {
    const { repositoryName: name, branch } = source;
    if (source.host === "github") {
        const settings = {
            repository: source.repository.name,
            title: source.deployKeyTitle,
            writable: source.deployKeyWritable,
        };
        return {
            name,
            branch,
            url: source.repository.fullName.apply(githubSshUrl),
            knownHosts: GITHUB_KNOWN_HOSTS,
            key: source.deployKey ? { kind: "github", settings } : { kind: "none" },
        };
    }
    if (source.anonymous) {
        if (!source.url.startsWith("https://")) {
            throw new Error(`${name}: anonymous read needs an https:// URL, got ${source.url}`);
        }
        return { name, branch, url: pulumi.output(source.url), knownHosts: "", key: { kind: "none" } };
    }
    return {
        name,
        branch,
        url: pulumi.output(sshUrl(source.url)),
        knownHosts: knownHostsFor(source.url, source.knownHosts),
        key: { kind: "pair" },
    };
}

/** A repository's access as the engine reads it, and what the engine must wait for before its first sync. */
export interface DeclaredAccess {
    readonly access: RepositoryAccess;
    /** The registered deploy key; nothing when no key is registered here. */
    readonly ready: pulumi.Resource[];
}

/** The access of the repository component `parent` (named `name`), with the key it asks for declared under it. */
export function declareAccess(name: string, source: RepositorySource, parent: pulumi.Resource): DeclaredAccess {
    let fields: AccessFields;
    try {
        fields = accessFields(source);
    } catch (error) {
        throw new pulumi.ResourceError((error as Error).message, parent);
    }
    const { key, ...access } = fields;
    if (key.kind === "none") {
        return { access, ready: [] };
    }
    if (key.kind === "pair") {
        const { privateKey, publicKey } = deployKeyPair(name, parent);
        return { access: { ...access, privateKey, publicKey }, ready: [] };
    }
    const { privateKey, publicKey, deployKey } = githubDeployKey(name, key.settings, parent);
    return { access: { ...access, privateKey, publicKey }, ready: [deployKey] };
}

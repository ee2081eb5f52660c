import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** The two halves of a repository's deploy key, as RepositoryAccess carries them. */
export interface DeployKeyPair {
    readonly key: tls.PrivateKey;
    /** OpenSSH private key, a Pulumi secret. */
    readonly privateKey: pulumi.Output<string>;
    /** OpenSSH public key, one line without the trailing newline. */
    readonly publicKey: pulumi.Output<string>;
}

/**
 * An ED25519 key pair for the engine to read one repository over SSH. The provider marks the
 * private key secret; it is wrapped again so that no later refactoring can lose that mark.
 */
export function deployKeyPair(name: string, parent: pulumi.Resource): DeployKeyPair {
    const key = new tls.PrivateKey(`${name}-deploy-key-pair`, { algorithm: "ED25519" }, { parent });
    return {
        key,
        privateKey: pulumi.secret(key.privateKeyOpenssh),
        publicKey: key.publicKeyOpenssh.apply((line) => line.trim()),
    };
}

export interface GithubDeployKeySettings {
    /** Repository name on GitHub, under the provider's `github:owner`. */
    readonly repository: pulumi.Input<string>;
    /** Title shown on GitHub: which stack (cluster) reads with the key. */
    readonly title: string;
    /** Let the key push (Flux image automation); read-only otherwise. */
    readonly writable: boolean;
}

export interface GithubDeployKey extends DeployKeyPair {
    readonly deployKey: github.RepositoryDeployKey;
}

/** A new key pair, its public half registered as a deploy key of a GitHub repository. */
export function githubDeployKey(
    name: string,
    settings: GithubDeployKeySettings,
    parent: pulumi.Resource,
): GithubDeployKey {
    const keyPair = deployKeyPair(name, parent);
    const deployKey = new github.RepositoryDeployKey(
        `${name}-deploy-key`,
        {
            repository: settings.repository,
            title: settings.title,
            key: keyPair.publicKey,
            readOnly: !settings.writable,
        },
        { parent },
    );
    return { ...keyPair, deployKey };
}

/**
 * Git hosts as the engine reaches them: SSH URLs (the deploy key works over SSH only) and the
 * known_hosts lines that let it verify the host instead of trusting the first key it is shown.
 */

export const GITHUB_HOST = "github.com";

/**
 * GitHub's published SSH host keys, as "GitHub's SSH key fingerprints" (docs.github.com) lists them
 * for ~/.ssh/known_hosts (also served by https://api.github.com/meta, `ssh_keys`). The RSA key is
 * the one GitHub rotated to on 2023-03-24. When GitHub rotates a key, update this constant.
 */
export const GITHUB_KNOWN_HOSTS = [
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
].join("\n");

const SCP_LIKE = /^([^@/\s]+)@([^:/\s]+):(.+)$/;

/**
 * A Git URL with the scp-like `git@host:owner/repo.git` that GitHub shows written as
 * `ssh://git@host/owner/repo.git`, any other URL as it is. Flux takes http(s) and ssh:// URLs only
 * (its GitRepository CRD's pattern `^(http|https|ssh)://`); Argo CD takes both forms.
 */
export function normalGitUrl(url: string): string {
    const scp = SCP_LIKE.exec(url);
    return scp ? `ssh://${scp[1]}@${scp[2]}/${scp[3].replace(/^\/+/, "")}` : url;
}

/**
 * The SSH clone URL of a Git URL, in the `ssh://` form (normalGitUrl). An https URL becomes the
 * host's SSH URL for the same path, `git@` as user, since the engine authenticates with the deploy key.
 */
export function sshUrl(url: string): string {
    const normal = normalGitUrl(url);
    const parsed = new URL(normal);
    if (parsed.protocol === "ssh:") {
        return normal;
    }
    if (parsed.protocol === "https:") {
        return `ssh://git@${parsed.host}${parsed.pathname}`;
    }
    throw new Error(`unsupported Git URL "${url}": expected ssh://, git@host:path or https://`);
}

/**
 * The SSH clone URL of the GitHub repository `owner/name`, the same whether this stack manages the
 * repository (from its `fullName`) or only reads it (from github:owner and the name).
 */
export function githubSshUrl(fullName: string): string {
    return sshUrl(`git@${GITHUB_HOST}:${fullName}.git`);
}

/** The host name of a Git URL (no user, no port). */
export function gitHost(url: string): string {
    return new URL(sshUrl(url)).hostname;
}

/**
 * known_hosts for the host of `url`: GitHub's published keys for github.com; for any other host
 * the lines the user supplies (`ssh-keyscan <host>`, checked against what the host publishes).
 */
export function knownHostsFor(url: string, supplied?: string): string {
    if (supplied !== undefined) {
        return supplied.trim();
    }
    const host = gitHost(url);
    if (host !== GITHUB_HOST) {
        throw new Error(
            `no known_hosts for ${host}: only github.com's keys are built in; supply the host's known_hosts lines`,
        );
    }
    return GITHUB_KNOWN_HOSTS;
}

/**
 * A throwaway Git server in the cluster, so the engine reads the GitOps repository over SSH the way
 * it reads GitHub, with nothing registered by hand: sshd accepts whatever key a client offers
 * (AuthorizedKeysCommand echoes it back), so the stack's own deploy key works as soon as the engine
 * has it. The host key is generated in the pod and read back for known_hosts, so the engine still
 * verifies the host. sshd logs each accepted key's fingerprint (LogLevel VERBOSE); the harness
 * compares it with the stack's deploy key.
 */
import * as crypto from "crypto";

export const GIT_NAMESPACE = "gitops-live-git";
export const GIT_SERVICE = "git";
/** Alpine's git and openssh-server packages, installed at start (the cluster needs internet for the charts anyway). */
export const GIT_IMAGE = "alpine:3.22";
export const REPOSITORY_ROOT = "/srv/git";

export function repositoryPath(name: string): string {
    return `${REPOSITORY_ROOT}/${name}.git`;
}

export function gitHostName(): string {
    return `${GIT_SERVICE}.${GIT_NAMESPACE}.svc.cluster.local`;
}

/** The clone URL the stack gets as gitopsRepository.url. */
export function gitUrl(repositoryName: string): string {
    return `ssh://git@${gitHostName()}${repositoryPath(repositoryName)}`;
}

const SSHD_CONFIG = [
    "Port 22",
    "HostKey /etc/ssh/ssh_host_ed25519_key",
    "PermitRootLogin no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "AllowUsers git",
    "AuthorizedKeysFile none",
    "AuthorizedKeysCommand /usr/local/bin/any-key %t %k",
    "AuthorizedKeysCommandUser nobody",
    "LogLevel VERBOSE",
    "",
].join("\n");

/** The container's start script: packages, the git user (unlocked, git-shell), host key, sshd in the foreground. */
export const START_SCRIPT = [
    "set -eu",
    "apk add --no-cache git openssh-server >/dev/null",
    `adduser -D -h ${REPOSITORY_ROOT} -s "$(command -v git-shell || echo /bin/sh)" git`,
    // adduser -D leaves the password "!" (locked), and sshd refuses locked accounts even for keys.
    "sed -i 's/^git:!:/git:*:/' /etc/shadow",
    `chown git:git ${REPOSITORY_ROOT}`,
    "printf '#!/bin/sh\\necho \"$1 $2\"\\n' > /usr/local/bin/any-key",
    "chmod 755 /usr/local/bin/any-key",
    `printf '%s' '${SSHD_CONFIG}' > /etc/ssh/sshd_config`,
    "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key",
    "exec /usr/sbin/sshd -D -e",
].join("\n");

/** Namespace, Deployment and Service of the Git server. */
export function gitServerManifests(): Record<string, unknown>[] {
    const labels = { "app.kubernetes.io/name": "gitops-live-git" };
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: GIT_NAMESPACE } },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: GIT_SERVICE, namespace: GIT_NAMESPACE, labels },
            spec: {
                replicas: 1,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        containers: [
                            {
                                name: "sshd",
                                image: GIT_IMAGE,
                                command: ["/bin/sh", "-c", START_SCRIPT],
                                ports: [{ name: "ssh", containerPort: 22 }],
                                readinessProbe: { tcpSocket: { port: 22 }, periodSeconds: 2 },
                            },
                        ],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: GIT_SERVICE, namespace: GIT_NAMESPACE, labels },
            spec: { selector: labels, ports: [{ name: "ssh", port: 22, targetPort: 22 }] },
        },
    ];
}

/** known_hosts line for the server from its `ssh_host_ed25519_key.pub` ("ssh-ed25519 AAAA... comment"). */
export function knownHostsLine(host: string, publicKeyFile: string): string {
    const [type, key] = publicKeyFile.trim().split(/\s+/);
    if (type !== "ssh-ed25519" || !key) {
        throw new Error(`expected an ssh-ed25519 public key, got: ${publicKeyFile.trim().slice(0, 80)}`);
    }
    return `${host} ${type} ${key}`;
}

/** OpenSSH's SHA256 fingerprint of an authorized_keys-style public key line, as sshd logs it. */
export function sshFingerprint(publicKeyLine: string): string {
    const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? "", "base64");
    return `SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Fingerprints of the keys sshd accepted ("Accepted publickey for git from ... ssh2: ED25519 SHA256:..."). */
export function acceptedFingerprints(sshdLog: string): string[] {
    return [
        ...new Set(
            [
                ...sshdLog.matchAll(/Accepted publickey for git from \S+ port \d+ ssh2: \S+ (SHA256:[A-Za-z0-9+/]+)/g),
            ].map((m) => m[1]),
        ),
    ];
}

/** Fakes of the engine's neighbours for component tests: repositories and secret delivery built from real Pulumi outputs. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformMetadata } from "../components/gitops/metadata";
import { ApplicationRegistration, GitopsEngine, TeamRegistration } from "../components/gitops/types";
import { RepositoryAccess, RepositoryHandle } from "../components/repository/types";
import { SecretDelivery } from "../components/secrets/types";

export const KNOWN_HOSTS =
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

export function fakeAccess(name: string): RepositoryAccess {
    return {
        name,
        url: pulumi.output(`git@github.com:acme/${name}.git`),
        branch: "main",
        privateKey: pulumi.secret(`private-key-of-${name}`),
        publicKey: pulumi.output(`ssh-ed25519 AAAA${name}`),
        knownHosts: KNOWN_HOSTS,
    };
}

export function fakeRepositories(): RepositoryHandle {
    return {
        gitops: fakeAccess("platform-gitops"),
        appRepositories: { "payments-api": fakeAccess("payments-api") },
        ready: [],
    };
}

/** Delivers as a plain Secret through the test provider, like the stacks without a store. */
export function fakeDelivery(provider: k8s.Provider): SecretDelivery {
    return {
        deliver(name, secret, opts) {
            return new k8s.core.v1.Secret(
                name,
                {
                    metadata: { name: secret.secretName, namespace: secret.namespace, labels: secret.labels },
                    stringData: secret.data,
                },
                { ...opts, provider },
            );
        },
    };
}

export function testMetadata(environment: string) {
    return platformMetadata({
        environment,
        clusterName: pulumi.output("gitops-platform-test"),
        aws: { region: "eu-west-1", accountId: pulumi.output("123456789012") },
        addonRoleArns: { external_secrets: pulumi.output("arn:aws:iam::123456789012:role/external-secrets") },
        gitops: {
            url: pulumi.output("git@github.com:acme/platform-gitops.git"),
            path: "clusters/test",
            revision: "main",
        },
    });
}

export function team(name: string, namespaces: string[], sourceRepos: pulumi.Input<string>[]): TeamRegistration {
    return { name, groups: [`acme:${name}`], namespaces, sourceRepos };
}

export function app(name: string, overrides: Partial<ApplicationRegistration> = {}): ApplicationRegistration {
    return {
        name,
        team: "payments",
        namespace: name,
        source: {
            repoUrl: "https://github.com/stefanprodan/podinfo.git",
            path: "kustomize",
            revision: "6.9.2",
            type: "kustomize",
        },
        sync: { automated: true, prune: true, selfHeal: true },
        pruneApproved: false,
        dependsOn: [],
        ...overrides,
    };
}

/** Registers teams and apps the way components/apps does: each under its own parent component. */
export function registerAll(engine: GitopsEngine, teams: TeamRegistration[], apps: ApplicationRegistration[]): void {
    for (const registration of teams) {
        engine.registerTeam(registration, {
            parent: new pulumi.ComponentResource("test:apps:Team", registration.name, {}),
        });
    }
    for (const registration of apps) {
        engine.registerApplication(registration, {
            parent: new pulumi.ComponentResource("test:apps:App", registration.name, {}),
        });
    }
}

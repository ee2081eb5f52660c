/** The engines' pure builders: Helm values, platform metadata, Flux components, checked against upstream files. */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as YAML from "yaml";
import { argoCdValues, ArgoValuesSettings, oidcConfig, rbacPolicy } from "../components/gitops/argocd/values";
import { DEFAULTS as ARGO_DEFAULTS, APP_VERSIONS } from "../components/gitops/argocd";
import {
    inClusterSecret,
    lockedDefaultProject,
    repositorySecretData,
    teamProject,
    teamRolePolicies,
} from "../components/gitops/argocd/objects";
import {
    FluxComponent,
    fluxComponents,
    fluxOperatorValues,
    gitCredentialsData,
} from "../components/gitops/flux/objects";
import { addonRoleKey, metadataLabels, platformMetadata } from "../components/gitops/metadata";
import { clusterPath } from "../components/repository/layout";
import { tenantWhitelist } from "../components/gitops/tenancy";

const SSO = { issuer: "https://acme.okta.com/oauth2/default", clientId: "argocd-production", groupsClaim: "groups" };
const base: ArgoValuesSettings = {
    highAvailability: false,
    adminGroups: ["platform-admins"],
    knownHosts: ["github.com ssh-ed25519 AAAA"],
};

describe("argo-cd Helm values", () => {
    it("is highly available with HA: autoscaled server and repo server, two ApplicationSet controllers, PDBs, Redis HA", () => {
        const values = argoCdValues({ ...base, highAvailability: true });
        const scaled = {
            autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
            pdb: { enabled: true, minAvailable: 1 },
        };
        const resources = (cpu: string, memory: string, limit: string) => ({
            requests: { cpu, memory },
            limits: { memory: limit },
        });
        assert.deepEqual(values.server, { ...scaled, resources: resources("250m", "256Mi", "512Mi") });
        assert.deepEqual(values.repoServer, { ...scaled, resources: resources("500m", "512Mi", "1Gi") });
        assert.deepEqual(values.applicationSet, {
            replicas: 2,
            pdb: { enabled: true, minAvailable: 1 },
            resources: resources("100m", "128Mi", "256Mi"),
        });
        assert.deepEqual(values.controller, { replicas: 1, resources: resources("1", "2Gi", "4Gi") });
        assert.deepEqual(values["redis-ha"], { enabled: true });
    });

    it("is lean without HA: single replicas, no PDBs, single Redis, smaller requests", () => {
        const values = argoCdValues(base);
        const resources = (cpu: string, memory: string, limit: string) => ({
            requests: { cpu, memory },
            limits: { memory: limit },
        });
        assert.deepEqual(values.server, { replicas: 1, resources: resources("50m", "128Mi", "256Mi") });
        assert.deepEqual(values.repoServer, { replicas: 1, resources: resources("100m", "256Mi", "512Mi") });
        assert.deepEqual(values.applicationSet, { replicas: 1, resources: resources("50m", "64Mi", "128Mi") });
        assert.deepEqual(values.controller, { replicas: 1, resources: resources("250m", "512Mi", "1Gi") });
        assert.deepEqual(values["redis-ha"], { enabled: false });
    });

    it("disables the local admin with SSO and configures OIDC, with no client secret in the values (issue 25)", () => {
        const values = argoCdValues({ ...base, sso: SSO }) as {
            configs: Record<string, Record<string, unknown>>;
        };
        assert.deepEqual(values.configs.cm, {
            "admin.enabled": false,
            "users.anonymous.enabled": false,
            "exec.enabled": false,
            "application.resourceTrackingMethod": "annotation",
            "oidc.config": oidcConfig(SSO),
        });
        // The secret lives in its own Secret (OIDC_SECRET), so the values stay readable to reviewers and the pack.
        assert.equal(values.configs.secret, undefined);
    });

    it("keeps the local admin without SSO, with anonymous access and exec still off", () => {
        const values = argoCdValues(base) as { configs: Record<string, Record<string, unknown>> };
        assert.deepEqual(values.configs.cm, {
            "admin.enabled": true,
            "users.anonymous.enabled": false,
            "exec.enabled": false,
            "application.resourceTrackingMethod": "annotation",
        });
        assert.equal(values.configs.secret, undefined);
    });

    it("sets the domain Argo CD's URL and SSO redirect derive from, only when given", () => {
        assert.deepEqual(argoCdValues({ ...base, domain: "argocd.acme.example.com" }).global, {
            domain: "argocd.acme.example.com",
            networkPolicy: { create: true },
        });
        assert.deepEqual(argoCdValues(base).global, { networkPolicy: { create: true } });
    });

    it("makes everyone read-only and maps admin groups to role:admin, scoped to the groups claim", () => {
        const values = argoCdValues({
            ...base,
            adminGroups: ["platform-admins", "sre"],
            sso: { ...SSO, groupsClaim: "roles" },
        }) as { configs: Record<string, unknown> };
        assert.deepEqual(values.configs.rbac, {
            "policy.default": "role:readonly",
            "policy.csv": "g, platform-admins, role:admin\ng, sre, role:admin\n",
            scopes: "[roles]",
        });
    });

    it("writes oidc.config as Argo CD reads it", () => {
        assert.deepEqual(YAML.parse(oidcConfig(SSO)), {
            name: "SSO",
            issuer: SSO.issuer,
            clientID: SSO.clientId,
            // argo-cd docs/operator-manual/user-management/index.md: `$<secret>:<key>` of a Secret labelled
            // app.kubernetes.io/part-of: argocd ("Mind the ':'").
            clientSecret: "$argocd-oidc:clientSecret",
            requestedScopes: ["openid", "profile", "email", "groups"],
            requestedIDTokenClaims: { groups: { essential: true } },
        });
    });

    it("has no policy lines without admin groups", () => {
        assert.equal(rbacPolicy([]), "");
    });

    it("adds each repository host's known_hosts once", () => {
        const values = argoCdValues({ ...base, knownHosts: ["a key", "a key", "b key"] }) as {
            configs: { ssh: unknown };
        };
        assert.deepEqual(values.configs.ssh, { extraHosts: "a key\nb key" });
    });

    it("pins a default chart version that has a known app version", () => {
        assert.equal(ARGO_DEFAULTS.chartVersion, "10.1.1");
        assert.equal(APP_VERSIONS[ARGO_DEFAULTS.chartVersion], "v3.4.4");
    });
});

describe("Argo CD projects", () => {
    const labels = { environment: "staging" };

    it("locks the default project: no sources, destinations or kinds", () => {
        assert.deepEqual(lockedDefaultProject("argocd", labels).spec, {
            description: "Locked down by the platform: every Application belongs to a team's project",
            sourceRepos: [],
            destinations: [],
            clusterResourceWhitelist: [],
            namespaceResourceWhitelist: [],
        });
    });

    it("restricts a team's project to its repositories, its namespaces and no cluster-scoped kinds", () => {
        const project = teamProject(
            {
                name: "payments",
                groups: ["acme:payments"],
                namespaces: ["payments-api", "ledger"],
                sourceRepos: ["https://github.com/acme/payments.git"],
            },
            "argocd",
            labels,
        );
        assert.deepEqual(project.metadata, {
            name: "payments",
            namespace: "argocd",
            labels: { environment: "staging", team: "payments" },
        });
        assert.deepEqual(project.spec, {
            description: "Applications of team payments",
            sourceRepos: ["https://github.com/acme/payments.git"],
            destinations: [
                { server: "https://kubernetes.default.svc", namespace: "payments-api" },
                { server: "https://kubernetes.default.svc", namespace: "ledger" },
            ],
            clusterResourceWhitelist: [],
            // A non-empty whitelist admits only its kinds (argoproj/argo-cd pkg/apis/application/v1alpha1
            // app_project_types.go, AppProject.IsGroupKindPermitted, v3.x); its content is pinned in tenancy.test.ts.
            namespaceResourceWhitelist: tenantWhitelist(),
            roles: [
                {
                    name: "developers",
                    description: "Members of team payments",
                    groups: ["acme:payments"],
                    policies: teamRolePolicies("payments"),
                },
            ],
        });
        assert.deepEqual(teamRolePolicies("payments"), [
            "p, proj:payments:developers, applications, get, payments/*, allow",
            "p, proj:payments:developers, applications, sync, payments/*, allow",
        ]);
    });

    for (const reserved of ["default", "platform"]) {
        it(`rejects a team named "${reserved}", a project the platform reserves`, () => {
            assert.throws(
                () => teamProject({ name: reserved, groups: [], namespaces: [], sourceRepos: [] }, "argocd", labels),
                new RegExp(`team "${reserved}".*reserves`),
            );
        });
    }
});

describe("credential and cluster Secrets", () => {
    it("gives Argo CD a git repository with the SSH deploy key", () => {
        assert.deepEqual(repositorySecretData("ssh://git@github.com/acme/app.git", "KEY"), {
            type: "git",
            url: "ssh://git@github.com/acme/app.git",
            sshPrivateKey: "KEY",
        });
    });

    it("gives Flux the key as identity with the host's known_hosts", () => {
        assert.deepEqual(gitCredentialsData("KEY", "github.com ssh-ed25519 AAAA"), {
            identity: "KEY",
            known_hosts: "github.com ssh-ed25519 AAAA",
        });
    });

    it("registers Argo CD's own cluster with TLS verification and no credentials", () => {
        const secret = inClusterSecret("argocd", { environment: "staging" }, { environment: "staging" });
        assert.deepEqual(secret.stringData, {
            name: "in-cluster",
            server: "https://kubernetes.default.svc",
            config: '{"tlsClientConfig":{"insecure":false}}',
        });
        assert.deepEqual(secret.metadata.labels, {
            "argocd.argoproj.io/secret-type": "cluster",
            environment: "staging",
        });
    });
});

describe("platform metadata contract", () => {
    it("carries environment, cluster, region, account, add-on roles and the GitOps repository", () => {
        assert.deepEqual(
            platformMetadata({
                environment: "production",
                clusterName: "gitops-platform-production",
                aws: { region: "eu-west-1", accountId: "444455556666" },
                addonRoleArns: { external_secrets: "arn:aws:iam::444455556666:role/eso" },
                gitops: {
                    url: "ssh://git@github.com/acme/platform-gitops.git",
                    path: clusterPath("production"),
                    revision: "main",
                },
            }),
            {
                environment: "production",
                cluster_name: "gitops-platform-production",
                aws_region: "eu-west-1",
                aws_account_id: "444455556666",
                gitops_repo_url: "ssh://git@github.com/acme/platform-gitops.git",
                gitops_repo_path: "clusters/production",
                gitops_repo_revision: "main",
                external_secrets_iam_role_arn: "arn:aws:iam::444455556666:role/eso",
            },
        );
    });

    it("leaves the AWS keys out for an existing cluster", () => {
        const metadata = platformMetadata({
            environment: "local",
            clusterName: "kind-gitops",
            addonRoleArns: {},
            gitops: { url: "u", path: "clusters/local", revision: "main" },
        });
        assert.deepEqual(Object.keys(metadata), [
            "environment",
            "cluster_name",
            "gitops_repo_url",
            "gitops_repo_path",
            "gitops_repo_revision",
        ]);
        assert.deepEqual(metadataLabels(metadata), { environment: "local", cluster_name: "kind-gitops" });
    });

    it("names every key as a valid Flux post-build variable", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), (addon) => {
                assert.match(addonRoleKey(addon), /^[_a-zA-Z][_a-zA-Z0-9]*$/);
            }),
        );
    });

    for (const bad of ["external-secrets", "ExternalSecrets", "1st", ""]) {
        it(`rejects the add-on name "${bad}"`, () => {
            assert.throws(() => addonRoleKey(bad), /must be snake_case/);
        });
    }
});

describe("Flux components and operator values", () => {
    // The component names of FluxInstance spec.components (controlplaneio-fluxcd/flux-operator v0.58.1,
    // docs/api/v1/fluxinstance.md, "Components configuration"); the order is the program's.
    const ORDER: FluxComponent[] = [
        "source-controller",
        "kustomize-controller",
        "helm-controller",
        "notification-controller",
        "image-reflector-controller",
        "image-automation-controller",
    ];
    const image: FluxComponent[] = ["image-reflector-controller", "image-automation-controller"];

    it("defaults to the operator's four controllers", () => {
        assert.deepEqual(fluxComponents(undefined, false), ORDER.slice(0, 4));
    });

    it("adds the image controllers for image automation", () => {
        assert.deepEqual(fluxComponents(undefined, true), ORDER);
    });

    it("lists each selected component once, the image controllers with image automation, in one fixed order", () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom(...ORDER)), fc.boolean(), (selected, automation) => {
                const result = fluxComponents(selected, automation);
                assert.equal(new Set(result).size, result.length, "no duplicates");
                for (const component of ORDER) {
                    const wanted = selected.includes(component) || (automation && image.includes(component));
                    assert.equal(result.includes(component), wanted, component);
                }
                const positions = result.map((component) => ORDER.indexOf(component));
                assert.deepEqual(
                    positions,
                    [...positions].sort((a, b) => a - b),
                );
            }),
        );
    });

    it("turns the operator's ResourceSet lockdown on with multitenancy", () => {
        assert.deepEqual(fluxOperatorValues({ multitenancy: true }), {
            installCRDs: true,
            multitenancy: { enabled: true },
        });
        assert.deepEqual(fluxOperatorValues({ multitenancy: false }), {
            installCRDs: true,
            multitenancy: { enabled: false },
        });
    });
});

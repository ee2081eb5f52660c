/**
 * Pins of defaults nothing else pins, each checked against a fact outside the code where there is one:
 * the quotas and container defaults every app gets, public addresses on subnets, the root Application's
 * retry, and what a stack gets for each key it leaves out (literal values, whichever file defines them).
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { Environment, PROFILES } from "../stacks/profiles";
import { byName, ofType, planStack, stackValue } from "./harness";

const QUOTA = "kubernetes:core/v1:ResourceQuota";
const LIMITS = "kubernetes:core/v1:LimitRange";
const SUBNET = "aws:ec2/subnet:Subnet";
const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";

/** A Kubernetes quantity in base units (cores, bytes): the suffixes of k8s.io/apimachinery resource.Quantity used here. */
function quantity(text: string): number {
    const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(text);
    assert.ok(match, `not a quantity this test reads: ${text}`);
    const factor = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] ?? ""] ?? 1;
    return Number(match[1]) * factor;
}

/** A copy of a stack file's object value without some of its keys (paths of nested keys as lists). */
function without(stack: string, key: string, ...paths: string[][]): Record<string, unknown> {
    const value = structuredClone(stackValue<Record<string, unknown>>(stack, key));
    for (const path of paths) {
        const parent = path.slice(0, -1).reduce((o, k) => o[k] as Record<string, unknown>, value);
        assert.ok(path[path.length - 1] in parent, `${stack} ${key} sets ${path.join(".")}`);
        delete parent[path[path.length - 1]];
    }
    return value;
}

/**
 * The checked-in stacks with the keys whose defaults are pinned left out (each must be set there, so the
 * removal is real). Staging also turns on advancedSecurity, the one way its private repositories show
 * whether secret scanning (default on) is on.
 */
const WITHOUT_DEFAULTED_KEYS: Partial<Record<Environment, Record<string, unknown>>> = {
    staging: {
        "gitops-platform:cluster": without(
            "staging",
            "gitops-platform:cluster",
            ["workloadIdentity"],
            ["logRetentionDays"],
            ["nodeGroups", "general", "capacityType"],
        ),
        "gitops-platform:gitopsRepository": without("staging", "gitops-platform:gitopsRepository", ["branch"]),
        "gitops-platform:github": {
            ...stackValue<object>("staging", "gitops-platform:github"),
            advancedSecurity: true,
        },
    },
    local: {
        "gitops-platform:engine": without("local", "gitops-platform:engine", ["multitenancy"]),
        "gitops-platform:gitopsRepository": without("local", "gitops-platform:gitopsRepository", ["branch"]),
    },
};

/** The defaults every app of an environment gets when config's appDefaults and the app say nothing. */
const PINNED: Record<Environment, { hard: Record<string, string>; default: object; defaultRequest: object }> = {
    local: {
        hard: { "requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "8Gi", pods: "20" },
        default: { cpu: "500m", memory: "512Mi" },
        defaultRequest: { cpu: "50m", memory: "64Mi" },
    },
    staging: {
        hard: { "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi", pods: "50" },
        default: { cpu: "500m", memory: "512Mi" },
        defaultRequest: { cpu: "100m", memory: "128Mi" },
    },
    production: {
        hard: {
            "requests.cpu": "8",
            "requests.memory": "16Gi",
            "limits.cpu": "16",
            "limits.memory": "32Gi",
            pods: "100",
        },
        default: { cpu: "1", memory: "1Gi" },
        defaultRequest: { cpu: "250m", memory: "256Mi" },
    },
};

describe("defaults pinned", () => {
    const plans = new Map<Environment, PlanResult>();
    before(async () => {
        for (const environment of Object.keys(PINNED) as Environment[]) {
            // appDefaults removed: what the environment alone gives (production's file restates its quota);
            // staging and local also without the keys whose defaults are pinned below.
            plans.set(
                environment,
                await planStack(environment, {
                    remove: ["gitops-platform:appDefaults"],
                    set: WITHOUT_DEFAULTED_KEYS[environment],
                }),
            );
        }
    });

    for (const environment of Object.keys(PINNED) as Environment[]) {
        it(`${environment}: every app's quota and container defaults are the environment's`, () => {
            const pinned = PINNED[environment];
            const resources = plans.get(environment)!.resources;
            const quotas = ofType(resources, QUOTA);
            assert.ok(quotas.length > 0);
            for (const quota of quotas) {
                assert.deepEqual((quota.inputs.spec as { hard: unknown }).hard, pinned.hard, quota.name);
            }
            for (const limits of ofType(resources, LIMITS)) {
                assert.deepEqual(
                    (limits.inputs.spec as { limits: unknown[] }).limits,
                    [{ type: "Container", default: pinned.default, defaultRequest: pinned.defaultRequest }],
                    limits.name,
                );
            }
        });

        // Kubernetes docs, "Limit Ranges" (kubernetes.io/docs/concepts/policy/limit-range, "LimitRange and
        // admission checks for Pods"): a LimitRange does not check that the defaults it applies are consistent,
        // and a pod whose default limit is below its request cannot be scheduled. With a quota on requests and
        // limits a pod without them is refused, so the defaults must fit a pod of one container.
        it(`${environment}: defaults are consistent (request <= limit) and one defaulted pod fits the quota`, () => {
            const { quota, limits } = PROFILES[environment];
            assert.ok(quantity(limits.defaultRequestCpu) <= quantity(limits.defaultCpu));
            assert.ok(quantity(limits.defaultRequestMemory) <= quantity(limits.defaultMemory));
            assert.ok(quantity(limits.defaultCpu) <= quantity(quota.limitsCpu));
            assert.ok(quantity(limits.defaultMemory) <= quantity(quota.limitsMemory));
            assert.ok(quantity(limits.defaultRequestCpu) <= quantity(quota.requestsCpu));
            assert.ok(quantity(limits.defaultRequestMemory) <= quantity(quota.requestsMemory));
            assert.ok(quota.pods >= 1);
        });
    }

    // Nodes live in private subnets and load balancers bring their own addresses; AWS's own default for a
    // subnet's MapPublicIpOnLaunch is false except in default VPCs (EC2 API reference, Subnet), so the program
    // states it rather than relying on the VPC.
    it("no subnet gives instances a public address, public tier included", () => {
        for (const environment of ["staging", "production"] as const) {
            const subnets = ofType(plans.get(environment)!.resources, SUBNET);
            assert.ok(subnets.some((subnet: PlannedResource) => subnet.name.includes("-public-")));
            for (const subnet of subnets) {
                assert.equal(subnet.inputs.mapPublicIpOnLaunch, false, `${environment} ${subnet.name}`);
            }
        }
    });

    // argoproj/argo-cd docs/operator-manual/application.yaml (commit 0327d2f95be2ae7e0e7ed091fe8195fe922ac51b),
    // syncPolicy.retry: limit 5, backoff duration 5s, factor 2, maxDuration 3m.
    const DOCUMENTED_RETRY = { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } };

    it("the root Application and every app retry failed syncs as Argo CD documents", () => {
        for (const environment of ["staging", "production"] as const) {
            const resources = plans.get(environment)!.resources;
            const root = byName(resources, APPLICATION, "argocd-root-application");
            assert.deepEqual(
                (root.inputs.spec as { syncPolicy: { retry: unknown } }).syncPolicy.retry,
                DOCUMENTED_RETRY,
            );
            for (const app of ofType(resources, APPLICATION)) {
                assert.deepEqual(
                    (app.inputs.spec as { syncPolicy: { retry: unknown } }).syncPolicy.retry,
                    DOCUMENTED_RETRY,
                    app.name,
                );
            }
        }
    });

    // What staging and local get for the keys WITHOUT_DEFAULTED_KEYS leaves out.
    const resources = (environment: Environment) => plans.get(environment)!.resources;
    const inputs = (environment: Environment, type: string, name: string) =>
        byName(resources(environment), type, name).inputs;

    it("engine namespaces: argocd for Argo CD, flux-system for Flux", () => {
        const namespace = (environment: Environment, name: string) =>
            (inputs(environment, "kubernetes:core/v1:Namespace", name).metadata as { name: string }).name;
        assert.equal(namespace("staging", "argocd-namespace"), "argocd");
        assert.equal(namespace("local", "flux-namespace"), "flux-system");
    });

    it("the engine syncs the GitOps repository's main branch", () => {
        const root = inputs("staging", APPLICATION, "argocd-root-application").spec as {
            source: { targetRevision: string };
        };
        assert.equal(root.source.targetRevision, "main");
        const instance = inputs("local", "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance").spec as {
            sync: { ref: string };
        };
        assert.equal(instance.sync.ref, "refs/heads/main");
    });

    it("External Secrets refresh every hour, the ExternalSecret CRD's own default", () => {
        // external-secrets/external-secrets apis/externalsecrets/v1/externalsecret_types.go at helm-chart-2.9.0:
        // RefreshInterval +kubebuilder:default="1h0m0s".
        const secrets = ofType(resources("local"), "kubernetes:external-secrets.io/v1:ExternalSecret");
        assert.ok(secrets.length > 0);
        for (const secret of secrets) {
            assert.equal((secret.inputs.spec as { refreshInterval: string }).refreshInterval, "1h", secret.name);
        }
    });

    it("EKS: control-plane logs kept 90 days, 50 GiB on-demand nodes, Pod Identity for workloads", () => {
        const logs = inputs("staging", "aws:cloudwatch/logGroup:LogGroup", "staging-cluster-logs");
        assert.equal(logs.retentionInDays, 90);
        const nodes = inputs("staging", "aws:eks/nodeGroup:NodeGroup", "staging-cluster-general");
        assert.equal(nodes.capacityType, "ON_DEMAND");
        const template = inputs("staging", "aws:ec2/launchTemplate:LaunchTemplate", "staging-cluster-general") as {
            blockDeviceMappings: { ebs: { volumeSize: number } }[];
        };
        assert.deepEqual(
            template.blockDeviceMappings.map((m) => m.ebs.volumeSize),
            [50],
        );
        assert.ok(ofType(resources("staging"), "aws:eks/podIdentityAssociation:PodIdentityAssociation").length > 0);
        assert.deepEqual(
            ofType(resources("staging"), "aws:iam/openIdConnectProvider:OpenIdConnectProvider").filter(
                (r) => !r.name.startsWith("ci-"),
            ),
            [],
            "no IRSA provider",
        );
    });

    it("Flux without tenant lockdown", () => {
        const values = inputs("local", "kubernetes:helm.sh/v3:Release", "flux-release").values as {
            multitenancy: { enabled: boolean };
        };
        assert.equal(values.multitenancy.enabled, false);
        const instance = inputs("local", "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance").spec as {
            cluster: { multitenant: boolean };
        };
        assert.equal(instance.cluster.multitenant, false);
    });

    it("GitHub: private repositories with secret scanning and push protection, deploy keys titled by stack", () => {
        const repositories = ofType(resources("staging"), "github:index/repository:Repository");
        assert.ok(repositories.length >= 3);
        for (const repository of repositories) {
            assert.equal(repository.inputs.visibility, "private", repository.name);
            assert.deepEqual(
                repository.inputs.securityAndAnalysis,
                {
                    advancedSecurity: { status: "enabled" },
                    secretScanning: { status: "enabled" },
                    secretScanningPushProtection: { status: "enabled" },
                },
                repository.name,
            );
        }
        for (const key of ofType(resources("staging"), "github:index/repositoryDeployKey:RepositoryDeployKey")) {
            assert.equal(key.inputs.title, "gitops-platform staging", key.name);
        }
    });
});

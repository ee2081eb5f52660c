/**
 * Pins of defaults nothing else pins, each checked against a fact outside the code: the quotas and
 * container defaults every app gets, public addresses on subnets, and the root Application's retry.
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { Environment, PROFILES } from "../stacks/profiles";
import { byName, ofType, planStack } from "./harness";

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

describe("defaults pinned against outside facts", () => {
    const plans = new Map<Environment, PlanResult>();
    before(async () => {
        for (const environment of Object.keys(PINNED) as Environment[]) {
            // appDefaults removed: what the environment alone gives (production's file restates its quota).
            plans.set(environment, await planStack(environment, { remove: ["gitops-platform:appDefaults"] }));
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
});

/**
 * Issue 24, finding 10 (reachability): a hub reaches an EKS spoke's public endpoint from its NAT addresses, which
 * the spoke's publicAccessCidrs must admit (the VPCs are not peered). Stacks publish both sides (outputs
 * cluster.endpointAccess and cluster.egressIps), and the hub refuses a spoke that does not admit it, naming the fix.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { hubReachProblem } from "../components/fleet/reach";
import { reachableEndpoint } from "../stacks/fleet";
import { planStack } from "./harness";

const STAGING_ACCESS = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "198.51.100.0/24"] };

describe("issue 24 finding 10: the hub reaches its spokes", () => {
    it("a spoke that admits none of the hub's NAT addresses is refused with the address to add", () => {
        const problem = hubReachProblem("eu-staging", "acme/gitops-platform/staging", STAGING_ACCESS, ["52.16.1.7"]);
        assert.match(
            problem ?? "",
            /not the hub's NAT address 52\.16\.1\.7: add 52\.16\.1\.7\/32 to cluster\.endpoint\.publicAccessCidrs of acme\/gitops-platform\/staging/,
        );
        assert.equal(
            hubReachProblem(
                "eu-staging",
                "s",
                { ...STAGING_ACCESS, publicAccessCidrs: [...STAGING_ACCESS.publicAccessCidrs, "52.16.1.7/32"] },
                ["52.16.1.7"],
            ),
            undefined,
        );
        assert.match(
            hubReachProblem("p", "s", { publicAccess: false, publicAccessCidrs: [] }, ["52.16.1.7"]) ?? "",
            /is private/,
        );
        // Every NAT address must be admitted (one per zone in production).
        assert.match(
            hubReachProblem("p", "s", { publicAccess: true, publicAccessCidrs: ["52.16.1.7/32"] }, [
                "52.16.1.7",
                "52.16.1.8",
            ]) ?? "",
            /52\.16\.1\.8\/32/,
        );
    });

    it("the hub's endpoint for a spoke fails on the check, and passes through when the spoke admits it", async () => {
        const endpoint = (cidrs: string[]) =>
            new Promise<string>((resolve, reject) => {
                const cluster = pulumi.output({
                    name: "n",
                    endpoint: "https://spoke",
                    endpointAccess: { publicAccess: true, publicAccessCidrs: cidrs },
                });
                reachableEndpoint("eu-staging", "acme/gitops-platform/staging", cluster, ["52.16.1.7"]).apply(resolve);
                setTimeout(() => reject(new Error("no value")), 2000);
            });
        assert.equal(await endpoint(["52.16.1.0/24"]), "https://spoke");
    });

    it("EKS stacks publish their endpoint's access and their NAT addresses; existing clusters neither", async () => {
        const staging = (await planStack("staging")).outputs.cluster as Record<string, unknown>;
        assert.deepEqual(staging.endpointAccess, STAGING_ACCESS);
        assert.equal((staging.egressIps as string[]).length, 1, "one NAT gateway in staging");
        const production = (await planStack("production")).outputs.cluster as Record<string, unknown>;
        assert.deepEqual(production.endpointAccess, { publicAccess: false, publicAccessCidrs: [] });
        assert.equal((production.egressIps as string[]).length, 3, "one NAT gateway per zone");
        const local = (await planStack("local")).outputs.cluster as Record<string, unknown>;
        assert.equal("endpointAccess" in local || "egressIps" in local, false);
    });
});

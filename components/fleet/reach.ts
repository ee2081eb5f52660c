/**
 * Whether a hub can reach a spoke's API endpoint. The hub's engine calls the spoke's public endpoint from the
 * hub's NAT gateways (its pods have private addresses; the VPCs are not peered), so the spoke's endpoint must be
 * public and admit every NAT address of the hub (EKS: publicAccessCidrs is the only filter of the public endpoint).
 */
import { cidrContains, parseCidr } from "../cluster/cidr";

/** What a spoke stack publishes about its endpoint (stacks/platform.ts, output cluster.endpointAccess). */
export interface EndpointAccess {
    readonly publicAccess: boolean;
    readonly publicAccessCidrs: readonly string[];
}

/** Why the hub cannot reach the spoke, with the fix; undefined when it can. */
export function hubReachProblem(
    spoke: string,
    spokeStack: string,
    access: EndpointAccess,
    hubEgressIps: readonly string[],
): string | undefined {
    if (!access.publicAccess) {
        return `spoke ${spoke}: the API endpoint of ${spokeStack} is private, and the hub reaches it from outside its VPC: set cluster.endpoint.publicAccess true there with the hub's NAT addresses (this stack's output cluster.egressIps) in publicAccessCidrs`;
    }
    const admitted = access.publicAccessCidrs.map(parseCidr).filter((c) => c !== undefined);
    const refused = hubEgressIps.filter((ip) => {
        const address = parseCidr(`${ip}/32`);
        return address === undefined || !admitted.some((cidr) => cidrContains(cidr, address));
    });
    if (refused.length > 0) {
        return `spoke ${spoke}: ${spokeStack}'s API endpoint admits ${access.publicAccessCidrs.join(", ") || "no range"}, not the hub's NAT address${refused.length > 1 ? "es" : ""} ${refused.join(", ")}: add ${refused.map((ip) => `${ip}/32`).join(", ")} to cluster.endpoint.publicAccessCidrs of ${spokeStack} and run its up first`;
    }
    return undefined;
}

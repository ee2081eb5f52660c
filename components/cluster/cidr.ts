/** IPv4 CIDR arithmetic used by config validation and the subnet layout. */

export interface Ipv4Cidr {
    /** First address of the block, as an unsigned 32-bit integer. */
    readonly base: number;
    readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; returns undefined for anything that is not a canonical IPv4 CIDR block. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
    const match = CIDR_PATTERN.exec(text);
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefixLength = Number(match[5]);
    if (octets.some((o) => o > 255) || prefixLength > 32) {
        return undefined;
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const base = address - (address % blockSize(prefixLength));
    // "10.0.0.1/16" has host bits set: AWS rejects it, so do we.
    return base === address ? { base, prefixLength } : undefined;
}

export function formatCidr(cidr: Ipv4Cidr): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
    return `${octets.join(".")}/${cidr.prefixLength}`;
}

export function blockSize(prefixLength: number): number {
    return 2 ** (32 - prefixLength);
}

export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
    return (
        inner.prefixLength >= outer.prefixLength &&
        inner.base >= outer.base &&
        inner.base + blockSize(inner.prefixLength) <= outer.base + blockSize(outer.prefixLength)
    );
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
    return a.base < b.base + blockSize(b.prefixLength) && b.base < a.base + blockSize(a.prefixLength);
}

/** Public and private subnet blocks, one of each per availability zone, in zone order. */
export interface SubnetLayout {
    readonly public: string[];
    readonly private: string[];
}

/** The largest zone count the layout serves, and the smallest VPC it can split (public /prefix+6 must stay ≥ /28). */
export const MAX_LAYOUT_ZONES = 6;
export const MAX_LAYOUT_VPC_PREFIX = 22;

/**
 * Splits a VPC block into subnets: the VPC is cut in eighths; zone i's private subnet is eighth i
 * (pods take VPC addresses under the VPC CNI, so private subnets get the room), and the last eighth
 * is cut in eighths again for the public subnets, which hold only load balancers and NAT gateways.
 * A /16 gives /19 private and /22 public subnets.
 */
export function subnetLayout(vpcCidr: string, zones: number): SubnetLayout {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) {
        throw new Error(`vpcCidr ${vpcCidr} is not a canonical IPv4 CIDR block`);
    }
    if (!Number.isInteger(zones) || zones < 1 || zones > MAX_LAYOUT_ZONES) {
        throw new Error(`the subnet layout serves 1 to ${MAX_LAYOUT_ZONES} availability zones, got ${zones}`);
    }
    if (vpc.prefixLength > MAX_LAYOUT_VPC_PREFIX) {
        throw new Error(
            `vpcCidr ${vpcCidr} is too small to split: use /${MAX_LAYOUT_VPC_PREFIX} or larger, or give the subnet blocks explicitly`,
        );
    }
    const eighth = vpc.prefixLength + 3;
    const sixtyFourth = vpc.prefixLength + 6;
    const indices = Array.from({ length: zones }, (_, i) => i);
    const publicBase = vpc.base + 7 * blockSize(eighth);
    return {
        private: indices.map((i) => formatCidr({ base: vpc.base + i * blockSize(eighth), prefixLength: eighth })),
        public: indices.map((i) =>
            formatCidr({ base: publicBase + i * blockSize(sixtyFourth), prefixLength: sixtyFourth }),
        ),
    };
}

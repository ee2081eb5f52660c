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
    return inner.prefixLength >= outer.prefixLength
        && inner.base >= outer.base
        && inner.base + blockSize(inner.prefixLength) <= outer.base + blockSize(outer.prefixLength);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
    return a.base < b.base + blockSize(b.prefixLength) && b.base < a.base + blockSize(a.prefixLength);
}

/**
 * IPv4 and IPv6 addresses and CIDR blocks for NetworkPolicy ipBlock peers
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#IPBlock:
 * "192.168.1.1/24" or "2001:db8::/64"). An address is a bigint of 32 or 128 bits; a block keeps its
 * network bits and prefix length, with the host bits of the text cleared ("192.168.1.1/24" is
 * 192.168.1.0/24, as Go's net.ParseCIDR reads it).
 *
 * The families are kept apart: an IPv4 address is in no IPv6 block and the reverse, and an IPv4-mapped
 * IPv6 address (::ffff:10.0.0.1) is an IPv6 address.
 */
export interface Ip {
    readonly v6: boolean;
    readonly bits: bigint;
}

export interface Cidr extends Ip {
    /** The prefix length: 0..32 for IPv4, 0..128 for IPv6. */
    readonly prefix: number;
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const DOTTED_QUAD = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipv4(text: string): bigint | undefined {
    if (!DOTTED_QUAD.test(text)) return undefined;
    return text.split(".").reduce((bits, octet) => (bits << 8n) | BigInt(octet), 0n);
}

function ipv6(text: string): bigint | undefined {
    // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
    if (text.includes(".")) {
        const at = text.lastIndexOf(":") + 1;
        const quad = ipv4(text.slice(at));
        if (at === 0 || quad === undefined) return undefined;
        text = `${text.slice(0, at)}${(quad >> 16n).toString(16)}:${(quad & 0xffffn).toString(16)}`;
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groupsOf = (half: string) => (half === "" ? [] : half.split(":"));
    const left = groupsOf(halves[0]);
    const right = halves.length === 2 ? groupsOf(halves[1]) : [];
    const count = left.length + right.length;
    // "::" stands for at least one group of zeros.
    if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
    const groups = [...left, ...Array<string>(8 - count).fill("0"), ...right];
    if (!groups.every((g) => GROUP.test(g))) return undefined;
    return groups.reduce((bits, g) => (bits << 16n) | BigInt(`0x${g}`), 0n);
}

/** The address in text (dotted quad, or IPv6 with "::" and an optional trailing dotted quad), or undefined. */
export function parseIp(text: string): Ip | undefined {
    const v4 = ipv4(text);
    if (v4 !== undefined) return { v6: false, bits: v4 };
    const v6 = text.includes(":") ? ipv6(text) : undefined;
    return v6 === undefined ? undefined : { v6: true, bits: v6 };
}

/** The block in text ("<address>/<prefix length>"), or undefined. */
export function parseCidr(text: string): Cidr | undefined {
    const [address, length, ...rest] = text.split("/");
    const ip = parseIp(address);
    if (ip === undefined || length === undefined || rest.length > 0 || !/^(0|[1-9]\d{0,2})$/.test(length)) return undefined;
    const prefix = Number(length);
    const width = ip.v6 ? 128 : 32;
    if (prefix > width) return undefined;
    const hostBits = BigInt(width - prefix);
    return { v6: ip.v6, prefix, bits: (ip.bits >> hostBits) << hostBits };
}

/** Whether the block holds the address (same family, same first `prefix` bits). */
export function cidrContains(cidr: Cidr, ip: Ip): boolean {
    if (cidr.v6 !== ip.v6) return false;
    const hostBits = BigInt((cidr.v6 ? 128 : 32) - cidr.prefix);
    return ip.bits >> hostBits === cidr.bits >> hostBits;
}

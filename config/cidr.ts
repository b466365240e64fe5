/** IPv4 CIDR arithmetic for the network rules. */

/** Parses `a.b.c.d/n` into a [network, mask] pair of 32-bit numbers, or undefined. */
export function parseCidr(text: string): [number, number] | undefined {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const bits = Number(match[5]);
    if (octets.some((o) => o > 255) || bits > 32) return undefined;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
    return [address - (address % 2 ** (32 - bits)), mask];
}

/** True when every address of `inner` lies inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    if (!o || !i) return false;
    const outerSize = 2 ** 32 - o[1];
    const innerSize = 2 ** 32 - i[1];
    return innerSize <= outerSize && i[0] >= o[0] && i[0] + innerSize <= o[0] + outerSize;
}

/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
 * a signed decimal number followed by a binary-SI suffix (Ki Mi Gi Ti Pi Ei), a
 * decimal-SI suffix (n u m k M G T P E, or none) or a decimal exponent (e3, E-2).
 * Values are kept exact as a fraction of big integers, so `100m` equals `0.1`.
 */

export interface Quantity {
    numerator: bigint;
    denominator: bigint;
}

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The exact value of a quantity, or undefined when `value` is not one. */
export function parseQuantity(value: unknown): Quantity | undefined {
    const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== "string") return undefined;
    const match = QUANTITY.exec(text.trim());
    if (!match) return undefined;
    const [, sign, number, suffix = ""] = match;
    const [whole, fraction = ""] = number.split(".");
    let numerator = BigInt(`${whole || "0"}${fraction}`) * (sign === "-" ? -1n : 1n);
    let exponent10 = -fraction.length;
    if (suffix in BINARY_SUFFIXES) numerator *= 1n << BigInt(BINARY_SUFFIXES[suffix]);
    else if (suffix in DECIMAL_SUFFIXES) exponent10 += DECIMAL_SUFFIXES[suffix];
    else exponent10 += Number(suffix.slice(1));
    if (exponent10 >= 0) return { numerator: numerator * 10n ** BigInt(exponent10), denominator: 1n };
    return { numerator, denominator: 10n ** BigInt(-exponent10) };
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
    const left = a.numerator * b.denominator;
    const right = b.numerator * a.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
}

/** Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `1G`) as numbers of base units. */
const SUFFIX: Record<string, number> = {
    m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(text: string | number): number | undefined {
    if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
    const match = /^([+-]?\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(text.trim());
    return match ? Number(match[1]) * SUFFIX[match[2] ?? ""] : undefined;
}

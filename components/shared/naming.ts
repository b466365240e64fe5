/**
 * Physical names of stateful resources: deterministic (so policies can relate
 * resources during preview, and URN/replacement baselines stay stable) and
 * unique per stack (so ephemeral stacks never collide).
 */

/** `hangar-<stack>[-suffix]` reduced to lower-case letters, digits and single hyphens, starting with a letter. */
export function physicalName(stack: string, suffix = "", maxLength = 63): string {
    const raw = ["hangar", stack, suffix].filter(Boolean).join("-");
    let name = raw
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+|-+$/g, "");
    if (!/^[a-z]/.test(name)) name = `h-${name}`;
    if (name.length > maxLength) {
        // Keep it unique when truncating: the tail becomes a short hash of the full name.
        const hash = simpleHash(raw).toString(36).slice(0, 6);
        name = `${name.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
    }
    return name;
}

function simpleHash(text: string): number {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h;
}

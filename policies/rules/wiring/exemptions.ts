/**
 * Exemptions the wiring rules take from the policy config: objects made at run time
 * (by an operator, the API server, cert-manager), named by namespace and a name
 * pattern with `*` wildcards, each with the reason it is exempt. A reference that
 * matches one passes; nothing passes silently.
 */
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export interface ObjectExemption {
    namespace: string;
    /** The object's name; `*` matches any run of characters. */
    name: string;
    reason: string;
}

export const objectExemptionsSchema = (description: string, defaults: ObjectExemption[] = []): PolicyConfigJSONSchema => ({
    type: "array",
    description,
    items: {
        type: "object",
        properties: { namespace: { type: "string" }, name: { type: "string" }, reason: { type: "string" } },
        required: ["namespace", "name", "reason"],
        additionalProperties: false,
    },
    default: defaults,
});

/** `*` in `pattern` matches any run of characters (none included); everything else literally. */
export function nameMatches(pattern: string, name: string): boolean {
    const parts = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join(".*")}$`).test(name);
}

/** The exemption covering namespace/name, if any. */
export const exemptionFor = (exemptions: ObjectExemption[], namespace: string, name: string) =>
    exemptions.find((e) => e.namespace === namespace && nameMatches(e.name, name));

/**
 * What the halves of the offline runner share: the shape of its input and
 * output, the pack's name and version, and how @pulumi/policy's policy.js tells
 * a resource policy from a stack policy.
 */
import { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export interface PolicyInputResource {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: string;
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    opts?: { protect?: boolean; retainOnDelete?: boolean; aliases?: unknown[] };
}

export interface PolicyViolationRecord {
    policy: string;
    enforcementLevel: "advisory" | "mandatory";
    urn?: string;
    message: string;
}

/** The name policies/index.ts gives the pack. */
export const PACK_NAME = "hangar-guardrails";
/** The pack's version, from policies/package.json (as PolicyPack reads it). */
// From tools/policy/, or bin/tools/policy/ when precompiled (`tsc` emits no JSON it was not imported from).
export const PACK_VERSION: string = (
    require(require("path").resolve(__dirname, __filename.endsWith(".js") ? "../../.." : "../..", "policies", "package.json")) as {
        version: string;
    }
).version;

export const ENFORCEMENT_LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
    const { validateResource, remediateResource } = p as ResourceValidationPolicy;
    if (typeof validateResource === "function") return true;
    if (Array.isArray(validateResource)) return validateResource.every((v) => typeof v === "function");
    return typeof remediateResource === "function";
}

export function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

export function pulumiTypeOf(fn: unknown): string | undefined {
    const type = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof type === "string" && type.length > 0 ? type : undefined;
}

/**
 * From the harness's readable wire format to what a policy sees.
 *   { "@secret": value }  → value (policies see plaintext, as deserializeProperties gives them)
 *   "@unknown"            → the engine's unknown sentinel, so the unknown-checking proxy throws on read
 *   { "@resource": urn }  → the URN
 * Pulumi's own encodings are accepted too: a secret signature object, and the
 * unknown sentinels themselves.
 */
import { unknownCheckingProxy, UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";

export const UNKNOWN = "@unknown";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One value, decoded. */
export function decodeValue(value: unknown): unknown {
    if (value === UNKNOWN) return UNKNOWN_STRING_SENTINEL;
    if (Array.isArray(value)) return value.map(decodeValue);
    if (!isRecord(value)) return value;
    if ("@secret" in value) return decodeValue(value["@secret"]);
    if (value[SIG_KEY] === SECRET_SIG) return decodeValue(value.value);
    if (typeof value["@resource"] === "string" && Object.keys(value).length === 1) return value["@resource"];
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
        // As in @pulumi/policy's deserializeProperties: an undefined property does not exist.
        if (v !== undefined) out[key] = decodeValue(v);
    }
    return out;
}

/** Resource properties as the policy server hands them to a rule: decoded, then wrapped in the unknown-checking proxy. */
export function policyProps(props: Record<string, unknown>): Record<string, unknown> {
    return unknownCheckingProxy(decodeValue(props) as Record<string, unknown>);
}

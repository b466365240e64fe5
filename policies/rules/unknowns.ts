/**
 * Typed access to @pulumi/policy's preview machinery. Its index re-exports
 * `unknownCheckingProxy` and `UnknownValueError` from a module whose typings
 * declare nothing, so TypeScript sees them as `any`; this module gives them the
 * types of the runtime code (node_modules/@pulumi/policy/proxy.js).
 */
import * as policy from "@pulumi/policy";

/** Thrown by the proxy when a policy reads a value the engine does not know during preview. */
export interface UnknownValueErrorInstance extends Error {
    /** The sentinel the engine sent in place of the value. */
    readonly unknownTypeSentinel: string;
    /** The property path that was read, e.g. `["spec", "template"]`. */
    readonly props: PropertyKey[];
}

export const UnknownValueError: new (sentinel: string, props: PropertyKey[]) => UnknownValueErrorInstance = policy.UnknownValueError;

/** Wraps resource properties so that reading an unknown value throws `UnknownValueError`. */
export const unknownCheckingProxy: <T>(props: T) => T = policy.unknownCheckingProxy;

/**
 * The sentinel the engine sends for a computed value. Pulumi marshals every
 * unknown as the string sentinel (resource.UnknownStringValue), so previews
 * report "string value at .path can't be known during preview".
 */
export const UNKNOWN_STRING_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknownValueError(err: unknown): err is UnknownValueErrorInstance {
    return err instanceof UnknownValueError;
}

/** The value `read` returns, or `{ unknown }` when it reads a value unknown during preview. */
export function readKnown<T>(read: () => T): { known: true; value: T } | { known: false; error: UnknownValueErrorInstance } {
    try {
        return { known: true, value: read() };
    } catch (err) {
        if (isUnknownValueError(err)) return { known: false, error: err };
        throw err;
    }
}

/**
 * Ends a stack policy that could not judge everything during preview: throws the
 * UnknownValueError the engine reports as an advisory "can't run … during preview",
 * with what stayed undecided. Does nothing when everything was decided.
 */
export function throwIfUndecided(firstUnknown: UnknownValueErrorInstance | undefined, undecided: string[], hint = ""): void {
    if (undecided.length === 0 || !firstUnknown) return;
    const err = new UnknownValueError(firstUnknown.unknownTypeSentinel, firstUnknown.props);
    err.message = `cannot decide: ${undecided.join("; ")}${hint}`;
    throw err;
}

/**
 * A plain deep copy of a value read from resource properties: reads every field through
 * the unknown-checking proxy (so an unknown throws inside `readKnown`), unlike
 * structuredClone, which cannot clone a proxy.
 */
export const plain = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

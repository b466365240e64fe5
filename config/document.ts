/**
 * Reading the merged (profile ⊕ stack file) document defensively: the rules run
 * on it even when the schema rejects it, so any value may be missing or of the
 * wrong type. Every reader answers `undefined` (or an empty list) rather than
 * throwing.
 */
import { isPlainObject } from "./merge";

export type Doc = Record<string, unknown>;

/** The value at a dotted key path (`"database.allocatedStorageGb"`), or undefined where a step is not a mapping. */
export function get(node: unknown, path: string): unknown {
    for (const key of path.split(".")) node = isPlainObject(node) ? node[key] : undefined;
    return node;
}

/** A finite number, or undefined. */
export const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** A string, or undefined. */
export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A list, or [] for anything else. */
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The first repeated entry of a list (its second occurrence), or undefined. */
export function firstDuplicate(values: unknown[]): unknown {
    return values.find((value, i) => values.indexOf(value) !== i);
}

/** True when both are finite numbers and `a` < `b`. */
export const below = (a: unknown, b: unknown): boolean => num(a) !== undefined && num(b) !== undefined && num(a)! < num(b)!;

/** True when both are finite numbers and `a` > `b`. */
export const above = (a: unknown, b: unknown): boolean => below(b, a);

/**
 * Checks on everything a caller hands over before it can reach the CLI: stack
 * names (they become file names, URNs and AWS resource names) and config
 * overrides (they become a stack file). Pure functions: nothing here runs a process.
 */
import { ConfigIssue, formatIssues, NAMESPACE, parseConfig, PlatformConfig } from "../config";
import { stackNameIssues } from "../config/stack-name";

export { STACK_NAME_LENGTH, STACK_NAME_PATTERN, stackNameIssues } from "../config/stack-name";
import { ValidationError } from "./errors";

/** Names an ephemeral environment may never take: they are the long-lived environments. */
export const RESERVED_NAMES: readonly string[] = ["prod", "staging"];

const MAX_OVERRIDES = 100;
const MAX_KEY_PATH_LENGTH = 256;
const MAX_OVERRIDE_BYTES = 64 * 1024;
const MAX_STRING_LENGTH = 4096;
const MAX_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);

/** Throws {@link ValidationError} unless `name` is a valid stack name. */
export function assertStackName(name: unknown): asserts name is string {
    const issues = stackNameIssues(name);
    if (issues.length > 0) throw new ValidationError(`invalid stack name: ${issues[0].message}`, issues);
}

/**
 * Throws {@link ValidationError} unless `name` can be an ephemeral environment:
 * a valid stack name that is neither reserved nor a stack tracked in the repository.
 */
export function assertEnvironmentName(name: unknown, trackedStacks: readonly string[]): asserts name is string {
    assertStackName(name);
    if (RESERVED_NAMES.includes(name) || trackedStacks.includes(name)) {
        const issue = {
            path: "name",
            message: `"${name}" is a long-lived environment (its stack file is in the repository), not an ephemeral one`,
        };
        throw new ValidationError(`invalid environment name: ${issue.message}`, [issue], name);
    }
}

type Segment = string | number;

/**
 * Parses a key path as users write it: `database.instanceClass`,
 * `hangar:app.services[0].env.LOG_LEVEL`, `app.ingress.annotations["a.b/c"]`.
 * Returns the `hangar:` section key and the segments below it.
 */
export function parseKeyPath(path: string): { key: string; segments: Segment[] } | { error: string } {
    if (path.length === 0 || path.length > MAX_KEY_PATH_LENGTH)
        return { error: `expected a key path of 1–${MAX_KEY_PATH_LENGTH} characters` };
    const rest = path.startsWith(`${NAMESPACE}:`) ? path.slice(NAMESPACE.length + 1) : path;
    if (/^[a-z0-9-]+:/i.test(rest)) return { error: `only ${NAMESPACE}: keys can be overridden` };
    const segments: Segment[] = [];
    const token = /^(?:\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d{1,4})\]|\["([^"\\]{1,253})"\])/;
    let text = rest;
    while (text.length > 0) {
        const match = token.exec(text);
        const first = segments.length === 0;
        if (!match || (first && (!match[1] || text.startsWith("."))) || (!first && match[1] && !text.startsWith("."))) {
            return { error: `cannot read the key path at "${text}" (expected key, .key, [index] or ["key"])` };
        }
        const segment = match[1] ?? match[3] ?? Number(match[2]);
        if (typeof segment === "string" && FORBIDDEN_KEYS.has(segment)) return { error: `"${segment}" is not allowed as a key` };
        if (typeof segment === "string" && hasControlCharacters(segment, false))
            return { error: "control characters are not allowed in keys" };
        segments.push(segment);
        text = text.slice(match[0].length);
    }
    if (segments.length > MAX_DEPTH) return { error: `expected at most ${MAX_DEPTH} levels` };
    const [section, ...below] = segments;
    return { key: `${NAMESPACE}:${String(section)}`, segments: below };
}

/** Problems with an override value that parseConfig would not catch (size, control characters, prototype keys). */
function valueIssues(value: unknown, depth = 0): string | undefined {
    if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    if (typeof value === "string") {
        if (value.length > MAX_STRING_LENGTH) return `strings are limited to ${MAX_STRING_LENGTH} characters`;
        if (hasControlCharacters(value, true)) return "control characters are not allowed";
        return undefined;
    }
    if (value === null || typeof value === "number" || typeof value === "boolean") {
        return typeof value === "number" && !Number.isFinite(value) ? "expected a finite number" : undefined;
    }
    if (Array.isArray(value)) {
        for (const item of value) {
            const problem = valueIssues(item, depth + 1);
            if (problem) return problem;
        }
        return undefined;
    }
    if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
            if (FORBIDDEN_KEYS.has(key)) return `"${key}" is not allowed as a key`;
            const problem = valueIssues(item, depth + 1);
            if (problem) return problem;
        }
        return undefined;
    }
    return "expected plain data (strings, numbers, booleans, lists, mappings)";
}

/** True when `text` holds ASCII control characters (tabs and newlines allowed when `allowWhitespace`). */
function hasControlCharacters(text: string, allowWhitespace: boolean): boolean {
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (allowWhitespace && (code === 9 || code === 10 || code === 13)) continue;
        if (code < 32 || code === 127) return true;
    }
    return false;
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `value` at `segments` below `root[key]`, creating mappings and lists on the way. */
function setAt(root: Record<string, unknown>, key: string, segments: Segment[], value: unknown): string | undefined {
    if (segments.length === 0) {
        root[key] = value;
        return undefined;
    }
    let parent: Record<string, unknown> | unknown[] = root;
    let at: Segment = key;
    for (const next of segments) {
        const current: unknown = Array.isArray(parent) ? parent[at as number] : parent[at as string];
        let child: unknown = current;
        if (current === undefined) {
            child = typeof next === "number" ? [] : {};
            if (Array.isArray(parent)) parent[at as number] = child;
            else parent[at as string] = child;
        }
        if (typeof next === "number" && !Array.isArray(child)) return `cannot index [${next}] into a ${describe(child)}`;
        if (typeof next === "string" && !isMapping(child)) return `cannot set "${next}" inside a ${describe(child)}`;
        if (Array.isArray(child) && (next as number) > child.length) return `index [${next}] is past the end of a list of ${child.length}`;
        parent = child as Record<string, unknown> | unknown[];
        at = next;
    }
    if (Array.isArray(parent)) parent[at as number] = value;
    else parent[at as string] = value;
    return undefined;
}

function describe(value: unknown): string {
    return Array.isArray(value) ? "list" : value === null ? "null" : typeof value === "object" ? "mapping" : typeof value;
}

/** What {@link buildEnvironmentConfig} produces. */
export interface EnvironmentConfig {
    /** The stack file's `config:` mapping, ready to write. */
    document: Record<string, unknown>;
    /** What `parseConfig` makes of it. */
    config: PlatformConfig;
}

/**
 * The stack config of a new ephemeral environment: `base` (a tracked stack
 * file's config, or `{}`) with `overrides` applied, pinned to the ephemeral
 * environment and with every default provider disabled, then validated by
 * `parseConfig`. Throws {@link ValidationError} listing every problem by key path.
 */
export function buildEnvironmentConfig(
    name: string,
    base: Record<string, unknown>,
    overrides: Readonly<Record<string, unknown>> = {},
): EnvironmentConfig {
    const issues: ConfigIssue[] = [];
    const entries = Object.entries(overrides);
    if (entries.length > MAX_OVERRIDES) issues.push({ path: "overrides", message: `expected at most ${MAX_OVERRIDES}` });
    const document: Record<string, unknown> = structuredClone(base);
    delete document[`${NAMESPACE}:environment`];
    for (const [path, value] of entries.slice(0, MAX_OVERRIDES)) {
        const parsed = parseKeyPath(path);
        if ("error" in parsed) {
            issues.push({ path, message: parsed.error });
            continue;
        }
        const shownPath = path.startsWith(`${NAMESPACE}:`) ? path : `${NAMESPACE}:${path}`;
        if (parsed.key === `${NAMESPACE}:environment` && value !== "ephemeral") {
            issues.push({ path: shownPath, message: "an environment created here is always ephemeral" });
            continue;
        }
        const problem =
            valueIssues(value) ??
            (JSON.stringify(value ?? null).length > MAX_OVERRIDE_BYTES ? `expected at most ${MAX_OVERRIDE_BYTES} bytes` : undefined);
        const conflict = problem ?? setAt(document, parsed.key, parsed.segments, structuredClone(value));
        if (conflict) issues.push({ path: shownPath, message: conflict });
    }
    if (issues.length > 0)
        throw new ValidationError(
            (w) =>
                `invalid ${w.overrides} for "${name}":\n${issues.map((i) => `  ${i.path === "overrides" ? w.overrides : i.path}: ${i.message}`).join("\n")}`,
            issues,
            name,
        );

    document[`${NAMESPACE}:environment`] = "ephemeral";
    // Platform creates every provider explicitly; the engine enforces this only when the stack says so.
    document["pulumi:disable-default-providers"] = ["*"];
    const parsed = parseConfig(document, name);
    if (!parsed.ok) {
        throw new ValidationError(`environment "${name}": ${formatIssues(parsed.errors)}`, parsed.errors, name);
    }
    return { document, config: parsed.config };
}

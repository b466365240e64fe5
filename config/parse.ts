/**
 * `parseConfig`: a pure function from a stack file's `config:` mapping to a typed
 * PlatformConfig or every problem at once, each named by its key path
 * (`hangar:app.services[1].port: expected an integer 1–65535`) and, given the
 * file's source, its line; with either, the warnings and notices that do not
 * make the config invalid (keys with no effect, the environment from the name).
 */
import { stackNameIssues } from "./stack-name";
import { z } from "zod";
import { ENVIRONMENTS, environmentFromStackName, type Environment } from "./environments";
import { environmentNotice } from "./environment-notice";
import { ignoredKeyWarnings } from "./ignored";
import { unusedBucketWarnings } from "./app-buckets";
import { type ConfigIssue, type ConfigWarning, NAMESPACE, type StackFileSource } from "./issue";
import { get, list } from "./document";
import { deepMerge, isPlainObject } from "./merge";
import { profileDefaults } from "./profiles";
import { crossFieldIssues } from "./rules";
import { nearestKey } from "./suggest";
import { PlatformConfig, platformSchema, SECTIONS } from "./schema";

export { type ConfigIssue, type ConfigWarning, NAMESPACE, type StackFileSource } from "./issue";
export { environmentFromStackName } from "./environments";
export { formatIssues, formatWarning, formatWarnings } from "./format";

/** Warnings and notices come with both outcomes: they never decide validity. */
export type ParseResult =
    | { ok: true; config: PlatformConfig; warnings: ConfigWarning[] }
    | { ok: false; errors: ConfigIssue[]; warnings: ConfigWarning[] };

export interface ParseOptions {
    /** The stack file the config was read from: problems and warnings then carry its line (config/load/stack-file.ts). */
    source?: StackFileSource;
}

/** Key paths as users write them: `hangar:app.services[1].port`. */
export function formatPath(path: readonly PropertyKey[]): string {
    const [section, ...rest] = path;
    let text = `${NAMESPACE}:${String(section ?? "")}`;
    for (const key of rest) text += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
    return text;
}

/**
 * Parses the `config:` mapping of a stack file (keys such as `hangar:app`; other
 * namespaces such as `aws:` or `pulumi:` are ignored) for the named stack.
 */
export function parseConfig(raw: unknown, stackName: string, options: ParseOptions = {}): ParseResult {
    if (!isPlainObject(raw)) {
        return {
            ok: false,
            errors: [{ path: `${NAMESPACE}`, message: "expected the stack file's config to be a mapping of keys to values" }],
            warnings: [],
        };
    }
    // A stack made with the CLI never passed the Automation module's check: the names it maps to must stay unique.
    const nameIssues = stackNameIssues(stackName).map((i) => ({ path: "stack", message: `stack name ${i.message}` }));
    if (nameIssues.length > 0) return { ok: false, errors: nameIssues, warnings: [] };
    const { document, merged, environment, errors } = mergedDocument(raw, stackName);

    const result = platformSchema.safeParse(merged, { reportInput: true });
    if (!result.success) errors.push(...result.error.issues.flatMap(fromZodIssue));
    errors.push(...crossFieldIssues(merged, environment));

    const notice = environmentNotice(document, merged, stackName, environment);
    const warnings = located(
        [...(notice ? [notice] : []), ...ignoredKeyWarnings(merged, document, environment), ...unusedBucketWarnings(merged)],
        options.source,
    );
    if (errors.length > 0 || !result.success) {
        return { ok: false, errors: located(dedupe(mergeInherited(errors, document)), options.source), warnings };
    }
    return { ok: true, config: result.data, warnings };
}

/** Each issue with the stack file's line of its key path, where the source knows it. */
function located<T extends ConfigIssue>(issues: T[], source: StackFileSource | undefined): T[] {
    if (source === undefined) return issues;
    return issues.map((issue) => {
        const line = source.lineOf(issue.path);
        return line === undefined ? issue : { ...issue, file: source.file, line };
    });
}

/**
 * The document the schema and the rules check: the stack file's `hangar:` keys
 * over the environment's profile, each service over `app.serviceDefaults`;
 * with the stack file's own `hangar:` sections (`document`), the environment it
 * was merged for and the unknown top-level keys.
 */
export function mergedDocument(
    raw: Record<string, unknown>,
    stackName: string,
): { document: Record<string, unknown>; merged: Record<string, unknown>; environment: Environment; errors: ConfigIssue[] } {
    const errors: ConfigIssue[] = [];
    const document: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const section = key.slice(NAMESPACE.length + 1);
        if (!(SECTIONS as string[]).includes(section)) {
            errors.push({ path: key, message: unknownKey(section, SECTIONS, `${NAMESPACE}:`) });
            continue;
        }
        document[section] = value;
    }

    const declared = document.environment;
    const environment: Environment = (ENVIRONMENTS as readonly unknown[]).includes(declared)
        ? (declared as Environment)
        : environmentFromStackName(stackName);
    const merged = deepMerge({ ...profileDefaults(environment), environment }, document) as Record<string, unknown>;
    applyServiceDefaults(merged);
    return { document, merged, environment, errors };
}

/** Each service is `app.serviceDefaults` overlaid with what the service sets. */
function applyServiceDefaults(document: Record<string, unknown>): void {
    const app = document.app;
    if (!isPlainObject(app) || !Array.isArray(app.services)) return;
    const defaults = isPlainObject(app.serviceDefaults) ? app.serviceDefaults : {};
    app.services = app.services.map((service) => (isPlainObject(service) ? deepMerge(defaults, service) : service));
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeys(issue.path);
        return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: unknownKey(key, allowed) }));
    }
    let message = issue.message;
    if (issue.code === "invalid_type" && issue.input === undefined) {
        message = message.startsWith("expected") ? `required: ${message}` : "required";
    } else if (message.startsWith("Invalid input")) {
        message = message.replace(/^Invalid input: /, "");
    }
    return [{ path: formatPath(issue.path), message }];
}

/**
 * `unknown key; did you mean `backupRetentionDays`? (expected one of …)`: the
 * nearest valid key first, then every key the mapping accepts, so a typo's fix
 * is on the same line.
 */
function unknownKey(key: string, allowed: readonly string[] | undefined, prefix = ""): string {
    if (allowed === undefined) return "unknown key";
    const nearest = nearestKey(key, allowed);
    const guess = nearest === undefined ? "" : `; did you mean \`${prefix}${nearest}\`?`;
    return `unknown key${guess} (expected one of ${allowed.join(", ")})`;
}

/** The keys the mapping at `path` accepts, or undefined where the schema there is not a mapping. */
function allowedKeys(path: readonly PropertyKey[]): string[] | undefined {
    let schema: z.core.$ZodType | undefined = platformSchema;
    for (const key of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.core.$ZodType>)[String(key)];
        else if (schema instanceof z.ZodArray) schema = schema.element as z.core.$ZodType;
        else return undefined;
    }
    schema = unwrap(schema);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) schema = schema.unwrap() as z.core.$ZodType;
    return schema;
}

const DEFAULTS_PREFIX = `${NAMESPACE}:app.serviceDefaults.`;
const SERVICE_PATH = /^hangar:app\.services\[(\d+)\]\.(.+)$/;
/** Unknown-key messages differ by the keys the mapping accepts; they are one mistake all the same. */
const kindOf = (message: string) => (message.startsWith("unknown key") ? "unknown key" : message);

/**
 * One mistake in `app.serviceDefaults` is reported once: every service that
 * inherits the value (does not set the key itself) would repeat the error at
 * `app.services[i]`; those copies are folded into the serviceDefaults error,
 * which names the services that inherit it.
 */
function mergeInherited(errors: ConfigIssue[], document: Record<string, unknown>): ConfigIssue[] {
    const services = list(get(document, "app.services"));
    const sources = new Map<string, ConfigIssue>();
    for (const e of errors)
        if (e.path.startsWith(DEFAULTS_PREFIX)) sources.set(`${e.path.slice(DEFAULTS_PREFIX.length)}\u0000${kindOf(e.message)}`, e);
    const inheritedBy = new Map<ConfigIssue, string[]>();
    const kept = errors.filter((e) => {
        const [, i, rest] = SERVICE_PATH.exec(e.path) ?? [];
        const source = rest === undefined ? undefined : sources.get(`${rest}\u0000${kindOf(e.message)}`);
        if (source === undefined || setsItself(services[Number(i)], rest)) return true;
        inheritedBy.set(source, [...(inheritedBy.get(source) ?? []), `app.services[${i}]`]);
        return false;
    });
    return kept.map((e) => (inheritedBy.has(e) ? { ...e, message: `${e.message} (inherited by ${inheritedBy.get(e)!.join(", ")})` } : e));
}

/** True when the stack file's service sets the value at `rest` (or a list or scalar on the way) itself. */
function setsItself(service: unknown, rest: string): boolean {
    let node = service;
    for (const key of rest.match(/[^.[\]]+/g) ?? []) {
        if (!isPlainObject(node)) return true;
        node = node[key];
        if (node === undefined) return false;
    }
    return true;
}

function dedupe(errors: ConfigIssue[]): ConfigIssue[] {
    const seen = new Set<string>();
    return errors.filter((e) => {
        const key = `${e.path}\u0000${e.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/**
 * The part of JSON Schema that policy config schemas use, checked the way the
 * Pulumi CLI checks pack config (gojsonschema over `{ type: object,
 * properties, required }`). A schema keyword outside this part is reported as
 * a problem rather than silently ignored.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema, PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";

const SUPPORTED = new Set([
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "description",
    "default",
]);

function typeOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
}

function hasType(value: unknown, type: string): boolean {
    const actual = typeOf(value);
    return actual === type || (type === "number" && actual === "integer");
}

const at = (path: string) => path || "(root)";

/** Keywords of `schema` (and the schemas inside it) this validator does not implement. */
export function unsupportedKeywords(schema: PolicyConfigJSONSchemaDefinition, path: string): string[] {
    if (typeof schema === "boolean") return [];
    const problems = Object.keys(schema)
        .filter((k) => !SUPPORTED.has(k))
        .map((k) => `${at(path)}: unsupported schema keyword "${k}"`);
    if (Array.isArray(schema.items)) problems.push(`${at(path)}: tuple "items" is not supported`);
    else if (schema.items !== undefined) problems.push(...unsupportedKeywords(schema.items, `${path}[]`));
    for (const [k, s] of Object.entries(schema.properties ?? {})) problems.push(...unsupportedKeywords(s, path ? `${path}.${k}` : k));
    if (typeof schema.additionalProperties === "object") problems.push(...unsupportedKeywords(schema.additionalProperties, `${path}.*`));
    return problems;
}

function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Every way `value` fails `schema`, each as `<path>: <problem>`. */
export function validateValue(schema: PolicyConfigJSONSchemaDefinition, value: unknown, path: string): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${at(path)}: no value is allowed here`];
    const s: PolicyConfigJSONSchema = schema;
    const where = at(path);
    if (s.type !== undefined) {
        const types = Array.isArray(s.type) ? s.type : [s.type];
        if (!types.some((t) => hasType(value, t))) return [`${where}: expected ${types.join(" or ")}, got ${typeOf(value)}`];
    }
    const problems: string[] = [];
    if (s.enum && !s.enum.some((e) => deepEqual(e, value)))
        problems.push(`${where}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    if (s.const !== undefined && !deepEqual(s.const, value)) problems.push(`${where}: must be ${JSON.stringify(s.const)}`);
    if (typeof value === "number") {
        if (s.minimum !== undefined && value < s.minimum) problems.push(`${where}: must be at least ${s.minimum}`);
        if (s.maximum !== undefined && value > s.maximum) problems.push(`${where}: must be at most ${s.maximum}`);
        if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum)
            problems.push(`${where}: must be greater than ${s.exclusiveMinimum}`);
        if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum)
            problems.push(`${where}: must be less than ${s.exclusiveMaximum}`);
        if (s.multipleOf !== undefined && value % s.multipleOf !== 0) problems.push(`${where}: must be a multiple of ${s.multipleOf}`);
    }
    if (typeof value === "string") {
        if (s.minLength !== undefined && value.length < s.minLength)
            problems.push(`${where}: must be at least ${s.minLength} characters long`);
        if (s.maxLength !== undefined && value.length > s.maxLength)
            problems.push(`${where}: must be at most ${s.maxLength} characters long`);
        if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value)) problems.push(`${where}: must match ${s.pattern}`);
    }
    if (Array.isArray(value)) {
        if (s.minItems !== undefined && value.length < s.minItems) problems.push(`${where}: must have at least ${s.minItems} items`);
        if (s.maxItems !== undefined && value.length > s.maxItems) problems.push(`${where}: must have at most ${s.maxItems} items`);
        if (s.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
            problems.push(`${where}: items must be unique`);
        const items = s.items;
        if (items !== undefined && !Array.isArray(items))
            value.forEach((v, i) => problems.push(...validateValue(items, v, `${path}[${i}]`)));
    }
    if (typeOf(value) === "object") {
        const record = value as Record<string, unknown>;
        for (const key of s.required ?? []) if (!(key in record)) problems.push(`${where}: ${key} is required`);
        for (const [key, v] of Object.entries(record)) {
            const child = path ? `${path}.${key}` : key;
            const property = s.properties?.[key];
            if (property !== undefined) problems.push(...validateValue(property, v, child));
            else if (s.additionalProperties === false) problems.push(`${child}: unknown property`);
            else if (s.additionalProperties !== undefined) problems.push(...validateValue(s.additionalProperties, v, child));
        }
    }
    return problems;
}

/** A policy's configSchema as the CLI validates it: an object with these properties and required keys. */
export function asObjectSchema(schema: PolicyConfigSchema): PolicyConfigJSONSchema {
    return { type: "object", properties: schema.properties, ...(schema.required?.length ? { required: schema.required } : {}) };
}

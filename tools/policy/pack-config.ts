/**
 * The CLI's half of the offline runner: pack config handling as in
 * pkg/resource/analyzer/config.go. Defaults from each configSchema, then `all`,
 * then per-policy entries (string or object form), validated against the
 * schemas before anything runs.
 */
import { EnforcementLevel, Policy } from "@pulumi/policy";
import { policies as packPolicies } from "../../policies/rules";
import { asObjectSchema, unsupportedKeywords, validateValue } from "./config-schema";
import { ENFORCEMENT_LEVELS, isRecord, isResourcePolicy, isStackPolicy } from "./pack";

export interface PolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** One config entry in either form, or the reason it is malformed (as the CLI's parsePolicyPackConfig words it). */
function parseEntry(key: string, value: unknown): { config: PolicyConfig } | { problem: string } {
    if (typeof value === "string") {
        if (!ENFORCEMENT_LEVELS.includes(value))
            return { problem: `${key}: "${value}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})` };
        return { config: { enforcementLevel: value as EnforcementLevel, properties: {} } };
    }
    if (!isRecord(value)) return { problem: `${key}: ${JSON.stringify(value)} is not a valid value; must be a string or object` };
    const { enforcementLevel, ...properties } = value;
    if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !ENFORCEMENT_LEVELS.includes(enforcementLevel))) {
        return {
            problem: `${key}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`,
        };
    }
    return { config: { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties } };
}

/** Schema defaults, then `all`, then each policy's entry: the CLI's ReconcilePolicyPackConfig. */
export function reconcile(policies: Policy[], packConfig: Record<string, unknown>): Map<string, PolicyConfig> {
    const result = new Map<string, PolicyConfig>();
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[key] = structuredClone(schema.default);
        }
        result.set(p.name, { enforcementLevel: p.enforcementLevel, properties });
    }
    const parsed = Object.entries(packConfig).flatMap(([key, value]) => {
        const entry = parseEntry(key, value);
        return "config" in entry ? [[key, entry.config] as const] : [];
    });
    const all = parsed.find(([key]) => key === "all")?.[1];
    if (all?.enforcementLevel) for (const c of result.values()) c.enforcementLevel = all.enforcementLevel;
    for (const [key, given] of parsed) {
        const current = result.get(key) ?? { properties: {} };
        result.set(key, {
            enforcementLevel: given.enforcementLevel ?? current.enforcementLevel,
            properties: { ...current.properties, ...structuredClone(given.properties) },
        });
    }
    return result;
}

/**
 * The enforcement level and config properties each policy runs with under `packConfig`
 * (defaults, then `all`, then per-policy entries): what `getConfig()` returns and which
 * level violations get. Malformed entries are skipped; validatePackConfig reports them.
 */
export function resolvePackConfig(
    packConfig: Record<string, unknown>,
    policies: Policy[] = packPolicies,
): Map<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> {
    const config = reconcile(policies, packConfig);
    return new Map(
        policies.map((p) => [
            p.name,
            { enforcementLevel: config.get(p.name)?.enforcementLevel || "advisory", properties: config.get(p.name)?.properties ?? {} },
        ]),
    );
}

function policyDefinitionProblems(policies: Policy[]): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const p of policies) {
        if (p.name === "all") problems.push(`policy name "all" is reserved`);
        if (seen.has(p.name)) problems.push(`${p.name}: policy name is used twice`);
        seen.add(p.name);
        if (p.enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(p.enforcementLevel))
            problems.push(`${p.name}: default enforcementLevel "${p.enforcementLevel}" is not valid`);
        if (!isResourcePolicy(p) && !isStackPolicy(p)) problems.push(`${p.name}: neither validateResource nor validateStack is a function`);
        const schema = p.configSchema;
        if (!schema) continue;
        if (schema.properties?.enforcementLevel) problems.push(`${p.name}: enforcementLevel cannot be explicitly specified in properties`);
        if (schema.required?.includes("enforcementLevel")) problems.push(`${p.name}: "enforcementLevel" cannot be specified in required`);
        const objectSchema = asObjectSchema(schema);
        problems.push(...unsupportedKeywords(objectSchema, "").map((m) => `${p.name}: configSchema ${m}`));
        for (const [key, property] of Object.entries(schema.properties ?? {})) {
            if (property.default !== undefined)
                problems.push(...validateValue(property, property.default, key).map((m) => `${p.name}: configSchema default ${m}`));
        }
    }
    return problems;
}

/**
 * Every problem with a pack config (`{"all": level, "<policy>": level | {enforcementLevel?, ...properties}}`)
 * for these policies: malformed entries, unknown policy names and properties, and properties that fail
 * a policy's configSchema once its defaults are applied. Also reports policy definitions the server
 * would refuse, and schema keywords the validator does not implement.
 * Empty when valid.
 */
export function validatePackConfig(packConfig: Record<string, unknown>, policies: Policy[] = packPolicies): string[] {
    return configProblems(packConfig, policies, true);
}

/**
 * The CLI ignores config for policies the pack does not have, and properties a configSchema
 * does not declare; validatePackConfig reports both, as typos. runPolicies, like the CLI, does not.
 */
export function configProblems(packConfig: Record<string, unknown>, policies: Policy[], strict: boolean): string[] {
    const problems = policyDefinitionProblems(policies);
    if (!isRecord(packConfig)) return [...problems, "the pack config must be a JSON object"];
    const names = new Set(policies.map((p) => p.name));
    for (const [key, value] of Object.entries(packConfig)) {
        const entry = parseEntry(key, value);
        if ("problem" in entry) problems.push(entry.problem);
        else if (key === "all" && Object.keys(entry.config.properties).length > 0)
            problems.push(`all: only enforcementLevel applies to all policies (found ${Object.keys(entry.config.properties).join(", ")})`);
        if (strict && key !== "all" && !names.has(key)) problems.push(`${key}: no policy of that name in the pack`);
        const known = policies.find((p) => p.name === key)?.configSchema?.properties ?? {};
        if (strict && key !== "all" && names.has(key) && "config" in entry) {
            for (const property of Object.keys(entry.config.properties))
                if (!(property in known)) problems.push(`${key}: ${property} is not in the policy's configSchema`);
        }
    }
    const config = reconcile(policies, packConfig);
    for (const p of policies) {
        if (!p.configSchema) continue;
        const properties = config.get(p.name)?.properties ?? {};
        problems.push(...validateValue(asObjectSchema(p.configSchema), properties, "").map((m) => `${p.name}: ${m}`));
    }
    return problems;
}

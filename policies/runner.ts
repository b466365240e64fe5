/**
 * The offline runner: runs the pack's policies over a list of resources the way
 * `pulumi preview --policy-pack policies` would, with no engine, CLI or server.
 *
 * It mirrors the two halves of the real thing:
 *  - the CLI's config handling (pkg/resource/analyzer/config.go): defaults from
 *    each configSchema, then `all`, then per-policy entries (string or object
 *    form), validated against the schemas before anything runs;
 *  - @pulumi/policy's server.js: per-policy enforcement level (config, else the
 *    policy's, else advisory), `disabled` skipped, `remediate` reported as
 *    mandatory, the message is the description plus the reported text, props
 *    wrapped in `unknownCheckingProxy`, `notApplicable()` ending the validation
 *    function it is called from (violations already reported stay), and an
 *    `UnknownValueError` becoming an advisory "can't run policy … during
 *    preview: …" diagnostic. Any other error from a policy is an error of the run.
 *
 * Inputs use the harness's snapshot encoding: `"@unknown"` for a value unknown
 * during preview, `{ "@secret": value }` for a secret (policies see the value).
 */
import {
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { asObjectSchema, unsupportedKeywords, validateValue } from "./config-schema";
import { policies as packPolicies } from "./rules";
import { isUnknownValueError } from "./rules/unknowns";
import { policyProps } from "./wire";

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
export const PACK_VERSION: string = (require("./package.json") as { version: string }).version;

const ENFORCEMENT_LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

interface PolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** Thrown by `notApplicable()`; like server.js's, it ends the validation function without a violation. */
class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
    const { validateResource, remediateResource } = p as ResourceValidationPolicy;
    if (typeof validateResource === "function") return true;
    if (Array.isArray(validateResource)) return validateResource.every((v) => typeof v === "function");
    return typeof remediateResource === "function";
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const type = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof type === "string" && type.length > 0 ? type : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** One config entry in either form, or the reason it is malformed (as the CLI's parsePolicyPackConfig words it). */
function parseEntry(key: string, value: unknown): { config: PolicyConfig } | { problem: string } {
    if (typeof value === "string") {
        if (!ENFORCEMENT_LEVELS.includes(value)) return { problem: `${key}: "${value}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})` };
        return { config: { enforcementLevel: value as EnforcementLevel, properties: {} } };
    }
    if (!isRecord(value)) return { problem: `${key}: ${JSON.stringify(value)} is not a valid value; must be a string or object` };
    const { enforcementLevel, ...properties } = value;
    if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !ENFORCEMENT_LEVELS.includes(enforcementLevel))) {
        return { problem: `${key}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})` };
    }
    return { config: { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties } };
}

/** Schema defaults, then `all`, then each policy's entry: the CLI's ReconcilePolicyPackConfig. */
function reconcile(policies: Policy[], packConfig: Record<string, unknown>): Map<string, PolicyConfig> {
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
export function resolvePackConfig(packConfig: Record<string, unknown>, policies: Policy[] = packPolicies): Map<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> {
    const config = reconcile(policies, packConfig);
    return new Map(policies.map((p) => [p.name, { enforcementLevel: config.get(p.name)?.enforcementLevel || "advisory", properties: config.get(p.name)?.properties ?? {} }]));
}

function policyDefinitionProblems(policies: Policy[]): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const p of policies) {
        if (p.name === "all") problems.push(`policy name "all" is reserved`);
        if (seen.has(p.name)) problems.push(`${p.name}: policy name is used twice`);
        seen.add(p.name);
        if (p.enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(p.enforcementLevel)) problems.push(`${p.name}: default enforcementLevel "${p.enforcementLevel}" is not valid`);
        if (!isResourcePolicy(p) && !isStackPolicy(p)) problems.push(`${p.name}: neither validateResource nor validateStack is a function`);
        const schema = p.configSchema;
        if (!schema) continue;
        if (schema.properties?.enforcementLevel) problems.push(`${p.name}: enforcementLevel cannot be explicitly specified in properties`);
        if (schema.required?.includes("enforcementLevel")) problems.push(`${p.name}: "enforcementLevel" cannot be specified in required`);
        const objectSchema = asObjectSchema(schema);
        problems.push(...unsupportedKeywords(objectSchema, "").map((m) => `${p.name}: configSchema ${m}`));
        for (const [key, property] of Object.entries(schema.properties ?? {})) {
            if (property.default !== undefined) problems.push(...validateValue(property, property.default, key).map((m) => `${p.name}: configSchema default ${m}`));
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
function configProblems(packConfig: Record<string, unknown>, policies: Policy[], strict: boolean): string[] {
    const problems = policyDefinitionProblems(policies);
    if (!isRecord(packConfig)) return [...problems, "the pack config must be a JSON object"];
    const names = new Set(policies.map((p) => p.name));
    for (const [key, value] of Object.entries(packConfig)) {
        const entry = parseEntry(key, value);
        if ("problem" in entry) problems.push(entry.problem);
        else if (key === "all" && Object.keys(entry.config.properties).length > 0) problems.push(`all: only enforcementLevel applies to all policies (found ${Object.keys(entry.config.properties).join(", ")})`);
        if (strict && key !== "all" && !names.has(key)) problems.push(`${key}: no policy of that name in the pack`);
        const known = policies.find((p) => p.name === key)?.configSchema?.properties ?? {};
        if (strict && key !== "all" && names.has(key) && "config" in entry) {
            for (const property of Object.keys(entry.config.properties)) if (!(property in known)) problems.push(`${key}: ${property} is not in the policy's configSchema`);
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

function optionsOf(r: PolicyInputResource): PolicyResourceOptions {
    const aliases = (r.opts?.aliases ?? []).flatMap((a) => (typeof a === "string" ? [a] : isRecord(a) && typeof a.urn === "string" ? [a.urn] : []));
    return {
        protect: r.opts?.protect ?? false,
        ignoreChanges: [],
        aliases,
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** The provider of a resource: its reference is `<urn>::<id>` (or just the URN in a snapshot). */
function providerOf(r: PolicyInputResource, byUrn: Map<string, PolicyInputResource>): PolicyProviderResource | undefined {
    if (!r.provider) return undefined;
    const provider = byUrn.get(r.provider) ?? [...byUrn.values()].find((p) => r.provider?.startsWith(`${p.urn}::`));
    if (!provider) return undefined;
    return { type: provider.type, props: policyProps(provider.props), urn: provider.urn, name: provider.name };
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

/** What resource and stack policies both see of a resource. */
type ResourceView = Pick<PolicyResource, "type" | "props" | "urn" | "name" | "opts" | "provider" | "isType"> & { asType: PolicyResource["asType"] & ResourceValidationArgs["asType"] };

function resourceView(r: PolicyInputResource, byUrn: Map<string, PolicyInputResource>): ResourceView {
    const props = policyProps(r.props);
    const provider = providerOf(r, byUrn);
    return {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        ...(provider ? { provider } : {}),
        isType: (resourceClass) => isTypeOf(r.type, resourceClass),
        asType: ((resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined)) as ResourceView["asType"],
    };
}

interface RunContext {
    preview: boolean;
    records: PolicyViolationRecord[];
    levelOf(p: Policy): EnforcementLevel;
    configOf(p: Policy): Record<string, unknown>;
}

function reporter(ctx: RunContext, p: Policy, level: "advisory" | "mandatory", resourceUrn?: string): ReportViolation {
    return (message: unknown, urn?: string) => {
        if (isRecord(message)) {
            // server.js also accepts an object carrying its own name, message, urn and level.
            const info = message as { name?: string; message?: string; description?: string; urn?: string; enforcementLevel?: EnforcementLevel };
            const infoLevel = info.enforcementLevel ?? level;
            if (infoLevel === "disabled") return;
            ctx.records.push({
                policy: info.name || p.name,
                enforcementLevel: infoLevel === "advisory" ? "advisory" : "mandatory",
                urn: resourceUrn ?? info.urn,
                message: info.message || info.description || p.description,
            });
            return;
        }
        ctx.records.push({ policy: p.name, enforcementLevel: level, urn: resourceUrn ?? urn, message: message ? `${p.description}\n${message}` : p.description });
    };
}

/** What server.js does with an error thrown by a policy: not-applicable ends quietly, unknowns become a diagnostic, the rest fail the run. */
function handleError(ctx: RunContext, p: Policy, err: unknown, urn: string | undefined, what: string): void {
    const policyFrom = `policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}'`;
    if (err instanceof NotApplicableError) return;
    if (isUnknownValueError(err)) {
        if (ctx.preview) {
            ctx.records.push({ policy: p.name, enforcementLevel: "advisory", urn, message: `can't run ${policyFrom} during preview: ${err.message}` });
        } else {
            // The engine never sends unknowns outside preview: an input with one is incomplete, so the rule did not run.
            ctx.records.push({ policy: p.name, enforcementLevel: "mandatory", urn, message: `can't run ${policyFrom}: ${err.message}, and this is not a preview (preview: false), so the input is incomplete` });
        }
        return;
    }
    throw new Error(`Error validating ${what} with ${policyFrom}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

function runLevel(level: EnforcementLevel): "advisory" | "mandatory" {
    return level === "advisory" ? "advisory" : "mandatory";
}

async function analyzeResource(ctx: RunContext, policies: Policy[], r: PolicyInputResource, byUrn: Map<string, PolicyInputResource>): Promise<void> {
    for (const p of policies) {
        const level = ctx.levelOf(p);
        if (level === "disabled" || !isResourcePolicy(p) || !p.validateResource) continue;
        if (!Array.isArray(p.validateResource)) {
            const pulumiType = pulumiTypeOf(p.validateResource);
            if (pulumiType && pulumiType !== r.type) continue;
        }
        const validations: ResourceValidation[] = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
        const report = reporter(ctx, p, runLevel(level), r.urn);
        for (const validation of validations) {
            try {
                // A fresh copy per validation, as server.js deserializes the request for each.
                const args: ResourceValidationArgs = {
                    ...resourceView(r, byUrn),
                    stackTags: EMPTY_TAGS,
                    getConfig: <T extends object>() => ctx.configOf(p) as T,
                    notApplicable: throwNotApplicable,
                };
                await validation(args, report);
            } catch (err) {
                handleError(ctx, p, err, r.urn, "resource");
            }
        }
    }
}

/** The stack as server.js hands it to a stack policy: proxied props, with parent and dependencies linked. */
function stackResources(resources: PolicyInputResource[], byUrn: Map<string, PolicyInputResource>): PolicyResource[] {
    const built = new Map<string, PolicyResource>();
    for (const r of resources) built.set(r.urn, { ...resourceView(r, byUrn), dependencies: [], propertyDependencies: {} });
    const lookup = (urns: string[] | undefined) => (urns ?? []).flatMap((u) => (built.has(u) ? [built.get(u) as PolicyResource] : []));
    for (const r of resources) {
        const resource = built.get(r.urn) as PolicyResource;
        if (r.parent && built.has(r.parent)) resource.parent = built.get(r.parent);
        resource.dependencies = lookup(r.dependencies);
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) resource.propertyDependencies[key] = lookup(urns);
    }
    return [...built.values()];
}

async function analyzeStack(ctx: RunContext, policies: Policy[], resources: PolicyInputResource[], byUrn: Map<string, PolicyInputResource>): Promise<void> {
    for (const p of policies) {
        const level = ctx.levelOf(p);
        if (level === "disabled" || !isStackPolicy(p)) continue;
        const pulumiType = pulumiTypeOf(p.validateStack);
        if (pulumiType && !resources.some((r) => r.type === pulumiType)) continue;
        try {
            const args: StackValidationArgs = {
                resources: stackResources(resources, byUrn),
                stackTags: EMPTY_TAGS,
                getConfig: <T extends object>() => ctx.configOf(p) as T,
                notApplicable: throwNotApplicable,
            };
            await p.validateStack(args, reporter(ctx, p, runLevel(level)));
        } catch (err) {
            handleError(ctx, p, err, undefined, "stack");
        }
    }
}

/**
 * Runs `policies` (default: the whole pack, in its order) over `resources` with a pack config
 * (the format of policies/config/*.json) and returns every violation: resource policies
 * resource by resource, then stack policies. `preview: true` treats `"@unknown"` values as
 * the engine does during preview (an advisory "can't run … during preview"); with
 * `preview: false` (the default) an unknown value is an incomplete input and is reported as
 * mandatory. Throws when the config is invalid, as the CLI refuses to run.
 */
export async function runPolicies(
    resources: PolicyInputResource[],
    packConfig: Record<string, unknown>,
    options: { policies?: Policy[]; preview?: boolean } = {},
): Promise<PolicyViolationRecord[]> {
    const policies = options.policies ?? packPolicies;
    const problems = configProblems(packConfig, policies, false);
    if (problems.length > 0) throw new Error(`invalid policy pack config:\n  ${problems.join("\n  ")}`);
    const config = reconcile(policies, packConfig);
    const ctx: RunContext = {
        preview: options.preview ?? false,
        records: [],
        levelOf: (p) => config.get(p.name)?.enforcementLevel || p.enforcementLevel || "advisory",
        configOf: (p) => structuredClone(config.get(p.name)?.properties ?? {}),
    };
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const r of resources) await analyzeResource(ctx, policies, r, byUrn);
    await analyzeStack(ctx, policies, resources, byUrn);
    return ctx.records;
}

/**
 * The policy server's half of the offline runner: what @pulumi/policy's
 * server.js analyze and analyzeStack handlers do with each request.
 * Per-policy enforcement level (config, else the policy's, else advisory),
 * `disabled` skipped, `remediate` reported as mandatory, the message is the
 * description plus the reported text, props wrapped in `unknownCheckingProxy`,
 * `notApplicable()` ending the validation function it is called from
 * (violations already reported stay), and an `UnknownValueError` becoming an
 * advisory "can't run policy … during preview: …" diagnostic. Any other error
 * from a policy is an error of the run.
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
    StackValidationArgs,
} from "@pulumi/policy";
import { isUnknownValueError } from "../../policies/rules/unknowns";
import {
    isRecord,
    isResourcePolicy,
    isStackPolicy,
    PACK_NAME,
    PACK_VERSION,
    PolicyInputResource,
    PolicyViolationRecord,
    pulumiTypeOf,
} from "./pack";
import { policyProps } from "./wire";

/** Thrown by `notApplicable()`; like server.js's, it ends the validation function without a violation. */
class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        // Control flow, thrown by many rules for most resources: capturing a stack for it cost more than the rules.
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        super(reason ?? "Policy does not apply");
        Error.stackTraceLimit = limit;
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function optionsOf(r: PolicyInputResource): PolicyResourceOptions {
    const aliases = (r.opts?.aliases ?? []).flatMap((a) =>
        typeof a === "string" ? [a] : isRecord(a) && typeof a.urn === "string" ? [a.urn] : [],
    );
    return {
        protect: r.opts?.protect ?? false,
        ignoreChanges: [],
        aliases,
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** What a provider reference, and the start of every resource view, shows a rule: props decoded and proxied on first read. */
class ProviderView implements PolicyProviderResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly #raw: Record<string, unknown>;
    #props?: Record<string, unknown>;
    constructor(r: PolicyInputResource) {
        this.type = r.type;
        this.urn = r.urn;
        this.name = r.name;
        this.#raw = r.props;
    }
    get props(): Record<string, unknown> {
        return (this.#props ??= policyProps(this.#raw));
    }
}

/** The provider of a resource: its reference is `<urn>::<id>` (or just the URN in a snapshot). */
function providerOf(r: PolicyInputResource, byUrn: Map<string, PolicyInputResource>): PolicyProviderResource | undefined {
    if (!r.provider) return undefined;
    const provider = byUrn.get(r.provider) ?? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
    return provider && new ProviderView(provider);
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

/** What resource and stack policies both see of a resource. */
type ResourceView = Pick<PolicyResource, "type" | "props" | "urn" | "name" | "opts" | "provider" | "isType"> & {
    asType: PolicyResource["asType"] & ResourceValidationArgs["asType"];
};

/**
 * A fresh view per validation, as server.js deserializes the request for each: its props are decoded and
 * proxied on first read. Most rules look at the type first and never read them; building every view's
 * props (and a closure per method) up front was most of a pack run.
 */
class View extends ProviderView {
    readonly opts: PolicyResourceOptions;
    declare readonly provider?: PolicyProviderResource;
    constructor(r: PolicyInputResource, byUrn: Map<string, PolicyInputResource>) {
        super(r);
        this.opts = optionsOf(r);
        const provider = providerOf(r, byUrn);
        if (provider) (this as { provider?: PolicyProviderResource }).provider = provider;
    }
    isType(resourceClass: unknown): boolean {
        return isTypeOf(this.type, resourceClass);
    }
    asType(resourceClass: unknown): Record<string, unknown> | undefined {
        return isTypeOf(this.type, resourceClass) ? this.props : undefined;
    }
}

function resourceView(r: PolicyInputResource, byUrn: Map<string, PolicyInputResource>): ResourceView {
    return new View(r, byUrn) as unknown as ResourceView;
}

export interface RunContext {
    preview: boolean;
    records: PolicyViolationRecord[];
    levelOf(p: Policy): EnforcementLevel;
    configOf(p: Policy): Record<string, unknown>;
}

function reporter(ctx: RunContext, p: Policy, level: "advisory" | "mandatory", resourceUrn?: string): ReportViolation {
    return (message: unknown, urn?: string) => {
        if (isRecord(message)) {
            // server.js also accepts an object carrying its own name, message, urn and level.
            const info = message as {
                name?: string;
                message?: string;
                description?: string;
                urn?: string;
                enforcementLevel?: EnforcementLevel;
            };
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
        ctx.records.push({
            policy: p.name,
            enforcementLevel: level,
            urn: resourceUrn ?? urn,
            message: message ? `${p.description}\n${message}` : p.description,
        });
    };
}

/** What server.js does with an error thrown by a policy: not-applicable ends quietly, unknowns become a diagnostic, the rest fail the run. */
function handleError(ctx: RunContext, p: Policy, err: unknown, urn: string | undefined, what: string): void {
    const policyFrom = `policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}'`;
    if (err instanceof NotApplicableError) return;
    if (isUnknownValueError(err)) {
        if (ctx.preview) {
            ctx.records.push({
                policy: p.name,
                enforcementLevel: "advisory",
                urn,
                message: `can't run ${policyFrom} during preview: ${err.message}`,
            });
        } else {
            // The engine never sends unknowns outside preview: an input with one is incomplete, so the rule did not run.
            ctx.records.push({
                policy: p.name,
                enforcementLevel: "mandatory",
                urn,
                message: `can't run ${policyFrom}: ${err.message}, and this is not a preview (preview: false), so the input is incomplete`,
            });
        }
        return;
    }
    throw new Error(`Error validating ${what} with ${policyFrom}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

function runLevel(level: EnforcementLevel): "advisory" | "mandatory" {
    return level === "advisory" ? "advisory" : "mandatory";
}

/** server.js's analyze: every resource policy over one resource. */
export async function analyzeResource(
    ctx: RunContext,
    policies: Policy[],
    r: PolicyInputResource,
    byUrn: Map<string, PolicyInputResource>,
): Promise<void> {
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
                const args: ResourceValidationArgs = Object.assign(resourceView(r, byUrn), {
                    stackTags: EMPTY_TAGS,
                    getConfig: <T extends object>() => ctx.configOf(p) as T,
                    notApplicable: throwNotApplicable,
                });
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
    for (const r of resources) built.set(r.urn, Object.assign(resourceView(r, byUrn), { dependencies: [], propertyDependencies: {} }));
    const lookup = (urns: string[] | undefined) => (urns ?? []).flatMap((u) => (built.has(u) ? [built.get(u) as PolicyResource] : []));
    for (const r of resources) {
        const resource = built.get(r.urn) as PolicyResource;
        if (r.parent && built.has(r.parent)) resource.parent = built.get(r.parent);
        resource.dependencies = lookup(r.dependencies);
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) resource.propertyDependencies[key] = lookup(urns);
    }
    return [...built.values()];
}

/** server.js's analyzeStack: every stack policy over the whole stack. */
export async function analyzeStack(
    ctx: RunContext,
    policies: Policy[],
    resources: PolicyInputResource[],
    byUrn: Map<string, PolicyInputResource>,
): Promise<void> {
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

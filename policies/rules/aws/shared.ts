/**
 * What every AWS rule shares: exemptions by resource, config helpers, the
 * region a resource lives in, and the factories that turn a pure check into a
 * ResourceValidationPolicy (`awsRule`) or a stack rule that decides what it
 * can and then says what it cannot (`awsStackRule`).
 */
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { configOf, stringList } from "../kubernetes/shared";
import { isUnknownValueError, UnknownValueError, UnknownValueErrorInstance, UNKNOWN_STRING_SENTINEL } from "../unknowns";

export interface AwsExemptionConfig {
    /** Resources the rule does not check, by logical name or URN. */
    exemptResources: string[];
}

export const exemptResourcesSchema = stringList("Resources this rule does not check, by logical name or URN.");

/** A configSchema with `exemptResources` and the rule's own properties. */
export function awsSchema(properties: Record<string, PolicyConfigJSONSchema> = {}): PolicyConfigSchema {
    return { properties: { exemptResources: exemptResourcesSchema, ...properties } };
}

/** A whole number of days, at least 0. */
export const daysSchema = (description: string, defaultDays: number): PolicyConfigJSONSchema => ({
    type: "integer",
    minimum: 0,
    default: defaultDays,
    description,
});

/** A switch that turns a rule on (the default) or off for an environment. */
export const requiredSchema = (description: string): PolicyConfigJSONSchema => ({ type: "boolean", default: true, description });

/** The config of a rule an environment can switch off with `required: false`. */
export function requiredSwitch(requirement: string, what: string): Pick<RuleBase<RequiredConfig>, "properties" | "disabledBy"> {
    return {
        properties: { required: requiredSchema(`Require ${requirement}.`) },
        disabledBy: (config) => (config.required ? undefined : `${what} is not required (required: false)`),
    };
}

/** The message for a number below a threshold, or none. `fallback`: what AWS takes when the input is unset. */
export function atLeast(field: string, min: number, value: unknown, fallback?: number): string[] {
    const effective = value ?? fallback;
    if (typeof effective === "number" && effective >= min) return [];
    return [`set ${field}: ${min} or more (it is ${value === undefined ? "unset" : String(value)})`];
}

export interface MinRetentionConfig extends AwsExemptionConfig {
    minRetentionDays: number;
}

export interface RequiredConfig extends AwsExemptionConfig {
    required: boolean;
}

function isExempt(config: AwsExemptionConfig, resource: { name: string; urn: string }): boolean {
    return config.exemptResources.includes(resource.name) || config.exemptResources.includes(resource.urn);
}

/** Whether an input is given: an unknown value (an output of another resource during preview) is given. */
export function isSet(props: Record<string, unknown>, key: string): boolean {
    if (!(key in props)) return false;
    try {
        const value = props[key];
        return value !== undefined && value !== null && value !== "";
    } catch (err) {
        if (isUnknownValueError(err)) return true;
        throw err;
    }
}

/** Whether reading a value meets a value unknown during preview. */
export function isUnknown(read: () => unknown): boolean {
    try {
        read();
        return false;
    } catch (err) {
        if (isUnknownValueError(err)) return true;
        throw err;
    }
}

/** `Kind "physical-name" (logical-name)`, or the logical name alone when the physical one is not known. */
export function labelOf(kind: string, resource: { name: string; props: Record<string, unknown> }, nameKey?: string): string {
    try {
        const physical = nameKey === undefined ? undefined : resource.props[nameKey];
        return typeof physical === "string" && physical !== "" && physical !== resource.name
            ? `${kind} "${physical}" (${resource.name})`
            : `${kind} ${resource.name}`;
    } catch (err) {
        if (isUnknownValueError(err)) return `${kind} ${resource.name}`;
        throw err;
    }
}

/**
 * The region a resource lives in: its own `region` input (@pulumi/aws 7 lets any
 * resource override its provider's), else its AWS provider's `region`.
 * Undefined when neither says. Reading an unknown value throws UnknownValueError.
 */
export function regionOf(resource: { props: Record<string, unknown>; provider?: PolicyProviderResource }): string | undefined {
    if (isSet(resource.props, "region")) return String(resource.props.region);
    const provider = resource.provider;
    if (!provider?.type.startsWith("pulumi:providers:aws")) return undefined;
    const region = provider.props.region;
    return typeof region === "string" && region !== "" ? region : undefined;
}

/** The region of an ARN (`arn:aws:kms:eu-west-1:…`), undefined for other strings and regionless ARNs. */
export function arnRegion(value: unknown): string | undefined {
    if (typeof value !== "string" || !value.startsWith("arn:")) return undefined;
    return value.split(":")[3] || undefined;
}

export const isArn = (value: unknown): value is string => typeof value === "string" && value.startsWith("arn:");

interface RuleBase<C extends AwsExemptionConfig> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Config properties besides `exemptResources`. */
    properties?: Record<string, PolicyConfigJSONSchema>;
    /** Why the rule does not run under this config (e.g. `required: false`), or undefined. */
    disabledBy?(config: C): string | undefined;
}

export interface AwsRuleDefinition<C extends AwsExemptionConfig> extends RuleBase<C> {
    /** The resource types the rule checks. */
    types: readonly string[];
    /** What the resource is, for messages: `RDS instance`. */
    kind: string;
    /** The input that holds its physical name, for messages: `identifier` (none: the logical name only). */
    nameKey?: string;
    /** Why this resource is skipped (e.g. a read replica), or undefined. */
    skip?(props: Record<string, unknown>, config: C): string | undefined;
    /** One message per problem, each naming the field to set; empty when compliant. The resource's label is prefixed. */
    check(props: Record<string, unknown>, config: C, args: ResourceValidationArgs): string[];
}

/** What every AWS policy object has, and the function that reads its config (not applicable when the config disables the rule). */
function preamble<C extends AwsExemptionConfig>(rule: RuleBase<C>) {
    const configSchema = awsSchema(rule.properties);
    return {
        policy: { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, configSchema },
        configFor: (args: { getConfig<T extends object>(): T; notApplicable(reason?: string): never }): C => {
            const config = configOf<C>(configSchema, args);
            const disabled = rule.disabledBy?.(config);
            if (disabled) args.notApplicable(disabled);
            return config;
        },
    };
}

/** A ResourceValidationPolicy from a pure check: other types, exempt and skipped resources are not applicable. */
export function awsRule<C extends AwsExemptionConfig>(rule: AwsRuleDefinition<C>): ResourceValidationPolicy {
    const { policy, configFor } = preamble(rule);
    return {
        ...policy,
        validateResource: (args, reportViolation) => {
            if (!rule.types.includes(args.type)) args.notApplicable(`Policy only applies to ${rule.types.join(", ")} resources`);
            const config = configFor(args);
            if (isExempt(config, args)) args.notApplicable(`${args.name} is exempt (exemptResources)`);
            const skipped = rule.skip?.(args.props, config);
            if (skipped) args.notApplicable(skipped);
            const label = labelOf(rule.kind, args, rule.nameKey);
            for (const message of rule.check(args.props, config, args)) reportViolation(`${label}: ${message}`);
        },
    };
}

/** What a stack rule's check is given for each subject. */
export interface StackContext<C> {
    config: C;
    resources: PolicyResource[];
    /** A violation, on the subject's URN unless another is given. */
    report(message: string, urn?: string): void;
    /** The rule cannot decide this (reported after everything decidable, as one UnknownValueError). */
    cannotDecide(reason: string, cause?: UnknownValueErrorInstance): void;
}

export interface AwsStackRuleDefinition<C extends AwsExemptionConfig> extends RuleBase<C> {
    /** The resource types the rule is about: not applicable when the stack has none. */
    subjects: readonly string[];
    /** How to make what the rule cannot decide decidable, appended to "cannot decide: …". */
    remedy: string;
    /** Decides one subject. An UnknownValueError it throws makes that subject undecided. */
    check(subject: PolicyResource, ctx: StackContext<C>): void;
}

/**
 * A StackValidationPolicy that checks each subject resource in turn. A subject
 * whose check meets an unknown value is undecided; once every subject has been
 * checked, undecided ones are reported as one UnknownValueError ("cannot
 * decide: …"), which the engine turns into an advisory "can't run … during
 * preview" — after the violations it could decide.
 */
export function awsStackRule<C extends AwsExemptionConfig>(rule: AwsStackRuleDefinition<C>): StackValidationPolicy {
    const { policy, configFor } = preamble(rule);
    return {
        ...policy,
        validateStack: (args, reportViolation) => {
            const config = configFor(args);
            const subjects = args.resources.filter((r) => rule.subjects.includes(r.type) && !isExempt(config, r));
            if (subjects.length === 0) args.notApplicable(`the stack creates no ${rule.subjects.join(" or ")} (that is not exempt)`);
            const undecided: string[] = [];
            let firstCause: UnknownValueErrorInstance | undefined;
            for (const subject of subjects) {
                const ctx: StackContext<C> = {
                    config,
                    resources: args.resources,
                    report: (message, urn) => reportViolation(message, urn ?? subject.urn),
                    cannotDecide: (reason, cause) => {
                        undecided.push(reason);
                        firstCause ??= cause;
                    },
                };
                try {
                    rule.check(subject, ctx);
                } catch (err) {
                    if (!isUnknownValueError(err)) throw err;
                    ctx.cannotDecide(`${subject.type.split(":").pop()} ${subject.name}: ${err.message}`, err);
                }
            }
            if (undecided.length > 0) {
                const err = new UnknownValueError(firstCause?.unknownTypeSentinel ?? UNKNOWN_STRING_SENTINEL, firstCause?.props ?? []);
                err.message = `cannot decide: ${undecided.join("; ")} (${rule.remedy})`;
                throw err;
            }
        },
    };
}

/** The resources a subject's input `key` was computed from, of the given types. */
export function dependenciesOf(subject: PolicyResource, key: string, types: readonly string[]): PolicyResource[] {
    return (subject.propertyDependencies[key] ?? []).filter((d) => types.includes(d.type));
}

/**
 * Namespaces the stack creates: Pod Security admission enforces the restricted
 * profile in them, and each has a ResourceQuota and a LimitRange.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta } from "./pod-template";
import { formatVersion, OLDEST_POLICY_VERSION, parsePolicyVersion } from "./pod-security-versions";
import { configOf, ExemptionConfig, kubernetesRule, namespaceOf, oneOf, schemaWith } from "./shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
const VERSION_LABELS = ["enforce", "audit", "warn"].map((mode) => `pod-security.kubernetes.io/${mode}-version`);
const LEVELS = ["privileged", "baseline", "restricted"];

interface PodSecurityLabelConfig extends ExemptionConfig {
    minimumLevel: string;
}

export const namespacePodSecurity: ResourceValidationPolicy = kubernetesRule<PodSecurityLabelConfig>({
    name: "kubernetes-namespace-pod-security-restricted",
    description: `Namespaces the stack creates must carry the label ${ENFORCE_LABEL}: restricted, so Pod Security admission refuses non-compliant pods.`,
    enforcementLevel: "mandatory",
    properties: {
        minimumLevel: {
            type: "string",
            enum: ["baseline", "restricted"],
            default: "restricted",
            description: `The least strict ${ENFORCE_LABEL} level accepted.`,
        },
    },
    types: [NAMESPACE],
    check: (props, config, args) => {
        const metadata = (props.metadata ?? {}) as ObjectMeta;
        const level = metadata.labels?.[ENFORCE_LABEL];
        const who = `Namespace "${metadata.name ?? args.name}"`;
        const messages =
            level !== undefined && LEVELS.indexOf(level) >= LEVELS.indexOf(config.minimumLevel)
                ? []
                : [`${who}: set metadata.labels["${ENFORCE_LABEL}"]: ${config.minimumLevel} (it is ${level ?? "unset"})`];
        // The pod rules judge at these versions (kubernetes-pod-security-by-version); admission would
        // judge a malformed one as latest, and the pack knows no version before its oldest.
        for (const key of VERSION_LABELS) {
            const value = metadata.labels?.[key];
            if (value === undefined) continue;
            const version = parsePolicyVersion(value);
            if (version === undefined || version < OLDEST_POLICY_VERSION)
                messages.push(
                    `${who}: set metadata.labels["${key}"] to latest or v1.<minor> from ${formatVersion(OLDEST_POLICY_VERSION)} (it is ${value})`,
                );
        }
        return messages;
    },
});

interface QuotaConfig extends ExemptionConfig {
    requireResourceQuota: boolean;
    requireLimitRange: boolean;
}

interface Member {
    resource: PolicyResource;
    /** The namespace it is created in, when known. */
    namespace: { known: true; value: string } | { known: false };
    /** Namespaces its metadata was computed from: known during preview even when the name is not. */
    from: PolicyResource[];
}

function membersOf(resources: PolicyResource[], type: string, onUnknown: (err: UnknownValueErrorInstance) => void): Member[] {
    return resources
        .filter((r) => r.type === type)
        .map((resource) => {
            const namespace = readKnown(() => namespaceOf(resource));
            if (!namespace.known) onUnknown(namespace.error);
            return {
                resource,
                namespace: namespace.known ? { known: true, value: namespace.value } : { known: false },
                from: (resource.propertyDependencies.metadata ?? []).filter((d) => d.type === NAMESPACE),
            };
        });
}

const quotaSchema = schemaWith({
    requireResourceQuota: { type: "boolean", default: true, description: "Every Namespace needs a ResourceQuota." },
    requireLimitRange: { type: "boolean", default: true, description: "Every Namespace needs a LimitRange." },
});

/**
 * Relates objects to Namespaces by name, or, when a name is unknown during
 * preview, by the Namespace the object's metadata was computed from
 * (propertyDependencies). When neither decides, the rule says it cannot
 * decide (an UnknownValueError, which the engine reports as an advisory
 * "can't run … during preview") after checking every namespace it can.
 */
export const namespaceQuotaAndLimitRange: StackValidationPolicy = {
    name: "kubernetes-namespace-quota-and-limit-range",
    description: "Every Namespace the stack creates must contain a ResourceQuota and a LimitRange created by the stack.",
    enforcementLevel: "advisory",
    configSchema: quotaSchema,
    validateStack: (args, reportViolation) => {
        const config = configOf<QuotaConfig>(quotaSchema, args);
        const namespaces = args.resources.filter((r) => r.type === NAMESPACE);
        if (namespaces.length === 0) args.notApplicable("the stack creates no Namespace");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const kinds = [
            { kind: "ResourceQuota", required: config.requireResourceQuota },
            { kind: "LimitRange", required: config.requireLimitRange },
        ]
            .filter((k) => k.required)
            .map((k) => ({ ...k, members: membersOf(args.resources, `kubernetes:core/v1:${k.kind}`, remember) }));

        for (const ns of namespaces) {
            const name = readKnown(() => ((ns.props.metadata ?? {}) as ObjectMeta).name);
            if (!name.known) remember(name.error);
            if (name.known && name.value && config.exemptNamespaces.includes(name.value)) continue;
            const label =
                name.known && name.value ? `"${name.value}"` : `${ns.name} (${name.known ? "auto-named" : "name unknown during preview"})`;
            const missing: string[] = [];
            for (const { kind, members } of kinds) {
                const related = members.some(
                    (m) =>
                        m.from.some((d) => d.urn === ns.urn) ||
                        (name.known && name.value !== undefined && m.namespace.known && m.namespace.value === name.value),
                );
                if (related) continue;
                const ambiguous = members.filter((m) => !m.namespace.known && m.from.length === 0);
                if (!name.known) undecided.push(`Namespace ${label}: no ${kind} is related to it by name or by propertyDependencies`);
                else if (ambiguous.length > 0)
                    undecided.push(
                        `Namespace ${label}: the namespace of ${kind} ${ambiguous.map((m) => m.resource.name).join(", ")} is unknown during preview`,
                    );
                else missing.push(kind);
            }
            if (missing.length > 0) {
                const where =
                    name.known && name.value
                        ? `metadata.namespace: "${name.value}"`
                        : "metadata.namespace set from this Namespace's metadata.name";
                reportViolation(
                    `Namespace ${label} has no ${oneOf(missing)}: create ${missing.map((k) => `a kubernetes:core/v1:${k}`).join(" and ")} with ${where}`,
                    ns.urn,
                );
            }
        }
        throwIfUndecided(
            firstUnknown,
            undecided,
            " (give related resources deterministic names, or set metadata.namespace from the Namespace's output)",
        );
    },
};

export const namespacePolicies = [namespacePodSecurity, namespaceQuotaAndLimitRange];

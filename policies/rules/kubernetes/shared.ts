/**
 * What every Kubernetes rule shares: the exemption list, config defaults, the
 * namespace an object lands in, and the factories that turn a pure check
 * (object → messages) into a ResourceValidationPolicy.
 */
import { EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ObjectMeta, podTemplateOf, PodView, POD_TEMPLATE_TYPES } from "./pod-template";

export interface ExemptionConfig {
    /** Namespaces the rule does not check, e.g. a privileged node exporter's. */
    exemptNamespaces: string[];
}

export const stringList = (description: string, defaults: string[] = []): PolicyConfigJSONSchema => ({
    type: "array",
    items: { type: "string", minLength: 1 },
    uniqueItems: true,
    default: defaults,
    description,
});

export const exemptNamespacesSchema = stringList(
    "Namespaces this rule does not check (objects in them, and the Namespace objects themselves).",
);

/** A configSchema with `exemptNamespaces` and the rule's own properties. */
export function schemaWith(properties: Record<string, PolicyConfigJSONSchema> = {}): PolicyConfigSchema {
    return { properties: { exemptNamespaces: exemptNamespacesSchema, ...properties } };
}

/**
 * The policy's config with its schema defaults under whatever the engine passed.
 * The engine applies the defaults itself; applying them again keeps a rule
 * correct when it is called with a partial config (tests, older CLIs).
 */
export function configOf<C extends object>(schema: PolicyConfigSchema | undefined, args: { getConfig<T extends object>(): T }): C {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema?.properties ?? {})) {
        if (property.default !== undefined) defaults[key] = structuredClone(property.default);
    }
    return { ...defaults, ...args.getConfig<Record<string, unknown>>() } as C;
}

/** `kubernetes:networking.k8s.io/v1:Ingress` → `networking.k8s.io/v1 Ingress`, for messages. */
export function typeLabel(type: string): string {
    return type.replace(/^kubernetes:/, "").replace(":", " ");
}

/**
 * The namespace an object is created in: metadata.namespace, else the
 * Kubernetes provider's `namespace`, else `default`. A Namespace object
 * "is in" the namespace it creates.
 */
export function namespaceOf(args: Pick<ResourceValidationArgs, "type" | "props" | "provider">): string {
    const metadata = (args.props.metadata ?? {}) as ObjectMeta;
    if (args.type === "kubernetes:core/v1:Namespace") return metadata.name ?? "";
    if (metadata.namespace) return metadata.namespace;
    const fromProvider = args.provider?.type === "pulumi:providers:kubernetes" ? args.provider.props.namespace : undefined;
    return typeof fromProvider === "string" && fromProvider !== "" ? fromProvider : "default";
}

export interface RuleDefinition<C extends ExemptionConfig> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Config properties besides `exemptNamespaces`. */
    properties?: Record<string, PolicyConfigJSONSchema>;
    /** The resource types the rule checks. */
    types: readonly string[] | ((type: string) => boolean);
    /** One message per problem, each naming the field to set; empty when compliant. */
    check(props: Record<string, unknown>, config: C, args: ResourceValidationArgs): string[];
}

/** A ResourceValidationPolicy from a pure check: other types are not applicable, exempt namespaces are skipped. */
export function kubernetesRule<C extends ExemptionConfig>(rule: RuleDefinition<C>): ResourceValidationPolicy {
    const configSchema = schemaWith(rule.properties);
    const applies = typeof rule.types === "function" ? rule.types : (type: string) => (rule.types as readonly string[]).includes(type);
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema,
        validateResource: (args, reportViolation) => {
            if (!applies(args.type))
                args.notApplicable(`Policy only applies to ${typeof rule.types === "function" ? "some" : rule.types.join(", ")} resources`);
            const config = configOf<C>(configSchema, args);
            const namespace = namespaceOf(args);
            if (config.exemptNamespaces.includes(namespace)) args.notApplicable(`namespace "${namespace}" is exempt (exemptNamespaces)`);
            for (const message of rule.check(args.props, config, args)) reportViolation(message);
        },
    };
}

export interface PodRuleDefinition<C extends ExemptionConfig> extends Omit<RuleDefinition<C>, "types" | "check"> {
    check(pod: PodView, config: C): string[];
}

/** A rule over every pod-template kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob…). */
export function podRule<C extends ExemptionConfig>(rule: PodRuleDefinition<C>): ResourceValidationPolicy {
    return kubernetesRule<C>({
        ...rule,
        types: POD_TEMPLATE_TYPES,
        check: (props, config, args) => rule.check(podTemplateOf(args.type, props) as PodView, config),
    });
}

/** `a, b or c` for messages. */
export function oneOf(values: readonly string[]): string {
    if (values.length <= 1) return values.join("");
    return `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/**
 * Scheduling priority: every pod template names a PriorityClass, one the stack
 * creates or a system one, so that under pressure the scheduler preempts batch
 * work before the API and not the other way round. A pod without one runs at the
 * cluster's default (0, or whatever `globalDefault` class someone else created), and
 * a name no PriorityClass carries makes admission refuse the pods.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf, POD_TEMPLATE_TYPES } from "./pod-template";
import { configOf, namespaceOf, oneOf, schemaWith, stringList, ExemptionConfig } from "./shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";

const PRIORITY_CLASS = "kubernetes:scheduling.k8s.io/v1:PriorityClass";

interface PriorityConfig extends ExemptionConfig {
    allowedClasses: string[];
}

const schema = schemaWith({
    allowedClasses: stringList("PriorityClasses pods may name besides those the stack creates (the cluster's built-in ones).", [
        "system-cluster-critical",
        "system-node-critical",
    ]),
});

/** The PriorityClass a pod template's spec was computed from (known during preview even when its name is not). */
const classDependency = (r: PolicyResource) => (r.propertyDependencies.spec ?? []).find((d) => d.type === PRIORITY_CLASS);

export const podPriorityClass: StackValidationPolicy = {
    name: "kubernetes-pod-priority-class",
    description:
        "Every pod template must set priorityClassName to a PriorityClass the stack creates or a system one, so batch work cannot displace the API.",
    enforcementLevel: "advisory",
    configSchema: schema,
    validateStack: (args, reportViolation) => {
        const config = configOf<PriorityConfig>(schema, args);
        const pods = args.resources.filter((r) => POD_TEMPLATE_TYPES.includes(r.type));
        if (pods.length === 0) args.notApplicable("Policy only applies to stacks with pod-template resources");
        const classNames = args.resources
            .filter((r) => r.type === PRIORITY_CLASS)
            .map((r) => readKnown(() => ((r.props.metadata ?? {}) as ObjectMeta).name));
        const known = classNames.flatMap((n) => (n.known && n.value ? [n.value] : []));
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const undecided: string[] = [];
        let judged = 0;
        for (const resource of pods) {
            const namespace = readKnown(() => namespaceOf(resource));
            if (namespace.known && config.exemptNamespaces.includes(namespace.value)) continue;
            judged++;
            const name = readKnown(() => {
                const pod = podTemplateOf(resource.type, resource.props)!;
                return { specPath: pod.specPath, value: pod.spec.priorityClassName as string | undefined };
            });
            if (!name.known) {
                if (classDependency(resource)) continue;
                firstUnknown ??= name.error;
                undecided.push(`${resource.name}: its priorityClassName is unknown during preview`);
                continue;
            }
            const { specPath, value } = name.value;
            const choices = oneOf([...known, ...config.allowedClasses]);
            if (!value) {
                reportViolation(`${resource.name}: set ${specPath}.priorityClassName to ${choices}`, resource.urn);
            } else if (!known.includes(value) && !config.allowedClasses.includes(value)) {
                const pending = classNames.find((n) => !n.known);
                if (pending && !pending.known) {
                    firstUnknown ??= pending.error;
                    undecided.push(`${resource.name}: the name of a PriorityClass of the stack is unknown during preview`);
                } else
                    reportViolation(
                        `${resource.name}: set ${specPath}.priorityClassName to ${choices} (no PriorityClass "${value}" is created by the stack)`,
                        resource.urn,
                    );
            }
        }
        if (judged === 0) args.notApplicable("every pod template is in an exempt namespace (exemptNamespaces)");
        throwIfUndecided(firstUnknown, undecided);
    },
};

export const priorityPolicies = [podPriorityClass];

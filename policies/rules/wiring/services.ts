/**
 * Wiring between resources (issue 18): each relation a stack policy over all
 * resources, so `pulumi preview --policy-pack policies` enforces it on the real
 * engine too, where the charts' children are real resources.
 *
 * wiring-service-selects-pods: a Service routes to the pods its selector matches
 * in its own namespace (https://kubernetes.io/docs/concepts/services-networking/service/#services-with-selectors);
 * a selector matching no pod template of the stack is a Service with no endpoints,
 * and a targetPort no selected container declares (by name, or by number) sends
 * traffic nowhere the pod said it listens.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf, POD_TEMPLATE_TYPES } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";

const SERVICE = "kubernetes:core/v1:Service";

interface ServicePort {
    name?: string;
    port?: number;
    targetPort?: number | string;
}

export interface Pods {
    workload: string;
    namespace: string | undefined;
    labels: Record<string, string>;
    /** Declared container ports: names and numbers. */
    ports: { name?: string; containerPort?: number }[];
}

/** Every pod template of the stack with its namespace, labels and declared ports. */
export function podsOf(resources: PolicyResource[], remember: (err: UnknownValueErrorInstance) => void): Pods[] {
    const pods: Pods[] = [];
    for (const r of resources.filter((x) => POD_TEMPLATE_TYPES.includes(x.type))) {
        const read = readKnown(() => {
            const pod = podTemplateOf(r.type, r.props)!;
            const namespace = ((r.props.metadata ?? {}) as ObjectMeta).namespace;
            const ports = pod.containers
                .filter((c) => c.group === "containers")
                .flatMap((c) =>
                    ((c.container as { ports?: Pods["ports"] }).ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort })),
                );
            return { workload: `${r.type.split(":").pop()} ${r.name}`, namespace, labels: { ...(pod.metadata.labels ?? {}) }, ports };
        });
        if (read.known) pods.push(read.value);
        else remember(read.error);
    }
    return pods;
}

/** Equality-based label selection (a Service's selector, a PDB's matchLabels): every pair is among the labels. */
export const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

export const serviceSelectsPods: StackValidationPolicy = {
    name: "wiring-service-selects-pods",
    description:
        "Every Service with a selector selects the pods of a workload of the stack in its namespace, and each of its targetPorts is a port those containers declare.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const services = args.resources.filter((r) => r.type === SERVICE);
        if (services.length === 0) args.notApplicable("the stack creates no Service");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const pods = podsOf(args.resources, remember);
        // A pod template read as unknown during preview may be the one a selector matches.
        const podsUnknown = firstUnknown !== undefined;
        for (const svc of services) {
            const read = readKnown(() => {
                const metadata = (svc.props.metadata ?? {}) as ObjectMeta;
                const spec = (svc.props.spec ?? {}) as { selector?: Record<string, string>; ports?: ServicePort[]; type?: string };
                return {
                    namespace: metadata.namespace,
                    name: metadata.name ?? svc.name,
                    type: spec.type,
                    selector: spec.selector ? { ...spec.selector } : undefined,
                    ports: (spec.ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
                };
            });
            if (!read.known) {
                remember(read.error);
                undecided.push(`Service ${svc.name}`);
                continue;
            }
            const s = read.value;
            // No selector (endpoints managed elsewhere) or ExternalName: nothing to select.
            if (!s.selector || Object.keys(s.selector).length === 0 || s.type === "ExternalName") continue;
            if (s.namespace && config.exemptNamespaces.includes(s.namespace)) continue;
            const who = `Service ${s.namespace ?? "(default)"}/${s.name}`;
            const selected = pods.filter((p) => p.namespace === s.namespace && selects(s.selector!, p.labels));
            if (selected.length === 0 && podsUnknown) {
                undecided.push(`${who} (a pod template is unknown during preview)`);
                continue;
            }
            if (selected.length === 0) {
                reportViolation(
                    `${who}: spec.selector ${JSON.stringify(s.selector)} selects no pod of the stack in namespace ${s.namespace}; ` +
                        `set it to the pod template labels of the workload it serves`,
                    svc.urn,
                );
                continue;
            }
            for (const [i, p] of s.ports.entries()) {
                const target = p.targetPort ?? p.port;
                const declared = selected.every((pod) =>
                    pod.ports.some((c) => (typeof target === "string" ? c.name === target : c.containerPort === target)),
                );
                if (!declared)
                    reportViolation(
                        `${who}: spec.ports[${i}].targetPort ${JSON.stringify(target)} is not a port the containers of ` +
                            `${selected.map((x) => x.workload).join(", ")} declare; name one of their ports`,
                        svc.urn,
                    );
            }
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const serviceWiringPolicies = [serviceSelectsPods];

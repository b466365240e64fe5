/**
 * wiring-networkpolicy-selects-pods: a NetworkPolicy applies to the pods its
 * `spec.podSelector` selects in its own namespace, `{}` being all of them
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource).
 * One selecting no pod of the stack (nor of a chart the stack installs) isolates
 * nothing and allows nothing: the pods it was written for run unprotected by it, or
 * cut off by the namespace's default deny.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { plain, readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { LabelSelector, selectorMatches } from "./flows/evaluate";
import { podsOf } from "./services";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

export const networkPolicySelectsPods: StackValidationPolicy = {
    name: "wiring-networkpolicy-selects-pods",
    description: "Every NetworkPolicy's podSelector selects some pod of the stack in its namespace.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const policies = args.resources.filter((r) => r.type === NETWORK_POLICY);
        if (policies.length === 0) args.notApplicable("the stack creates no NetworkPolicy");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const pods = podsOf(args.resources, remember);
        const podsUnknown = firstUnknown !== undefined;
        for (const r of policies) {
            const read = readKnown(() => {
                const metadata = (r.props.metadata ?? {}) as ObjectMeta;
                const spec = (r.props.spec ?? {}) as { podSelector?: LabelSelector };
                return {
                    namespace: metadata.namespace ?? "default",
                    name: metadata.name ?? r.name,
                    selector: plain(spec.podSelector ?? {}),
                };
            });
            if (!read.known) {
                remember(read.error);
                undecided.push(`NetworkPolicy ${r.name}`);
                continue;
            }
            const p = read.value;
            if (config.exemptNamespaces.includes(p.namespace)) continue;
            if (pods.some((pod) => (pod.namespace ?? "default") === p.namespace && selectorMatches(p.selector, pod.labels))) continue;
            if (podsUnknown) {
                undecided.push(`NetworkPolicy ${p.namespace}/${p.name} (a pod template is unknown during preview)`);
                continue;
            }
            reportViolation(
                `NetworkPolicy ${p.namespace}/${p.name}: spec.podSelector ${JSON.stringify(p.selector)} selects no pod of the stack in ` +
                    `namespace ${p.namespace}; set it to the pod template labels of the workload it protects`,
                r.urn,
            );
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const networkPolicyWiringPolicies = [networkPolicySelectsPods];

/**
 * Wiring of autoscalers and disruption budgets to the workloads they govern.
 *
 * - wiring-hpa-targets-workload: an HPA's scaleTargetRef names a workload of the stack in
 *   its namespace, and a CPU or memory Utilization target has a request for that resource on
 *   every container, since utilization is measured against requests ("if some of the Pod's
 *   containers do not have the relevant resource request set, CPU utilization for the Pod
 *   will not be defined and the autoscaler will not take any action for that metric":
 *   https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#how-does-a-horizontalpodautoscaler-work).
 * - wiring-pdb-allows-eviction: a PodDisruptionBudget selects a workload of the stack in its
 *   namespace and leaves room to evict (https://kubernetes.io/docs/tasks/run-application/configure-pdb/):
 *   an integer minAvailable below the workload's minimum replicas (the HPA's minReplicas when
 *   one targets it, else spec.replicas, default 1), and no maxUnavailable 0 or minAvailable 100%.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { selects } from "./services";

/**
 * Workload kinds an HPA can scale and a PDB can cover, by Pulumi type. A Rollout has the scale
 * subresource (argo-rollouts-2.41.0 templates/crds/rollout-crd.yaml, subresources.scale).
 */
const SCALABLE: Record<string, string> = {
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:ReplicaSet": "ReplicaSet",
    "kubernetes:argoproj.io/v1alpha1:Rollout": "Rollout",
};
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

interface Workload {
    urn: string;
    kind: string;
    name: string | undefined;
    namespace: string | undefined;
    labels: Record<string, string>;
    replicas: number | undefined;
    /** Containers without a request, per resource. */
    withoutRequest: Record<"cpu" | "memory", string[]>;
}

function workloadsOf(resources: PolicyResource[], remember: (err: UnknownValueErrorInstance) => void): Workload[] {
    const out: Workload[] = [];
    for (const r of resources.filter((x) => SCALABLE[x.type])) {
        const read = readKnown(() => {
            const pod = podTemplateOf(r.type, r.props)!;
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            const containers = pod.containers.filter((c) => c.group === "containers");
            const missing = (resource: "cpu" | "memory") =>
                containers
                    .filter(
                        (c) =>
                            (c.container as { resources?: { requests?: Record<string, unknown> } }).resources?.requests?.[resource] ===
                            undefined,
                    )
                    .map((c) => c.name);
            return {
                urn: r.urn,
                kind: SCALABLE[r.type],
                name: metadata.name,
                namespace: metadata.namespace,
                labels: { ...(pod.metadata.labels ?? {}) },
                replicas: (r.props.spec as { replicas?: number } | undefined)?.replicas,
                withoutRequest: { cpu: missing("cpu"), memory: missing("memory") },
            };
        });
        if (read.known) out.push(read.value);
        else remember(read.error);
    }
    return out;
}

/** A stack policy over the HPAs or PDBs of the stack, with the workloads read once and preview handled. */
function relation(
    name: string,
    description: string,
    type: string,
    judge: (
        object: { urn: string; name: string; namespace: string | undefined; props: Record<string, unknown> },
        workloads: Workload[],
        resources: PolicyResource[],
    ) => string[],
): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        configSchema: schemaWith(),
        validateStack: (args, reportViolation) => {
            const config = configOf<ExemptionConfig>(schemaWith(), args);
            const objects = args.resources.filter((r) => r.type === type);
            if (objects.length === 0) args.notApplicable(`the stack creates no ${type.split(":").pop()}`);
            let firstUnknown: UnknownValueErrorInstance | undefined;
            const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
            const workloads = workloadsOf(args.resources, remember);
            const workloadsUnknown = firstUnknown !== undefined;
            const undecided: string[] = [];
            for (const o of objects) {
                const read = readKnown(() => {
                    const metadata = (o.props.metadata ?? {}) as ObjectMeta;
                    if (metadata.namespace && config.exemptNamespaces.includes(metadata.namespace)) return [];
                    return judge(
                        { urn: o.urn, name: metadata.name ?? o.name, namespace: metadata.namespace, props: o.props },
                        workloads,
                        args.resources,
                    );
                });
                if (!read.known) {
                    remember(read.error);
                    undecided.push(o.name);
                } else if (read.value.length > 0 && workloadsUnknown) undecided.push(`${o.name} (a workload is unknown during preview)`);
                else for (const message of read.value) reportViolation(message, o.urn);
            }
            throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
        },
    };
}

interface HpaSpec {
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    metrics?: { type?: string; resource?: { name?: string; target?: { type?: string } } }[];
}

const targetOf = (hpa: HpaSpec, namespace: string | undefined, workloads: Workload[]) =>
    workloads.find((w) => w.namespace === namespace && w.kind === hpa.scaleTargetRef?.kind && w.name === hpa.scaleTargetRef?.name);

export const hpaTargetsWorkload = relation(
    "wiring-hpa-targets-workload",
    "Every HorizontalPodAutoscaler scales a workload of the stack in its namespace, and its CPU or memory utilization targets have requests on every container.",
    HPA,
    (hpa, workloads) => {
        const spec = (hpa.props.spec ?? {}) as HpaSpec;
        const who = `HorizontalPodAutoscaler ${hpa.namespace}/${hpa.name}`;
        const target = targetOf(spec, hpa.namespace, workloads);
        if (!target)
            return [
                `${who}: spec.scaleTargetRef ${spec.scaleTargetRef?.kind ?? "?"} ${spec.scaleTargetRef?.name ?? "?"} is no workload of the stack in namespace ${hpa.namespace}`,
            ];
        return (spec.metrics ?? []).flatMap((m, i) => {
            const resource = m.resource?.name;
            if (m.type !== "Resource" || m.resource?.target?.type !== "Utilization" || (resource !== "cpu" && resource !== "memory"))
                return [];
            const missing = target.withoutRequest[resource];
            return missing.length
                ? [
                      `${who}: spec.metrics[${i}] targets ${resource} utilization, but container ${missing.join(", ")} of ${target.kind} ${target.name} requests no ${resource}: set resources.requests.${resource}`,
                  ]
                : [];
        });
    },
);

export const pdbAllowsEviction = relation(
    "wiring-pdb-allows-eviction",
    "Every PodDisruptionBudget selects a workload of the stack in its namespace and leaves room to evict one of its pods.",
    PDB,
    (pdb, workloads, resources) => {
        const spec = (pdb.props.spec ?? {}) as {
            selector?: { matchLabels?: Record<string, string> };
            minAvailable?: number | string;
            maxUnavailable?: number | string;
        };
        const who = `PodDisruptionBudget ${pdb.namespace}/${pdb.name}`;
        const selector = spec.selector?.matchLabels ?? {};
        const covered = workloads.filter(
            (w) => w.namespace === pdb.namespace && Object.keys(selector).length > 0 && selects(selector, w.labels),
        );
        if (covered.length === 0)
            return [`${who}: spec.selector ${JSON.stringify(selector)} selects no workload of the stack in namespace ${pdb.namespace}`];
        if (spec.maxUnavailable === 0 || spec.maxUnavailable === "0%")
            return [`${who}: maxUnavailable ${spec.maxUnavailable} never allows an eviction (node drains block)`];
        if (spec.minAvailable === "100%") return [`${who}: minAvailable 100% never allows an eviction (node drains block)`];
        const minAvailable = spec.minAvailable;
        if (typeof minAvailable !== "number") return [];
        const hpas = resources
            .filter((r) => r.type === HPA)
            .map((r) => ({ namespace: ((r.props.metadata ?? {}) as ObjectMeta).namespace, spec: (r.props.spec ?? {}) as HpaSpec }));
        return covered.flatMap((w) => {
            const hpa = hpas.find((h) => targetOf(h.spec, h.namespace, [w]));
            const minimum = hpa ? (hpa.spec.minReplicas ?? 1) : (w.replicas ?? 1);
            return minAvailable >= minimum
                ? [
                      `${who}: minAvailable ${minAvailable} leaves no pod of ${w.kind} ${w.name} (minimum ${minimum} replicas) to evict: lower it below ${minimum}`,
                  ]
                : [];
        });
    },
);

export const scalingPolicies = [hpaTargetsWorkload, pdbAllowsEviction];

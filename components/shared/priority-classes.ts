/**
 * Scheduling priority of every pod Hangar makes, so that under pressure the
 * scheduler preempts (and the kubelet evicts) batch work before workers and
 * workers before the API (https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/).
 * PriorityClasses are cluster-scoped: their names carry the stack's prefix so two
 * stacks sharing a cluster never fight over one object, and none is
 * `globalDefault` (that would reprioritise every other team's pods).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** The tiers, highest first. */
export type PriorityTier = "api" | "monitoring" | "workers" | "batch";

/**
 * Values well below the system classes (system-cluster-critical is 2000000000, and user
 * classes may not exceed 1000000000). Monitoring sits above workers: the workers' HPA
 * scales out exactly when alerting matters, and must not leave Prometheus or
 * Alertmanager pending; it stays below the API, which nothing Hangar runs may displace.
 * Batch (the pg_dump CronJob) never preempts anything (`preemptionPolicy: Never`):
 * it waits for room instead.
 */
export const PRIORITY_TIERS: Record<PriorityTier, { value: number; preemptionPolicy: string; description: string }> = {
    api: {
        value: 100000,
        preemptionPolicy: "PreemptLowerPriority",
        description: "Hangar's public API pods: never displaced for other work",
    },
    monitoring: {
        value: 90000,
        preemptionPolicy: "PreemptLowerPriority",
        description: "Hangar's monitoring (Prometheus, Alertmanager, Grafana, exporters): above workers, below the API",
    },
    workers: { value: 50000, preemptionPolicy: "PreemptLowerPriority", description: "Hangar's internal services and workers" },
    batch: { value: 10000, preemptionPolicy: "Never", description: "Hangar's batch jobs (pg_dump): wait for room, never preempt" },
};

/** `<prefix>-<tier>`, e.g. `hangar-prod-api`. */
export function priorityClassName(prefix: string, tier: PriorityTier): string {
    return `${prefix}-${tier}`;
}

/** The PriorityClass objects of a stack (pure). */
export function priorityClassSpecs(prefix: string, labels: Record<string, string> = {}) {
    return (Object.keys(PRIORITY_TIERS) as PriorityTier[]).map((tier) => ({
        tier,
        metadata: { name: priorityClassName(prefix, tier), labels },
        value: PRIORITY_TIERS[tier].value,
        globalDefault: false,
        preemptionPolicy: PRIORITY_TIERS[tier].preemptionPolicy,
        description: PRIORITY_TIERS[tier].description,
    }));
}

/** Each tier's class name, as an output of its PriorityClass: pods that name it wait for it. */
export type PriorityClassNames = Record<PriorityTier, pulumi.Output<string>>;

/** The names of PriorityClasses `<prefix>-<tier>` another stack of the cluster created (nothing is created). */
export function existingPriorityClasses(prefix: string): PriorityClassNames {
    const names = {} as PriorityClassNames;
    for (const tier of Object.keys(PRIORITY_TIERS) as PriorityTier[]) names[tier] = pulumi.output(priorityClassName(prefix, tier));
    return names;
}

/** Creates the stack's PriorityClasses; returns their names. */
export function priorityClasses(
    name: string,
    prefix: string,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): PriorityClassNames {
    const names = {} as PriorityClassNames;
    for (const { tier, ...spec } of priorityClassSpecs(prefix, labels)) {
        names[tier] = new k8s.scheduling.v1.PriorityClass(`${name}-${tier}`, spec, opts).metadata.name;
    }
    return names;
}

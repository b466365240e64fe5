/**
 * The resources of a service's gated migration (./migration.ts has the pure specs and why they are shaped so):
 * the Job of the service's image and its egress policy, children of the AppService.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels } from "../shared/labels";
import type { AppServiceArgs } from "./app-service";
import {
    MIGRATION_DATABASE_PORT,
    migrationEgressPolicySpec,
    migrationJobName,
    migrationJobSpec,
    migrationLabels,
    migrationTimeouts,
} from "./migration";
import type { ResolvedService } from "./spec";

/**
 * The migration Job of the service's image and its egress policy (the namespace denies by default). The
 * Job's Pulumi name carries the image's hash too: a new image is a new resource, created (and awaited)
 * before the workload (Deployment or Rollout) changes, and the old Job is deleted at the end of the update; `ignoreChanges` on
 * the spec keeps a Job that ran from being replaced, and so re-run, for a change of anything but the
 * image (a Job's pod template is immutable).
 */
export function migrationJob(
    parent: pulumi.Resource,
    name: string,
    s: ResolvedService,
    image: pulumi.Input<string>,
    args: Pick<AppServiceArgs, "serviceAccountName" | "priorityClassName" | "caBundleConfigMap" | "prerequisites">,
    metadata: { namespace: pulumi.Input<string> },
    dataEgress: pulumi.Output<{ cidrs: string[]; port: number }[]>,
): k8s.batch.v1.Job | undefined {
    if (!s.migration) return undefined;
    const jobName = migrationJobName(s.name, s.image!);
    const policyName = `${s.name}-migrate-egress`;
    const policy = new k8s.networking.v1.NetworkPolicy(
        `${name}-migrate-egress`,
        {
            metadata: { name: policyName, namespace: metadata.namespace, labels: selectorLabels(s.name) },
            spec: dataEgress.apply((data) => migrationEgressPolicySpec(s.name, data, MIGRATION_DATABASE_PORT)),
        },
        { parent },
    );
    const spec = migrationJobSpec(
        { ...s, migration: s.migration },
        image,
        args.serviceAccountName,
        args.priorityClassName,
        args.caBundleConfigMap,
    );
    return new k8s.batch.v1.Job(
        `${name}-migrate-${jobName.slice(-10)}`,
        {
            metadata: {
                name: jobName,
                namespace: metadata.namespace,
                labels: migrationLabels(s.name),
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec,
        },
        {
            parent,
            // Not the component's dependsOn (children do not inherit it, and it holds the monitoring CRDs): what the pod reads.
            dependsOn: [policy, ...(args.prerequisites ?? [])],
            customTimeouts: migrationTimeouts(spec.activeDeadlineSeconds as number),
            ignoreChanges: ["spec"],
        },
    );
}

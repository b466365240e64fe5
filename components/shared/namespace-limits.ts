import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Namespace quota (ResourceQuota `hard`). */
export interface QuotaArgs {
    /** Total CPU requests of the namespace's pods. @default "16" */
    requestsCpu?: string;
    /** Total memory requests of the namespace's pods. @default "32Gi" */
    requestsMemory?: string;
    /** Total memory limits of the namespace's pods. @default "48Gi" */
    limitsMemory?: string;
    /** Most pods in the namespace. @default 100 */
    pods?: number;
}

export const QUOTA_DEFAULTS = { requestsCpu: "16", requestsMemory: "32Gi", limitsMemory: "48Gi", pods: 100 };

/**
 * A ResourceQuota and a LimitRange (defaults for any container that sets no
 * resources) in a namespace, named `<name>` like the namespace's owner.
 */
export function namespaceLimits(
    name: string,
    args: { namespace: pulumi.Input<string>; quota?: QuotaArgs; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): void {
    const quota = { ...QUOTA_DEFAULTS, ...args.quota };
    const metadata = { name: "namespace-limits", namespace: args.namespace, labels: args.labels };
    new k8s.core.v1.ResourceQuota(
        name,
        {
            metadata,
            spec: {
                hard: {
                    "requests.cpu": quota.requestsCpu,
                    "requests.memory": quota.requestsMemory,
                    "limits.memory": quota.limitsMemory,
                    pods: String(quota.pods),
                },
            },
        },
        opts,
    );
    new k8s.core.v1.LimitRange(
        name,
        {
            metadata,
            spec: {
                limits: [
                    {
                        type: "Container",
                        defaultRequest: { cpu: "100m", memory: "128Mi" },
                        default: { memory: "256Mi" },
                        max: { memory: "16Gi" },
                    },
                ],
            },
        },
        opts,
    );
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedNamespaceLabels } from "./security-context";

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

/**
 * A namespace of one owner under the restricted Pod Security Standard (`restrictedNamespaceLabels`), named `<name>`
 * like its owner, with its quota and default limits (`namespaceLimits`, after the namespace).
 */
export function restrictedNamespace(
    name: string,
    args: {
        namespace: string;
        quota?: QuotaArgs;
        labels: Record<string, string>;
        /** Labels besides the owner's and the Pod Security ones (a query permission, say). */
        extraLabels?: Record<string, string>;
        podSecurityVersion?: string;
    },
    opts: { parent: pulumi.Resource },
): k8s.core.v1.Namespace {
    const labels = { ...args.labels, ...restrictedNamespaceLabels(args.podSecurityVersion), ...args.extraLabels };
    const namespace = new k8s.core.v1.Namespace(name, { metadata: { name: args.namespace, labels } }, opts);
    namespaceLimits(
        name,
        { namespace: namespace.metadata.name, quota: args.quota, labels: args.labels },
        { ...opts, dependsOn: [namespace] },
    );
    return namespace;
}

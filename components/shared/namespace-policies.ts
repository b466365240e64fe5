import * as k8s from "@pulumi/kubernetes";
import type * as input from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { partOfLabels } from "./labels";

/**
 * One NetworkPolicy per entry of a namespace's policy table (default deny, DNS, one per workload), named `policy` in the
 * namespace and `<name>-netpol-<policy>` in the stack. The names are known at plan time (`names`, the keys of the table
 * built with empty CIDR lists); the specs may wait for CIDR lists that are outputs.
 */
export function namespaceNetworkPolicies(
    ctx: { name: string; namespace: string; parent: pulumi.Resource; dependsOn: pulumi.Resource[] },
    names: string[],
    specs: pulumi.Output<Record<string, input.networking.v1.NetworkPolicySpec>>,
): void {
    for (const policy of names) {
        new k8s.networking.v1.NetworkPolicy(
            `${ctx.name}-netpol-${policy}`,
            { metadata: { name: policy, namespace: ctx.namespace, labels: partOfLabels() }, spec: specs.apply((s) => s[policy]) },
            { parent: ctx.parent, dependsOn: ctx.dependsOn },
        );
    }
}

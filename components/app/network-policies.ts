/**
 * A service's NetworkPolicies and the namespace-wide default deny, as pure
 * specs. Vanilla NetworkPolicy matches CIDRs, not hostnames: the data tier is
 * reached by its subnets.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import { selectorLabels } from "../shared/labels";
import { inNamespace } from "../shared/network-policy";

export { defaultDenySpec, dnsEgressSpec } from "../shared/network-policy";
import type { ResolvedService } from "./spec";

/** Where public traffic enters from: the controller's namespace, or load-balancer ENIs in the VPC. */
export interface TrafficSource {
    namespace?: string;
    cidrs?: string[];
}

/** A data-tier destination the service may reach (vanilla NetworkPolicy matches CIDRs, not hostnames). */
export interface DataEgress {
    cidrs: string[];
    port: number;
    /** RDS Proxy in these subnets serves this port too (the app's DATABASE_URL); the subnet ipBlock covers it. */
    proxied?: boolean;
}

export function ingressPolicySpec(
    s: ResolvedService,
    traffic: TrafficSource,
    monitoringNamespace: string,
): k8s.networking.v1.NetworkPolicySpec {
    const fromNamespace = inNamespace;
    const httpFrom: k8s.networking.v1.NetworkPolicyPeer[] = [{ podSelector: {} }];
    if (s.public) {
        if (traffic.namespace) httpFrom.push(fromNamespace(traffic.namespace));
        for (const cidr of traffic.cidrs ?? []) httpFrom.push({ ipBlock: { cidr } });
    }
    const ingress: k8s.networking.v1.NetworkPolicyIngressRule[] = [{ from: httpFrom, ports: [{ protocol: "TCP", port: s.port }] }];
    if (s.metrics) ingress.push({ from: [fromNamespace(monitoringNamespace)], ports: [{ protocol: "TCP", port: s.metrics.port }] });
    return { podSelector: { matchLabels: selectorLabels(s.name) }, policyTypes: ["Ingress"], ingress };
}

export function egressPolicySpec(s: ResolvedService, data: DataEgress[]): k8s.networking.v1.NetworkPolicySpec {
    const egress: k8s.networking.v1.NetworkPolicyEgressRule[] = data.map((d) => ({
        to: d.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
        ports: [{ protocol: "TCP", port: d.port }],
    }));
    // A service with app buckets reaches S3 and STS on 443. Through a gateway endpoint S3 still answers on its public
    // addresses (the route table sends the region's S3 prefix list to the endpoint:
    // https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html), which no fixed ipBlock lists.
    if (s.allowHttpsEgress || s.buckets.length > 0)
        egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] });
    return { podSelector: { matchLabels: selectorLabels(s.name) }, policyTypes: ["Egress"], egress };
}

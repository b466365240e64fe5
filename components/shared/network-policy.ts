/**
 * NetworkPolicy building blocks several namespaces use: the namespace-wide
 * default deny, DNS to kube-dns, and peers and ports. Vanilla NetworkPolicy
 * matches CIDRs, not hostnames; with the AWS VPC CNI a subnet ipBlock admits
 * every pod in that subnet.
 */
import type * as k8s from "@pulumi/kubernetes/types/input";

type Peer = k8s.networking.v1.NetworkPolicyPeer;
type Port = k8s.networking.v1.NetworkPolicyPort;

/** Namespace-wide: deny all ingress and egress; each flow is then allowed explicitly. */
export function defaultDenySpec(): k8s.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** Every pod of the namespace may ask kube-dns (kube-system, `k8s-app: kube-dns`) on 53. */
export function dnsEgressSpec(): k8s.networking.v1.NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    };
}

/** The peer "pods of namespace `name`" (the `kubernetes.io/metadata.name` label the API server sets). */
export function inNamespace(name: string): { namespaceSelector: { matchLabels: Record<string, string> } } {
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } };
}

/** Pods of the policy's own namespace with these labels. */
export function pods(labels: Record<string, string>): Peer {
    return { podSelector: { matchLabels: labels } };
}

export function ipBlocks(cidrs: string[]): Peer[] {
    return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

export function tcp(...ports: number[]): Port[] {
    return ports.map((port) => ({ protocol: "TCP", port }));
}

export function udp(...ports: number[]): Port[] {
    return ports.map((port) => ({ protocol: "UDP", port }));
}

/**
 * The declared flows (the stack's ConfigMap `hangar-declared-flows`, written by
 * components/platform/flows.ts; its shape is repeated here because nothing under policies/
 * imports the program) against the stack's NetworkPolicies, as the AWS VPC CNI enforces them:
 * pods take IPs of the private subnets (`network.podCidrs`; https://docs.aws.amazon.com/eks/latest/userguide/pod-networking.html),
 * so an ipBlock on a subnet admits every pod and node in it
 * (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html). Each pod gets a representative IP in the
 * first pod CIDR and each address endpoint one per CIDR: every ipBlock Hangar writes is a whole subnet or wider, so
 * one address stands for all of its block.
 */
import { Cidr, cidrContains, parseCidr, parseIp } from "./cidr";
import { Labels, networkPolicyEvaluator, NetworkPolicy, PodEndpoint, Protocol, Verdict } from "./evaluate";

export interface PodRef {
    namespace: string;
    podLabels: Labels;
    name: string;
}
export interface AddressRef {
    cidrs: string[];
    except?: string[];
    name: string;
    /** The data store at these addresses (`postgres`, `postgres-proxy`, `cache`): whose security groups judge the flow. */
    store?: string;
}
export type EndpointRef = PodRef | AddressRef;

export interface Flow {
    from: EndpointRef;
    to: EndpointRef;
    port: number;
    protocol: "TCP" | "UDP";
    why: string;
    component: string;
}

export interface Declaration {
    network: { plugin: string; vpcId: string; podCidrs: string[] };
    flows: Flow[];
}

/** A pod template of the stack (or rendered by a chart it installs). */
export interface StackPod {
    workload: string;
    namespace: string;
    labels: Labels;
    ports: { name?: string; containerPort?: number }[];
}

/** One endpoint of the model: a workload's pods, or an address set (address endpoints with the same CIDRs merged). */
export interface Node {
    name: string;
    kind: "pod" | "address";
    /** Not a pod of the stack: a pod of another namespace (kube-dns, the gateway), or addresses. */
    external: boolean;
    pod?: PodEndpoint;
    /** The representative addresses: one per CIDR. */
    ips: string[];
}

export const isPodRef = (e: EndpointRef): e is PodRef => (e as PodRef).namespace !== undefined;
const subset = (want: Labels, labels: Labels) => Object.entries(want).every(([k, v]) => labels[k] === v);

function ipText(c: Cidr, bits: bigint): string {
    if (!c.v6) return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 255n)).join(".");
    return Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");
}

/** An address of `cidr` `offset` past its network address, outside every `except` block (stepping past them), or undefined. */
export function addressIn(cidr: string, offset: number, except: string[] = []): string | undefined {
    const c = parseCidr(cidr);
    if (!c) throw new Error(`declared flows: ${JSON.stringify(cidr)} is not a CIDR`);
    const excluded = except.map((e) => parseCidr(e)).filter((e): e is Cidr => e !== undefined);
    const width = c.v6 ? 128n : 32n;
    const end = c.bits + (1n << (width - BigInt(c.prefix)));
    let bits = c.bits + BigInt(offset);
    for (let guard = 0; guard <= excluded.length && bits < end; guard++) {
        const ip = { v6: c.v6, bits };
        const hit = excluded.find((x) => cidrContains(x, ip));
        if (!hit) return ipText(c, bits);
        bits = hit.bits + (1n << (width - BigInt(hit.prefix))) + 1n;
    }
    return undefined;
}

/** Whether `ip` lies in the endpoint's CIDRs and outside its excepts. */
export function addressMatches(ref: AddressRef, ip: string): boolean {
    const parsed = parseIp(ip)!;
    const inside = (list: string[]) => list.some((c) => cidrContains(parseCidr(c)!, parsed));
    return inside(ref.cidrs) && !inside(ref.except ?? []);
}

/** The stack pods' names: the declared name of the first declared endpoint selecting them, else their app label. */
function podName(p: StackPod, refs: PodRef[]): string {
    const named = refs.find((r) => Object.keys(r.podLabels).length > 0 && r.namespace === p.namespace && subset(r.podLabels, p.labels));
    return named?.name ?? `${p.namespace}/${p.labels["app.kubernetes.io/name"] ?? p.labels.app ?? p.workload}`;
}

export interface Model {
    nodes: Node[];
    /** The nodes a declared endpoint stands for; an error when it should select a pod of the stack and selects none. */
    nodesOf(ref: EndpointRef): Node[] | string;
    evaluate(from: Node, to: Node, port: number, protocol: Protocol): { verdict: Verdict; ip?: string }[];
}

/** The model of one stack: its pods with addresses, the declared external pods and address sets, and the evaluator. */
export function buildModel(d: Declaration, stackPods: StackPod[], policies: NetworkPolicy[], namespaces: Record<string, Labels>): Model {
    const evaluator = networkPolicyEvaluator(policies, namespaces);
    const refs = d.flows.flatMap((f) => [f.from, f.to]);
    const podRefs = refs.filter(isPodRef);
    const firstPodCidr = d.network.podCidrs[0];
    if (!firstPodCidr) throw new Error("declared flows: network.podCidrs is empty");
    let next = 100;
    const podIp = () => addressIn(firstPodCidr, next++) ?? "";
    const nodes: Node[] = stackPods.map((p) => {
        const ports = p.ports.filter((x) => x.containerPort !== undefined).map((x) => ({ name: x.name, containerPort: x.containerPort! }));
        const ip = podIp();
        return {
            name: podName(p, podRefs),
            kind: "pod",
            external: false,
            pod: { kind: "pod", namespace: p.namespace, labels: p.labels, ip, ports },
            ips: [ip],
        };
    });
    const stackNamespaces = new Set([...stackPods.map((p) => p.namespace), ...Object.keys(namespaces)]);
    const podNodes = (ref: PodRef) =>
        nodes.filter((n) => n.pod && n.pod.namespace === ref.namespace && subset(ref.podLabels, n.pod.labels));
    const synthesized = new Map<string, Node>();
    const addressKey = (ref: AddressRef) => JSON.stringify([[...ref.cidrs].sort(), [...(ref.except ?? [])].sort()]);
    for (const ref of refs) {
        if (isPodRef(ref)) {
            if (stackNamespaces.has(ref.namespace) || podNodes(ref).length > 0) continue;
            const key = JSON.stringify([ref.namespace, ref.podLabels]);
            if (synthesized.has(key)) continue;
            const ip = podIp();
            const node: Node = {
                name: ref.name,
                kind: "pod",
                external: true,
                pod: { kind: "pod", namespace: ref.namespace, labels: ref.podLabels, ip },
                ips: [ip],
            };
            synthesized.set(key, node);
            nodes.push(node);
        } else {
            const key = addressKey(ref);
            const seen = synthesized.get(key);
            if (seen) {
                if (!seen.name.split(" | ").includes(ref.name)) seen.name = `${seen.name} | ${ref.name}`;
                continue;
            }
            const ips = ref.cidrs.map((c) => addressIn(c, 1, ref.except)).filter((ip): ip is string => ip !== undefined);
            const node: Node = { name: ref.name, kind: "address", external: true, ips };
            synthesized.set(key, node);
            nodes.push(node);
        }
    }
    return {
        nodes,
        nodesOf(ref) {
            if (!isPodRef(ref)) return [synthesized.get(addressKey(ref))!];
            const own = podNodes(ref);
            if (own.length > 0) return own;
            const external = synthesized.get(JSON.stringify([ref.namespace, ref.podLabels]));
            if (external) return [external];
            return `${ref.name} (namespace ${ref.namespace}, labels ${JSON.stringify(ref.podLabels)}) selects no pod of the stack`;
        },
        evaluate(from, to, port, protocol) {
            const ends = (n: Node) =>
                n.pod ? [{ e: n.pod, ip: undefined }] : n.ips.map((ip) => ({ e: { kind: "address" as const, ip }, ip }));
            return ends(from).flatMap((a) =>
                ends(to).map((b) => ({ verdict: evaluator({ from: a.e, to: b.e, port, protocol }), ip: a.ip ?? b.ip })),
            );
        },
    };
}

/** Whether a node is (or lies in) a declared endpoint. */
export function nodeMatches(node: Node, ref: EndpointRef): boolean {
    if (isPodRef(ref)) return node.pod !== undefined && node.pod.namespace === ref.namespace && subset(ref.podLabels, node.pod.labels);
    return node.kind === "address" && node.ips.length > 0 && node.ips.every((ip) => addressMatches(ref, ip));
}

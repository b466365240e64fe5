/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) evaluation: does a set of NetworkPolicies allow a
 * connection between two endpoints? Pure: no cluster, no network plugin, no dependency.
 *
 * The semantics are Kubernetes' own, from https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * ("concepts" below) and the API reference https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 * ("API"):
 * - Isolation (concepts, "The two sorts of pod isolation"): a pod is isolated for ingress iff a policy of its
 *   namespace selects it (spec.podSelector; {} or absent selects every pod) and has "Ingress" in its policyTypes,
 *   and likewise for egress. A direction that is not isolated allows everything. An isolated one allows what at
 *   least one rule of at least one policy applying to it in that direction allows: policies are additive, with no
 *   order and no deny rules. A connection between two pods needs both the source's egress and the destination's
 *   ingress; an address endpoint (outside the pod network, or a node) has no side of its own.
 * - policyTypes (API, NetworkPolicySpec.policyTypes; the defaulting is SetDefaults_NetworkPolicySpec in
 *   pkg/apis/networking/v1/defaults.go, which tests len(policyTypes) == 0 and len(egress) != 0): unspecified or
 *   empty means ["Ingress"], plus "Egress" iff spec.egress has at least one rule. So `egress: []` does not make an
 *   egress policy, and adding the first egress rule to a policy without policyTypes isolates its pods for egress.
 * - The pod's node (concepts: "the only allowed connections into the pod are those from the pod's node and those
 *   allowed by the ingress list"): an address endpoint naming the destination pod's node is always let in.
 * - Rules (API, NetworkPolicyIngressRule/EgressRule): `from`/`to` omitted or empty matches every peer, `ports`
 *   omitted or empty every port; otherwise a rule allows when some peer AND some port match.
 * - Peers (API, NetworkPolicyPeer): podSelector alone selects pods of the policy's namespace, namespaceSelector
 *   alone every pod of the namespaces it selects, both the pods podSelector selects in those namespaces. Namespaces
 *   always carry kubernetes.io/metadata.name = their name (concepts, "Targeting a Namespace by its name").
 * - Ports (API, NetworkPolicyPort): protocol defaults to TCP; no port means every port of the protocol; endPort
 *   makes port..endPort inclusive. A named port matches when the destination pod declares a container port of
 *   that name and protocol with the connection's number; that holds for egress rules too, and a named port never
 *   matches an address.
 * - ipBlock and pods: concepts ("ipBlock") leaves it to the network plugin whether an ipBlock sees pod traffic.
 *   This models the AWS VPC CNI (the EKS network policy agent): pods and nodes get IPs of the VPC's subnets and
 *   policies are enforced on those IPs, so an ipBlock whose cidr holds a pod's `ip` (and no `except` does) matches
 *   that pod as a peer, besides the selector peers. A pod without `ip` is matched by selectors only.
 *
 * Policies are read as the API server accepts them: the shapes it rejects that would change a verdict (a peer
 * with no field, an ipBlock with a selector, a bad cidr, endPort without a numeric port or below it, a bad
 * protocol, port name or selector operator) throw, naming the policy and the field.
 */
import { Cidr, cidrContains, Ip, parseCidr, parseIp } from "./cidr";

export type Protocol = "TCP" | "UDP" | "SCTP";
export type Labels = Record<string, string>;

export interface LabelSelector {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface PolicyPort {
    protocol?: Protocol;
    /** A number, or the name of a container port of the destination pod; absent: every port. */
    port?: number | string;
    endPort?: number;
}

/** Exactly one of ipBlock, or podSelector and/or namespaceSelector. */
export interface PolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicy {
    namespace: string;
    name: string;
    spec: {
        /** Absent is read as {}: every pod of the namespace. */
        podSelector?: LabelSelector;
        policyTypes?: ("Ingress" | "Egress")[];
        ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
        egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
    };
}

export interface PodEndpoint {
    kind: "pod";
    namespace: string;
    labels: Labels;
    /** The pod's IP, which ipBlock peers match (AWS VPC CNI). */
    ip?: string;
    /** The node the pod runs on, for the node exception of ingress. */
    node?: string;
    /** The containers' declared ports, which named ports resolve against; protocol defaults to TCP. */
    ports?: { name?: string; containerPort: number; protocol?: string }[];
}

/** An address outside the pod network, or a node's (then `node` names it). */
export interface AddressEndpoint {
    kind: "address";
    ip: string;
    node?: string;
}

export type Endpoint = PodEndpoint | AddressEndpoint;

/** `from` opens it to `port` of `to` (the replies go with it: concepts); its protocol is TCP when absent. */
export interface Connection {
    from: Endpoint;
    to: Endpoint;
    port: number;
    protocol?: Protocol;
}

/**
 * One direction's verdict: "open" (the pod is not isolated that way), "allowed" (a rule allows it), "node" (only
 * the node exception lets it in), "denied", or "not-a-pod" (the endpoint is an address: nothing to evaluate).
 * `policies` ("namespace/name") are those whose rules allow it when allowed, those that isolate the pod that way
 * when denied or node, none otherwise; in the order given.
 */
export interface Side {
    decision: "open" | "allowed" | "node" | "denied" | "not-a-pod";
    policies: string[];
}

/** Allowed iff neither side is denied. */
export interface Verdict {
    allowed: boolean;
    egress: Side;
    ingress: Side;
}

const PROTOCOLS: readonly string[] = ["TCP", "UDP", "SCTP"];
const NAME_LABEL = "kubernetes.io/metadata.name";
/** IsValidPortName: an IANA service name, at most 15 of [a-z0-9-], a letter among them, no "--", no "-" at an end. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/** Standard label selector semantics: all of matchLabels and of matchExpressions; NotIn and DoesNotExist hold for an absent key. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
    for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
        if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
    for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
        const has = Object.hasOwn(labels, key);
        const among = has && values.includes(labels[key]);
        if (operator === "In" ? !among : operator === "NotIn" ? among : operator === "Exists" ? !has : has) return false;
    }
    return true;
}

interface Block {
    cidr: Cidr;
    except: Cidr[];
}
/** A peer: an ipBlock, or the selectors (absent: unrestricted, except that no namespaceSelector means the policy's namespace). */
type Peer = { block: Block } | { block?: undefined; podSelector?: LabelSelector; namespaceSelector?: LabelSelector };
/** A rule; absent peers or ports: every peer, every port. */
interface Rule {
    peers?: Peer[];
    ports?: PolicyPort[];
}
interface Compiled {
    id: string;
    podSelector: LabelSelector;
    /** Absent when the policy does not apply in that direction. */
    ingress?: Rule[];
    egress?: Rule[];
}

function checkSelector(selector: LabelSelector | undefined, where: string): void {
    for (const [i, { operator, values = [] }] of (selector?.matchExpressions ?? []).entries()) {
        const listed = operator === "In" || operator === "NotIn";
        if (!listed && operator !== "Exists" && operator !== "DoesNotExist")
            throw new Error(`${where}.matchExpressions[${i}]: no operator ${operator}`);
        if (listed !== values.length > 0)
            throw new Error(`${where}.matchExpressions[${i}]: ${operator} ${listed ? "needs" : "takes no"} values`);
    }
}

function cidrOf(text: string, where: string): Cidr {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`${where}: ${JSON.stringify(text)} is not a CIDR`);
    return cidr;
}

function compilePeer(peer: PolicyPeer, where: string): Peer {
    const { podSelector, namespaceSelector, ipBlock } = peer;
    if (ipBlock) {
        if (podSelector || namespaceSelector) throw new Error(`${where}: an ipBlock peer takes no selector`);
        const except = (ipBlock.except ?? []).map((e, i) => cidrOf(e, `${where}.ipBlock.except[${i}]`));
        return { block: { cidr: cidrOf(ipBlock.cidr, `${where}.ipBlock.cidr`), except } };
    }
    if (!podSelector && !namespaceSelector) throw new Error(`${where}: a peer needs podSelector, namespaceSelector or ipBlock`);
    checkSelector(podSelector, `${where}.podSelector`);
    checkSelector(namespaceSelector, `${where}.namespaceSelector`);
    return { podSelector, namespaceSelector };
}

function checkPort({ protocol = "TCP", port, endPort }: PolicyPort, where: string): void {
    const number = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
    if (!PROTOCOLS.includes(protocol)) throw new Error(`${where}.protocol: ${protocol} is none of ${PROTOCOLS.join(", ")}`);
    if (typeof port === "string" ? !PORT_NAME.test(port) : port !== undefined && !number(port))
        throw new Error(`${where}.port: ${JSON.stringify(port)} is neither a port number nor a port name`);
    if (endPort !== undefined && (typeof port !== "number" || !number(endPort) || endPort < port))
        throw new Error(`${where}.endPort: ${endPort} needs a numeric port at most ${endPort}`);
}

function compileRules(
    rules: { from?: PolicyPeer[]; to?: PolicyPeer[]; ports?: PolicyPort[] }[],
    field: "from" | "to",
    where: string,
): Rule[] {
    return rules.map((rule, i) => {
        const peers = rule[field] ?? [];
        const ports = rule.ports ?? [];
        ports.forEach((p, j) => checkPort(p, `${where}[${i}].ports[${j}]`));
        return {
            peers: peers.length ? peers.map((p, j) => compilePeer(p, `${where}[${i}].${field}[${j}]`)) : undefined,
            ports: ports.length ? ports : undefined,
        };
    });
}

function compile({ namespace, name, spec }: NetworkPolicy): Compiled {
    const id = `${namespace}/${name}`;
    const { podSelector = {}, ingress = [], egress = [] } = spec;
    checkSelector(podSelector, `NetworkPolicy ${id}: spec.podSelector`);
    const types = spec.policyTypes?.length ? spec.policyTypes : egress.length ? ["Ingress", "Egress"] : ["Ingress"];
    return {
        id,
        podSelector,
        ingress: types.includes("Ingress") ? compileRules(ingress, "from", `NetworkPolicy ${id}: spec.ingress`) : undefined,
        egress: types.includes("Egress") ? compileRules(egress, "to", `NetworkPolicy ${id}: spec.egress`) : undefined,
    };
}

/**
 * An evaluator for one set of policies and namespaces (namespace name → its labels; a namespace not listed has only
 * kubernetes.io/metadata.name): the policies are checked and indexed once, then each connection is cheap.
 */
export function networkPolicyEvaluator(policies: NetworkPolicy[], namespaces: Record<string, Labels>): (connection: Connection) => Verdict {
    const byNamespace = new Map<string, Compiled[]>();
    for (const policy of policies) {
        const list = byNamespace.get(policy.namespace);
        if (list) list.push(compile(policy));
        else byNamespace.set(policy.namespace, [compile(policy)]);
    }
    const namespaceLabels = new Map<string, Labels>();
    const labelsOf = (namespace: string) => {
        let labels = namespaceLabels.get(namespace);
        if (!labels) namespaceLabels.set(namespace, (labels = { ...(namespaces[namespace] ?? {}), [NAME_LABEL]: namespace }));
        return labels;
    };
    const ips = new Map<string, Ip>();
    const ipOf = (e: Endpoint): Ip | undefined => {
        if (e.ip === undefined) return undefined;
        const ip = ips.get(e.ip) ?? parseIp(e.ip);
        if (!ip) throw new Error(`${JSON.stringify(e.ip)} is not an IP address`);
        ips.set(e.ip, ip);
        return ip;
    };

    /** Whether a peer of a policy of `owner` (its namespace) matches the endpoint. */
    const peerMatches = (peer: Peer, owner: string, e: Endpoint, ip: Ip | undefined): boolean => {
        if (peer.block) return ip !== undefined && cidrContains(peer.block.cidr, ip) && !peer.block.except.some((x) => cidrContains(x, ip));
        if (e.kind !== "pod") return false;
        const inNamespace = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, labelsOf(e.namespace)) : e.namespace === owner;
        return inNamespace && (!peer.podSelector || selectorMatches(peer.podSelector, e.labels));
    };
    /** Whether a policy port matches the connection's port and protocol, on its destination. */
    const portMatches = ({ protocol = "TCP", port, endPort }: PolicyPort, number: number, proto: Protocol, to: Endpoint): boolean => {
        if (protocol !== proto) return false;
        if (port === undefined) return true;
        if (typeof port === "number") return number >= port && number <= (endPort ?? port);
        return (
            to.kind === "pod" &&
            (to.ports ?? []).some((p) => p.name === port && (p.protocol ?? "TCP") === proto && p.containerPort === number)
        );
    };

    return (connection) => {
        const { from, to, port, protocol = "TCP" } = connection;
        if (!PROTOCOLS.includes(protocol)) throw new Error(`connection protocol ${protocol} is none of ${PROTOCOLS.join(", ")}`);
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`connection port ${port} is not a port number`);
        const fromIp = ipOf(from);
        const toIp = ipOf(to);
        /** The side of `pod` in `direction`, for a connection with `peer` (at `peerIp`). */
        const side = (pod: PodEndpoint, direction: "ingress" | "egress", peer: Endpoint, peerIp: Ip | undefined): Side => {
            const applying = (byNamespace.get(pod.namespace) ?? []).filter(
                (p) => p[direction] && selectorMatches(p.podSelector, pod.labels),
            );
            if (!applying.length) return { decision: "open", policies: [] };
            const allows = (rule: Rule, owner: string) =>
                (!rule.peers || rule.peers.some((p) => peerMatches(p, owner, peer, peerIp))) &&
                (!rule.ports || rule.ports.some((p) => portMatches(p, port, protocol, to)));
            const allowing = applying.filter((p) => p[direction]!.some((rule) => allows(rule, pod.namespace)));
            if (allowing.length) return { decision: "allowed", policies: allowing.map((p) => p.id) };
            const fromNode = direction === "ingress" && peer.kind === "address" && peer.node !== undefined && peer.node === pod.node;
            return { decision: fromNode ? "node" : "denied", policies: applying.map((p) => p.id) };
        };
        const egress: Side = from.kind === "pod" ? side(from, "egress", to, toIp) : { decision: "not-a-pod", policies: [] };
        const ingress: Side = to.kind === "pod" ? side(to, "ingress", from, fromIp) : { decision: "not-a-pod", policies: [] };
        return { allowed: egress.decision !== "denied" && ingress.decision !== "denied", egress, ingress };
    };
}

/** The verdict on one connection (for many, build a networkPolicyEvaluator once). */
export function evaluate(policies: NetworkPolicy[], namespaces: Record<string, Labels>, connection: Connection): Verdict {
    return networkPolicyEvaluator(policies, namespaces)(connection);
}

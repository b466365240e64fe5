/**
 * The flow matrix: each declared flow's verdict (NetworkPolicies, and the data tier's security groups for
 * flows to a store's port), and every connection the NetworkPolicies allow that no flow declares. Candidates
 * are every ordered pair of endpoints (the stack's pods, the declared pods of other namespaces, the declared
 * address sets) on every port any pod declares or any flow names, with its protocol; pairs of two endpoints
 * outside the stack are not the stack's to judge. A documented allowance (policy config) names what may be
 * allowed undeclared, with the reason.
 */
import { nameMatches } from "../exemptions";
import { Protocol } from "./evaluate";
import { AddressRef, buildModel, Declaration, EndpointRef, Model, Node, nodeMatches, StackPod } from "./model";
import { DataStore, egressBlocked, securityGroupVerdict } from "./security-groups";
import { NetworkPolicy, Labels } from "./evaluate";

export interface EndpointMatcher {
    kind?: "pod" | "address";
    namespace?: string;
    podLabels?: Labels;
    /** The endpoint's name in the matrix; `*` wildcards. */
    name?: string;
    /**
     * As `from`: the endpoint declares a flow on the candidate's port to an endpoint of this name (`*` wildcards);
     * as `to`: a flow on that port from an endpoint of this name to it is declared.
     */
    declaring?: string;
}

export interface Allowance {
    from: EndpointMatcher;
    to: EndpointMatcher;
    port?: number;
    protocol?: Protocol;
    reason: string;
}

export interface Denial {
    side: "egress" | "ingress";
    pod: string;
    /** The policies that isolate that pod that way ("namespace/name"). */
    policies: string[];
}

export interface DeclaredRow {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
    why: string;
    component: string;
    networkPolicy: "allowed" | "denied" | "invalid";
    denials: Denial[];
    /** Not a flow to a data store of the pods' VPC: "n/a". */
    securityGroup: "admitted" | "blocked" | "n/a";
    blockedBy: { store: string; storeUrn: string; groups: { name: string; urn: string }[]; source: string }[];
    /** Why the flow cannot be evaluated (an endpoint selecting no pod of the stack). */
    problem?: string;
    /** The source is a data store of the stack (RDS Proxy): its name. */
    sourceStore?: string;
    /** The source store's groups that let nothing out to the destination. */
    egressBlockedBy?: { store: string; groups: { name: string; urn: string }[] }[];
    /** The flow names a kind of data store the stack has none of in the VPC. */
    missingStore?: string;
}

export interface UndeclaredRow {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
    /** The policies whose rules allow it, egress side then ingress side. */
    policies: string[];
    /** The documented allowance covering it, if any. */
    allowance?: string;
}

export interface FlowInputs {
    declaration: Declaration;
    pods: StackPod[];
    policies: NetworkPolicy[];
    namespaces: Record<string, Labels>;
    stores: DataStore[];
}

export interface FlowMatrix {
    declared: DeclaredRow[];
    undeclared: UndeclaredRow[];
}

const subset = (want: Labels, labels: Labels) => Object.entries(want).every(([k, v]) => labels[k] === v);

function matcherHolds(
    m: EndpointMatcher,
    n: Node,
    role: "from" | "to",
    port: number,
    declared: Declaration["flows"],
    model: Model,
): boolean {
    if (m.kind && m.kind !== n.kind) return false;
    if (m.namespace !== undefined && n.pod?.namespace !== m.namespace) return false;
    if (m.podLabels && !(n.pod && subset(m.podLabels, n.pod.labels))) return false;
    if (m.name !== undefined && !nameMatches(m.name, n.name)) return false;
    if (m.declaring !== undefined) {
        // A source declaring a flow on this port to an endpoint of that name; a destination declared to receive one from it.
        const pattern = m.declaring;
        const other = role === "from" ? "to" : "from";
        const own = declared.filter((f) => f.port === port && nameMatches(pattern, f[other].name));
        const holds = own.some((f) => {
            const ends = model.nodesOf(f[role]);
            return typeof ends !== "string" && ends.includes(n);
        });
        if (!holds) return false;
    }
    return true;
}

export function flowMatrix(inputs: FlowInputs, allowances: Allowance[]): FlowMatrix {
    const d = inputs.declaration;
    const model = buildModel(d, inputs.pods, inputs.policies, inputs.namespaces);
    const inVpc = (s: DataStore) => s.groups.some((g) => g.vpcId === d.network.vpcId);
    // A declared store kind selects its stores; an endpoint without one (declared before kinds) means the instances and caches.
    const vpcStores = (port: number, kind?: string) =>
        inputs.stores.filter(
            (s) => s.port === port && inVpc(s) && (kind ? s.kind === kind : s.kind === "postgres" || s.kind === "cache" || !s.kind),
        );
    const declared: DeclaredRow[] = d.flows.map((f) => {
        const row: DeclaredRow = {
            from: f.from.name,
            to: f.to.name,
            port: f.port,
            protocol: f.protocol,
            why: f.why,
            component: f.component,
            networkPolicy: "allowed",
            denials: [],
            securityGroup: "n/a",
            blockedBy: [],
        };
        const froms = model.nodesOf(f.from);
        const tos = model.nodesOf(f.to);
        if (typeof froms === "string" || typeof tos === "string") {
            return { ...row, networkPolicy: "invalid", problem: [froms, tos].filter((x) => typeof x === "string").join("; ") };
        }
        for (const a of froms)
            for (const b of tos) {
                if (!a.pod && !b.pod) continue;
                for (const { verdict } of model.evaluate(a, b, f.port, f.protocol)) {
                    const deny = (side: "egress" | "ingress", pod: Node) => {
                        const s = verdict[side];
                        if (s.decision !== "denied" || row.denials.some((x) => x.side === side && x.pod === pod.name)) return;
                        row.denials.push({ side, pod: pod.name, policies: s.policies });
                    };
                    deny("egress", a);
                    deny("ingress", b);
                }
            }
        if (row.denials.length) row.networkPolicy = "denied";
        const toKind = "cidrs" in f.to ? (f.to as AddressRef).store : undefined;
        const stores = "cidrs" in f.to ? vpcStores(f.port, toKind) : [];
        if (toKind && stores.length === 0)
            row.missingStore = `the stack has no ${toKind} store in VPC ${d.network.vpcId} at port ${f.port}; create it or remove the flow`;
        const fromKind = "cidrs" in f.from ? (f.from as AddressRef).store : undefined;
        const sourceStores = fromKind ? inputs.stores.filter((s) => s.kind === fromKind && inVpc(s)) : [];
        if (f.protocol !== "TCP") return row;
        if (sourceStores.length > 0) {
            // A store opening connections (RDS Proxy) must be let out by its own groups, to a store's groups or the addresses.
            const destinations = [...new Set(tos.flatMap((n) => n.ips))];
            const destinationGroups = stores.flatMap((s) => s.groups.map((g) => g.urn));
            row.sourceStore = sourceStores.map((s) => s.name).join(", ");
            row.egressBlockedBy = sourceStores
                .map((s) => ({ store: s.name, groups: egressBlocked(s, f.port, destinations, destinationGroups) }))
                .filter((b) => b.groups.length > 0)
                .map((b) => ({ store: b.store, groups: b.groups.map((g) => ({ name: g.name, urn: g.urn })) }));
            row.securityGroup = row.egressBlockedBy.length ? "blocked" : "admitted";
        }
        if (stores.length > 0) {
            const sources = [...new Set(froms.flatMap((n) => n.ips))];
            const v = securityGroupVerdict(
                stores,
                f.port,
                sources,
                sourceStores.flatMap((s) => s.groups.map((g) => g.urn)),
            );
            row.securityGroup = v.admitted && !row.egressBlockedBy?.length ? "admitted" : "blocked";
            row.blockedBy = v.blocked.map((b) => ({
                store: b.store.name,
                storeUrn: b.store.urn,
                groups: b.store.groups.map((g) => ({ name: g.name, urn: g.urn })),
                source: b.source,
            }));
        }
        return row;
    });

    const ports = new Map<string, { port: number; protocol: Protocol }>();
    const addPort = (port: number, protocol: Protocol) => ports.set(`${port}/${protocol}`, { port, protocol });
    for (const p of inputs.pods) for (const c of p.ports) if (c.containerPort !== undefined) addPort(c.containerPort, "TCP");
    for (const f of d.flows) addPort(f.port, f.protocol);
    const isDeclared = (a: Node, b: Node, port: number, protocol: Protocol) =>
        d.flows.some(
            (f) =>
                f.port === port && f.protocol === protocol && nodeMatches(a, f.from as EndpointRef) && nodeMatches(b, f.to as EndpointRef),
        );
    const undeclared: UndeclaredRow[] = [];
    for (const a of model.nodes)
        for (const b of model.nodes) {
            if (a.external && b.external) continue;
            for (const { port, protocol } of [...ports.values()].sort((x, y) => x.port - y.port || x.protocol.localeCompare(y.protocol))) {
                const allowed = model.evaluate(a, b, port, protocol).filter((e) => e.verdict.allowed);
                if (allowed.length === 0 || isDeclared(a, b, port, protocol)) continue;
                const policies = [...new Set(allowed.flatMap((e) => [...e.verdict.egress.policies, ...e.verdict.ingress.policies]))];
                const allowance = allowances.find(
                    (x) =>
                        (x.port === undefined || x.port === port) &&
                        (x.protocol ?? "TCP") === protocol &&
                        matcherHolds(x.from, a, "from", port, d.flows, model) &&
                        matcherHolds(x.to, b, "to", port, d.flows, model),
                );
                undeclared.push({ from: a.name, to: b.name, port, protocol, policies, allowance: allowance?.reason });
            }
        }
    return { declared, undeclared };
}

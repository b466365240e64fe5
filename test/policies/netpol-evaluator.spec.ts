/**
 * The NetworkPolicy evaluator (policies/rules/wiring/flows/evaluate.ts): the Kubernetes documentation's examples
 * as fixtures, a literal reference implementation compared on seeded random inputs, monotonicity properties, and
 * the CIDR helper (against node's net.BlockList).
 */
import * as assert from "assert";
import * as net from "net";
import { isDeepStrictEqual } from "util";
import { cidrContains, parseCidr, parseIp } from "../../policies/rules/wiring/flows/cidr";
import {
    AddressEndpoint,
    Connection,
    Endpoint,
    evaluate,
    LabelSelector,
    Labels,
    NetworkPolicy,
    networkPolicyEvaluator,
    PodEndpoint,
    PolicyPeer,
    PolicyPort,
    Protocol,
    selectorMatches,
    Side,
    Verdict,
} from "../../policies/rules/wiring/flows/evaluate";

type Decision = Side["decision"];
type Spec = NetworkPolicy["spec"];
const NAME = "kubernetes.io/metadata.name";
const DOCS = "https://kubernetes.io/docs/concepts/services-networking/network-policies/";
const API = "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/";
/** Random worlds compared with the reference, connections in each, and worlds for each monotonicity property. */
const WORLDS = 3000;
const CONNECTIONS = 4;
const MONOTONE_WORLDS = 1000;

const pod = (namespace: string, labels: Labels, extra: Partial<PodEndpoint> = {}): PodEndpoint => ({
    kind: "pod",
    namespace,
    labels,
    ...extra,
});
const address = (ip: string, node?: string): AddressEndpoint => (node ? { kind: "address", ip, node } : { kind: "address", ip });
const conn = (from: Endpoint, to: Endpoint, port: number, protocol?: Protocol): Connection => ({
    from,
    to,
    port,
    ...(protocol ? { protocol } : {}),
});
const policy = (name: string, spec: Spec, namespace = "default"): NetworkPolicy => ({ namespace, name, spec });

// ---------------------------------------------------------------------------------------------------------------
// 1. The documentation's examples, each with connections and their expected verdicts.
// ---------------------------------------------------------------------------------------------------------------

/** [why, allowed, egress decision, ingress decision, connection]. */
type Case = [string, boolean, Decision, Decision, Connection];
interface Fixture {
    doc: string;
    policies: NetworkPolicy[];
    namespaces: Record<string, Labels>;
    cases: Case[];
}

// Pods get VPC addresses (192.168.0.0/16) outside the examples' ipBlocks unless a case is about that.
const db = pod("default", { role: "db" }, { ip: "192.168.0.10", node: "node-a" });
const frontend = pod("default", { role: "frontend" }, { ip: "192.168.0.11" });
const otherFrontend = pod("other", { role: "frontend" }, { ip: "192.168.0.12" });
const inMyproject = pod("myproject-ns", { app: "anything" }, { ip: "192.168.0.13" });
const plain = pod("default", { app: "web" }, { ip: "192.168.0.14", node: "node-a" });
const elsewhere = pod("other", { app: "web" }, { ip: "192.168.0.15" });

const NAMESPACES: Record<string, Labels> = { default: {}, other: {}, "myproject-ns": { project: "myproject" } };
const DENY_INGRESS = policy("default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
const DENY_EGRESS = policy("default-deny-egress", { podSelector: {}, policyTypes: ["Egress"] });

const FIXTURES: Fixture[] = [
    {
        // "The NetworkPolicy resource": test-network-policy, verbatim.
        doc: `${DOCS}#networkpolicy-resource (test-network-policy)`,
        namespaces: NAMESPACES,
        policies: [
            policy("test-network-policy", {
                podSelector: { matchLabels: { role: "db" } },
                policyTypes: ["Ingress", "Egress"],
                ingress: [
                    {
                        from: [
                            { ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } },
                            { namespaceSelector: { matchLabels: { project: "myproject" } } },
                            { podSelector: { matchLabels: { role: "frontend" } } },
                        ],
                        ports: [{ protocol: "TCP", port: 6379 }],
                    },
                ],
                egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 5978 }] }],
            }),
        ],
        cases: [
            ["a role=frontend pod of default on TCP 6379", true, "open", "allowed", conn(frontend, db, 6379)],
            ["any pod of a project=myproject namespace", true, "open", "allowed", conn(inMyproject, db, 6379)],
            ["172.17.0.5: in 172.17.0.0/16", true, "not-a-pod", "allowed", conn(address("172.17.0.5"), db, 6379)],
            ["172.17.2.0: past the except", true, "not-a-pod", "allowed", conn(address("172.17.2.0"), db, 6379)],
            ["172.17.1.7: in except 172.17.1.0/24", false, "not-a-pod", "denied", conn(address("172.17.1.7"), db, 6379)],
            ["172.18.0.1: outside the cidr", false, "not-a-pod", "denied", conn(address("172.18.0.1"), db, 6379)],
            [
                "a role=frontend pod of another namespace (podSelector alone: the policy's namespace)",
                false,
                "open",
                "denied",
                conn(otherFrontend, db, 6379),
            ],
            ["role=frontend on another port", false, "open", "denied", conn(frontend, db, 6380)],
            ["role=frontend on UDP 6379", false, "open", "denied", conn(frontend, db, 6379, "UDP")],
            [
                "AWS VPC CNI: a pod whose IP is in the ipBlock",
                true,
                "open",
                "allowed",
                conn(pod("other", {}, { ip: "172.17.3.3" }), db, 6379),
            ],
            [
                "AWS VPC CNI: a pod whose IP is in the except",
                false,
                "open",
                "denied",
                conn(pod("other", {}, { ip: "172.17.1.3" }), db, 6379),
            ],
            ["db egress to 10.0.0.0/24 on TCP 5978", true, "allowed", "not-a-pod", conn(db, address("10.0.0.7"), 5978)],
            ["db egress on another port", false, "denied", "not-a-pod", conn(db, address("10.0.0.7"), 5979)],
            ["db egress outside 10.0.0.0/24", false, "denied", "not-a-pod", conn(db, address("10.0.1.1"), 5978)],
            ["db egress to a pod outside the ipBlock (its ingress is open)", false, "denied", "open", conn(db, frontend, 5978)],
            [
                "AWS VPC CNI: db egress to a pod whose IP is in 10.0.0.0/24",
                true,
                "allowed",
                "open",
                conn(db, pod("other", {}, { ip: "10.0.0.20" }), 5978),
            ],
            ["a pod the policy does not select is not isolated", true, "open", "not-a-pod", conn(frontend, address("8.8.8.8"), 53, "UDP")],
        ],
    },
    {
        doc: `${DOCS}#default-deny-all-ingress-traffic`,
        namespaces: NAMESPACES,
        policies: [DENY_INGRESS],
        cases: [
            ["a pod of the namespace to another", false, "open", "denied", conn(plain, db, 80)],
            ["an address in", false, "not-a-pod", "denied", conn(address("203.0.113.9"), plain, 443)],
            ["egress is not affected", true, "open", "open", conn(plain, elsewhere, 80)],
            // "The two sorts of pod isolation": "the only allowed connections into the pod are those from the pod's node and ..."
            ["from the pod's own node", true, "not-a-pod", "node", conn(address("192.168.100.1", "node-a"), plain, 8080)],
            ["from another node", false, "not-a-pod", "denied", conn(address("192.168.100.2", "node-b"), plain, 8080)],
        ],
    },
    {
        // "With this policy in place, no additional policy or policies can cause any incoming connection to those pods to be denied."
        doc: `${DOCS}#allow-all-ingress-traffic`,
        namespaces: NAMESPACES,
        policies: [DENY_INGRESS, policy("allow-all-ingress", { podSelector: {}, ingress: [{}], policyTypes: ["Ingress"] })],
        cases: [
            [
                "an address, any port, despite default-deny-ingress",
                true,
                "not-a-pod",
                "allowed",
                conn(address("203.0.113.9"), plain, 31337),
            ],
            ["a pod of another namespace, SCTP", true, "open", "allowed", conn(elsewhere, db, 9, "SCTP")],
        ],
    },
    {
        doc: `${DOCS}#default-deny-all-egress-traffic`,
        namespaces: NAMESPACES,
        policies: [DENY_EGRESS],
        cases: [
            ["a pod of the namespace out to an address", false, "denied", "not-a-pod", conn(plain, address("8.8.8.8"), 53, "UDP")],
            ["a pod of the namespace to another of it", false, "denied", "open", conn(plain, db, 6379)],
            ["ingress is not affected", true, "not-a-pod", "open", conn(address("203.0.113.9"), plain, 443)],
            ["pods of other namespaces are not affected", true, "open", "open", conn(elsewhere, plain, 80)],
        ],
    },
    {
        doc: `${DOCS}#allow-all-egress-traffic`,
        namespaces: NAMESPACES,
        policies: [DENY_EGRESS, policy("allow-all-egress", { podSelector: {}, egress: [{}], policyTypes: ["Egress"] })],
        cases: [["any egress, despite default-deny-egress", true, "allowed", "not-a-pod", conn(plain, address("8.8.8.8"), 53, "UDP")]],
    },
    {
        doc: `${DOCS}#default-deny-all-ingress-and-all-egress-traffic`,
        namespaces: NAMESPACES,
        policies: [policy("default-deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })],
        cases: [
            ["within the namespace: both sides deny", false, "denied", "denied", conn(plain, db, 6379)],
            ["out of it", false, "denied", "not-a-pod", conn(plain, address("8.8.8.8"), 443)],
            ["into it", false, "open", "denied", conn(elsewhere, db, 6379)],
            ["between pods of another namespace", true, "open", "open", conn(elsewhere, otherFrontend, 80)],
        ],
    },
    {
        // "Targeting a range of ports": multi-port-egress, verbatim.
        doc: `${DOCS}#targeting-a-range-of-ports`,
        namespaces: NAMESPACES,
        policies: [
            policy("multi-port-egress", {
                podSelector: { matchLabels: { role: "db" } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 32000, endPort: 32768 }] }],
            }),
        ],
        cases: [
            ["the range's first port", true, "allowed", "not-a-pod", conn(db, address("10.0.0.1"), 32000)],
            ["inside the range", true, "allowed", "not-a-pod", conn(db, address("10.0.0.1"), 32500)],
            ["the range's last port (inclusive)", true, "allowed", "not-a-pod", conn(db, address("10.0.0.1"), 32768)],
            ["below the range", false, "denied", "not-a-pod", conn(db, address("10.0.0.1"), 31999)],
            ["above the range", false, "denied", "not-a-pod", conn(db, address("10.0.0.1"), 32769)],
            ["UDP in the range", false, "denied", "not-a-pod", conn(db, address("10.0.0.1"), 32000, "UDP")],
            ["outside 10.0.0.0/24", false, "denied", "not-a-pod", conn(db, address("10.0.1.1"), 32000)],
            ["ingress is not affected (policyTypes is Egress only)", true, "not-a-pod", "open", conn(address("10.0.0.1"), db, 32000)],
        ],
    },
    {
        // API reference, NetworkPolicyIngressRule and EgressRule: from/to and ports "empty or missing" match all sources, destinations
        // and ports; NetworkPolicyPort.port: "If this field is not provided, this matches all port names and numbers".
        doc: `${API}#NetworkPolicySpec (empty from, to and ports)`,
        namespaces: NAMESPACES,
        policies: [
            policy("empty-lists", {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [], ports: [] }],
                egress: [{ to: [], ports: [{ protocol: "UDP" }] }],
            }),
        ],
        cases: [
            ["from: [] and ports: [] match every source and port", true, "open", "allowed", conn(elsewhere, plain, 12345, "SCTP")],
            [
                "a port with only a protocol matches every port of it",
                true,
                "allowed",
                "not-a-pod",
                conn(plain, address("8.8.8.8"), 5353, "UDP"),
            ],
            ["and no other protocol", false, "denied", "not-a-pod", conn(plain, address("8.8.8.8"), 5353)],
        ],
    },
    ...andOrFixtures(),
    ...namespaceFixtures(),
    {
        // API reference, NetworkPolicyPort.port: "This can either be a numerical or named port on a pod."
        doc: `${API}#NetworkPolicySpec (NetworkPolicyPort)`,
        namespaces: NAMESPACES,
        policies: [
            policy("http-in", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: "http" }] }] }),
            policy("dns-out", {
                podSelector: { matchLabels: { role: "db" } },
                policyTypes: ["Egress"],
                egress: [{ ports: [{ protocol: "UDP", port: "dns" }] }],
            }),
        ],
        cases: [
            [
                "the named port's number",
                true,
                "open",
                "allowed",
                conn(frontend, pod("default", { app: "web" }, { ports: [{ name: "http", containerPort: 8080 }] }), 8080),
            ],
            [
                "another number",
                false,
                "open",
                "denied",
                conn(frontend, pod("default", { app: "web" }, { ports: [{ name: "http", containerPort: 8080 }] }), 80),
            ],
            [
                "the name on another protocol",
                false,
                "open",
                "denied",
                conn(frontend, pod("default", { app: "web" }, { ports: [{ name: "http", containerPort: 8080, protocol: "UDP" }] }), 8080),
            ],
            ["a pod without that name", false, "open", "denied", conn(frontend, plain, 8080)],
            [
                "egress: resolved on the destination pod",
                true,
                "allowed",
                "open",
                conn(db, pod("other", {}, { ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }] }), 53, "UDP"),
            ],
            [
                "egress: a name the source declares does not count",
                false,
                "denied",
                "open",
                conn({ ...db, ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }] }, elsewhere, 53, "UDP"),
            ],
            ["egress: a named port never matches an address", false, "denied", "not-a-pod", conn(db, address("8.8.8.8"), 53, "UDP")],
        ],
    },
    {
        // API reference, NetworkPolicySpec.policyTypes: "policies that contain an Egress section are assumed to affect Egress, and all
        // policies (whether or not they contain an Ingress section) are assumed to affect Ingress"; the defaulting counts egress rules.
        doc: `${API}#NetworkPolicySpec (policyTypes)`,
        namespaces: NAMESPACES,
        policies: [
            policy("no-types-empty-egress", { podSelector: { matchLabels: { role: "db" } }, egress: [] }),
            policy("no-types-one-egress-rule", { podSelector: { matchLabels: { app: "web" } }, egress: [{ ports: [{ port: 443 }] }] }),
            policy("empty-types", { podSelector: { matchLabels: { role: "frontend" } }, policyTypes: [] }),
        ],
        cases: [
            ["egress: [] is no egress section: db's egress stays open", true, "open", "open", conn(db, elsewhere, 80)],
            ["but the policy isolates db for ingress", false, "open", "denied", conn(elsewhere, db, 80)],
            ["one egress rule makes an egress policy", false, "denied", "open", conn(plain, elsewhere, 80)],
            ["which allows what the rule allows", true, "allowed", "open", conn(plain, elsewhere, 443)],
            ["policyTypes: [] is defaulted like an absent one (Ingress)", false, "open", "denied", conn(elsewhere, frontend, 80)],
            ["so frontend's egress is open", true, "open", "open", conn(frontend, elsewhere, 80)],
        ],
    },
];

/** "Behavior of to and from selectors": one peer with both selectors (AND) against two peers (OR). */
function andOrFixtures(): Fixture[] {
    const namespaces = { default: {}, "alice-ns": { user: "alice" }, "bob-ns": { user: "bob" } };
    const target = pod("default", { app: "api" });
    const cases = (and: boolean): Case[] => [
        ["role=client in a user=alice namespace", true, "open", "allowed", conn(pod("alice-ns", { role: "client" }), target, 80)],
        [
            "another pod of a user=alice namespace",
            !and,
            "open",
            and ? "denied" : "allowed",
            conn(pod("alice-ns", { role: "server" }), target, 80),
        ],
        [
            "role=client of the policy's own namespace",
            !and,
            "open",
            and ? "denied" : "allowed",
            conn(pod("default", { role: "client" }), target, 80),
        ],
        ["role=client of a user=bob namespace", false, "open", "denied", conn(pod("bob-ns", { role: "client" }), target, 80)],
        ["another pod of the policy's namespace", false, "open", "denied", conn(pod("default", { role: "server" }), target, 80)],
    ];
    const alice = { namespaceSelector: { matchLabels: { user: "alice" } } };
    const client = { podSelector: { matchLabels: { role: "client" } } };
    return [
        {
            doc: `${DOCS}#behavior-of-to-and-from-selectors (one element: AND)`,
            namespaces,
            policies: [policy("and", { podSelector: {}, ingress: [{ from: [{ ...alice, ...client }] }] })],
            cases: cases(true),
        },
        {
            doc: `${DOCS}#behavior-of-to-and-from-selectors (two elements: OR)`,
            namespaces,
            policies: [policy("or", { podSelector: {}, ingress: [{ from: [alice, client] }] })],
            cases: cases(false),
        },
    ];
}

/** Namespaces by label, and by name through the kubernetes.io/metadata.name label the control plane sets. */
function namespaceFixtures(): Fixture[] {
    const myapp = pod("default", { app: "myapp" });
    const namespaces = { default: {}, frontend: { namespace: "frontend" }, backend: { namespace: "backend" }, other: {} };
    const cases: Case[] = [
        ["to a pod of frontend", true, "allowed", "open", conn(myapp, pod("frontend", {}), 443)],
        ["to a pod of backend", true, "allowed", "open", conn(myapp, pod("backend", { x: "y" }), 5432)],
        ["to a pod of another namespace", false, "denied", "open", conn(myapp, pod("other", {}), 443)],
        ["to an address (a namespaceSelector selects pods only)", false, "denied", "not-a-pod", conn(myapp, address("10.0.0.1"), 443)],
    ];
    const to = (key: string): Spec => ({
        podSelector: { matchLabels: { app: "myapp" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key, operator: "In", values: ["frontend", "backend"] }] } }] }],
    });
    return [
        {
            doc: `${DOCS}#targeting-multiple-namespaces-by-label (egress-namespaces)`,
            namespaces,
            policies: [policy("egress-namespaces", to("namespace"))],
            cases,
        },
        // The namespaces' labels omit kubernetes.io/metadata.name: the evaluator adds it, as the API server does.
        { doc: `${DOCS}#targeting-a-namespace-by-its-name`, namespaces: { default: {} }, policies: [policy("by-name", to(NAME))], cases },
    ];
}

const show = (v: Verdict) => `${v.allowed ? "allowed" : "blocked"} (egress ${v.egress.decision}, ingress ${v.ingress.decision})`;

describe("the NetworkPolicy evaluator", () => {
    describe("on the Kubernetes documentation's examples", () => {
        for (const f of FIXTURES) {
            describe(f.doc, () => {
                for (const [why, allowed, egress, ingress, connection] of f.cases) {
                    it(`${allowed ? "allows" : "blocks"}: ${why}`, () => {
                        const verdict = evaluate(f.policies, f.namespaces, connection);
                        assert.strictEqual(
                            show(verdict),
                            show({ allowed, egress: { decision: egress, policies: [] }, ingress: { decision: ingress, policies: [] } }),
                        );
                    });
                }
            });
        }

        it("names the policies that allow a side, or that isolate it when it is denied", () => {
            const policies = [
                DENY_INGRESS,
                policy("allow-all-ingress", { podSelector: {}, ingress: [{}] }),
                policy("web", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: 80 }] }] }),
            ];
            const allowed = evaluate(policies, NAMESPACES, conn(elsewhere, plain, 80));
            assert.deepStrictEqual(allowed.ingress, { decision: "allowed", policies: ["default/allow-all-ingress", "default/web"] });
            const denied = evaluate([DENY_INGRESS, policies[2]], NAMESPACES, conn(elsewhere, plain, 81));
            assert.deepStrictEqual(denied.ingress, { decision: "denied", policies: ["default/default-deny-ingress", "default/web"] });
            assert.deepStrictEqual(denied.egress, { decision: "open", policies: [] });
        });
    });

    describe("label selectors", () => {
        const cases: [string, LabelSelector, Labels, boolean][] = [
            ["{} matches everything", {}, { a: "1" }, true],
            ["{} matches no labels", {}, {}, true],
            ["matchLabels needs every pair", { matchLabels: { a: "1", b: "2" } }, { a: "1" }, false],
            [
                "matchLabels and matchExpressions are ANDed",
                { matchLabels: { a: "1" }, matchExpressions: [{ key: "b", operator: "Exists" }] },
                { a: "1" },
                false,
            ],
            ["In needs the key", { matchExpressions: [{ key: "a", operator: "In", values: ["1"] }] }, {}, false],
            ["In with a listed value", { matchExpressions: [{ key: "a", operator: "In", values: ["1", "2"] }] }, { a: "2" }, true],
            ["NotIn holds for an absent key", { matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, {}, true],
            ["NotIn with a listed value", { matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, { a: "1" }, false],
            ["NotIn with another value", { matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, { a: "3" }, true],
            ["Exists with an empty value", { matchExpressions: [{ key: "a", operator: "Exists" }] }, { a: "" }, true],
            ["DoesNotExist", { matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { b: "1" }, true],
            ["DoesNotExist with the key", { matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { a: "1" }, false],
            ["a key inherited by objects is not a label", { matchExpressions: [{ key: "constructor", operator: "Exists" }] }, {}, false],
        ];
        for (const [why, selector, labels, expected] of cases)
            it(why, () => assert.strictEqual(selectorMatches(selector, labels), expected));
    });

    describe("policies the API server rejects", () => {
        const rule = (from: PolicyPeer[], ports?: PolicyPort[]): NetworkPolicy =>
            policy("bad", { podSelector: {}, ingress: [{ from, ...(ports ? { ports } : {}) }] });
        const cases: [string, NetworkPolicy, RegExp][] = [
            [
                "a peer with no field",
                rule([{}]),
                /default\/bad: spec.ingress\[0\].from\[0\]: a peer needs podSelector, namespaceSelector or ipBlock/,
            ],
            [
                "an ipBlock with a selector",
                rule([{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }]),
                /an ipBlock peer takes no selector/,
            ],
            ["a bad cidr", rule([{ ipBlock: { cidr: "10.0.0.0/33" } }]), /ipBlock.cidr: "10.0.0.0\/33" is not a CIDR/],
            [
                "a bad except",
                rule([{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0"] } }]),
                /ipBlock.except\[0\]: "10.1.0.0" is not a CIDR/,
            ],
            ["endPort with a named port", rule([], [{ port: "http", endPort: 90 }]), /ports\[0\].endPort: 90 needs a numeric port/],
            ["endPort without a port", rule([], [{ endPort: 90 }]), /endPort/],
            ["endPort below port", rule([], [{ port: 100, endPort: 90 }]), /endPort: 90 needs a numeric port at most 90/],
            ["a lower-case protocol", rule([], [{ protocol: "tcp" as Protocol, port: 80 }]), /protocol: tcp is none of TCP, UDP, SCTP/],
            ["a numeric string port", rule([], [{ port: "80" }]), /port: "80" is neither a port number nor a port name/],
            ["port 0", rule([], [{ port: 0 }]), /port: 0 is neither/],
            [
                "In without values",
                rule([{ podSelector: { matchExpressions: [{ key: "a", operator: "In" }] } }]),
                /from\[0\].podSelector.matchExpressions\[0\]: In needs values/,
            ],
            [
                "Exists with values",
                policy("bad", { podSelector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] } }),
                /spec.podSelector.matchExpressions\[0\]: Exists takes no values/,
            ],
            [
                "an unknown operator",
                rule([{ namespaceSelector: { matchExpressions: [{ key: "a", operator: "Gt" as "In", values: ["1"] }] } }]),
                /no operator Gt/,
            ],
        ];
        for (const [why, bad, message] of cases)
            it(`throws on ${why}`, () => assert.throws(() => networkPolicyEvaluator([bad], {}), message));

        it("throws on a connection with a bad address or port", () => {
            const evaluator = networkPolicyEvaluator([], {});
            assert.throws(() => evaluator(conn(address("10.0.0.256"), plain, 80)), /"10.0.0.256" is not an IP address/);
            assert.throws(() => evaluator(conn(plain, address("10.0.0.1"), 0)), /connection port 0 is not a port number/);
        });
    });

    describe("the CIDR helper", () => {
        const contains = (cidr: string, ip: string) => cidrContains(parseCidr(cidr)!, parseIp(ip)!);
        const table: [string, string, boolean][] = [
            ["192.168.1.1/24", "192.168.1.255", true], // host bits of the text are cleared (API: "192.168.1.1/24")
            ["192.168.1.1/24", "192.168.2.0", false],
            ["10.0.0.0/8", "10.255.255.255", true],
            ["0.0.0.0/0", "255.255.255.255", true],
            ["10.0.0.1/32", "10.0.0.1", true],
            ["10.0.0.1/32", "10.0.0.2", false],
            ["2001:db8::/64", "2001:db8::ffff:1", true],
            ["2001:db8::/64", "2001:db8:0:1::", false],
            ["2001:DB8:0000::/48", "2001:0db8:0000:ffff::1", true],
            ["::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true],
            ["::ffff:10.0.0.0/120", "::ffff:10.0.0.200", true],
            ["::ffff:10.0.0.0/120", "::ffff:10.0.1.0", false],
            ["fe80::1/128", "fe80::1", true],
            ["0.0.0.0/0", "::1", false], // families never mix
            ["::/0", "10.0.0.1", false],
            ["::/0", "::ffff:10.0.0.1", true], // an IPv4-mapped address is IPv6
            ["0.0.0.0/0", "::ffff:10.0.0.1", false],
        ];
        for (const [cidr, ip, expected] of table)
            it(`${expected ? "finds" : "does not find"} ${ip} in ${cidr}`, () => assert.strictEqual(contains(cidr, ip), expected));

        it("rejects malformed blocks and addresses", () => {
            const bad = [
                "10.0.0.0",
                "10.0.0.0/",
                "10.0.0.0/33",
                "10.0.0.0/08",
                "10.0.0.0/-1",
                "10.0.0/8",
                "10.0.0.256/8",
                "01.0.0.0/8",
                "10.0.0.0/8/8",
                " 10.0.0.0/8",
            ];
            const bad6 = [
                "::/129",
                "1::2::3/64",
                ":::/0",
                "1:2:3:4:5:6:7:8:9/64",
                "1:2:3:4:5:6:7::8/64",
                "1:2:3:4:5:6:7/64",
                "gggg::/16",
                "12345::/16",
                "::ffff:1.2.3/96",
                "1.2.3.4::/96",
                ":1::/64",
                "fe80::1%eth0/64",
            ];
            for (const text of [...bad, ...bad6]) assert.strictEqual(parseCidr(text), undefined, text);
            for (const text of ["", "1", "1.2.3", "1.2.3.4.5", "::g", "1.2.3.4/32"]) assert.strictEqual(parseIp(text), undefined, text);
        });

        it("agrees with node's net.BlockList on 3000 random blocks and addresses", () => {
            const r = random(20240601);
            for (let i = 0; i < 3000; i++) {
                const v6 = r.chance(0.5);
                const width = v6 ? 128 : 32;
                const prefix = r.int(width + 1);
                const network = randomBits(r, width, v6);
                const hostMask = (1n << BigInt(width - prefix)) - 1n;
                // Half the addresses share the network's prefix, half are random (most outside).
                const address = r.chance(0.5) ? (network & ~hostMask) | (randomBits(r, width, v6) & hostMask) : randomBits(r, width, v6);
                const cidr = `${bitsText(r, network, v6)}/${prefix}`;
                const ip = bitsText(r, address, v6);
                const list = new net.BlockList();
                list.addSubnet(bitsText(r, network, v6), prefix, v6 ? "ipv6" : "ipv4");
                assert.strictEqual(contains(cidr, ip), list.check(ip, v6 ? "ipv6" : "ipv4"), `${ip} in ${cidr}`);
            }
        });
    });

    describe("against a literal reference implementation, on seeded random worlds", () => {
        it(`agrees on every verdict, side and policy list (${WORLDS} worlds of ${CONNECTIONS} connections)`, () => {
            const seen = new Map<string, number>();
            const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
            for (let seed = 1; seed <= WORLDS; seed++) {
                const w = randomWorld(seed);
                const evaluator = networkPolicyEvaluator(w.policies, w.namespaces);
                for (const c of w.connections) {
                    const actual = evaluator(c);
                    const expected = referenceVerdict(w.policies, w.namespaces, c);
                    if (!isDeepStrictEqual(actual, expected)) {
                        assert.fail(
                            `seed ${seed} (randomWorld(${seed})): ${JSON.stringify({ connection: c, expected, actual, namespaces: w.namespaces, policies: w.policies }, null, 1)}`,
                        );
                    }
                    count(`egress ${actual.egress.decision}`);
                    count(`ingress ${actual.ingress.decision}`);
                    count(actual.allowed ? "allowed" : "blocked");
                }
            }
            // Not vacuous: every outcome occurs often.
            const outcomes = [
                "allowed",
                "blocked",
                ...["open", "allowed", "denied", "not-a-pod"].map((d) => `egress ${d}`),
                ...["open", "allowed", "node", "denied", "not-a-pod"].map((d) => `ingress ${d}`),
            ];
            for (const o of outcomes)
                assert.ok((seen.get(o) ?? 0) >= 20, `${o}: ${seen.get(o) ?? 0} times in ${JSON.stringify([...seen])}`);
        });
    });

    describe("monotonicity", () => {
        it("never blocks a flow by adding a rule to an existing policy, except the first egress rule of a policy without policyTypes", () => {
            let typeChanges = 0;
            for (let seed = 1; seed <= MONOTONE_WORLDS; seed++) {
                const w = randomWorld(seed);
                if (!w.policies.length) continue;
                const r = random(seed + 0x5eed);
                const target = r.int(w.policies.length);
                const egress = r.chance(0.5);
                const spec = w.policies[target].spec;
                // SetDefaults_NetworkPolicySpec: the rule turns an Ingress-only policy into an Ingress and Egress one.
                const becomesEgress = egress && !spec.policyTypes?.length && !spec.egress?.length;
                const grown: Spec = egress
                    ? { ...spec, egress: [...(spec.egress ?? []), randomRule(r, "to")] }
                    : { ...spec, ingress: [...(spec.ingress ?? []), randomRule(r, "from")] };
                const after = w.policies.map((p, i) => (i === target ? { ...p, spec: grown } : p));
                const [before, later] = [networkPolicyEvaluator(w.policies, w.namespaces), networkPolicyEvaluator(after, w.namespaces)];
                for (const c of w.connections) {
                    const [b, a] = [before(c), later(c)];
                    const where = `seed ${seed}, rule added to ${egress ? "egress" : "ingress"} of policy ${target}, connection ${JSON.stringify(c)}`;
                    assert.ok(b.ingress.decision === "denied" || a.ingress.decision !== "denied", where);
                    if (becomesEgress) {
                        if (b.allowed && !a.allowed) typeChanges++;
                        continue;
                    }
                    assert.ok(b.egress.decision === "denied" || a.egress.decision !== "denied", where);
                    assert.ok(!b.allowed || a.allowed, where);
                }
            }
            assert.ok(typeChanges > 0, "the policyTypes exception never blocked a flow: the case is not exercised");
        });

        it("blocks a flow by the first egress rule of a policy without policyTypes (it becomes an egress policy)", () => {
            const ingressOnly = policy("web", { podSelector: {}, ingress: [{}] });
            const c = conn(plain, address("8.8.8.8"), 53, "UDP");
            assert.strictEqual(evaluate([ingressOnly], NAMESPACES, c).egress.decision, "open");
            const withEgress = policy("web", { ...ingressOnly.spec, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] });
            assert.deepStrictEqual(evaluate([withEgress], NAMESPACES, c).egress, { decision: "denied", policies: ["default/web"] });
        });

        it("blocks a flow by a new policy only on a side it newly isolates, and keeps every allowed side allowed", () => {
            let blocked = 0;
            for (let seed = 1; seed <= MONOTONE_WORLDS; seed++) {
                const w = randomWorld(seed);
                const r = random(seed + 0xadd);
                const extra = randomPolicy(r, w.policies.length);
                const [before, later] = [
                    networkPolicyEvaluator(w.policies, w.namespaces),
                    networkPolicyEvaluator([...w.policies, extra], w.namespaces),
                ];
                for (const c of w.connections) {
                    const [b, a] = [before(c), later(c)];
                    for (const side of ["egress", "ingress"] as const) {
                        const where = `seed ${seed}, ${side} of ${JSON.stringify(c)} with ${JSON.stringify(extra)}`;
                        if (b[side].decision === "allowed") assert.strictEqual(a[side].decision, "allowed", where);
                        if (b[side].decision !== "denied" && a[side].decision === "denied") {
                            assert.strictEqual(b[side].decision, "open", where);
                            assert.deepStrictEqual(a[side].policies, [`${extra.namespace}/${extra.name}`], where);
                            blocked++;
                        }
                    }
                }
            }
            assert.ok(blocked > 0, "no new policy ever isolated a pod: the case is not exercised");
        });

        it("blocks an open flow by a new default-deny policy, as the documentation says", () => {
            const c = conn(elsewhere, plain, 80);
            assert.strictEqual(evaluate([], NAMESPACES, c).allowed, true);
            assert.deepStrictEqual(evaluate([DENY_INGRESS], NAMESPACES, c).ingress, {
                decision: "denied",
                policies: ["default/default-deny-ingress"],
            });
        });
    });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. A literal reference: the specification's sentences as loops over every policy, rule, peer and port, with no
//    index and no shortcut, and node's net.BlockList for the CIDRs.
// ---------------------------------------------------------------------------------------------------------------

function referenceVerdict(policies: NetworkPolicy[], namespaces: Record<string, Labels>, c: Connection): Verdict {
    const egress: Side =
        c.from.kind === "pod" ? referenceSide(policies, namespaces, c, c.from, "Egress") : { decision: "not-a-pod", policies: [] };
    const ingress: Side =
        c.to.kind === "pod" ? referenceSide(policies, namespaces, c, c.to, "Ingress") : { decision: "not-a-pod", policies: [] };
    let allowed = true;
    if (egress.decision === "denied") allowed = false;
    if (ingress.decision === "denied") allowed = false;
    return { allowed, egress, ingress };
}

function referenceSide(
    policies: NetworkPolicy[],
    namespaces: Record<string, Labels>,
    c: Connection,
    self: PodEndpoint,
    type: "Ingress" | "Egress",
): Side {
    const other = type === "Ingress" ? c.from : c.to;
    const isolating: string[] = [];
    const allowing: string[] = [];
    for (const p of policies) {
        if (p.namespace !== self.namespace) continue;
        if (!referenceSelects(p.spec.podSelector ?? {}, self.labels)) continue;
        if (!referencePolicyTypes(p.spec).includes(type)) continue;
        isolating.push(`${p.namespace}/${p.name}`);
        const rules =
            type === "Ingress"
                ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
                : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
        let allows = false;
        for (const rule of rules) {
            let peerMatches = rule.peers === undefined || rule.peers.length === 0;
            for (const peer of rule.peers ?? []) if (referencePeerMatches(peer, p.namespace, other, namespaces)) peerMatches = true;
            let portMatches = rule.ports === undefined || rule.ports.length === 0;
            for (const port of rule.ports ?? []) if (referencePortMatches(port, c)) portMatches = true;
            if (peerMatches && portMatches) allows = true;
        }
        if (allows) allowing.push(`${p.namespace}/${p.name}`);
    }
    if (isolating.length === 0) return { decision: "open", policies: [] };
    if (allowing.length > 0) return { decision: "allowed", policies: allowing };
    if (type === "Ingress" && other.kind === "address" && other.node !== undefined && other.node === self.node)
        return { decision: "node", policies: isolating };
    return { decision: "denied", policies: isolating };
}

function referencePolicyTypes(spec: Spec): string[] {
    if (spec.policyTypes !== undefined && spec.policyTypes.length > 0) return spec.policyTypes;
    if (spec.egress !== undefined && spec.egress.length > 0) return ["Ingress", "Egress"];
    return ["Ingress"];
}

function hasLabel(labels: Labels, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(labels, key);
}

function referenceSelects(selector: LabelSelector, labels: Labels): boolean {
    const matchLabels = selector.matchLabels ?? {};
    for (const key of Object.keys(matchLabels)) {
        if (!hasLabel(labels, key)) return false;
        if (labels[key] !== matchLabels[key]) return false;
    }
    for (const requirement of selector.matchExpressions ?? []) {
        const present = hasLabel(labels, requirement.key);
        let listed = false;
        for (const value of requirement.values ?? []) if (present && labels[requirement.key] === value) listed = true;
        switch (requirement.operator) {
            case "In":
                if (!present || !listed) return false;
                break;
            case "NotIn":
                if (present && listed) return false;
                break;
            case "Exists":
                if (!present) return false;
                break;
            case "DoesNotExist":
                if (present) return false;
                break;
        }
    }
    return true;
}

function referenceInCidr(cidr: string, ip: string): boolean {
    const [network, prefix] = cidr.split("/");
    const family = net.isIPv6(network) ? "ipv6" : "ipv4";
    // BlockList maps IPv4 addresses into IPv6 blocks; Kubernetes' families never mix.
    if (net.isIPv6(ip) !== (family === "ipv6")) return false;
    const list = new net.BlockList();
    list.addSubnet(network, Number(prefix), family);
    return list.check(ip, family);
}

function referencePeerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint, namespaces: Record<string, Labels>): boolean {
    if (peer.ipBlock !== undefined) {
        if (endpoint.ip === undefined) return false;
        if (!referenceInCidr(peer.ipBlock.cidr, endpoint.ip)) return false;
        for (const except of peer.ipBlock.except ?? []) if (referenceInCidr(except, endpoint.ip)) return false;
        return true;
    }
    if (endpoint.kind !== "pod") return false;
    if (peer.namespaceSelector === undefined) {
        if (endpoint.namespace !== policyNamespace) return false;
    } else {
        const labels: Labels = { ...(namespaces[endpoint.namespace] ?? {}) };
        labels[NAME] = endpoint.namespace;
        if (!referenceSelects(peer.namespaceSelector, labels)) return false;
    }
    if (peer.podSelector === undefined) return true;
    return referenceSelects(peer.podSelector, endpoint.labels);
}

function referencePortMatches(port: PolicyPort, c: Connection): boolean {
    const protocol = c.protocol ?? "TCP";
    if ((port.protocol ?? "TCP") !== protocol) return false;
    if (port.port === undefined) return true;
    if (typeof port.port === "number") {
        const last = port.endPort === undefined ? port.port : port.endPort;
        for (let n = port.port; n <= last; n++) if (n === c.port) return true;
        return false;
    }
    if (c.to.kind !== "pod") return false;
    for (const declared of c.to.ports ?? []) {
        if (declared.name === port.port && (declared.protocol ?? "TCP") === protocol && declared.containerPort === c.port) return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded random worlds: namespaces, pods, policies and connections over small alphabets, so that they meet often.
// ---------------------------------------------------------------------------------------------------------------

interface Random {
    int(n: number): number;
    chance(p: number): boolean;
    pick<T>(xs: readonly T[]): T;
    /** 0..max items (1..max with min 1). */
    times<T>(max: number, make: (i: number) => T, min?: number): T[];
}

/** mulberry32 (Tommy Ettinger's 32-bit PRNG). */
function random(seed: number): Random {
    let state = seed >>> 0;
    const next = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number) => Math.floor(next() * n);
    return {
        int,
        chance: (p) => next() < p,
        pick: (xs) => xs[int(xs.length)],
        times: (max, make, min = 0) => Array.from({ length: min + int(max - min + 1) }, (_, i) => make(i)),
    };
}

const KEYS = ["app", "tier", "env"];
const VALUES = ["a", "b", "c"];
const NS = ["ns0", "ns1", "ns2", "ns3"]; // ns3 is not among the namespaces given: it has only its name label
const PORT_NAMES = ["http", "dns", "metrics"];
const PORTS = [53, 80, 443, 8080, 32000, 32500, 32768, 32769];
const PROTOCOLS: (Protocol | undefined)[] = [undefined, "TCP", "UDP", "SCTP"];
const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
const NODES = ["n1", "n2"];
const PREFIXES = { v4: [0, 8, 16, 24, 29, 30, 32], v6: [0, 32, 64, 112, 125, 126, 128] };

function randomIp(r: Random, v6 = r.chance(0.5)): string {
    if (!v6) return r.chance(0.7) ? `10.0.${r.int(4)}.${r.int(8)}` : `203.0.113.${r.int(8)}`;
    if (r.chance(0.7)) return r.chance(0.7) ? `fd00::${r.int(4)}:${r.int(8)}` : `fd00:0:0:0:0:0:${r.int(4)}:${r.int(8)}`;
    return `2001:db8::${r.int(8)}`;
}

function randomCidr(r: Random, v6: boolean, longerThan = -1): string | undefined {
    const prefixes = PREFIXES[v6 ? "v6" : "v4"].filter((p) => p > longerThan);
    return prefixes.length ? `${randomIp(r, v6)}/${r.pick(prefixes)}` : undefined;
}

function randomLabels(r: Random): Labels {
    return Object.fromEntries(KEYS.filter(() => r.chance(0.5)).map((k) => [k, r.pick(VALUES)]));
}

function randomSelector(r: Random, forNamespaces: boolean): LabelSelector {
    if (r.chance(0.25)) return {};
    const keys = forNamespaces ? [...KEYS, NAME] : KEYS;
    const valuesOf = (key: string) => (key === NAME ? NS : VALUES);
    const selector: LabelSelector = {};
    if (r.chance(0.5)) selector.matchLabels = Object.fromEntries(r.times(1, () => r.pick(keys)).map((k) => [k, r.pick(valuesOf(k))]));
    if (r.chance(0.6)) {
        selector.matchExpressions = r.times(2, () => {
            const key = r.pick(keys);
            const operator = r.pick(OPERATORS);
            if (operator === "In" || operator === "NotIn") return { key, operator, values: r.times(2, () => r.pick(valuesOf(key)), 1) };
            return r.chance(0.5) ? { key, operator } : { key, operator, values: [] };
        });
    }
    return selector;
}

function randomPeer(r: Random): PolicyPeer {
    switch (r.int(4)) {
        case 0: {
            const v6 = r.chance(0.5);
            const cidr = randomCidr(r, v6)!;
            if (r.chance(0.4)) return { ipBlock: { cidr } };
            const prefix = Number(cidr.split("/")[1]);
            return { ipBlock: { cidr, except: r.times(2, () => randomCidr(r, v6, prefix)).filter((e): e is string => e !== undefined) } };
        }
        case 1:
            return { podSelector: randomSelector(r, false) };
        case 2:
            return { namespaceSelector: randomSelector(r, true) };
        default:
            return { podSelector: randomSelector(r, false), namespaceSelector: randomSelector(r, true) };
    }
}

function randomPort(r: Random): PolicyPort {
    const protocol = r.pick(PROTOCOLS);
    const port: PolicyPort = protocol ? { protocol } : {};
    const kind = r.int(4);
    if (kind === 1) port.port = r.pick(PORTS);
    if (kind === 2) {
        const first = r.pick(PORTS);
        return { ...port, port: first, endPort: r.pick(PORTS.filter((n) => n >= first)) };
    }
    if (kind === 3) port.port = r.pick([...PORT_NAMES, "other"]);
    return port;
}

/** Absent, empty, or 1..max items. */
function randomList<T>(r: Random, max: number, make: () => T): T[] | undefined {
    const x = r.int(10);
    return x < 2 ? undefined : x < 3 ? [] : r.times(max, make, 1);
}

function randomRule<F extends "from" | "to">(r: Random, field: F): { [K in F]?: PolicyPeer[] } & { ports?: PolicyPort[] } {
    const rule: { from?: PolicyPeer[]; to?: PolicyPeer[]; ports?: PolicyPort[] } = {};
    const peers = randomList(r, 3, () => randomPeer(r));
    const ports = randomList(r, 2, () => randomPort(r));
    if (peers) rule[field] = peers;
    if (ports) rule.ports = ports;
    return rule as { [K in F]?: PolicyPeer[] } & { ports?: PolicyPort[] };
}

function randomPolicy(r: Random, i: number): NetworkPolicy {
    const spec: Spec = {};
    if (r.chance(0.9)) spec.podSelector = randomSelector(r, false);
    const types = r.pick([undefined, undefined, [], ["Ingress"], ["Egress"], ["Ingress", "Egress"]] as Spec["policyTypes"][]);
    if (types) spec.policyTypes = types;
    const ingress = randomList(r, 2, () => randomRule(r, "from"));
    const egress = randomList(r, 2, () => randomRule(r, "to"));
    if (ingress) spec.ingress = ingress;
    if (egress) spec.egress = egress;
    return { namespace: r.pick(NS), name: `p${i}`, spec };
}

function randomPod(r: Random): PodEndpoint {
    const extra: Partial<PodEndpoint> = {};
    if (r.chance(0.85)) extra.ip = randomIp(r);
    if (r.chance(0.7)) extra.node = r.pick(NODES);
    extra.ports = r.times(3, () => {
        const protocol = r.pick(PROTOCOLS);
        return { ...(r.chance(0.8) ? { name: r.pick(PORT_NAMES) } : {}), containerPort: r.pick(PORTS), ...(protocol ? { protocol } : {}) };
    });
    return pod(r.pick(NS), randomLabels(r), extra);
}

function randomConnection(r: Random, pods: PodEndpoint[]): Connection {
    const endpoint = (): Endpoint => (r.chance(0.75) ? r.pick(pods) : address(randomIp(r), r.chance(0.4) ? r.pick(NODES) : undefined));
    const [from, to] = [endpoint(), endpoint()];
    // Often a port the destination declares, so that named ports meet.
    const declared = to.kind === "pod" ? (to.ports ?? []) : [];
    const useDeclared = declared.length > 0 && r.chance(0.5);
    const port = useDeclared ? r.pick(declared).containerPort : r.pick(PORTS);
    return conn(from, to, port, r.pick(PROTOCOLS));
}

/** A world from its seed alone, so that a failure's seed reproduces it. */
function randomWorld(seed: number) {
    const r = random(seed);
    const namespaces = Object.fromEntries(NS.slice(0, 3).map((n) => [n, randomLabels(r)]));
    const pods = r.times(6, () => randomPod(r), 2);
    const policies = r.times(5, (i) => randomPolicy(r, i));
    const connections = Array.from({ length: CONNECTIONS }, () => randomConnection(r, pods));
    return { seed, namespaces, policies, connections };
}

function randomBits(r: Random, width: number, v6: boolean): bigint {
    // IPv6 groups are often zero, for "::" to appear.
    let bits = 0n;
    for (let i = 0; i < width / 16; i++) bits = (bits << 16n) | BigInt(v6 && r.chance(0.4) ? 0 : r.int(0x10000));
    return bits;
}

/** The address in one of its textual forms: IPv6 full, zero-padded, upper-case, or with "::". */
function bitsText(r: Random, bits: bigint, v6: boolean): string {
    if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join(".");
    const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((bits >> s) & 0xffffn).toString(16));
    switch (r.int(4)) {
        case 0:
            return groups.join(":");
        case 1:
            return groups.map((g) => g.padStart(4, "0")).join(":");
        case 2:
            return groups.join(":").toUpperCase();
        default:
            return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
    }
}

/**
 * Declared network flows (issue 18): every component states the connections it needs, as data, and the
 * Platform records them all in one ConfigMap (`hangar-declared-flows`, key `flows.json`) that the stack
 * creates, so the offline check and `pulumi preview --policy-pack` on the real engine read the same
 * declaration. The wiring rules evaluate it against the stack's NetworkPolicies the way the AWS VPC CNI
 * enforces them (pods take IPs of the private subnets, so an ipBlock on a subnet admits every pod in it) and
 * against the data tier's security groups, per CIDR.
 *
 * An endpoint is pods (`namespace` and a subset of their labels; `{}` is every pod of the namespace) or
 * addresses (`cidrs`, minus `except`, named): the AWS services live at addresses, not pods.
 */

/** Pods of a namespace carrying these labels. */
export interface PodFlowEndpoint {
    namespace: string;
    podLabels: Record<string, string>;
    /** How the matrix names it. */
    name: string;
}

/** Addresses outside the pod network (or the nodes and control-plane ENIs in it). */
export interface AddressFlowEndpoint {
    cidrs: string[];
    except?: string[];
    name: string;
    /**
     * The data store at these addresses, so the wiring rules judge the flow against that store's security groups
     * (RDS instances, RDS Proxy, ElastiCache); as a source, the store's own groups (a database admits RDS Proxy by
     * its group) and their egress rules.
     */
    store?: DataStoreKind;
}

/**
 * The data stores a flow can name: RDS for PostgreSQL instances, RDS Proxy, ElastiCache; and the AWS pieces with
 * security groups of their own in the database's subnets: the master secret's rotation function (a SAR stack's
 * Lambda) and the Secrets Manager interface endpoint.
 */
export type DataStoreKind = "postgres" | "postgres-proxy" | "cache" | "rotation-function" | "secrets-manager-endpoint";

export type FlowEndpoint = PodFlowEndpoint | AddressFlowEndpoint;

export interface DeclaredFlow {
    from: FlowEndpoint;
    to: FlowEndpoint;
    port: number;
    protocol: "TCP" | "UDP";
    /** What the connection is for. */
    why: string;
    /** The component that needs it. */
    component: string;
}

/** The whole declaration: the flows and where pod addresses come from. */
export interface FlowDeclaration {
    /** The network plugin whose ipBlock semantics the evaluation follows. */
    network: { plugin: "aws-vpc-cni"; vpcId: string; podCidrs: string[] };
    flows: DeclaredFlow[];
}

/** Name of the ConfigMap the Platform creates (in the app namespace) and of its data key. */
export const DECLARED_FLOWS = { configMap: "hangar-declared-flows", key: "flows.json" };

/**
 * "The internet" on 443: everything but the private ranges (RFC 1918, RFC 6598 shared space, link-local), which
 * is where S3 and STS answer (their public endpoints, through the NAT gateway or an S3 gateway endpoint, whose
 * prefix list is public: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html).
 */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"];

export const pods = (namespace: string, podLabels: Record<string, string>, name: string): PodFlowEndpoint => ({
    namespace,
    podLabels,
    name: `${namespace}/${name}`,
});

export const addresses = (name: string, cidrs: string[], except?: string[], store?: DataStoreKind): AddressFlowEndpoint => ({
    name,
    cidrs: [...cidrs],
    ...(except ? { except: [...except] } : {}),
    ...(store ? { store } : {}),
});

export const internet = (what: string): AddressFlowEndpoint => addresses(`internet (${what})`, ["0.0.0.0/0"], PRIVATE_RANGES);

/**
 * CoreDNS: kube-system pods labelled `k8s-app: kube-dns`, which allow-dns selects (the EKS CoreDNS add-on's labels, as
 * kube-prometheus-stack-88.5.3/templates/exporters/core-dns/service.yaml selects them too).
 */
export const KUBE_DNS = pods("kube-system", { "k8s-app": "kube-dns" }, "kube-dns");

/** Every pod of `namespace` asks kube-dns on 53, UDP and TCP (truncated answers retry over TCP: RFC 7766 section 5). */
export function dnsFlows(namespace: string, component: string): DeclaredFlow[] {
    const from = pods(namespace, {}, "*");
    return (["UDP", "TCP"] as const).map((protocol) => ({ from, to: KUBE_DNS, port: 53, protocol, why: "DNS", component }));
}

/** The data tier at its subnets, named by port (RDS writer and replicas on 5432, ElastiCache on 6379). */
export const dataStore = (port: number, cidrs: string[]): AddressFlowEndpoint =>
    port === 5432
        ? addresses("postgres (writer, replicas)", cidrs, undefined, "postgres")
        : port === 6379
          ? addresses("cache", cidrs, undefined, "cache")
          : addresses(`data tier ${port}`, cidrs);

/** RDS Proxy, whose ENIs live in the database's subnets (`vpcSubnetIds`), on 5432. */
export const proxyEndpoint = (cidrs: string[]): AddressFlowEndpoint => addresses("postgres proxy", cidrs, undefined, "postgres-proxy");

/** The master secret's rotation function, whose ENIs live in the database's subnets (`vpcSubnetIds`). */
export const rotationFunction = (cidrs: string[]): AddressFlowEndpoint =>
    addresses("postgres rotation function", cidrs, undefined, "rotation-function");

/** The Secrets Manager interface endpoint, whose ENIs live in the database's subnets, on 443. */
export const secretsManagerEndpoint = (cidrs: string[]): AddressFlowEndpoint =>
    addresses("Secrets Manager endpoint", cidrs, undefined, "secrets-manager-endpoint");

/** A TCP flow. */
export const tcpFlow = (from: FlowEndpoint, to: FlowEndpoint, port: number, why: string, component: string): DeclaredFlow => ({
    from,
    to,
    port,
    protocol: "TCP",
    why,
    component,
});

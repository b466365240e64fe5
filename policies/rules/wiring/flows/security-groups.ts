/**
 * The data tier's security groups, evaluated per CIDR like the declared flows' NetworkPolicies. A
 * security group admits a packet when one of its ingress rules matches protocol, port range and source
 * (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html): a CIDR holding the source
 * address, or a referenced group the source's network interface carries. Rules are read inline
 * (`aws:ec2/securityGroup:SecurityGroup` ingress: protocol "tcp", "6" or "-1", fromPort..toPort, cidrBlocks,
 * ipv6CidrBlocks, securityGroups, self) and as separate `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`
 * resources (ipProtocol, fromPort, toPort, cidrIpv4, cidrIpv6, referencedSecurityGroupId), related to their
 * group by propertyDependencies.securityGroupId. A store's groups are its `vpcSecurityGroupIds` (RDS) or
 * `securityGroupIds` (ElastiCache) by propertyDependencies, never by ID.
 *
 * Pods without Security Groups for Pods send from their node's ENIs with the node's groups, so a rule
 * referencing a group the stack does not create is taken to admit the pods (the node group is the only group
 * such a rule can mean); CIDR granularity cannot tell two pods of one subnet apart. A reference to a group the
 * stack creates (RDS Proxy's, found by propertyDependencies: inline rules by their group's `ingress`/`egress`,
 * rule resources by `referencedSecurityGroupId`) admits only what carries that group: the store that has it.
 * For inline rules the dependencies are those of the whole list, so every referencing rule of a group is taken
 * to reference each of them, and a rule references a group outside the stack when the group's rules name more
 * groups than it depends on. A store that is a flow's source (RDS Proxy opening connections to the writer)
 * must also be let out by its own groups' egress rules: a group Pulumi creates has no egress rule but those it
 * is given (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/).
 */
import { cidrContains, parseCidr, parseIp } from "./cidr";

export interface SgRule {
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidrs: string[];
    /** The rule references other groups (or its own). */
    groups: boolean;
    /** URNs of the stack's groups it references. @default [] */
    refs?: string[];
    /** It references a group the stack does not create (the nodes' group): it admits the pods. @default groups */
    external?: boolean;
}

export interface SecurityGroupModel {
    urn: string;
    name: string;
    vpcId?: string;
    rules: SgRule[];
    /** Egress rules (judged only for a store that is a flow's source). @default [] */
    egress?: SgRule[];
}

export interface DataStore {
    urn: string;
    name: string;
    port: number;
    /** `postgres` (RDS instances), `postgres-proxy` (RDS Proxy) or `cache` (ElastiCache), as declared endpoints name them. */
    kind?: string;
    groups: SecurityGroupModel[];
}

export interface SgVerdict {
    admitted: boolean;
    /** The stores whose groups block the source, with those groups. */
    blocked: { store: DataStore; source: string }[];
}

function portMatches(rule: SgRule, port: number): boolean {
    const proto = rule.protocol.toLowerCase();
    if (proto === "-1" || proto === "all") return true;
    if (proto !== "tcp" && proto !== "6") return false;
    return rule.fromPort !== undefined && rule.toPort !== undefined && port >= rule.fromPort && port <= rule.toPort;
}

/** Whether a rule matches TCP `port` and references one of `groups` (URNs). */
export function ruleAdmitsGroups(rule: SgRule, port: number, groups: string[]): boolean {
    return portMatches(rule, port) && (rule.refs ?? []).some((u) => groups.includes(u));
}

/** Whether a rule admits TCP `port` from `ip` (an egress rule: to `ip`). */
export function ruleAdmits(rule: SgRule, port: number, ip: string): boolean {
    if (!portMatches(rule, port)) return false;
    const address = parseIp(ip);
    return (
        (rule.external ?? rule.groups) ||
        (address !== undefined &&
            rule.cidrs.some((c) => {
                const b = parseCidr(c);
                return b !== undefined && cidrContains(b, address);
            }))
    );
}

/**
 * The verdict of the stores' groups on TCP `port` from each source address; a source that is a store itself
 * (`sourceGroups`: its groups' URNs) is also admitted by a rule referencing one of its groups.
 */
export function securityGroupVerdict(stores: DataStore[], port: number, sources: string[], sourceGroups: string[] = []): SgVerdict {
    const blocked: SgVerdict["blocked"] = [];
    const admits = (r: SgRule, source: string) => ruleAdmits(r, port, source) || ruleAdmitsGroups(r, port, sourceGroups);
    for (const store of stores)
        for (const source of sources)
            if (!store.groups.some((g) => g.rules.some((r) => admits(r, source)))) blocked.push({ store, source });
    return { admitted: blocked.length === 0, blocked };
}

/** The source store's groups that let nothing out to the destination (its stores' groups, or each of its addresses) on TCP `port`. */
export function egressBlocked(source: DataStore, port: number, destinations: string[], destinationGroups: string[]): SecurityGroupModel[] {
    const out = (r: SgRule) => ruleAdmitsGroups(r, port, destinationGroups) || destinations.every((ip) => ruleAdmits(r, port, ip));
    return source.groups.some((g) => (g.egress ?? []).some(out)) ? [] : source.groups;
}

/**
 * A group's rules from an inline `ingress` or `egress` list, given the URNs of the stack's groups the list depends on.
 * Fields are read one by one and a referenced group's ID never: during preview the ID of a group the stack creates is
 * unknown, while how many a rule names is known.
 */
export function inlineRules(list: Record<string, unknown>[] | undefined, deps: string[] = [], own?: string): SgRule[] {
    const items = list ?? [];
    const named = (r: Record<string, unknown>) => ((r.securityGroups as unknown[] | undefined) ?? []).length;
    const total = items.reduce((n, r) => n + named(r), 0);
    return items.map((r) => {
        const self = r.self === true;
        const groups = named(r) > 0 || self;
        return {
            protocol: String(r.protocol ?? ""),
            fromPort: r.fromPort as number | undefined,
            toPort: r.toPort as number | undefined,
            cidrs: [...((r.cidrBlocks as string[] | undefined) ?? []), ...((r.ipv6CidrBlocks as string[] | undefined) ?? [])],
            groups,
            refs: [...(named(r) > 0 ? deps : []), ...(self && own ? [own] : [])],
            external: named(r) > 0 && total > deps.length,
        };
    });
}

/** One rule from a `SecurityGroupIngressRule` or `SecurityGroupEgressRule` resource; `refs`: its referenced group, when the stack creates it. */
export function ingressRuleResource(p: Record<string, unknown>, refs: string[] = []): SgRule {
    const groups = refs.length > 0 || typeof p.referencedSecurityGroupId === "string";
    return {
        protocol: String(p.ipProtocol ?? ""),
        fromPort: p.fromPort as number | undefined,
        toPort: p.toPort as number | undefined,
        cidrs: [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string"),
        groups,
        refs,
        external: groups && refs.length === 0,
    };
}

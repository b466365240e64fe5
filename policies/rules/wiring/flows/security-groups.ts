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
 * referencing a group is taken to admit the pods (the node group is the only group such a rule can mean);
 * CIDR granularity cannot tell two pods of one subnet apart.
 */
import { cidrContains, parseCidr, parseIp } from "./cidr";

export interface SgRule {
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidrs: string[];
    /** The rule references other groups (or its own). */
    groups: boolean;
}

export interface SecurityGroupModel {
    urn: string;
    name: string;
    vpcId?: string;
    rules: SgRule[];
}

export interface DataStore {
    urn: string;
    name: string;
    port: number;
    groups: SecurityGroupModel[];
}

export interface SgVerdict {
    admitted: boolean;
    /** The stores whose groups block the source, with those groups. */
    blocked: { store: DataStore; source: string }[];
}

/** Whether a rule admits TCP `port` from `ip`. */
export function ruleAdmits(rule: SgRule, port: number, ip: string): boolean {
    const proto = rule.protocol.toLowerCase();
    if (proto !== "-1" && proto !== "all") {
        if (proto !== "tcp" && proto !== "6") return false;
        if (rule.fromPort === undefined || rule.toPort === undefined || port < rule.fromPort || port > rule.toPort) return false;
    }
    const address = parseIp(ip);
    return (
        rule.groups ||
        (address !== undefined &&
            rule.cidrs.some((c) => {
                const b = parseCidr(c);
                return b !== undefined && cidrContains(b, address);
            }))
    );
}

/** The verdict of the stores' groups on TCP `port` from each source address. */
export function securityGroupVerdict(stores: DataStore[], port: number, sources: string[]): SgVerdict {
    const blocked: SgVerdict["blocked"] = [];
    for (const store of stores)
        for (const source of sources)
            if (!store.groups.some((g) => g.rules.some((r) => ruleAdmits(r, port, source)))) blocked.push({ store, source });
    return { admitted: blocked.length === 0, blocked };
}

/** A group's ingress rules from the inline `ingress` list. */
export function inlineRules(ingress: Record<string, unknown>[] | undefined): SgRule[] {
    return (ingress ?? []).map((r) => ({
        protocol: String(r.protocol ?? ""),
        fromPort: r.fromPort as number | undefined,
        toPort: r.toPort as number | undefined,
        cidrs: [...((r.cidrBlocks as string[] | undefined) ?? []), ...((r.ipv6CidrBlocks as string[] | undefined) ?? [])],
        groups: ((r.securityGroups as string[] | undefined) ?? []).length > 0 || r.self === true,
    }));
}

/** One rule from a `SecurityGroupIngressRule` resource. */
export function ingressRuleResource(p: Record<string, unknown>): SgRule {
    return {
        protocol: String(p.ipProtocol ?? ""),
        fromPort: p.fromPort as number | undefined,
        toPort: p.toPort as number | undefined,
        cidrs: [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string"),
        groups: typeof p.referencedSecurityGroupId === "string",
    };
}

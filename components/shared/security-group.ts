/**
 * A security group that admits one TCP port from the given CIDRs and groups,
 * named `<name>-sg` under the calling component (URNs must not move).
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";

/** A security group admitting `port` (TCP) from `cidrs` and `securityGroupIds` only; no egress rules. */
export function singlePortSecurityGroup(
    name: string,
    a: {
        groupName: string;
        description: string;
        ruleDescription: string;
        vpcId: pulumi.Input<string>;
        port: number;
        cidrs?: pulumi.Input<string[]>;
        securityGroupIds?: pulumi.Input<string>[];
        /** More rules on the same port admitting other groups, each its own entry (adding one leaves the first rule as it is). */
        references?: { description: string; securityGroupIds: pulumi.Input<string>[] }[];
    },
    parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            name: a.groupName,
            description: a.description,
            vpcId: a.vpcId,
            ingress: [
                {
                    description: a.ruleDescription,
                    protocol: "tcp",
                    fromPort: a.port,
                    toPort: a.port,
                    cidrBlocks: a.cidrs ?? [],
                    securityGroups: a.securityGroupIds ?? [],
                },
                ...(a.references ?? []).map((r) => ({
                    description: r.description,
                    protocol: "tcp",
                    fromPort: a.port,
                    toPort: a.port,
                    cidrBlocks: [],
                    securityGroups: r.securityGroupIds,
                })),
            ],
        },
        { parent },
    );
}

/**
 * The egress a client of the database that reads its secret needs (RDS Proxy, the rotation function): TCP `port` to
 * the database's group (by reference) and HTTPS to Secrets Manager (a NAT gateway or an interface endpoint, so any
 * address). Named `<name>-<prefix>-to-db` and `<name>-<prefix>-to-secrets` (URNs must not move).
 */
export function databaseClientEgress(
    name: string,
    a: {
        prefix: string;
        securityGroupId: pulumi.Input<string>;
        databaseSecurityGroupId: pulumi.Input<string>;
        port: number;
        descriptions: { database: string; secrets: string };
    },
    parent: pulumi.Resource,
): aws.vpc.SecurityGroupEgressRule[] {
    const rule = (
        suffix: string,
        description: string,
        port: number,
        to: { referencedSecurityGroupId?: pulumi.Input<string>; cidrIpv4?: string },
    ) =>
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-${a.prefix}-${suffix}`,
            { securityGroupId: a.securityGroupId, description, ipProtocol: "tcp", fromPort: port, toPort: port, ...to },
            { parent },
        );
    return [
        rule("to-db", a.descriptions.database, a.port, { referencedSecurityGroupId: a.databaseSecurityGroupId }),
        rule("to-secrets", a.descriptions.secrets, 443, { cidrIpv4: "0.0.0.0/0" }),
    ];
}

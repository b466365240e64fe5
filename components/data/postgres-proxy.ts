/**
 * RDS Proxy in front of the writer ("Amazon RDS Proxy",
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html): the app tier connects to the proxy,
 * which pools connections to the writer with the master credentials it reads from Secrets Manager.
 *
 * - TLS: `requireTls` refuses plaintext clients. The proxy presents an ACM certificate, which chains to the
 *   Amazon Trust Services roots, not to the RDS CAs ("Using TLS/SSL with RDS Proxy",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.howitworks.html#rds-proxy-security.tls):
 *   a verify-full client names the proxy bundle (shared/ca-bundle.ts `proxy`).
 * - Reads: RDS Proxy's read-only endpoints work only with Aurora DB clusters ("Working with Amazon RDS Proxy
 *   endpoints", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.html), so the
 *   instance replicas stay reached directly (DATABASE_READ_URL).
 * - Role: the proxy reads only the database's secret and decrypts it only through Secrets Manager
 *   (`kms:ViaService`), as "Setting up IAM authentication for RDS Proxy" gives it
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html).
 * - Network: its own security group admits 5432 from the app tier's subnets; its egress rules reach the database's
 *   group on 5432 (a separate rule resource: the database's group references the proxy's, so two inline references
 *   would be a cycle) and Secrets Manager on 443, which the proxy calls from its ENIs to read the credentials: a
 *   group Pulumi creates lets nothing out but its rules (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/),
 *   and a proxy that cannot reach Secrets Manager leaves its target PENDING_PROXY_CAPACITY, then "unavailable due to
 *   an internal error" (not in the RDS guide; a field report worked out with AWS Support:
 *   https://openillumi.com/en/en-fix-rds-proxy-pending-capacity-error-terraform). Secrets Manager answers at its
 *   public regional endpoint (through the NAT gateway) or at an interface endpoint's ENIs in the VPC
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html), so 443 goes to any
 *   address. The database's group admits the proxy's group by reference.
 * - Not a stateful resource (tools/stateful.ts): the proxy holds no data; replacing it interrupts connections and
 *   moves DATABASE_URL to the new endpoint, which the next `up` writes into the app's Secret.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { databaseClientEgress, singlePortSecurityGroup } from "../shared/security-group";
import { AccountContext, serviceRole } from "../shared/service-role";
import type { PostgresProxySettings } from "./postgres-args";

/** The proxy's group, created before the database's (which references it). */
export function proxySecurityGroup(
    name: string,
    a: { id: string; vpcId: pulumi.Input<string>; cidrs?: pulumi.Input<string[]>; securityGroupIds?: pulumi.Input<string>[] },
    parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
    return singlePortSecurityGroup(
        `${name}-proxy`,
        {
            groupName: `${a.id}-postgres-proxy`,
            description: `RDS Proxy of ${a.id}: 5432 from the app tier only`,
            ruleDescription: "PostgreSQL from the app tier",
            vpcId: a.vpcId,
            port: 5432,
            cidrs: a.cidrs,
            securityGroupIds: a.securityGroupIds,
        },
        parent,
    );
}

/** The IAM policy of the proxy's role: the one secret, and its key only through Secrets Manager. */
export function proxyRolePolicy(a: { secretArn: string; kmsKeyArn: string; region: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: a.secretArn },
            {
                Sid: "DecryptThroughSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: a.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
            },
        ],
    });
}

export interface PostgresProxyArgs {
    id: string;
    settings: Required<PostgresProxySettings>;
    subnetIds: pulumi.Input<string[]>;
    securityGroup: aws.ec2.SecurityGroup;
    databaseSecurityGroup: aws.ec2.SecurityGroup;
    secretArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    account: AccountContext;
    /** The writer (its identifier registers it as the default target group's target). */
    writer: aws.rds.Instance;
}

/** The proxy, its role, its pool and its target; returns the proxy. */
export function postgresProxy(name: string, a: PostgresProxyArgs, parent: pulumi.Resource): aws.rds.Proxy {
    const child = { parent };
    const role = serviceRole(
        `${name}-proxy`,
        { description: `RDS Proxy of ${a.id}: reads the master secret`, service: "rds.amazonaws.com", account: a.account },
        parent,
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-proxy`,
        {
            role: role.id,
            policy: pulumi
                .all([a.secretArn, a.kmsKeyArn, a.account.region])
                .apply(([secretArn, kmsKeyArn, region]) => proxyRolePolicy({ secretArn, kmsKeyArn, region })),
        },
        child,
    );
    databaseClientEgress(
        name,
        {
            prefix: "proxy",
            securityGroupId: a.securityGroup.id,
            databaseSecurityGroupId: a.databaseSecurityGroup.id,
            port: 5432,
            descriptions: { database: "PostgreSQL to the writer", secrets: "HTTPS to Secrets Manager (the master credentials)" },
        },
        parent,
    );
    const proxy = new aws.rds.Proxy(
        `${name}-proxy`,
        {
            name: a.id,
            engineFamily: "POSTGRESQL",
            requireTls: true,
            idleClientTimeout: a.settings.idleClientTimeout,
            roleArn: role.arn,
            vpcSubnetIds: a.subnetIds,
            vpcSecurityGroupIds: [a.securityGroup.id],
            debugLogging: false,
            // Clients log in with the master user's password, which the proxy checks against the secret (SCRAM).
            auths: [
                {
                    authScheme: "SECRETS",
                    secretArn: a.secretArn,
                    iamAuth: "DISABLED",
                    clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                    description: `master credentials of ${a.id}`,
                },
            ],
        },
        // The role must be able to read the secret before the proxy first reads it.
        { parent, dependsOn: [policy] },
    );
    const pool = new aws.rds.ProxyDefaultTargetGroup(
        `${name}-proxy`,
        {
            dbProxyName: proxy.name,
            connectionPoolConfig: {
                maxConnectionsPercent: a.settings.maxConnectionsPercent,
                maxIdleConnectionsPercent: a.settings.maxIdleConnectionsPercent,
                connectionBorrowTimeout: a.settings.connectionBorrowTimeout,
            },
        },
        child,
    );
    new aws.rds.ProxyTarget(
        `${name}-proxy`,
        { dbProxyName: proxy.name, targetGroupName: pool.name, dbInstanceIdentifier: a.writer.identifier },
        child,
    );
    return proxy;
}

/** Pieces of a PostgresDatabase without relations of their own: its log groups and its monitoring role. */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountContext, serviceRole } from "../shared/service-role";
import { LOG_EXPORTS } from "./postgres-args";

/**
 * The log groups RDS exports to (`/aws/rds/instance/<id>/<log>`, "Publishing PostgreSQL logs to
 * Amazon CloudWatch Logs"), with a retention and the database's key, instead of the never-expiring,
 * unencrypted ones RDS would create. Where RDS created them already, `adopt` imports them as they are.
 */
export function rdsLogGroups(
    name: string,
    id: string,
    retentionInDays: number,
    key: aws.kms.Key,
    adopt: boolean,
    parent: pulumi.Resource,
): aws.cloudwatch.LogGroup[] {
    return LOG_EXPORTS.map((log) => {
        const logGroupName = `/aws/rds/instance/${id}/${log}`;
        return new aws.cloudwatch.LogGroup(
            `${name}-logs-${log}`,
            adopt ? { name: logGroupName } : { name: logGroupName, retentionInDays, kmsKeyId: key.arn },
            { parent, ...(adopt ? { import: logGroupName } : {}) },
        );
    });
}

export function monitoringRole(name: string, id: string, account: AccountContext, parent: pulumi.Resource): aws.iam.Role {
    return serviceRole(
        `${name}-monitoring`,
        {
            description: `RDS enhanced monitoring for ${id}`,
            service: "monitoring.rds.amazonaws.com",
            account,
            // The primary and its replicas (`<id>-replica-<n>`) publish through this role.
            sourceArn: ({ partition, region, account }) => pulumi.interpolate`arn:${partition}:rds:${region}:${account}:db:${id}*`,
            managedPolicies: { [`${name}-monitoring`]: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" },
        },
        parent,
    );
}

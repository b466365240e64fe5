/**
 * AWS Backup restore testing of the database (issue 20): on a schedule, AWS Backup restores the latest
 * recovery point of the primary vault into a temporary instance, keeps it for the validation window and
 * deletes it ("Restore testing", https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html).
 * A failed or aborted restore job notifies the alarm topic through EventBridge.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";

/** The defaults `RestoreTestingSettings` documents. */
export const RESTORE_TESTING_DEFAULTS = {
    enabled: true,
    schedule: "cron(0 6 ? * SUN *)",
    instanceClass: "db.t4g.micro",
    validationWindowHours: 2,
    selectionWindowDays: 7,
    startWindowHours: 8,
};

/** How AWS Backup tests restores of the database (what a stack file sets). */
export interface RestoreTestingSettings {
    /** Test restores of the database while backups are on. @default true */
    enabled?: boolean;
    /** AWS cron expression (UTC) of the restore tests. @default "cron(0 6 ? * SUN *)" */
    schedule?: string;
    /**
     * Class of the temporary instance: the smallest that restores the database's engine and storage (the restore
     * proves the recovery point, not the production load). @default "db.t4g.micro"
     */
    instanceClass?: string;
    /** Hours the restored instance is kept for validation before AWS Backup deletes it (1–168). @default 2 */
    validationWindowHours?: number;
    /** The latest recovery point within this many days is restored (1–365). @default 7 */
    selectionWindowDays?: number;
}

/** Where the temporary instance goes: the database's own subnet group and security group (Platform sets them). */
export interface RestoreTestingTargetArgs {
    /** The database's DB subnet group. */
    subnetGroupName: pulumi.Input<string>;
    /** The database's security groups. */
    securityGroupIds: pulumi.Input<string>[];
}

/**
 * Restore-testing plan and selection names allow letters, digits and underscores only (1–50 characters: the
 * `name` of aws.backup.RestoreTestingPlan, node_modules/@pulumi/aws/backup/restoreTestingPlan.d.ts), unlike
 * `physicalName`'s hyphens.
 */
export function restoreTestingName(id: string, suffix = ""): string {
    const clean = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
    return `${clean(id).slice(0, 50 - suffix.length)}${clean(suffix)}`;
}

/**
 * `restoreMetadataOverrides` of an RDS instance: the temporary instance in the database's subnet group and
 * security group, at the small class. Overridable keys of "Amazon RDS instances" in "Restore testing inferred
 * metadata" (https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing-inferred-metadata.html);
 * without them AWS Backup infers the default VPC, which Hangar's accounts need not have. `vpcSecurityGroupIds`
 * is a JSON list, as the restore metadata of an RDS recovery point carries it.
 */
export function rdsRestoreOverrides(a: { instanceClass: string; subnetGroupName: string; securityGroupIds: string[] }) {
    return {
        dbInstanceClass: a.instanceClass,
        dbSubnetGroupName: a.subnetGroupName,
        vpcSecurityGroupIds: JSON.stringify(a.securityGroupIds),
    };
}

/**
 * EventBridge pattern of a restore job that failed or was aborted: AWS Backup's "Restore Job State Change"
 * events carry `detail.status` ("Monitoring AWS Backup events using Amazon EventBridge", restore job events,
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html).
 */
export const RESTORE_FAILURE_PATTERN = {
    source: ["aws.backup"],
    "detail-type": ["Restore Job State Change"],
    detail: { status: ["FAILED", "ABORTED"] },
};

export interface RestoreTestingArgs extends RestoreTestingSettings {
    /** Name stem: the database identifier. */
    identifier: string;
    /** The vault whose recovery points are restored. */
    vaultArn: pulumi.Input<string>;
    /** The database under test. */
    databaseArn: pulumi.Input<string>;
    /** The role AWS Backup restores with. */
    roleArn: pulumi.Input<string>;
    target: RestoreTestingTargetArgs;
    /** The encrypted alarm topic failures go to (its key and policy admit EventBridge: shared/alarms.ts). @default no notification */
    alarmTopicArn?: pulumi.Input<string | undefined>;
}

/** The plan, its RDS selection and the failure notification. */
export function restoreTesting(name: string, a: RestoreTestingArgs, parent: pulumi.Resource): aws.backup.RestoreTestingPlan {
    const d = RESTORE_TESTING_DEFAULTS;
    const child = { parent };
    const plan = new aws.backup.RestoreTestingPlan(
        `${name}-restore-testing`,
        {
            name: restoreTestingName(a.identifier),
            scheduleExpression: a.schedule ?? d.schedule,
            startWindowHours: d.startWindowHours,
            recoveryPointSelection: {
                algorithm: "LATEST_WITHIN_WINDOW",
                includeVaults: [a.vaultArn],
                recoveryPointTypes: ["SNAPSHOT"],
                selectionWindowDays: a.selectionWindowDays ?? d.selectionWindowDays,
            },
        },
        child,
    );
    new aws.backup.RestoreTestingSelection(
        `${name}-restore-testing-rds`,
        {
            name: restoreTestingName(a.identifier, "_rds"),
            restoreTestingPlanName: plan.name,
            protectedResourceType: "RDS",
            protectedResourceArns: [a.databaseArn],
            iamRoleArn: a.roleArn,
            validationWindowHours: a.validationWindowHours ?? d.validationWindowHours,
            restoreMetadataOverrides: pulumi
                .all([a.target.subnetGroupName, pulumi.all(a.target.securityGroupIds)])
                .apply(([subnetGroupName, securityGroupIds]) =>
                    rdsRestoreOverrides({ instanceClass: a.instanceClass ?? d.instanceClass, subnetGroupName, securityGroupIds }),
                ),
        },
        child,
    );
    if (a.alarmTopicArn !== undefined) {
        const rule = new aws.cloudwatch.EventRule(
            `${name}-restore-failures`,
            {
                name: `${a.identifier}-restore-failures`,
                description: `Failed or aborted AWS Backup restore jobs (restore tests of ${a.identifier})`,
                eventPattern: JSON.stringify(RESTORE_FAILURE_PATTERN),
            },
            child,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-restore-failures`,
            { rule: rule.name, arn: pulumi.output(a.alarmTopicArn).apply((arn) => arn as string) },
            child,
        );
    }
    return plan;
}

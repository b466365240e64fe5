import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedKey } from "../shared/kms";
import { lifecycle } from "../shared/lifecycle";
import { BucketReplicationTargetArgs, replicateBucket } from "../shared/bucket-replication";
import { BucketRetentionArgs, secureBucket } from "../shared/secure-bucket";
import { accountContext, serviceRole } from "../shared/service-role";
import { dependsOnOf } from "../shared/external-secrets";
import { DumpJob, DumpJobArgs } from "./dump-job";
import { backupRules } from "./policy-documents";
import { RESTORE_TESTING_DEFAULTS, restoreTesting, RestoreTestingSettings, RestoreTestingTargetArgs } from "./restore-testing";

export type { BucketReplicationTargetArgs } from "../shared/bucket-replication";
export { DumpJob, DumpJobArgs, DumpScheduleArgs, DUMP_CREDENTIALS_SECRET, DUMP_JOB_DEFAULTS } from "./dump-job";
export { dumpJobFlows } from "./flows";
export {
    RESTORE_FAILURE_PATTERN,
    RESTORE_TESTING_DEFAULTS,
    RestoreTestingSettings,
    RestoreTestingTargetArgs,
    restoreTestingName,
} from "./restore-testing";

/** The defaults `BackupsArgs` documents. */
export const BACKUPS_DEFAULTS = {
    environment: "prod",
    dailyRetentionDays: 35,
    monthlyRetentionMonths: 12,
    dailySchedule: "cron(0 3 * * ? *)",
    monthlySchedule: "cron(0 4 1 * ? *)",
    vaultLock: false,
    vaultLockChangeableForDays: 3,
};

/** How long and how often AWS Backup keeps the database, and the dump bucket's lifecycle (what a stack file sets). */
export interface BackupsSettings {
    /** Daily recovery points kept this many days; also the Vault Lock's minimum retention. @default 35 */
    dailyRetentionDays?: number;
    /** Monthly recovery points kept this many months (0: no monthly rule). @default 12 */
    monthlyRetentionMonths?: number;
    /** AWS Backup cron expression (UTC) of the daily rule. @default "cron(0 3 * * ? *)" */
    dailySchedule?: string;
    /** AWS Backup cron expression (UTC) of the monthly rule. @default "cron(0 4 1 * ? *)" */
    monthlySchedule?: string;
    /** Vault Lock: recovery points cannot be deleted early, even by an administrator. @default false */
    vaultLock?: boolean;
    /** Days the lock can still be removed (governance), then it is permanent. @default 3 */
    vaultLockChangeableForDays?: number;
    /** Lifecycle of the dump bucket. @default 30 days to Deep Archive, expiry after 7 years */
    bucketRetention?: BucketRetentionArgs;
    /** AWS Backup restore testing of the database (./restore-testing.ts). @default on, weekly, db.t4g.micro, 2 h validation */
    restoreTesting?: RestoreTestingSettings;
}

export interface BackupsArgs extends BackupsSettings {
    /** `prod`, `staging` or `ephemeral`. @default "prod" */
    environment?: string;
    /** Name stem (vault, plan, bucket). */
    identifier: string;
    /** Account id, part of the dump bucket's globally unique name. */
    accountId: string;
    /** The RDS instance the plan backs up. */
    databaseArn: pulumi.Input<string>;
    /** Copy every recovery point to this vault (the DR vault). @default no copy */
    copyToVaultArn?: pulumi.Input<string>;
    /** Replicate the dump bucket here. @default no replication */
    replicateTo?: BucketReplicationTargetArgs;
    /** The logical dump CronJob. @default none */
    dump?: DumpJobArgs;
    /** The database's subnet group and security groups, where restore tests put the temporary instance. @default no restore testing */
    restoreTarget?: RestoreTestingTargetArgs;
    /** The encrypted alarm topic restore-job failures notify (through EventBridge). @default no notification */
    alarmTopicArn?: pulumi.Input<string>;
}

/**
 * Backups on the source side: an AWS Backup vault and plan (dailies and
 * monthlies, warm only, copied to the DR vault), a dump bucket replicating to
 * the DR bucket, and the restore-tested pg_dump CronJob.
 */
export class Backups extends pulumi.ComponentResource {
    /** ARN of the backup vault. */
    public readonly vaultArn: pulumi.Output<string>;
    /** ID of the AWS Backup plan. */
    public readonly planId: pulumi.Output<string>;
    /** The dump bucket. */
    public readonly bucketName: pulumi.Output<string>;
    /** The customer-managed key of the vault and the dump bucket. */
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:Backups", name, {}, opts);
        const d = BACKUPS_DEFAULTS;
        const life = lifecycle(args.environment ?? d.environment);
        const id = args.identifier;
        const child = { parent: this };
        const stateful = { parent: this, protect: life.protect };

        const kmsKey = managedKey(
            name,
            { description: `Backups of ${id}: vault and dump bucket`, alias: `${id}-backups`, environment: args.environment },
            this,
        );

        const vault = new aws.backup.Vault(`${name}-vault`, { name: id, kmsKeyArn: kmsKey.arn, forceDestroy: !life.protect }, stateful);
        const daily = args.dailyRetentionDays ?? d.dailyRetentionDays;
        const monthly = args.monthlyRetentionMonths ?? d.monthlyRetentionMonths;
        if (args.vaultLock ?? d.vaultLock) {
            new aws.backup.VaultLockConfiguration(
                `${name}-lock`,
                {
                    backupVaultName: vault.name,
                    minRetentionDays: daily,
                    changeableForDays: args.vaultLockChangeableForDays ?? d.vaultLockChangeableForDays,
                },
                child,
            );
        }
        const plan = new aws.backup.Plan(
            `${name}-plan`,
            {
                name: id,
                rules: backupRules({
                    vaultName: vault.name,
                    dailyRetentionDays: daily,
                    monthlyRetentionMonths: monthly,
                    dailySchedule: args.dailySchedule ?? d.dailySchedule,
                    monthlySchedule: args.monthlySchedule ?? d.monthlySchedule,
                    copyToVaultArn: args.copyToVaultArn,
                }),
            },
            child,
        );
        const account = accountContext(this);
        const role = serviceRole(
            `${name}-backup`,
            {
                description: `AWS Backup for ${id}`,
                // AWS Backup runs the backup and restore jobs with it; restore testing is handed it too: creating a
                // restore testing selection needs iam:PassRole with iam:PassedToService restore-testing.backup.amazonaws.com
                // (Service Authorization Reference, AWS Backup, CreateRestoreTestingSelection:
                // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbackup.html).
                service: ["backup.amazonaws.com", "restore-testing.backup.amazonaws.com"],
                account,
                managedPolicies: {
                    [`${name}-backup`]: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                    [`${name}-restore`]: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
                },
            },
            this,
        );
        new aws.backup.Selection(
            `${name}-rds`,
            { name: `${id}-rds`, planId: plan.id, iamRoleArn: role.arn, resources: [args.databaseArn] },
            child,
        );
        if ((args.restoreTesting?.enabled ?? RESTORE_TESTING_DEFAULTS.enabled) && args.restoreTarget) {
            restoreTesting(
                name,
                {
                    ...args.restoreTesting,
                    identifier: id,
                    vaultArn: vault.arn,
                    databaseArn: args.databaseArn,
                    roleArn: role.arn,
                    target: args.restoreTarget,
                    alarmTopicArn: args.alarmTopicArn,
                },
                this,
            );
        }

        const bucket = secureBucket(
            `${name}-dumps`,
            {
                bucketName: `${id}-dumps-${args.accountId}`,
                kmsKeyArn: kmsKey.arn,
                retention: args.bucketRetention,
                forceDestroy: !life.protect,
                protect: life.protect,
            },
            this,
        );
        if (args.replicateTo)
            replicateBucket(
                {
                    roleName: `${name}-replication`,
                    configName: `${name}-dumps`,
                    description: `S3 replication of ${id} dumps to the DR region`,
                    source: bucket,
                    sourceKeyArn: kmsKey.arn,
                    target: args.replicateTo,
                    account,
                },
                this,
            );
        if (args.dump) {
            new DumpJob(
                `${name}-dump`,
                { ...args.dump, bucketName: bucket.bucket.bucket, bucketArn: bucket.bucket.arn, kmsKeyArn: kmsKey.arn },
                // This component's dependsOn (the credentials' operator) reaches the job's ExternalSecret.
                { ...child, dependsOn: dependsOnOf(opts) },
            );
        }
        this.vaultArn = vault.arn;
        this.planId = plan.id;
        this.bucketName = bucket.bucket.bucket;
        this.kmsKeyArn = kmsKey.arn;

        this.registerOutputs({ vaultArn: this.vaultArn, planId: this.planId, bucketName: this.bucketName, kmsKeyArn: this.kmsKeyArn });
    }
}

import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { encryptedAlarmTopic, metricAlarm, RDS_ALARM_DEFAULTS, rdsInstanceAlarmSpecs } from "../shared/alarms";
import { finalSnapshot } from "../shared/final-snapshot";
import { managedKey } from "../shared/kms";
import { lifecycle } from "../shared/lifecycle";
import { postgresParameters } from "../shared/postgres-parameters";
import type { BucketReplicationTargetArgs } from "../shared/bucket-replication";
import { objectLifecycleRules, secureBucket } from "../shared/secure-bucket";
import { singlePortSecurityGroup } from "../shared/security-group";
import { DISASTER_RECOVERY_DEFAULTS, DisasterRecoveryArgs } from "./args";
import { failoverRecords } from "./failover";

export * from "./args";
export { regionalHost } from "./regional-host";

/**
 * The DR region: a KMS key of its own, an encrypted cross-region replica with
 * automated-backups replication, a backup vault (copy target), a replica
 * bucket (replication target), and Route 53 failover records.
 */
export class DisasterRecovery extends pulumi.ComponentResource {
    /** The DR region's key (replica, vault, bucket). */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** ARN of the cross-region replica. */
    public readonly replicaArn: pulumi.Output<string>;
    /** Hostname of the cross-region replica. */
    public readonly replicaAddress: pulumi.Output<string>;
    /** Port of the cross-region replica. */
    public readonly replicaPort: pulumi.Output<number>;
    /** The copy target of the backup plan. */
    public readonly vaultArn: pulumi.Output<string>;
    /** The replication target of the dump bucket. */
    public readonly bucketArn: pulumi.Output<string>;
    /** The replication target (bucket and key) of each app bucket in `appBuckets`, by its short name. */
    public readonly appBucketReplicas: Record<string, BucketReplicationTargetArgs>;

    constructor(name: string, args: DisasterRecoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:DisasterRecovery", name, {}, opts);
        const d = DISASTER_RECOVERY_DEFAULTS;
        const environment = args.environment ?? d.environment;
        const life = lifecycle(environment);
        const id = args.identifier;
        const major = args.engineMajorVersion ?? d.engineMajorVersion;
        const retention = args.backupRetentionDays ?? d.backupRetentionDays;
        const deletionProtection = args.deletionProtection ?? d.deletionProtection;
        const child = { parent: this };
        const stateful = { parent: this, protect: life.protect };

        // Replicas and copies must be encrypted with a key in their own region.
        const kmsKey = managedKey(
            name,
            { description: `DR ${id}: replica, backups, bucket`, alias: `${id}-dr`, environment: args.environment },
            this,
        );

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { name: `${id}-dr`, subnetIds: args.subnetIds, description: `Hangar ${id} DR` },
            child,
        );
        const securityGroup = singlePortSecurityGroup(
            name,
            {
                groupName: `${id}-dr-postgres`,
                description: `PostgreSQL ${id} DR: 5432 from the DR app subnets only`,
                ruleDescription: "PostgreSQL from the DR app tier",
                vpcId: args.vpcId,
                port: 5432,
                cidrs: args.allowedCidrs,
            },
            this,
        );
        // Parameter groups are regional: the replica needs its own, TLS-only like the primary's.
        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                name: `${id}-dr-postgres${major}`,
                family: `postgres${major}`,
                description: `Hangar ${id} DR: TLS only`,
                parameters: postgresParameters(args.logMinDurationMs ?? d.logMinDurationMs),
            },
            child,
        );

        const promoted = args.promoted ?? d.promoted;
        const replica = new aws.rds.Instance(
            `${name}-replica`,
            {
                identifier: `${id}-dr`,
                // Removing replicateSourceDb promotes the instance: `promoted: true` is the failover itself.
                replicateSourceDb: promoted ? undefined : args.primaryDatabaseArn,
                instanceClass: args.instanceClass ?? d.instanceClass,
                storageType: "gp3",
                maxAllocatedStorage: args.maxAllocatedStorageGb ?? d.maxAllocatedStorageGb,
                storageEncrypted: true,
                kmsKeyId: kmsKey.arn,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [securityGroup.id],
                parameterGroupName: parameterGroup.name,
                publiclyAccessible: false,
                multiAz: promoted && args.environment === "prod",
                backupRetentionPeriod: promoted ? retention : undefined,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: kmsKey.arn,
                autoMinorVersionUpgrade: true,
                copyTagsToSnapshot: true,
                deletionProtection,
                // While it is a replica RDS refuses a final snapshot on delete; once promoted it takes one like the primary.
                ...finalSnapshot(
                    `${name}-replica`,
                    { identifier: `${id}-dr`, protect: deletionProtection, environment, replica: !promoted },
                    this,
                ),
            },
            stateful,
        );
        this.replicaAddress = replica.address;
        this.replicaPort = replica.port;
        this.replicaArn = replica.arn;
        this.kmsKeyArn = kmsKey.arn;

        if (!promoted) {
            new aws.rds.InstanceAutomatedBackupsReplication(
                `${name}-backups`,
                { sourceDbInstanceArn: args.primaryDatabaseArn, kmsKeyId: kmsKey.arn, retentionPeriod: retention },
                child,
            );
        }

        const vault = new aws.backup.Vault(
            `${name}-vault`,
            { name: `${id}-dr`, kmsKeyArn: kmsKey.arn, forceDestroy: !life.protect },
            stateful,
        );
        this.vaultArn = vault.arn;
        if (args.vaultLock) {
            new aws.backup.VaultLockConfiguration(
                `${name}-lock`,
                {
                    backupVaultName: vault.name,
                    minRetentionDays: args.vaultLock.minRetentionDays,
                    changeableForDays: args.vaultLock.changeableForDays,
                },
                child,
            );
        }
        const bucket = secureBucket(
            `${name}-dumps`,
            {
                bucketName: `${id}-dumps-dr-${args.accountId}`,
                kmsKeyArn: kmsKey.arn,
                retention: args.bucketRetention,
                forceDestroy: !life.protect,
                protect: life.protect,
            },
            this,
        );

        // S3 refuses a replication rule whose destination is not versioned yet ("Destination bucket must have
        // versioning enabled"): the ARN carries the versioning as a dependency, so whatever replicates here waits for it.
        this.bucketArn = pulumi.all([bucket.bucket.arn, bucket.versioning.id]).apply(([arn]) => arn);
        this.appBucketReplicas = {};
        for (const b of args.appBuckets ?? []) {
            const replica = secureBucket(
                `${name}-bucket-${b.name}`,
                {
                    bucketName: b.bucketName,
                    kmsKeyArn: kmsKey.arn,
                    lifecycleRules: objectLifecycleRules(b.lifecycle),
                    forceDestroy: environment === "ephemeral",
                    protect: life.protect,
                    retainOnDelete: life.retainOnDelete,
                },
                this,
            );
            const bucketArn = pulumi.all([replica.bucket.arn, replica.versioning.id]).apply(([arn]) => arn);
            this.appBucketReplicas[b.name] = { bucketArn, kmsKeyArn: kmsKey.arn };
        }
        if (args.failover) failoverRecords(name, args.failover, this);
        if (args.alarms) {
            const a = args.alarms;
            const topic = encryptedAlarmTopic(
                name,
                { description: "Hangar DR alarm topic", environment, subscriptions: a.subscriptions },
                this,
            );
            const [cpu, freeStorage, lag] = rdsInstanceAlarmSpecs({
                cpuPercent: a.cpuPercent ?? RDS_ALARM_DEFAULTS.cpuPercent,
                freeStorageGb: a.freeStorageGb ?? RDS_ALARM_DEFAULTS.freeStorageGb,
                replicaLagSeconds: a.replicaLagSeconds ?? d.replicaLagSeconds,
            });
            // A promoted instance replicates from nothing: its lag metric is gone, not zero.
            for (const spec of promoted ? [cpu, freeStorage] : [cpu, freeStorage, lag]) {
                metricAlarm(`${name}-replica-${spec.suffix}`, replica.identifier, spec, topic.arn, this);
            }
        }

        this.registerOutputs({
            replicaAddress: this.replicaAddress,
            replicaPort: this.replicaPort,
            kmsKeyArn: this.kmsKeyArn,
            vaultArn: this.vaultArn,
            bucketArn: this.bucketArn,
        });
    }
}

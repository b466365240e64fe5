import type * as pulumi from "@pulumi/pulumi";
import type { AlarmSubscriptionArgs } from "../shared/alarms";
import { POSTGRES_PARAMETER_DEFAULTS } from "../shared/postgres-parameters";

export type { AlarmSubscriptionArgs } from "../shared/alarms";
import type { BucketRetentionArgs, ObjectLifecycleArgs } from "../shared/secure-bucket";

/** The defaults `DisasterRecoveryArgs` documents. */
export const DISASTER_RECOVERY_DEFAULTS = {
    environment: "prod",
    engineMajorVersion: "16",
    instanceClass: "db.r7g.large",
    backupRetentionDays: 30,
    deletionProtection: true,
    promoted: false,
    healthCheckPath: "/healthz",
    secondary: "maintenance",
    logMinDurationMs: POSTGRES_PARAMETER_DEFAULTS.logMinDurationMs,
    maxAllocatedStorageGb: 1000,
    replicaLagSeconds: 30,
};

/** The failover records' names and targets (Platform takes these; the zone comes from its `dns`). */
export interface FailoverRecordArgs {
    /** The public name that fails over. */
    recordName: string;
    /** The primary region's load balancer hostname; the health check probes it (never the failover name itself). */
    primaryHostname: string;
    /** The DR region's load balancer hostname. */
    secondaryHostname: string;
    /** HTTPS path the health check probes on the primary region's own name. @default "/healthz" */
    healthCheckPath?: string;
    /**
     * What the DR load balancer serves for the public name while the replica is not promoted:
     * `maintenance` (a maintenance page; failover is promote-then-switch) or `read-only` (the
     * pilot-light app, serving reads against the replica). Route 53 fails over to it on its own
     * either way, so it must never take writes unpromoted. @default "maintenance"
     */
    secondary?: string;
}

/** Route 53 failover of the public name between the primary and DR load balancers. */
export interface FailoverArgs extends FailoverRecordArgs {
    /** Route 53 hosted zone of the failover records. */
    hostedZoneId: pulumi.Input<string>;
    /**
     * The primary region's own name (`api-eu-west-1.example.aero`): a plain record to
     * `primaryHostname` that the gateway's route serves and the listener's certificate covers.
     * The health check probes it, because Route 53 sends the probed name as Host and SNI
     * (Route 53 API HealthCheckConfig, FullyQualifiedDomainName), and the gateway answers only names it routes.
     */
    healthCheckHost: string;
}

/** Resources run with the DR region's AWS provider (pass it in `providers`). */
/** CloudWatch alarms on the DR replica, in the DR region (an alarm notifies only a topic in its own region). */
export interface DrAlarmArgs {
    /** Replica lag alarm threshold, seconds (unpromoted only). @default 30 */
    replicaLagSeconds?: number;
    /** CPU utilisation alarm threshold, %. @default 80 */
    cpuPercent?: number;
    /** Free-storage alarm threshold, GiB. @default 10 */
    freeStorageGb?: number;
    /** Who the DR region's KMS-encrypted alarm topic notifies. @default [] */
    subscriptions?: AlarmSubscriptionArgs[];
}

/** AWS Backup Vault Lock (governance mode while `changeableForDays` runs, then compliance). */
export interface DrVaultLockArgs {
    /** Recovery points cannot be deleted before this many days. */
    minRetentionDays: number;
    /** Days the lock can still be removed. */
    changeableForDays: number;
}

export interface DisasterRecoveryArgs {
    /** `prod`, `staging` or `ephemeral`. @default "prod" */
    environment?: string;
    /** Name stem shared with the primary (`<identifier>-dr` for the replica). */
    identifier: string;
    /** DR account id, part of the replica bucket's globally unique name. */
    accountId: string;
    /** ARN of the primary RDS instance to replicate. */
    primaryDatabaseArn: pulumi.Input<string>;
    /** Major engine version of the primary, for the DR parameter group family. @default "16" */
    engineMajorVersion?: string;
    /** Class of the cross-region replica. @default "db.r7g.large" */
    instanceClass?: string;
    /** Retention of replicated automated backups, and of the instance once promoted. @default 30 */
    backupRetentionDays?: number;
    /** Deletion protection on the replica. @default true */
    deletionProtection?: boolean;
    /** The primary's storage autoscaling ceiling: the replica grows like the primary, or replication stops when it is full. @default 1000 */
    maxAllocatedStorageGb?: number;
    /** The primary's `log_min_duration_statement`: the DR parameter group is the primary's, so a promoted replica behaves the same. @default 500 */
    logMinDurationMs?: number;
    /** Alarms on the replica (lag, CPU, free storage) to an encrypted topic in the DR region. @default none */
    alarms?: DrAlarmArgs;
    /** Vault Lock on the DR vault, as on the primary vault (a copy must be as undeletable as its source). @default no lock */
    vaultLock?: DrVaultLockArgs;
    /** The DR region's VPC, where the replica's security group lives. */
    vpcId: pulumi.Input<string>;
    /** Private subnets of the DR VPC for the replica's subnet group. */
    subnetIds: pulumi.Input<string[]>;
    /** CIDRs allowed on 5432 in the DR VPC. @default [] */
    allowedCidrs?: pulumi.Input<string[]>;
    /**
     * The world after failover: the replica has been promoted, so it is managed as a
     * standalone instance (same URN) and replication is no longer managed. @default false
     */
    promoted?: boolean;
    /** Route 53 failover of the public name; no records when unset. */
    failover?: FailoverArgs;
    /** Lifecycle of the replica bucket. @default 30 days to Deep Archive, expiry after 7 years */
    bucketRetention?: BucketRetentionArgs;
    /** Replicas of the app buckets that replicate (components/app/buckets.ts), encrypted with this region's key. @default none */
    appBuckets?: AppBucketReplicaArgs[];
}

/** The DR region's copy of one app bucket. */
export interface AppBucketReplicaArgs {
    /** The app bucket's short name (the key of `DisasterRecovery.appBucketReplicas`). */
    name: string;
    /** Physical name of the replica bucket. */
    bucketName: string;
    /** Lifecycle of the replica, the source bucket's. @default noncurrent versions expire after 90 days, incomplete uploads after 7 */
    lifecycle?: ObjectLifecycleArgs;
}

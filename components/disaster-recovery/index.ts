import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedKey } from "../shared/kms";
import { lifecycle } from "../shared/lifecycle";
import { postgresParameters } from "../shared/postgres-parameters";
import { BucketRetentionArgs, secureBucket } from "../shared/secure-bucket";
import { singlePortSecurityGroup } from "../shared/security-group";

/** The defaults `DisasterRecoveryArgs` documents. */
export const DISASTER_RECOVERY_DEFAULTS = {
    environment: "prod",
    engineMajorVersion: "16",
    instanceClass: "db.r7g.large",
    backupRetentionDays: 30,
    deletionProtection: true,
    promoted: false,
    healthCheckPath: "/healthz",
};

/** The failover records' names and targets (Platform takes these; the zone comes from its `dns`). */
export interface FailoverRecordArgs {
    /** The public name that fails over. */
    recordName: string;
    /** The primary region's load balancer hostname; the health check probes it (never the failover name itself). */
    primaryHostname: string;
    /** The DR region's load balancer hostname. */
    secondaryHostname: string;
    /** HTTPS path the health check probes on `primaryHostname`. @default "/healthz" */
    healthCheckPath?: string;
}

/** Route 53 failover of the public name between the primary and DR load balancers. */
export interface FailoverArgs extends FailoverRecordArgs {
    /** Route 53 hosted zone of the failover records. */
    hostedZoneId: pulumi.Input<string>;
}

/** Resources run with the DR region's AWS provider (pass it in `providers`). */
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
}

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
    /** The copy target of the backup plan. */
    public readonly vaultArn: pulumi.Output<string>;
    /** The replication target of the dump bucket. */
    public readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: DisasterRecoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:DisasterRecovery", name, {}, opts);
        const d = DISASTER_RECOVERY_DEFAULTS;
        const life = lifecycle(args.environment ?? d.environment);
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
                parameters: postgresParameters(500),
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
                skipFinalSnapshot: !deletionProtection,
                finalSnapshotIdentifier: deletionProtection ? `${id}-dr-final` : undefined,
            },
            stateful,
        );
        this.replicaAddress = replica.address;
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

        this.bucketArn = bucket.bucket.arn;
        if (args.failover) this.failoverRecords(name, args.failover);

        this.registerOutputs({
            replicaAddress: this.replicaAddress,
            kmsKeyArn: this.kmsKeyArn,
            vaultArn: this.vaultArn,
            bucketArn: this.bucketArn,
        });
    }

    private failoverRecords(name: string, f: FailoverArgs) {
        const healthCheck = new aws.route53.HealthCheck(
            `${name}-primary`,
            {
                type: "HTTPS",
                fqdn: f.primaryHostname,
                port: 443,
                resourcePath: f.healthCheckPath ?? DISASTER_RECOVERY_DEFAULTS.healthCheckPath,
                failureThreshold: 3,
                requestInterval: 30,
                tags: { Name: `${f.recordName} primary` },
            },
            { parent: this },
        );
        const record = (role: "PRIMARY" | "SECONDARY", target: string, healthCheckId?: pulumi.Input<string>) =>
            new aws.route53.Record(
                `${name}-${role.toLowerCase()}`,
                {
                    zoneId: f.hostedZoneId,
                    name: f.recordName,
                    type: "CNAME",
                    ttl: 60,
                    setIdentifier: role.toLowerCase(),
                    failoverRoutingPolicies: [{ type: role }],
                    healthCheckId,
                    records: [target],
                },
                { parent: this },
            );
        record("PRIMARY", f.primaryHostname, healthCheck.id);
        record("SECONDARY", f.secondaryHostname);
    }
}

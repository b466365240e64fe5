import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DataPlacementArgs, managedKey, singlePortSecurityGroup } from "./data-building-blocks";
import { lifecycle } from "./naming";

/** The tunable settings of a PostgresDatabase (what a stack file may set). */
export interface PostgresSettings {
    /** Major (minor upgrades follow automatically) or major.minor. @default "16" */
    engineVersion?: string;
    /** RDS instance class of the primary. @default "db.r7g.large" */
    instanceClass?: string;
    /** Class of the in-region read replicas. @default instanceClass */
    replicaInstanceClass?: string;
    /** Initial gp3 storage, GiB; autoscales up to `maxAllocatedStorageGb`. @default 100 */
    allocatedStorageGb?: number;
    /** Storage autoscaling ceiling. @default 1000 */
    maxAllocatedStorageGb?: number;
    /** A synchronous standby of the primary in another availability zone. @default true */
    multiAz?: boolean;
    /** In-region read replicas. @default 1 */
    replicas?: number;
    /** Automated backups, 0–35 days (at least 1 with replicas). @default 30 */
    backupRetentionDays?: number;
    /** Deletion protection and a final snapshot on delete. @default true */
    deletionProtection?: boolean;
    /** Database created on the primary. @default "hangar" */
    databaseName?: string;
    /** Master user. @default "hangar_admin" */
    username?: string;
    /** Daily automated-backup window, UTC (`hh24:mi-hh24:mi`); must not overlap `maintenanceWindow`. @default "02:00-03:00" */
    backupWindow?: string;
    /** Weekly maintenance window, UTC (`ddd:hh24:mi-ddd:hh24:mi`). @default "sun:04:30-sun:05:30" */
    maintenanceWindow?: string;
    /** `log_min_duration_statement`. @default 500 */
    logMinDurationMs?: number;
    /** Enhanced monitoring interval (0 turns it off). @default 60 */
    monitoringIntervalSeconds?: number;
    /** Performance Insights retention: 7 (free) or a multiple of 31 up to 731. @default 7 */
    performanceInsightsRetentionDays?: number;
}

export interface PostgresDatabaseArgs extends PostgresSettings, DataPlacementArgs {
    /** Physical name stem (RDS identifier, group names, secret name). Must be unique per account and region. */
    identifier: string;
}

export const POSTGRES_DEFAULTS = {
    engineVersion: "16",
    instanceClass: "db.r7g.large",
    allocatedStorageGb: 100,
    maxAllocatedStorageGb: 1000,
    multiAz: true,
    replicas: 1,
    backupRetentionDays: 30,
    deletionProtection: true,
    databaseName: "hangar",
    username: "hangar_admin",
    backupWindow: "02:00-03:00",
    maintenanceWindow: "sun:04:30-sun:05:30",
    logMinDurationMs: 500,
    monitoringIntervalSeconds: 60,
    performanceInsightsRetentionDays: 7,
};

/**
 * Characters RDS refuses in a master password are `/ @ "` and space; `'` breaks
 * shell and SQL quoting. The rest of the printable specials stay.
 */
export const RDS_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?.,^~";

/** The parameter list: TLS forced, slow queries logged, pg_stat_statements loaded. */
export function postgresParameters(logMinDurationMs: number) {
    return [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_min_duration_statement", value: String(logMinDurationMs) },
        // Static parameter: RDS applies it at the next reboot only.
        { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
        { name: "pg_stat_statements.track", value: "all" },
        { name: "log_connections", value: "1" },
    ];
}

/**
 * PostgreSQL on RDS: KMS key, subnet and security groups, a parameter group that
 * forces TLS, the primary (gp3, autoscaling storage, Performance Insights,
 * enhanced monitoring, log exports, IAM auth) and N in-region replicas; the
 * master password comes from `random` and lives in Secrets Manager.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** RDS identifier of the primary. */
    public readonly identifier: string;
    /** ARN of the primary instance (what AWS Backup and the DR replica use). */
    public readonly primaryArn: pulumi.Output<string>;
    /** RDS identifiers of the in-region replicas. */
    public readonly replicaIdentifiers: string[];
    /** The customer-managed key of storage, Performance Insights and the secret. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** Security group admitting 5432 from `allowedCidrs` and `allowedSecurityGroupIds`. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Writer hostname. */
    public readonly address: pulumi.Output<string>;
    /** First replica's hostname, or the writer's when there are none (instance replicas have no reader endpoint). */
    public readonly readerAddress: pulumi.Output<string>;
    /** Port the primary listens on. */
    public readonly port: pulumi.Output<number>;
    /** Database created on the primary. */
    public readonly databaseName: string;
    /** Master user name. */
    public readonly username: string;
    /** Secret. */
    public readonly password: pulumi.Output<string>;
    /** Secrets Manager secret holding username, password, host, port and dbname. */
    public readonly secretArn: pulumi.Output<string>;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:PostgresDatabase", name, {}, opts);
        const d = { ...POSTGRES_DEFAULTS, ...definedOnly(args) };
        const life = lifecycle(args.environment ?? "prod");
        if (d.replicas > 0 && d.backupRetentionDays < 1) {
            throw new pulumi.ResourceError(`PostgresDatabase "${name}": replicas need backupRetentionDays ≥ 1`, this);
        }
        const major = d.engineVersion.split(".")[0];
        const id = args.identifier;
        const child = { parent: this };
        const stateful = { parent: this, protect: life.protect };

        const kmsKey = managedKey(name, { description: `RDS ${id}: storage, Performance Insights, secret`, alias: `${id}-rds`, environment: args.environment }, this);

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { name: id, subnetIds: args.subnetIds, description: `Hangar ${id}` }, child);
        const securityGroup = singlePortSecurityGroup(
            name,
            {
                groupName: `${id}-postgres`,
                description: `PostgreSQL ${id}: 5432 from the app tier only`,
                ruleDescription: "PostgreSQL from the app tier",
                vpcId: args.vpcId,
                port: 5432,
                cidrs: args.allowedCidrs,
                securityGroupIds: args.allowedSecurityGroupIds,
            },
            this,
        );
        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-params`,
            { name: `${id}-postgres${major}`, family: `postgres${major}`, description: `Hangar ${id}: TLS only`, parameters: postgresParameters(d.logMinDurationMs) },
            child,
        );

        const password = new random.RandomPassword(`${name}-master`, { length: 32, special: true, overrideSpecial: RDS_PASSWORD_SPECIALS, minSpecial: 2, minNumeric: 2 }, child);
        const monitoringRole = d.monitoringIntervalSeconds > 0 ? this.monitoringRole(name, id) : undefined;

        const observability = {
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: kmsKey.arn,
            performanceInsightsRetentionPeriod: d.performanceInsightsRetentionDays,
            monitoringInterval: d.monitoringIntervalSeconds,
            monitoringRoleArn: monitoringRole?.arn,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            parameterGroupName: parameterGroup.name,
            vpcSecurityGroupIds: [securityGroup.id],
            publiclyAccessible: false,
            copyTagsToSnapshot: true,
            // Prod changes wait for the maintenance window; elsewhere they apply at once.
            applyImmediately: args.environment !== "prod",
        };
        const primary = new aws.rds.Instance(
            name,
            {
                identifier: id,
                engine: "postgres",
                engineVersion: d.engineVersion,
                instanceClass: d.instanceClass,
                storageType: "gp3",
                allocatedStorage: d.allocatedStorageGb,
                maxAllocatedStorage: d.maxAllocatedStorageGb,
                storageEncrypted: true,
                kmsKeyId: kmsKey.arn,
                dbName: d.databaseName,
                username: d.username,
                password: password.result,
                dbSubnetGroupName: subnetGroup.name,
                multiAz: d.multiAz,
                backupRetentionPeriod: d.backupRetentionDays,
                backupWindow: d.backupWindow,
                maintenanceWindow: d.maintenanceWindow,
                deletionProtection: d.deletionProtection,
                skipFinalSnapshot: !d.deletionProtection,
                finalSnapshotIdentifier: d.deletionProtection ? `${id}-final` : undefined,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                iamDatabaseAuthenticationEnabled: true,
                ...observability,
            },
            stateful,
        );
        const replicas = Array.from(
            { length: d.replicas },
            (_, i) =>
                new aws.rds.Instance(
                    `${name}-replica-${i + 1}`,
                    {
                        identifier: `${id}-replica-${i + 1}`,
                        replicateSourceDb: primary.identifier,
                        instanceClass: args.replicaInstanceClass ?? d.instanceClass,
                        storageType: "gp3",
                        maxAllocatedStorage: d.maxAllocatedStorageGb,
                        storageEncrypted: true,
                        kmsKeyId: kmsKey.arn,
                        multiAz: false,
                        deletionProtection: d.deletionProtection,
                        skipFinalSnapshot: true,
                        ...observability,
                    },
                    stateful,
                ),
        );

        this.identifier = id;
        this.primaryArn = primary.arn;
        this.replicaIdentifiers = replicas.map((_, i) => `${id}-replica-${i + 1}`);
        this.kmsKeyArn = kmsKey.arn;
        this.securityGroupId = securityGroup.id;
        this.address = primary.address;
        this.port = primary.port;
        this.readerAddress = replicas.length > 0 ? replicas[0].address : primary.address;
        this.databaseName = d.databaseName;
        this.username = d.username;
        this.password = pulumi.secret(password.result);

        const secret = new aws.secretsmanager.Secret(
            `${name}-master`,
            { name: `${id}/postgres/master`, description: `Master credentials of ${id}`, kmsKeyId: kmsKey.arn, recoveryWindowInDays: life.secretRecoveryWindowDays },
            stateful,
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-master`,
            {
                secretId: secret.id,
                secretString: pulumi.secret(
                    pulumi.jsonStringify({ username: d.username, password: password.result, host: this.address, port: this.port, dbname: d.databaseName, engine: "postgres" }),
                ),
            },
            child,
        );
        this.secretArn = secret.arn;

        this.registerOutputs({
            address: this.address,
            readerAddress: this.readerAddress,
            port: this.port,
            secretArn: this.secretArn,
            primaryArn: this.primaryArn,
        });
    }

    private monitoringRole(name: string, id: string): aws.iam.Role {
        const role = new aws.iam.Role(
            `${name}-monitoring`,
            {
                description: `RDS enhanced monitoring for ${id}`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-monitoring`,
            { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" },
            { parent: this },
        );
        return role;
    }
}

/** The args without keys explicitly set to undefined, so they do not hide defaults. */
export function definedOnly<T extends object>(args: T): Partial<T> {
    return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<T>;
}

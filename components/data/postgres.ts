import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { withDefaults } from "../shared/defaults";
import { finalSnapshot } from "../shared/final-snapshot";
import { keyPolicyWithLogs, managedKey } from "../shared/kms";
import { lifecycle } from "../shared/lifecycle";
import { singlePortSecurityGroup } from "../shared/security-group";
import { accountContext } from "../shared/service-role";
import { postgresParameters, RDS_PASSWORD_SPECIALS } from "../shared/postgres-parameters";
import { LOG_EXPORTS, POSTGRES_DEFAULTS, PostgresDatabaseArgs } from "./postgres-args";
import { postgresProxy, proxySecurityGroup } from "./postgres-proxy";
import { monitoringRole, rdsLogGroups } from "./postgres-support";
import { masterSecret, postgresRotation, rotationSecurityGroup } from "./rotation";

export * from "./postgres-args";

export { RDS_PASSWORD_SPECIALS };

/**
 * PostgreSQL on RDS: KMS key, subnet and security groups, a parameter group that
 * forces TLS, the primary (gp3, autoscaling storage, Performance Insights,
 * enhanced monitoring, log exports, IAM auth) and N in-region replicas; the
 * bootstrap master password comes from `random` into Secrets Manager, which rotates it on a schedule
 * (Pulumi ignores later changes to it).
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
    /** The DB subnet group of the primary (where restore tests put their temporary instance too). */
    public readonly subnetGroupName: pulumi.Output<string>;
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
    /** The bootstrap master password (secret, from `random`): no longer valid once Secrets Manager has rotated it. */
    public readonly password: pulumi.Output<string>;
    /** Secrets Manager secret holding username, password, host, port and dbname. */
    public readonly secretArn: pulumi.Output<string>;
    /** RDS Proxy endpoint in front of the writer, when the proxy is on (what the app's DATABASE_URL targets). */
    public readonly proxyAddress?: pulumi.Output<string>;
    /** Name of the RDS Proxy (its CloudWatch `ProxyName`), when the proxy is on. */
    public readonly proxyName?: string;
    /** How the rotation function reaches Secrets Manager (`create`: Hangar's endpoint), when rotation is on. */
    public readonly rotationEndpoint?: string;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:PostgresDatabase", name, {}, opts);
        const d = withDefaults(POSTGRES_DEFAULTS, args);
        const environment = args.environment ?? "prod";
        const life = lifecycle(environment);
        if (d.replicas > 0 && d.backupRetentionDays < 1) {
            throw new pulumi.ResourceError(`PostgresDatabase "${name}": replicas need backupRetentionDays ≥ 1`, this);
        }
        const major = d.engineVersion.split(".")[0];
        const id = args.identifier;
        const child = { parent: this };
        const stateful = { parent: this, protect: life.protect };

        const account = accountContext(this);
        const kmsKey = managedKey(
            name,
            {
                description: `RDS ${id}: storage, Performance Insights, secret, logs`,
                alias: `${id}-rds`,
                environment: args.environment,
                policy: pulumi
                    .all([account.account, account.partition, account.region])
                    .apply(([acct, partition, region]) =>
                        keyPolicyWithLogs({ account: acct, partition, region, logGroupPattern: `/aws/rds/instance/${id}/*` }),
                    ),
            },
            this,
        );
        const logGroups = rdsLogGroups(name, id, life.logRetentionDays, kmsKey, d.adoptLogGroups, this);

        const proxySettings = { ...POSTGRES_DEFAULTS.proxy, ...(args.proxy ?? {}) };
        const proxyGroup = proxySettings.enabled
            ? proxySecurityGroup(
                  name,
                  { id, vpcId: args.vpcId, cidrs: args.allowedCidrs, securityGroupIds: args.allowedSecurityGroupIds },
                  this,
              )
            : undefined;
        const rotationSettings = { ...POSTGRES_DEFAULTS.rotation, ...(args.rotation ?? {}) };
        const rotationGroup = rotationSettings.enabled ? rotationSecurityGroup(name, { id, vpcId: args.vpcId }, this) : undefined;
        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { name: id, subnetIds: args.subnetIds, description: `Hangar ${id}` },
            child,
        );
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
                // The proxy's ENIs carry its group; the CIDRs stay for the direct paths (exporter, dump job, migrations).
                references: [
                    ...(proxyGroup ? [{ description: "PostgreSQL from RDS Proxy", securityGroupIds: [proxyGroup.id] }] : []),
                    ...(rotationGroup
                        ? [{ description: "PostgreSQL from the rotation function", securityGroupIds: [rotationGroup.id] }]
                        : []),
                ],
            },
            this,
        );
        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                name: `${id}-postgres${major}`,
                family: `postgres${major}`,
                description: `Hangar ${id}: TLS only`,
                parameters: postgresParameters(d.logMinDurationMs),
            },
            child,
        );

        const password = new random.RandomPassword(
            `${name}-master`,
            { length: 32, special: true, overrideSpecial: RDS_PASSWORD_SPECIALS, minSpecial: 2, minNumeric: 2 },
            child,
        );
        const monitoring = d.monitoringIntervalSeconds > 0 ? monitoringRole(name, id, account, this) : undefined;

        const observability = {
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: kmsKey.arn,
            performanceInsightsRetentionPeriod: d.performanceInsightsRetentionDays,
            monitoringInterval: d.monitoringIntervalSeconds,
            monitoringRoleArn: monitoring?.arn,
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
                // The bootstrap password: Secrets Manager rotates it, and Pulumi never sets it again (rotation.ts).
                password: password.result,
                dbSubnetGroupName: subnetGroup.name,
                multiAz: d.multiAz,
                backupRetentionPeriod: d.backupRetentionDays,
                backupWindow: d.backupWindow,
                maintenanceWindow: d.maintenanceWindow,
                deletionProtection: d.deletionProtection,
                ...finalSnapshot(name, { identifier: id, protect: d.deletionProtection, environment, replica: false }, this),
                enabledCloudwatchLogsExports: LOG_EXPORTS,
                iamDatabaseAuthenticationEnabled: true,
                ...observability,
            },
            // RDS creates the export log groups on first write: the managed ones must exist first.
            { ...stateful, dependsOn: logGroups, ignoreChanges: ["password"] },
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
        this.subnetGroupName = subnetGroup.name;
        this.address = primary.address;
        this.port = primary.port;
        this.readerAddress = replicas.length > 0 ? replicas[0].address : primary.address;
        this.databaseName = d.databaseName;
        this.username = d.username;
        this.password = pulumi.secret(password.result);

        const { secret, version } = masterSecret(
            name,
            {
                id,
                username: d.username,
                databaseName: d.databaseName,
                password: password.result,
                host: this.address,
                port: this.port,
                kmsKeyArn: kmsKey.arn,
                recoveryWindowInDays: life.secretRecoveryWindowDays,
                protect: life.protect,
                replica: args.secretReplica,
            },
            this,
        );
        this.secretArn = secret.arn;
        if (proxyGroup) {
            const proxy = postgresProxy(
                name,
                {
                    id,
                    settings: proxySettings,
                    subnetIds: args.subnetIds,
                    securityGroup: proxyGroup,
                    databaseSecurityGroup: securityGroup,
                    secretArn: secret.arn,
                    kmsKeyArn: kmsKey.arn,
                    account,
                    writer: primary,
                },
                this,
            );
            this.proxyAddress = proxy.endpoint;
            this.proxyName = id;
        }
        if (rotationGroup) {
            postgresRotation(
                name,
                {
                    id,
                    settings: rotationSettings,
                    vpcId: args.vpcId,
                    subnetIds: args.subnetIds,
                    clientCidrs: args.allowedCidrs,
                    securityGroup: rotationGroup,
                    databaseSecurityGroup: securityGroup,
                    proxySecurityGroup: proxyGroup,
                    secret,
                    secretVersion: version,
                    kmsKeyArn: kmsKey.arn,
                    account,
                    allowedSpecials: RDS_PASSWORD_SPECIALS,
                    writer: primary,
                },
                this,
            );
            this.rotationEndpoint = rotationSettings.secretsManagerEndpoint;
        }

        this.registerOutputs({
            address: this.address,
            readerAddress: this.readerAddress,
            port: this.port,
            secretArn: this.secretArn,
            primaryArn: this.primaryArn,
            proxyAddress: this.proxyAddress,
        });
    }
}

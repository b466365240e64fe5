/**
 * Platform's argument mappers: from PlatformArgs and the handles of components
 * already built to the next component's args. Pure (no resource is created),
 * so each mapping is tested in milliseconds; defaults come from the components'
 * `*_DEFAULTS` and `PLATFORM_DEFAULTS`, never from literals here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BackupsArgs } from "../backups";
import { BACKUPS_DEFAULTS } from "../backups";
import type { PostgresDatabaseArgs, RedisCacheArgs, DataPlacementArgs } from "../data";
import { POSTGRES_DEFAULTS, REDIS_DEFAULTS } from "../data";
import { regionalHost } from "../disaster-recovery";
import type { DisasterRecoveryArgs } from "../disaster-recovery";
import type { MonitoringArgs } from "../monitoring";
import { ROLLOUTS_DEFAULTS } from "../rollouts";
import { needsRolloutsController } from "./rollouts";
import { GATEWAY_DEFAULTS } from "../shared/exposure";
import { physicalName } from "../shared/naming";
import { appBucketName } from "../app";
import type { PlatformArgs, PlatformDrArgs } from "./args";
import { PLATFORM_DEFAULTS } from "./args";

/** What the mappers read of a PostgresDatabase. */
export interface DatabaseHandles {
    identifier: string;
    primaryArn: pulumi.Input<string>;
    replicaIdentifiers: string[];
    address: pulumi.Input<string>;
    port: pulumi.Input<number>;
    databaseName: string;
    username: string;
    /** The data tier's customer-managed key (its secrets too). */
    kmsKeyArn: pulumi.Input<string>;
    /** RDS Proxy's name, when there is one. */
    proxyName?: string;
    /** The primary's DB subnet group and security group (restore tests use them). @default no restore testing */
    subnetGroupName?: pulumi.Input<string>;
    securityGroupId?: pulumi.Input<string>;
}

/** What the mappers read of a RedisCache. */
export interface CacheHandles {
    identifier: string;
    address: pulumi.Input<string>;
    port: pulumi.Input<number>;
}

/** What the mappers read of DisasterRecovery: the targets of backup copies and bucket replication. */
export interface DrTargets {
    vaultArn: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
}

export function databaseArgs(args: PlatformArgs, placement: DataPlacementArgs, stack: string): PostgresDatabaseArgs {
    const { enabled: _enabled, clientSslMode: _sslMode, ...settings } = args.database ?? {};
    return { ...settings, ...placement, identifier: physicalName(stack) };
}

/** ElastiCache replication group ids are at most 40 characters. */
export const CACHE_IDENTIFIER_LENGTH = 40;

export function cacheArgs(args: PlatformArgs, placement: DataPlacementArgs, stack: string): RedisCacheArgs {
    const { enabled: _enabled, ...settings } = args.cache ?? {};
    return { ...settings, ...placement, identifier: physicalName(stack, "", CACHE_IDENTIFIER_LENGTH) };
}

/** Where the monitoring namespace's pods connect: the control plane, the nodes, the data tier. */
export interface MonitoringPlacement {
    controlPlaneCidrs: pulumi.Input<string[]>;
    /** Nodes and pods share the private subnets (VPC CNI). */
    privateSubnetCidrs: pulumi.Input<string[]>;
    /** Load-balancer ENIs, when public traffic comes from the VPC (`app.trafficSource: vpc`). */
    trafficCidrs?: pulumi.Input<string[]>;
}

/** Monitoring's settings from the args, with exporters (on their own login) and alarms on the data tier. */
export function monitoringArgs(
    args: PlatformArgs,
    db: DatabaseHandles | undefined,
    cache: CacheHandles | undefined,
    placement: MonitoringPlacement,
    priorityClassName?: pulumi.Input<string>,
): MonitoringArgs {
    const { enabled: _enabled, alarmSubscriptions, ...settings } = args.monitoring ?? {};
    // The dump image carries a PostgreSQL client: the login Job runs it when there is one (the CA bundle is mounted).
    const client = args.backups?.dump;
    // The master credentials and the cache token reach the exporters at run time (./credentials.ts).
    const login = db && {
        kmsKeyArn: db.kmsKeyArn,
        secretName: `${db.identifier}/postgres/monitor`,
        ...(client?.image ? { image: client.image } : {}),
    };
    // Grafana is exposed like the app: its traffic comes from where the app's does.
    const grafanaFrom = placement.trafficCidrs
        ? { cidrs: placement.trafficCidrs }
        : { namespace: args.app?.trafficNamespace ?? GATEWAY_DEFAULTS.namespace };
    return {
        ...settings,
        environment: args.environment,
        podSecurityVersion: args.kubernetes.version,
        priorityClassName,
        postgres: db && { host: db.address, port: db.port, database: db.databaseName, login, replicas: streamingReplicas(args, db) },
        network: {
            controlPlaneCidrs: placement.controlPlaneCidrs,
            nodeCidrs: placement.privateSubnetCidrs,
            dataCidrs: placement.privateSubnetCidrs,
            appMetricsPorts: (args.app?.services ?? []).flatMap((s) => (s.metrics ? [s.metrics.port] : [])),
            // The Rollouts controller's metrics (the aborted-rollout alert) and its analysis queries.
            // Only a controller the stack installs: an existing one's pods and labels are not the stack's to know.
            rolloutsNamespace:
                needsRolloutsController(args) && (args.app?.rollouts?.mode ?? ROLLOUTS_DEFAULTS.mode) === "chart"
                    ? (args.app?.rollouts?.namespace ?? ROLLOUTS_DEFAULTS.namespace)
                    : undefined,
            grafanaFrom,
        },
        redis: cache && { host: cache.address, port: cache.port },
        cloudwatch: {
            rds: db && {
                instanceIds: [db.identifier],
                replicaIds: db.replicaIdentifiers,
                ...(db.proxyName ? { proxyNames: [db.proxyName] } : {}),
            },
            elasticache: cache && { replicationGroupId: cache.identifier, nodeCount: args.cache?.nodes ?? REDIS_DEFAULTS.nodes },
            subscriptions: alarmSubscriptions,
        },
    };
}

/**
 * Replicas that stream from the writer, each a row of its pg_stat_replication: the in-region ones and,
 * until it is promoted, the DR region's (RDS cross-region replicas replicate physically too).
 */
function streamingReplicas(args: PlatformArgs, db: DatabaseHandles): number {
    const dr = (args.dr?.enabled ?? PLATFORM_DEFAULTS.dr.enabled) && !(args.dr?.promoted ?? false);
    return db.replicaIdentifiers.length + (dr ? 1 : 0);
}

/** The DR region's replica and targets, shaped like the primary database. */
export function disasterRecoveryArgs(args: PlatformArgs, dr: PlatformDrArgs, stack: string, db: DatabaseHandles): DisasterRecoveryArgs {
    const database = args.database ?? {};
    const zoneId = args.dns?.hostedZoneId;
    return {
        environment: args.environment,
        identifier: physicalName(stack),
        accountId: dr.accountId ?? args.aws.accountId,
        primaryDatabaseArn: db.primaryArn,
        engineMajorVersion: (database.engineVersion ?? POSTGRES_DEFAULTS.engineVersion).split(".")[0],
        instanceClass: dr.instanceClass ?? database.instanceClass,
        backupRetentionDays: database.backupRetentionDays,
        deletionProtection: database.deletionProtection,
        maxAllocatedStorageGb: database.maxAllocatedStorageGb ?? POSTGRES_DEFAULTS.maxAllocatedStorageGb,
        logMinDurationMs: database.logMinDurationMs ?? POSTGRES_DEFAULTS.logMinDurationMs,
        vaultLock: drVaultLock(args),
        alarms: {
            replicaLagSeconds: args.monitoring?.thresholds?.replicaLagSeconds,
            subscriptions: args.monitoring?.alarmSubscriptions,
        },
        vpcId: dr.network.vpcId,
        subnetIds: dr.network.privateSubnetIds,
        allowedCidrs: dr.network.privateSubnetCidrs,
        promoted: dr.promoted,
        appBuckets: (args.app?.buckets ?? [])
            .filter((b) => b.replicate)
            .map((b) => ({
                name: b.name,
                bucketName: appBucketName(stack, dr.accountId ?? args.aws.accountId, b.name, true),
                lifecycle: b.lifecycle,
            })),
        failover:
            dr.failover && zoneId
                ? { ...dr.failover, hostedZoneId: zoneId, healthCheckHost: regionalHost(dr.failover.recordName, args.aws.region) }
                : undefined,
    };
}

/** The primary vault's lock, for the DR vault its copies land in. */
function drVaultLock(args: PlatformArgs): DisasterRecoveryArgs["vaultLock"] {
    const b = args.backups;
    if (!(b?.enabled ?? PLATFORM_DEFAULTS.backups.enabled) || !(b?.vaultLock ?? BACKUPS_DEFAULTS.vaultLock)) return undefined;
    return {
        minRetentionDays: b?.dailyRetentionDays ?? BACKUPS_DEFAULTS.dailyRetentionDays,
        changeableForDays: b?.vaultLockChangeableForDays ?? BACKUPS_DEFAULTS.vaultLockChangeableForDays,
    };
}

/**
 * Hostnames a service serves besides its own: the primary region's own name of the
 * failover record, which Route 53 health-checks, on the service that serves the record.
 */
export function failoverHosts(args: PlatformArgs): Record<string, string[]> {
    const failover = (args.dr?.enabled ?? PLATFORM_DEFAULTS.dr.enabled) && args.dns?.hostedZoneId ? args.dr?.failover : undefined;
    return failover ? { [failover.recordName]: [regionalHost(failover.recordName, args.aws.region)] } : {};
}

/** Where the dump CronJob runs and what it may reach; unset when there is no app tier. */
export interface DumpPlacement {
    namespace: pulumi.Input<string>;
    priorityClassName?: pulumi.Input<string>;
    oidcProviderArn: pulumi.Input<string>;
    databaseCidrs: pulumi.Input<string[]>;
}

/** Backups of the primary database, copied and replicated to the DR targets when there are any. */
export function backupsArgs(
    args: PlatformArgs,
    stack: string,
    db: DatabaseHandles,
    dr: DrTargets | undefined,
    placement: DumpPlacement | undefined,
    alarmTopicArn?: pulumi.Input<string>,
): BackupsArgs {
    const { enabled: _enabled, dump: dumpArgs, ...settings } = args.backups ?? {};
    const { enabled: dumpEnabled = PLATFORM_DEFAULTS.backups.dump.enabled, image, ...schedule } = dumpArgs ?? {};
    return {
        ...settings,
        environment: args.environment,
        identifier: physicalName(stack),
        accountId: args.aws.accountId,
        databaseArn: db.primaryArn,
        copyToVaultArn: dr?.vaultArn,
        restoreTarget:
            db.subnetGroupName && db.securityGroupId
                ? { subnetGroupName: db.subnetGroupName, securityGroupIds: [db.securityGroupId] }
                : undefined,
        alarmTopicArn,
        replicateTo: dr ? { bucketArn: dr.bucketArn, kmsKeyArn: dr.kmsKeyArn } : undefined,
        dump:
            dumpEnabled && image && placement
                ? {
                      ...schedule,
                      ...placement,
                      image,
                      host: db.address,
                      port: db.port,
                      database: db.databaseName,
                      username: db.username,
                      // The password reaches the job at run time: Platform adds `credentials` (./credentials.ts).
                  }
                : undefined,
    };
}

export { appTierArgs, DATA_SECRET, NOT_FOR_SERVICES, TierPlacement } from "./app-mapper";

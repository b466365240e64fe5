/** The component contract of PostgresDatabase: its settings, args and documented defaults. */
import type * as pulumi from "@pulumi/pulumi";
import type { DataPlacementArgs } from "./placement";
import { POSTGRES_PARAMETER_DEFAULTS } from "../shared/postgres-parameters";

/**
 * RDS Proxy in front of the writer: the app connects to it (TLS required), the direct paths (exporter, dump job,
 * migrations) to the writer. Pool settings: "RDS Proxy connection considerations"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connections.html).
 */
export interface PostgresProxySettings {
    /** Create the proxy. @default true */
    enabled?: boolean;
    /** Pool size, % of the writer's `max_connections`; the rest stays for the direct paths. @default 90 */
    maxConnectionsPercent?: number;
    /** Idle connections the pool keeps, % of `max_connections` (at most maxConnectionsPercent). @default 50 */
    maxIdleConnectionsPercent?: number;
    /** Seconds a client waits for a pooled connection when the pool is exhausted. @default 120 */
    connectionBorrowTimeout?: number;
    /** Seconds an idle client connection stays open. @default 1800 */
    idleClientTimeout?: number;
}

/**
 * Secrets Manager rotation of the master password (components/data/rotation.ts): Pulumi sets a bootstrap password
 * once and ignores later changes; the single-user PostgreSQL rotation function changes it on the schedule.
 */
export interface PostgresRotationSettings {
    /** Rotate the master password. @default true */
    enabled?: boolean;
    /**
     * Secrets Manager `ScheduleExpression`: `rate(<n> days)` or `cron(...)` ("Rotation schedules",
     * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html). @default "rate(30 days)"
     */
    schedule?: string;
    /**
     * The rotation function's path to Secrets Manager: `create` an interface endpoint with private DNS in the database's
     * subnets, or `existing` (the VPC has a NAT gateway or its own endpoint). A string (`create` or `existing`): the
     * component package's schema has no unions. @default "create"
     */
    secretsManagerEndpoint?: string;
}

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
    /**
     * Import the log groups RDS already created for an existing database (`import`), as they are; a
     * one-time step: the next `up` without it gives them their retention and key. @default false
     */
    adoptLogGroups?: boolean;
    /** RDS Proxy in front of the writer. @default enabled, with the defaults of PostgresProxySettings */
    proxy?: PostgresProxySettings;
    /** Rotation of the master password. @default enabled, with the defaults of PostgresRotationSettings */
    rotation?: PostgresRotationSettings;
}

/**
 * The master secret's replica in another region: a read-only copy Secrets Manager keeps in step with every rotation.
 */
export interface PostgresSecretReplica {
    /** The replica's region. */
    region: string;
    /** The key that encrypts the replica, in its region (required unless `promoted`). */
    kmsKeyId?: pulumi.Input<string>;
    /**
     * The replica has been (or is being) made a standalone secret of its region: Pulumi then leaves replication as it
     * finds it (removing the replica from the secret would delete that region's copy). @default false
     */
    promoted?: boolean;
}

export interface PostgresDatabaseArgs extends PostgresSettings, DataPlacementArgs {
    /** Physical name stem (RDS identifier, group names, secret name). Must be unique per account and region. */
    identifier: string;
    /** A replica of the master secret in another region (the DR region's). @default no replica */
    secretReplica?: PostgresSecretReplica;
}

/** The logs the primary exports to CloudWatch Logs. */
export const LOG_EXPORTS = ["postgresql", "upgrade"];

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
    logMinDurationMs: POSTGRES_PARAMETER_DEFAULTS.logMinDurationMs,
    monitoringIntervalSeconds: 60,
    performanceInsightsRetentionDays: 7,
    adoptLogGroups: false,
    proxy: {
        enabled: true,
        maxConnectionsPercent: 90,
        maxIdleConnectionsPercent: 50,
        connectionBorrowTimeout: 120,
        idleClientTimeout: 1800,
    },
    rotation: {
        enabled: true,
        schedule: "rate(30 days)",
        secretsManagerEndpoint: "create",
    },
};

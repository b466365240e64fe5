/** `hangar:database`: the RDS for PostgreSQL primary and its in-region read replicas. */
import { z } from "zod";
import { above, below, get, num } from "../document";
import type { Row, Scope } from "../rule-table";
import { bool, dailyWindow, intIn, mapping, pattern, rdsInstanceClass, weeklyWindow } from "../primitives";

/** Monitoring intervals RDS accepts (CreateDBInstance `MonitoringInterval`, see `monitoringIntervalSeconds`). */
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
const performanceInsightsRetention = "expected 7 or a multiple of 31 up to 731";

export const databaseSchema = mapping({
    enabled: bool(),
    /** PostgreSQL engine version: a major (minor upgrades follow automatically) or major.minor. */
    engineVersion: pattern(/^\d{2}(\.\d{1,2})?$/, "a PostgreSQL version such as 16 or 16.4"),
    instanceClass: rdsInstanceClass,
    /** Class of the read replicas; defaults to instanceClass. */
    replicaInstanceClass: rdsInstanceClass.optional(),
    /**
     * General Purpose SSD storage: 20–65,536 GiB. AWS "Amazon RDS DB instance storage"
     * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html).
     */
    allocatedStorageGb: intIn(20, 65536),
    maxAllocatedStorageGb: intIn(20, 65536),
    multiAz: bool(),
    /**
     * In-region read replicas: up to 15 per source DB instance. AWS RDS API
     * CreateDBInstanceReadReplica, `SourceDBInstanceIdentifier`
     * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html).
     */
    replicas: intIn(0, 15),
    /**
     * Automated backup retention: 0–35 days (0 turns backups off). AWS "Backup retention period"
     * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html).
     */
    backupRetentionDays: intIn(0, 35),
    deletionProtection: bool(),
    databaseName: pattern(/^[a-z][a-z0-9_]{0,62}$/, "a database name (lower-case letters, digits, _)"),
    username: pattern(/^[a-z][a-z0-9_]{0,15}$/, "a user name of at most 16 characters (lower-case letters, digits, _)"),
    backupWindow: dailyWindow,
    maintenanceWindow: weeklyWindow("a weekly UTC window such as sun:04:30-sun:05:30"),
    /** Statements slower than this are logged (`log_min_duration_statement`). */
    logMinDurationMs: intIn(-1, 3600000),
    /**
     * Enhanced Monitoring interval: 0, 1, 5, 10, 15, 30 or 60 seconds. AWS RDS API
     * CreateDBInstance, `MonitoringInterval` (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
     */
    monitoringIntervalSeconds: z.union(
        MONITORING_INTERVALS.map((n) => z.literal(n)),
        { error: "expected one of 0, 1, 5, 10, 15, 30, 60" },
    ),
    /**
     * Performance Insights retention: 7 (free) or a multiple of 31 up to 731. AWS RDS API
     * CreateDBInstance, `PerformanceInsightsRetentionPeriod` (7, month × 31 for 1–23 months, or 731;
     * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
     */
    performanceInsightsRetentionDays: z
        .int({ error: performanceInsightsRetention })
        .refine((n) => n === 7 || (n % 31 === 0 && n >= 31 && n <= 731), { error: performanceInsightsRetention }),
    /**
     * One-time, for a database that existed before Hangar managed its log groups: import the
     * `/aws/rds/instance/<id>/{postgresql,upgrade}` groups RDS created (see the runbook), then remove.
     */
    adoptLogGroups: bool(),
    /** libpq sslmode in the app's DATABASE_URL; verify-ca/verify-full add `sslrootcert` naming the RDS CA bundle every service mounts. */
    clientSslMode: z.enum(["verify-full", "verify-ca", "require"], { error: "expected verify-full, verify-ca or require" }),
    /**
     * RDS Proxy in front of the writer (TLS required); the app's DATABASE_URL then targets it. Pool settings and their
     * ranges: MaxConnectionsPercent 1–100, MaxIdleConnectionsPercent 0–MaxConnectionsPercent, ConnectionBorrowTimeout
     * 0–3600 s, IdleClientTimeout 1–28,800 s ("RDS Proxy connection considerations",
     * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connections.html; RDS API
     * ConnectionPoolConfiguration, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html).
     */
    proxy: mapping({
        enabled: bool(),
        maxConnectionsPercent: intIn(1, 100),
        maxIdleConnectionsPercent: intIn(0, 100),
        connectionBorrowTimeout: intIn(0, 3600),
        idleClientTimeout: intIn(1, 28800),
    }),
    /**
     * Secrets Manager rotation of the master password (single-user PostgreSQL rotation function). `schedule` is a
     * Secrets Manager ScheduleExpression: `rate(<n> days)` (1–1000) or `rate(<n> hours)` (4–24), or a `cron(...)`
     * expression ("Rotation schedules", https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html).
     * `secretsManagerEndpoint`: `create` an interface endpoint (private DNS) for the function, or `existing` when the VPC
     * already reaches Secrets Manager (NAT gateway, or an endpoint: a second one with private DNS would fail).
     */
    rotation: mapping({
        enabled: bool(),
        schedule: pattern(
            /^(rate\((\d{1,4}) days?\)|rate\(([4-9]|1\d|2[0-4]) hours\)|cron\([^()]+\))$/,
            "a Secrets Manager schedule such as rate(30 days), rate(4 hours) or cron(0 4 ? * SUN *)",
        ),
        secretsManagerEndpoint: z.enum(["create", "existing"], { error: "expected create or existing" }),
    }),
});

// ------------------------------------------------------------------- rules

const db = ({ doc }: Scope, key: string) => get(doc, `database.${key}`);
const prod = ({ environment }: Scope) => environment === "prod";

export const databaseRules: Row[] = [
    {
        path: "database.maxAllocatedStorageGb",
        when: (s) => below(db(s, "maxAllocatedStorageGb"), db(s, "allocatedStorageGb")),
        message: (s) => `must be at least allocatedStorageGb (${num(db(s, "allocatedStorageGb"))})`,
    },
    {
        path: "database.backupRetentionDays",
        when: (s) => above(db(s, "replicas"), 0) && num(db(s, "backupRetentionDays")) === 0,
        message: "must be at least 1 when database.replicas > 0 (RDS replicas need automated backups on the source)",
    },
    { path: "database.multiAz", when: (s) => prod(s) && db(s, "multiAz") === false, message: "must be true in prod" },
    { path: "database.replicas", when: (s) => prod(s) && num(db(s, "replicas")) === 0, message: "prod needs at least 1 read replica" },
    { path: "database.deletionProtection", when: (s) => prod(s) && db(s, "deletionProtection") === false, message: "must be true in prod" },
    { path: "database.enabled", when: (s) => prod(s) && db(s, "enabled") === false, message: "prod runs with its database" },
    {
        path: "database.proxy.enabled",
        when: (s) => prod(s) && db(s, "proxy.enabled") === false,
        message: "must be true in prod (the app connects through RDS Proxy)",
    },
    {
        path: "database.rotation.enabled",
        when: (s) => prod(s) && db(s, "rotation.enabled") === false,
        message: "must be true in prod (the master password rotates; Pulumi state must not keep a valid one)",
    },
    {
        path: "database.rotation.schedule",
        when: (s) => {
            const m = /^rate\((\d+) days?\)$/.exec(String(db(s, "rotation.schedule") ?? ""));
            return m !== null && (Number(m[1]) < 1 || Number(m[1]) > 1000);
        },
        message: "rate(<n> days) takes 1 to 1000 days",
    },
    {
        path: "database.proxy.maxIdleConnectionsPercent",
        when: (s) => above(db(s, "proxy.maxIdleConnectionsPercent"), num(db(s, "proxy.maxConnectionsPercent"))),
        message: (s) =>
            `must be at most proxy.maxConnectionsPercent (${num(db(s, "proxy.maxConnectionsPercent"))}): RDS Proxy refuses more idle than open connections`,
    },
    {
        path: "database.backupRetentionDays",
        // A disabled database may keep no backups at all.
        when: (s) =>
            below(db(s, "backupRetentionDays"), s.minimums.databaseBackupDays) &&
            !(db(s, "backupRetentionDays") === 0 && db(s, "enabled") === false),
        message: (s) => `${s.environment} keeps at least ${s.minimums.databaseBackupDays} days`,
    },
];

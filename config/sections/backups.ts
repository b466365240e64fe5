/** `hangar:backups`: the AWS Backup plan and vault, and the logical pg_dump CronJob with its bucket. */
import { below, get, num, str } from "../document";
import type { Row, Scope } from "../rule-table";
import { bool, intIn, mapping, pattern, pinnedImage, rdsInstanceClass } from "../primitives";

/**
 * S3 Glacier Deep Archive bills objects for at least 180 days. AWS "Understanding S3 Glacier storage
 * classes for long-term data storage", minimum storage duration
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/glacier-storage-classes.html).
 */
export const DEEP_ARCHIVE_MINIMUM_DAYS = 180;

/** AWS Backup rule schedules: EventBridge six-field cron expressions, `cron(minutes hours day-of-month month day-of-week year)`. */
const awsCron = pattern(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, "an AWS cron expression such as cron(0 3 * * ? *)");
const kubeCron = pattern(/^(@(hourly|daily|weekly|monthly)|(\S+\s+){4}\S+)$/, "a cron schedule such as 15 2 * * *");

export const backupsSchema = mapping({
    enabled: bool(),
    /** AWS Backup daily rule: kept this many days (warm storage: RDS snapshots cannot move to cold). */
    dailyRetentionDays: intIn(1, 36500),
    /** AWS Backup monthly rule: kept this many months (0: no monthly rule). */
    monthlyRetentionMonths: intIn(0, 1200),
    dailySchedule: awsCron,
    monthlySchedule: awsCron,
    /**
     * AWS Backup Vault Lock (governance mode until `changeableForDays` pass, then compliance).
     * `changeableForDays` is at least 3: AWS Backup enforces a 72-hour cooling-off period before the
     * lock becomes immutable. AWS Backup API PutBackupVaultLockConfiguration, `ChangeableForDays`
     * (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html).
     */
    vaultLock: mapping({ enabled: bool(), changeableForDays: intIn(3, 36500) }),
    /** The dump bucket's lifecycle: to Glacier Deep Archive after N days, expiry after M days (7 years). */
    bucket: mapping({ deepArchiveAfterDays: intIn(1, 36500), expireAfterDays: intIn(1, 36500) }),
    /** The logical dump CronJob (pg_dump over TLS to the dump bucket). */
    dump: mapping({
        enabled: bool(),
        schedule: kubeCron,
        /** Image with sh, pg_dump and aws CLI v2; pinned (the RDS CA bundle is mounted from a ConfigMap). */
        image: pinnedImage.optional(),
        /** pg_dump's major version in the image: must be ≥ the database's major. */
        clientMajorVersion: intIn(9, 99),
        /** activeDeadlineSeconds of each run. */
        deadlineSeconds: intIn(60, 86400),
    }),
    /**
     * AWS Backup restore testing of the database: the latest recovery point within `selectionWindowDays`,
     * restored on `schedule` into a temporary `instanceClass` instance kept `validationWindowHours` (1–168:
     * aws.backup.RestoreTestingSelection `validationWindowHours`; 1–365 days: `selectionWindowDays`).
     */
    restoreTesting: mapping({
        enabled: bool(),
        schedule: awsCron,
        instanceClass: rdsInstanceClass,
        validationWindowHours: intIn(1, 168),
        selectionWindowDays: intIn(1, 365),
    }),
});

// ------------------------------------------------------------------- rules

const backups = ({ doc }: Scope, key: string) => get(doc, `backups.${key}`);
const on = (s: Scope) => backups(s, "enabled") === true;
const dumping = (s: Scope) => on(s) && backups(s, "dump.enabled") === true;
/** The database's PostgreSQL major (0 when engineVersion is missing: `Number("")`). */
const databaseMajor = ({ doc }: Scope) => Number((str(get(doc, "database.engineVersion")) ?? "").split(".")[0]);
const client = (s: Scope) => num(backups(s, "dump.clientMajorVersion"));

export const backupsRules: Row[] = [
    {
        path: "backups.enabled",
        when: (s) => on(s) && get(s.doc, "database.enabled") === false,
        message: "backs up the database: database.enabled must be true",
    },
    {
        path: "backups.dump.image",
        when: (s) => dumping(s) && backups(s, "dump.image") === undefined,
        message: "required when backups.dump.enabled is true (sh, pg_dump, aws CLI v2, the RDS CA bundle)",
    },
    {
        path: "backups.dump.clientMajorVersion",
        when: (s) => dumping(s) && client(s) !== undefined && Number.isFinite(databaseMajor(s)) && client(s)! < databaseMajor(s),
        message: (s) => `pg_dump ${client(s)} cannot dump PostgreSQL ${databaseMajor(s)}: use a ${databaseMajor(s)}+ client image`,
    },
    {
        path: "backups.dailyRetentionDays",
        when: (s) => on(s) && below(backups(s, "dailyRetentionDays"), s.minimums.backupDailyDays),
        message: (s) => `${s.environment} keeps dailies at least ${s.minimums.backupDailyDays} days`,
    },
    {
        path: "backups.bucket.expireAfterDays",
        when: (s) => on(s) && below(backups(s, "bucket.expireAfterDays"), s.minimums.dumpBucketDays),
        message: (s) => `${s.environment} keeps dumps at least ${s.minimums.dumpBucketDays} days`,
    },
    {
        path: "backups.monthlyRetentionMonths",
        when: (s) => on(s) && s.environment === "prod" && below(backups(s, "monthlyRetentionMonths"), 12),
        message: "prod keeps monthlies at least 12 months",
    },
    {
        path: "backups.enabled",
        when: (s) => s.environment === "prod" && backups(s, "enabled") === false,
        message: "must be true in prod",
    },
    {
        path: "backups.bucket.expireAfterDays",
        // Deep Archive bills 180 days minimum: expiring earlier than that after the transition wastes money.
        when: (s) => {
            const archive = num(backups(s, "bucket.deepArchiveAfterDays"));
            return archive !== undefined && below(backups(s, "bucket.expireAfterDays"), archive + DEEP_ARCHIVE_MINIMUM_DAYS);
        },
        message: (s) =>
            `must be at least deepArchiveAfterDays + ${DEEP_ARCHIVE_MINIMUM_DAYS} (${num(backups(s, "bucket.deepArchiveAfterDays"))! + DEEP_ARCHIVE_MINIMUM_DAYS}): Deep Archive keeps objects ${DEEP_ARCHIVE_MINIMUM_DAYS} days minimum`,
    },
];

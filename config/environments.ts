/**
 * The environments a stack can be, and what each must at least keep. Shared by
 * the schema (the `environment` key), the profiles and the cross-field rules.
 */

export const ENVIRONMENTS = ["prod", "staging", "ephemeral"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface EnvironmentMinimums {
    /** RDS automated backup retention, days (`database.backupRetentionDays`). */
    databaseBackupDays: number;
    /** ElastiCache snapshot retention, days (`cache.snapshotRetentionDays`). */
    cacheSnapshotDays: number;
    /** AWS Backup daily rule retention, days (`backups.dailyRetentionDays`). */
    backupDailyDays: number;
    /** Dump bucket expiry, days (`backups.bucket.expireAfterDays`). */
    dumpBucketDays: number;
    /** Image tags that move, so never pin an image (`app.services[].image`). */
    forbiddenImageTags: string[];
}

/**
 * Per-environment minimums the stack file must meet: the same thresholds the
 * guardrails enforce (policies/config/<env>.json; a test keeps them equal), so
 * a mistake stops at parse time, not at the policy check.
 */
export const ENVIRONMENT_MINIMUMS: Record<Environment, EnvironmentMinimums> = {
    prod: {
        databaseBackupDays: 30,
        cacheSnapshotDays: 7,
        backupDailyDays: 35,
        dumpBucketDays: 2555,
        forbiddenImageTags: ["latest", "main", "master", "stable"],
    },
    staging: { databaseBackupDays: 7, cacheSnapshotDays: 3, backupDailyDays: 14, dumpBucketDays: 365, forbiddenImageTags: ["latest"] },
    ephemeral: { databaseBackupDays: 1, cacheSnapshotDays: 0, backupDailyDays: 1, dumpBucketDays: 1, forbiddenImageTags: ["latest"] },
};

/** The environment a stack name implies when the stack file does not say. */
export function environmentFromStackName(stackName: string): Environment {
    if (stackName === "prod" || stackName === "staging") return stackName;
    return "ephemeral";
}

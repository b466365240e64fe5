/** Pure builders for Backups: plan rules and IAM documents, testable without Pulumi. */
import type { Input } from "@pulumi/pulumi";

/** Days AWS Backup keeps a monthly point: 31 per month, so "12 months" is never less than a year. */
export const monthsToDays = (months: number) => months * 31;

/** Daily and monthly rules, warm storage only (RDS snapshots cannot move to cold storage). */
export function backupRules(a: {
    vaultName: Input<string>;
    dailyRetentionDays: number;
    monthlyRetentionMonths: number;
    dailySchedule: string;
    monthlySchedule: string;
    copyToVaultArn?: Input<string>;
}) {
    const rule = (ruleName: string, schedule: string, deleteAfter: number) => ({
        ruleName,
        targetVaultName: a.vaultName,
        schedule,
        startWindow: 60,
        completionWindow: 360,
        lifecycle: { deleteAfter },
        recoveryPointTags: { "hangar:rule": ruleName },
        copyActions: a.copyToVaultArn ? [{ destinationVaultArn: a.copyToVaultArn, lifecycle: { deleteAfter } }] : undefined,
    });
    const rules = [rule("daily", a.dailySchedule, a.dailyRetentionDays)];
    if (a.monthlyRetentionMonths > 0) rules.push(rule("monthly", a.monthlySchedule, monthsToDays(a.monthlyRetentionMonths)));
    return rules;
}

export { replicationPolicy } from "../shared/bucket-replication";

/** The dump job may write its own prefix of the bucket and nothing else. */
export function dumpWriterPolicy(a: { bucketArn: string; prefix: string; kmsKeyArn: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `${a.bucketArn}/${a.prefix}/*` },
            // SSE-KMS uploads (multipart ones decrypt parts to assemble them).
            { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: a.kmsKeyArn },
        ],
    });
}

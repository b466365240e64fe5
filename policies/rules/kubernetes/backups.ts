/**
 * Backup CronJobs (pg_dump and the like): one run at a time, bounded in time,
 * and not started long after their slot, so a slow or stuck dump never piles
 * up behind another against the primary database.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { ObjectMeta } from "./pod-template";
import { ExemptionConfig, kubernetesRule } from "./shared";

const CRONJOB_TYPES = ["kubernetes:batch/v1:CronJob", "kubernetes:batch/v1beta1:CronJob"];

interface BackupJobConfig extends ExemptionConfig {
    label: string;
}

interface CronJobSpec {
    concurrencyPolicy?: string;
    startingDeadlineSeconds?: number;
    jobTemplate?: { spec?: { activeDeadlineSeconds?: number } };
}

export const cronJobBackupBounded: ResourceValidationPolicy = kubernetesRule<BackupJobConfig>({
    name: "kubernetes-cronjob-backup-bounded",
    description:
        "Backup CronJobs (labelled as such) must forbid concurrent runs, bound each run with a deadline, and give up on a run that cannot start near its slot.",
    enforcementLevel: "mandatory",
    properties: {
        label: {
            type: "string",
            minLength: 1,
            default: "backup.hangar.dev/job",
            description: 'The label that marks a backup CronJob, with the value "true".',
        },
    },
    types: CRONJOB_TYPES,
    check: (props, config, args) => {
        const metadata = (props.metadata ?? {}) as ObjectMeta;
        if (metadata.labels?.[config.label] !== "true") args.notApplicable(`not a backup CronJob (no label ${config.label}: "true")`);
        const spec = (props.spec ?? {}) as CronJobSpec;
        const messages: string[] = [];
        if (spec.concurrencyPolicy !== "Forbid")
            messages.push(`set spec.concurrencyPolicy: Forbid (it is ${spec.concurrencyPolicy ?? "unset: Allow"})`);
        if (!(typeof spec.jobTemplate?.spec?.activeDeadlineSeconds === "number" && spec.jobTemplate.spec.activeDeadlineSeconds > 0))
            messages.push("set spec.jobTemplate.spec.activeDeadlineSeconds");
        if (!(typeof spec.startingDeadlineSeconds === "number" && spec.startingDeadlineSeconds > 0))
            messages.push("set spec.startingDeadlineSeconds");
        return messages;
    },
});

export const backupJobPolicies = [cronJobBackupBounded];

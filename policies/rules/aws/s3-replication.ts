/** S3 replication of SSE-KMS objects, a stack rule over the replication configurations and their source buckets. */
import { StackValidationPolicy } from "@pulumi/policy";
import { REMEDY } from "./s3-buckets";
import { encryptionAspect } from "./s3-encryption";
import { bucketIndex, judge } from "./s3-buckets";
import { awsStackRule, AwsExemptionConfig, isSet } from "./shared";

const asList = <T>(value: unknown) => (value ?? []) as T[];

interface ReplicationRule {
    status?: string;
    sourceSelectionCriteria?: { sseKmsEncryptedObjects?: { status?: string } };
    destination?: { encryptionConfiguration?: Record<string, unknown> };
}

/**
 * Stack rule: S3 does not replicate SSE-KMS objects unless the rule opts in and
 * names a key for the replicas. A rule replicates SSE-KMS objects when its
 * source bucket encrypts with KMS by default, when its source bucket is not in
 * the stack (nothing says otherwise), or when it sets either field already.
 */
export const s3BucketReplicationKms: StackValidationPolicy = awsStackRule<AwsExemptionConfig>({
    name: "aws-s3-bucket-replication-kms",
    description:
        "S3 replication rules that replicate SSE-KMS-encrypted objects must opt in to them and name the KMS key that encrypts the replicas.",
    enforcementLevel: "mandatory",
    subjects: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
    remedy: REMEDY,
    check: (subject, ctx) => {
        const label = `bucket replication ${subject.name}`;
        const problems: string[] = [];
        let partial = false;
        asList<ReplicationRule>(subject.props.rules).forEach((rule, i) => {
            if (rule.status !== "Enabled") return;
            const optedIn = rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status === "Enabled";
            const keyed = isSet(rule.destination?.encryptionConfiguration ?? {}, "replicaKmsKeyId");
            if (!optedIn) problems.push(`set rules[${i}].sourceSelectionCriteria.sseKmsEncryptedObjects.status: Enabled`);
            if (!keyed)
                problems.push(`set rules[${i}].destination.encryptionConfiguration.replicaKmsKeyId to a KMS key in the destination region`);
            partial ||= optedIn !== keyed;
        });
        if (problems.length === 0) return;
        const report = (why: string) => ctx.report(`${label} ${why}: ${problems.join("; ")}`);
        if (partial) return report("half-configures SSE-KMS replication");
        const index = bucketIndex(ctx.resources);
        const member = index.memberOf(subject);
        const sources = index.bucketsOf(member);
        if (sources.length === 0) {
            if (member.targets.length === 0 && member.name === undefined)
                return ctx.cannotDecide(`${label}: its source bucket is not known`);
            if (member.name !== undefined && index.buckets.some((b) => b.name === undefined))
                return ctx.cannotDecide(`${label}: its source bucket "${member.name}" may be a bucket whose name is not known`);
            return report(`replicates bucket "${member.name}", which this stack does not create and may hold SSE-KMS objects`);
        }
        for (const source of sources) {
            const verdict = judge(encryptionAspect, source, index, { requireKms: true, exemptResources: [] });
            if (verdict.kind === "undecided")
                ctx.cannotDecide(`${label}: whether its source bucket encrypts with SSE-KMS: ${verdict.reason}`, verdict.cause);
            else if (verdict.kind === "ok") report(`replicates ${source.label}, which encrypts with SSE-KMS`);
        }
    },
});

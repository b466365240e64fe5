/**
 * Least-privilege S3 replication of every object, SSE-KMS ones included, to a bucket in another region: a role
 * S3 assumes for this source bucket only, its policy (replicationPolicy), and the replication configuration.
 * S3 does not replicate SSE-KMS objects unless the rule opts in (`sseKmsEncryptedObjects`) and names the key of
 * the replicas (`replicaKmsKeyId`): "Replicating objects created with server-side encryption (SSE-C, SSE-S3,
 * SSE-KMS, DSSE-KMS)", https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import type { SecureBucket } from "./secure-bucket";
import { AccountContext, serviceRole } from "./service-role";

/** What S3 replication needs, and nothing more. */
export function replicationPolicy(a: { sourceArn: string; sourceKey: string; destinationArn: string; destinationKey: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: a.sourceArn },
            {
                Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                Resource: `${a.sourceArn}/*`,
            },
            {
                Effect: "Allow",
                Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                Resource: `${a.destinationArn}/*`,
            },
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: a.sourceKey },
            { Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: a.destinationKey },
        ],
    });
}

/** Where a bucket replicates to (a bucket and key of the DR region). */
export interface BucketReplicationTargetArgs {
    /** ARN of the destination bucket (the DR region's); pass an output that depends on its versioning, so replication is set up after it. */
    bucketArn: pulumi.Input<string>;
    /** KMS key of the destination; without it SSE-KMS objects would not replicate. */
    kmsKeyArn: pulumi.Input<string>;
}

/**
 * Replicates `source` to `target`: the role and its policy are named `<roleName>`, the configuration `<configName>`
 * (the names the dump bucket's replication has always had, so its URNs stay).
 */
export function replicateBucket(
    a: {
        roleName: string;
        configName: string;
        description: string;
        source: SecureBucket;
        sourceKeyArn: pulumi.Input<string>;
        target: BucketReplicationTargetArgs;
        account: AccountContext;
    },
    parent: pulumi.Resource,
): aws.s3.BucketReplicationConfig {
    const { source, target } = a;
    const role = serviceRole(
        a.roleName,
        { description: a.description, service: "s3.amazonaws.com", sourceArn: () => source.bucket.arn, account: a.account },
        parent,
    );
    new aws.iam.RolePolicy(
        a.roleName,
        {
            role: role.id,
            policy: pulumi
                .all([source.bucket.arn, a.sourceKeyArn, target.bucketArn, target.kmsKeyArn])
                .apply(([sourceArn, sourceKey, destinationArn, destinationKey]) =>
                    replicationPolicy({ sourceArn, sourceKey, destinationArn, destinationKey }),
                ),
        },
        { parent },
    );
    return new aws.s3.BucketReplicationConfig(
        a.configName,
        {
            bucket: source.bucket.id,
            role: role.arn,
            rules: [
                {
                    id: "to-dr-region",
                    status: "Enabled",
                    filter: { prefix: "" },
                    deleteMarkerReplication: { status: "Disabled" },
                    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                    destination: {
                        bucket: target.bucketArn,
                        encryptionConfiguration: { replicaKmsKeyId: target.kmsKeyArn },
                        storageClass: "STANDARD_IA",
                    },
                },
            ],
        },
        // Replication needs versioning on the source first; the destination's comes with target.bucketArn.
        { parent, dependsOn: [source.versioning] },
    );
}

import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";

/** How long objects live and when they move to Glacier Deep Archive. */
export interface BucketRetentionArgs {
    /** Days until current objects move to Glacier Deep Archive. @default 30 */
    deepArchiveAfterDays?: number;
    /** Days until current objects expire (7 years, the retention aerospace customers ask for). @default 2555 */
    expireAfterDays?: number;
    /** Days a replaced or deleted version is kept. @default 90 */
    noncurrentExpireAfterDays?: number;
}

export const BUCKET_RETENTION_DEFAULTS = { deepArchiveAfterDays: 30, expireAfterDays: 2555, noncurrentExpireAfterDays: 90 };

export interface SecureBucket {
    bucket: aws.s3.Bucket;
    versioning: aws.s3.BucketVersioning;
}

/** A bucket policy that refuses every request not made over TLS. */
export function tlsOnlyPolicy(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

/**
 * A backup bucket as @pulumi/aws 7 models it (one resource per concern), every
 * child named `<name>` so stack rules can relate them: versioning, SSE-KMS with
 * a bucket key, public access blocked, owner-enforced, TLS-only policy, and a
 * lifecycle to Deep Archive and expiry.
 */
export function secureBucket(
    name: string,
    args: { bucketName: string; kmsKeyArn: pulumi.Input<string>; retention?: BucketRetentionArgs; forceDestroy: boolean; protect: boolean },
    parent: pulumi.Resource,
): SecureBucket {
    const r = { ...BUCKET_RETENTION_DEFAULTS, ...args.retention };
    const child = { parent };
    const bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: args.forceDestroy }, { parent, protect: args.protect });
    new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    new aws.s3.BucketPublicAccessBlock(
        name,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
    );
    const versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        {
            bucket: bucket.id,
            rules: [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true },
            ],
        },
        child,
    );
    // Built from the deterministic name (not bucket.arn, unknown until the bucket exists) so that
    // the guardrails can verify the policy during preview.
    const partition = aws.getPartitionOutput({}, { parent });
    new aws.s3.BucketPolicy(
        name,
        { bucket: bucket.id, policy: partition.partition.apply((p) => tlsOnlyPolicy(`arn:${p}:s3:::${args.bucketName}`)) },
        child,
    );
    new aws.s3.BucketLifecycleConfiguration(
        name,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "archive-then-expire",
                    status: "Enabled",
                    filter: { prefix: "" },
                    transitions: [{ days: r.deepArchiveAfterDays, storageClass: "DEEP_ARCHIVE" }],
                    expiration: { days: r.expireAfterDays },
                    noncurrentVersionExpiration: { noncurrentDays: r.noncurrentExpireAfterDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        },
        { parent, dependsOn: [versioning] },
    );
    return { bucket, versioning };
}

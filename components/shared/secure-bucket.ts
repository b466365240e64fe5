import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/aws/types/input";

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

/** The backup buckets' lifecycle (dumps and their DR replica): to Deep Archive, expiry after years. */
export function archiveLifecycleRules(retention?: BucketRetentionArgs): inputs.s3.BucketLifecycleConfigurationRule[] {
    const r = { ...BUCKET_RETENTION_DEFAULTS, ...retention };
    return [
        {
            id: "archive-then-expire",
            status: "Enabled",
            filter: { prefix: "" },
            transitions: [{ days: r.deepArchiveAfterDays, storageClass: "DEEP_ARCHIVE" }],
            expiration: { days: r.expireAfterDays },
            noncurrentVersionExpiration: { noncurrentDays: r.noncurrentExpireAfterDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
    ];
}

export interface SecureBucketArgs {
    /** The physical (globally unique) name: deterministic, so policies can relate it during preview. */
    bucketName: string;
    /** Customer-managed key of SSE-KMS. */
    kmsKeyArn: pulumi.Input<string>;
    /** The backup lifecycle's settings (ignored with `lifecycleRules`). */
    retention?: BucketRetentionArgs;
    /** The lifecycle rules. @default archiveLifecycleRules(retention) */
    lifecycleRules?: inputs.s3.BucketLifecycleConfigurationRule[];
    forceDestroy: boolean;
    protect: boolean;
    /** `retainOnDelete` on the bucket: removing it from the stack leaves it (and its data) in the account. @default false */
    retainOnDelete?: boolean;
}

/**
 * A bucket as @pulumi/aws 7 models it (one resource per concern), every child
 * named `<name>` so stack rules can relate them: versioning, SSE-KMS with a
 * bucket key, public access blocked, owner-enforced, TLS-only policy, and a
 * lifecycle (by default the backups' one: to Deep Archive, then expiry).
 */
export function secureBucket(name: string, args: SecureBucketArgs, parent: pulumi.Resource): SecureBucket {
    const child = { parent };
    const bucket = new aws.s3.Bucket(
        name,
        { bucket: args.bucketName, forceDestroy: args.forceDestroy },
        { parent, protect: args.protect, ...(args.retainOnDelete ? { retainOnDelete: true } : {}) },
    );
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
            rules: args.lifecycleRules ?? archiveLifecycleRules(args.retention),
        },
        { parent, dependsOn: [versioning] },
    );
    return { bucket, versioning };
}

/** A move of current objects to a cheaper storage class. */
export interface LifecycleTransitionArgs {
    /** Days after creation. */
    afterDays: number;
    /** The storage class: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE. */
    storageClass: string;
}

/** The lifecycle of an application bucket (app.buckets[].lifecycle). */
export interface ObjectLifecycleArgs {
    /** Days a replaced or deleted version is kept. @default 90 */
    noncurrentExpireAfterDays?: number;
    /** Move current objects to `storageClass` (STANDARD_IA, GLACIER_IR, …) after `afterDays`. @default none */
    transition?: LifecycleTransitionArgs;
    /** Days until current objects expire (they become noncurrent versions). @default never */
    expireAfterDays?: number;
    /** Days after which an incomplete multipart upload is aborted and its parts freed. @default 7 */
    abortIncompleteUploadsAfterDays?: number;
}

export const OBJECT_LIFECYCLE_DEFAULTS = { noncurrentExpireAfterDays: 90, abortIncompleteUploadsAfterDays: 7 };

/** One rule over the whole bucket: noncurrent versions expire, incomplete uploads are aborted, optional transition and expiry. */
export function objectLifecycleRules(lifecycle?: ObjectLifecycleArgs): inputs.s3.BucketLifecycleConfigurationRule[] {
    const l = { ...OBJECT_LIFECYCLE_DEFAULTS, ...lifecycle };
    return [
        {
            id: "objects",
            status: "Enabled",
            filter: { prefix: "" },
            ...(l.transition ? { transitions: [{ days: l.transition.afterDays, storageClass: l.transition.storageClass }] } : {}),
            ...(l.expireAfterDays !== undefined ? { expiration: { days: l.expireAfterDays } } : {}),
            noncurrentVersionExpiration: { noncurrentDays: l.noncurrentExpireAfterDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: l.abortIncompleteUploadsAfterDays },
        },
    ];
}

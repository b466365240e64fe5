/**
 * wiring-s3-bucket-relations: the per-bucket resources of the AWS provider 7 (BucketPolicy,
 * BucketVersioning, BucketServerSideEncryptionConfiguration, BucketLifecycleConfiguration,
 * BucketPublicAccessBlock, BucketOwnershipControls, BucketReplicationConfig) each take their
 * `bucket` from a Bucket of the stack (propertyDependencies.bucket: a literal name may be
 * someone else's bucket, and the setting is then missing from ours), and a replication
 * configuration is created after the versioning of both its source and its destination
 * bucket: S3 refuses replication unless both buckets have versioning enabled
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html), and the
 * provider's BucketReplicationConfig docs ask for `dependsOn` the versioning resource
 * (https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketreplicationconfig/).
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, schemaWith } from "../kubernetes/shared";

const BUCKET = "aws:s3/bucket:Bucket";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
export const BUCKET_CHILDREN = [
    "aws:s3/bucketPolicy:BucketPolicy",
    VERSIONING,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    REPLICATION,
];

const bucketsIn = (deps: PolicyResource[] | undefined) => (deps ?? []).filter((d) => d.type === BUCKET);
const label = (r: PolicyResource) => `${r.type.split(":").pop()} ${r.name}`;

export const s3BucketRelations: StackValidationPolicy = {
    name: "wiring-s3-bucket-relations",
    description:
        "Every per-bucket S3 resource names a Bucket of the stack, and a replication configuration is created after the versioning of its source and destination buckets.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith({
        exemptResources: {
            type: "array",
            items: { type: "string", minLength: 1 },
            uniqueItems: true,
            default: [],
            description: "Resources this rule does not check, by logical name or URN (a bucket another stack owns, say).",
        },
    }),
    validateStack: (args, reportViolation) => {
        const config = configOf<{ exemptResources: string[] }>(s3BucketRelations.configSchema, args);
        const children = args.resources.filter(
            (r) => BUCKET_CHILDREN.includes(r.type) && !config.exemptResources.some((e) => e === r.name || e === r.urn),
        );
        if (children.length === 0) args.notApplicable("the stack creates no per-bucket S3 resource");
        const versioningOf = (bucket: PolicyResource) =>
            args.resources.filter(
                (r) => r.type === VERSIONING && bucketsIn(r.propertyDependencies.bucket).some((b) => b.urn === bucket.urn),
            );
        for (const r of children) {
            const own = bucketsIn(r.propertyDependencies.bucket);
            if (own.length !== 1) {
                reportViolation(
                    `${label(r)}: set bucket from a Bucket of the stack (bucket.id or bucket.bucket); it depends on ${own.length}`,
                    r.urn,
                );
                continue;
            }
            if (r.type !== REPLICATION) continue;
            // Destinations: every Bucket the rules' destination.bucket is computed from.
            const destinations = bucketsIn(r.propertyDependencies.rules);
            if (destinations.length === 0)
                reportViolation(`${label(r)}: set rules[].destination.bucket from the destination Bucket's arn`, r.urn);
            for (const bucket of [own[0], ...destinations]) {
                const versioning = versioningOf(bucket);
                const ordered = versioning.some((v) => r.dependencies.some((d) => d.urn === v.urn));
                if (!ordered)
                    reportViolation(
                        versioning.length === 0
                            ? `${label(r)}: Bucket ${bucket.name} has no BucketVersioning: S3 replicates only between versioned buckets`
                            : `${label(r)}: add dependsOn ${versioning.map(label).join(" or ")}: replication must be created after Bucket ${bucket.name} is versioned`,
                        r.urn,
                    );
            }
        }
    },
};

export const s3WiringPolicies = [s3BucketRelations];

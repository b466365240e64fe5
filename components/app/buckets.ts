/**
 * The application's S3 buckets (`AppTierArgs.buckets`): each a secureBucket (versioned, SSE-KMS with a bucket
 * key, TLS-only policy, public access blocked, owner-enforced) with its own customer-managed key, so that a
 * service's role can be granted exactly the keys of its buckets; the lifecycle from its settings; protected and
 * retained on delete in prod; optionally replicated to a bucket of the DR region.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { BucketReplicationTargetArgs, replicateBucket } from "../shared/bucket-replication";
import { managedKeyWithAlias } from "../shared/kms";
import { lifecycle } from "../shared/lifecycle";
import { physicalName } from "../shared/naming";
import { ObjectLifecycleArgs, objectLifecycleRules, secureBucket } from "../shared/secure-bucket";
import { accountContext } from "../shared/service-role";

/** One bucket of the application, as a stack file gives it. */
export interface AppBucketSettings {
    /** Short name (lower-case letters, digits, hyphens): part of the physical name and of `BUCKET_<NAME>`. */
    name: string;
    /** Lifecycle of the objects. @default noncurrent versions expire after 90 days, incomplete uploads after 7 */
    lifecycle?: ObjectLifecycleArgs;
    /** Replicate every object to a bucket in the DR region (needs `AppBucketPlacementArgs.replicas`). @default false */
    replicate?: boolean;
}

/** Where the app buckets live and where they replicate to. */
export interface AppBucketPlacementArgs {
    /** The stack: physical names are `hangar-<stack>-app-<name>-<accountId>` (shared/naming.ts). */
    stack: string;
    /** The account, part of the globally unique names. */
    accountId: string;
    /** The buckets' region, given to the services that use them as AWS_REGION. */
    region: string;
    /** The DR region's bucket and key of each bucket with `replicate`, by bucket name. @default none */
    replicas?: Record<string, BucketReplicationTargetArgs>;
}

/** A bucket that was created, as its users need it. */
export interface AppBucket {
    name: string;
    /** The physical name (known when the program runs: policies relate it during preview). */
    bucketName: string;
    /** Its customer-managed key. */
    key: aws.kms.Key;
    /** The key's alias, `alias/<bucketName>`: how IAM policies name the key (kms:ResourceAliases). */
    alias: aws.kms.Alias;
}

/** The physical name of an app bucket (and, with `dr`, of its replica in the DR region). */
export function appBucketName(stack: string, accountId: string, name: string, dr = false): string {
    return physicalName(stack, `app-${name}${dr ? "-dr" : ""}-${accountId}`);
}

/** The environment variable that carries a bucket's physical name: `BUCKET_ANALYSIS_RESULTS` for `analysis-results`. */
export const bucketEnvName = (name: string) => `BUCKET_${name.toUpperCase().replace(/-/g, "_")}`;

export function appBuckets(
    name: string,
    a: { buckets: AppBucketSettings[]; placement: AppBucketPlacementArgs; environment: string },
    parent: pulumi.Resource,
): Map<string, AppBucket> {
    const life = lifecycle(a.environment);
    const created = new Map<string, AppBucket>();
    const account = a.buckets.some((b) => b.replicate) ? accountContext(parent) : undefined;
    for (const b of a.buckets) {
        const resourceName = `${name}-bucket-${b.name}`;
        const bucketName = appBucketName(a.placement.stack, a.placement.accountId, b.name);
        const { key, alias } = managedKeyWithAlias(
            resourceName,
            { description: `App bucket ${bucketName}`, alias: bucketName, environment: a.environment },
            parent,
        );
        const bucket = secureBucket(
            resourceName,
            {
                bucketName,
                kmsKeyArn: key.arn,
                lifecycleRules: objectLifecycleRules(b.lifecycle),
                // Only ephemeral stacks empty a bucket to delete it; elsewhere a non-empty bucket refuses deletion.
                forceDestroy: a.environment === "ephemeral",
                protect: life.protect,
                retainOnDelete: life.retainOnDelete,
            },
            parent,
        );
        if (b.replicate) {
            const target = a.placement.replicas?.[b.name];
            if (!target) throw new pulumi.ResourceError(`app bucket "${b.name}" replicates, but no DR replica was given for it`, parent);
            replicateBucket(
                {
                    roleName: `${resourceName}-replication`,
                    configName: resourceName,
                    description: `S3 replication of ${bucketName} to the DR region`,
                    source: bucket,
                    sourceKeyArn: key.arn,
                    target,
                    account: account!,
                },
                parent,
            );
        }
        created.set(b.name, { name: b.name, bucketName, key, alias });
    }
    return created;
}

/**
 * The tier's app buckets, after checking that every service's bucket is declared and that no service with buckets takes
 * the shared ServiceAccount's name (its own ServiceAccount is named after it).
 */
export function tierBuckets(
    name: string,
    a: {
        services: { name: string; buckets?: string[] }[];
        buckets?: AppBucketSettings[];
        placement?: AppBucketPlacementArgs;
        environment: string;
        sharedServiceAccount: string;
    },
    parent: pulumi.Resource,
): Map<string, AppBucket> {
    const declared = (a.buckets ?? []).map((b) => b.name);
    for (const s of a.services) {
        const unknown = (s.buckets ?? []).filter((b) => !declared.includes(b));
        if (unknown.length) throw new pulumi.ResourceError(`service "${s.name}" names unknown buckets: ${unknown.join(", ")}`, parent);
        if (s.buckets?.length && s.name === a.sharedServiceAccount)
            throw new pulumi.ResourceError(`service "${s.name}" with buckets would take the shared ServiceAccount's name`, parent);
    }
    if (declared.length === 0) return new Map<string, AppBucket>();
    if (!a.placement) throw new pulumi.ResourceError("buckets need bucketPlacement", parent);
    return appBuckets(name, { buckets: a.buckets!, placement: a.placement, environment: a.environment }, parent);
}

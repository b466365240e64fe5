/**
 * `hangar:app.buckets[]`: the application's S3 buckets (versioned, SSE-KMS, TLS-only, public access blocked;
 * components/app/buckets.ts), their lifecycle and replication, and `app.services[].buckets`, the buckets a
 * service may use. Split from ./sections/app.ts (which embeds the schema and the rules) to keep files small.
 */
import { z } from "zod";
import { get, list, num, str, type Doc } from "./document";
import { isPlainObject } from "./merge";
import { NAMESPACE, type ConfigWarning } from "./issue";
import { each, type Row, type Scope } from "./rule-table";
import { bool, intIn, mapping, pattern } from "./primitives";

/** A bucket's short name: it becomes part of the bucket's physical name and of `BUCKET_<NAME>`. */
const bucketName = pattern(/^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/, "a bucket name of lower-case letters, digits and hyphens, 1–24 long");

/**
 * Storage classes a lifecycle rule may transition to (S3 API `Transition.StorageClass`,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html; GLACIER is S3 Glacier Flexible Retrieval).
 */
export const TRANSITION_STORAGE_CLASSES = [
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
] as const;

/**
 * S3 refuses a transition to STANDARD_IA or ONEZONE_IA before objects are 30 days old ("Transitioning objects
 * using Amazon S3 Lifecycle", constraints, https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
 */
export const INFREQUENT_ACCESS_MINIMUM_DAYS = 30;

export const bucketSchema = mapping({
    name: bucketName,
    /** The bucket's lifecycle (not the dump bucket's Deep Archive policy). */
    lifecycle: mapping({
        /** Days a replaced or deleted version is kept before it expires. */
        noncurrentExpireAfterDays: intIn(1, 36500).default(90),
        /** Move current objects to a cheaper storage class after `afterDays`. */
        transition: mapping({
            afterDays: intIn(0, 36500),
            storageClass: z.enum(TRANSITION_STORAGE_CLASSES, { error: `expected one of ${TRANSITION_STORAGE_CLASSES.join(", ")}` }),
        }).optional(),
        /** Expire current objects after this many days (they become noncurrent versions). Never, when unset. */
        expireAfterDays: intIn(1, 36500).optional(),
        /** Days after which S3 aborts an incomplete multipart upload and frees its parts. */
        abortIncompleteUploadsAfterDays: intIn(1, 365).default(7),
    }).default({ noncurrentExpireAfterDays: 90, abortIncompleteUploadsAfterDays: 7 }),
    /** Replicate every object to a bucket of its own in the DR region (needs `dr.enabled`). */
    replicate: bool().default(false),
});

/** `app.services[].buckets`: the app buckets a service reads and writes (its own ServiceAccount and IRSA role). */
export const serviceBuckets = z.array(bucketName, { error: "expected a list of bucket names" }).optional();

// ------------------------------------------------------------------- rules

type BucketScope = Scope & { bucket: Doc; i: number; names: unknown[] };
type ServiceBucketScope = Scope & { name: unknown; i: number; j: number; known: unknown[] };

const strings = (values: unknown[]) => values.filter((v): v is string => typeof v === "string");
const bucketNames = (doc: Doc) => list(get(doc, "app.buckets")).map((b) => (isPlainObject(b) ? b.name : undefined));

function buckets(s: Scope): BucketScope[] {
    const names = bucketNames(s.doc);
    return list(get(s.doc, "app.buckets")).flatMap((bucket, i) => (isPlainObject(bucket) ? [{ ...s, bucket, i, names }] : []));
}

function serviceBucketNames(s: Scope): ServiceBucketScope[] {
    const known = bucketNames(s.doc);
    return list(get(s.doc, "app.services")).flatMap((service, i) =>
        isPlainObject(service) ? list(service.buckets).map((name, j) => ({ ...s, name, i, j, known })) : [],
    );
}

const transitionDays = (b: Doc) => num(get(b, "lifecycle.transition.afterDays"));
const transitionClass = (b: Doc) => str(get(b, "lifecycle.transition.storageClass"));

export const bucketRules: Row[] = [
    each(buckets, [
        {
            path: "app.buckets[i].name",
            when: ({ bucket, i, names }: BucketScope) => typeof bucket.name === "string" && names.indexOf(bucket.name) !== i,
            message: ({ bucket }: BucketScope) => `duplicate bucket name "${String(bucket.name)}"`,
        },
        {
            path: "app.buckets[i].replicate",
            when: ({ bucket, doc }: BucketScope) => bucket.replicate === true && get(doc, "dr.enabled") !== true,
            message: "replicates to the DR region: dr.enabled must be true",
        },
        {
            path: "app.buckets[i].lifecycle.transition.afterDays",
            when: ({ bucket }: BucketScope) =>
                ["STANDARD_IA", "ONEZONE_IA"].includes(transitionClass(bucket) ?? "") &&
                (transitionDays(bucket) ?? INFREQUENT_ACCESS_MINIMUM_DAYS) < INFREQUENT_ACCESS_MINIMUM_DAYS,
            message: ({ bucket }: BucketScope) =>
                `must be at least ${INFREQUENT_ACCESS_MINIMUM_DAYS}: S3 moves objects to ${transitionClass(bucket)} only after 30 days`,
        },
        {
            path: "app.buckets[i].lifecycle.expireAfterDays",
            when: ({ bucket }: BucketScope) => {
                const expire = num(get(bucket, "lifecycle.expireAfterDays"));
                const moved = transitionDays(bucket);
                return expire !== undefined && moved !== undefined && expire <= moved;
            },
            message: ({ bucket }: BucketScope) => `must be later than lifecycle.transition.afterDays (${transitionDays(bucket)})`,
        },
    ]),
    each(serviceBucketNames, [
        {
            path: "app.services[i].buckets[j]",
            when: ({ name, known }: ServiceBucketScope) => typeof name === "string" && !known.includes(name),
            message: ({ name, known }: ServiceBucketScope) =>
                `"${String(name)}" is not a bucket of app.buckets${strings(known).length ? ` (${strings(known).join(", ")})` : ""}`,
        },
    ]),
];

/** A bucket no service names: it is created, but no pod can reach it. */
export function unusedBucketWarnings(doc: Doc): ConfigWarning[] {
    const used = new Set(list(get(doc, "app.services")).flatMap((s) => (isPlainObject(s) ? list(s.buckets) : [])));
    return list(get(doc, "app.buckets")).flatMap((b, i) =>
        isPlainObject(b) && typeof b.name === "string" && !used.has(b.name)
            ? [
                  {
                      level: "warning" as const,
                      path: `${NAMESPACE}:app.buckets[${i}].name`,
                      message: `no service names bucket "${b.name}" in app.services[].buckets: no pod can reach it`,
                  },
              ]
            : [],
    );
}

/**
 * Resources that hold data. Replacing one (a new physical resource, the old one
 * deleted) or deleting one loses that data, so `up` refuses such a plan unless
 * the caller names the resource's URN in `allowReplace`.
 */
import type { OpType } from "@pulumi/pulumi/automation";

/**
 * Pulumi type tokens of stateful resources, from the @pulumi/aws 7 schema.
 * `aws:s3/bucketV2:BucketV2` is the deprecated spelling of `aws:s3/bucket:Bucket`
 * (an alias of it), still met in older state.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = Object.freeze([
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:backup/vault:Vault",
    "aws:secretsmanager/secret:Secret",
]);

/**
 * Engine step operations that destroy the physical resource they act on: a
 * replacement shows as `replace` with its `create-replacement` and
 * `delete-replaced` halves; `discard` only forgets a retained resource and is
 * not listed.
 */
export const DESTRUCTIVE_OPS: readonly OpType[] = Object.freeze([
    "replace",
    "create-replacement",
    "delete-replaced",
    "delete",
    "import-replacement",
] as OpType[]);

/** True when resources of this Pulumi type token hold data (see {@link STATEFUL_RESOURCE_TYPES}). */
export function isStatefulType(type: string): boolean {
    return STATEFUL_RESOURCE_TYPES.includes(type);
}

/** True when a step with this operation destroys the physical resource (see {@link DESTRUCTIVE_OPS}). */
export function isDestructiveOp(op: string): boolean {
    return (DESTRUCTIVE_OPS as readonly string[]).includes(op);
}

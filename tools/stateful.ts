/**
 * Stateful resources and what replaces them. A replaced database, cache,
 * bucket, key, vault or secret is data loss (or an outage while it is rebuilt),
 * so their URNs and replacement-forcing values are kept in a committed
 * baseline per stack and every difference needs an explicit allowReplace entry.
 */
import type { Snapshot, SnapshotResource } from "./harness/snapshot";

/**
 * Per stateful type (the list `up` guards in automation/stateful.ts; a test keeps
 * the two equal), the inputs whose change forces replacement (ForceNew in the AWS
 * provider's schema / "changing this forces a new resource" in its docs).
 * `@region` stands for the provider's region: moving a resource to another
 * region is always a replacement. Sources, the @pulumi/aws 7 API docs:
 * https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/ (and rds/cluster/),
 * https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/,
 * https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucket/ (and s3/bucketv2/),
 * https://www.pulumi.com/registry/packages/aws/api-docs/kms/key/ (and kms/replicakey/),
 * https://www.pulumi.com/registry/packages/aws/api-docs/backup/vault/,
 * https://www.pulumi.com/registry/packages/aws/api-docs/secretsmanager/secret/.
 */
export const REPLACEMENT_FORCING: Record<string, string[]> = {
    "aws:rds/instance:Instance": [
        "@region",
        "identifier",
        "engine",
        "storageEncrypted",
        "kmsKeyId",
        "dbSubnetGroupName",
        "dbName",
        "username",
        "availabilityZone",
        "characterSetName",
    ],
    "aws:rds/cluster:Cluster": [
        "@region",
        "clusterIdentifier",
        "engine",
        "storageEncrypted",
        "kmsKeyId",
        "dbSubnetGroupName",
        "databaseName",
        "masterUsername",
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "@region",
        "replicationGroupId",
        "atRestEncryptionEnabled",
        "kmsKeyId",
        "subnetGroupName",
        "port",
    ],
    "aws:s3/bucket:Bucket": ["@region", "bucket", "objectLockEnabled"],
    "aws:s3/bucketV2:BucketV2": ["@region", "bucket", "objectLockEnabled"],
    "aws:kms/key:Key": ["@region", "customerMasterKeySpec", "keyUsage", "multiRegion"],
    "aws:kms/replicaKey:ReplicaKey": ["@region", "primaryKeyArn"],
    "aws:backup/vault:Vault": ["@region", "name", "kmsKeyArn"],
    "aws:secretsmanager/secret:Secret": ["@region", "name"],
};

export interface BaselineEntry {
    urn: string;
    type: string;
    /** Replacement-forcing values as the program sets them. */
    values: Record<string, unknown>;
}

export interface AllowReplace {
    stack: string;
    urn: string;
    /** The property allowed to change, or "*" for the resource's URN (a deliberate move without alias). */
    property: string;
    /** Why the replacement is acceptable (data migrated, resource empty, …). */
    reason: string;
}

function regionOf(snapshot: Snapshot, resource: SnapshotResource): unknown {
    return snapshot.resources.find((p) => p.urn === resource.provider)?.inputs.region;
}

/** The baseline of a snapshot: every stateful resource with its replacement-forcing values. */
export function baselineOf(snapshot: Snapshot): BaselineEntry[] {
    return snapshot.resources
        .filter((r) => r.custom && REPLACEMENT_FORCING[r.type])
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            values: Object.fromEntries(
                REPLACEMENT_FORCING[r.type].map((p) => [p, p === "@region" ? regionOf(snapshot, r) : (r.inputs[p] ?? null)]),
            ),
        }))
        .sort((a, b) => a.urn.localeCompare(b.urn));
}

export interface BaselineProblem {
    urn: string;
    property: string;
    message: string;
}

/** Aliases as URNs or alias specs, as the snapshot records them. */
export function aliasesOf(resource: SnapshotResource): string[] {
    return (resource.options?.aliases ?? []).map((a) => (typeof a === "string" ? a : JSON.stringify(a)));
}

/** Whether one of `aliases` (URNs or JSON alias specs) names the resource that had `oldUrn`. */
export function aliasCovers(aliases: string[], oldUrn: string): boolean {
    const name = oldUrn.split("::").pop() ?? "";
    return aliases.some((a) => a === oldUrn || a.includes(`"name":${JSON.stringify(name)}`));
}

/**
 * Compares a snapshot with its baseline. A resource that disappeared without an
 * alias, or a replacement-forcing value that changed, is a problem unless
 * `allow` lists it.
 */
export function compareWithBaseline(
    stack: string,
    snapshot: Snapshot,
    baseline: BaselineEntry[],
    allow: AllowReplace[] = [],
): BaselineProblem[] {
    const allowed = (urn: string, property: string) =>
        allow.some((a) => a.stack === stack && a.urn === urn && (a.property === property || a.property === "*"));
    const current = new Map(baselineOf(snapshot).map((e) => [e.urn, e]));
    const problems: BaselineProblem[] = [];
    for (const old of baseline) {
        const now = current.get(old.urn);
        if (!now) {
            const name = old.urn.split("::").pop() ?? "";
            const aliased = snapshot.resources.some((r) => r.type === old.type && aliasCovers(aliasesOf(r), old.urn));
            if (!aliased && !allowed(old.urn, "*")) {
                problems.push({
                    urn: old.urn,
                    property: "*",
                    message:
                        `${old.urn} is gone. A changed URN makes Pulumi delete the ${old.type} and create another: data loss. ` +
                        `If it was renamed or re-parented, add \`aliases: [{ name: "${name}" }]\` (or the old parent) to the new resource; ` +
                        `if it really must go, add an allowReplace entry (stack, urn, property "*", reason) to test/baselines/allow-replace.json.`,
                });
            }
            continue;
        }
        for (const [property, value] of Object.entries(old.values)) {
            const next = now.values[property];
            if (JSON.stringify(next) !== JSON.stringify(value) && !allowed(old.urn, property)) {
                problems.push({
                    urn: old.urn,
                    property,
                    message:
                        `${old.urn}: ${property} changes from ${JSON.stringify(value)} to ${JSON.stringify(next)}, which replaces the ${old.type}. ` +
                        `Add an allowReplace entry to test/baselines/allow-replace.json with the reason, or revert the change.`,
                });
            }
        }
    }
    return problems;
}

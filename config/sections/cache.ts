/** `hangar:cache`: the ElastiCache (Valkey or Redis OSS) replication group. */
import { z } from "zod";
import { CACHE_FAMILIES, cacheFamilyOf } from "../../components/data/cache-families";
import { below, get, str } from "../document";
import type { Row } from "../rule-table";
import { bool, dailyWindow, intIn, mapping, pattern, weeklyWindow } from "../primitives";

export const cacheSchema = mapping({
    enabled: bool(),
    engine: z.enum(["valkey", "redis"], { error: "expected valkey or redis" }),
    engineVersion: pattern(/^\d+(\.\d+)?$/, "an engine version such as 7.1 or 8.0"),
    nodeType: pattern(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "an ElastiCache node type such as cache.r7g.large"),
    /**
     * Nodes in the replication group: one primary and up to 5 read replicas per shard.
     * AWS CloudFormation AWS::ElastiCache::ReplicationGroup
     * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html).
     */
    nodes: intIn(1, 6),
    multiAz: bool(),
    /**
     * ElastiCache keeps automatic snapshots 0–35 days (0 turns them off). AWS ElastiCache
     * "Scheduling automatic backups" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html).
     */
    snapshotRetentionDays: intIn(0, 35),
    snapshotWindow: dailyWindow,
    maintenanceWindow: weeklyWindow("a weekly UTC window such as sun:05:30-sun:06:30"),
    maxmemoryPolicy: z.enum(["volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-ttl", "noeviction"], {
        error: "expected a maxmemory-policy such as volatile-lru",
    }),
});

// ------------------------------------------------------------------- rules

const supported = Object.entries(CACHE_FAMILIES)
    .map(([engine, majors]) => `${engine} ${Object.keys(majors).join(" or ")}`)
    .join(", ");

export const cacheRules: Row[] = [
    {
        path: "cache.engineVersion",
        when: ({ doc }) => {
            const engine = str(get(doc, "cache.engine"));
            const version = str(get(doc, "cache.engineVersion"));
            return !!engine && engine in CACHE_FAMILIES && !!version && /^\d+(\.\d+)?$/.test(version) && !cacheFamilyOf(engine, version);
        },
        message: ({ doc }) =>
            `${String(get(doc, "cache.engine"))} ${String(get(doc, "cache.engineVersion"))} is not supported: Hangar runs ${supported}`,
    },
    {
        path: "cache.nodes",
        when: ({ doc }) => get(doc, "cache.multiAz") === true && below(get(doc, "cache.nodes"), 2),
        message: "Multi-AZ needs at least 2 nodes",
    },
    {
        path: "cache.multiAz",
        when: ({ doc, environment }) => environment === "prod" && get(doc, "cache.multiAz") === false,
        message: "must be true in prod",
    },
    {
        path: "cache.snapshotRetentionDays",
        when: ({ doc, minimums }) => below(get(doc, "cache.snapshotRetentionDays"), minimums.cacheSnapshotDays),
        message: ({ environment, minimums }) => `${environment} keeps at least ${minimums.cacheSnapshotDays} days`,
    },
];

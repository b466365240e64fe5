/**
 * ElastiCache parameter group families by engine and major version
 * ("Engine specific parameters", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html):
 * Valkey 7.2 is `valkey7`, Valkey 8.x `valkey8`, Redis OSS 7.x `redis7`. Redis OSS 6 is
 * `redis6.x`, not `redis6`, and older than the Redis 7 or Valkey the design promises, so it
 * is not here. Pure and dependency-free: the stack-file rules use it too.
 */
export const CACHE_FAMILIES: Record<string, Record<string, string>> = {
    valkey: { "7": "valkey7", "8": "valkey8" },
    redis: { "7": "redis7" },
};

/** The parameter group family of an engine version, or undefined when Hangar does not support it. */
export function cacheFamilyOf(engine: string, version: string): string | undefined {
    return CACHE_FAMILIES[engine]?.[version.split(".")[0]];
}

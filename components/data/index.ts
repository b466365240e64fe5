/** The data tier: PostgresDatabase and RedisCache, their args and defaults, and the connection URLs the app reads. */
export * from "./postgres";
export * from "./redis";
export * from "./placement";
export * from "./connection-urls";
export * from "./secret-names";
export { postgresProxyFlows, postgresRotationFlows } from "./flows";

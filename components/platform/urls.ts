import * as pulumi from "@pulumi/pulumi";
import { postgresUrl, redisUrl } from "../data";
import { CaBundleName, caBundlePath } from "../shared/ca-bundle";
import type { CacheHandles, DatabaseHandles } from "./mappers";

/** Key of the writer's URL in the `data-tier` Secret: what a service's migration Job reads as DATABASE_URL. */
export const WRITER_URL_KEY = "DATABASE_WRITER_URL";

/**
 * A secret PostgreSQL URL for the database's credentials at `host` (writer, reader, RDS Proxy or DR replica). A verifying
 * `sslMode` (verify-ca, verify-full) names the CA bundle the app tier mounts (AppTier `caBundles`) as `sslrootcert`: the
 * RDS CAs for an instance, the Amazon Trust Services roots for RDS Proxy (its certificate is ACM's).
 */
export function databaseUrl(
    database: Pick<DatabaseHandles, "username" | "password" | "databaseName" | "port">,
    host: pulumi.Input<string>,
    sslMode: string,
    bundle: CaBundleName = "rds",
): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([database.password, host, database.port]).apply(([password, h, port]) =>
            postgresUrl({
                username: database.username,
                password,
                host: h,
                port,
                database: database.databaseName,
                sslMode,
                ...(sslMode.startsWith("verify-") ? { sslRootCert: caBundlePath(bundle) } : {}),
            }),
        ),
    );
}

/**
 * The data tier's URLs, as secrets: DATABASE_URL (RDS Proxy when there is one, else the writer), DATABASE_READ_URL (the
 * first replica: RDS Proxy's read-only endpoints exist only for Aurora clusters,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.html), DATABASE_WRITER_URL (the writer
 * itself, never a connection pooler, which only migration Jobs read: app/migration.ts, `WRITER_URL_KEY`) and REDIS_URL.
 */
export function dataTierUrls(
    database: (DatabaseHandles & { readerAddress: pulumi.Input<string>; proxyAddress?: pulumi.Input<string> }) | undefined,
    cache: CacheHandles | undefined,
    sslMode: string,
): Record<string, pulumi.Output<string>> {
    const urls: Record<string, pulumi.Output<string>> = {};
    if (database) {
        urls.DATABASE_URL = database.proxyAddress
            ? databaseUrl(database, database.proxyAddress, sslMode, "proxy")
            : databaseUrl(database, database.address, sslMode);
        urls.DATABASE_READ_URL = databaseUrl(database, database.readerAddress, sslMode);
        urls[WRITER_URL_KEY] = databaseUrl(database, database.address, sslMode);
    }
    if (cache) {
        urls.REDIS_URL = pulumi.secret(
            pulumi
                .all([cache.authToken, cache.address, cache.port])
                .apply(([authToken, host, port]) => redisUrl({ authToken, host, port })),
        );
    }
    return urls;
}

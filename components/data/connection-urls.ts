/** Connection URLs the app reads from its Secret. Credentials are percent-encoded. */

export function postgresUrl(c: {
    username: string;
    password: string;
    host: string;
    port: number;
    database: string;
    sslMode: string;
    /**
     * The CA file the client verifies the server against (libpq `sslrootcert`, read by node-postgres'
     * pg-connection-string too). Without it libpq looks for ~/.postgresql/root.crt and fails verify-ca
     * and verify-full when that is missing (https://www.postgresql.org/docs/current/libpq-ssl.html).
     */
    sslRootCert?: string;
}): string {
    const rootCert = c.sslRootCert ? `&sslrootcert=${c.sslRootCert}` : "";
    return `postgresql://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}?sslmode=${c.sslMode}${rootCert}`;
}

/** `rediss://` (TLS) with the AUTH token as the password of the default user. */
export function redisUrl(c: { authToken: string; host: string; port: number }): string {
    return `rediss://:${encodeURIComponent(c.authToken)}@${c.host}:${c.port}`;
}

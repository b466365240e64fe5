/** Connection URLs the app reads from its Secret. Credentials are percent-encoded. */

export function postgresUrl(c: {
    username: string;
    password: string;
    host: string;
    port: number;
    database: string;
    sslMode: string;
}): string {
    return `postgresql://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}?sslmode=${c.sslMode}`;
}

/** `rediss://` (TLS) with the AUTH token as the password of the default user. */
export function redisUrl(c: { authToken: string; host: string; port: number }): string {
    return `rediss://:${encodeURIComponent(c.authToken)}@${c.host}:${c.port}`;
}

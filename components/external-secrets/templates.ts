/**
 * The target templates of Hangar's ExternalSecrets: connection URLs built at run time from the secret's fields
 * (ESO template engine v2: Go text/template with Sprig, https://external-secrets.io/latest/guides/templating/),
 * the host, port and database Pulumi knows written in literally. Pure.
 *
 * The password is percent-encoded with text/template's builtin `urlquery` (Go `url.QueryEscape`,
 * https://pkg.go.dev/text/template#hdr-Functions): it keeps only `A-Z a-z 0-9 - _ . ~` and escapes every other
 * byte as %XX, so no character of the password can end the userinfo (`@`, `:`, `/`) or start a query (`?`, `#`).
 * QueryEscape writes a space as `+`, which URL userinfo would read as a plus: neither generator produces spaces (the
 * rotation function's ExcludeCharacters and components/data RDS_PASSWORD_SPECIALS exclude it; ElastiCache tokens are
 * letters, digits and `! & # $ ^ < > -`). test/components/external-secrets.spec.ts runs the real Go template on
 * every character the generators may produce when `go` is installed (.ci/run installs golang-go).
 */
import { caBundlePath, CaBundleName } from "../shared/ca-bundle";

/** A field of the JSON secret, percent-encoded for URL userinfo. */
export const encodedField = (field: string) => `{{ .${field} | urlquery }}`;

/** `postgresql://user:password@host:port/db?sslmode=…` with the user and password from the master secret's JSON. */
export function postgresUrlTemplate(a: { host: string; port: number; database: string; sslMode: string; bundle?: CaBundleName }): string {
    const params = [`sslmode=${a.sslMode}`];
    if (a.sslMode.startsWith("verify-")) params.push(`sslrootcert=${caBundlePath(a.bundle ?? "rds")}`);
    return `postgresql://${encodedField("username")}:${encodedField("password")}@${a.host}:${a.port}/${a.database}?${params.join("&")}`;
}

/** `rediss://:token@host:port` (TLS: transit encryption is on) with the AUTH token, the whole of its secret. */
export function redisUrlTemplate(a: { host: string; port: number }): string {
    return `rediss://:${encodedField("token")}@${a.host}:${a.port}`;
}

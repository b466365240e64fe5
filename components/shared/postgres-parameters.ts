/**
 * The PostgreSQL parameters of every Hangar RDS parameter group, the primary's
 * and the DR region's alike (parameter groups are regional, so each region has
 * its own group, built from this one function with the same settings).
 */

/**
 * Parameters whose value Hangar sets equals RDS's own default for the engine versions
 * Hangar runs (15 and later). AWS reports such a parameter with apply method
 * `pending-reboot`; the provider sends `immediate` unless told otherwise, and the apply
 * method is part of the parameter's hash, so the group would diff on every preview
 * ("Example of Problematic Configuration" in @pulumi/aws 7's rds/parameterGroup.d.ts).
 * - `rds.force_ssl` is 1 by default from PostgreSQL 15 ("Requiring an SSL connection to a
 *   PostgreSQL DB instance", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html).
 * - `shared_preload_libraries` is static and RDS preloads `pg_stat_statements` by default
 *   ("Working with parameters on your RDS for PostgreSQL DB instance",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html).
 * `log_connections`, `log_min_duration_statement` and `pg_stat_statements.track` differ from
 * their defaults (off, -1, top), so they apply immediately.
 */
export const RDS_POSTGRES_DEFAULTS: Record<string, string> = {
    "rds.force_ssl": "1",
    shared_preload_libraries: "pg_stat_statements",
};

/** Defaults of the settings the parameter list takes, shared by the primary and the DR replica. */
export const POSTGRES_PARAMETER_DEFAULTS = { logMinDurationMs: 500 };

/** The parameter list: TLS forced, slow queries logged, pg_stat_statements loaded. */
export function postgresParameters(logMinDurationMs: number) {
    const parameters: { name: string; value: string; applyMethod?: string }[] = [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_min_duration_statement", value: String(logMinDurationMs) },
        // Static parameter: RDS applies it at the next reboot only.
        { name: "shared_preload_libraries", value: "pg_stat_statements" },
        { name: "pg_stat_statements.track", value: "all" },
        { name: "log_connections", value: "1" },
    ];
    return parameters.map((p) => (RDS_POSTGRES_DEFAULTS[p.name] === p.value ? { ...p, applyMethod: "pending-reboot" } : p));
}

/**
 * Characters RDS refuses in a master password are `/ @ "` and space ("Master password" constraints,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints);
 * `'` breaks shell and SQL quoting. The rest of the printable specials stay. Every generated
 * PostgreSQL password (the master's, the exporter login's) uses these.
 */
export const RDS_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?.,^~";

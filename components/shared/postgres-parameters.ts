/**
 * The PostgreSQL parameters of every Hangar RDS parameter group, the primary's
 * and the DR region's alike (parameter groups are regional, so each region has
 * its own group with the same list).
 */

/** The parameter list: TLS forced, slow queries logged, pg_stat_statements loaded. */
export function postgresParameters(logMinDurationMs: number) {
    return [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_min_duration_statement", value: String(logMinDurationMs) },
        // Static parameter: RDS applies it at the next reboot only.
        { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
        { name: "pg_stat_statements.track", value: "all" },
        { name: "log_connections", value: "1" },
    ];
}

/**
 * How the Postgres exporter verifies RDS: `sslmode=verify-full` against the RDS CA bundle, mounted
 * read-only from its ConfigMap `postgres-exporter-ca-bundles` in the monitoring namespace (shared/ca-bundle.ts).
 * Without `sslrootcert` lib/pq (the exporter's driver) falls back to the system roots, which RDS
 * certificates do not chain to: `pg_up` stays 0 and every `pg_*` rule is dead.
 *
 * Chart facts, prometheus-postgres-exporter 8.2.0:
 * - templates/_helpers.tpl, `data_source_uri`: the DSN is `<host>:<port>/<database>?sslmode=<config.datasource.sslmode>&<config.datasource.extraParams>`
 *   (DATA_SOURCE_URI in templates/deployment.yaml), so `sslrootcert=<path>` goes in `extraParams`;
 * - templates/deployment.yaml: `extraVolumes` is appended to the pod's `volumes`, `extraVolumeMounts` to the
 *   exporter container's `volumeMounts` (both through toYaml, as given).
 */
import { caBundleConfigMapName, caBundleMount, caBundlePath, caBundleVolume } from "../shared/ca-bundle";

/** Owner of the exporter's bundle ConfigMap (`postgres-exporter-ca-bundles`), like its Secret `postgres-exporter`. */
export const POSTGRES_EXPORTER_CA_OWNER = "postgres-exporter";

/** The exporter's DSN parameters and mounts (values keys `config.datasource.{sslmode,extraParams}`, `extraVolumes`, `extraVolumeMounts`). */
export function postgresExporterTls() {
    return {
        sslmode: "verify-full",
        extraParams: `sslrootcert=${caBundlePath("rds")}`,
        extraVolumes: [caBundleVolume(caBundleConfigMapName(POSTGRES_EXPORTER_CA_OWNER))],
        extraVolumeMounts: [caBundleMount()],
    };
}

/**
 * Grafana dashboards as plain JSON (one ConfigMap each, labelled for the
 * Grafana sidecar). Queries use fixed windows, not Grafana variables, so that
 * promtool can parse every one of them.
 */
import type { ResolvedMonitoring } from "./resolve";
import { POSTGRES_EXPORTER, REDIS_EXPORTER } from "./rules";

export interface Dashboard {
    uid: string;
    title: string;
    tags: string[];
    schemaVersion: number;
    timezone: string;
    refresh: string;
    time: { from: string; to: string };
    panels: Panel[];
}

export interface Panel {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource: { type: string; uid: string };
    fieldConfig: { defaults: { unit: string }; overrides: unknown[] };
    targets: { refId: string; expr: string; legendFormat: string }[];
}

/** kube-prometheus-stack provisions Prometheus with this uid. */
const DATASOURCE = { type: "prometheus", uid: "prometheus" };

function dashboard(uid: string, title: string, panels: [string, string, [string, string][]][]): Dashboard {
    return {
        uid: `hangar-${uid}`,
        title: `Hangar / ${title}`,
        tags: ["hangar"],
        schemaVersion: 39,
        timezone: "utc",
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        panels: panels.map(([panelTitle, unit, queries], i) => ({
            id: i + 1,
            type: "timeseries",
            title: panelTitle,
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            datasource: DATASOURCE,
            fieldConfig: { defaults: { unit }, overrides: [] },
            targets: queries.map(([expr, legendFormat], j) => ({ refId: String.fromCharCode(65 + j), expr, legendFormat })),
        })),
    };
}

/** The six dashboards, keyed by ConfigMap suffix. */
export function hangarDashboards(r: ResolvedMonitoring): Record<string, Dashboard> {
    const ns = `namespace="${r.app.namespace}"`;
    const req = r.app.requestsMetric;
    const bucket = r.app.durationBucketMetric;
    const status = r.app.statusLabel;
    const pg = `namespace="${r.namespace}", job="${POSTGRES_EXPORTER}"`;
    const rs = `namespace="${r.namespace}", job="${REDIS_EXPORTER}"`;
    const quantile = (q: string) => `histogram_quantile(${q}, sum by (service, le) (rate(${bucket}{${ns}}[5m])))`;
    return {
        traffic: dashboard("traffic", "Traffic", [
            ["Requests per second by service", "reqps", [[`sum by (service) (rate(${req}{${ns}}[5m]))`, "{{service}}"]]],
            ["Requests per second by status", "reqps", [[`sum by (${status}) (rate(${req}{${ns}}[5m]))`, `{{${status}}}`]]],
        ]),
        latency: dashboard("latency", "Latency", [
            [
                "Latency percentiles",
                "s",
                [
                    [quantile("0.5"), "p50 {{service}}"],
                    [quantile("0.95"), "p95 {{service}}"],
                    [quantile("0.99"), "p99 {{service}}"],
                ],
            ],
        ]),
        errors: dashboard("errors", "Errors", [
            [
                "5xx ratio",
                "percentunit",
                [
                    [
                        `sum by (service) (rate(${req}{${ns}, ${status}=~"5.."}[5m])) / sum by (service) (rate(${req}{${ns}}[5m]))`,
                        "{{service}}",
                    ],
                ],
            ],
            ["4xx per second", "reqps", [[`sum by (service) (rate(${req}{${ns}, ${status}=~"4.."}[5m]))`, "{{service}}"]]],
        ]),
        saturation: dashboard("saturation", "Saturation", [
            ["CPU by pod", "cores", [[`sum by (pod) (rate(container_cpu_usage_seconds_total{${ns}, container!=""}[5m]))`, "{{pod}}"]]],
            ["Memory by pod", "bytes", [[`sum by (pod) (container_memory_working_set_bytes{${ns}, container!=""})`, "{{pod}}"]]],
            [
                "Replicas and HPA maximum",
                "short",
                [
                    [`kube_horizontalpodautoscaler_status_current_replicas{${ns}}`, "{{horizontalpodautoscaler}} current"],
                    [`kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`, "{{horizontalpodautoscaler}} max"],
                ],
            ],
            ["Restarts in 1h", "short", [[`sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`, "{{pod}}"]]],
        ]),
        postgres: dashboard("postgres", "PostgreSQL", [
            ["Up", "short", [[`pg_up{${pg}}`, "up"]]],
            [
                "Connections / max",
                "percentunit",
                [[`sum(pg_stat_activity_count{${pg}}) / max(pg_settings_max_connections{${pg}})`, "used"]],
            ],
            ["Replica lag", "s", [[`pg_replication_lag_seconds{${pg}}`, "lag"]]],
            ["Transactions per second", "ops", [[`sum by (datname) (rate(pg_stat_database_xact_commit{${pg}}[5m]))`, "{{datname}}"]]],
        ]),
        redis: dashboard("redis", "Redis", [
            ["Up", "short", [[`redis_up{${rs}}`, "up"]]],
            ["Memory / maxmemory", "percentunit", [[`redis_memory_used_bytes{${rs}} / (redis_memory_max_bytes{${rs}} > 0)`, "used"]]],
            ["Evictions per second", "ops", [[`rate(redis_evicted_keys_total{${rs}}[5m])`, "evicted"]]],
            ["Commands per second", "ops", [[`rate(redis_commands_processed_total{${rs}}[5m])`, "commands"]]],
        ]),
    };
}

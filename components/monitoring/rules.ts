/**
 * Hangar's alert rules, built purely from resolved args, and their rendering as
 * a Prometheus rules file (what `promtool check rules` and `promtool test rules` read).
 * Every rule carries `severity` and `summary`, `description`, `runbook_url`.
 */
import { stringify } from "yaml";
import type { ResolvedMonitoring } from "./resolve";

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: string };
    annotations: { summary: string; description: string; runbook_url: string };
}

export interface AlertRuleGroup {
    name: string;
    rules: AlertRule[];
}

/** Services the exporters run as (their Service name, hence the `job` label of their ServiceMonitors). */
export const POSTGRES_EXPORTER = "prometheus-postgres-exporter";
export const REDIS_EXPORTER = "prometheus-redis-exporter";

const percent = (ratio: number) => `${+(ratio * 100).toFixed(2)}%`;
const matchers = (m: Record<string, string>) =>
    `{${Object.entries(m)
        .map(([k, v]) => (v.startsWith("~") ? `${k}=~"${v.slice(1)}"` : `${k}="${v}"`))
        .join(", ")}}`;

/**
 * Which data stores the exporters scrape. `postgresReplicas`: the streaming replicas the writer should
 * feed (in-region and cross-region); above 0 a missing one alerts.
 */
export interface MonitoredData {
    postgres: boolean;
    redis: boolean;
    postgresReplicas?: number;
}

export function alertGroups(r: ResolvedMonitoring, data: MonitoredData): AlertRuleGroup[] {
    const t = r.thresholds;
    const rule = (alert: string, severity: string, expr: string, forDuration: string, summary: string, description: string): AlertRule => ({
        alert,
        expr,
        for: forDuration,
        labels: { severity },
        annotations: { summary, description, runbook_url: `${t.runbookBaseUrl}#${alert.toLowerCase()}` },
    });

    const app = matchers({ namespace: r.app.namespace });
    const errors = matchers({ namespace: r.app.namespace, [r.app.statusLabel]: "~5.." });
    const req = r.app.requestsMetric;
    const groups: AlertRuleGroup[] = [
        {
            name: "hangar-app",
            rules: [
                rule(
                    "HangarHighErrorRate",
                    "critical",
                    `sum by (namespace, service) (rate(${req}${errors}[5m])) / sum by (namespace, service) (rate(${req}${app}[5m])) > ${t.errorRatio}`,
                    "5m",
                    `{{ $labels.service }} answers more than ${percent(t.errorRatio)} of requests with 5xx`,
                    `More than ${percent(t.errorRatio)} of requests to {{ $labels.namespace }}/{{ $labels.service }} failed with a 5xx status over 5 minutes.`,
                ),
                rule(
                    "HangarHighLatencyP95",
                    "warning",
                    `histogram_quantile(0.95, sum by (namespace, service, le) (rate(${r.app.durationBucketMetric}${app}[5m]))) > ${t.latencyP95Seconds}`,
                    "10m",
                    `{{ $labels.service }} p95 latency above ${t.latencyP95Seconds}s`,
                    `The 95th percentile of request latency of {{ $labels.namespace }}/{{ $labels.service }} has been above ${t.latencyP95Seconds}s for 10 minutes.`,
                ),
                rule(
                    "HangarTargetDown",
                    "critical",
                    // No target at all (a ServiceMonitor that selects nothing) leaves `up` absent, and `== 0` empty.
                    `up${app} == 0 or absent(up${app})`,
                    "5m",
                    "{{ if $labels.job }}Prometheus cannot scrape {{ $labels.job }}{{ else }}Prometheus scrapes no target in {{ $labels.namespace }}{{ end }}",
                    "{{ if $labels.job }}Target {{ $labels.instance }} of {{ $labels.namespace }}/{{ $labels.job }} has been down for 5 minutes." +
                        "{{ else }}Prometheus has had no target in namespace {{ $labels.namespace }} for 5 minutes (up is absent); " +
                        "the ServiceMonitors select nothing or no pod runs.{{ end }}",
                ),
                rule(
                    "HangarPodRestarting",
                    "warning",
                    `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total${app}[15m])) > ${t.restarts}`,
                    "0m",
                    "{{ $labels.pod }} keeps restarting",
                    `Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} restarted more than ${t.restarts} times in 15 minutes.`,
                ),
                rule(
                    "HangarHpaAtMaxReplicas",
                    "warning",
                    `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas${app}) >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas${app})`,
                    "15m",
                    "{{ $labels.horizontalpodautoscaler }} is at its maximum replicas",
                    "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for 15 minutes: raise the maximum or find the load.",
                ),
                // The Argo Rollouts controller's rollout_info (metrics/prommetrics.go: namespace, name, strategy,
                // traffic_router, phase); an aborted rollout is Degraded. Scraped through the chart's ServiceMonitor,
                // whose target label `namespace` (the controller's) pushes the Rollout's to `exported_namespace`.
                rule(
                    "HangarRolloutAborted",
                    "critical",
                    `max by (exported_namespace, name) (rollout_info${matchers({ exported_namespace: r.app.namespace, phase: "Degraded" })}) == 1`,
                    "1m",
                    "Rollout {{ $labels.name }} was aborted",
                    "The Argo Rollout {{ $labels.exported_namespace }}/{{ $labels.name }} has been Degraded for a minute: its analysis failed or it passed its progress deadline, and the stable version serves again. " +
                        "`kubectl argo rollouts get rollout {{ $labels.name }} -n {{ $labels.exported_namespace }}` says why; fix and `pulumi up` again.",
                ),
                rule(
                    "HangarPdbAtRisk",
                    "warning",
                    `max by (namespace, poddisruptionbudget) (kube_poddisruptionbudget_status_pod_disruptions_allowed${app}) == 0`,
                    "15m",
                    "{{ $labels.poddisruptionbudget }} allows no disruption",
                    "PodDisruptionBudget {{ $labels.namespace }}/{{ $labels.poddisruptionbudget }} has allowed no disruption for 15 minutes: one more lost pod breaks it, and node drains block.",
                ),
            ],
        },
        backupRules(r, rule),
    ];
    if (data.postgres) groups.push(postgresRules(r, rule, data.postgresReplicas ?? 0));
    if (data.redis) groups.push(redisRules(r, rule));
    return groups;
}

type RuleFn = (alert: string, severity: string, expr: string, forDuration: string, summary: string, description: string) => AlertRule;

function backupRules(r: ResolvedMonitoring, rule: RuleFn): AlertRuleGroup {
    const cron = r.app.dumpCronJob;
    const cronjob = matchers({ namespace: r.app.dumpNamespace, cronjob: cron });
    // Jobs a CronJob creates are named <cronjob>-<scheduled minute>.
    const jobs = matchers({ namespace: r.app.dumpNamespace, job_name: `~${cron}-[0-9]+`, condition: "true" });
    const maxAge = r.thresholds.dumpMaxAgeHours * 3600;
    const lastSuccess = `max by (namespace, cronjob) (kube_cronjob_status_last_successful_time${cronjob})`;
    const created = `max by (namespace, cronjob) (kube_cronjob_created${cronjob})`;
    return {
        name: "hangar-backups",
        rules: [
            rule(
                "HangarDumpJobFailed",
                "critical",
                `max by (namespace, job_name) (kube_job_failed${jobs}) > 0`,
                "0m",
                `Database dump {{ $labels.job_name }} failed`,
                `Job {{ $labels.namespace }}/{{ $labels.job_name }} of CronJob ${cron} failed. Delete the Job after investigating to clear the alert.`,
            ),
            rule(
                "HangarDumpLate",
                "critical",
                // Either the last success is too old, or there never was one and the CronJob is older than the limit.
                `(time() - ${lastSuccess} > ${maxAge}) or ((time() - ${created} > ${maxAge}) unless on (namespace, cronjob) ${lastSuccess})`,
                "10m",
                `No successful database dump for ${r.thresholds.dumpMaxAgeHours}h`,
                `CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} has not completed successfully for more than ${r.thresholds.dumpMaxAgeHours} hours.`,
            ),
        ],
    };
}

/**
 * The data store is unreachable from its exporter, the exporter cannot be scraped, or Prometheus has
 * no target for it at all: a ServiceMonitor that selects nothing leaves both series absent, and a
 * comparison with an absent series is empty, so `absent()` is what fires then.
 */
function downRule(rule: RuleFn, id: string, product: string, upMetric: string, selector: string): AlertRule {
    const by = "max by (namespace, job)";
    return rule(
        `Hangar${id}Down`,
        "critical",
        `${by} (${upMetric}${selector}) == 0 or ${by} (up${selector}) == 0 or absent(up${selector})`,
        "5m",
        `${product} is unreachable`,
        `The exporter {{ $labels.namespace }}/{{ $labels.job }} cannot reach ${product} (or is down itself) for 5 minutes.`,
    );
}

function postgresRules(r: ResolvedMonitoring, rule: RuleFn, replicas: number): AlertRuleGroup {
    const t = r.thresholds;
    const pg = matchers({ namespace: r.namespace, job: POSTGRES_EXPORTER });
    const by = "max by (namespace, job)";
    return {
        name: "hangar-postgres",
        rules: [
            downRule(rule, "Postgres", "PostgreSQL", "pg_up", pg),
            rule(
                "HangarPostgresConnectionsHigh",
                "warning",
                `sum by (namespace, job) (pg_stat_activity_count${pg}) / ${by} (pg_settings_max_connections${pg}) > ${t.postgresConnectionsRatio}`,
                "10m",
                `PostgreSQL uses more than ${percent(t.postgresConnectionsRatio)} of max_connections`,
                `Open connections have exceeded ${percent(t.postgresConnectionsRatio)} of max_connections for 10 minutes; new connections will soon be refused.`,
            ),
            ...replicationRules(rule, pg, t.replicaLagSeconds, replicas),
        ],
    };
}

/**
 * Replication as the writer sees it. The exporter scrapes the writer, where pg_replication_lag_seconds
 * is always 0 (it measures replay on a standby); every replica, in-region or cross-region (physical
 * streaming replication), is a row of the writer's pg_stat_replication, which postgres_exporter v0.20.1
 * (chart prometheus-postgres-exporter 8.2.0, appVersion) exports from its default-on `stat_replication`
 * collector (collector/pg_stat_replication.go), labelled application_name, client_addr, state, slot_name:
 * `pg_stat_replication_pg_wal_lsn_diff` (bytes of WAL not yet replayed: pg_current_wal_lsn() - replay_lsn)
 * and `pg_stat_replication_pg_current_wal_lsn_bytes` (the writer's WAL position). replay_lag itself is not
 * exported, and goes NULL when the writer is idle anyway.
 *
 * Lag in seconds is the unreplayed WAL divided by the rate the writer writes it (5 minutes): at a steady
 * rate that is exactly how old the replica's data is. Idle and caught up, 0/0 is no sample; idle with WAL
 * outstanding, x/0 is +Inf: a replica that replayed nothing for minutes fires.
 */
function replicationRules(rule: RuleFn, pg: string, lagSeconds: number, replicas: number): AlertRule[] {
    const rows = `pg_stat_replication_pg_current_wal_lsn_bytes${pg}`;
    const lag = rule(
        "HangarPostgresReplicaLag",
        "warning",
        `max by (namespace, job, application_name, client_addr) (pg_stat_replication_pg_wal_lsn_diff${pg}) / on (namespace, job) group_left () max by (namespace, job) (rate(${rows}[5m])) > ${lagSeconds}`,
        "5m",
        `PostgreSQL replica {{ $labels.application_name }} lags more than ${lagSeconds}s`,
        `Replica {{ $labels.application_name }} ({{ $labels.client_addr }}) has had more than ${lagSeconds} seconds of the writer's WAL (at its current write rate) not yet replayed for 5 minutes; reads from it are stale.`,
    );
    if (replicas <= 0) return [lag];
    // No row at all is an empty count: say 0 then, unless the writer itself is unreachable (HangarPostgresDown's).
    const connected = `count by (namespace, job) (${rows})`;
    const missing = rule(
        "HangarPostgresReplicaMissing",
        "warning",
        `(${connected} < ${replicas}) or (0 * max by (namespace, job) (pg_up${pg} == 1) unless on (namespace, job) ${connected})`,
        "15m",
        `PostgreSQL has {{ $value }} of its ${replicas} replicas connected`,
        `The writer {{ $labels.namespace }}/{{ $labels.job }} scrapes has {{ $value }} of its ${replicas} replicas in pg_stat_replication for 15 minutes; a replica is down or has stopped replicating.`,
    );
    return [lag, missing];
}

function redisRules(r: ResolvedMonitoring, rule: RuleFn): AlertRuleGroup {
    const t = r.thresholds;
    const rs = matchers({ namespace: r.namespace, job: REDIS_EXPORTER });
    const by = "max by (namespace, job)";
    return {
        name: "hangar-redis",
        rules: [
            downRule(rule, "Redis", "Redis", "redis_up", rs),
            rule(
                "HangarRedisMemoryHigh",
                "warning",
                `${by} (redis_memory_used_bytes${rs}) / ${by} (redis_memory_max_bytes${rs} > 0) > ${t.redisMemoryRatio}`,
                "10m",
                `Redis uses more than ${percent(t.redisMemoryRatio)} of maxmemory`,
                `Used memory has exceeded ${percent(t.redisMemoryRatio)} of maxmemory for 10 minutes; keys will be evicted or writes refused.`,
            ),
            rule(
                "HangarRedisEvictions",
                "warning",
                `sum by (namespace, job) (increase(redis_evicted_keys_total${rs}[5m])) > ${t.redisEvictions}`,
                "5m",
                "Redis is evicting keys",
                `More than ${t.redisEvictions} keys were evicted in 5 minutes for 5 minutes: the cache is too small for its working set.`,
            ),
        ],
    };
}

/** The groups as a Prometheus rules file. */
export function renderRulesFile(groups: AlertRuleGroup[]): string {
    return stringify({ groups }, { lineWidth: 0 });
}

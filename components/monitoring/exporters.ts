/**
 * PostgreSQL and Redis exporters: their chart values (pure), and the
 * resources — credentials copied into the monitoring namespace as Secrets,
 * the chart, and a ServiceMonitor Prometheus selects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { caBundleConfigMap } from "../shared/ca-bundle";
import { secretKeysAnnotation } from "../shared/secret-keys";
import { PART_OF } from "../shared/labels";
import type { PostgresExporterArgs, RedisExporterArgs } from "./args";
import { POSTGRES_EXPORTER_CA_OWNER, postgresExporterTls } from "./exporter-tls";
import type { ResolvedMonitoring } from "./resolve";
import { POSTGRES_EXPORTER, REDIS_EXPORTER } from "./rules";
import { applyWorkloads, chartSource } from "./values";

export const EXPORTER_CHARTS = {
    [POSTGRES_EXPORTER]: "8.2.0",
    [REDIS_EXPORTER]: "6.29.0",
};

/** prometheus-postgres-exporter values: `sslmode=verify-full` against the RDS CA bundle (exporter-tls.ts), credentials from a Secret. */
export function postgresExporterValues(
    r: ResolvedMonitoring,
    endpoint: { host: pulumi.Input<string>; port: pulumi.Input<string>; database: pulumi.Input<string> },
    secretName: string,
): Record<string, unknown> {
    const tls = postgresExporterTls();
    const values: Record<string, unknown> = {
        config: {
            datasource: {
                host: endpoint.host,
                port: endpoint.port,
                database: endpoint.database,
                userSecret: { name: secretName, key: "username" },
                passwordSecret: { name: secretName, key: "password" },
                sslmode: tls.sslmode,
                extraParams: tls.extraParams,
            },
        },
        extraVolumes: tls.extraVolumes,
        extraVolumeMounts: tls.extraVolumeMounts,
    };
    return applyWorkloads(values, POSTGRES_EXPORTER, r);
}

/** prometheus-redis-exporter values: `rediss://` (ElastiCache certificates chain to public roots), AUTH token from a Secret. */
export function redisExporterValues(r: ResolvedMonitoring, address: pulumi.Input<string>, secretName: string): Record<string, unknown> {
    const values: Record<string, unknown> = {
        redisAddress: address,
        auth: { enabled: true, secret: { name: secretName, key: "auth-token" } },
    };
    return applyWorkloads(values, REDIS_EXPORTER, r);
}

/**
 * What each exporter chart's Service looks like, as its templates render it with the release named
 * after the chart: the selector labels (the charts' `selectorLabels` helper, which the Service also
 * carries through `labels`) and the name of its metrics port.
 */
export const EXPORTER_SERVICES: Record<string, { labels: Record<string, string>; port: string; source: string }> = {
    [POSTGRES_EXPORTER]: {
        labels: { "app.kubernetes.io/name": POSTGRES_EXPORTER, "app.kubernetes.io/instance": POSTGRES_EXPORTER },
        port: "http",
        source: "prometheus-postgres-exporter-8.2.0/templates/_helpers.tpl (selectorLabels), templates/service.yaml, values.yaml service.name",
    },
    [REDIS_EXPORTER]: {
        labels: { "app.kubernetes.io/name": REDIS_EXPORTER, "app.kubernetes.io/instance": REDIS_EXPORTER },
        port: "redis-exporter",
        source: "prometheus-redis-exporter-6.29.0/templates/_helpers.tpl (selectorLabels), templates/service.yaml, values.yaml service.portName",
    },
};

/** ServiceMonitor specs matching the charts' Service labels and port names. */
export function exporterServiceMonitorSpec(chart: string, namespace: string) {
    const service = EXPORTER_SERVICES[chart];
    return {
        selector: { matchLabels: service.labels },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: service.port, interval: "30s", scrapeTimeout: "10s" }],
    };
}

interface ExporterContext {
    name: string;
    r: ResolvedMonitoring;
    parent: pulumi.Resource;
    /** What must exist first: the namespace, the CRDs. */
    dependsOn: pulumi.Resource[];
}

function exporter(
    ctx: ExporterContext,
    chart: string,
    secret: k8s.core.v1.Secret | undefined,
    values: pulumi.Input<Record<string, unknown>>,
    extra: pulumi.Resource[],
) {
    const { name, r, parent } = ctx;
    const short = chart.replace(/^prometheus-/, "");
    // The release name is the chart name, so the chart's fullname (Service, job label) is the chart name too.
    const release = new k8s.helm.v4.Chart(
        `${name}-${short}`,
        { ...chartSource(chart, EXPORTER_CHARTS[chart as keyof typeof EXPORTER_CHARTS], r.namespace), values },
        { parent, dependsOn: [...ctx.dependsOn, ...(secret ? [secret] : []), ...extra] },
    );
    new k8s.apiextensions.CustomResource(
        `${name}-${short}`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: chart, namespace: r.namespace, labels: { ...r.selectorLabels, "app.kubernetes.io/part-of": PART_OF } },
            spec: exporterServiceMonitorSpec(chart, r.namespace),
        },
        { parent, dependsOn: ctx.dependsOn },
    );
    return release;
}

const labels = { "app.kubernetes.io/part-of": PART_OF };

export function postgresExporter(
    ctx: ExporterContext,
    pg: PostgresExporterArgs & { username: pulumi.Input<string>; password: pulumi.Input<string>; credentialsVersion?: string },
) {
    const { name, r, parent } = ctx;
    const secret = new k8s.core.v1.Secret(
        `${name}-postgres-exporter`,
        {
            metadata: {
                name: "postgres-exporter",
                namespace: r.namespace,
                labels,
                annotations: secretKeysAnnotation({ username: true, password: true }),
            },
            type: "Opaque",
            stringData: { username: pulumi.secret(pg.username), password: pulumi.secret(pg.password) },
        },
        { parent, dependsOn: ctx.dependsOn },
    );
    const ca = caBundleConfigMap(
        `${name}-postgres-exporter-ca`,
        { owner: POSTGRES_EXPORTER_CA_OWNER, namespace: r.namespace, labels },
        { parent, dependsOn: ctx.dependsOn },
    );
    // The chart passes the port through `tpl`, which takes strings only.
    const port = pulumi.output(pg.port ?? 5432).apply((p) => String(p));
    const values = postgresExporterValues(r, { host: pg.host, port, database: pg.database }, "postgres-exporter");
    // A new password is a new Secret value, which running pods never reread: a new version rolls them
    // (prometheus-postgres-exporter 8.2.0 templates/deployment.yaml puts `.Values.annotations` on the pod template).
    if (pg.credentialsVersion) values.annotations = { "hangar.dev/credentials-version": pg.credentialsVersion };
    return exporter(ctx, POSTGRES_EXPORTER, secret, values, [ca]);
}

export function redisExporter(ctx: ExporterContext, redis: RedisExporterArgs) {
    const { name, r, parent } = ctx;
    const address = pulumi.interpolate`rediss://${redis.host}:${redis.port ?? 6379}`;
    // Written at run time by External Secrets Operator (the token rotates there): nothing for Pulumi to copy.
    if (redis.authSecret) return exporter(ctx, REDIS_EXPORTER, undefined, redisExporterValues(r, address, redis.authSecret), []);
    if (redis.authToken === undefined) throw new pulumi.ResourceError("Monitoring: redis needs authToken or authSecret", parent);
    const secret = new k8s.core.v1.Secret(
        `${name}-redis-exporter`,
        {
            metadata: { name: "redis-exporter", namespace: r.namespace, labels, annotations: secretKeysAnnotation({ "auth-token": true }) },
            type: "Opaque",
            stringData: { "auth-token": pulumi.secret(redis.authToken) },
        },
        { parent, dependsOn: ctx.dependsOn },
    );
    return exporter(ctx, REDIS_EXPORTER, secret, redisExporterValues(r, address, "redis-exporter"), []);
}

/**
 * Maps the stack-file contract (PlatformConfig) onto Platform's component
 * contract (PlatformArgs), once: each stack-file key lands in the shape its
 * component takes, so no component reshapes a setting again.
 */
import type { PlatformArgs } from "../components/platform/args";
import type { PlatformConfig } from "./schema";

export function toPlatformArgs(config: PlatformConfig, kubeconfig: string): PlatformArgs {
    const { foundation: f, app, monitoring: m, backups: b, dr } = config;
    return {
        environment: config.environment,
        aws: { accountId: f.aws.accountId, region: f.aws.region, tags: f.tags },
        kubernetes: {
            kubeconfig,
            context: f.kubernetes.context,
            server: f.kubernetes.server,
            version: f.kubernetes.version,
            priorityClassPrefix: f.kubernetes.priorityClassPrefix,
        },
        network: f.network,
        controlPlaneCidrs: f.kubernetes.controlPlaneCidrs,
        oidcProviderArn: f.oidcProviderArn,
        stackReference: f.stackReference,
        app: {
            namespace: app.namespace,
            services: app.services,
            gateway: app.gateway,
            ingress: app.ingress,
            trafficSource: app.trafficSource,
            trafficNamespace: app.trafficNamespace,
            quota: app.quota,
            rollouts: app.rollouts,
            buckets: app.buckets,
        },
        monitoring: {
            enabled: m.enabled,
            mode: m.mode,
            namespace: m.namespace,
            chartVersion: m.chartVersion,
            crdsChartVersion: m.crdsChartVersion,
            storageClass: m.storageClass,
            operatorWebhooks: m.operatorWebhooks,
            nodeExporter: m.nodeExporter,
            prometheus: {
                replicas: m.prometheusReplicas,
                retention: m.retention,
                retentionSize: m.retentionSize,
                storageSize: m.storageSize,
            },
            alertmanager: { replicas: m.alertmanagerReplicas, receiver: m.receiver },
            // Grafana is exposed like the app's first service, through the same gateway or ingress settings.
            grafana: m.grafanaHost
                ? { host: m.grafanaHost, exposure: app.services[0]?.exposure, gateway: app.gateway, ingress: app.ingress }
                : undefined,
            app: {
                namespace: app.namespace,
                requestsMetric: m.metrics.requests,
                durationBucketMetric: m.metrics.durationBuckets,
                statusLabel: m.metrics.statusLabel,
            },
            thresholds: m.thresholds,
            alarmSubscriptions: m.alarmSubscriptions,
        },
        database: config.database,
        cache: config.cache,
        dr: dr.enabled && dr.region && dr.network ? { ...dr, region: dr.region, network: dr.network } : undefined,
        dns: config.dns,
        externalSecrets: config.externalSecrets,
        backups: {
            enabled: b.enabled,
            dailyRetentionDays: b.dailyRetentionDays,
            monthlyRetentionMonths: b.monthlyRetentionMonths,
            dailySchedule: b.dailySchedule,
            monthlySchedule: b.monthlySchedule,
            vaultLock: b.vaultLock.enabled,
            vaultLockChangeableForDays: b.vaultLock.changeableForDays,
            bucketRetention: b.bucket,
            restoreTesting: b.restoreTesting,
            dump: {
                enabled: b.dump.enabled,
                image: b.dump.image,
                schedule: b.dump.schedule,
                deadlineSeconds: b.dump.deadlineSeconds,
            },
        },
    };
}

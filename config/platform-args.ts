import type { PlatformArgs } from "../components/platform";
import type { PlatformConfig } from "./schema";

/** Maps the stack-file contract onto Platform's component contract. */
export function toPlatformArgs(config: PlatformConfig, kubeconfig: string): PlatformArgs {
    const f = config.foundation;
    return {
        environment: config.environment,
        aws: { accountId: f.aws.accountId, region: f.aws.region, tags: f.tags },
        kubernetes: { kubeconfig, context: f.kubernetes.context, server: f.kubernetes.server },
        network: f.network,
        oidcProviderArn: f.oidcProviderArn,
        stackReference: f.stackReference,
        app: {
            namespace: config.app.namespace,
            services: config.app.services,
            gateway: config.app.gateway,
            ingress: config.app.ingress,
            trafficSource: config.app.trafficSource,
            trafficNamespace: config.app.trafficNamespace,
            quota: config.app.quota,
        },
        monitoring: {
            enabled: config.monitoring.enabled,
            mode: config.monitoring.mode,
            namespace: config.monitoring.namespace,
            chartVersion: config.monitoring.chartVersion,
            crdsChartVersion: config.monitoring.crdsChartVersion,
            retention: config.monitoring.retention,
            retentionSize: config.monitoring.retentionSize,
            storageSize: config.monitoring.storageSize,
            storageClass: config.monitoring.storageClass,
            nodeExporter: config.monitoring.nodeExporter,
            prometheusReplicas: config.monitoring.prometheusReplicas,
            alertmanagerReplicas: config.monitoring.alertmanagerReplicas,
            receiver: config.monitoring.receiver,
            grafanaHost: config.monitoring.grafanaHost,
            requestsMetric: config.monitoring.metrics.requests,
            durationBucketMetric: config.monitoring.metrics.durationBuckets,
            statusLabel: config.monitoring.metrics.statusLabel,
            thresholds: config.monitoring.thresholds,
            alarmSubscriptions: config.monitoring.alarmSubscriptions,
        },
        database: config.database,
        cache: config.cache,
        dr: config.dr.enabled && config.dr.region && config.dr.network ? { ...config.dr, region: config.dr.region, network: config.dr.network } : undefined,
        dns: config.dns,
        backups: {
            enabled: config.backups.enabled,
            dailyRetentionDays: config.backups.dailyRetentionDays,
            monthlyRetentionMonths: config.backups.monthlyRetentionMonths,
            dailySchedule: config.backups.dailySchedule,
            monthlySchedule: config.backups.monthlySchedule,
            vaultLock: config.backups.vaultLock.enabled,
            vaultLockChangeableForDays: config.backups.vaultLock.changeableForDays,
            bucketRetention: config.backups.bucket,
            dump: config.backups.dump,
        },
    };
}

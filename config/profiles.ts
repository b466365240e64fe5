/**
 * Per-environment defaults. A stack file overrides any of them; the schema then
 * validates the merge. Prod is production-shaped; staging is smaller; ephemeral
 * (per-branch stacks) is disposable — none of them is less secure.
 */
import type { Environment } from "./environments";
import { deepMerge } from "./merge";

/** A deep-partial document shaped like the stack file's `hangar:` keys. */
export type ProfileDefaults = Record<string, Record<string, unknown>>;

const common: ProfileDefaults = {
    foundation: { kubernetes: { version: "v1.34" }, tags: {} },
    app: {
        namespace: "hangar",
        gateway: { namespace: "gateway-system", name: "public", listener: "https" },
        ingress: { clusterIssuer: "letsencrypt-prod", annotations: {} },
        trafficSource: "namespace",
        trafficNamespace: "gateway-system",
        serviceDefaults: {
            exposure: "gateway",
            probes: {
                liveness: "/healthz",
                readiness: "/readyz",
                startup: "/healthz",
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
                startupFailureThreshold: 30,
            },
            autoscaling: { cpuUtilization: 70, memoryUtilization: 80 },
            allowHttpsEgress: false,
            writablePaths: ["/tmp"],
            canary: {
                steps: [
                    { weight: 10, pauseSeconds: 60 },
                    { weight: 25, pauseSeconds: 120 },
                    { weight: 50, pauseSeconds: 120 },
                ],
            },
            blueGreen: { autoPromote: false, scaleDownDelaySeconds: 30 },
            analysis: { intervalSeconds: 60, failureLimit: 1 },
        },
        // Argo Rollouts 2.41.0 (controller v1.9.0) and the Gateway API traffic-router plugin v0.17.0, pinned by checksum.
        rollouts: {
            mode: "chart",
            namespace: "argo-rollouts",
            chartVersion: "2.41.0",
            gatewayPlugin: {
                location:
                    "https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/v0.17.0/gatewayapi-plugin-linux-amd64",
                sha256: "1904ca787d33107c140521899d61fff030ee75d99908bd175fca5a4647759061",
            },
            applyRouteRules: false,
        },
        services: [],
        buckets: [],
    },
    database: {
        enabled: true,
        engineVersion: "16",
        allocatedStorageGb: 20,
        databaseName: "hangar",
        username: "hangar_admin",
        backupWindow: "02:00-03:00",
        maintenanceWindow: "sun:04:30-sun:05:30",
        logMinDurationMs: 500,
        monitoringIntervalSeconds: 60,
        performanceInsightsRetentionDays: 7,
        adoptLogGroups: false,
        clientSslMode: "verify-full",
        proxy: { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120, idleClientTimeout: 1800 },
        rotation: { schedule: "rate(30 days)", secretsManagerEndpoint: "create" },
    },
    cache: {
        enabled: true,
        engine: "valkey",
        engineVersion: "8.0",
        snapshotWindow: "03:00-04:00",
        maintenanceWindow: "sun:05:30-sun:06:30",
        maxmemoryPolicy: "volatile-lru",
    },
    monitoring: {
        enabled: true,
        mode: "chart",
        chartVersion: "88.5.3",
        crdsChartVersion: "31.0.1",
        namespace: "monitoring",
        storageClass: "gp3",
        operatorWebhooks: "cert-manager",
        nodeExporter: false,
        metrics: { requests: "http_requests_total", durationBuckets: "http_request_duration_seconds_bucket", statusLabel: "code" },
        thresholds: {
            dumpMaxAgeHours: 26,
            postgresConnectionsRatio: 0.8,
            redisMemoryRatio: 0.9,
            runbookBaseUrl: "https://github.com/hangar-platform/hangar/blob/main/README.md",
        },
        alarmSubscriptions: [],
    },
    backups: {
        dailySchedule: "cron(0 3 * * ? *)",
        monthlySchedule: "cron(0 4 1 * ? *)",
        vaultLock: { enabled: false, changeableForDays: 3 },
        bucket: { deepArchiveAfterDays: 30, expireAfterDays: 2555 },
        dump: {
            schedule: "15 2 * * *",
            clientMajorVersion: 16,
            deadlineSeconds: 3600,
        },
        restoreTesting: {
            enabled: true,
            schedule: "cron(0 6 ? * SUN *)",
            instanceClass: "db.t4g.micro",
            validationWindowHours: 2,
            selectionWindowDays: 7,
        },
    },
    dr: { promoted: false },
    dns: {},
    // External Secrets Operator 2.9.0 (chart); rotations reach the Secrets within refreshInterval.
    externalSecrets: { mode: "managed", namespace: "external-secrets", chartVersion: "2.9.0", refreshInterval: "15m" },
};

const byEnvironment: Record<Environment, ProfileDefaults> = {
    prod: {
        app: {
            quota: { requestsCpu: "16", requestsMemory: "32Gi", limitsMemory: "48Gi", pods: 100 },
            serviceDefaults: {
                strategy: "canary",
                replicas: { min: 3, max: 10 },
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            },
        },
        database: {
            instanceClass: "db.r7g.large",
            allocatedStorageGb: 100,
            maxAllocatedStorageGb: 1000,
            multiAz: true,
            replicas: 1,
            backupRetentionDays: 30,
            deletionProtection: true,
            proxy: { enabled: true },
            rotation: { enabled: true },
        },
        cache: { nodeType: "cache.r7g.large", nodes: 2, multiAz: true, snapshotRetentionDays: 7 },
        monitoring: {
            retention: "30d",
            retentionSize: "90GB",
            storageSize: "100Gi",
            prometheusReplicas: 2,
            alertmanagerReplicas: 2,
            thresholds: { errorRatio: 0.02, latencyP95Seconds: 0.5, restarts: 3, replicaLagSeconds: 30, redisEvictions: 100 },
        },
        backups: { enabled: true, dailyRetentionDays: 35, monthlyRetentionMonths: 12, dump: { enabled: true } },
        dr: { enabled: true },
    },
    staging: {
        app: {
            quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsMemory: "12Gi", pods: 40 },
            serviceDefaults: {
                strategy: "canary",
                blueGreen: { autoPromote: true, scaleDownDelaySeconds: 30 },
                replicas: { min: 1, max: 3 },
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            },
        },
        database: {
            instanceClass: "db.t4g.medium",
            maxAllocatedStorageGb: 200,
            multiAz: false,
            replicas: 0,
            backupRetentionDays: 7,
            deletionProtection: false,
            proxy: { enabled: false },
            rotation: { enabled: true },
        },
        cache: { nodeType: "cache.t4g.small", nodes: 1, multiAz: false, snapshotRetentionDays: 3 },
        monitoring: {
            retention: "15d",
            retentionSize: "45GB",
            storageSize: "50Gi",
            prometheusReplicas: 1,
            alertmanagerReplicas: 1,
            thresholds: { errorRatio: 0.1, latencyP95Seconds: 1, restarts: 5, replicaLagSeconds: 120, redisEvictions: 1000 },
        },
        backups: { enabled: true, dailyRetentionDays: 14, monthlyRetentionMonths: 0, dump: { enabled: true } },
        dr: { enabled: false },
    },
    ephemeral: {
        app: {
            quota: { requestsCpu: "2", requestsMemory: "4Gi", limitsMemory: "6Gi", pods: 20 },
            serviceDefaults: {
                strategy: "rolling",
                blueGreen: { autoPromote: true, scaleDownDelaySeconds: 0 },
                replicas: { min: 1, max: 1 },
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            },
        },
        database: {
            instanceClass: "db.t4g.micro",
            maxAllocatedStorageGb: 50,
            multiAz: false,
            replicas: 0,
            backupRetentionDays: 1,
            deletionProtection: false,
            proxy: { enabled: false },
            rotation: { enabled: false },
        },
        cache: { nodeType: "cache.t4g.micro", nodes: 1, multiAz: false, snapshotRetentionDays: 0 },
        monitoring: {
            retention: "3d",
            retentionSize: "9GB",
            storageSize: "10Gi",
            prometheusReplicas: 1,
            alertmanagerReplicas: 1,
            thresholds: { errorRatio: 0.2, latencyP95Seconds: 2, restarts: 10, replicaLagSeconds: 300, redisEvictions: 10000 },
        },
        backups: { enabled: false, dailyRetentionDays: 7, monthlyRetentionMonths: 0, dump: { enabled: false } },
        dr: { enabled: false },
    },
};

/** The defaults for an environment: common values overlaid with the environment's own. */
export function profileDefaults(environment: Environment): ProfileDefaults {
    return deepMerge(common, byEnvironment[environment]) as ProfileDefaults;
}

/**
 * Fills Monitoring's documented defaults (per environment where sizing
 * differs) and validates what the types cannot say, naming the arg to change.
 * Pure: testable without Pulumi.
 */
import type { MonitoringArgs } from "./args";
import { MONITORING_RESOURCES, SHARED_RESOURCE_KEYS, MONITORING_WORKLOADS } from "./workloads";

export const ENVIRONMENTS = ["prod", "staging", "ephemeral"];
export const MODES = ["chart", "existing-operator"];
export const OPERATOR_WEBHOOKS = ["cert-manager", "off"];
export const RECEIVER_TYPES = ["pagerduty", "slack", "webhook"];

/** Sizing defaults per environment (`MonitoringArgs` documents them). */
export const MONITORING_SIZING: Record<
    string,
    { prometheus: Required<NonNullable<MonitoringArgs["prometheus"]>>; alertmanagerReplicas: number }
> = {
    prod: { prometheus: { replicas: 2, retention: "30d", retentionSize: "90GB", storageSize: "100Gi" }, alertmanagerReplicas: 2 },
    staging: { prometheus: { replicas: 1, retention: "15d", retentionSize: "45GB", storageSize: "50Gi" }, alertmanagerReplicas: 1 },
    ephemeral: { prometheus: { replicas: 1, retention: "3d", retentionSize: "9GB", storageSize: "10Gi" }, alertmanagerReplicas: 1 },
};

export const MONITORING_DEFAULTS = {
    environment: "prod",
    mode: "chart",
    namespace: "monitoring",
    chartVersion: "88.5.3",
    crdsChartVersion: "31.0.1",
    releaseName: "kube-prometheus-stack",
    storageClass: "gp3",
    operatorWebhooks: "cert-manager",
    nodeExporter: false,
    nodeExporterNamespace: "monitoring-node-exporter",
    managedControlPlane: true,
    alertmanagerStorageSize: "5Gi",
    app: {
        namespace: "hangar",
        requestsMetric: "http_requests_total",
        durationBucketMetric: "http_request_duration_seconds_bucket",
        statusLabel: "code",
        dumpCronJob: "pg-dump",
    },
    thresholds: {
        errorRatio: 0.05,
        latencyP95Seconds: 0.5,
        restarts: 3,
        dumpMaxAgeHours: 26,
        postgresConnectionsRatio: 0.8,
        replicaLagSeconds: 30,
        redisMemoryRatio: 0.9,
        redisEvictions: 100,
        runbookBaseUrl: "https://github.com/hangar-platform/hangar/blob/main/README.md",
    },
};

export type Resources = { requests: { cpu: string; memory: string }; limits: { cpu?: string; memory: string } };

export interface ResolvedMonitoring {
    environment: string;
    mode: string;
    installChart: boolean;
    /** `cert-manager`: admission webhooks with a cert-manager certificate; `off`: no webhooks, no operator TLS. */
    operatorWebhooks: string;
    namespace: string;
    createNamespace: boolean;
    chartVersion: string;
    crdsChartVersion: string;
    releaseName: string;
    selectorLabels: Record<string, string>;
    storageClass: string;
    nodeExporter: boolean;
    nodeExporterNamespace: string;
    managedControlPlane: boolean;
    priorityClassName: MonitoringArgs["priorityClassName"];
    prometheus: Required<NonNullable<MonitoringArgs["prometheus"]>>;
    alertmanager: { replicas: number; storageSize: string; receiverType?: string; channel?: string };
    grafana: { host?: string; exposure: string };
    resources: Record<string, Resources>;
    app: Required<NonNullable<MonitoringArgs["app"]>>;
    thresholds: Required<NonNullable<MonitoringArgs["thresholds"]>>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;
const BYTES = /^[0-9]+(\.[0-9]+)?(K|M|G|T|P|E)i?B$/;
const STORAGE = /^[0-9]+(Mi|Gi|Ti)$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function resolveMonitoring(args: MonitoringArgs): ResolvedMonitoring {
    const d = MONITORING_DEFAULTS;
    const problems: string[] = [];
    const oneOf = (arg: string, value: string, allowed: string[]) => {
        if (!allowed.includes(value)) problems.push(`${arg} must be one of ${allowed.join(", ")} (got "${value}")`);
    };
    const matches = (arg: string, value: string, re: RegExp, what: string) => {
        if (!re.test(value)) problems.push(`${arg} must be ${what} (got "${value}")`);
    };

    const environment = args.environment ?? d.environment;
    oneOf("environment", environment, ENVIRONMENTS);
    const mode = args.mode ?? d.mode;
    oneOf("mode", mode, MODES);
    const installChart = mode === "chart";
    const operatorWebhooks = args.operatorWebhooks ?? d.operatorWebhooks;
    oneOf("operatorWebhooks", operatorWebhooks, OPERATOR_WEBHOOKS);
    const sizing = MONITORING_SIZING[environment] ?? MONITORING_SIZING.prod;

    const namespace = args.namespace ?? d.namespace;
    const nodeExporterNamespace = args.nodeExporterNamespace ?? d.nodeExporterNamespace;
    matches("namespace", namespace, DNS_LABEL, "a DNS label");
    matches("nodeExporterNamespace", nodeExporterNamespace, DNS_LABEL, "a DNS label");
    const releaseName = args.releaseName ?? d.releaseName;
    matches("releaseName", releaseName, DNS_LABEL, "a DNS label");
    const nodeExporter = args.nodeExporter ?? d.nodeExporter;
    if (nodeExporter && !installChart) problems.push("nodeExporter needs mode chart (an existing operator brings its own)");
    if (nodeExporter && nodeExporterNamespace === namespace)
        problems.push("nodeExporterNamespace must differ from namespace: it is labelled privileged");

    const prometheus = fill(sizing.prometheus, args.prometheus);
    matches("prometheus.retention", prometheus.retention, DURATION, "a duration such as 15d");
    matches("prometheus.retentionSize", prometheus.retentionSize, BYTES, "a size such as 45GB");
    matches("prometheus.storageSize", prometheus.storageSize, STORAGE, "a quantity such as 50Gi");
    if (!(prometheus.replicas >= 1)) problems.push(`prometheus.replicas must be at least 1 (got ${prometheus.replicas})`);

    const am = args.alertmanager ?? {};
    const alertmanager = {
        replicas: am.replicas ?? sizing.alertmanagerReplicas,
        storageSize: am.storageSize ?? d.alertmanagerStorageSize,
        receiverType: am.receiver ? (am.receiver.type ?? "pagerduty") : undefined,
        channel: am.receiver?.channel,
    };
    matches("alertmanager.storageSize", alertmanager.storageSize, STORAGE, "a quantity such as 5Gi");
    if (environment === "prod" && installChart && alertmanager.replicas < 2) {
        problems.push(`alertmanager.replicas must be at least 2 in prod (got ${alertmanager.replicas})`);
    }
    if (alertmanager.receiverType !== undefined) oneOf("alertmanager.receiver.type", alertmanager.receiverType, RECEIVER_TYPES);
    if (environment === "prod" && installChart && !am.receiver)
        problems.push("alertmanager.receiver is required in prod: alerts would reach nobody");

    const grafana = { host: args.grafana?.host, exposure: args.grafana?.exposure ?? "gateway" };
    oneOf("grafana.exposure", grafana.exposure, ["gateway", "ingress"]);
    if (grafana.host !== undefined) matches("grafana.host", grafana.host, HOST, "a lowercase DNS name");
    if (grafana.host && grafana.exposure === "ingress" && !args.grafana?.ingress?.className)
        problems.push("grafana.ingress.className is required with ingress exposure");

    const app = { ...fill(d.app, args.app), dumpNamespace: args.app?.dumpNamespace ?? args.app?.namespace ?? d.app.namespace };
    matches("app.namespace", app.namespace, DNS_LABEL, "a DNS label");
    matches("app.dumpNamespace", app.dumpNamespace, DNS_LABEL, "a DNS label");
    matches("app.dumpCronJob", app.dumpCronJob, DNS_LABEL, "a DNS label");
    matches("app.requestsMetric", app.requestsMetric, METRIC, "a Prometheus metric name");
    matches("app.durationBucketMetric", app.durationBucketMetric, METRIC, "a Prometheus metric name");
    if (!app.durationBucketMetric.endsWith("_bucket"))
        problems.push(`app.durationBucketMetric must name the histogram's _bucket series (got "${app.durationBucketMetric}")`);
    matches("app.statusLabel", app.statusLabel, LABEL, "a Prometheus label name");

    const thresholds = fill(d.thresholds, args.thresholds);
    for (const key of ["errorRatio", "postgresConnectionsRatio", "redisMemoryRatio"] as const) {
        if (!(thresholds[key] > 0 && thresholds[key] < 1))
            problems.push(`thresholds.${key} must be between 0 and 1 (got ${thresholds[key]})`);
    }
    for (const key of ["latencyP95Seconds", "restarts", "dumpMaxAgeHours", "replicaLagSeconds", "redisEvictions"] as const) {
        if (!(thresholds[key] > 0)) problems.push(`thresholds.${key} must be positive (got ${thresholds[key]})`);
    }
    const replicas = args.postgres?.replicas;
    if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0))
        problems.push(`postgres.replicas must be a whole number, 0 or more (got ${replicas})`);
    if (!/^https:\/\/[^\s#]+$/.test(thresholds.runbookBaseUrl))
        problems.push(`thresholds.runbookBaseUrl must be an https URL without a fragment (got "${thresholds.runbookBaseUrl}")`);

    const resources = resolveResources(environment, args.resources ?? {}, problems);
    if (problems.length > 0) throw new Error(`Monitoring: ${problems.join("; ")}`);
    return {
        environment,
        mode,
        installChart,
        operatorWebhooks,
        namespace,
        createNamespace: args.createNamespace ?? installChart,
        chartVersion: args.chartVersion ?? d.chartVersion,
        crdsChartVersion: args.crdsChartVersion ?? d.crdsChartVersion,
        releaseName,
        // Prometheus selects Hangar's ServiceMonitors and PrometheusRules by the release label, as it does the chart's own.
        selectorLabels: !installChart && args.selectorLabels ? { ...args.selectorLabels } : { release: releaseName },
        storageClass: args.storageClass ?? d.storageClass,
        nodeExporter,
        nodeExporterNamespace,
        managedControlPlane: args.managedControlPlane ?? d.managedControlPlane,
        priorityClassName: args.priorityClassName,
        prometheus,
        alertmanager,
        grafana,
        resources,
        app,
        thresholds,
    };
}

/** `defaults` overlaid with the fields of `given` that are set (an explicit `undefined` keeps the default). */
function fill<T extends object>(defaults: T, given: Partial<T> | undefined): T {
    const out = { ...defaults };
    for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    return out;
}

function resolveResources(
    environment: string,
    overrides: NonNullable<MonitoringArgs["resources"]>,
    problems: string[],
): Record<string, Resources> {
    const keys = [...new Set([...MONITORING_WORKLOADS.map((w) => w.id), ...SHARED_RESOURCE_KEYS])];
    for (const key of Object.keys(overrides)) {
        if (!keys.includes(key)) problems.push(`resources.${key} is not a workload (expected one of ${keys.join(", ")})`);
    }
    const out: Record<string, Resources> = {};
    for (const key of keys) {
        const base = MONITORING_RESOURCES[environment]?.[key] ?? MONITORING_RESOURCES.prod[key];
        const o = overrides[key];
        const limits: Resources["limits"] = { memory: o?.limits?.memory ?? base.limits.memory };
        if (o?.limits?.cpu) limits.cpu = o.limits.cpu;
        out[key] = {
            requests: { cpu: o?.requests?.cpu ?? base.requests.cpu, memory: o?.requests?.memory ?? base.requests.memory },
            limits,
        };
    }
    return out;
}

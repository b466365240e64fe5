/**
 * Every workload the pinned charts can render, with the values paths of its
 * security contexts and resources. Charts render nothing under Pulumi mocks,
 * so this table is what the tests check the values against: a workload the
 * chart renders but the table misses would run with the chart's defaults.
 *
 * Paths are dotted values paths; `containers[name=x]` selects a list item by
 * name (the operator merges such entries into the containers it generates).
 */

export interface MonitoringWorkloadContainer {
    name: string;
    /** Values path of the container's securityContext. */
    securityContext: string;
    /** Values path of the container's resources. */
    resources: string;
    init?: boolean;
}

export interface MonitoringWorkload {
    /** Key of `MonitoringArgs.resources`. */
    id: string;
    /** `kube-prometheus-stack`, `prometheus-postgres-exporter` or `prometheus-redis-exporter`. */
    chart: string;
    kind: string;
    /** UID/GID the pod runs as. */
    uid: number;
    gid: number;
    /** Values path of the pod securityContext. */
    podSecurityContext: string;
    /** Values path of the pod's priorityClassName, read by `source` (the line is cited per workload). */
    priorityClassName: string;
    containers: MonitoringWorkloadContainer[];
    /** When the chart renders it with Hangar's values. Values are set either way. */
    rendered: string;
    /** The template that renders it, under ../shared/charts/src/ (chart-version/path). */
    source: string;
}

const reloader = (spec: string): MonitoringWorkloadContainer[] => [
    {
        name: "config-reloader",
        securityContext: `${spec}.containers[name=config-reloader].securityContext`,
        resources: "prometheusOperator.prometheusConfigReloader.resources",
    },
    {
        name: "init-config-reloader",
        securityContext: `${spec}.initContainers[name=init-config-reloader].securityContext`,
        resources: "prometheusOperator.prometheusConfigReloader.resources",
        init: true,
    },
];

/** Prometheus and Alertmanager: StatefulSets the operator generates from the spec the chart renders. */
const operatorManaged = (id: string, spec: string, source: string): MonitoringWorkload => ({
    id,
    chart: "kube-prometheus-stack",
    kind: "StatefulSet (operator-generated)",
    uid: 1000,
    gid: 2000,
    podSecurityContext: `${spec}.securityContext`,
    // Into the Prometheus/Alertmanager object: templates/prometheus/prometheus.yaml:399, templates/alertmanager/alertmanager.yaml:172.
    priorityClassName: `${spec}.priorityClassName`,
    containers: [
        { name: id, securityContext: `${spec}.containers[name=${id}].securityContext`, resources: `${spec}.resources` },
        ...reloader(spec),
    ],
    rendered: "always",
    source,
});

const webhook = "prometheusOperator.admissionWebhooks";

export const MONITORING_WORKLOADS: MonitoringWorkload[] = [
    {
        id: "operator",
        chart: "kube-prometheus-stack",
        kind: "Deployment",
        uid: 65534,
        gid: 65534,
        podSecurityContext: "prometheusOperator.securityContext",
        priorityClassName: "prometheusOperator.priorityClassName", // templates/prometheus-operator/deployment.yaml:41
        containers: [
            {
                name: "kube-prometheus-stack",
                securityContext: "prometheusOperator.containerSecurityContext",
                resources: "prometheusOperator.resources",
            },
        ],
        rendered: "always",
        source: "kube-prometheus-stack-88.5.3/templates/prometheus-operator/deployment.yaml",
    },
    operatorManaged("prometheus", "prometheus.prometheusSpec", "kube-prometheus-stack-88.5.3/templates/prometheus/prometheus.yaml"),
    operatorManaged(
        "alertmanager",
        "alertmanager.alertmanagerSpec",
        "kube-prometheus-stack-88.5.3/templates/alertmanager/alertmanager.yaml",
    ),
    {
        id: "grafana",
        chart: "kube-prometheus-stack",
        kind: "Deployment",
        uid: 472,
        gid: 472,
        podSecurityContext: "grafana.securityContext",
        priorityClassName: "grafana.priorityClassName", // grafana-12.11.1/templates/_pod.tpl:28
        containers: [
            { name: "grafana", securityContext: "grafana.containerSecurityContext", resources: "grafana.resources" },
            // Both sidecars (dashboards, datasources) share the sidecar block.
            { name: "grafana-sc-dashboard", securityContext: "grafana.sidecar.securityContext", resources: "grafana.sidecar.resources" },
            { name: "grafana-sc-datasources", securityContext: "grafana.sidecar.securityContext", resources: "grafana.sidecar.resources" },
            {
                name: "download-dashboards",
                securityContext: "grafana.downloadDashboards.securityContext",
                resources: "grafana.downloadDashboards.resources",
                init: true,
            },
        ],
        rendered:
            "always (download-dashboards only with grafana.dashboards, which Hangar never sets; init-chown-data is disabled); " +
            "read-only root: writes go to the chart's /var/lib/grafana and /var/lib/grafana-search emptyDirs and Hangar's /tmp and /var/log/grafana, the plugin preinstaller is off",
        source: "grafana-12.11.1/templates/deployment.yaml (pod from templates/_pod.tpl)",
    },
    {
        id: "kubeStateMetrics",
        chart: "kube-prometheus-stack",
        kind: "Deployment",
        uid: 65534,
        gid: 65534,
        podSecurityContext: "kube-state-metrics.securityContext",
        priorityClassName: "kube-state-metrics.priorityClassName", // kube-state-metrics-8.4.0/templates/deployment.yaml:54
        containers: [
            {
                name: "kube-state-metrics",
                securityContext: "kube-state-metrics.containerSecurityContext",
                resources: "kube-state-metrics.resources",
            },
        ],
        rendered: "always",
        source: "kube-state-metrics-8.4.0/templates/deployment.yaml",
    },
    {
        id: "nodeExporter",
        chart: "kube-prometheus-stack",
        kind: "DaemonSet",
        uid: 65534,
        gid: 65534,
        podSecurityContext: "prometheus-node-exporter.securityContext",
        priorityClassName: "prometheus-node-exporter.priorityClassName", // prometheus-node-exporter-4.56.1/templates/daemonset.yaml:38
        containers: [
            {
                name: "node-exporter",
                securityContext: "prometheus-node-exporter.containerSecurityContext",
                resources: "prometheus-node-exporter.resources",
            },
        ],
        rendered: "nodeExporter.enabled (opt-in, in the privileged node-exporter namespace)",
        source: "prometheus-node-exporter-4.56.1/templates/daemonset.yaml",
    },
    {
        id: "admissionWebhookJobs",
        chart: "kube-prometheus-stack",
        kind: "Job (Helm hook)",
        uid: 2000,
        gid: 2000,
        podSecurityContext: `${webhook}.patch.securityContext`,
        priorityClassName: `${webhook}.patch.priorityClassName`, // job-patch/job-createSecret.yaml:29, job-patchWebhook.yaml:37
        containers: [
            { name: "create", securityContext: `${webhook}.createSecretJob.securityContext`, resources: `${webhook}.patch.resources` },
            { name: "patch", securityContext: `${webhook}.patchWebhookJob.securityContext`, resources: `${webhook}.patch.resources` },
        ],
        rendered: "never: Chart v4 omits hooks and cert-manager issues the webhook certificate",
        source: "kube-prometheus-stack-88.5.3/templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml and job-patchWebhook.yaml",
    },
    {
        id: "postgresExporter",
        chart: "prometheus-postgres-exporter",
        kind: "Deployment",
        uid: 65534,
        gid: 65534,
        podSecurityContext: "podSecurityContext",
        priorityClassName: "priorityClassName", // templates/deployment.yaml:186
        containers: [{ name: "prometheus-postgres-exporter", securityContext: "securityContext", resources: "resources" }],
        rendered: "postgres args given",
        source: "prometheus-postgres-exporter-8.2.0/templates/deployment.yaml",
    },
    {
        id: "redisExporter",
        chart: "prometheus-redis-exporter",
        kind: "Deployment",
        uid: 59000,
        gid: 59000,
        podSecurityContext: "podSecurityContext",
        priorityClassName: "priorityClassName", // templates/deployment.yaml:25
        containers: [{ name: "prometheus-redis-exporter", securityContext: "securityContext", resources: "resources" }],
        rendered: "redis args given",
        source: "prometheus-redis-exporter-6.29.0/templates/deployment.yaml",
    },
];

/** Requests and limits per workload id and environment (no CPU limits: throttling hurts more than it protects). */
export const MONITORING_RESOURCES: Record<
    string,
    Record<string, { requests: { cpu: string; memory: string }; limits: { memory: string } }>
> = {
    prod: {
        operator: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        prometheus: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
        alertmanager: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        configReloader: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        grafana: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        grafanaSidecar: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        kubeStateMetrics: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        nodeExporter: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        admissionWebhookJobs: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        postgresExporter: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        redisExporter: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    },
    staging: {
        prometheus: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        grafana: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    },
    ephemeral: {
        prometheus: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        grafana: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    },
};

/** Resource keys besides workload ids: containers that share a block across workloads. */
export const SHARED_RESOURCE_KEYS = ["configReloader", "grafanaSidecar"];

/** The resources key a container's resources path is filled from. */
export function resourceKeyOf(workload: MonitoringWorkload, container: MonitoringWorkloadContainer): string {
    if (container.resources === "prometheusOperator.prometheusConfigReloader.resources") return "configReloader";
    if (container.resources === "grafana.sidecar.resources") return "grafanaSidecar";
    return workload.id;
}

/** Reads a values path (with `[name=x]` list selectors) out of a values object. */
export function chartValueAt(values: unknown, path: string): unknown {
    let current: unknown = values;
    for (const segment of path.split(".")) {
        const m = /^(.+)\[name=(.+)\]$/.exec(segment);
        const key = m ? m[1] : segment;
        if (typeof current !== "object" || current === null) return undefined;
        current = (current as Record<string, unknown>)[key];
        if (m) current = Array.isArray(current) ? current.find((item) => (item as { name?: string })?.name === m[2]) : undefined;
    }
    return current;
}

/**
 * Workloads the pinned charts can render that the table above does not cover, each behind a toggle
 * Hangar sets off explicitly (so a chart default moving can never start them with the chart's own
 * security context), with the template that would render it. Monitoring exposes none of these toggles.
 */
export const UNRENDERED_WORKLOADS: { toggle: string; workload: string; source: string }[] = [
    {
        toggle: "prometheusOperator.admissionWebhooks.deployment.enabled",
        workload: "admission webhook Deployment",
        source: "kube-prometheus-stack-88.5.3/templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml",
    },
    {
        toggle: "thanosRuler.enabled",
        workload: "Thanos Ruler StatefulSet",
        source: "kube-prometheus-stack-88.5.3/templates/thanos-ruler/ruler.yaml",
    },
    {
        toggle: "windowsMonitoring.enabled",
        workload: "windows-exporter DaemonSet",
        source: "kube-prometheus-stack-88.5.3/Chart.yaml (condition of prometheus-windows-exporter 0.12.8, templates/daemonset.yaml)",
    },
    {
        toggle: "grafana.imageRenderer.enabled",
        workload: "Grafana image renderer Deployment",
        source: "grafana-12.11.1/templates/image-renderer-deployment.yaml",
    },
];

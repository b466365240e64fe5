/**
 * What the pinned Helm charts render, for the wiring rules offline (issue 18).
 * Under Pulumi's mocks a `kubernetes:helm.sh/v4:Chart` registers no children; on the
 * real engine its Services and workloads are real resources the wiring rules see.
 * This table stands in for them offline, with only the fields the wiring rules read
 * (names, labels, selectors, ports, the Secrets and volumes a pod reads, the
 * Prometheus selectors); the pods' security contexts and resources are checked
 * against the values elsewhere (components/monitoring/workloads.ts). Every entry
 * cites the template (chart-version/path under ../shared/charts/src/) it follows;
 * test/tools/chart-rendered.spec.ts checks the cited lines when the sources are there.
 */
import { kubePrometheusStackFullname, monitoringPods } from "../components/monitoring/pods";
import {
    externalSecretsRendered,
    grafanaFiles,
    grafanaObjects,
    operatorFiles,
    operatorMountedObjects,
    redisExporterFiles,
    withFiles,
} from "./chart-rendered-pods";
import { PolicyInputResource } from "./policy/runner";
import { Snapshot, SnapshotResource } from "./harness";

type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RenderedPort {
    name: string;
    containerPort: number;
    protocol?: string;
}

export interface RenderedContainer {
    name: string;
    ports: RenderedPort[];
    env?: Values[];
    volumeMounts?: Values[];
    securityContext?: Values;
}

/** One object a chart renders (or its operator generates from what the chart renders). */
export interface RenderedObject {
    type: string;
    name: string;
    /** Everything but metadata.name and metadata.namespace. */
    body: Values;
    /** Template (chart-version/path) the object follows. */
    source: string;
}

const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const PROMETHEUS = "kubernetes:monitoring.coreos.com/v1:Prometheus";

/** `<chart>.fullname` of the exporter charts and Grafana (their _helpers.tpl): the release if it contains the name. */
function fullname(release: string, name: string, values: Values): string {
    if (values.fullnameOverride) return String(values.fullnameOverride).slice(0, 63).replace(/-+$/, "");
    const n = values.nameOverride || name;
    return (release.includes(n) ? release : `${release}-${n}`).slice(0, 63).replace(/-+$/, "");
}

function workload(
    type: string,
    name: string,
    labels: Record<string, string>,
    containers: RenderedContainer[],
    source: string,
    pod: Values = {},
): RenderedObject {
    return {
        type,
        name,
        body: {
            metadata: { labels },
            spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...pod, containers } } },
        },
        source,
    };
}

function service(
    name: string,
    selector: Record<string, string>,
    ports: { name: string; port: number; targetPort: number | string }[],
    source: string,
): RenderedObject {
    return {
        type: SERVICE,
        name,
        body: {
            metadata: { labels: selector },
            spec: { type: "ClusterIP", selector, ports: ports.map((p) => ({ ...p, protocol: "TCP" })) },
        },
        source,
    };
}

const EXPORTER_LABELS = (chart: string, release: string, values: Values) => ({
    "app.kubernetes.io/name": values.nameOverride || chart,
    "app.kubernetes.io/instance": release,
});

/** prometheus-postgres-exporter 8.2.0: templates/service.yaml, templates/deployment.yaml, templates/_helpers.tpl. */
function postgresExporter(release: string, v: Values): RenderedObject[] {
    const CHART = "prometheus-postgres-exporter";
    const PG = "prometheus-postgres-exporter-8.2.0";
    const name = fullname(release, CHART, v);
    const labels = EXPORTER_LABELS(CHART, release, v); // _helpers.tpl:51-53 selectorLabels
    const svc = { port: 80, targetPort: 9187, name: "http", ...(v.service ?? {}) }; // values.yaml:19-23
    const ds = { host: "", port: "5432", database: "", sslmode: "disable", extraParams: "", ...(v.config?.datasource ?? {}) };
    const env: Values[] = [];
    if (v.config?.datasourceSecret) {
        env.push({ name: "DATA_SOURCE_NAME", valueFrom: { secretKeyRef: { ...v.config.datasourceSecret } } }); // deployment.yaml:79-84
    } else {
        // data_source_uri, _helpers.tpl:77-79: host:port/database?sslmode=…&extraParams, a trailing "&" trimmed.
        const uri = `${ds.host}:${parseInt(String(ds.port), 10)}/${ds.database}?sslmode=${ds.sslmode}&${ds.extraParams}`.replace(/&$/, "");
        env.push({ name: "DATA_SOURCE_URI", value: uri }); // deployment.yaml:86-87
        if (ds.userSecret)
            env.push({ name: "DATA_SOURCE_USER", valueFrom: { secretKeyRef: { ...ds.userSecret } } }); // :88-92
        else if (ds.userFile)
            env.push({ name: "DATA_SOURCE_USER_FILE", value: ds.userFile }); // :94-96
        else env.push({ name: "DATA_SOURCE_USER", value: ds.user ?? "postgres" }); // :97-99
        if (ds.pgpassfile)
            env.push({ name: "PGPASSFILE", value: ds.pgpassfile }, { name: "DATA_SOURCE_PASS", value: "" }); // :102-105
        else if (ds.passwordFile)
            env.push({ name: "DATA_SOURCE_PASS_FILE", value: ds.passwordFile }); // :107-109
        else
            env.push({
                name: "DATA_SOURCE_PASS", // :110-120: the chart's own Secret (key data_source_password) without passwordSecret
                valueFrom: { secretKeyRef: ds.passwordSecret ? { ...ds.passwordSecret } : { name, key: "data_source_password" } },
            });
    }
    for (const [k, value] of Object.entries(v.extraEnvs && !Array.isArray(v.extraEnvs) ? v.extraEnvs : {}))
        env.push({ name: k, value: String(value) }); // :122-131 extraEnvs as a map
    if (Array.isArray(v.extraEnvs)) env.push(...(v.extraEnvs as Values[]));
    const container: RenderedContainer = {
        name: CHART, // deployment.yaml: `- name: {{ .Chart.Name }}`
        ports: [{ name: "http", containerPort: svc.targetPort, protocol: "TCP" }], // deployment.yaml:144-147
        env,
        volumeMounts: [...(v.extraVolumeMounts ?? [])],
        securityContext: v.securityContext,
    };
    return [
        service(name, labels, [{ name: svc.name, port: svc.port, targetPort: svc.targetPort }], `${PG}/templates/service.yaml`),
        workload(DEPLOYMENT, name, labels, [container], `${PG}/templates/deployment.yaml`, {
            securityContext: v.podSecurityContext,
            volumes: [...(v.extraVolumes ?? [])],
        }),
    ];
}

/** prometheus-redis-exporter 6.29.0: templates/service.yaml, templates/deployment.yaml, templates/_helpers.tpl. */
function redisExporter(release: string, v: Values): RenderedObject[] {
    const CHART = "prometheus-redis-exporter";
    const RE = "prometheus-redis-exporter-6.29.0";
    const name = fullname(release, CHART, v);
    const labels = EXPORTER_LABELS(CHART, release, v); // _helpers.tpl:74-76 selectorLabels
    const svc = { port: 9121, portName: "redis-exporter", ...(v.service ?? {}) }; // values.yaml:37-40
    // deployment.yaml:58-69: the literal address, unless redisAddressConfig reads it from a key (chart-rendered-pods.ts).
    const env: Values[] = v.redisAddressConfig?.enabled ? [] : [{ name: "REDIS_ADDR", value: v.redisAddress }];
    const auth = v.auth ?? {};
    if (auth.enabled && !auth.redisPasswordFile?.secret?.name) {
        // deployment.yaml: REDIS_PASSWORD from auth.secret, else the literal auth.redisPassword.
        env.push(
            auth.secret?.name
                ? { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: auth.secret.name, key: auth.secret.key } } }
                : { name: "REDIS_PASSWORD", value: auth.redisPassword },
        );
    }
    for (const e of (v.env ?? []) as Values[]) env.push(e);
    const container: RenderedContainer = {
        name: CHART,
        ports: [{ name: "exporter-port", containerPort: 9121 }], // deployment.yaml:54-56
        env,
        securityContext: v.securityContext,
    };
    const files = redisExporterFiles(v);
    const pod: Values = { securityContext: v.podSecurityContext };
    withFiles(container, pod, files);
    return [
        // The Service's targetPort is the container's port name (service.yaml: targetPort: exporter-port).
        service(name, labels, [{ name: svc.portName, port: svc.port, targetPort: "exporter-port" }], `${RE}/templates/service.yaml`),
        workload(DEPLOYMENT, name, labels, [container], `${RE}/templates/deployment.yaml`, pod),
    ];
}

/** Adds a container's files (env, mounts, volumes: chart-rendered-pods.ts) to the `index`th container of a rendered workload. */
function attach(o: RenderedObject, files: ReturnType<typeof redisExporterFiles>, index = 0): RenderedObject {
    const pod = o.body.spec.template.spec;
    withFiles(pod.containers[index], pod, files);
    return o;
}

/** A Prometheus selector as templates/prometheus/prometheus.yaml:193-223 renders it: the value, else release=<release> or {}. */
function monitorSelector(spec: Values, key: string, release: string): Values {
    if (spec[key] && Object.keys(spec[key]).length > 0) return spec[key];
    return (spec[`${key}NilUsesHelmValues`] ?? true) ? { matchLabels: { release } } : {};
}

/** kube-prometheus-stack 88.5.3 and the subcharts it pins (grafana 12.11.1, kube-state-metrics 8.4.0). */
function kubePrometheusStack(release: string, v: Values): RenderedObject[] {
    const KPS = "kube-prometheus-stack-88.5.3";
    const full = kubePrometheusStackFullname(release);
    const pods = monitoringPods(release);
    const out: RenderedObject[] = [];
    const spec = v.prometheus?.prometheusSpec ?? {};
    // The Prometheus object (templates/prometheus/prometheus.yaml; name from the crname helper, _helpers.tpl:38-44).
    const crname = v.cleanPrometheusOperatorObjectNames ? full : `${full}-prometheus`;
    out.push({
        type: PROMETHEUS,
        name: crname,
        body: {
            metadata: { labels: { app: `${"kube-prometheus-stack"}-prometheus`, release } },
            spec: {
                serviceMonitorSelector: monitorSelector(spec, "serviceMonitorSelector", release),
                serviceMonitorNamespaceSelector: spec.serviceMonitorNamespaceSelector ?? {},
                podMonitorSelector: monitorSelector(spec, "podMonitorSelector", release),
                podMonitorNamespaceSelector: spec.podMonitorNamespaceSelector ?? {},
            },
        },
        source: `${KPS}/templates/prometheus/prometheus.yaml`,
    });
    // The operator generates the StatefulSet: container prometheus on "web" 9090, config-reloader on "reloader-web"
    // 8080 (the chart's Service targets both: templates/prometheus/service.yaml:44-59).
    out.push(
        attach(
            workload(
                STATEFULSET,
                `prometheus-${crname}`,
                pods.prometheus.labels,
                [
                    { name: "prometheus", ports: [{ name: spec.portName ?? "http-web", containerPort: 9090 }] },
                    { name: "config-reloader", ports: [{ name: "reloader-web", containerPort: 8080 }] },
                ],
                `${KPS}/templates/prometheus/service.yaml (selector and target ports of the operator-generated pods)`,
            ),
            operatorMountedObjects(spec, "prometheus"),
        ),
    );
    if (v.alertmanager?.enabled ?? true) {
        out.push(
            attach(
                workload(
                    STATEFULSET,
                    `alertmanager-${full}-alertmanager`,
                    pods.alertmanager.labels,
                    [
                        { name: "alertmanager", ports: [{ name: "http-web", containerPort: 9093 }] },
                        { name: "config-reloader", ports: [{ name: "reloader-web", containerPort: 8080 }] },
                    ],
                    `${KPS}/templates/alertmanager/service.yaml (selector and target ports of the operator-generated pods)`,
                ),
                operatorMountedObjects(v.alertmanager?.alertmanagerSpec ?? {}, "alertmanager"),
            ),
        );
    }
    if (v.prometheusOperator?.enabled ?? true) {
        out.push(
            attach(
                workload(
                    DEPLOYMENT,
                    `${full}-operator`,
                    pods.operator.labels,
                    [{ name: "kube-prometheus-stack", ports: [{ name: "https", containerPort: 10250 }] }],
                    `${KPS}/templates/prometheus-operator/deployment.yaml`,
                ),
                operatorFiles(v, full),
            ),
        );
    }
    if (v.grafana?.enabled ?? true) {
        const g = v.grafana ?? {};
        const name = fullname(release, "grafana", g); // grafana-12.11.1/templates/_helpers.tpl:14-25
        const svc = { port: 80, targetPort: 3000, portName: "service", ...(g.service ?? {}) }; // values.yaml:251-267
        const podPort = g.podPortName ?? "grafana"; // values.yaml:242; _pod.tpl:1403-1404
        out.push(
            // templates/service.yaml: the port targets the pod port by name (targetPort: {{ .Values.podPortName }}).
            service(
                name,
                pods.grafana.labels,
                [{ name: svc.portName, port: svc.port, targetPort: podPort }],
                "grafana-12.11.1/templates/service.yaml",
            ),
            attach(
                workload(
                    DEPLOYMENT,
                    name,
                    pods.grafana.labels,
                    [{ name: "grafana", ports: [{ name: podPort, containerPort: svc.targetPort }] }],
                    "grafana-12.11.1/templates/_pod.tpl",
                    { securityContext: g.securityContext },
                ),
                grafanaFiles(g, name),
            ),
            ...grafanaObjects(g, name),
        );
    }
    if (v.kubeStateMetrics?.enabled ?? true) {
        out.push(
            workload(
                DEPLOYMENT,
                `${release}-kube-state-metrics`,
                pods.kubeStateMetrics.labels,
                [{ name: "kube-state-metrics", ports: [{ name: "http", containerPort: 8080 }] }], // templates/deployment.yaml:277-279
                "kube-state-metrics-8.4.0/templates/deployment.yaml",
            ),
        );
    }
    return out;
}

/**
 * argo-rollouts 2.41.0 (a helm.v3.Release: its CRDs are templates, kept on delete): the controller Deployment
 * (templates/controller/deployment.yaml: `argo-rollouts.selectorLabels`, _helpers.tpl:64-67, plus
 * `app.kubernetes.io/component`; container ports metrics and healthz, values.yaml controller.containerPorts), and
 * with `controller.metrics.enabled` its metrics Service (templates/controller/metrics-service.yaml) and ServiceMonitor
 * (templates/controller/servicemonitor.yaml).
 */
function argoRollouts(release: string, v: Values): RenderedObject[] {
    const AR = "argo-rollouts-2.41.0";
    const c = v.controller ?? {};
    const name = fullname(release, "argo-rollouts", v); // _helpers.tpl:14-25
    const labels = {
        "app.kubernetes.io/name": v.nameOverride || "argo-rollouts",
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/component": c.component ?? "rollouts-controller",
    };
    const ports = { metrics: 8090, healthz: 8080, ...(c.containerPorts ?? {}) };
    const out: RenderedObject[] = [
        workload(
            DEPLOYMENT,
            name,
            labels,
            [
                {
                    name: "argo-rollouts",
                    ports: [
                        { name: "metrics", containerPort: ports.metrics },
                        { name: "healthz", containerPort: ports.healthz },
                    ],
                },
            ],
            `${AR}/templates/controller/deployment.yaml`,
            { securityContext: v.podSecurityContext },
        ),
    ];
    if (c.metrics?.enabled) {
        const svc = { portName: "metrics", port: 8090, ...(c.metrics.service ?? {}) };
        out.push(
            service(
                `${name}-metrics`,
                labels,
                [{ name: svc.portName, port: svc.port, targetPort: "metrics" }],
                `${AR}/templates/controller/metrics-service.yaml`,
            ),
        );
        if (c.metrics.serviceMonitor?.enabled)
            out.push({
                type: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
                name,
                body: {
                    metadata: { labels: { ...labels, ...(c.metrics.serviceMonitor.additionalLabels ?? {}) } },
                    spec: { endpoints: [{ port: svc.portName }], selector: { matchLabels: labels } },
                },
                source: `${AR}/templates/controller/servicemonitor.yaml`,
            });
    }
    return out;
}

/** The charts this table knows, by chart name. A Chart of another name renders nothing here (and the check says so). */
export const RENDERERS: Record<string, { version: string; render: (release: string, values: Values) => RenderedObject[] }> = {
    "kube-prometheus-stack": { version: "88.5.3", render: kubePrometheusStack },
    "prometheus-postgres-exporter": { version: "8.2.0", render: postgresExporter },
    "prometheus-redis-exporter": { version: "6.29.0", render: redisExporter },
    "argo-rollouts": { version: "2.41.0", render: argoRollouts },
    "external-secrets": { version: "2.9.0", render: externalSecretsRendered },
};

/** Chart v4 resources and v3 Releases: both render their chart's objects on the real engine. */
const CHART_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];

/** What one Chart resource renders: the objects with their namespace, or undefined for a chart the table does not know. */
export function renderChart(chart: SnapshotResource): { namespace: string; objects: RenderedObject[] } | undefined {
    const inputs = chart.inputs as Values;
    const renderer = RENDERERS[String(inputs.chart)];
    if (!renderer || String(inputs.version) !== renderer.version) return undefined;
    return {
        namespace: String(inputs.namespace ?? "default"),
        objects: renderer.render(String(inputs.name ?? chart.name), inputs.values ?? {}),
    };
}

/**
 * The Services, pod templates and Prometheus objects the snapshot's Charts render, as the
 * policy engine would see the Chart's children: parented by the Chart, named `<chart>:<namespace>/<name>`.
 */
export function chartRendered(snapshot: Snapshot): PolicyInputResource[] {
    const out: PolicyInputResource[] = [];
    for (const chart of snapshot.resources.filter((r) => CHART_TYPES.includes(r.type))) {
        const rendered = renderChart(chart);
        if (!rendered) continue;
        for (const o of rendered.objects) {
            const name = `${chart.name}:${rendered.namespace}/${o.name}`;
            const metadata = { ...(o.body.metadata ?? {}), name: o.name, namespace: rendered.namespace };
            out.push({
                urn: `${chart.urn.replace(/::[^:]*$/, "")}$${o.type}::${name}`,
                type: o.type,
                name,
                props: { ...structuredClone(o.body), metadata },
                parent: chart.urn,
                provider: chart.provider,
                dependencies: [],
                propertyDependencies: {},
                opts: {},
            });
        }
    }
    return out;
}

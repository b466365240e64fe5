/**
 * The pods of the monitoring namespace as the pinned charts render them: the
 * labels a NetworkPolicy selects them by and the container ports traffic
 * reaches (a policy matches the pod's port, after the Service's DNAT). Every
 * fact names the template it was read from under ../shared/charts/src/;
 * test/components/monitoring-network.spec.ts checks them against it when present.
 */
import { POSTGRES_EXPORTER, REDIS_EXPORTER } from "./rules";

export interface MonitoringPod {
    /** Labels the pods carry (what the chart's own Service or Deployment selector matches). */
    labels: Record<string, string>;
    /** Container ports by name; `metrics` is the one Prometheus scrapes. */
    ports: Record<string, number>;
    /** Template (chart-version/path) the labels come from. */
    template: string;
    /** Template or values file the ports come from. */
    portSource: string;
}

const KPS = "kube-prometheus-stack-88.5.3";
/** kube-prometheus-stack's name: `.Chart.Name` with no nameOverride (88.5.3 templates/_helpers.tpl, values.yaml nameOverride ""). */
const KPS_NAME = "kube-prometheus-stack";

/** `kube-prometheus-stack.fullname` (88.5.3 templates/_helpers.tpl): the release if it contains the chart name, truncated to 26. */
export function kubePrometheusStackFullname(release: string): string {
    const full = release.includes(KPS_NAME) ? release : `${release}-${KPS_NAME}`;
    return full.slice(0, 26).replace(/-+$/, "");
}

/** Namespace label that lets a namespace's pods query Prometheus on 9090 (a rollout controller's analysis, say). */
export const PROMETHEUS_QUERY_LABEL = "monitoring.hangar.dev/prometheus-query";

/** The pods, for a kube-prometheus-stack release named `release` (exporter releases are named after their charts). */
export function monitoringPods(release: string) {
    const fullname = kubePrometheusStackFullname(release);
    const exporter = (chart: string) => ({ "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": chart });
    return {
        prometheus: {
            // The operator labels the pods it generates; the chart's Service selects them by these (agentMode off).
            labels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": `${fullname}-prometheus` },
            // web 9090 (prometheus.service.targetPort), the config reloader's reloader-web 8080 (service.yaml).
            ports: { web: 9090, reloader: 8080, metrics: 9090 },
            template: `${KPS}/templates/prometheus/service.yaml (selector; crname from templates/_helpers.tpl)`,
            portSource: `${KPS}/values.yaml (prometheus.service.port/targetPort 9090, reloaderWebPort 8080)`,
        },
        alertmanager: {
            labels: { "app.kubernetes.io/name": "alertmanager", alertmanager: `${fullname}-alertmanager` },
            // web 9093, reloader 8080 (service.yaml); the operator's generated StatefulSet gossips on 9094 TCP and
            // UDP (prometheus-operator pkg/alertmanager/statefulset.go, mesh-tcp/mesh-udp; values.yaml `# clusterPort: 9094`).
            ports: { web: 9093, mesh: 9094, reloader: 8080, metrics: 9093 },
            template: `${KPS}/templates/alertmanager/service.yaml (selector)`,
            portSource: `${KPS}/values.yaml (alertmanager.service.port/targetPort 9093, clusterPort 9094)`,
        },
        operator: {
            labels: { app: `${KPS_NAME}-operator`, release },
            // tls.enabled (default true): the container listens on tls.internalPort 10250, named https; the
            // Service maps 443 to it, for the admission webhooks and for its own metrics (deployment.yaml, service.yaml).
            ports: { https: 10250, metrics: 10250 },
            template: `${KPS}/templates/prometheus-operator/deployment.yaml (spec.selector.matchLabels)`,
            portSource: `${KPS}/values.yaml (prometheusOperator.tls.internalPort 10250)`,
        },
        grafana: {
            // grafana.selectorLabels, included by grafana.labels on the pod template; name "grafana", instance the release.
            labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": release },
            // Container port podPortName `grafana` = service.targetPort 3000 (Service 80 → 3000): the gateway and Prometheus reach 3000.
            ports: { http: 3000, metrics: 3000 },
            template: "grafana-12.11.1/templates/_helpers.tpl (grafana.selectorLabels)",
            portSource: "grafana-12.11.1/values.yaml (service.targetPort 3000)",
        },
        kubeStateMetrics: {
            labels: { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": release },
            // containerPort service.port 8080 (deployment.yaml); selfMonitor (8081) is off by default.
            ports: { metrics: 8080 },
            template: "kube-state-metrics-8.4.0/templates/_helpers.tpl (kube-state-metrics.selectorLabels)",
            portSource: "kube-state-metrics-8.4.0/values.yaml (service.port 8080)",
        },
        postgresExporter: {
            labels: exporter(POSTGRES_EXPORTER),
            ports: { metrics: 9187 },
            template: "prometheus-postgres-exporter-8.2.0/templates/_helpers.tpl (selectorLabels)",
            portSource: "prometheus-postgres-exporter-8.2.0/values.yaml (service.targetPort 9187)",
        },
        redisExporter: {
            labels: exporter(REDIS_EXPORTER),
            ports: { metrics: 9121 },
            template: "prometheus-redis-exporter-6.29.0/templates/_helpers.tpl (selectorLabels)",
            portSource: "prometheus-redis-exporter-6.29.0/templates/deployment.yaml (containerPort 9121)",
        },
    } satisfies Record<string, MonitoringPod>;
}

/**
 * What Prometheus scrapes outside the namespace, with the chart's defaults (kube-prometheus-stack 88.5.3
 * values.yaml): the kubelet and its cAdvisor (`kubelet.enabled`, https 10250, on the nodes), kube-proxy
 * (`kubeProxy.enabled`, 10249, hostNetwork), node-exporter when opted in (prometheus-node-exporter 4.56.1
 * values.yaml `hostNetwork: true`, `service.port 9100`), CoreDNS (`coreDns.enabled`, 9153, pods
 * `k8s-app: kube-dns` in kube-system: templates/exporters/core-dns/service.yaml) and the API server
 * (`kubeApiServer.enabled`, the `kubernetes` endpoints: the control-plane ENIs on 443).
 */
export const CLUSTER_TARGETS = { kubelet: 10250, kubeProxy: 10249, nodeExporter: 9100, coreDns: 9153, apiServer: 443 };

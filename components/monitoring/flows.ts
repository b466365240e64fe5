/**
 * The monitoring namespace's declared flows (components/shared/flows.ts): the needs the
 * table in ./network-policies.ts answers, stated once more as data so that the wiring rules
 * can prove the policies allow each and nothing else. Pure, from the same resolved inputs.
 */
import { addresses, dataStore, DeclaredFlow, dnsFlows, FlowEndpoint, internet, KUBE_DNS, pods, tcpFlow } from "../shared/flows";
import { selectorLabels } from "../shared/labels";
import { ROLLOUTS_CONTROLLER } from "../shared/rollouts";
import { EXPORTER_LOGIN } from "./exporter-login";
import type { MonitoringArgs } from "./args";
import { MonitoringFlows, monitoringFlowFlags } from "./network-policies";
import { CLUSTER_TARGETS, monitoringPods } from "./pods";
import { resolveMonitoring } from "./resolve";

/** Prometheus's pods, which scrape the app's metrics (the app tier declares those flows). */
export function prometheusEndpoint(namespace: string, release: string): FlowEndpoint {
    return pods(namespace, monitoringPods(release).prometheus.labels, "prometheus");
}

export function monitoringFlows(namespace: string, f: MonitoringFlows): DeclaredFlow[] {
    const component = "Monitoring";
    const p = monitoringPods(f.release);
    const at = (labels: Record<string, string>, name: string) => pods(namespace, labels, name);
    const prometheus = at(p.prometheus.labels, "prometheus");
    const alertmanager = at(p.alertmanager.labels, "alertmanager");
    const operator = at(p.operator.labels, "prometheus-operator");
    const grafana = at(p.grafana.labels, "grafana");
    const ksm = at(p.kubeStateMetrics.labels, "kube-state-metrics");
    const apiServer = addresses("API server (control-plane ENIs)", f.controlPlaneCidrs);
    const nodes = addresses("nodes (kubelet, kube-proxy)", f.nodeCidrs);
    const flow = (from: FlowEndpoint, to: FlowEndpoint, port: number, why: string) => tcpFlow(from, to, port, why, component);
    const flows = dnsFlows(namespace, component);
    const scrape = (to: FlowEndpoint, port: number) => flows.push(flow(prometheus, to, port, "metrics scrape"));
    scrape(prometheus, p.prometheus.ports.web);
    scrape(prometheus, p.prometheus.ports.reloader);
    scrape(alertmanager, p.alertmanager.ports.reloader);
    scrape(operator, p.operator.ports.metrics);
    scrape(ksm, p.kubeStateMetrics.ports.metrics);
    scrape(grafana, p.grafana.ports.metrics);
    scrape(KUBE_DNS, CLUSTER_TARGETS.coreDns);
    scrape(nodes, CLUSTER_TARGETS.kubelet);
    scrape(nodes, CLUSTER_TARGETS.kubeProxy);
    if (f.nodeExporter) scrape(nodes, CLUSTER_TARGETS.nodeExporter);
    scrape(apiServer, CLUSTER_TARGETS.apiServer);
    flows.push(
        flow(prometheus, alertmanager, p.alertmanager.ports.web, "alerts"),
        flow(grafana, prometheus, p.prometheus.ports.web, "dashboards query"),
        flow(grafana, alertmanager, p.alertmanager.ports.web, "alert views"),
        flow(grafana, apiServer, CLUSTER_TARGETS.apiServer, "dashboard sidecars watch ConfigMaps"),
        flow(operator, apiServer, CLUSTER_TARGETS.apiServer, "operator reconciles"),
        flow(apiServer, operator, p.operator.ports.https, "admission webhooks"),
        flow(ksm, apiServer, CLUSTER_TARGETS.apiServer, "kube-state-metrics lists objects"),
    );
    for (const protocol of ["TCP", "UDP"] as const)
        flows.push({ ...flow(alertmanager, alertmanager, p.alertmanager.ports.mesh, "cluster gossip"), protocol });
    if (f.receiver) flows.push(flow(alertmanager, internet("alert receiver"), 443, "notifications"));
    if (f.grafanaFrom) {
        const from = f.grafanaFrom.cidrs?.length
            ? addresses("load-balancer ENIs", f.grafanaFrom.cidrs)
            : pods(f.grafanaFrom.namespace ?? "gateway-system", {}, "gateway");
        flows.push(flow(from, grafana, p.grafana.ports.http, "Grafana UI"));
    }
    const data = (port: number) => dataStore(port, f.dataCidrs);
    if (f.postgres) {
        const exporter = at(p.postgresExporter.labels, "postgres-exporter");
        scrape(exporter, p.postgresExporter.ports.metrics);
        flows.push(flow(exporter, data(5432), 5432, "database metrics"));
    }
    if (f.redis) {
        const exporter = at(p.redisExporter.labels, "redis-exporter");
        scrape(exporter, p.redisExporter.ports.metrics);
        flows.push(flow(exporter, data(6379), 6379, "cache metrics"));
    }
    if (f.rolloutsNamespace) {
        const controller = pods(f.rolloutsNamespace, ROLLOUTS_CONTROLLER.labels, "argo-rollouts");
        scrape(controller, ROLLOUTS_CONTROLLER.metricsPort);
        flows.push(tcpFlow(controller, prometheus, p.prometheus.ports.web, "rollout analysis queries", "RolloutsController"));
    }
    if (f.login) flows.push(flow(at(selectorLabels(EXPORTER_LOGIN), EXPORTER_LOGIN), data(5432), 5432, "creates the exporter's login"));
    return flows;
}

/**
 * The component's flows from its args (CIDR lists resolved), as Platform passes them: none without the chart,
 * the namespace's own without `network`; and the Prometheus endpoint the app's scrapes come from.
 */
export function monitoringArgsFlows(
    args: MonitoringArgs,
    cidrs: { controlPlane: string[]; nodes: string[]; data: string[]; grafanaFrom?: string[] },
): { flows: DeclaredFlow[]; prometheus?: FlowEndpoint } {
    const r = resolveMonitoring(args);
    if (!r.installChart) return { flows: [] };
    const prometheus = prometheusEndpoint(r.namespace, r.releaseName);
    if (!args.network) return { flows: [], prometheus };
    const { flags, grafanaFrom } = monitoringFlowFlags(r, args, args.network);
    const flows = monitoringFlows(r.namespace, {
        ...flags,
        controlPlaneCidrs: cidrs.controlPlane,
        nodeCidrs: cidrs.nodes,
        dataCidrs: cidrs.data,
        grafanaFrom: grafanaFrom && { namespace: grafanaFrom.namespace, cidrs: cidrs.grafanaFrom },
    });
    return { flows, prometheus };
}

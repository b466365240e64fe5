/**
 * The monitoring namespace's NetworkPolicies: default deny, DNS, then one
 * policy per workload with exactly the flows it needs. Selectors and ports come
 * from the pod table (./pods.ts), which cites the chart templates.
 *
 * | pod | ingress | egress |
 * | --- | --- | --- |
 * | Prometheus | 9090 from Grafana, itself and namespaces labelled `PROMETHEUS_QUERY_LABEL`; 8080 from itself | every scrape target below, the Rollouts controller 8090, API server 443 |
 * | Alertmanager | 9093/8080 from Prometheus, 9093 from Grafana, 9094 TCP+UDP from its peers | peers 9094, receiver 443 (internet only) |
 * | operator | 10250 from the control-plane subnets (admission webhooks) and Prometheus | API server 443 |
 * | Grafana | 3000 from the gateway and Prometheus | Prometheus 9090, Alertmanager 9093, API server 443 (sidecars) |
 * | kube-state-metrics | 8080 from Prometheus | API server 443 |
 * | exporters | 9187 / 9121 from Prometheus | data subnets 5432 / 6379 |
 * | login Job | nothing | data subnets 5432 |
 *
 * The API server is not a pod: pods reach it (the `kubernetes` Service, DNAT'd) and it calls the webhook
 * from the control-plane ENIs in `controlPlaneCidrs`. With the AWS VPC CNI a subnet ipBlock admits every
 * pod in that subnet, so while the ENIs share the pods' subnets (the default) those allows admit pods too;
 * dedicated control-plane subnets make them exact.
 */
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { defaultDenySpec, dnsEgressSpec, inNamespace, ipBlocks, pods, tcp, udp } from "../shared/network-policy";
import { selectorLabels } from "../shared/labels";
import { namespaceNetworkPolicies } from "../shared/namespace-policies";
import { GATEWAY_DEFAULTS } from "../shared/exposure";
import { ROLLOUTS_CONTROLLER } from "../shared/rollouts";
import type { MonitoringArgs, MonitoringNetworkArgs } from "./args";
import { EXPORTER_LOGIN } from "./exporter-login";
import { CLUSTER_TARGETS, monitoringPods, PROMETHEUS_QUERY_LABEL } from "./pods";
import type { ResolvedMonitoring } from "./resolve";

type Spec = k8sInput.networking.v1.NetworkPolicySpec;
type Rule = k8sInput.networking.v1.NetworkPolicyEgressRule;

/** What the policies depend on, resolved (CIDR lists known). */
export interface MonitoringFlows {
    release: string;
    appNamespace: string;
    appMetricsPorts: number[];
    controlPlaneCidrs: string[];
    nodeCidrs: string[];
    dataCidrs: string[];
    /** Where Grafana's traffic comes from; undefined when Grafana is not exposed. */
    grafanaFrom?: { namespace?: string; cidrs?: string[] };
    nodeExporter: boolean;
    /** Namespace of the Argo Rollouts controller, scraped on its metrics port. */
    rolloutsNamespace?: string;
    receiver: boolean;
    postgres: boolean;
    redis: boolean;
    login: boolean;
}

/**
 * Alertmanager's receivers (PagerDuty, Slack, a webhook) are on the internet, reached through the NAT
 * gateway: 443 anywhere but the private ranges (RFC 1918, RFC 6598 shared space, link-local), so a
 * compromised Alertmanager cannot reach the API server or other in-VPC services on 443. A receiver inside
 * the VPC would need its own allow.
 */
export const RECEIVER_EXCEPT = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"];

/** Policy name → spec. The set of names depends only on flags, never on outputs. */
export function monitoringPolicySpecs(f: MonitoringFlows): Record<string, Spec> {
    const p = monitoringPods(f.release);
    const both = ["Ingress", "Egress"];
    const apiServer: Rule = { to: ipBlocks(f.controlPlaneCidrs), ports: tcp(CLUSTER_TARGETS.apiServer) };
    const fromPrometheus = (port: number) => ({ from: [pods(p.prometheus.labels)], ports: tcp(port) });
    const exporter = (labels: Record<string, string>, metrics: number, dataPort: number): Spec => ({
        podSelector: { matchLabels: labels },
        policyTypes: both,
        ingress: [fromPrometheus(metrics)],
        egress: [{ to: ipBlocks(f.dataCidrs), ports: tcp(dataPort) }],
    });
    const nodePorts = [CLUSTER_TARGETS.kubelet, CLUSTER_TARGETS.kubeProxy, ...(f.nodeExporter ? [CLUSTER_TARGETS.nodeExporter] : [])];
    const grafanaFrom = f.grafanaFrom
        ? [...(f.grafanaFrom.namespace ? [inNamespace(f.grafanaFrom.namespace)] : []), ...ipBlocks(f.grafanaFrom.cidrs ?? [])]
        : [];

    const specs: Record<string, Spec> = {
        "default-deny": defaultDenySpec(),
        "allow-dns": dnsEgressSpec(),
        prometheus: {
            podSelector: { matchLabels: p.prometheus.labels },
            policyTypes: both,
            ingress: [
                {
                    from: [
                        pods(p.grafana.labels),
                        pods(p.prometheus.labels),
                        // Room for a rollout controller's analysis (or any other reader) without editing this policy.
                        { namespaceSelector: { matchLabels: { [PROMETHEUS_QUERY_LABEL]: "true" } } },
                    ],
                    ports: tcp(p.prometheus.ports.web),
                },
                fromPrometheus(p.prometheus.ports.reloader),
            ],
            egress: [
                { to: [pods(p.prometheus.labels)], ports: tcp(p.prometheus.ports.web, p.prometheus.ports.reloader) },
                { to: [pods(p.alertmanager.labels)], ports: tcp(p.alertmanager.ports.web, p.alertmanager.ports.reloader) },
                { to: [pods(p.operator.labels)], ports: tcp(p.operator.ports.metrics) },
                { to: [pods(p.kubeStateMetrics.labels)], ports: tcp(p.kubeStateMetrics.ports.metrics) },
                { to: [pods(p.grafana.labels)], ports: tcp(p.grafana.ports.metrics) },
                ...(f.postgres ? [{ to: [pods(p.postgresExporter.labels)], ports: tcp(p.postgresExporter.ports.metrics) }] : []),
                ...(f.redis ? [{ to: [pods(p.redisExporter.labels)], ports: tcp(p.redisExporter.ports.metrics) }] : []),
                ...(f.appMetricsPorts.length > 0 ? [{ to: [inNamespace(f.appNamespace)], ports: tcp(...f.appMetricsPorts) }] : []),
                ...(f.rolloutsNamespace
                    ? [
                          {
                              to: [{ ...inNamespace(f.rolloutsNamespace), podSelector: { matchLabels: ROLLOUTS_CONTROLLER.labels } }],
                              ports: tcp(ROLLOUTS_CONTROLLER.metricsPort),
                          },
                      ]
                    : []),
                {
                    to: [{ ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: tcp(CLUSTER_TARGETS.coreDns),
                },
                // hostNetwork targets answer on the nodes' own addresses (VPC CNI: the private subnets).
                { to: ipBlocks(f.nodeCidrs), ports: tcp(...nodePorts) },
                apiServer,
            ],
        },
        alertmanager: {
            podSelector: { matchLabels: p.alertmanager.labels },
            policyTypes: both,
            ingress: [
                fromPrometheus(p.alertmanager.ports.reloader),
                { from: [pods(p.prometheus.labels), pods(p.grafana.labels)], ports: tcp(p.alertmanager.ports.web) },
                { from: [pods(p.alertmanager.labels)], ports: [...tcp(p.alertmanager.ports.mesh), ...udp(p.alertmanager.ports.mesh)] },
            ],
            egress: [
                { to: [pods(p.alertmanager.labels)], ports: [...tcp(p.alertmanager.ports.mesh), ...udp(p.alertmanager.ports.mesh)] },
                ...(f.receiver ? [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: RECEIVER_EXCEPT } }], ports: tcp(443) }] : []),
            ],
        },
        "prometheus-operator": {
            podSelector: { matchLabels: p.operator.labels },
            policyTypes: both,
            // The API server is not a pod: its webhook calls come from the control-plane ENIs.
            ingress: [{ from: [...ipBlocks(f.controlPlaneCidrs), pods(p.prometheus.labels)], ports: tcp(p.operator.ports.https) }],
            egress: [apiServer],
        },
        grafana: {
            podSelector: { matchLabels: p.grafana.labels },
            policyTypes: both,
            ingress: [{ from: [...grafanaFrom, pods(p.prometheus.labels)], ports: tcp(p.grafana.ports.http) }],
            egress: [
                { to: [pods(p.prometheus.labels)], ports: tcp(p.prometheus.ports.web) },
                { to: [pods(p.alertmanager.labels)], ports: tcp(p.alertmanager.ports.web) },
                apiServer,
            ],
        },
        "kube-state-metrics": {
            podSelector: { matchLabels: p.kubeStateMetrics.labels },
            policyTypes: both,
            ingress: [fromPrometheus(p.kubeStateMetrics.ports.metrics)],
            egress: [apiServer],
        },
    };
    if (f.postgres) specs["postgres-exporter"] = exporter(p.postgresExporter.labels, p.postgresExporter.ports.metrics, 5432);
    if (f.redis) specs["redis-exporter"] = exporter(p.redisExporter.labels, p.redisExporter.ports.metrics, 6379);
    if (f.login)
        specs[EXPORTER_LOGIN] = {
            podSelector: { matchLabels: selectorLabels(EXPORTER_LOGIN) },
            policyTypes: both,
            egress: [{ to: ipBlocks(f.dataCidrs), ports: tcp(5432) }],
        };
    return specs;
}

/** The flags of the policies (and of the declared flows, ./flows.ts) from the component's args, and where Grafana's traffic comes from. */
export function monitoringFlowFlags(r: ResolvedMonitoring, args: MonitoringArgs, net: MonitoringNetworkArgs) {
    const gatewayNamespace = args.grafana?.gateway?.namespace ?? GATEWAY_DEFAULTS.namespace;
    const grafanaFrom = r.grafana.host ? (net.grafanaFrom ?? { namespace: gatewayNamespace }) : undefined;
    const flags = {
        release: r.releaseName,
        appNamespace: r.app.namespace,
        appMetricsPorts: [...new Set(net.appMetricsPorts ?? [])].sort((a, b) => a - b),
        nodeExporter: r.nodeExporter,
        rolloutsNamespace: net.rolloutsNamespace,
        receiver: r.alertmanager.receiverType !== undefined,
        postgres: args.postgres !== undefined,
        redis: args.redis !== undefined,
        login: args.postgres?.login !== undefined,
    };
    return { flags, grafanaFrom };
}

/** The policies as resources in the namespace Monitoring created; the CIDR lists may be outputs. */
export function monitoringNetworkPolicies(
    ctx: { name: string; namespace: string; parent: pulumi.Resource; dependsOn: pulumi.Resource[] },
    flags: Omit<MonitoringFlows, "controlPlaneCidrs" | "nodeCidrs" | "dataCidrs" | "grafanaFrom">,
    net: MonitoringNetworkArgs,
    grafanaFrom: MonitoringNetworkArgs["grafanaFrom"],
): void {
    const specs = pulumi
        .all([net.controlPlaneCidrs, net.nodeCidrs, net.dataCidrs, grafanaFrom?.cidrs ?? []])
        .apply(([controlPlaneCidrs, nodeCidrs, dataCidrs, cidrs]) =>
            monitoringPolicySpecs({
                ...flags,
                controlPlaneCidrs,
                nodeCidrs,
                dataCidrs,
                grafanaFrom: grafanaFrom && { namespace: grafanaFrom.namespace, cidrs },
            }),
        );
    const names = Object.keys(monitoringPolicySpecs({ ...flags, controlPlaneCidrs: [], nodeCidrs: [], dataCidrs: [] }));
    namespaceNetworkPolicies(ctx, names, specs);
}

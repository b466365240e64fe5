/**
 * The controller namespace's NetworkPolicies and declared flows (components/shared/flows.ts). Pure.
 *
 * | pod | ingress | egress |
 * | --- | --- | --- |
 * | controller | 8090 from Prometheus (metrics) | API server 443, Prometheus 9090 (analysis), the plugin's https location 443 (internet only) |
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import { addresses, DeclaredFlow, dnsFlows, internet, pods as flowPods, PRIVATE_RANGES, tcpFlow } from "../shared/flows";
import { defaultDenySpec, dnsEgressSpec, inNamespace, ipBlocks, tcp } from "../shared/network-policy";
import { ROLLOUTS_CONTROLLER } from "../shared/rollouts";

/** Where the controller's traffic goes and comes from, CIDR lists resolved. */
export interface RolloutsFlowArgs {
    namespace: string;
    controlPlaneCidrs: string[];
    /** The plugin is downloaded over https at start (not a file:// copy in the image). */
    pluginDownload: boolean;
    /** Prometheus's pods: they scrape the controller and answer its analysis queries. */
    prometheus?: { namespace: string; podLabels: Record<string, string> };
}

export function rolloutsPolicySpecs(a: RolloutsFlowArgs): Record<string, k8s.networking.v1.NetworkPolicySpec> {
    const prometheus = a.prometheus && { ...inNamespace(a.prometheus.namespace), podSelector: { matchLabels: a.prometheus.podLabels } };
    return {
        "default-deny": defaultDenySpec(),
        "allow-dns": dnsEgressSpec(),
        "argo-rollouts": {
            podSelector: { matchLabels: ROLLOUTS_CONTROLLER.labels },
            policyTypes: ["Ingress", "Egress"],
            ingress: prometheus ? [{ from: [prometheus], ports: tcp(ROLLOUTS_CONTROLLER.metricsPort) }] : [],
            egress: [
                { to: ipBlocks(a.controlPlaneCidrs), ports: tcp(443) },
                ...(prometheus ? [{ to: [prometheus], ports: tcp(9090) }] : []),
                ...(a.pluginDownload ? [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES] } }], ports: tcp(443) }] : []),
            ],
        },
    };
}

/** The controller's own flows; Prometheus's scrape of it and its analysis queries are the monitoring stack's (monitoring/flows.ts). */
export function rolloutsFlows(a: RolloutsFlowArgs): DeclaredFlow[] {
    const component = "RolloutsController";
    const controller = flowPods(a.namespace, ROLLOUTS_CONTROLLER.labels, "argo-rollouts");
    const flows = dnsFlows(a.namespace, component);
    flows.push(
        tcpFlow(
            controller,
            addresses("API server (control-plane ENIs)", a.controlPlaneCidrs),
            443,
            "controller reconciles Rollouts",
            component,
        ),
    );
    if (a.pluginDownload)
        flows.push(tcpFlow(controller, internet("traffic-router plugin"), 443, "downloads the Gateway API plugin at start", component));
    return flows;
}

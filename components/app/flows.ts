/**
 * The app tier's declared flows (components/shared/flows.ts): what its NetworkPolicies
 * (./network-policies.ts) exist to let through. Pure: the Platform feeds it the tier's args
 * with the CIDR lists resolved.
 */
import { addresses, dataStore, DeclaredFlow, dnsFlows, FlowEndpoint, internet, pods, proxyEndpoint, tcpFlow } from "../shared/flows";
import { selectorLabels } from "../shared/labels";
import { MIGRATION_DATABASE_PORT, migrationLabels } from "./migration";
import type { DataEgress } from "./network-policies";
import { APP_SERVICE_DEFAULTS, AppServiceSpec } from "./spec";

export interface AppFlowsArgs {
    namespace: string;
    services: Pick<AppServiceSpec, "name" | "port" | "public" | "metrics" | "allowHttpsEgress" | "migration" | "buckets">[];
    /** Where public traffic comes from: load-balancer ENIs (`cidrs`) or the gateway's namespace. */
    traffic: { namespace?: string; cidrs?: string[] };
    /** The data tier by port, at the data subnets. */
    dataEgress: DataEgress[];
    /** The pods that scrape the services' metrics (Prometheus), when there is a monitoring stack. */
    scraper?: FlowEndpoint;
}

export function appTierFlows(a: AppFlowsArgs): DeclaredFlow[] {
    const component = "AppTier";
    const flows = dnsFlows(a.namespace, component);
    const gateway: FlowEndpoint | undefined = a.traffic.cidrs?.length
        ? addresses("load-balancer ENIs", a.traffic.cidrs)
        : a.traffic.namespace
          ? pods(a.traffic.namespace, {}, "gateway")
          : undefined;
    for (const s of a.services) {
        const self = pods(a.namespace, selectorLabels(s.name), s.name);
        if ((s.public ?? APP_SERVICE_DEFAULTS.public) && gateway) flows.push(tcpFlow(gateway, self, s.port, "public traffic", component));
        if (s.metrics && a.scraper) flows.push(tcpFlow(a.scraper, self, s.metrics.port, "metrics scrape", component));
        for (const d of a.dataEgress) {
            // Through RDS Proxy (DATABASE_URL) when there is one; the replicas (DATABASE_READ_URL) stay direct.
            if (d.proxied) flows.push(tcpFlow(self, proxyEndpoint(d.cidrs), d.port, "data tier (DATABASE_URL, RDS Proxy)", component));
            const why = d.proxied ? "data tier (DATABASE_READ_URL, replicas)" : "data tier";
            flows.push(tcpFlow(self, dataStore(d.port, d.cidrs), d.port, why, component));
        }
        if (s.allowHttpsEgress ?? APP_SERVICE_DEFAULTS.allowHttpsEgress)
            flows.push(tcpFlow(self, internet("external APIs"), 443, "allowHttpsEgress", component));
        // App buckets (./buckets.ts): S3 (gateway endpoint or NAT: public addresses either way) and STS for IRSA.
        if (s.buckets?.length) flows.push(tcpFlow(self, internet("S3, STS"), 443, "app buckets, IRSA credentials from STS", component));
        if (s.migration) {
            // The migration Job's pods (./migration.ts), on the writer only; DNS is the namespace's flow above.
            const job = pods(a.namespace, migrationLabels(s.name), `${s.name}-migrate`);
            for (const d of a.dataEgress.filter((e) => e.port === MIGRATION_DATABASE_PORT))
                flows.push(tcpFlow(job, dataStore(d.port, d.cidrs), d.port, "schema migration on the writer", component));
        }
    }
    return flows;
}

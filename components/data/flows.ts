/**
 * The data tier's own declared flow (components/shared/flows.ts): RDS Proxy opens the pooled connections to the
 * writer. Its ENIs live in the database's subnets and carry the proxy's security group, which the database's group
 * admits by reference; the proxy's group lets it out to the database's group on 5432, and to Secrets Manager on 443
 * (its regional endpoint, through the NAT gateway or an interface endpoint), where it reads the credentials.
 */
import { dataStore, DeclaredFlow, internet, proxyEndpoint, tcpFlow } from "../shared/flows";

export function postgresProxyFlows(cidrs: string[]): DeclaredFlow[] {
    const proxy = proxyEndpoint(cidrs);
    return [
        tcpFlow(proxy, dataStore(5432, cidrs), 5432, "pooled connections to the writer", "PostgresDatabase"),
        tcpFlow(proxy, internet("Secrets Manager"), 443, "reads the master secret", "PostgresDatabase"),
    ];
}

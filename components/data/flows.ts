/**
 * The data tier's own declared flow (components/shared/flows.ts): RDS Proxy opens the pooled connections to the
 * writer. Its ENIs live in the database's subnets and carry the proxy's security group, which the database's group
 * admits by reference; the proxy's group lets it out to the database's group on 5432, and to Secrets Manager on 443
 * (its regional endpoint, through the NAT gateway or an interface endpoint), where it reads the credentials.
 */
import { dataStore, DeclaredFlow, internet, proxyEndpoint, rotationFunction, secretsManagerEndpoint, tcpFlow } from "../shared/flows";

export function postgresProxyFlows(cidrs: string[]): DeclaredFlow[] {
    const proxy = proxyEndpoint(cidrs);
    return [
        tcpFlow(proxy, dataStore(5432, cidrs), 5432, "pooled connections to the writer", "PostgresDatabase"),
        tcpFlow(proxy, internet("Secrets Manager"), 443, "reads the master secret", "PostgresDatabase"),
    ];
}

/**
 * The rotation function's flows (components/data/rotation.ts): to the writer on 5432 (it logs in and runs ALTER USER;
 * the database's group admits the function's group by reference) and to Secrets Manager on 443, at the interface
 * endpoint Hangar creates (its group admits the function's and the proxy's groups) or, with `existing`, at the regional
 * endpoint through the VPC's own path. With Hangar's endpoint, RDS Proxy reads the secret there too (private DNS).
 */
export function postgresRotationFlows(cidrs: string[], endpoint: boolean, proxy: boolean): DeclaredFlow[] {
    const fn = rotationFunction(cidrs);
    const secrets = endpoint ? secretsManagerEndpoint(cidrs) : internet("Secrets Manager");
    return [
        tcpFlow(fn, dataStore(5432, cidrs), 5432, "rotates the master password", "PostgresDatabase"),
        tcpFlow(fn, secrets, 443, "reads and writes the master secret's versions", "PostgresDatabase"),
        ...(endpoint && proxy ? [tcpFlow(proxyEndpoint(cidrs), secrets, 443, "reads the master secret", "PostgresDatabase")] : []),
    ];
}

/**
 * Route 53 failover of the public name: PRIMARY (health-checked) to the primary
 * region's load balancer, SECONDARY to the DR region's. The health check probes
 * the primary region's own name, which a plain record points at the primary load
 * balancer and the gateway serves; probing the load balancer's hostname would send
 * a Host and SNI no route answers, and the name would fail over right after `up`.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { DISASTER_RECOVERY_DEFAULTS, FailoverArgs } from "./args";

/** Route 53 health checks need 2xx/3xx within 4 s over HTTPS (port 443) to count the endpoint healthy. */
export function healthCheckSpec(f: FailoverArgs) {
    return {
        type: "HTTPS",
        fqdn: f.healthCheckHost,
        port: 443,
        // Sent as SNI too, so the gateway picks the listener whose certificate covers the name.
        enableSni: true,
        resourcePath: f.healthCheckPath ?? DISASTER_RECOVERY_DEFAULTS.healthCheckPath,
        failureThreshold: 3,
        requestInterval: 30,
        tags: { Name: `${f.recordName} primary` },
    };
}

export function failoverRecords(name: string, f: FailoverArgs, parent: pulumi.Resource) {
    const opts = { parent };
    new aws.route53.Record(
        `${name}-primary-region`,
        { zoneId: f.hostedZoneId, name: f.healthCheckHost, type: "CNAME", ttl: 60, records: [f.primaryHostname] },
        opts,
    );
    const healthCheck = new aws.route53.HealthCheck(`${name}-primary`, healthCheckSpec(f), opts);
    const record = (role: "PRIMARY" | "SECONDARY", target: string, healthCheckId?: pulumi.Input<string>) =>
        new aws.route53.Record(
            `${name}-${role.toLowerCase()}`,
            {
                zoneId: f.hostedZoneId,
                name: f.recordName,
                type: "CNAME",
                ttl: 60,
                setIdentifier: role.toLowerCase(),
                failoverRoutingPolicies: [{ type: role }],
                healthCheckId,
                records: [target],
            },
            opts,
        );
    record("PRIMARY", f.primaryHostname, healthCheck.id);
    record("SECONDARY", f.secondaryHostname);
}

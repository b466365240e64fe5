/**
 * DNS failover wiring (issue 18; the real-world outage: a health check probing a name no
 * route serves, so the public name failed over right after `up`).
 *
 * wiring-healthcheck-host-served: every Route 53 health check with an fqdn probes, over HTTPS
 * with SNI on 443, a host and path some HTTPRoute or Ingress of the stack serves. Route 53
 * sends FullyQualifiedDomainName as the Host header and, with EnableSNI, in the TLS client_hello
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html), so the
 * gateway answers it only if a route lists that host; ResourcePath is the path requested. Hosts
 * and paths match as the Gateway API and Ingress define them (./http-exposure.ts). A health check
 * without fqdn (IP address, CALCULATED, CLOUDWATCH_METRIC) asks no host and is not judged.
 *
 * wiring-failover-secondary-region: every SECONDARY failover record has a PRIMARY of the same
 * zone, name and type that is health-checked by a HealthCheck of the stack, and points at another
 * load balancer in another region, where the stack keeps the app's database. Route 53 API,
 * ResourceRecordSet.Failover (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html):
 * the pair shares Name and Type, and a record without HealthCheckId is always healthy, so an
 * unchecked PRIMARY never fails over. "Runs the app", offline: Hangar's DR region holds the
 * cross-region replica, which the runbook promotes (`dr.failover.secondary: maintenance`, the prod
 * default, promote-then-switch) or the pilot-light tier reads (`read-only`); the DR load balancer
 * and any pilot-light cluster are outside what the stack's resources say about regions, so the
 * rule reads the target's region from its ELB DNS name (`<name>.<region>.elb.amazonaws.com`,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#dns-name;
 * `<name>.elb.<region>.amazonaws.com`, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#dns-name)
 * and demands an RDS instance of the stack in that region.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { regionOf } from "../aws/shared";
import { schemaWith } from "../kubernetes/shared";
import { plain, readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import {
    exposuresOf,
    HttpRouteSpec,
    INGRESS,
    IngressSpec,
    isHttpRoute,
    pathMatches,
    Served,
    servedByIngress,
    servedByRoute,
    servesHost,
} from "./http-exposure";

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const RDS_INSTANCE = "aws:rds/instance:Instance";

interface HealthCheck {
    type?: string;
    fqdn?: string;
    port?: number;
    resourcePath?: string;
    enableSni?: boolean;
    disabled?: boolean;
}

/** Health check types that send an HTTP request with a Host (@pulumi/aws 7.48 route53/healthCheck.d.ts, `type`). */
const HTTP_TYPES = ["HTTP", "HTTP_STR_MATCH", "HTTPS", "HTTPS_STR_MATCH"];

/** Why the probe is not served, or undefined when a route or Ingress of the stack answers it. */
export function probeProblem(hc: HealthCheck, served: Served[]): string | undefined {
    const host = hc.fqdn!.replace(/\.$/, "");
    // @pulumi/aws 7.48 route53/healthCheck.d.ts: "After you disable a health check, Route 53 considers the status of
    // the health check to always be healthy"; enableSni "defaults to true" only "when the type is HTTPS".
    if (hc.disabled === true) return `disabled: Route 53 then treats ${host} as always healthy; set disabled: false`;
    if (hc.type !== "HTTPS" && hc.type !== "HTTPS_STR_MATCH")
        return `type ${hc.type} probes ${host} without TLS; the gateway serves it over HTTPS: set type HTTPS`;
    if (hc.enableSni === false || (hc.enableSni === undefined && hc.type !== "HTTPS"))
        return `enableSni is not true: without SNI the gateway cannot pick the certificate for ${host}; set enableSni: true`;
    if (hc.port !== undefined && hc.port !== 443) return `port ${hc.port} is not 443, where the gateway serves HTTPS`;
    const forHost = served.filter((s) => servesHost(s, host) && s.https(host));
    if (forHost.length === 0) {
        const hosts = [...new Set(served.flatMap((s) => s.hosts ?? ["(any)"]))];
        return `fqdn ${host} is no host an HTTPRoute or Ingress of the stack serves over HTTPS (they serve ${hosts.join(", ") || "none"}); probe a name a route lists`;
    }
    const path = (hc.resourcePath || "/").split("?")[0];
    if (forHost.some((s) => s.paths.some((m) => pathMatches(m, path)))) return undefined;
    return `resourcePath ${JSON.stringify(path)} is no path ${[...new Set(forHost.map((s) => s.what))].join(", ")} serves for ${host}; probe a path it routes`;
}

export const healthCheckHostServed: StackValidationPolicy = {
    name: "wiring-healthcheck-host-served",
    description:
        "Every Route 53 health check with an fqdn probes over HTTPS with SNI on 443 a host an HTTPRoute or Ingress of the stack serves, and a resourcePath that route serves for it.",
    enforcementLevel: "mandatory",
    // exemptNamespaces, as every wiring rule (test/policies/pack.spec.ts); no namespace holds a Route 53 resource.
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const checks = args.resources.filter((r) => r.type === HEALTH_CHECK);
        if (checks.length === 0) args.notApplicable("the stack creates no Route 53 health check");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const routesUndecided: string[] = [];
        const served = [
            ...exposuresOf<HttpRouteSpec>(args.resources, isHttpRoute, remember, routesUndecided).flatMap(servedByRoute),
            ...exposuresOf<IngressSpec>(args.resources, (t) => t === INGRESS, remember, routesUndecided).flatMap(servedByIngress),
        ];
        for (const r of checks) {
            const read = readKnown(() => {
                const p = r.props as HealthCheck;
                return plain({
                    type: p.type,
                    fqdn: p.fqdn,
                    port: p.port,
                    resourcePath: p.resourcePath,
                    enableSni: p.enableSni,
                    disabled: p.disabled,
                });
            });
            if (!read.known) {
                remember(read.error);
                undecided.push(`HealthCheck ${r.name}`);
                continue;
            }
            // No fqdn (an IP address, CALCULATED, CLOUDWATCH_METRIC) or TCP: no Host is asked for.
            if (!read.value.fqdn || !HTTP_TYPES.includes(read.value.type ?? "")) continue;
            const problem = probeProblem(read.value, served);
            if (problem && routesUndecided.length > 0) undecided.push(`HealthCheck ${r.name} (${routesUndecided.join(", ")} unknown)`);
            else if (problem) reportViolation(`HealthCheck ${r.name}: ${problem}`, r.urn);
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

/** The region in an ELB DNS name (ALB/CLB `<name>.<region>.elb.amazonaws.com`, NLB `<name>.elb.<region>.amazonaws.com`). */
export function elbRegion(hostname: string): string | undefined {
    const name = hostname.toLowerCase().replace(/\.$/, "");
    return (
        /\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.elb\.amazonaws\.com$/.exec(name)?.[1] ??
        /\.elb\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com$/.exec(name)?.[1]
    );
}

interface FailoverRecord {
    resource: PolicyResource;
    role: string | undefined;
    key: string;
    target: string | undefined;
}

function recordOf(r: PolicyResource): FailoverRecord {
    const p = r.props as {
        zoneId?: string;
        name?: string;
        type?: string;
        failoverRoutingPolicies?: { type?: string }[];
        records?: string[];
        aliases?: { name?: string }[];
    };
    const target = p.records?.[0] ?? p.aliases?.[0]?.name?.replace(/^dualstack\./i, "");
    return {
        resource: r,
        role: p.failoverRoutingPolicies?.[0]?.type,
        key: `${p.zoneId} ${String(p.name ?? "")
            .toLowerCase()
            .replace(/\.$/, "")} ${p.type}`,
        target: target?.toLowerCase().replace(/\.$/, ""),
    };
}

export const failoverSecondaryRegion: StackValidationPolicy = {
    name: "wiring-failover-secondary-region",
    description:
        "Every SECONDARY failover record pairs with a PRIMARY (same zone, name and type) health-checked by a HealthCheck of the stack, and points at another load balancer, in another region, where the stack keeps the app's database.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const records: FailoverRecord[] = [];
        for (const r of args.resources.filter((x) => x.type === RECORD)) {
            // Records without a failover policy are no part of a pair, whatever else is unknown about them.
            const role = readKnown(() => (r.props.failoverRoutingPolicies as { type?: string }[] | undefined)?.[0]?.type);
            if (role.known && role.value === undefined) continue;
            const read = role.known ? readKnown(() => recordOf(r)) : role;
            if (read.known) records.push(read.value);
            else {
                remember(read.error);
                undecided.push(`Record ${r.name}`);
            }
        }
        const secondaries = records.filter((r) => r.role === "SECONDARY");
        if (secondaries.length === 0 && undecided.length === 0) args.notApplicable("the stack creates no SECONDARY failover record");
        const databaseRegions = new Set<string>();
        for (const r of args.resources.filter((x) => x.type === RDS_INSTANCE)) {
            const read = readKnown(() => regionOf(r));
            if (read.known && read.value) databaseRegions.add(read.value);
            else if (!read.known) remember(read.error);
        }
        for (const s of secondaries) {
            const who = `Record ${s.resource.name} (SECONDARY)`;
            const report = (message: string) => reportViolation(`${who}: ${message}`, s.resource.urn);
            const primaries = records.filter((r) => r.role === "PRIMARY" && r.key === s.key);
            if (primaries.length === 0 && undecided.length > 0) {
                undecided.push(`${who} (its PRIMARY may be among the unknown records)`);
                continue;
            }
            if (primaries.length === 0) {
                report(`no PRIMARY record of the stack has its zone, name and type (${s.key}): nothing fails over to it`);
                continue;
            }
            const unchecked = primaries.filter(
                (p) => !(p.resource.propertyDependencies.healthCheckId ?? []).some((d) => d.type === HEALTH_CHECK),
            );
            if (unchecked.length > 0)
                report(
                    `its PRIMARY ${unchecked.map((p) => p.resource.name).join(", ")} takes no healthCheckId from a HealthCheck of the stack; ` +
                        `Route 53 treats a record without health check as healthy, so it never fails over`,
                );
            if (!s.target) {
                report("it names no target (records or aliases)");
                continue;
            }
            if (primaries.some((p) => p.target === s.target)) report(`it points at ${s.target}, the PRIMARY's own target`);
            const region = elbRegion(s.target);
            if (!region) {
                report(
                    `its target ${s.target} is no load balancer DNS name, so its region cannot be checked; point it at the DR region's load balancer`,
                );
                continue;
            }
            const primaryRegions = primaries.map((p) => p.target && elbRegion(p.target)).filter((x): x is string => !!x);
            if (primaryRegions.includes(region))
                report(
                    `its target ${s.target} is in ${region}, the PRIMARY's region: a regional outage takes both; point it at the DR region`,
                );
            if (!databaseRegions.has(region))
                report(
                    `its target ${s.target} is in ${region}, where the stack keeps no database of the app (RDS instances in ` +
                        `${[...databaseRegions].join(", ") || "no region"}): nothing can serve it after failover`,
                );
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const dnsWiringPolicies = [healthCheckHostServed, failoverSecondaryRegion];

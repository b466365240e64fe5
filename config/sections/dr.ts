/** `hangar:dr`: the cross-region replica, its network, DNS failover and the pilot-light app tier. */
import { z } from "zod";
import { get, list, str } from "../document";
import { regionalHost } from "../../components/disaster-recovery/regional-host";
import { listenerCovers } from "../../policies/values/hostname";
import { isPlainObject } from "../merge";
import type { Row, Scope } from "../rule-table";
import {
    awsAccountId,
    awsRegion,
    bool,
    privateSubnetCidrs,
    privateSubnetIds,
    hostname,
    httpPath,
    httpsUrl,
    intIn,
    kubeContext,
    mapping,
    oidcProviderArn,
    rdsInstanceClass,
    secretArn,
    vpcId,
} from "../primitives";

export const drSchema = mapping({
    enabled: bool(),
    region: awsRegion.optional(),
    /** DR account (allowedAccountIds of the DR provider); defaults to foundation.aws.accountId. */
    accountId: awsAccountId.optional(),
    /** True once the DR replica has been promoted (see the README runbook): replication is no longer managed. */
    promoted: bool(),
    /** The DR region's VPC for the replica's subnet and security groups. Required when enabled. */
    network: mapping({
        vpcId,
        privateSubnetIds,
        privateSubnetCidrs,
    }).optional(),
    /** Class of the cross-region replica; defaults to database.instanceClass. */
    instanceClass: rdsInstanceClass.optional(),
    /** Route 53 failover for the public name; needs dns.hostedZoneId. */
    failover: mapping({
        /** The public name that fails over, under dns.domain. */
        recordName: hostname,
        /** The primary region's load balancer hostname (health-checked). */
        primaryHostname: hostname,
        /** The DR region's load balancer hostname. */
        secondaryHostname: hostname,
        healthCheckPath: httpPath,
        /**
         * What the DR load balancer serves for the public name while the replica is unpromoted:
         * `maintenance` (failover is promote-then-switch) or `read-only` (the pilot light serving reads).
         */
        secondary: z.enum(["maintenance", "read-only"], { error: "expected maintenance or read-only" }).optional(),
    }).optional(),
    /** A minimal app tier on a DR cluster, pointed at the DR replica. */
    pilotLight: mapping({
        enabled: bool(),
        /** kubeconfig of the DR cluster, stored in Secrets Manager (DR region). */
        kubeconfigSecretArn: secretArn,
        context: kubeContext,
        server: httpsUrl,
        /** The DR cluster's IAM OIDC provider, for the pilot-light ServiceAccount's IRSA role. */
        oidcProviderArn,
        /** Replicas of each service while the primary serves (0 or 1). */
        replicas: intIn(0, 1),
    }).optional(),
});

// ------------------------------------------------------------------- rules

const dr = ({ doc }: Scope, key: string) => get(doc, `dr.${key}`);
const on = (s: Scope) => dr(s, "enabled") === true;
const primaryRegion = ({ doc }: Scope) => str(get(doc, "foundation.aws.region"));
/** DR with a hosted zone: Route 53 failover records are managed. */
const failingOver = (s: Scope) => on(s) && get(s.doc, "dns.hostedZoneId") !== undefined;
const domain = ({ doc }: Scope) => str(get(doc, "dns.domain"));
const recordName = (s: Scope) => str(dr(s, "failover.recordName"));
const underDomain = (s: Scope) => {
    const zone = domain(s);
    const record = recordName(s);
    return !!zone && !!record && (record === zone || record.endsWith(`.${zone}`));
};
/** The public service whose host is the failover record: its route serves the primary region's own name too. */
const recordService = (s: Scope) =>
    list(get(s.doc, "app.services")).find(
        (x) => isPlainObject(x) && x.public === true && x.host !== undefined && x.host === recordName(s),
    ) as Record<string, unknown> | undefined;
const regional = (s: Scope) => regionalHost(recordName(s) ?? "", str(primaryRegion(s)) ?? "");
const listenerHost = (s: Scope) => str(get(s.doc, "app.gateway.hostname"));

export const drRules: Row[] = [
    { path: "dr.region", when: (s) => on(s) && dr(s, "region") === undefined, message: "required when dr.enabled is true" },
    {
        path: "dr.network",
        when: (s) => on(s) && dr(s, "network") === undefined,
        message: "required when dr.enabled is true (the DR region's VPC and subnets)",
    },
    {
        path: "dr.enabled",
        when: (s) => on(s) && get(s.doc, "database.enabled") === false,
        message: "the DR region replicates the database: database.enabled must be true",
    },
    {
        path: "dr.region",
        when: (s) => typeof dr(s, "region") === "string" && dr(s, "region") === primaryRegion(s),
        message: (s) => `must differ from the primary region foundation.aws.region (${primaryRegion(s)})`,
    },
    { path: "dr.enabled", when: (s) => s.environment === "prod" && dr(s, "enabled") === false, message: "must be true in prod" },
    { path: "dr.promoted", when: (s) => dr(s, "promoted") === true && !on(s), message: "only meaningful when dr.enabled is true" },
    {
        path: "dr.network.privateSubnetCidrs",
        when: (s) =>
            Array.isArray(dr(s, "network.privateSubnetIds")) &&
            Array.isArray(dr(s, "network.privateSubnetCidrs")) &&
            list(dr(s, "network.privateSubnetIds")).length !== list(dr(s, "network.privateSubnetCidrs")).length,
        message: "expected one CIDR per subnet id",
    },
    {
        path: "dr.failover",
        when: (s) => failingOver(s) && dr(s, "failover") === undefined,
        message: "required when dns.hostedZoneId is set and DR is on: failover records need the primary and DR hostnames",
    },
    {
        path: "dr.failover.primaryHostname",
        when: (s) => failingOver(s) && isPlainObject(dr(s, "failover")) && dr(s, "failover.primaryHostname") === undefined,
        message: "required: the primary region's own name points at it, and the health check probes that name",
    },
    {
        path: "dr.failover.recordName",
        when: (s) => {
            const zone = domain(s);
            const record = recordName(s);
            return failingOver(s) && !!zone && !!record && record !== zone && !record.endsWith(`.${zone}`);
        },
        message: (s) => `${recordName(s)} is not under dns.domain ${domain(s)}`,
    },
    {
        path: "dr.failover.recordName",
        when: (s) => failingOver(s) && underDomain(s) && recordService(s) === undefined,
        message: (s) =>
            `${recordName(s)} is not the host of a public service in app.services: the health check probes ${regional(s)}, which that service's route must serve`,
    },
    {
        path: "dr.failover.recordName",
        when: (s) => {
            const service = recordService(s);
            const listener = listenerHost(s);
            return failingOver(s) && !!service && service.exposure === "gateway" && !!listener && !listenerCovers(listener, regional(s));
        },
        message: (s) =>
            `the primary region's own name ${regional(s)} is not under the gateway listener's hostname ${listenerHost(s)}: Route 53 could not reach it`,
    },
    {
        path: "dr.failover.secondary",
        when: (s) =>
            failingOver(s) &&
            dr(s, "failover.secondary") === "read-only" &&
            !(dr(s, "pilotLight.enabled") === true && dr(s, "pilotLight.replicas") === 1),
        message:
            "read-only needs dr.pilotLight.enabled with replicas: 1 (the app serving reads against the unpromoted replica); otherwise the DR load balancer is a maintenance target",
    },
    // Reported with DR's rules, where it has always been: it is about dr.failover.
    {
        path: "dns.hostedZoneId",
        when: (s) => dr(s, "failover") !== undefined && get(s.doc, "dns.hostedZoneId") === undefined,
        message: "required when dr.failover is set",
    },
];

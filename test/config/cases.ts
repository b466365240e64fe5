/**
 * Invalid stack configs, each a real stack file with one mistake, and the
 * error (`<key path>: <message start>`) parseConfig must report for it.
 * Shared by the parse tests and the bad-config corpus generator, with the
 * helpers of the mutation properties (paths of a document, a mutated copy,
 * arbitrary values).
 */
import * as fc from "fast-check";
import * as path from "path";
import { readStackConfig } from "../../config";

const ROOT = path.resolve(__dirname, "..", "..");
export const stackConfig = (stack: string) => readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)) as Record<string, unknown>;

/** A deep copy of a real stack file with one key path set (undefined deletes it). */
export function mutate(stack: string, key: string, at: (string | number)[], value: unknown): Record<string, unknown> {
    const raw = structuredClone(stackConfig(stack));
    if (at.length === 0) {
        if (value === undefined) delete raw[key];
        else raw[key] = value;
        return raw;
    }
    let node = (raw[key] ??= {}) as Record<string | number, unknown>;
    for (const step of at.slice(0, -1)) node = (node[step] ??= {}) as Record<string | number, unknown>;
    const last = at[at.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
    return raw;
}

/** Every path (as a list of keys) inside a config document. */
export function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
    if (value !== null && typeof value === "object") return [at, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
    return [at];
}

/** Sets (or with `undefined`, deletes) the value at a path of a deep copy. */
export function mutateAt(doc: Record<string, unknown>, at: (string | number)[], value: unknown): Record<string, unknown> {
    const copy = structuredClone(doc);
    if (at.length === 0) return copy;
    let node = copy as Record<string | number, unknown>;
    for (const step of at.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
    const last = at[at.length - 1];
    if (value === undefined && !Array.isArray(node)) delete node[last];
    else node[last] = value;
    return copy;
}

export const arbitraryValue = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.integer({ min: -100000, max: 100000 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
    fc.constantFrom("latest", "16", "eu-west-1", "db.r7g.large", "10.0.0.0/8", "-1", "", "api.example.com", "*"),
);

/** [what, stack, raw config, expected "<path>: <message start>"] */
export const INVALID_CONFIGS: [string, string, unknown, string][] = [
    ["a stack file that is not a mapping", "prod", ["a", "b"], "hangar: expected the stack file's config to be a mapping"],
    ["YAML scalar instead of a mapping", "prod", "just text", "hangar: expected the stack file's config to be a mapping"],
    [
        "an unknown section",
        "prod",
        mutate("prod", "hangar:databse", [], {}),
        "hangar:databse: unknown key; did you mean `hangar:database`? (expected one of environment",
    ],
    [
        "an unknown environment",
        "prod",
        mutate("prod", "hangar:environment", [], "production"),
        "hangar:environment: expected prod, staging or ephemeral",
    ],
    ["a section that is not a mapping", "prod", mutate("prod", "hangar:database", [], 5), "hangar:database: expected a mapping"],
    [
        "an unknown key inside a section",
        "prod",
        mutate("prod", "hangar:database", ["archiveTier"], 30),
        "hangar:database.archiveTier: unknown key (expected one of enabled",
    ],
    [
        "a short account id",
        "prod",
        mutate("prod", "hangar:foundation", ["aws", "accountId"], "12345"),
        "hangar:foundation.aws.accountId: expected a 12-digit AWS account id",
    ],
    [
        "an account id given as a number",
        "prod",
        mutate("prod", "hangar:foundation", ["aws", "accountId"], 210987654321),
        "hangar:foundation.aws.accountId: expected a 12-digit AWS account id",
    ],
    [
        "a missing region",
        "prod",
        mutate("prod", "hangar:foundation", ["aws", "region"], undefined),
        "hangar:foundation.aws.region: required: expected an AWS region",
    ],
    [
        "a malformed region",
        "prod",
        mutate("prod", "hangar:foundation", ["aws", "region"], "Ireland"),
        "hangar:foundation.aws.region: expected an AWS region",
    ],
    [
        "a missing foundation",
        "prod",
        mutate("prod", "hangar:foundation", [], undefined),
        "hangar:foundation.aws: required: expected a mapping",
    ],
    [
        "a missing kubernetes context",
        "prod",
        mutate("prod", "hangar:foundation", ["kubernetes", "context"], undefined),
        "hangar:foundation.kubernetes.context: required",
    ],
    [
        "an http (not https) API server",
        "prod",
        mutate("prod", "hangar:foundation", ["kubernetes", "server"], "http://api.example.com"),
        "hangar:foundation.kubernetes.server: expected an https:// URL",
    ],
    [
        "a Kubernetes version without its v (the enforce-version label's format)",
        "prod",
        mutate("prod", "hangar:foundation", ["kubernetes", "version"], "1.34"),
        "hangar:foundation.kubernetes.version: expected a Kubernetes minor version such as v1.34",
    ],
    [
        "a Kubernetes version with a patch",
        "staging",
        mutate("staging", "hangar:foundation", ["kubernetes", "version"], "v1.34.2"),
        "hangar:foundation.kubernetes.version: expected a Kubernetes minor version such as v1.34",
    ],
    [
        "prod without an expected API server",
        "prod",
        mutate("prod", "hangar:foundation", ["kubernetes", "server"], undefined),
        "hangar:foundation.kubernetes.server: required in prod",
    ],
    [
        "a malformed VPC id",
        "prod",
        mutate("prod", "hangar:foundation", ["network", "vpcId"], "vpc-xyz"),
        "hangar:foundation.network.vpcId: expected a VPC id",
    ],
    [
        "a malformed VPC CIDR",
        "prod",
        mutate("prod", "hangar:foundation", ["network", "vpcCidr"], "10.40.0.0/33"),
        "hangar:foundation.network.vpcCidr: expected an IPv4 CIDR",
    ],
    [
        "a malformed subnet id",
        "prod",
        mutate("prod", "hangar:foundation", ["network", "privateSubnetIds", 1], "sub-1"),
        "hangar:foundation.network.privateSubnetIds[1]: expected a subnet id",
    ],
    [
        "a single subnet",
        "prod",
        mutate("prod", "hangar:foundation", ["network", "privateSubnetIds"], ["subnet-0a1b2c3d4e5f60001"]),
        "hangar:foundation.network.privateSubnetIds: expected at least 2 subnets",
    ],
    [
        "fewer CIDRs than subnets",
        "prod",
        mutate("prod", "hangar:foundation", ["network", "privateSubnetCidrs"], ["10.40.0.0/19", "10.40.32.0/19"]),
        "hangar:foundation.network.privateSubnetCidrs: expected one CIDR per subnet id",
    ],
    [
        "a subnet CIDR outside the VPC",
        "prod",
        mutate("prod", "hangar:foundation", ["network", "privateSubnetCidrs", 2], "10.99.0.0/19"),
        "hangar:foundation.network.privateSubnetCidrs[2]: 10.99.0.0/19 is outside the VPC CIDR",
    ],
    [
        "no network and no stack reference",
        "prod",
        mutate("prod", "hangar:foundation", ["network"], undefined),
        "hangar:foundation.network: required unless foundation.stackReference",
    ],
    [
        "an OIDC provider in another account",
        "prod",
        mutate(
            "prod",
            "hangar:foundation",
            ["oidcProviderArn"],
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X",
        ),
        "hangar:foundation.oidcProviderArn: belongs to account 123456789012",
    ],
    [
        "a malformed stack reference",
        "prod",
        mutate("prod", "hangar:foundation", ["stackReference"], "foundation"),
        "hangar:foundation.stackReference: expected a stack reference",
    ],
    [
        "a tag value that is not a string",
        "prod",
        mutate("prod", "hangar:foundation", ["tags", "cost-center"], 4410),
        "hangar:foundation.tags.cost-center: expected a string tag value",
    ],
    [
        "a service port out of range",
        "prod",
        mutate("prod", "hangar:app", ["services", 1, "port"], 70000),
        "hangar:app.services[1].port: expected an integer 1–65535",
    ],
    [
        "a fractional port",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "port"], 80.5),
        "hangar:app.services[0].port: expected an integer 1–65535",
    ],
    [
        "an image on :latest",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "image"], "ghcr.io/acme/api:latest"),
        "hangar:app.services[0].image: expected an image pinned by tag or digest",
    ],
    [
        "an image without a tag",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "image"], "ghcr.io/acme/api"),
        "hangar:app.services[0].image: expected an image pinned by tag or digest",
    ],
    [
        "an upper-case service name",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "name"], "API"),
        "hangar:app.services[0].name: expected a DNS label",
    ],
    [
        "duplicate service names",
        "prod",
        mutate("prod", "hangar:app", ["services", 1, "name"], "api"),
        'hangar:app.services[1].name: duplicate service name "api"',
    ],
    [
        "services that are not a list",
        "prod",
        mutate("prod", "hangar:app", ["services"], { api: {} }),
        "hangar:app.services: expected a list of services",
    ],
    [
        "a public service without a host",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "host"], undefined),
        "hangar:app.services[0].host: required for a public service",
    ],
    [
        "a public host outside the gateway listener",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "host"], "api.example.com"),
        "hangar:app.services[0].host: api.example.com is not under the gateway listener's hostname",
    ],
    [
        "gateway exposure without a listener hostname",
        "prod",
        mutate("prod", "hangar:app", ["gateway", "hostname"], undefined),
        "hangar:app.gateway.hostname: required: app.services[0] is exposed through the gateway",
    ],
    [
        "ingress exposure without an IngressClass",
        "staging",
        mutate("staging", "hangar:app", ["ingress", "className"], undefined),
        "hangar:app.ingress.className: required: app.services[0] is exposed through an Ingress",
    ],
    [
        "both an image and a build",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "build"], { context: "./api" }),
        "hangar:app.services[0].image: set exactly one of image",
    ],
    [
        "a request above its limit",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "resources", "requests", "memory"], "2Gi"),
        "hangar:app.services[0].resources.requests.memory: 2Gi exceeds the limit 1Gi",
    ],
    [
        "replicas min above max",
        "prod",
        mutate("prod", "hangar:app", ["services", 1, "replicas", "min"], 8),
        "hangar:app.services[1].replicas.max: must be at least replicas.min (8)",
    ],
    [
        "a malformed memory quantity",
        "prod",
        mutate("prod", "hangar:app", ["serviceDefaults", "resources", "limits", "memory"], "1 GB"),
        "hangar:app.serviceDefaults.resources.limits.memory: expected a memory quantity",
    ],
    [
        "an unknown exposure",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "exposure"], "loadbalancer"),
        "hangar:app.services[0].exposure: expected gateway or ingress",
    ],
    [
        "an unknown traffic source",
        "prod",
        mutate("prod", "hangar:app", ["trafficSource"], "alb"),
        "hangar:app.trafficSource: expected namespace or vpc",
    ],
    [
        "metrics on the service port",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "metrics", "port"], 8080),
        "hangar:app.services[0].metrics.port: must differ from the service port",
    ],
    [
        "backup retention beyond the AWS limit",
        "prod",
        mutate("prod", "hangar:database", ["backupRetentionDays"], 40),
        "hangar:database.backupRetentionDays: expected an integer 0–35",
    ],
    [
        "prod retention below 30 days",
        "prod",
        mutate("prod", "hangar:database", ["backupRetentionDays"], 14),
        "hangar:database.backupRetentionDays: prod keeps at least 30 days",
    ],
    [
        "staging retention below 7 days",
        "staging",
        mutate("staging", "hangar:database", ["backupRetentionDays"], 3),
        "hangar:database.backupRetentionDays: staging keeps at least 7 days",
    ],
    [
        "replicas without backups",
        "pr-1",
        { ...mutate("staging", "hangar:database", ["replicas"], 1), "hangar:database": { replicas: 1, backupRetentionDays: 0 } },
        "hangar:database.backupRetentionDays: must be at least 1 when database.replicas > 0",
    ],
    [
        "a malformed instance class",
        "prod",
        mutate("prod", "hangar:database", ["instanceClass"], "r7g.large"),
        "hangar:database.instanceClass: expected an RDS instance class",
    ],
    [
        "a malformed engine version",
        "prod",
        mutate("prod", "hangar:database", ["engineVersion"], "sixteen"),
        "hangar:database.engineVersion: expected a PostgreSQL version",
    ],
    [
        "max storage below allocated storage",
        "prod",
        mutate("prod", "hangar:database", ["maxAllocatedStorageGb"], 50),
        "hangar:database.maxAllocatedStorageGb: must be at least allocatedStorageGb",
    ],
    [
        "prod without Multi-AZ",
        "prod",
        mutate("prod", "hangar:database", ["multiAz"], false),
        "hangar:database.multiAz: must be true in prod",
    ],
    [
        "prod without replicas",
        "prod",
        mutate("prod", "hangar:database", ["replicas"], 0),
        "hangar:database.replicas: prod needs at least 1 read replica",
    ],
    [
        "prod without deletion protection",
        "prod",
        mutate("prod", "hangar:database", ["deletionProtection"], "yes"),
        "hangar:database.deletionProtection: expected true or false",
    ],
    [
        "an unknown cache engine",
        "prod",
        mutate("prod", "hangar:cache", ["engine"], "memcached"),
        "hangar:cache.engine: expected valkey or redis",
    ],
    [
        "a Multi-AZ cache with one node",
        "staging",
        mutate("staging", "hangar:cache", ["multiAz"], true),
        "hangar:cache.nodes: Multi-AZ needs at least 2 nodes",
    ],
    [
        "cache snapshots beyond 35 days",
        "prod",
        mutate("prod", "hangar:cache", ["snapshotRetentionDays"], 36),
        "hangar:cache.snapshotRetentionDays: expected an integer 0–35",
    ],
    [
        "a malformed chart version",
        "prod",
        mutate("prod", "hangar:monitoring", ["chartVersion"], "latest"),
        "hangar:monitoring.chartVersion: expected a chart version",
    ],
    [
        "an unknown monitoring mode",
        "prod",
        mutate("prod", "hangar:monitoring", ["mode"], "operator"),
        "hangar:monitoring.mode: expected chart or existing-operator",
    ],
    [
        "a DR region equal to the primary",
        "prod",
        mutate("prod", "hangar:dr", ["region"], "eu-west-1"),
        "hangar:dr.region: must differ from the primary region",
    ],
    [
        "DR enabled without a region",
        "prod",
        mutate("prod", "hangar:dr", ["region"], undefined),
        "hangar:dr.region: required when dr.enabled is true",
    ],
    [
        "DR without its network",
        "prod",
        mutate("prod", "hangar:dr", ["network"], undefined),
        "hangar:dr.network: required when dr.enabled is true",
    ],
    [
        "a hosted zone with DR but no failover hostnames",
        "prod",
        mutate("prod", "hangar:dr", ["failover"], undefined),
        "hangar:dr.failover: required when dns.hostedZoneId is set",
    ],
    [
        "failover without the primary hostname",
        "prod",
        mutate("prod", "hangar:dr", ["failover", "primaryHostname"], undefined),
        "hangar:dr.failover.primaryHostname: required",
    ],
    [
        "a failover name outside the domain",
        "prod",
        mutate("prod", "hangar:dr", ["failover", "recordName"], "api.example.com"),
        "hangar:dr.failover.recordName: api.example.com is not under dns.domain",
    ],
    [
        "failover without a hosted zone",
        "prod",
        mutate("prod", "hangar:dns", ["hostedZoneId"], undefined),
        "hangar:dns.hostedZoneId: required when dr.failover is set",
    ],
    [
        "a promoted flag without DR",
        "staging",
        mutate("staging", "hangar:dr", ["promoted"], true),
        "hangar:dr.promoted: only meaningful when dr.enabled is true",
    ],
    [
        "a malformed pilot-light kubeconfig ARN",
        "prod",
        mutate("prod", "hangar:dr", ["pilotLight"], {
            enabled: true,
            kubeconfigSecretArn: "kubeconfig",
            context: "dr",
            server: "https://dr.example.com",
            oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/x",
            replicas: 1,
        }),
        "hangar:dr.pilotLight.kubeconfigSecretArn: expected a Secrets Manager secret ARN",
    ],
    ["prod without DR", "prod", mutate("prod", "hangar:dr", ["enabled"], false), "hangar:dr.enabled: must be true in prod"],
    [
        "prod monitoring without an on-call receiver",
        "prod",
        mutate("prod", "hangar:monitoring", ["receiver"], undefined),
        "hangar:monitoring.receiver: required in prod",
    ],
    [
        "a receiver key given in plain text",
        "prod",
        mutate("prod", "hangar:monitoring", ["receiver", "secretArn"], "R0UT1NGKEY"),
        "hangar:monitoring.receiver.secretArn: expected a Secrets Manager secret ARN",
    ],
    [
        "an error ratio above 1",
        "prod",
        mutate("prod", "hangar:monitoring", ["thresholds", "errorRatio"], 5),
        "hangar:monitoring.thresholds.errorRatio: expected a 5xx ratio between 0 and 1",
    ],
    [
        "a chart version the values are not checked against",
        "prod",
        mutate("prod", "hangar:monitoring", ["chartVersion"], "89.0.0"),
        "hangar:monitoring.chartVersion: Hangar's values are verified against kube-prometheus-stack 88.5.3",
    ],
    [
        "prod cache snapshots below 7 days",
        "prod",
        mutate("prod", "hangar:cache", ["snapshotRetentionDays"], 1),
        "hangar:cache.snapshotRetentionDays: prod keeps at least 7 days",
    ],
    [
        "staging dailies below 14 days",
        "staging",
        mutate("staging", "hangar:backups", ["dailyRetentionDays"], 7),
        "hangar:backups.dailyRetentionDays: staging keeps dailies at least 14 days",
    ],
    [
        "prod dumps kept less than 7 years",
        "prod",
        mutate("prod", "hangar:backups", ["bucket"], { deepArchiveAfterDays: 30, expireAfterDays: 730 }),
        "hangar:backups.bucket.expireAfterDays: prod keeps dumps at least 2555 days",
    ],
    [
        "a prod image on a moving branch tag",
        "prod",
        mutate("prod", "hangar:app", ["services", 1, "image"], "210987654321.dkr.ecr.eu-west-1.amazonaws.com/hangar/workers:main"),
        "hangar:app.services[1].image: the tag :main moves",
    ],
    [
        "a dump job without an image",
        "prod",
        mutate("prod", "hangar:backups", ["dump", "image"], undefined),
        "hangar:backups.dump.image: required when backups.dump.enabled is true",
    ],
    [
        "a pg_dump older than the database",
        "prod",
        mutate("prod", "hangar:backups", ["dump", "clientMajorVersion"], 15),
        "hangar:backups.dump.clientMajorVersion: pg_dump 15 cannot dump PostgreSQL 16",
    ],
    [
        "prod dailies below 35 days",
        "prod",
        mutate("prod", "hangar:backups", ["dailyRetentionDays"], 14),
        "hangar:backups.dailyRetentionDays: prod keeps dailies at least 35 days",
    ],
    ["prod without backups", "prod", mutate("prod", "hangar:backups", ["enabled"], false), "hangar:backups.enabled: must be true in prod"],
    [
        "a malformed AWS Backup schedule",
        "prod",
        mutate("prod", "hangar:backups", ["dailySchedule"], "0 3 * * *"),
        "hangar:backups.dailySchedule: expected an AWS cron expression",
    ],
    [
        "expiry before Deep Archive's minimum",
        "prod",
        mutate("prod", "hangar:backups", ["bucket", "expireAfterDays"], 90),
        "hangar:backups.bucket.expireAfterDays: must be at least deepArchiveAfterDays + 180",
    ],
    [
        "a hosted zone without a domain",
        "staging",
        mutate("staging", "hangar:dns", ["hostedZoneId"], "Z0123456789ABCDEFGHIJ"),
        "hangar:dns.domain: required when dns.hostedZoneId is set",
    ],
    [
        "a malformed hosted zone id",
        "prod",
        mutate("prod", "hangar:dns", ["hostedZoneId"], "zone-1"),
        "hangar:dns.hostedZoneId: expected a Route 53 hosted zone id",
    ],
    [
        "a migration without a command",
        "prod",
        mutate("prod", "hangar:app", ["services", 0, "migration", "command"], []),
        "hangar:app.services[0].migration.command: expected at least the executable",
    ],
    [
        "a migration of a built image",
        "prod",
        mutateAt(mutate("prod", "hangar:app", ["services", 0, "image"], undefined), ["hangar:app", "services", 0, "build"], {
            context: "./api",
        }),
        "hangar:app.services[0].migration: needs a pinned image",
    ],
    [
        "a restore test kept longer than AWS Backup allows",
        "prod",
        mutate("prod", "hangar:backups", ["restoreTesting"], { validationWindowHours: 200 }),
        "hangar:backups.restoreTesting.validationWindowHours: expected",
    ],
];

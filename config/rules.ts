/**
 * Rules that relate several keys, or depend on the environment. They read the
 * merged document defensively (it may be structurally invalid) so that they are
 * reported together with the schema's own errors, never instead of them.
 */
import { isPlainObject } from "./profiles";
import type { Environment } from "./schema";
import type { ConfigIssue } from "./parse";
import { compareQuantities, parseQuantity } from "../policies/rules/kubernetes/quantity";

type Doc = Record<string, unknown>;

function section(doc: Doc, ...path: string[]): Doc {
    let node: unknown = doc;
    for (const key of path) node = isPlainObject(node) ? node[key] : undefined;
    return isPlainObject(node) ? node : {};
}
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Parses `a.b.c.d/n` into a [network, mask] pair of 32-bit numbers, or undefined. */
export function parseCidr(text: string): [number, number] | undefined {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const bits = Number(match[5]);
    if (octets.some((o) => o > 255) || bits > 32) return undefined;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
    return [address - (address % 2 ** (32 - bits)), mask];
}

/** True when every address of `inner` lies inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    if (!o || !i) return false;
    const outerSize = 2 ** 32 - o[1];
    const innerSize = 2 ** 32 - i[1];
    return innerSize <= outerSize && i[0] >= o[0] && i[0] + innerSize <= o[0] + outerSize;
}

/** Gateway API listener hostname matching: `*.example.com` covers any name below example.com. */
export function hostMatches(listener: string, host: string): boolean {
    if (listener.startsWith("*.")) return host.endsWith(listener.slice(1)) && host.length > listener.length - 1;
    return listener === host;
}

/**
 * Per-environment minimums the stack file must meet: the same thresholds the
 * guardrails enforce (policies/config/<env>.json; a test keeps them equal), so
 * a mistake stops at parse time, not at the policy check.
 */
export const ENVIRONMENT_MINIMUMS: Record<Environment, { databaseBackupDays: number; cacheSnapshotDays: number; backupDailyDays: number; dumpBucketDays: number; forbiddenImageTags: string[] }> = {
    prod: { databaseBackupDays: 30, cacheSnapshotDays: 7, backupDailyDays: 35, dumpBucketDays: 2555, forbiddenImageTags: ["latest", "main", "master", "stable"] },
    staging: { databaseBackupDays: 7, cacheSnapshotDays: 3, backupDailyDays: 14, dumpBucketDays: 365, forbiddenImageTags: ["latest"] },
    ephemeral: { databaseBackupDays: 1, cacheSnapshotDays: 0, backupDailyDays: 1, dumpBucketDays: 1, forbiddenImageTags: ["latest"] },
};

export function crossFieldIssues(doc: Doc, environment: Environment): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const add = (path: string, message: string) => issues.push({ path: `hangar:${path}`, message });
    const minimums = ENVIRONMENT_MINIMUMS[environment];

    // ---- foundation
    const foundation = section(doc, "foundation");
    const network = foundation.network;
    if (foundation.stackReference === undefined) {
        if (network === undefined) add("foundation.network", "required unless foundation.stackReference supplies it");
        if (foundation.oidcProviderArn === undefined) add("foundation.oidcProviderArn", "required unless foundation.stackReference supplies it");
    }
    if (isPlainObject(network)) {
        const ids = network.privateSubnetIds;
        const cidrs = network.privateSubnetCidrs;
        if (Array.isArray(ids) && Array.isArray(cidrs) && ids.length !== cidrs.length) {
            add("foundation.network.privateSubnetCidrs", `expected one CIDR per subnet id (${ids.length} ids, ${cidrs.length} CIDRs)`);
        }
        const vpcCidr = str(network.vpcCidr);
        if (vpcCidr && parseCidr(vpcCidr) && Array.isArray(cidrs)) {
            cidrs.forEach((c, i) => {
                if (typeof c === "string" && parseCidr(c) && !cidrContains(vpcCidr, c)) {
                    add(`foundation.network.privateSubnetCidrs[${i}]`, `${c} is outside the VPC CIDR ${vpcCidr}`);
                }
            });
        }
        const ids2 = Array.isArray(ids) ? ids : [];
        const dup = ids2.find((id, i) => ids2.indexOf(id) !== i);
        if (dup !== undefined) add("foundation.network.privateSubnetIds", `lists ${JSON.stringify(dup)} twice`);
    }
    const accountId = str(section(doc, "foundation", "aws").accountId);
    const oidc = str(foundation.oidcProviderArn);
    const oidcAccount = oidc ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(oidc)?.[1] : undefined;
    if (accountId && oidcAccount && oidcAccount !== accountId) {
        add("foundation.oidcProviderArn", `belongs to account ${oidcAccount}, not foundation.aws.accountId ${accountId}`);
    }
    if (environment === "prod" && section(doc, "foundation", "kubernetes").server === undefined) {
        add("foundation.kubernetes.server", "required in prod: the API server URL the context must point at");
    }

    // ---- app
    const app = section(doc, "app");
    const gateway = section(doc, "app", "gateway");
    const services = Array.isArray(app.services) ? app.services : [];
    const names = services.map((s) => (isPlainObject(s) ? s.name : undefined));
    services.forEach((service, i) => {
        if (!isPlainObject(service)) return;
        const at = `app.services[${i}]`;
        const name = names[i];
        if (typeof name === "string" && names.indexOf(name) !== i) add(`${at}.name`, `duplicate service name "${name}"`);
        if ((service.image === undefined) === (service.build === undefined)) {
            add(`${at}.image`, "set exactly one of image (pinned by tag or digest) or build");
        }
        const tag = str(service.image)?.match(/:([\w][\w.-]*)$/)?.[1];
        if (tag && minimums.forbiddenImageTags.includes(tag)) add(`${at}.image`, `the tag :${tag} moves; ${environment} pins images by version tag or digest`);
        const host = str(service.host);
        if (service.public === true) {
            if (host === undefined) add(`${at}.host`, "required for a public service (TLS needs a hostname)");
            if (service.exposure === "ingress" && section(doc, "app", "ingress").className === undefined) {
                add("app.ingress.className", `required: ${at} is exposed through an Ingress`);
            }
            if (service.exposure === "gateway") {
                const listenerHost = str(gateway.hostname);
                if (gateway.hostname === undefined) add("app.gateway.hostname", `required: ${at} is exposed through the gateway`);
                else if (host && listenerHost && !hostMatches(listenerHost, host)) {
                    add(`${at}.host`, `${host} is not under the gateway listener's hostname ${listenerHost}`);
                }
            }
        }
        const replicas = section(service, "replicas");
        const min = num(replicas.min);
        const max = num(replicas.max);
        if (min !== undefined && max !== undefined && min > max) add(`${at}.replicas.max`, `must be at least replicas.min (${min})`);
        for (const kind of ["cpu", "memory"]) {
            const request = section(service, "resources", "requests")[kind];
            const limit = section(service, "resources", "limits")[kind];
            const r = typeof request === "string" ? parseQuantity(request) : undefined;
            const l = typeof limit === "string" ? parseQuantity(limit) : undefined;
            if (r !== undefined && l !== undefined && compareQuantities(r, l) > 0) add(`${at}.resources.requests.${kind}`, `${String(request)} exceeds the limit ${String(limit)}`);
        }
        const metricsPort = num(section(service, "metrics").port);
        if (metricsPort !== undefined && metricsPort === num(service.port)) add(`${at}.metrics.port`, "must differ from the service port");
        const env = isPlainObject(service.env) ? Object.keys(service.env) : [];
        (Array.isArray(service.secretEnv) ? service.secretEnv : []).forEach((e, j) => {
            if (isPlainObject(e) && typeof e.name === "string" && env.includes(e.name)) {
                add(`${at}.secretEnv[${j}].name`, `${e.name} is also set in env`);
            }
        });
    });

    // ---- database
    const db = section(doc, "database");
    const allocated = num(db.allocatedStorageGb);
    const maxAllocated = num(db.maxAllocatedStorageGb);
    if (allocated !== undefined && maxAllocated !== undefined && maxAllocated < allocated) {
        add("database.maxAllocatedStorageGb", `must be at least allocatedStorageGb (${allocated})`);
    }
    const replicas = num(db.replicas);
    const retention = num(db.backupRetentionDays);
    if (replicas !== undefined && replicas > 0 && retention === 0) {
        add("database.backupRetentionDays", "must be at least 1 when database.replicas > 0 (RDS replicas need automated backups on the source)");
    }
    if (environment === "prod") {
        if (db.multiAz === false) add("database.multiAz", "must be true in prod");
        if (replicas === 0) add("database.replicas", "prod needs at least 1 read replica");
        if (db.deletionProtection === false) add("database.deletionProtection", "must be true in prod");
        if (db.enabled === false) add("database.enabled", "prod runs with its database");
    }
    if (retention !== undefined && retention < minimums.databaseBackupDays && !(retention === 0 && db.enabled === false)) {
        add("database.backupRetentionDays", `${environment} keeps at least ${minimums.databaseBackupDays} days`);
    }

    // ---- cache
    const cache = section(doc, "cache");
    const nodes = num(cache.nodes);
    if (cache.multiAz === true && nodes !== undefined && nodes < 2) add("cache.nodes", "Multi-AZ needs at least 2 nodes");
    if (environment === "prod" && cache.multiAz === false) add("cache.multiAz", "must be true in prod");
    const snapshots = num(cache.snapshotRetentionDays);
    if (snapshots !== undefined && snapshots < minimums.cacheSnapshotDays) add("cache.snapshotRetentionDays", `${environment} keeps at least ${minimums.cacheSnapshotDays} days`);

    // ---- dr
    const dr = section(doc, "dr");
    const primaryRegion = str(section(doc, "foundation", "aws").region);
    if (dr.enabled === true) {
        if (dr.region === undefined) add("dr.region", "required when dr.enabled is true");
        if (dr.network === undefined) add("dr.network", "required when dr.enabled is true (the DR region's VPC and subnets)");
        if (section(doc, "database").enabled === false) add("dr.enabled", "the DR region replicates the database: database.enabled must be true");
    }
    if (typeof dr.region === "string" && dr.region === primaryRegion) {
        add("dr.region", `must differ from the primary region foundation.aws.region (${primaryRegion})`);
    }
    if (environment === "prod" && dr.enabled === false) add("dr.enabled", "must be true in prod");
    if (dr.promoted === true && dr.enabled !== true) add("dr.promoted", "only meaningful when dr.enabled is true");
    const drNetwork = section(doc, "dr", "network");
    if (Array.isArray(drNetwork.privateSubnetIds) && Array.isArray(drNetwork.privateSubnetCidrs) && drNetwork.privateSubnetIds.length !== drNetwork.privateSubnetCidrs.length) {
        add("dr.network.privateSubnetCidrs", "expected one CIDR per subnet id");
    }
    const zoneId = section(doc, "dns").hostedZoneId;
    if (dr.enabled === true && zoneId !== undefined) {
        const failover = dr.failover;
        if (failover === undefined) add("dr.failover", "required when dns.hostedZoneId is set and DR is on: failover records need the primary and DR hostnames");
        else if (isPlainObject(failover) && failover.primaryHostname === undefined) add("dr.failover.primaryHostname", "required: the health check targets the primary load balancer");
        const domain = str(section(doc, "dns").domain);
        const record = isPlainObject(failover) ? str(failover.recordName) : undefined;
        if (domain && record && record !== domain && !record.endsWith(`.${domain}`)) add("dr.failover.recordName", `${record} is not under dns.domain ${domain}`);
    }
    if (dr.failover !== undefined && zoneId === undefined) add("dns.hostedZoneId", "required when dr.failover is set");

    // ---- monitoring
    const monitoring = section(doc, "monitoring");
    if (monitoring.enabled === true && monitoring.mode === "chart") {
        if (environment === "prod" && monitoring.receiver === undefined) add("monitoring.receiver", "required in prod: Alertmanager needs an on-call receiver (its key by Secrets Manager ARN)");
        if (environment === "prod" && num(monitoring.alertmanagerReplicas) !== undefined && num(monitoring.alertmanagerReplicas)! < 2) {
            add("monitoring.alertmanagerReplicas", "prod runs at least 2");
        }
        if (monitoring.chartVersion !== undefined && monitoring.chartVersion !== "88.5.3") {
            // The values Hangar sets are checked against ../shared/charts/ for 88.5.3 only.
            add("monitoring.chartVersion", "Hangar's values are verified against kube-prometheus-stack 88.5.3; move the pin together with ../shared/charts");
        }
    }
    const receiver = section(doc, "monitoring", "receiver");
    if (receiver.type === "slack" && receiver.channel === undefined) add("monitoring.receiver.channel", "required for a slack receiver");

    // ---- backups
    const backups = section(doc, "backups");
    const dump = section(doc, "backups", "dump");
    if (backups.enabled === true) {
        if (section(doc, "database").enabled === false) add("backups.enabled", "backs up the database: database.enabled must be true");
        if (dump.enabled === true && dump.image === undefined) add("backups.dump.image", "required when backups.dump.enabled is true (sh, pg_dump, aws CLI v2, the RDS CA bundle)");
        const dbMajor = Number((str(section(doc, "database").engineVersion) ?? "").split(".")[0]);
        const client = num(dump.clientMajorVersion);
        if (dump.enabled === true && client !== undefined && Number.isFinite(dbMajor) && client < dbMajor) {
            add("backups.dump.clientMajorVersion", `pg_dump ${client} cannot dump PostgreSQL ${dbMajor}: use a ${dbMajor}+ client image`);
        }
        const daily = num(backups.dailyRetentionDays);
        if (daily !== undefined && daily < minimums.backupDailyDays) add("backups.dailyRetentionDays", `${environment} keeps dailies at least ${minimums.backupDailyDays} days`);
        const kept = num(section(doc, "backups", "bucket").expireAfterDays);
        if (kept !== undefined && kept < minimums.dumpBucketDays) add("backups.bucket.expireAfterDays", `${environment} keeps dumps at least ${minimums.dumpBucketDays} days`);
        if (environment === "prod") {
            const monthly = num(backups.monthlyRetentionMonths);
            if (monthly !== undefined && monthly < 12) add("backups.monthlyRetentionMonths", "prod keeps monthlies at least 12 months");
        }
    }
    if (environment === "prod" && backups.enabled === false) add("backups.enabled", "must be true in prod");
    const bucketLife = section(doc, "backups", "bucket");
    const archive = num(bucketLife.deepArchiveAfterDays);
    const expire = num(bucketLife.expireAfterDays);
    // Deep Archive bills 180 days minimum: expiring earlier than that after the transition wastes money.
    if (archive !== undefined && expire !== undefined && expire < archive + 180) {
        add("backups.bucket.expireAfterDays", `must be at least deepArchiveAfterDays + 180 (${archive + 180}): Deep Archive keeps objects 180 days minimum`);
    }

    // ---- dns
    const dns = section(doc, "dns");
    if (dns.hostedZoneId !== undefined && dns.domain === undefined) add("dns.domain", "required when dns.hostedZoneId is set");

    return issues;
}

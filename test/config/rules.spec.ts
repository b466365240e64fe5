/**
 * The cross-field rule tables, row by row: for every row, a document that
 * breaks that row and no other reports exactly that row's path and message;
 * and the real stack files break no row.
 */
import * as assert from "assert";
import { ENVIRONMENT_MINIMUMS, type Environment } from "../../config/environments";
import type { Doc } from "../../config/document";
import { mergedDocument } from "../../config/parse";
import { evaluate, singleRules } from "../../config/rule-table";
import { crossFieldIssues, RULE_TABLES } from "../../config/rules";
import { stackConfig } from "./cases";

type Base = "prod" | "staging" | "ephemeral";

/**
 * A real stack file merged as parseConfig merges it: prod, staging, or staging
 * as an ephemeral (per-branch) stack. A deep copy: the merge shares the
 * profiles' own objects wherever the stack file does not override them.
 */
function base(which: Base): { doc: Doc; environment: Environment } {
    const { merged, environment } = mergedDocument(
        stackConfig(which === "prod" ? "prod" : "staging"),
        which === "ephemeral" ? "pr-1" : which,
    );
    return { doc: structuredClone(merged), environment };
}

/** Sets (undefined: deletes) a dotted key path (`app.services.1.name`) of a document in place. */
function setPath(doc: Doc, path: string, value: unknown): void {
    const keys = path.split(".");
    let node = doc as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    const last = keys[keys.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
}

interface Example {
    base: Base;
    /** Dotted key paths set on the merged document (undefined deletes the key). */
    set: Record<string, unknown>;
    /** Checked under this environment instead of the document's own, for rows that prod's rules would otherwise mask. */
    environment?: Environment;
    path: string;
    message: string;
}

const PROD_ARN = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:hangar/slack-Xy12Ab";

/** One example per row of each table, in the table's order. */
const EXAMPLES: Record<string, Example[]> = {
    foundation: [
        {
            base: "prod",
            set: { "foundation.network": undefined },
            path: "foundation.network",
            message: "required unless foundation.stackReference supplies it",
        },
        {
            base: "prod",
            set: { "foundation.oidcProviderArn": undefined },
            path: "foundation.oidcProviderArn",
            message: "required unless foundation.stackReference supplies it",
        },
        {
            base: "prod",
            set: { "foundation.network.privateSubnetCidrs": ["10.40.0.0/19", "10.40.32.0/19"] },
            path: "foundation.network.privateSubnetCidrs",
            message: "expected one CIDR per subnet id (3 ids, 2 CIDRs)",
        },
        {
            base: "prod",
            set: { "foundation.network.privateSubnetCidrs.2": "10.99.0.0/19" },
            path: "foundation.network.privateSubnetCidrs[2]",
            message: "10.99.0.0/19 is outside the VPC CIDR 10.40.0.0/16",
        },
        {
            base: "prod",
            set: { "foundation.kubernetes.controlPlaneCidrs.1": "10.99.0.0/19" },
            path: "foundation.kubernetes.controlPlaneCidrs[1]",
            message: "10.99.0.0/19 is outside the VPC CIDR 10.40.0.0/16: EKS places its control-plane ENIs in the cluster's subnets",
        },
        {
            base: "prod",
            set: { "foundation.network.privateSubnetIds.2": "subnet-0a1b2c3d4e5f60001" },
            path: "foundation.network.privateSubnetIds",
            message: 'lists "subnet-0a1b2c3d4e5f60001" twice',
        },
        {
            base: "prod",
            set: { "foundation.oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X" },
            path: "foundation.oidcProviderArn",
            message: "belongs to account 123456789012, not foundation.aws.accountId 210987654321",
        },
        {
            base: "prod",
            set: { "foundation.kubernetes.server": undefined },
            path: "foundation.kubernetes.server",
            message: "required in prod: the API server URL the context must point at",
        },
    ],
    app: [
        { base: "prod", set: { "app.services.1.name": "api" }, path: "app.services[1].name", message: 'duplicate service name "api"' },
        {
            base: "prod",
            set: { "app.services.0.build": { context: "./api" } },
            path: "app.services[0].image",
            message: "set exactly one of image (pinned by tag or digest) or build",
        },
        {
            base: "prod",
            set: { "app.services.1.image": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/hangar/workers:main" },
            path: "app.services[1].image",
            message: "the tag :main moves; prod pins images by version tag or digest",
        },
        {
            base: "prod",
            set: { "app.services.0.host": undefined, "dr.failover.recordName": undefined },
            path: "app.services[0].host",
            message: "required for a public service (TLS needs a hostname)",
        },
        {
            base: "staging",
            set: { "app.ingress.className": undefined },
            path: "app.ingress.className",
            message: "required: app.services[0] is exposed through an Ingress",
        },
        {
            base: "prod",
            set: { "app.gateway.hostname": undefined },
            path: "app.gateway.hostname",
            message: "required: app.services[0] is exposed through the gateway",
        },
        {
            base: "prod",
            set: { "app.services.0.host": "api.example.com", "dr.failover.recordName": undefined },
            path: "app.services[0].host",
            message: "api.example.com is not under the gateway listener's hostname *.hangar.example.aero",
        },
        {
            base: "prod",
            set: { "app.services.1.replicas.min": 8 },
            path: "app.services[1].replicas.max",
            message: "must be at least replicas.min (8)",
        },
        {
            base: "prod",
            set: { "app.services.0.resources.limits.cpu": "250m" },
            path: "app.services[0].resources.requests.cpu",
            message: "500m exceeds the limit 250m",
        },
        {
            base: "prod",
            set: { "app.services.0.resources.requests.memory": "2Gi" },
            path: "app.services[0].resources.requests.memory",
            message: "2Gi exceeds the limit 1Gi",
        },
        {
            base: "prod",
            set: { "app.services.0.metrics.port": 8080 },
            path: "app.services[0].metrics.port",
            message: "must differ from the service port",
        },
        {
            base: "prod",
            set: {
                "app.services.0.canary.steps": [
                    { weight: 50, pauseSeconds: 60 },
                    { weight: 25, pauseSeconds: 60 },
                ],
            },
            path: "app.services[0].canary.steps",
            message: "weights must increase from one step to the next",
        },
        {
            base: "prod",
            set: {
                "app.services.0.secretEnv": [
                    { name: "API_TOKEN", secret: "api", key: "token" },
                    { name: "LOG_LEVEL", secret: "api", key: "level" },
                ],
            },
            path: "app.services[0].secretEnv[1].name",
            message: "LOG_LEVEL is also set in env",
        },
        {
            base: "prod",
            set: { "app.services.0.image": undefined, "app.services.0.build": { context: "./api" } },
            path: "app.services[0].migration",
            message: "needs a pinned image: the migration Job is named by the image reference's hash, unknown for a build",
        },
        {
            base: "prod",
            set: { "app.buckets.1": { name: "analysis-results", lifecycle: {}, replicate: false } },
            path: "app.buckets[1].name",
            message: 'duplicate bucket name "analysis-results"',
        },
        {
            base: "staging",
            set: { "app.buckets.0.replicate": true },
            path: "app.buckets[0].replicate",
            message: "replicates to the DR region: dr.enabled must be true",
        },
        {
            base: "prod",
            set: { "app.buckets.0.lifecycle.transition.afterDays": 20 },
            path: "app.buckets[0].lifecycle.transition.afterDays",
            message: "must be at least 30: S3 moves objects to STANDARD_IA only after 30 days",
        },
        {
            base: "prod",
            set: { "app.buckets.0.lifecycle.expireAfterDays": 90 },
            path: "app.buckets[0].lifecycle.expireAfterDays",
            message: "must be later than lifecycle.transition.afterDays (90)",
        },
        {
            base: "prod",
            set: { "app.services.1.buckets": ["results"] },
            path: "app.services[1].buckets[0]",
            message: '"results" is not a bucket of app.buckets (analysis-results)',
        },
    ],
    database: [
        {
            base: "prod",
            set: { "database.maxAllocatedStorageGb": 50 },
            path: "database.maxAllocatedStorageGb",
            message: "must be at least allocatedStorageGb (100)",
        },
        {
            base: "ephemeral",
            set: { "database.replicas": 1, "database.backupRetentionDays": 0, "database.enabled": false },
            path: "database.backupRetentionDays",
            message: "must be at least 1 when database.replicas > 0 (RDS replicas need automated backups on the source)",
        },
        { base: "prod", set: { "database.multiAz": false }, path: "database.multiAz", message: "must be true in prod" },
        { base: "prod", set: { "database.replicas": 0 }, path: "database.replicas", message: "prod needs at least 1 read replica" },
        {
            base: "prod",
            set: { "database.deletionProtection": false },
            path: "database.deletionProtection",
            message: "must be true in prod",
        },
        // DR and backups both need the database: without their switches only this row speaks.
        {
            base: "prod",
            set: { "database.enabled": false, "dr.enabled": undefined, "backups.enabled": undefined, "app.buckets.0.replicate": false },
            path: "database.enabled",
            message: "prod runs with its database",
        },
        {
            base: "prod",
            set: { "database.proxy.enabled": false },
            path: "database.proxy.enabled",
            message: "must be true in prod (the app connects through RDS Proxy)",
        },
        {
            base: "prod",
            set: { "database.rotation.enabled": false },
            path: "database.rotation.enabled",
            message: "must be true in prod (the master password rotates; Pulumi state must not keep a valid one)",
        },
        {
            base: "staging",
            set: { "database.rotation.schedule": "rate(0 days)" },
            path: "database.rotation.schedule",
            message: "rate(<n> days) takes 1 to 1000 days",
        },
        {
            base: "staging",
            set: { "database.proxy.maxConnectionsPercent": 40, "database.proxy.maxIdleConnectionsPercent": 41 },
            path: "database.proxy.maxIdleConnectionsPercent",
            message: "must be at most proxy.maxConnectionsPercent (40): RDS Proxy refuses more idle than open connections",
        },
        {
            base: "prod",
            set: { "database.backupRetentionDays": 14 },
            path: "database.backupRetentionDays",
            message: "prod keeps at least 30 days",
        },
    ],
    cache: [
        {
            base: "prod",
            set: { "cache.engine": "redis", "cache.engineVersion": "6.2" },
            path: "cache.engineVersion",
            message: "redis 6.2 is not supported: Hangar runs valkey 7 or 8, redis 7",
        },
        { base: "staging", set: { "cache.multiAz": true }, path: "cache.nodes", message: "Multi-AZ needs at least 2 nodes" },
        { base: "prod", set: { "cache.multiAz": false }, path: "cache.multiAz", message: "must be true in prod" },
        {
            base: "prod",
            set: { "cache.snapshotRetentionDays": 1 },
            path: "cache.snapshotRetentionDays",
            message: "prod keeps at least 7 days",
        },
    ],
    dr: [
        { base: "prod", set: { "dr.region": undefined }, path: "dr.region", message: "required when dr.enabled is true" },
        {
            base: "prod",
            set: { "dr.network": undefined },
            path: "dr.network",
            message: "required when dr.enabled is true (the DR region's VPC and subnets)",
        },
        {
            base: "prod",
            environment: "staging",
            set: { "database.enabled": false, "backups.enabled": undefined },
            path: "dr.enabled",
            message: "the DR region replicates the database: database.enabled must be true",
        },
        {
            base: "prod",
            set: { "dr.region": "eu-west-1" },
            path: "dr.region",
            message: "must differ from the primary region foundation.aws.region (eu-west-1)",
        },
        {
            base: "prod",
            set: { "dr.enabled": false, "app.buckets.0.replicate": false },
            path: "dr.enabled",
            message: "must be true in prod",
        },
        { base: "staging", set: { "dr.promoted": true }, path: "dr.promoted", message: "only meaningful when dr.enabled is true" },
        {
            base: "prod",
            set: { "dr.network.privateSubnetCidrs": ["10.41.0.0/19", "10.41.32.0/19", "10.41.64.0/19"] },
            path: "dr.network.privateSubnetCidrs",
            message: "expected one CIDR per subnet id",
        },
        {
            base: "prod",
            set: { "dr.failover": undefined },
            path: "dr.failover",
            message: "required when dns.hostedZoneId is set and DR is on: failover records need the primary and DR hostnames",
        },
        {
            base: "prod",
            set: { "dr.failover.primaryHostname": undefined },
            path: "dr.failover.primaryHostname",
            message: "required: the primary region's own name points at it, and the health check probes that name",
        },
        {
            base: "prod",
            set: { "dr.failover.recordName": "api.example.com" },
            path: "dr.failover.recordName",
            message: "api.example.com is not under dns.domain hangar.example.aero",
        },
        {
            base: "prod",
            set: { "dr.failover.recordName": "www.hangar.example.aero" },
            path: "dr.failover.recordName",
            message:
                "www.hangar.example.aero is not the host of a public service in app.services: the health check probes www-eu-west-1.hangar.example.aero, which that service's route must serve",
        },
        {
            base: "prod",
            set: { "app.gateway.hostname": "api.hangar.example.aero", "monitoring.grafanaHost": undefined },
            path: "dr.failover.recordName",
            message:
                "the primary region's own name api-eu-west-1.hangar.example.aero is not under the gateway listener's hostname api.hangar.example.aero: Route 53 could not reach it",
        },
        {
            base: "prod",
            set: { "dr.failover.secondary": "read-only" },
            path: "dr.failover.secondary",
            message:
                "read-only needs dr.pilotLight.enabled with replicas: 1 (the app serving reads against the unpromoted replica); otherwise the DR load balancer is a maintenance target",
        },
        { base: "prod", set: { "dns.hostedZoneId": undefined }, path: "dns.hostedZoneId", message: "required when dr.failover is set" },
    ],
    monitoring: [
        {
            base: "prod",
            set: { "monitoring.receiver": undefined },
            path: "monitoring.receiver",
            message: "required in prod: Alertmanager needs an on-call receiver (its key by Secrets Manager ARN)",
        },
        {
            base: "prod",
            set: { "monitoring.alertmanagerReplicas": 1 },
            path: "monitoring.alertmanagerReplicas",
            message: "prod runs at least 2",
        },
        {
            base: "prod",
            set: { "monitoring.chartVersion": "89.0.0" },
            path: "monitoring.chartVersion",
            message: "Hangar's values are verified against kube-prometheus-stack 88.5.3; move the pin together with ../shared/charts",
        },
        {
            base: "prod",
            set: { "monitoring.receiver": { type: "slack", secretArn: PROD_ARN } },
            path: "monitoring.receiver.channel",
            message: "required for a slack receiver",
        },
    ],
    backups: [
        {
            base: "prod",
            environment: "staging",
            set: { "database.enabled": false, "dr.enabled": undefined, "app.buckets.0.replicate": false },
            path: "backups.enabled",
            message: "backs up the database: database.enabled must be true",
        },
        {
            base: "prod",
            set: { "backups.dump.image": undefined },
            path: "backups.dump.image",
            message: "required when backups.dump.enabled is true (sh, pg_dump, aws CLI v2, the RDS CA bundle)",
        },
        {
            base: "prod",
            set: { "backups.dump.clientMajorVersion": 15 },
            path: "backups.dump.clientMajorVersion",
            message: "pg_dump 15 cannot dump PostgreSQL 16: use a 16+ client image",
        },
        {
            base: "prod",
            set: { "backups.dailyRetentionDays": 14 },
            path: "backups.dailyRetentionDays",
            message: "prod keeps dailies at least 35 days",
        },
        {
            base: "prod",
            set: { "backups.bucket.expireAfterDays": 730 },
            path: "backups.bucket.expireAfterDays",
            message: "prod keeps dumps at least 2555 days",
        },
        {
            base: "prod",
            set: { "backups.monthlyRetentionMonths": 3 },
            path: "backups.monthlyRetentionMonths",
            message: "prod keeps monthlies at least 12 months",
        },
        { base: "prod", set: { "backups.enabled": false }, path: "backups.enabled", message: "must be true in prod" },
        {
            base: "prod",
            set: { "backups.bucket.deepArchiveAfterDays": 2500 },
            path: "backups.bucket.expireAfterDays",
            message: "must be at least deepArchiveAfterDays + 180 (2680): Deep Archive keeps objects 180 days minimum",
        },
    ],
    dns: [
        {
            base: "staging",
            set: { "dns.hostedZoneId": "Z0123456789ABCDEFGHIJ" },
            path: "dns.domain",
            message: "required when dns.hostedZoneId is set",
        },
    ],
    externalSecrets: [
        {
            base: "prod",
            set: { "externalSecrets.refreshInterval": "0s" },
            path: "externalSecrets.refreshInterval",
            message: "must be longer than zero: 0 makes ESO read the secret once and never again, so a rotation never reaches the pods",
        },
    ],
};

describe("the cross-field rule tables", () => {
    it("are evaluated for every section, in the order their issues have always been reported", () => {
        assert.deepStrictEqual(Object.keys(RULE_TABLES), [
            "foundation",
            "app",
            "database",
            "cache",
            "dr",
            "monitoring",
            "backups",
            "dns",
            "externalSecrets",
        ]);
    });

    for (const [section, table] of Object.entries(RULE_TABLES)) {
        describe(`${section} rules`, () => {
            const rules = singleRules(table);
            const examples = EXAMPLES[section];

            it("have one example per row", () =>
                assert.strictEqual(examples.length, rules.length, `${rules.length} rows, ${examples.length} examples`));

            examples.forEach((example, row) => {
                it(`row ${row}: ${example.path}: ${example.message}`, () => {
                    const { doc, environment: own } = base(example.base);
                    for (const [path, value] of Object.entries(example.set)) setPath(doc, path, value);
                    const environment = example.environment ?? own;
                    const expected = [{ path: `hangar:${example.path}`, message: example.message }];
                    assert.deepStrictEqual(crossFieldIssues(doc, environment), expected, "the document breaks this row and no other");
                    const scope = { doc, environment, minimums: ENVIRONMENT_MINIMUMS[environment] };
                    assert.deepStrictEqual(
                        evaluate(rules[row].table, scope),
                        expected,
                        `row ${row} of the ${section} table is the one that reports it`,
                    );
                });
            });
        });
    }

    describe("the real stack files break no row", () => {
        for (const which of ["prod", "staging", "ephemeral"] as const) {
            it(`${which === "ephemeral" ? "Pulumi.staging.yaml as an ephemeral stack" : `Pulumi.${which}.yaml`}`, () => {
                const { doc, environment } = base(which);
                const scope = { doc, environment, minimums: ENVIRONMENT_MINIMUMS[environment] };
                const broken = Object.entries(RULE_TABLES).flatMap(([section, table]) =>
                    singleRules(table).flatMap(({ table: one }, row) =>
                        evaluate(one, scope).map((issue) => `${section} row ${row}: ${issue.path}: ${issue.message}`),
                    ),
                );
                assert.deepStrictEqual(broken, []);
            });
        }
    });
});

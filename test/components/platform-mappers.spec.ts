import * as assert from "assert";
import * as path from "path";
import { POSTGRES_DEFAULTS } from "../../components/data/postgres";
import { REDIS_DEFAULTS } from "../../components/data/redis";
import { PLATFORM_DEFAULTS, PlatformArgs } from "../../components/platform/args";
import {
    appTierArgs,
    backupsArgs,
    CACHE_IDENTIFIER_LENGTH,
    cacheArgs,
    DATA_SECRET,
    databaseArgs,
    DatabaseHandles,
    disasterRecoveryArgs,
    monitoringArgs,
} from "../../components/platform/mappers";
import { parseConfig, readStackConfig, toPlatformArgs } from "../../config";

const ROOT = path.resolve(__dirname, "..", "..");
const platformArgsOf = (stack: string): PlatformArgs => {
    const parsed = parseConfig(readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)), stack);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return toPlatformArgs(parsed.config, "kubeconfig");
};
const placement = { environment: "prod", vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], allowedCidrs: ["10.0.0.0/19"] };
const db: DatabaseHandles = {
    identifier: "hangar-prod",
    primaryArn: "arn:aws:rds:eu-west-1:123456789012:db:hangar-prod",
    replicaIdentifiers: ["hangar-prod-replica-1"],
    address: "writer.example",
    port: 5432,
    databaseName: "hangar",
    username: "hangar_admin",
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/db",
};
const monitoringPlacement = { controlPlaneCidrs: ["10.0.0.0/19"], privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"] };
const cache = { identifier: "hangar-prod", address: "cache.example", port: 6379 };
/** App-tier credentials whose target template has these keys. */
const credentialsFor = (template: Record<string, string>) => ({
    storeName: "app-credentials",
    oidcProviderArn: "arn:oidc",
    region: "eu-west-1",
    refreshInterval: "15m",
    secrets: [],
    targets: [{ target: DATA_SECRET, data: [], template }],
});
const minimal = (extra: Partial<PlatformArgs> = {}): PlatformArgs => ({
    environment: "prod",
    aws: { accountId: "123456789012", region: "eu-west-1" },
    kubernetes: { kubeconfig: "", context: "c" },
    ...extra,
});

describe("Platform's argument mappers", () => {
    it("hand the database its settings and placement, without Platform's own switches", () => {
        const args = databaseArgs(
            minimal({ database: { enabled: true, clientSslMode: "require", instanceClass: "db.r7g.xlarge" } }),
            placement,
            "prod",
        );
        assert.strictEqual(args.instanceClass, "db.r7g.xlarge");
        assert.strictEqual(args.identifier, "hangar-prod");
        assert.deepStrictEqual(args.subnetIds, placement.subnetIds);
        assert.ok(!("enabled" in args) && !("clientSslMode" in args));
    });

    it("hand the database its RDS Proxy settings as the stack file gives them, and alarm on a proxy the database has", () => {
        const proxy = {
            enabled: true,
            maxConnectionsPercent: 70,
            maxIdleConnectionsPercent: 20,
            connectionBorrowTimeout: 30,
            idleClientTimeout: 600,
        };
        assert.deepStrictEqual(databaseArgs(minimal({ database: { proxy } }), placement, "prod").proxy, proxy);
        const alarms = monitoringArgs(
            minimal({ monitoring: { enabled: true } }),
            { ...db, proxyName: "hangar-prod" },
            cache,
            monitoringPlacement,
        ).cloudwatch?.rds;
        assert.deepStrictEqual(alarms?.proxyNames, ["hangar-prod"]);
    });

    it("name the cache within ElastiCache's 40 characters", () => {
        const args = cacheArgs(minimal(), placement, `feature-${"x".repeat(60)}`);
        assert.ok(args.identifier.length <= CACHE_IDENTIFIER_LENGTH, args.identifier);
    });

    it("point Monitoring's exporters and alarms at the data tier, with the cache's documented node count by default", () => {
        const args = monitoringArgs(
            minimal({ monitoring: { enabled: true, namespace: "obs", alarmSubscriptions: [{ protocol: "email", endpoint: "a@b.c" }] } }),
            db,
            cache,
            monitoringPlacement,
        );
        assert.strictEqual(args.namespace, "obs");
        assert.ok(!("enabled" in args) && !("alarmSubscriptions" in args));
        assert.strictEqual(args.postgres?.host, "writer.example");
        assert.deepStrictEqual(args.redis, { host: "cache.example", port: 6379 }, "the token reaches the exporter at run time");
        assert.deepStrictEqual(args.cloudwatch?.rds, { instanceIds: ["hangar-prod"], replicaIds: ["hangar-prod-replica-1"] });
        assert.strictEqual(args.cloudwatch?.elasticache?.nodeCount, REDIS_DEFAULTS.nodes);
        assert.deepStrictEqual(args.cloudwatch?.subscriptions, [{ protocol: "email", endpoint: "a@b.c" }]);
    });

    it("tell Monitoring how many replicas stream from the writer: the in-region ones and the DR region's until it is promoted", () => {
        const dr = { enabled: true, region: "eu-central-1", network: { vpcId: "v", privateSubnetIds: ["a", "b"], privateSubnetCidrs: [] } };
        assert.strictEqual(monitoringArgs(minimal(), db, cache, monitoringPlacement).postgres?.replicas, 1);
        assert.strictEqual(monitoringArgs(minimal({ dr }), db, cache, monitoringPlacement).postgres?.replicas, 2);
        assert.strictEqual(
            monitoringArgs(minimal({ dr: { ...dr, promoted: true } }), db, cache, monitoringPlacement).postgres?.replicas,
            1,
        );
        assert.strictEqual(
            monitoringArgs(minimal({ dr }), { ...db, replicaIdentifiers: [] }, cache, monitoringPlacement).postgres?.replicas,
            1,
        );
        assert.strictEqual(
            monitoringArgs(platformArgsOf("prod"), db, cache, monitoringPlacement).postgres?.replicas,
            2,
            "prod: its DR replica besides db's",
        );
    });

    it("give the exporter its own login, made with the master credentials (read at run time), its secret under the data tier's key", () => {
        const args = monitoringArgs(minimal({ monitoring: { enabled: true } }), db, cache, monitoringPlacement);
        assert.strictEqual(args.postgres?.username, undefined, "never the master user");
        assert.deepStrictEqual(args.postgres?.login, {
            kmsKeyArn: db.kmsKeyArn,
            secretName: "hangar-prod/postgres/monitor",
        });
        const image = "registry.example/pg-dump:16.4-2";
        const withDump = monitoringArgs(minimal({ backups: { dump: { image } } }), db, cache, monitoringPlacement);
        assert.strictEqual(withDump.postgres?.login?.image, image, "the dump image: a PostgreSQL client with the RDS CA bundle");
    });

    it("place the monitoring namespace's policies: control plane, nodes and data tier, Grafana's traffic like the app's", () => {
        const args = monitoringArgs(minimal({ monitoring: { enabled: true } }), db, cache, monitoringPlacement);
        assert.deepStrictEqual(args.network?.controlPlaneCidrs, ["10.0.0.0/19"]);
        assert.deepStrictEqual(args.network?.dataCidrs, monitoringPlacement.privateSubnetCidrs);
        assert.deepStrictEqual(args.network?.grafanaFrom, { namespace: "gateway-system" });
        const vpc = monitoringArgs(minimal(), db, cache, { ...monitoringPlacement, trafficCidrs: ["10.0.0.0/16"] });
        assert.deepStrictEqual(vpc.network?.grafanaFrom, { cidrs: ["10.0.0.0/16"] });
    });

    it("give Monitoring no exporter and no alarm for a data store the platform does not have", () => {
        const args = monitoringArgs(minimal({ monitoring: { enabled: true } }), undefined, undefined, monitoringPlacement);
        assert.strictEqual(args.postgres, undefined);
        assert.strictEqual(args.redis, undefined);
        assert.strictEqual(args.cloudwatch?.rds, undefined);
    });

    it("shape the DR replica like the primary and fail over only with a hosted zone", () => {
        const dr = {
            enabled: true,
            region: "eu-central-1",
            network: { vpcId: "vpc-2", privateSubnetIds: ["s1", "s2"], privateSubnetCidrs: ["10.1.0.0/19", "10.1.32.0/19"] },
        };
        const failover = { recordName: "api.example.aero", primaryHostname: "p.elb", secondaryHostname: "s.elb" };
        const withoutZone = disasterRecoveryArgs(
            minimal({ database: { engineVersion: "15.7", instanceClass: "db.r7g.large" } }),
            { ...dr, failover },
            "prod",
            db,
        );
        assert.strictEqual(withoutZone.engineMajorVersion, "15");
        assert.strictEqual(withoutZone.instanceClass, "db.r7g.large");
        assert.strictEqual(withoutZone.accountId, "123456789012");
        assert.strictEqual(withoutZone.failover, undefined);
        const withZone = disasterRecoveryArgs(minimal({ dns: { hostedZoneId: "Z1" } }), { ...dr, failover }, "prod", db);
        assert.strictEqual(withZone.engineMajorVersion, POSTGRES_DEFAULTS.engineVersion.split(".")[0]);
        assert.deepStrictEqual(withZone.failover, { ...failover, hostedZoneId: "Z1", healthCheckHost: "api-eu-west-1.example.aero" });
    });

    it("create the dump job only when it is enabled, has an image and an app tier to run in", () => {
        const dumpPlacement = { namespace: "hangar", oidcProviderArn: "arn:oidc", databaseCidrs: ["10.0.0.0/19"] };
        const on = { enabled: true, dump: { enabled: true, image: "registry/pg:16", schedule: "0 1 * * *" } };
        const args = backupsArgs(minimal({ backups: on }), "prod", db, undefined, dumpPlacement);
        assert.strictEqual(args.dump?.host, "writer.example");
        assert.strictEqual(args.dump?.schedule, "0 1 * * *");
        assert.strictEqual(args.dump?.namespace, "hangar");
        assert.strictEqual(backupsArgs(minimal({ backups: on }), "prod", db, undefined, undefined).dump, undefined);
        assert.strictEqual(
            backupsArgs(minimal({ backups: { enabled: true, dump: { enabled: true } } }), "prod", db, undefined, dumpPlacement).dump,
            undefined,
        );
        assert.strictEqual(backupsArgs(minimal({ backups: { enabled: true } }), "prod", db, undefined, dumpPlacement).dump, undefined);
        assert.strictEqual(PLATFORM_DEFAULTS.backups.dump.enabled, false);
    });

    it("copy and replicate backups to the DR targets when there are any", () => {
        const targets = { vaultArn: "arn:vault", bucketArn: "arn:bucket", kmsKeyArn: "arn:key" };
        const args = backupsArgs(minimal({ backups: { enabled: true, dailyRetentionDays: 40 } }), "prod", db, targets, undefined);
        assert.strictEqual(args.copyToVaultArn, "arn:vault");
        assert.deepStrictEqual(args.replicateTo, { bucketArn: "arn:bucket", kmsKeyArn: "arn:key" });
        assert.strictEqual(args.dailyRetentionDays, 40);
        assert.strictEqual(backupsArgs(minimal({ backups: { enabled: true } }), "prod", db, undefined, undefined).replicateTo, undefined);
    });

    it("hand every service the data tier's URLs from one Secret, and egress only to the stores that exist", () => {
        const app = {
            services: [{ name: "api", image: "r/api:1", port: 8080, secretEnv: [{ name: "TOKEN", secret: "t", key: "k" }] }],
            trafficNamespace: "edge",
        };
        const credentials = credentialsFor({ DATABASE_URL: "postgresql://…", DATABASE_READ_URL: "postgresql://…" });
        const args = appTierArgs(minimal({ app }), { credentials, oidcProviderArn: "arn:oidc", dataCidrs: ["10.0.0.0/19"] });
        assert.deepStrictEqual(
            args.services[0].secretEnv?.map((e) => e.name),
            ["DATABASE_URL", "DATABASE_READ_URL", "TOKEN"],
        );
        assert.ok(args.services[0].secretEnv!.slice(0, 2).every((e) => e.secret === DATA_SECRET));
        assert.strictEqual(DATA_SECRET, "data-tier-credentials", "a new name: Pulumi deletes the old `data-tier` Secret last");
        assert.strictEqual(args.credentials, credentials);
        assert.strictEqual(args.secrets, undefined, "no Secret of Pulumi's carries a URL");
        assert.deepStrictEqual(
            args.network?.dataEgress?.map((d) => d.port),
            [5432],
        );
        assert.strictEqual(args.network?.trafficNamespace, "edge");
        assert.strictEqual(args.services[0].replicas, undefined);
        assert.ok(!("trafficSource" in args) && !("trafficNamespace" in args));
    });

    it("run the pilot light at a fixed size, without ServiceMonitors", () => {
        const app = { services: [{ name: "api", image: "r/api:1", port: 8080, replicas: { min: 3, max: 10 } }] };
        const args = appTierArgs(minimal({ app }), { oidcProviderArn: "arn:dr-oidc", dataCidrs: [], fixedReplicas: 0 });
        assert.deepStrictEqual(args.services[0].replicas, { min: 0, max: 0 });
        assert.strictEqual(args.serviceMonitorLabels, undefined);
        assert.strictEqual(args.credentials, undefined);
    });
});

describe("toPlatformArgs maps each stack-file key once, to the component's shape", () => {
    for (const stack of ["prod", "staging"]) {
        it(`${stack}: monitoring settings land where Monitoring reads them`, () => {
            const parsed = parseConfig(readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)), stack);
            assert.ok(parsed.ok);
            const config = parsed.config;
            const m = platformArgsOf(stack).monitoring!;
            assert.strictEqual(m.app?.requestsMetric, config.monitoring.metrics.requests);
            assert.strictEqual(m.app?.durationBucketMetric, config.monitoring.metrics.durationBuckets);
            assert.strictEqual(m.app?.statusLabel, config.monitoring.metrics.statusLabel);
            assert.strictEqual(m.prometheus?.replicas, config.monitoring.prometheusReplicas);
            assert.strictEqual(m.alertmanager?.replicas, config.monitoring.alertmanagerReplicas);
            assert.strictEqual(m.grafana?.host, config.monitoring.grafanaHost);
        });
        it(`${stack}: backups settings land where Backups reads them`, () => {
            const parsed = parseConfig(readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)), stack);
            assert.ok(parsed.ok);
            const b = platformArgsOf(stack).backups!;
            assert.strictEqual(b.vaultLock, parsed.config.backups.vaultLock.enabled);
            assert.deepStrictEqual(b.bucketRetention, parsed.config.backups.bucket);
            assert.strictEqual(b.dump?.image, parsed.config.backups.dump.image);
        });
    }
});

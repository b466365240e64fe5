/**
 * The AWS wiring defects of the real-world review, each as a property of the
 * real stacks' snapshots (issue 15). Every test here failed on the code before
 * its fix.
 */
import * as assert from "assert";
import * as path from "path";
import { DR_KUBECONFIG_ARN, drKubeconfig, PILOT_LIGHT, prodWith } from "./dr-fixtures";
import { byType, reveal, ROOT, runStack, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const RDS = "aws:rds/instance:Instance";
const awsProvider = (s: Snapshot, suffix: string) =>
    byType(s, "pulumi:providers:aws").find((p) => p.name.endsWith(suffix)) as SnapshotResource;
const drReplica = (s: Snapshot) => byType(s, RDS).find((r) => r.name === "hangar-dr-replica") as SnapshotResource;
const primary = (s: Snapshot) => byType(s, RDS).find((r) => r.name === "hangar-db") as SnapshotResource;
const served = (s: Snapshot) =>
    new Set([
        ...byType(s, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").flatMap((r) => (reveal(r.inputs.spec) as Any).hostnames ?? []),
        ...byType(s, "kubernetes:networking.k8s.io/v1:Ingress").flatMap((r) =>
            ((reveal(r.inputs.spec) as Any).rules ?? []).map((x: Any) => x.host),
        ),
    ]);

describe("AWS wiring in prod (issue 15)", () => {
    let s: Snapshot;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
    });

    it("1. health-checks a host some route of the stack serves, which a plain record points at the primary load balancer", () => {
        const checks = byType(s, "aws:route53/healthCheck:HealthCheck");
        assert.ok(checks.length > 0);
        const hosts = served(s);
        for (const c of checks) {
            assert.ok(
                hosts.has(c.inputs.fqdn),
                `${c.inputs.fqdn} is probed, but no route or ingress serves it (serves: ${[...hosts].join(", ")})`,
            );
            assert.strictEqual(c.inputs.enableSni, true);
            const record = byType(s, "aws:route53/record:Record").find((r) => r.inputs.name === c.inputs.fqdn);
            assert.ok(record, `no record resolves ${c.inputs.fqdn}`);
            assert.deepStrictEqual(record.inputs.records, ["k8s-gateway-public-1a2b3c4d5e.elb.eu-west-1.amazonaws.com"]);
        }
    });

    it("2. sets up S3 replication after the versioning of both the source and the destination bucket", () => {
        const [replication] = byType(s, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
        const versionings = byType(s, "aws:s3/bucketVersioning:BucketVersioning");
        const source = versionings.find((v) => v.name === "hangar-backups-dumps") as SnapshotResource;
        const destination = versionings.find((v) => v.name === "hangar-dr-dumps") as SnapshotResource;
        assert.ok(replication.options.dependencies.includes(source.urn), "ordered after the source's versioning");
        assert.ok(replication.options.dependencies.includes(destination.urn), "ordered after the destination's versioning");
    });

    it("3. lets the DR replica be deleted or replaced while it is a replica: no final snapshot", () => {
        const r = drReplica(s);
        assert.ok(r.inputs.replicateSourceDb);
        assert.strictEqual(r.inputs.skipFinalSnapshot, true);
        assert.strictEqual(r.inputs.finalSnapshotIdentifier, undefined);
    });

    it("4. sends rds.force_ssl (at its engine default) as pending-reboot, in both regions' parameter groups", () => {
        const groups = byType(s, "aws:rds/parameterGroup:ParameterGroup");
        assert.strictEqual(groups.length, 2);
        for (const g of groups) {
            const ssl = (g.inputs.parameters as Any[]).find((p) => p.name === "rds.force_ssl");
            assert.deepStrictEqual([ssl.value, ssl.applyMethod], ["1", "pending-reboot"], g.name);
        }
    });

    it("5. lets every replica, the cross-region one included, grow like the primary", () => {
        for (const r of byType(s, RDS).filter((x) => x.inputs.replicateSourceDb !== undefined)) {
            assert.strictEqual(r.inputs.maxAllocatedStorage, primary(s).inputs.maxAllocatedStorage, r.name);
            assert.strictEqual(r.inputs.storageType, primary(s).inputs.storageType, r.name);
        }
    });

    it("8. names the final snapshot per creation and keeps automated backups after deletion", () => {
        const p = primary(s);
        const suffix = byType(s, "random:index/randomId:RandomId").find((r) => r.name === "hangar-db-final-snapshot");
        assert.ok(suffix, "a random suffix kept in state");
        assert.ok(p.options.propertyDependencies.finalSnapshotIdentifier?.includes(suffix.urn));
        assert.match(String(p.inputs.finalSnapshotIdentifier), /^hangar-prod-final-[0-9a-f]{8}$/);
        assert.strictEqual(p.inputs.deleteAutomatedBackups, false);
    });

    it("9. alarms on the DR replica in its own region, to an encrypted topic there", () => {
        const drAws = awsProvider(s, "-aws-dr");
        const alarms = byType(s, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
            (a) => (a.inputs.dimensions as Any)?.DBInstanceIdentifier === "hangar-prod-dr",
        );
        assert.deepStrictEqual(alarms.map((a) => a.inputs.metricName).sort(), ["CPUUtilization", "FreeStorageSpace", "ReplicaLag"]);
        const topics = byType(s, "aws:sns/topic:Topic");
        for (const alarm of alarms) {
            assert.strictEqual(alarm.provider, drAws.urn, "in the DR region");
            const topic = topics.find((t) => alarm.options.propertyDependencies.alarmActions?.includes(t.urn)) as SnapshotResource;
            assert.ok(topic, "notifies a topic of the stack");
            assert.strictEqual(topic.provider, drAws.urn, "a topic in the same region");
            const key = byType(s, "aws:kms/key:Key").find((k) =>
                topic.options.propertyDependencies.kmsMasterKeyId?.includes(k.urn),
            ) as SnapshotResource;
            assert.ok(key && key.provider === drAws.urn, "encrypted with a DR-region key");
            assert.strictEqual(key.options.protect, true);
        }
    });

    it("10. manages the log groups RDS exports to, with a retention and the database's key, before the database writes to them", () => {
        const groups = byType(s, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepStrictEqual(groups.map((g) => g.inputs.name).sort(), [
            "/aws/rds/instance/hangar-prod/postgresql",
            "/aws/rds/instance/hangar-prod/upgrade",
        ]);
        const key = byType(s, "aws:kms/key:Key").find((k) => k.name === "hangar-db-kms") as SnapshotResource;
        for (const g of groups) {
            assert.strictEqual(g.inputs.retentionInDays, 365);
            assert.ok(g.options.propertyDependencies.kmsKeyId?.includes(key.urn), "encrypted with the database's key");
            assert.ok(primary(s).options.dependencies.includes(g.urn), "exists before RDS would create it");
        }
        const statements = JSON.parse(String(key.inputs.policy)).Statement as Any[];
        const logs = statements.find((x) => x.Principal?.Service === "logs.eu-west-1.amazonaws.com");
        assert.ok(logs, "the key policy lets CloudWatch Logs use the key");
        assert.strictEqual(
            logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"],
            "arn:aws:logs:eu-west-1:210987654321:log-group:/aws/rds/instance/hangar-prod/*",
        );
        assert.ok(
            statements.some((x) => x.Principal?.AWS === "arn:aws:iam::210987654321:root" && x.Action === "kms:*"),
            "the account keeps administering it",
        );
    });

    it("11. lets each AWS service assume its role only for this account, and RDS monitoring only for this database", () => {
        const roles = byType(s, "aws:iam/role:Role").filter((r) => JSON.stringify(r.inputs.assumeRolePolicy).includes('\\"Service\\"'));
        assert.ok(roles.length >= 3);
        for (const role of roles) {
            const [statement] = JSON.parse(String(reveal(role.inputs.assumeRolePolicy))).Statement;
            assert.strictEqual(statement.Condition?.StringEquals?.["aws:SourceAccount"], "210987654321", role.name);
        }
        const monitoring = roles.find((r) => r.name === "hangar-db-monitoring") as SnapshotResource;
        const [statement] = JSON.parse(String(monitoring.inputs.assumeRolePolicy)).Statement;
        assert.strictEqual(statement.Condition.ArnLike["aws:SourceArn"], "arn:aws:rds:eu-west-1:210987654321:db:hangar-prod*");
    });

    it("13. locks the DR vault like the primary vault", () => {
        const drAws = awsProvider(s, "-aws-dr");
        const locks = byType(s, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
        const primaryLock = locks.find((l) => l.provider !== drAws.urn) as SnapshotResource;
        const drLock = locks.find((l) => l.provider === drAws.urn);
        assert.ok(drLock, "the DR vault has a Vault Lock");
        assert.strictEqual(drLock.inputs.minRetentionDays, primaryLock.inputs.minRetentionDays);
    });
});

describe("the DR parameter group after promotion behaves like the primary's (issue 15, item 7)", () => {
    it("carries the configured slow-query threshold", async () => {
        const s = await runStack("prod", { kubeconfig: laptop, config: prodWith("database", { logMinDurationMs: 250 }) });
        assert.strictEqual(s.error, undefined, s.error?.message);
        const [first, second] = byType(s, "aws:rds/parameterGroup:ParameterGroup").map((g) => g.inputs.parameters);
        assert.deepStrictEqual(second, first);
        assert.ok((first as Any[]).some((p) => p.name === "log_min_duration_statement" && p.value === "250"));
    });
});

describe("after a failover with the primary region down (issue 15, items 3 and 14)", () => {
    let s: Snapshot;
    before(async () => {
        const config = prodWith("dr", { promoted: true, pilotLight: { ...PILOT_LIGHT, replicas: 1 } });
        s = await runStack("prod", { kubeconfig: laptop, config, secrets: { [DR_KUBECONFIG_ARN]: drKubeconfig() } });
        assert.strictEqual(s.error, undefined, s.error?.message);
    });

    it("asks STS in the DR region for the primary provider's account check", () => {
        assert.strictEqual(awsProvider(s, "-aws").inputs.stsRegion, "eu-central-1");
    });

    it("takes a final snapshot of the promoted instance, like the primary", () => {
        const r = drReplica(s);
        assert.strictEqual(r.inputs.skipFinalSnapshot, false);
        assert.match(String(r.inputs.finalSnapshotIdentifier), /^hangar-prod-dr-final-[0-9a-f]{8}$/);
    });

    it("has no DR-side input or invoke that waits on the primary region", () => {
        const primaryAws = awsProvider(s, "-aws").urn;
        const byUrn = new Map(s.resources.map((r) => [r.urn, r]));
        const drSide = s.resources.filter((r) => r.provider && r.provider !== primaryAws && byUrn.get(r.provider)?.name.endsWith("-dr"));
        assert.ok(drSide.length > 10);
        for (const r of drSide) {
            const upstream = [...r.options.dependencies, ...Object.values(r.options.propertyDependencies).flat()];
            const primarySide = upstream.filter((u) => byUrn.get(u)?.provider === primaryAws);
            assert.deepStrictEqual(primarySide, [], `${r.name} depends on the primary region`);
        }
        const drAws = awsProvider(s, "-aws-dr").urn;
        for (const i of s.invokes.filter((x) => x.provider && x.provider !== primaryAws)) assert.strictEqual(i.provider, drAws);
    });
});

describe("adopting the log groups RDS created for an existing database (issue 15, item 10)", () => {
    it("imports them as they are, once", async () => {
        const s = await runStack("prod", { kubeconfig: laptop, config: prodWith("database", { adoptLogGroups: true }) });
        assert.strictEqual(s.error, undefined, s.error?.message);
        for (const g of byType(s, "aws:cloudwatch/logGroup:LogGroup")) {
            assert.strictEqual(g.options.importId, g.inputs.name);
            assert.strictEqual(g.inputs.retentionInDays, undefined, "RDS created it without retention: import what is there");
        }
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DR_KUBECONFIG_ARN, DR_SERVER, drKubeconfig, PILOT_LIGHT, prodWith } from "./dr-fixtures";
import { byType, reveal, ROOT, runStack, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const RDS = "aws:rds/instance:Instance";
const BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
const drProviderOf = (s: Snapshot) => byType(s, "pulumi:providers:aws").find((p) => p.name.endsWith("-aws-dr"));
const drReplicaOf = (s: Snapshot) => byType(s, RDS).find((r) => r.name === "hangar-dr-replica") as SnapshotResource;
const primaryOf = (s: Snapshot) => byType(s, RDS).find((r) => r.name === "hangar-db") as SnapshotResource;

const prodWithDr = (change: Record<string, unknown>) => prodWith("dr", change);

describe("DisasterRecovery in prod", () => {
    let s: Snapshot;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
    });

    it("has its own AWS provider in the DR region, pinned to the account", () => {
        const provider = drProviderOf(s);
        assert.ok(provider);
        assert.strictEqual(provider.inputs.region, "eu-central-1");
        assert.deepStrictEqual(JSON.parse(String(provider.inputs.allowedAccountIds)), ["210987654321"]);
    });

    it("replicates the primary across regions, encrypted with a DR-region key", () => {
        const replica = drReplicaOf(s);
        const drKey = byType(s, "aws:kms/key:Key").find((k) => k.provider === drProviderOf(s)!.urn) as SnapshotResource;
        assert.strictEqual(replica.provider, drProviderOf(s)!.urn);
        assert.strictEqual(replica.inputs.replicateSourceDb, "arn:aws:rds:eu-west-1:210987654321:db:hangar-prod");
        assert.strictEqual(replica.inputs.storageEncrypted, true);
        assert.match(String(replica.inputs.kmsKeyId), /^arn:aws:kms:eu-central-1:/);
        assert.ok(replica.options.propertyDependencies.kmsKeyId.includes(drKey.urn), "kmsKeyId comes from the DR key");
        assert.strictEqual(replica.options.protect, true);
        const group = byType(s, "aws:rds/parameterGroup:ParameterGroup").find(
            (g) => g.provider === drProviderOf(s)!.urn,
        ) as SnapshotResource;
        assert.strictEqual(replica.inputs.parameterGroupName, group.inputs.name, "its own DR-region parameter group");
        assert.ok((group.inputs.parameters as Any[]).some((p) => p.name === "rds.force_ssl" && p.value === "1"));
    });

    it("replicates automated backups into the DR region with the DR key", () => {
        const [replication] = byType(s, BACKUP_REPLICATION);
        assert.strictEqual(replication.provider, drProviderOf(s)!.urn);
        assert.match(String(replication.inputs.kmsKeyId), /^arn:aws:kms:eu-central-1:/);
        assert.strictEqual(replication.inputs.sourceDbInstanceArn, "arn:aws:rds:eu-west-1:210987654321:db:hangar-prod");
    });

    it("has a KMS-encrypted DR backup vault and a versioned, encrypted, TLS-only replica bucket with a lifecycle", () => {
        const [vault] = byType(s, "aws:backup/vault:Vault");
        assert.match(String(vault.inputs.kmsKeyArn), /^arn:aws:kms:eu-central-1:/);
        assert.strictEqual(vault.options.protect, true);
        const bucket = byType(s, "aws:s3/bucket:Bucket").find((b) => b.provider === drProviderOf(s)!.urn) as SnapshotResource;
        assert.strictEqual(bucket.options.protect, true);
        const sameName = (type: string) => byType(s, type).find((r) => r.name === bucket.name) as SnapshotResource;
        assert.deepStrictEqual(sameName("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        const sse = (
            sameName("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as Any[]
        )[0];
        assert.strictEqual(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        const policy = JSON.parse(String(sameName("aws:s3/bucketPolicy:BucketPolicy").inputs.policy));
        assert.deepStrictEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.ok(
            sameName("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
            "the DR replica bucket has a lifecycle too",
        );
        assert.strictEqual(sameName("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs.restrictPublicBuckets, true);
    });

    it("fails the public name over with a health check on the primary region's own name, which the primary load balancer serves", () => {
        const [check] = byType(s, "aws:route53/healthCheck:HealthCheck");
        assert.strictEqual(check.inputs.fqdn, "api-eu-west-1.hangar.example.aero");
        assert.strictEqual(check.inputs.type, "HTTPS");
        const records = byType(s, "aws:route53/record:Record").map((r) => r.inputs as Any);
        const regional = records.find((r) => r.name === "api-eu-west-1.hangar.example.aero");
        assert.deepStrictEqual(regional.records, ["k8s-gateway-public-1a2b3c4d5e.elb.eu-west-1.amazonaws.com"]);
        const primary = records.find((r) => r.failoverRoutingPolicies?.[0].type === "PRIMARY");
        const secondary = records.find((r) => r.failoverRoutingPolicies?.[0].type === "SECONDARY");
        assert.deepStrictEqual([primary.name, secondary.name], ["api.hangar.example.aero", "api.hangar.example.aero"]);
        assert.notStrictEqual(primary.setIdentifier, secondary.setIdentifier);
        assert.ok(primary.healthCheckId, "the primary record is health-checked");
        assert.deepStrictEqual(secondary.records, ["k8s-gateway-public-9f8e7d6c5b.elb.eu-central-1.amazonaws.com"]);
        assert.notStrictEqual(check.inputs.fqdn, primary.name, "never health-check the failover name itself");
    });
});

describe("DisasterRecovery in staging", () => {
    it("does not exist", async () => {
        const s = await snapshotOf("staging", { kubeconfig: laptop });
        assert.strictEqual(drProviderOf(s), undefined);
        assert.strictEqual(byType(s, "hangar:index:DisasterRecovery").length, 0);
        assert.strictEqual(byType(s, BACKUP_REPLICATION).length, 0);
        assert.strictEqual(byType(s, "aws:route53/record:Record").length, 0);
    });
});

describe("after a failover (dr.promoted: true)", () => {
    let before_: Snapshot;
    let after: Snapshot;
    before(async () => {
        before_ = await snapshotOf("prod", { kubeconfig: laptop });
        after = await runStack("prod", { kubeconfig: laptop, config: prodWithDr({ promoted: true }) });
        assert.strictEqual(after.error, undefined, after.error?.message);
    });

    it("keeps the DR instance under the same URN, protected", () => {
        assert.strictEqual(drReplicaOf(after).urn, drReplicaOf(before_).urn);
        assert.strictEqual(drReplicaOf(after).options.protect, true);
    });

    it("stops managing replication: no source, no automated-backups replication", () => {
        assert.strictEqual(drReplicaOf(after).inputs.replicateSourceDb, undefined);
        assert.strictEqual(byType(after, BACKUP_REPLICATION).length, 0);
        assert.ok(Number(drReplicaOf(after).inputs.backupRetentionPeriod) >= 30, "the promoted instance keeps its own backups");
    });

    it("leaves the primary's resources untouched", () => {
        assert.deepStrictEqual(primaryOf(after).inputs, primaryOf(before_).inputs);
    });

    it("leaves the master secret's replication alone: removing the replica would delete the DR region's copy", () => {
        const master = (s: Snapshot) =>
            s.resources.find((r) => r.type === "aws:secretsmanager/secret:Secret" && r.name === "hangar-db-master")!;
        assert.deepStrictEqual(
            ((master(before_).inputs.replicas as { region: string }[]) ?? []).map((r) => r.region),
            ["eu-central-1"],
        );
        assert.strictEqual(master(after).inputs.replicas, undefined);
        assert.deepStrictEqual(master(after).options.ignoreChanges, ["replicas"]);
        assert.strictEqual(master(after).urn, master(before_).urn);
    });
});

describe("the pilot-light app tier", () => {
    const arn = DR_KUBECONFIG_ARN;
    const server = DR_SERVER;
    const pilotLight = PILOT_LIGHT;
    const kubeconfig = drKubeconfig;

    it("runs the services scaled to zero on the DR cluster, reading the DR replica", async () => {
        const config = prodWithDr({ pilotLight });
        const s = await runStack("prod", { kubeconfig: laptop, config, secrets: { [arn]: kubeconfig(server) } });
        assert.strictEqual(s.error, undefined, s.error?.message);
        const drK8s = byType(s, "pulumi:providers:kubernetes").find((p) => p.name.endsWith("-k8s-dr")) as SnapshotResource;
        assert.strictEqual(drK8s.inputs.context, "hangar-dr");
        const drDeployments = byType(s, "kubernetes:apps/v1:Deployment").filter((d) => d.provider === drK8s.urn);
        assert.strictEqual(drDeployments.length, 2);
        for (const d of drDeployments) assert.strictEqual((d.inputs.spec as Any).replicas, 0);
        // The URL is External Secrets Operator's template on the DR cluster (its own operator), on the DR replica.
        const external = byType(s, "kubernetes:external-secrets.io/v1:ExternalSecret").find(
            (r) => r.provider === drK8s.urn,
        ) as SnapshotResource;
        const template = (reveal(external.inputs.spec) as Any).target.template.data;
        assert.match(template.DATABASE_URL, /@hangar-prod-dr\./);
        assert.deepStrictEqual(
            Object.keys(template).sort(),
            ["DATABASE_READ_URL", "DATABASE_URL"],
            "no writer URL: no migration on a replica",
        );
        assert.ok(!byType(s, "kubernetes:core/v1:Secret").some((r) => r.provider === drK8s.urn), "no Pulumi-made Secret on the DR cluster");
        // Its store reads the master secret's replica in the DR region (the primary region may be gone), which the
        // secret's replication keeps current and a promotion turns into a standalone secret of the same name.
        const drRegion = (config["hangar:dr"] as Any).region as string;
        const store = byType(s, "kubernetes:external-secrets.io/v1:SecretStore").find((r) => r.provider === drK8s.urn) as SnapshotResource;
        assert.strictEqual((store.inputs.spec as Any).provider.aws.region, drRegion);
        const master = byType(s, "aws:secretsmanager/secret:Secret").find((r) => r.name.endsWith("-db-master")) as SnapshotResource;
        assert.deepStrictEqual(
            ((master.inputs.replicas ?? []) as Any[]).map((r) => r.region),
            [drRegion],
            "the master secret replicates to the DR region",
        );
        const storeRole = JSON.stringify(
            byType(s, "aws:iam/rolePolicy:RolePolicy")
                .filter((r) => r.provider === drProviderOf(s)!.urn)
                .map((r) => reveal(r.inputs.policy)),
        );
        assert.match(storeRole, new RegExp(`secretsmanager:${drRegion}:\\d+:secret:hangar-prod/postgres/master-\\?{6}`));
        assert.ok(
            byType(s, "kubernetes:helm.sh/v3:Release").some(
                (r) => r.provider === drK8s.urn && (r.inputs as Any).chart === "external-secrets",
            ),
            "the DR cluster runs its own operator",
        );
        const reads = s.invokes.filter((i) => i.token === "aws:secretsmanager/getSecretVersion:getSecretVersion");
        assert.ok(
            reads.some((i) => i.provider === drProviderOf(s)!.urn),
            "the kubeconfig is read in the DR region",
        );
    });

    it("refuses a DR kubeconfig that points at another cluster", async () => {
        const s = await runStack("prod", {
            kubeconfig: laptop,
            config: prodWithDr({ pilotLight }),
            secrets: { [arn]: kubeconfig("https://SOMEWHERE.ELSE.eks.amazonaws.com") },
        });
        const drK8s = byType(s, "pulumi:providers:kubernetes").find((p) => p.name.endsWith("-k8s-dr"));
        assert.ok(s.error || drK8s === undefined, "the run fails or the DR provider is never registered");
        assert.ok(
            !byType(s, "kubernetes:apps/v1:Deployment").some((d) => d.provider && d.provider === drK8s?.urn),
            "no DR Kubernetes resource registers",
        );
        assert.match(s.error?.message ?? (s as Any).log ?? "", /refusing to deploy to the wrong cluster/);
    });
});

describe("the failover runbook", () => {
    it("is in the README and covers promotion, DNS, the pilot light, state and failback", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const runbook = readme.slice(readme.indexOf("## Disaster recovery runbook"));
        for (const topic of ["promoted: true", "pulumi refresh", "--target", "failback", "Route 53", "pilot"]) {
            assert.ok(runbook.toLowerCase().includes(topic.toLowerCase()), `runbook mentions ${topic}`);
        }
    });
});

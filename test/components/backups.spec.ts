import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DUMP_SCRIPT } from "../../components/backups/dump-job";
import { backupRules, monthsToDays } from "../../components/backups/policy-documents";
import { byType, reveal, ROOT, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
/** True when a Backups component is among the resource's ancestors. */
function inBackups(s: Snapshot, r: SnapshotResource): boolean {
    const byUrn = new Map(s.resources.map((x) => [x.urn, x]));
    for (let p = r.parent && byUrn.get(r.parent); p; p = p.parent ? byUrn.get(p.parent) : undefined)
        if (p.type === "hangar:index:Backups") return true;
    return false;
}
const one = (s: Snapshot, type: string) => {
    const found = byType(s, type).filter((r) => inBackups(s, r));
    assert.strictEqual(found.length, 1, `one ${type} in Backups`);
    return found[0];
};

describe("Backups in prod", () => {
    let s: Snapshot;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
    });

    it("keeps dailies 35 days and monthlies 12 months, warm only, each copied to the DR vault", () => {
        const rules = one(s, "aws:backup/plan:Plan").inputs.rules as Any[];
        const byName = Object.fromEntries(rules.map((r) => [r.ruleName, r]));
        assert.strictEqual(byName.daily.lifecycle.deleteAfter, 35);
        assert.ok(byName.monthly.lifecycle.deleteAfter >= 365, "12 months is at least a year");
        for (const rule of rules) {
            assert.strictEqual(rule.lifecycle.coldStorageAfter, undefined, "RDS snapshots cannot move to cold storage");
            assert.strictEqual(rule.copyActions.length, 1);
            assert.match(rule.copyActions[0].destinationVaultArn, /^arn:aws:backup:eu-central-1:/);
            assert.strictEqual(rule.copyActions[0].lifecycle.deleteAfter, rule.lifecycle.deleteAfter);
        }
    });

    it("backs up the primary database into a KMS-encrypted, locked, protected vault", () => {
        const vault = one(s, "aws:backup/vault:Vault");
        assert.match(String(vault.inputs.kmsKeyArn), /^arn:aws:kms:eu-west-1:/);
        assert.strictEqual(vault.options.protect, true);
        assert.deepStrictEqual(one(s, "aws:backup/selection:Selection").inputs.resources, [
            "arn:aws:rds:eu-west-1:210987654321:db:hangar-prod",
        ]);
        assert.strictEqual(one(s, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").inputs.minRetentionDays, 35);
    });

    it("writes dumps to a versioned, TLS-only, SSE-KMS bucket kept 7 years, replicated to the DR bucket", () => {
        const bucket = one(s, "aws:s3/bucket:Bucket");
        assert.strictEqual(bucket.inputs.bucket, "hangar-prod-dumps-210987654321");
        assert.strictEqual(bucket.options.protect, true);
        assert.deepStrictEqual(one(s, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        const policy = JSON.parse(String(one(s, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy));
        assert.strictEqual(policy.Statement[0].Effect, "Deny");
        assert.deepStrictEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        const lifecycle = (one(s, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as Any[])[0];
        assert.deepStrictEqual(lifecycle.transitions, [{ days: 30, storageClass: "DEEP_ARCHIVE" }]);
        assert.strictEqual(lifecycle.expiration.days, 2555);

        const replication = one(s, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
        const rule = (replication.inputs.rules as Any[])[0];
        assert.deepStrictEqual(rule.sourceSelectionCriteria, { sseKmsEncryptedObjects: { status: "Enabled" } });
        assert.match(rule.destination.bucket, /^arn:aws:s3:eu-central-1:/);
        assert.match(rule.destination.encryptionConfiguration.replicaKmsKeyId, /^arn:aws:kms:eu-central-1:/);
        const versioning = one(s, "aws:s3/bucketVersioning:BucketVersioning");
        assert.ok(replication.options.dependencies.includes(versioning.urn), "replication waits for versioning");
    });

    it("grants replication only the S3 and KMS actions it needs", () => {
        const policy = JSON.parse(
            String(byType(s, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "hangar-backups-replication")!.inputs.policy),
        );
        const actions = policy.Statement.flatMap((st: Any) => st.Action);
        assert.ok(!actions.some((a: string) => a.endsWith("*")), "no wildcard actions");
        assert.ok(actions.includes("s3:ReplicateObject") && actions.includes("kms:Encrypt"));
    });
});

describe("the dump CronJob", () => {
    let s: Snapshot;
    let cron: Any;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        cron = reveal(one(s, "kubernetes:batch/v1:CronJob").inputs);
    });

    it("runs in the app namespace, one at a time, with a deadline and bounded history", () => {
        assert.strictEqual(cron.metadata.namespace, "hangar");
        assert.strictEqual(cron.spec.concurrencyPolicy, "Forbid");
        assert.ok(cron.spec.startingDeadlineSeconds > 0);
        assert.ok(cron.spec.jobTemplate.spec.activeDeadlineSeconds > 0);
        assert.ok(cron.spec.successfulJobsHistoryLimit <= 5 && cron.spec.failedJobsHistoryLimit <= 5);
    });

    it("is restricted and sized", () => {
        const pod = cron.spec.jobTemplate.spec.template.spec;
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        const c = pod.containers[0];
        assert.deepStrictEqual(
            [c.securityContext.allowPrivilegeEscalation, c.securityContext.readOnlyRootFilesystem, c.securityContext.capabilities.drop],
            [false, true, ["ALL"]],
        );
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
        assert.match(c.image, /@sha256:[0-9a-f]{64}$/);
        assert.deepStrictEqual(
            c.env.find((e: Any) => e.name === "PGSSLMODE"),
            { name: "PGSSLMODE", value: "verify-full" },
        );
        assert.deepStrictEqual(c.env.find((e: Any) => e.name === "PGPASSWORD").valueFrom, {
            // External Secrets Operator's Secret: the master password as Secrets Manager holds it now.
            secretKeyRef: { name: "pg-dump-master", key: "PGPASSWORD" },
        });
    });

    it("runs the script kept in the repository, byte for byte", () => {
        const configMap = byType(s, "kubernetes:core/v1:ConfigMap").find(
            (c) => (c.inputs.metadata as Any).name === "pg-dump-script",
        ) as SnapshotResource;
        assert.strictEqual((configMap.inputs.data as Any)["pg-dump.sh"], fs.readFileSync(DUMP_SCRIPT, "utf8"));
    });

    it("may write only its prefix of the dump bucket", () => {
        const policy = JSON.parse(
            String(byType(s, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "hangar-backups-dump-irsa")!.inputs.policy),
        );
        const s3 = policy.Statement.find((st: Any) => st.Action.includes("s3:PutObject"));
        assert.match(s3.Resource, /^arn:aws:s3:eu-west-1:210987654321:hangar-backups-dumps\/postgres\/\*$/);
        assert.ok(!policy.Statement.some((st: Any) => st.Action.includes("s3:GetObject") || st.Action.includes("s3:DeleteObject")));
    });

    it("reaches only the database on 5432 and HTTPS", () => {
        const policy = reveal(
            byType(s, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => (p.inputs.metadata as Any).name === "pg-dump")!.inputs,
        ) as Any;
        assert.deepStrictEqual(
            policy.spec.egress.map((e: Any) => e.ports[0].port),
            [5432, 443],
        );
    });
});

describe("Backups in staging", () => {
    it("has the vault, plan, bucket and CronJob but no DR copies or replication", async () => {
        const s = await snapshotOf("staging", { kubeconfig: laptop });
        const rules = one(s, "aws:backup/plan:Plan").inputs.rules as Any[];
        assert.deepStrictEqual(
            rules.map((r) => r.ruleName),
            ["daily"],
            "no monthly rule when monthlyRetentionMonths is 0",
        );
        assert.ok(rules.every((r) => r.copyActions === undefined));
        assert.strictEqual(byType(s, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 0);
        assert.strictEqual(byType(s, "kubernetes:batch/v1:CronJob").length, 1);
        assert.strictEqual(one(s, "aws:s3/bucket:Bucket").options.protect, false);
        assert.strictEqual(byType(s, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").length, 0);
    });
});

describe("backupRules", () => {
    it("counts months as 31 days so a retention in months is never short", () => {
        assert.strictEqual(monthsToDays(12), 372);
        const rules = backupRules({
            vaultName: "v",
            dailyRetentionDays: 7,
            monthlyRetentionMonths: 1,
            dailySchedule: "d",
            monthlySchedule: "m",
        });
        assert.deepStrictEqual(
            rules.map((r) => [r.ruleName, r.lifecycle.deleteAfter]),
            [
                ["daily", 7],
                ["monthly", 31],
            ],
        );
    });
});

/**
 * App buckets (issue 20 item 3): what prod and staging create for `app.buckets[]`, the per-service identity
 * and env vars, replication to the DR region, the config rules, the S3 guardrails on app buckets, and the
 * baselines (the dump bucket unchanged; the app bucket, its key and its replica present and protected in prod).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, toPlatformArgs } from "../../config";
import { appTierArgs, bucketPlacement } from "../../components/platform/app-mapper";
import { disasterRecoveryArgs } from "../../components/platform/mappers";
import { bucketAccessPolicy, bucketEnvName } from "../../components/app";
import { appBucketName } from "../../components/app/buckets";
import { objectLifecycleRules } from "../../components/shared/secure-bucket";
import { ROOT, Snapshot, SnapshotResource } from "../../tools/harness";
import { checkPolicies } from "../../tools/policy-check";
import { stackConfig } from "../config/cases";
import { Any, realStacks } from "../policies/wiring-fixtures";

const APP = "hangar-app-bucket-analysis-results";
const PROD_BUCKET = "hangar-prod-app-analysis-results-210987654321";

const of = (s: Snapshot, type: string, name: string): SnapshotResource => {
    const r =
        s.resources.find((x) => x.type === `aws:s3/${type}` && x.name === name) ??
        s.resources.find((x) => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name}`);
    return r;
};
const urnOf = (s: Snapshot, type: string, name: string) => of(s, type, name).urn;
const podSpecOf = (s: Snapshot, service: string) =>
    (
        s.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout" && (r.inputs.metadata as Any).name === service)!.inputs
            .spec as Any
    ).template.spec;
const envOf = (s: Snapshot, service: string) =>
    Object.fromEntries((podSpecOf(s, service).containers[0].env as Any[]).filter((e) => "value" in e).map((e) => [e.name, e.value]));

describe("app buckets (app.buckets[])", () => {
    const stacks = realStacks();

    it("prod: the bucket is versioned, SSE-KMS with its own rotating key and a bucket key, TLS-only, closed, owner-enforced", () => {
        const s = stacks.prod;
        const bucket = of(s, "bucket:Bucket", APP);
        assert.strictEqual(bucket.inputs.bucket, PROD_BUCKET);
        assert.strictEqual(PROD_BUCKET, appBucketName("prod", "210987654321", "analysis-results"));
        assert.strictEqual(bucket.inputs.forceDestroy, false);
        assert.deepStrictEqual([bucket.options.protect, bucket.options.retainOnDelete], [true, true]);
        const key = of(s, "aws:kms/key:Key", `${APP}-kms`);
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.strictEqual(key.options.protect, true);
        assert.deepStrictEqual((of(s, "bucketVersioning:BucketVersioning", APP).inputs.versioningConfiguration as Any).status, "Enabled");
        const sse = of(s, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", APP);
        const rule = (sse.inputs.rules as Any[])[0];
        assert.strictEqual(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        assert.strictEqual(rule.bucketKeyEnabled, true);
        assert.deepStrictEqual(sse.options.propertyDependencies.rules, [key.urn], "encrypted with its own key");
        const pab = of(s, "bucketPublicAccessBlock:BucketPublicAccessBlock", APP).inputs;
        for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
            assert.strictEqual(pab[flag], true);
        assert.strictEqual(
            (of(s, "bucketOwnershipControls:BucketOwnershipControls", APP).inputs.rule as Any).objectOwnership,
            "BucketOwnerEnforced",
        );
        const policy = JSON.parse(String(of(s, "bucketPolicy:BucketPolicy", APP).inputs.policy));
        assert.deepStrictEqual(policy.Statement[0].Resource, [`arn:aws:s3:::${PROD_BUCKET}`, `arn:aws:s3:::${PROD_BUCKET}/*`]);
        assert.deepStrictEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("prod: the lifecycle is the stack file's (transition, noncurrent expiry, aborted uploads), not the dumps' Deep Archive", () => {
        const rules = of(stacks.prod, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", APP).inputs.rules as Any[];
        assert.deepStrictEqual(rules, [
            {
                id: "objects",
                status: "Enabled",
                filter: { prefix: "" },
                transitions: [{ days: 90, storageClass: "STANDARD_IA" }],
                noncurrentVersionExpiration: { noncurrentDays: 90 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
        const dumps = of(stacks.prod, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", "hangar-backups-dumps").inputs
            .rules as Any[];
        assert.strictEqual(dumps[0].id, "archive-then-expire");
        assert.deepStrictEqual(dumps[0].transitions, [{ days: 30, storageClass: "DEEP_ARCHIVE" }]);
        assert.deepStrictEqual(objectLifecycleRules({ expireAfterDays: 400 })[0].expiration, { days: 400 });
    });

    it("prod: replicates SSE-KMS objects to its DR-region replica, encrypted with the DR key", () => {
        const s = stacks.prod;
        const replication = of(s, "bucketReplicationConfig:BucketReplicationConfig", APP);
        const rule = (replication.inputs.rules as Any[])[0];
        assert.strictEqual(rule.sourceSelectionCriteria.sseKmsEncryptedObjects.status, "Enabled");
        const replica = of(s, "bucket:Bucket", "hangar-dr-bucket-analysis-results");
        assert.strictEqual(replica.inputs.bucket, "hangar-prod-app-analysis-results-dr-210987654321");
        assert.deepStrictEqual([replica.options.protect, replica.options.retainOnDelete], [true, true]);
        assert.ok(replication.options.propertyDependencies.rules.includes(replica.urn), "destination is the replica");
        assert.ok(replication.options.propertyDependencies.rules.includes(urnOf(s, "aws:kms/key:Key", "hangar-dr-kms")), "replica key");
        assert.ok(replication.options.dependencies.includes(urnOf(s, "bucketVersioning:BucketVersioning", APP)));
        assert.ok(
            s.resources.some(
                (r) =>
                    r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" &&
                    r.name === "hangar-dr-bucket-analysis-results",
            ),
        );
        assert.ok(replica.provider?.includes("hangar-aws-dr"), "in the DR region");
    });

    it("prod: the api runs as its own ServiceAccount whose IRSA role allows exactly its bucket and key, through S3", () => {
        const s = stacks.prod;
        const sa = s.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && (r.inputs.metadata as Any).name === "api")!;
        assert.strictEqual((sa.inputs.metadata as Any).namespace, "hangar");
        const role = of(s, "aws:iam/role:Role", "hangar-app-api-irsa");
        assert.deepStrictEqual(
            sa.options.propertyDependencies.metadata.filter((u) => u.includes("aws:iam")),
            [role.urn],
        );
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals;
        assert.ok(Object.values(trust).includes("system:serviceaccount:hangar:api"));
        assert.strictEqual(
            of(s, "aws:iam/rolePolicy:RolePolicy", "hangar-app-api-buckets").inputs.policy,
            bucketAccessPolicy({ partition: "aws", bucketNames: [PROD_BUCKET] }),
        );
        const keys = of(s, "aws:iam/rolePolicy:RolePolicy", "hangar-app-api-bucket-keys");
        assert.deepStrictEqual(JSON.parse(String(keys.inputs.policy)).Statement, [
            {
                Sid: "BucketKeys",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "arn:aws:kms:eu-west-1:210987654321:key/*",
                Condition: {
                    StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
                    "ForAnyValue:StringEquals": { "kms:ResourceAliases": [`alias/${PROD_BUCKET}`] },
                },
            },
        ]);
        const alias = of(s, "aws:kms/alias:Alias", `${APP}-kms`);
        assert.strictEqual(alias.inputs.name, `alias/${PROD_BUCKET}`);
        assert.ok(keys.options.dependencies.includes(alias.urn), "created after the alias it names");
    });

    it("prod: the api gets BUCKET_ANALYSIS_RESULTS and AWS_REGION; workers keep the shared ServiceAccount and no bucket", () => {
        const s = stacks.prod;
        assert.strictEqual(podSpecOf(s, "api").serviceAccountName, "api");
        assert.strictEqual(bucketEnvName("analysis-results"), "BUCKET_ANALYSIS_RESULTS");
        assert.deepStrictEqual([envOf(s, "api").BUCKET_ANALYSIS_RESULTS, envOf(s, "api").AWS_REGION], [PROD_BUCKET, "eu-west-1"]);
        assert.strictEqual(podSpecOf(s, "workers").serviceAccountName, "app");
        assert.ok(!Object.keys(envOf(s, "workers")).some((k) => k.startsWith("BUCKET_")));
        assert.ok(
            s.resources.some((r) => r.type === "aws:iam/role:Role" && r.name === "hangar-app-irsa"),
            "the shared role keeps its URN",
        );
        assert.ok(!s.resources.some((r) => r.name === "hangar-app-workers-irsa"));
    });

    it("staging: the bucket exists unprotected, not replicated, with staging's lifecycle", () => {
        const s = stacks.staging;
        const bucket = of(s, "bucket:Bucket", APP);
        assert.strictEqual(bucket.inputs.bucket, "hangar-staging-app-analysis-results-123456789012");
        assert.deepStrictEqual([bucket.options.protect, bucket.options.retainOnDelete, bucket.inputs.forceDestroy], [false, false, false]);
        assert.ok(!s.resources.some((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig" && r.name === APP));
        const rules = of(s, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", APP).inputs.rules as Any[];
        assert.deepStrictEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 30 });
        assert.strictEqual(envOf(s, "api").BUCKET_ANALYSIS_RESULTS, "hangar-staging-app-analysis-results-123456789012");
    });

    it("the S3 guardrails judge app buckets like the dump bucket", async () => {
        const s = structuredClone(stacks.prod);
        (of(s, "bucketVersioning:BucketVersioning", APP).inputs.versioningConfiguration as Any).status = "Suspended";
        (
            of(s, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", APP).inputs.rules as Any[]
        )[0].applyServerSideEncryptionByDefault.sseAlgorithm = "AES256";
        of(s, "bucketPolicy:BucketPolicy", APP).inputs.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
        of(s, "bucketPublicAccessBlock:BucketPublicAccessBlock", APP).inputs.blockPublicPolicy = false;
        (of(s, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", APP).inputs.rules as Any[])[0].expiration = { days: 30 };
        delete (of(s, "bucketReplicationConfig:BucketReplicationConfig", APP).inputs.rules as Any[])[0].destination.encryptionConfiguration;
        const rules = ["versioned", "encrypted", "tls-only", "public-access-blocked", "lifecycle-retention", "replication-kms"].map(
            (r) => `aws-s3-bucket-${r}`,
        );
        const hits = await checkPolicies(s, "prod", undefined, rules);
        const appUrns = new Set(s.resources.filter((r) => r.name === APP).map((r) => r.urn));
        for (const rule of rules) {
            const mine = hits.filter(
                (v) => v.policy === rule && v.urn !== undefined && appUrns.has(v.urn) && v.enforcementLevel === "mandatory",
            );
            assert.ok(mine.length > 0, `${rule}: ${JSON.stringify(hits.filter((v) => v.policy === rule).map((v) => v.message))}`);
        }
    });

    it("the baselines hold the app bucket, its key and its replica; the dump bucket keeps its entry", () => {
        const baseline = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "baselines", "prod.json"), "utf8")) as {
            urn: string;
            values: Any;
        }[];
        const urns = baseline.map((b) => b.urn);
        for (const name of [
            `aws:s3/bucket:Bucket::${APP}`,
            `aws:kms/key:Key::${APP}-kms`,
            "aws:s3/bucket:Bucket::hangar-dr-bucket-analysis-results",
        ])
            assert.ok(
                urns.some((u) => u.endsWith(name)),
                name,
            );
        const dumps = baseline.find((b) => b.urn.endsWith("aws:s3/bucket:Bucket::hangar-backups-dumps"))!;
        assert.strictEqual(dumps.values.bucket, "hangar-prod-dumps-210987654321");
        const staging = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "baselines", "staging.json"), "utf8")) as { urn: string }[];
        assert.ok(staging.some((b) => b.urn.endsWith(`aws:s3/bucket:Bucket::${APP}`)));
    });
});

describe("the app tier's bucket placement", () => {
    const prodArgs = () => {
        const parsed = parseConfig(stackConfig("prod"), "prod");
        assert.ok(parsed.ok);
        return toPlatformArgs(parsed.config, "kubeconfig");
    };
    const placement = { urls: {}, oidcProviderArn: "arn:oidc", dataCidrs: [] };

    it("the primary tier gets the buckets and each service its own; the DR pilot light (no placement) gets neither", () => {
        const args = prodArgs();
        const primary = appTierArgs(args, { ...placement, buckets: bucketPlacement(args, "prod", undefined) });
        assert.deepStrictEqual(
            primary.buckets!.map((b) => b.name),
            ["analysis-results"],
        );
        assert.deepStrictEqual(primary.services.find((s) => s.name === "api")!.buckets, ["analysis-results"]);
        assert.deepStrictEqual(primary.bucketPlacement, {
            stack: "prod",
            accountId: "210987654321",
            region: "eu-west-1",
            replicas: undefined,
        });
        const pilot = appTierArgs(args, { ...placement, fixedReplicas: 1 });
        assert.deepStrictEqual(pilot.buckets, []);
        assert.ok(pilot.services.every((s) => s.buckets === undefined));
    });

    it("the DR region gets a replica of each bucket that replicates, named like it with -dr", () => {
        const args = prodArgs();
        const dr = disasterRecoveryArgs(args, args.dr!, "prod", { primaryArn: "arn:db", replicaIdentifiers: [] } as never);
        assert.deepStrictEqual(dr.appBuckets, [
            {
                name: "analysis-results",
                bucketName: "hangar-prod-app-analysis-results-dr-210987654321",
                lifecycle: args.app!.buckets![0].lifecycle,
            },
        ]);
    });
});

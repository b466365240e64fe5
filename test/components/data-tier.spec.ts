import * as assert from "assert";
import * as path from "path";
import { postgresUrl, redisUrl } from "../../components/data/connection-urls";
import { POSTGRES_DEFAULTS, RDS_PASSWORD_SPECIALS } from "../../components/data/postgres";
import { ELASTICACHE_TOKEN_SPECIALS, REDIS_DEFAULTS } from "../../components/data/redis";
import { physicalName } from "../../components/shared/naming";
import { byType, isSecret, redact, reveal, ROOT, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const RDS = "aws:rds/instance:Instance";
const CACHE = "aws:elasticache/replicationGroup:ReplicationGroup";
/** Resources of a type in the primary region (the DR region has its own RDS, groups and keys). */
const inPrimary = (s: Snapshot, type: string) => byType(s, type).filter((r) => r.provider?.endsWith("::hangar-aws"));
const primaryOf = (s: Snapshot) => inPrimary(s, RDS).find((r) => r.inputs.replicateSourceDb === undefined) as SnapshotResource;
const replicasOf = (s: Snapshot) => inPrimary(s, RDS).filter((r) => r.inputs.replicateSourceDb !== undefined);

/** Inputs whose names say they carry credentials. */
const SECRET_INPUTS = ["password", "authToken", "secretString", "stringData", "kubeconfig"];

describe("PostgresDatabase in prod", () => {
    let s: Snapshot;
    before(async () => (s = await snapshotOf("prod", { kubeconfig: laptop })));

    it("runs a Multi-AZ, KMS-encrypted gp3 primary that keeps 30 days of backups", () => {
        const p = primaryOf(s).inputs;
        assert.deepStrictEqual(
            {
                multiAz: p.multiAz,
                storageEncrypted: p.storageEncrypted,
                storageType: p.storageType,
                publiclyAccessible: p.publiclyAccessible,
            },
            { multiAz: true, storageEncrypted: true, storageType: "gp3", publiclyAccessible: false },
        );
        assert.ok(Number(p.backupRetentionPeriod) >= 30);
        assert.ok(Number(p.maxAllocatedStorage) > Number(p.allocatedStorage), "storage autoscaling");
        assert.match(String(p.kmsKeyId), /^arn:aws:kms:/);
        assert.strictEqual(p.performanceInsightsEnabled, true);
        assert.strictEqual(p.performanceInsightsKmsKeyId, p.kmsKeyId, "Performance Insights encrypted with the same key");
        assert.deepStrictEqual(p.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
        assert.strictEqual(p.iamDatabaseAuthenticationEnabled, true);
    });

    it("protects the primary: deletion protection, a final snapshot and Pulumi protect", () => {
        const p = primaryOf(s);
        assert.strictEqual(p.inputs.deletionProtection, true);
        assert.strictEqual(p.inputs.skipFinalSnapshot, false);
        assert.match(String(p.inputs.finalSnapshotIdentifier), /^hangar-prod-final-[0-9a-f]{8}$/);
        assert.strictEqual(p.options.protect, true);
    });

    it("replicates to at least one protected in-region replica", () => {
        const replicas = replicasOf(s);
        assert.ok(replicas.length >= 1);
        for (const r of replicas) {
            assert.strictEqual(r.inputs.replicateSourceDb, primaryOf(s).inputs.identifier);
            assert.strictEqual(r.options.protect, true);
            assert.strictEqual(r.inputs.storageEncrypted, true);
        }
    });

    it("attaches a parameter group that forces TLS and loads pg_stat_statements at the next reboot", () => {
        const [group] = inPrimary(s, "aws:rds/parameterGroup:ParameterGroup");
        const params = Object.fromEntries((group.inputs.parameters as Any[]).map((p) => [p.name, p]));
        assert.strictEqual(params["rds.force_ssl"].value, "1");
        assert.strictEqual(params.shared_preload_libraries.applyMethod, "pending-reboot");
        assert.ok(params.log_min_duration_statement);
        assert.strictEqual(group.inputs.family, "postgres16");
        for (const instance of inPrimary(s, RDS)) assert.strictEqual(instance.inputs.parameterGroupName, group.inputs.name);
    });

    it("opens 5432 only to the private subnets, RDS Proxy's group and the rotation function's group", () => {
        const sg = inPrimary(s, "aws:ec2/securityGroup:SecurityGroup").find((g) =>
            String(g.inputs.name).endsWith("-postgres"),
        ) as SnapshotResource;
        const ingress = sg.inputs.ingress as Any[];
        assert.strictEqual(ingress.length, 3);
        assert.deepStrictEqual(
            [ingress[1].fromPort, ingress[1].cidrBlocks, ingress[1].securityGroups],
            [5432, [], ["hangar-db-proxy-sg-id"]],
        );
        assert.deepStrictEqual(
            [ingress[2].fromPort, ingress[2].cidrBlocks, ingress[2].securityGroups],
            [5432, [], ["hangar-db-rotation-sg-id"]],
        );
        assert.deepStrictEqual([ingress[0].fromPort, ingress[0].toPort], [5432, 5432]);
        assert.deepStrictEqual(ingress[0].cidrBlocks, ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"]);
    });
});

describe("PostgresDatabase in staging", () => {
    let s: Snapshot;
    before(async () => (s = await snapshotOf("staging", { kubeconfig: laptop })));

    it("is single-AZ with at least 7 days of backups and no replicas", () => {
        const p = primaryOf(s);
        assert.strictEqual(p.inputs.multiAz, false);
        assert.ok(Number(p.inputs.backupRetentionPeriod) >= 7);
        assert.strictEqual(replicasOf(s).length, 0);
        assert.strictEqual(p.options.protect, false);
        assert.strictEqual(p.inputs.storageEncrypted, true, "smaller, never less secure");
    });
});

describe("an ephemeral stack's data tier", () => {
    let s: Snapshot;
    before(async () => (s = await snapshotOf("pr-7", { kubeconfig: laptop, stackFile: path.join(ROOT, "Pulumi.staging.yaml") })));

    it("is disposable: no deletion protection, no final snapshot, short key window, no secret recovery window", () => {
        assert.strictEqual(s.error, undefined, s.error?.message);
        const p = primaryOf(s);
        assert.deepStrictEqual([p.inputs.deletionProtection, p.inputs.skipFinalSnapshot, p.options.protect], [false, true, false]);
        for (const key of byType(s, "aws:kms/key:Key")) assert.strictEqual(key.inputs.deletionWindowInDays, 7);
        for (const secret of byType(s, "aws:secretsmanager/secret:Secret")) assert.strictEqual(secret.inputs.recoveryWindowInDays, 0);
    });

    it("names stateful resources after the stack so a re-created stack never collides", () => {
        assert.strictEqual(primaryOf(s).inputs.identifier, "hangar-pr-7");
        assert.strictEqual(byType(s, CACHE)[0].inputs.replicationGroupId, "hangar-pr-7");
    });
});

for (const stack of ["prod", "staging"]) {
    describe(`RedisCache and secrets in ${stack}`, () => {
        let s: Snapshot;
        before(async () => (s = await snapshotOf(stack, { kubeconfig: laptop })));

        it("encrypts in transit (required) and at rest with a customer-managed key, and requires AUTH", () => {
            const g = byType(s, CACHE)[0].inputs;
            assert.deepStrictEqual(
                [g.transitEncryptionEnabled, g.transitEncryptionMode, g.atRestEncryptionEnabled],
                [true, "required", true],
            );
            assert.match(String(g.kmsKeyId), /^arn:aws:kms:/);
            assert.ok(isSecret(g.authToken), "the AUTH token is a secret input");
        });

        it("marks every password, token, secret string and kubeconfig input as a Pulumi secret", () => {
            let checked = 0;
            for (const r of s.resources) {
                for (const key of SECRET_INPUTS) {
                    if (r.inputs[key] === undefined) continue;
                    assert.ok(isSecret(r.inputs[key]), `${r.urn} input ${key} is not secret`);
                    checked++;
                }
            }
            assert.ok(checked >= 5, `checked ${checked} secret inputs`);
        });

        it("never shows a generated secret outside a secret wrapper, in inputs or stack outputs", () => {
            const generated = byType(s, "random:index/randomPassword:RandomPassword").map((r) => `Mock0pw${r.name.length}`);
            assert.ok(generated.length >= 2);
            const visible = JSON.stringify(redact({ resources: s.resources, outputs: s.outputs }));
            for (const value of generated) assert.ok(!visible.includes(value), `${value}… appears in plaintext`);
        });

        it("hands the app DATABASE_URL, DATABASE_READ_URL and REDIS_URL from a Secret ESO writes, and migrations the writer's own URL", () => {
            // The URLs are External Secrets Operator's templates: user and password from Secrets Manager at run time.
            const external = byType(s, "kubernetes:external-secrets.io/v1:ExternalSecret").find(
                (r) => (r.inputs.metadata as Any).name === "data-tier-credentials",
            ) as SnapshotResource;
            const data = (reveal(external.inputs.spec) as Any).target.template.data as Record<string, string>;
            assert.deepStrictEqual(Object.keys(data).sort(), ["DATABASE_READ_URL", "DATABASE_URL", "DATABASE_WRITER_URL", "REDIS_URL"]);
            assert.ok(!byType(s, "kubernetes:core/v1:Secret").some((r) => (r.inputs.metadata as Any).name === "data-tier"));
            // Prod goes through RDS Proxy (its ACM certificate chains to the Amazon roots); staging to the writer.
            assert.match(
                data.DATABASE_URL,
                stack === "prod"
                    ? /^postgresql:\/\/\{\{ \.username \| urlquery \}\}:[^@]+@hangar-prod\.proxy-c9akciq32xyz\.eu-west-1\.rds\.amazonaws\.com:5432\/hangar\?sslmode=verify-full&sslrootcert=\/opt\/hangar-ca\/rds-proxy-ca-bundle\.pem$/
                    : /^postgresql:\/\/\{\{ \.username \| urlquery \}\}:[^@]+@hangar-[a-z]+\.c9akciq32xyz\.eu-west-1\.rds\.amazonaws\.com:5432\/hangar\?sslmode=verify-full&sslrootcert=\/opt\/hangar-ca\/rds-ca-bundle\.pem$/,
            );
            assert.match(
                data.DATABASE_WRITER_URL,
                /^postgresql:\/\/\{\{ \.username \| urlquery \}\}:\{\{ \.password \| urlquery \}\}@hangar-[a-z]+\.c9akciq32xyz\.eu-west-1\.rds\.amazonaws\.com:5432\/hangar\?sslmode=verify-full&sslrootcert=\/opt\/hangar-ca\/rds-ca-bundle\.pem$/,
            );
            assert.match(data.REDIS_URL, /^rediss:\/\/:\{\{ \.token \| urlquery \}\}@master\./);
            const readerHost = replicasOf(s).length > 0 ? "-replica-1." : `${stack}.`;
            assert.ok(data.DATABASE_READ_URL.includes(readerHost), `reader URL ${data.DATABASE_READ_URL} targets ${readerHost}`);
            for (const d of byType(s, "kubernetes:apps/v1:Deployment")) {
                const env = (reveal(d.inputs) as Any).spec.template.spec.containers[0].env as Any[];
                assert.ok(!env.some((e) => e.name === "DATABASE_WRITER_URL"), `${d.name} does not get the writer's own URL`);
                for (const key of Object.keys(data).filter((k) => k !== "DATABASE_WRITER_URL")) {
                    const entry = env.find((e) => e.name === key);
                    assert.deepStrictEqual(
                        entry?.valueFrom,
                        { secretKeyRef: { name: "data-tier-credentials", key } },
                        `${d.name} reads ${key} from the Secret`,
                    );
                }
                // sslrootcert names the RDS CA bundle: every service mounts it from the tier's ConfigMap (wiring-tls-client-ca-mounted).
                const pod = (reveal(d.inputs) as Any).spec.template.spec;
                assert.deepStrictEqual(
                    pod.volumes.find((v: Any) => v.name === "aws-ca-bundles"),
                    { name: "aws-ca-bundles", configMap: { name: "app-ca-bundles" } },
                );
                assert.ok(pod.containers[0].volumeMounts.some((m: Any) => m.mountPath === "/opt/hangar-ca" && m.readOnly));
            }
            const bundles = byType(s, "kubernetes:core/v1:ConfigMap").find((r) => (r.inputs.metadata as Any).name === "app-ca-bundles");
            assert.deepStrictEqual(Object.keys((bundles?.inputs.data ?? {}) as object), ["rds-ca-bundle.pem", "rds-proxy-ca-bundle.pem"]);
        });
    });
}

describe("credentials", () => {
    it("RDS master passwords never contain / @ \" ' or space", () => {
        for (const c of ["/", "@", '"', "'", " "]) assert.ok(!RDS_PASSWORD_SPECIALS.includes(c), `contains ${c}`);
    });
    it("ElastiCache tokens use only the specials it accepts", () => {
        assert.ok([...ELASTICACHE_TOKEN_SPECIALS].every((c) => "!&#$^<>-".includes(c)));
    });
    it("URL-encodes credentials", () => {
        assert.strictEqual(
            postgresUrl({ username: "u", password: "p#&?:", host: "h", port: 5432, database: "d", sslMode: "verify-full" }),
            "postgresql://u:p%23%26%3F%3A@h:5432/d?sslmode=verify-full",
        );
        assert.strictEqual(redisUrl({ authToken: "a&b#c<>", host: "h", port: 6379 }), "rediss://:a%26b%23c%3C%3E@h:6379");
    });
    it("physical names are valid RDS identifiers and unique per stack", () => {
        assert.strictEqual(physicalName("Feature_X--1"), "hangar-feature-x-1");
        const long = physicalName("a".repeat(80), "", 40);
        assert.ok(long.length <= 40 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(long));
        assert.notStrictEqual(physicalName("a".repeat(80) + "x", "", 40), long);
    });
});

describe("component defaults and profile defaults", () => {
    const { profileDefaults } = require("../../config") as typeof import("../../config");
    const prod = profileDefaults("prod");
    it("PostgresDatabaseArgs' documented defaults are the prod profile's database values", () => {
        for (const [key, value] of Object.entries(POSTGRES_DEFAULTS)) assert.deepStrictEqual(prod.database[key], value, `database.${key}`);
    });
    it("RedisCacheArgs' documented defaults are the prod profile's cache values, where the profile sets them", () => {
        for (const [key, value] of Object.entries(REDIS_DEFAULTS)) {
            if (key in prod.cache) assert.deepStrictEqual(prod.cache[key], value, `cache.${key}`);
        }
    });
});

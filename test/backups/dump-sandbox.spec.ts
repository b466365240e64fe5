/**
 * The dump job's script as the CronJob really runs it (issue 16, item 6): a read-only root filesystem
 * except the pod's own mounts, the container's environment from the job spec, and an `aws` stand-in
 * that writes its credential cache under HOME the way the real CLI does. Debian's bubblewrap builds
 * the filesystem: a tmpfs root with the system directories bound read-only, the pod's volumes bound
 * where the spec mounts them, then the root remounted read-only.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dumpCronJobSpec } from "../../components/backups/dump-job";
import { ROOT } from "../../tools/harness";
import { startSslOnlyServer, TestServer } from "./postgres-server";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const FAKE_AWS = path.join(ROOT, "test/fixtures/backups/fake-aws");
const haveBwrap = spawnSync("bwrap", ["--version"]).status === 0;

/** The system directories a container image would bring, read-only (merged /usr: /bin, /lib… are symlinks). */
function systemBinds(): string[] {
    const args: string[] = [];
    for (const dir of ["usr", "etc", "bin", "sbin", "lib", "lib64", "var/lib/postgresql"]) {
        const host = `/${dir}`;
        if (!fs.existsSync(host)) continue;
        const stat = fs.lstatSync(host);
        if (stat.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(host), host);
        else args.push("--ro-bind", host, host);
    }
    return args;
}

interface Sandbox {
    args: string[];
    env: Record<string, string>;
    s3: string;
    cleanup(): void;
}

/** bwrap arguments for the job's container: its mounts, its env (PG* from the test server), and nothing else writable. */
function sandboxFor(server: TestServer): Sandbox {
    const spec = dumpCronJobSpec({
        schedule: "15 2 * * *",
        image: "registry.example/pg-dump:16",
        deadlineSeconds: 3600,
        database: "flightdata",
        username: "postgres",
        destination: "s3://hangar-test-dumps/postgres",
        host: "localhost",
        port: 5432,
    }) as Any;
    const pod = spec.jobTemplate.spec.template.spec;
    const [container] = pod.containers;
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-sandbox-"));
    const s3 = path.join(temp, "s3");
    fs.mkdirSync(s3);
    const args = ["--tmpfs", "/", ...systemBinds(), "--dev", "/dev", "--proc", "/proc"];
    for (const mount of container.volumeMounts) {
        const volume = pod.volumes.find((v: Any) => v.name === mount.name);
        if (volume.configMap) {
            const dir = path.join(temp, mount.name);
            fs.mkdirSync(dir);
            if (volume.configMap.name === "pg-dump-script") {
                // The script ConfigMap: the repository's script, read-only, where the spec mounts it.
                fs.copyFileSync(path.join(ROOT, "components/backups/pg-dump.sh"), path.join(dir, "pg-dump.sh"));
            } else if (volume.configMap.name === "pg-dump-ca-bundles") {
                // The CA bundle ConfigMap: here the test CA, under the file name PGSSLROOTCERT gives, in the mounted directory.
                const file = container.env.find((e: Any) => e.name === "PGSSLROOTCERT").value as string;
                assert.strictEqual(path.dirname(file), mount.mountPath, "PGSSLROOTCERT is a file of the bundle mount");
                fs.copyFileSync(server.caFile, path.join(dir, path.basename(file)));
            } else {
                throw new Error(`ConfigMap ${volume.configMap.name} the sandbox does not model`);
            }
            args.push("--ro-bind", dir, mount.mountPath);
        } else if (volume.emptyDir) {
            const dir = path.join(temp, mount.name);
            fs.mkdirSync(dir);
            args.push(mount.readOnly ? "--ro-bind" : "--bind", dir, mount.mountPath);
        } else {
            throw new Error(`volume ${mount.name} of a kind the sandbox does not model`);
        }
    }
    args.push("--ro-bind", FAKE_AWS, "/opt/test-bin", "--bind", s3, "/fake-s3", "--remount-ro", "/");
    const env: Record<string, string> = { PATH: "/opt/test-bin:/usr/local/bin:/usr/bin:/bin" };
    for (const e of container.env) if (typeof e.value === "string") env[e.name] = e.value;
    Object.assign(env, { PGHOST: "localhost", PGPORT: String(server.env.PGPORT), PGPASSWORD: String(server.env.PGPASSWORD) });
    return {
        args: [...args, "--clearenv", ...Object.entries(env).flatMap(([k, v]) => ["--setenv", k, v]), ...container.command],
        env,
        s3,
        cleanup: () => fs.rmSync(temp, { recursive: true, force: true }),
    };
}

describe("the dump job in its real filesystem (read-only root, the pod's mounts only)", function () {
    this.timeout(120000);
    let server: TestServer;
    before(function () {
        if (!haveBwrap) this.skip();
        server = startSslOnlyServer();
        server.psql("CREATE DATABASE flightdata");
        server.psql("CREATE TABLE stations (icao text primary key)", "flightdata");
        server.psql("INSERT INTO stations VALUES ('EGLL'), ('LFPG')", "flightdata");
    });
    after(() => server?.stop());

    it("dumps and uploads: every path the script and the aws CLI write is on a writable mount", () => {
        const box = sandboxFor(server);
        try {
            const run = spawnSync("bwrap", box.args, { encoding: "utf8" });
            assert.strictEqual(run.status, 0, `${run.stdout}\n${run.stderr}`);
            const uploaded = fs.readdirSync(path.join(box.s3, "hangar-test-dumps", "postgres"));
            assert.ok(uploaded.some((f) => f.endsWith(".dump")) && uploaded.some((f) => f.endsWith(".dump.sha256")), uploaded.join(", "));
        } finally {
            box.cleanup();
        }
    });

    it("is really read-only outside its mounts", () => {
        const box = sandboxFor(server);
        try {
            const i = box.args.indexOf("--clearenv");
            const probe = spawnSync("bwrap", [...box.args.slice(0, i), "sh", "-c", "touch /etc/hangar-probe"], { encoding: "utf8" });
            assert.notStrictEqual(probe.status, 0);
            assert.match(probe.stderr, /Read-only file system/);
        } finally {
            box.cleanup();
        }
    });
});

describe("the dump script on SIGTERM (issue 16, item 6)", () => {
    it("stops at once with 143, removing its work directory, instead of running on", async function () {
        this.timeout(20000);
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-slow-"));
        const work = path.join(bin, "tmp");
        fs.mkdirSync(work);
        // A pg_dump that takes its time, so the signal arrives mid-dump.
        fs.writeFileSync(path.join(bin, "pg_dump"), "#!/bin/sh\nsleep 5\n", { mode: 0o755 });
        const ca = path.join(bin, "ca.pem");
        fs.writeFileSync(ca, "");
        const env = {
            PATH: `${bin}:/usr/bin:/bin`,
            TMPDIR: work,
            PGHOST: "h",
            PGDATABASE: "d",
            PGUSER: "u",
            PGPASSWORD: "p",
            PGSSLROOTCERT: ca,
            DUMP_DESTINATION: `file://${bin}/out`,
        };
        const child = spawn("sh", [path.join(ROOT, "components/backups/pg-dump.sh")], { env, detached: true });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        await new Promise((r) => setTimeout(r, 500));
        process.kill(-child.pid!, "SIGTERM");
        const code = await new Promise<number | null>((resolve) =>
            child.on("exit", (c, signal) => resolve(c ?? (signal ? 128 + 15 : null))),
        );
        try {
            assert.strictEqual(code, 143, stderr);
            assert.doesNotMatch(stderr, /pg_dump failed|archive does not read back/, "nothing ran after the signal");
            assert.deepStrictEqual(fs.readdirSync(work), [], "its work directory is gone");
        } finally {
            fs.rmSync(bin, { recursive: true, force: true });
        }
    });
});

/**
 * A throwaway PostgreSQL that accepts TLS connections only, with a certificate
 * from a test CA, so `sslmode=verify-full` is exercised for real. Runs as the
 * `postgres` user when the tests run as root (CI), as the current user otherwise.
 */
import { execFileSync, ExecFileSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface TestServer {
    env: NodeJS.ProcessEnv;
    caFile: string;
    dir: string;
    psql(sql: string, database?: string): string;
    stop(): void;
}

function binDir(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))) : [];
    if (versions.length === 0) throw new Error("PostgreSQL server binaries not found: apt-get install postgresql (CI's .ci/run does)");
    return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

/**
 * The certificates, the password file and an initdb'd cluster in `dir` (owned by the server's user): about
 * 3 s of key generation and initdb, so the spec files of one test run (HANGAR_TEST_RUN, set by
 * tools/run-tests.js) build it once and each server starts from a copy.
 */
function initialise(dir: string, bin: string): void {
    const quiet: ExecFileSyncOptions = { stdio: "pipe", cwd: dir };
    const openssl = (...args: string[]) => execFileSync("openssl", args, quiet);

    openssl(
        "req",
        "-x509",
        "-new",
        "-nodes",
        "-newkey",
        "rsa:2048",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-subj",
        "/CN=Hangar Test CA",
        "-days",
        "2",
    );
    openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    );
    fs.chmodSync(path.join(dir, "server.key"), 0o600);
    fs.writeFileSync(path.join(dir, "pwfile"), `pw-${Math.random().toString(36).slice(2)}\n`);
    if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
    asServer(
        path.join(bin, "initdb"),
        ["-D", path.join(dir, "data"), "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${path.join(dir, "pwfile")}`, "--no-sync"],
        quiet,
    );
}

function asServer(cmd: string, args: string[], options: ExecFileSyncOptions): void {
    if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], options);
    else execFileSync(cmd, args, options);
}

/** Fills `dir` from the run's shared template (built by the first server of the run), or initialises it alone. */
function prepare(dir: string, bin: string): void {
    const run = process.env.HANGAR_TEST_RUN;
    if (!run) return initialise(dir, bin);
    fs.mkdirSync(run, { recursive: true });
    const template = path.join(run, "postgres-template");
    const lock = `${template}.lock`;
    let builds = true;
    try {
        // The lock stays: the first server of the run builds the template, every later one copies it.
        fs.mkdirSync(lock);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        builds = false;
    }
    if (builds) {
        const building = `${template}.building`;
        fs.mkdirSync(building);
        fs.chmodSync(building, 0o755);
        initialise(building, bin);
        fs.renameSync(building, template);
    }
    // Another spec file is building it: wait (synchronously, as the caller is) for the rename.
    for (let waited = 0; !fs.existsSync(template); waited += 100) {
        if (waited > 60_000) return initialise(dir, bin);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    // -a keeps the server user's ownership and the key's and data directory's modes.
    execFileSync("cp", ["-a", `${template}/.`, dir]);
}

export function startSslOnlyServer(): TestServer {
    const bin = binDir();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-pg-"));
    fs.chmodSync(dir, 0o755);
    const quiet: ExecFileSyncOptions = { stdio: "pipe", cwd: dir };
    prepare(dir, bin);
    const password = fs.readFileSync(path.join(dir, "pwfile"), "utf8").trim();
    const data = path.join(dir, "data");
    // TLS or nothing: plain TCP is rejected outright.
    fs.writeFileSync(
        path.join(data, "pg_hba.conf"),
        ["hostssl all all 127.0.0.1/32 scram-sha-256", "hostnossl all all 0.0.0.0/0 reject", "local all all reject", ""].join("\n"),
    );
    const port = 20000 + Math.floor(Math.random() * 20000);
    const options = [
        `-c listen_addresses=127.0.0.1`,
        `-c port=${port}`,
        `-c unix_socket_directories=${dir}`,
        `-c ssl=on`,
        `-c ssl_cert_file=${path.join(dir, "server.crt")}`,
        `-c ssl_key_file=${path.join(dir, "server.key")}`,
        `-c fsync=off`,
    ].join(" ");
    asServer(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"], quiet);

    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PGHOST: "localhost",
        PGPORT: String(port),
        PGUSER: "postgres",
        PGPASSWORD: password,
        PGDATABASE: "postgres",
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: path.join(dir, "ca.crt"),
    };
    return {
        env,
        caFile: path.join(dir, "ca.crt"),
        dir,
        psql: (sql, database = "postgres") =>
            execFileSync("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql], {
                env,
                encoding: "utf8",
            }).trim(),
        stop: () => {
            try {
                asServer(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], quiet);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

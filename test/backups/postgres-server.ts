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

export function startSslOnlyServer(): TestServer {
    const bin = binDir();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-pg-"));
    fs.chmodSync(dir, 0o755);
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

    const password = `pw-${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(path.join(dir, "pwfile"), `${password}\n`);
    const asServer = (cmd: string, args: string[]) =>
        asRoot ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], quiet) : execFileSync(cmd, args, quiet);
    if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);

    const data = path.join(dir, "data");
    asServer(path.join(bin, "initdb"), [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth=scram-sha-256",
        `--pwfile=${path.join(dir, "pwfile")}`,
        "--no-sync",
    ]);
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
    asServer(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]);

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
                asServer(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

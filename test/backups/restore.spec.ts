import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../tools/harness";
import { startSslOnlyServer, TestServer } from "./postgres-server";

const SCRIPT = path.join(ROOT, "components/backups/pg-dump.sh");
const TABLES = ["stations", "metar_reports", "notes"];

/** Row count and an order-independent checksum of every row, per table. */
function fingerprint(server: TestServer, database: string): Record<string, string> {
    return Object.fromEntries(
        TABLES.map((t) => [
            t,
            server.psql(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ${t} x`, database),
        ]),
    );
}

describe("the dump script against a TLS-only PostgreSQL", function () {
    this.timeout(120000);
    let server: TestServer;
    let out: string;

    before(() => {
        server = startSslOnlyServer();
        out = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-dumps-"));
        server.psql("CREATE DATABASE flightdata");
        execFileSync(
            "psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "flightdata", "-f", path.join(ROOT, "test/fixtures/backups/dataset.sql")],
            {
                env: server.env,
                stdio: "pipe",
            },
        );
    });
    after(() => {
        server?.stop();
        if (out) fs.rmSync(out, { recursive: true, force: true });
    });

    const runDump = (env: NodeJS.ProcessEnv) => spawnSync("sh", [SCRIPT], { env, encoding: "utf8" });

    it("refuses plain TCP: the server only speaks TLS", () => {
        const plain = spawnSync("psql", ["-X", "-c", "select 1"], { env: { ...server.env, PGSSLMODE: "disable" }, encoding: "utf8" });
        assert.notStrictEqual(plain.status, 0);
    });

    it("dumps over verify-full TLS, restores into a fresh database with identical counts and checksums", () => {
        const dump = runDump({ ...server.env, PGDATABASE: "flightdata", DUMP_DESTINATION: `file://${out}` });
        assert.strictEqual(dump.status, 0, dump.stderr);
        const files = fs.readdirSync(out);
        const archive = files.find((f) => f.endsWith(".dump")) as string;
        assert.ok(archive && files.includes(`${archive}.sha256`), `dump and checksum written: ${files.join(", ")}`);
        execFileSync("sha256sum", ["-c", "--status", `${archive}.sha256`], { cwd: out });

        server.psql("CREATE DATABASE restored");
        execFileSync("pg_restore", ["--no-owner", "--exit-on-error", "-d", "restored", path.join(out, archive)], {
            env: server.env,
            stdio: "pipe",
        });
        const original = fingerprint(server, "flightdata");
        assert.deepStrictEqual(fingerprint(server, "restored"), original);
        assert.strictEqual(original.metar_reports.split(":")[0], "2000");
    });

    it("fails when the server's certificate is not from the expected CA", () => {
        const otherCa = path.join(out, "other-ca.crt");
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-new",
                "-nodes",
                "-newkey",
                "rsa:2048",
                "-keyout",
                path.join(out, "other.key"),
                "-out",
                otherCa,
                "-subj",
                "/CN=Other CA",
                "-days",
                "1",
            ],
            { stdio: "pipe" },
        );
        const dump = runDump({
            ...server.env,
            PGDATABASE: "flightdata",
            PGSSLROOTCERT: otherCa,
            DUMP_DESTINATION: `file://${path.join(out, "x")}`,
        });
        assert.notStrictEqual(dump.status, 0);
        assert.match(dump.stderr, /pg_dump failed/);
    });

    it("refuses to dump without certificate verification", () => {
        const dump = runDump({ ...server.env, PGDATABASE: "flightdata", PGSSLMODE: "require", DUMP_DESTINATION: `file://${out}` });
        assert.notStrictEqual(dump.status, 0);
        assert.match(dump.stderr, /refusing PGSSLMODE=require/);
    });

    it("fails on a database that does not exist, and writes nothing", () => {
        const target = path.join(out, "missing");
        const dump = runDump({ ...server.env, PGDATABASE: "nosuchdb", DUMP_DESTINATION: `file://${target}` });
        assert.notStrictEqual(dump.status, 0);
        assert.ok(!fs.existsSync(target) || fs.readdirSync(target).length === 0);
    });
});

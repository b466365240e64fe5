/**
 * The exporter login's SQL against a real TLS-only PostgreSQL, run with the
 * Job's own command and environment: idempotent, pg_monitor only, the password
 * quoted whatever it holds.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EXPORTER_LOGIN_SQL, exporterLoginJobSpec } from "../../components/monitoring/exporter-login";
import { startSslOnlyServer, TestServer } from "../backups/postgres-server";

describe("the exporter login SQL against a TLS-only PostgreSQL", function () {
    this.timeout(120000);
    let server: TestServer;
    let sqlFile: string;
    const container = exporterLoginJobSpec({
        image: "postgres:16.6-alpine",
        host: "localhost",
        port: "5432",
        database: "postgres",
        username: "hangar_monitor",
        sqlConfigMap: "sql",
        caConfigMap: "ca",
    }).template.spec.containers[0];

    before(() => {
        server = startSslOnlyServer();
        sqlFile = path.join(server.dir, "login.sql");
        fs.writeFileSync(sqlFile, EXPORTER_LOGIN_SQL);
    });
    after(() => server?.stop());

    /** The Job's command (its SQL file path swapped for the local copy) with the Job's variables. */
    const runJob = (password: string) => {
        const command = container.command.map((a) => (a.startsWith("--file=") ? `--file=${sqlFile}` : a));
        return spawnSync(command[0], command.slice(1), {
            env: { ...server.env, EXPORTER_USER: "hangar_monitor", EXPORTER_PASSWORD: password, HOME: server.dir },
            encoding: "utf8",
        });
    };
    const loginAs = (password: string) =>
        spawnSync("psql", ["-X", "-q", "-t", "-A", "-c", "SELECT current_user"], {
            env: { ...server.env, PGUSER: "hangar_monitor", PGPASSWORD: password },
            encoding: "utf8",
        });

    it("creates a login that is a member of pg_monitor and nothing more", () => {
        const first = runJob("first'pw%s$1");
        assert.strictEqual(first.status, 0, first.stderr);
        assert.strictEqual(loginAs("first'pw%s$1").stdout.trim(), "hangar_monitor");
        assert.strictEqual(server.psql("SELECT pg_has_role('hangar_monitor', 'pg_monitor', 'MEMBER')"), "t");
        assert.strictEqual(
            server.psql("SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication FROM pg_roles WHERE rolname = 'hangar_monitor'"),
            "f",
        );
    });

    it("runs again without error, and a new password replaces the old one", () => {
        const again = runJob("second-pw");
        assert.strictEqual(again.status, 0, again.stderr);
        assert.notStrictEqual(loginAs("first'pw%s$1").status, 0, "the old password no longer works");
        assert.strictEqual(loginAs("second-pw").status, 0);
        assert.strictEqual(server.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'hangar_monitor'"), "1");
    });

    it("prints neither password nor statement", () => {
        const out = runJob("third-pw");
        assert.strictEqual(out.status, 0, out.stderr);
        assert.ok(!`${out.stdout}${out.stderr}`.includes("third-pw"));
    });

    it("fails, changing nothing, when the password is missing from the environment", () => {
        const command = container.command.map((a) => (a.startsWith("--file=") ? `--file=${sqlFile}` : a));
        const out = spawnSync(command[0], command.slice(1), { env: { ...server.env, EXPORTER_USER: "hangar_monitor" }, encoding: "utf8" });
        assert.notStrictEqual(out.status, 0);
        assert.strictEqual(loginAs("third-pw").status, 0);
    });
});

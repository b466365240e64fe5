/**
 * The connection URLs External Secrets Operator builds at run time (components/external-secrets/templates.ts), rendered
 * by Go's text/template as ESO's engine v2 does (test/fixtures/eso-template/main.go; Debian golang-go, installed by
 * .ci/run), for every character the password generators may produce: the rendered URL must parse back to the same
 * user, password, host, port and database. One Go process renders every case.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { encodedField, postgresUrlTemplate, redisUrlTemplate } from "../../components/external-secrets";
import { RDS_PASSWORD_SPECIALS } from "../../components/data";
import { ROOT } from "../../tools/harness";

/**
 * Secrets Manager's GetRandomPassword draws from letters, digits and the punctuation below
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html); the rotation function
 * excludes / @ " ' \ and no space is included (IncludeSpace false).
 */
const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const ROTATION_EXCLUDED = "/@\"'\\";
const ROTATION_CHARS = [...PUNCTUATION].filter((c) => !ROTATION_EXCLUDED.includes(c)).join("");
/** ElastiCache AUTH tokens: letters, digits and these (DESIGN, "ElastiCache AUTH token"). */
const TOKEN_SPECIALS = "!&#$^<>-";
const ALNUM = "ABCxyz019";

interface Case {
    template: string;
    data: Record<string, string>;
}

function render(cases: Case[]): string[] {
    const run = spawnSync("go", ["run", path.join(ROOT, "test/fixtures/eso-template/main.go")], {
        input: JSON.stringify(cases),
        encoding: "utf8",
        env: { ...process.env, GOFLAGS: "-mod=mod", GO111MODULE: "off" },
    });
    assert.strictEqual(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as string[];
}

const hasGo = spawnSync("go", ["version"]).status === 0;

describe("External Secrets Operator's URL templates, rendered by Go's text/template", function () {
    this.timeout(60_000);
    const host = "hangar-prod.c9akciq32xyz.eu-west-1.rds.amazonaws.com";
    const pg = postgresUrlTemplate({ host, port: 5432, database: "hangar", sslMode: "verify-full", bundle: "proxy" });
    const redis = redisUrlTemplate({ host: "master.hangar-prod.abc123.euw1.cache.amazonaws.com", port: 6379 });
    // Every character alone between letters, and all of them at once.
    const passwords = [...new Set([...ROTATION_CHARS, ...RDS_PASSWORD_SPECIALS])].map((c) => `${ALNUM}${c}${ALNUM}`);
    passwords.push(`${ROTATION_CHARS}${RDS_PASSWORD_SPECIALS}${ALNUM}`);
    const tokens = [...TOKEN_SPECIALS].map((c) => `${ALNUM}${c}${c}${ALNUM}`).concat(`${TOKEN_SPECIALS}${ALNUM}`);
    let rendered: string[] = [];
    let raw: string[] = [];

    before(function () {
        if (!hasGo) this.skip();
        const cases: Case[] = [
            ...passwords.map((password) => ({ template: pg, data: { username: "hangar_admin", password } })),
            ...tokens.map((token) => ({ template: redis, data: { token } })),
            // The same template without the encoding, to show it is needed.
            ...passwords.map((password) => ({
                template: pg.replace(encodedField("password"), "{{ .password }}"),
                data: { username: "hangar_admin", password },
            })),
            { template: pg, data: { username: "hangar_admin" } },
        ];
        const out = render(cases);
        rendered = out.slice(0, passwords.length + tokens.length);
        raw = out.slice(passwords.length + tokens.length, -1);
        rendered.push(out[out.length - 1]);
    });

    it("the generators' alphabets: no space, none of / @ \" ' \\ in the rotation function's", () => {
        assert.ok(!ROTATION_CHARS.includes(" ") && !/[/@"'\\]/.test(ROTATION_CHARS));
        assert.ok(!RDS_PASSWORD_SPECIALS.includes(" "));
        assert.strictEqual(ROTATION_CHARS.length, 27);
    });

    it("DATABASE_URL: every password character round-trips through the URL's userinfo; host, port, database and TLS stay", () => {
        passwords.forEach((password, i) => {
            const url = new URL(rendered[i]);
            assert.strictEqual(decodeURIComponent(url.password), password, rendered[i]);
            assert.strictEqual(decodeURIComponent(url.username), "hangar_admin");
            assert.deepStrictEqual([url.protocol, url.hostname, url.port, url.pathname], ["postgresql:", host, "5432", "/hangar"]);
            assert.strictEqual(url.searchParams.get("sslmode"), "verify-full");
            assert.strictEqual(url.searchParams.get("sslrootcert"), "/opt/hangar-ca/rds-proxy-ca-bundle.pem");
        });
    });

    it("REDIS_URL: every AUTH token character round-trips", () => {
        tokens.forEach((token, i) => {
            const url = new URL(rendered[passwords.length + i]);
            assert.strictEqual(decodeURIComponent(url.password), token);
            assert.deepStrictEqual([url.protocol, url.port], ["rediss:", "6379"]);
        });
    });

    it("without urlquery the URL breaks on some of them (the encoding is what makes it hold)", () => {
        const broken = passwords.filter((password, i) => {
            try {
                const url = new URL(raw[i]);
                return decodeURIComponent(url.password) !== password || url.hostname !== host;
            } catch {
                return true;
            }
        });
        assert.ok(
            broken.some((p) => p.includes("#")) && broken.some((p) => p.includes("?")) && broken.some((p) => p.includes("%")),
            broken.join(" "),
        );
    });

    it("a field the secret lacks fails the render (missingkey=error), instead of writing <no value>", () => {
        assert.match(rendered[rendered.length - 1], /^ERROR: .*map has no entry for key "password"/);
    });
});

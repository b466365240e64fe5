import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EXIT, main, parseSets } from "../../automation/cli";
import { lockKey, locks } from "../../automation/session";
import { connect } from "../../automation/workspace";
import { FAKE_ROOT, FakeCli, policy, REPO_ROOT, step, urn } from "./harness";

/** Runs `hangar` in-process against the fake CLI. */
async function hangar(fake: FakeCli, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        env: {},
        connection: fake.options(),
    });
    return { code, stdout, stderr };
}

describe("automation: the hangar CLI", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    it("previews with progress and exits 0, or 3 on a mandatory violation", async () => {
        fake = new FakeCli({
            commands: {
                preview: {
                    events: [step("create", "aws:s3/bucket:Bucket", urn("staging", "aws:s3/bucket:Bucket", "dumps"))],
                    stdout: "Previewing update (staging)\n",
                },
            },
        });
        const ok = await hangar(fake, "preview", "staging");
        assert.strictEqual(ok.code, EXIT.ok, ok.stderr);
        assert.match(ok.stdout, /Previewing update \(staging\)/);
        assert.match(ok.stdout, /Preview of staging \(staging\): 1 to create/);

        fake.script({
            commands: {
                preview: {
                    events: [policy("mandatory", "pod-non-root", urn("prod", "kubernetes:apps/v1:Deployment", "api"), "set runAsNonRoot")],
                    exitCode: 255,
                },
            },
        });
        const blocked = await hangar(fake, "preview", "prod");
        assert.strictEqual(blocked.code, EXIT.policy);
        assert.match(blocked.stdout, /mandatory\s+hangar-guardrails\/pod-non-root/);
        const refused = await hangar(fake, "up", "prod");
        assert.strictEqual(refused.code, EXIT.policy);
        assert.strictEqual(fake.calls("up").length, 0);
    });

    it("exits 4 when the stack is locked, and 1 when up would replace a stateful resource", async () => {
        fake = new FakeCli({ commands: { up: { stderr: "error: the stack is currently locked by 1 lock(s).\n", exitCode: 255 } } });
        const locked = await hangar(fake, "up", "staging", "--quiet");
        assert.strictEqual(locked.code, EXIT.busy);
        assert.match(locked.stderr, /locked by another update.*Retry/s);

        const db = urn("staging", "aws:rds/instance:Instance", "hangar-db");
        fake.script({ commands: { preview: { events: [step("replace", "aws:rds/instance:Instance", db)] } } });
        const refused = await hangar(fake, "up", "staging", "--quiet");
        assert.strictEqual(refused.code, EXIT.failure);
        assert.match(refused.stderr, /--allow-replace/);
        assert.strictEqual((await hangar(fake, "up", "staging", "--quiet", "--allow-replace", db)).code, EXIT.ok);
    });

    it("prints outputs as JSON with secrets redacted", async () => {
        fake = new FakeCli({
            outputs: { environment: { value: "staging", secret: false }, dbPassword: { value: "hunter2", secret: true } },
        });
        const { code, stdout } = await hangar(fake, "outputs", "staging");
        assert.strictEqual(code, EXIT.ok);
        assert.deepStrictEqual(JSON.parse(stdout), { environment: "staging", dbPassword: "[secret]" });
    });

    it("exits 2 on usage errors: no command, unknown command or flag, destroy and remove without --yes, a bad name or --set", async () => {
        fake = new FakeCli();
        const usage = [
            [],
            ["deploy", "staging"],
            ["preview"],
            ["preview", "staging", "--frobnicate"],
            ["destroy", "staging"],
            ["remove", "pr-1"],
            ["preview", "../prod"],
            ["create", "prod", "--from", "staging"],
            ["create", "pr-1", "--from", "staging", "--set", "novalue"],
            ["create", "pr-1", "--from", "staging", "--set", "database.backupRetentionDays=99"],
        ];
        for (const argv of usage) {
            const { code, stderr } = await hangar(fake, ...argv);
            assert.strictEqual(code, EXIT.usage, `${argv.join(" ")}: ${stderr}`);
        }
        assert.ok(!fs.existsSync(fake.recordFile), "no usage error reached the CLI");
        assert.strictEqual((await hangar(fake, "--help")).code, EXIT.ok);
    });

    it("creates and removes an environment with --set overrides", async () => {
        fake = new FakeCli();
        const created = await hangar(
            fake,
            "create",
            "pr-9",
            "--from",
            "staging",
            "--set",
            "database.instanceClass=db.t4g.small",
            "--set",
            "cache.nodes=1",
        );
        assert.strictEqual(created.code, EXIT.ok, created.stderr);
        const stackFile = fs.readFileSync(path.join(fake.environmentsDir, "pr-9", "Pulumi.pr-9.yaml"), "utf8");
        assert.match(stackFile, /instanceClass: db\.t4g\.small/);
        const removed = await hangar(fake, "remove", "pr-9", "--yes", "--quiet");
        assert.strictEqual(removed.code, EXIT.ok, removed.stderr);
        assert.ok(!fs.existsSync(path.join(fake.environmentsDir, "pr-9")));
    });

    it("a failed remove without a Pulumi CLI leaves nothing behind: create then fails for the missing CLI, not 'already exists'", async () => {
        fake = new FakeCli();
        const noCli = { ...fake.options(), pulumiRoot: path.join(fake.dir, "no-pulumi-here") };
        const run = async (...argv: string[]) => {
            let stderr = "";
            const code = await main(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), env: {}, connection: noCli });
            return { code, stderr };
        };
        const removed = await run("remove", "pr-13", "--yes", "--quiet");
        assert.strictEqual(removed.code, EXIT.failure, removed.stderr);
        assert.match(removed.stderr, /Pulumi CLI was not found/);
        assert.ok(!fs.existsSync(path.join(fake.environmentsDir, "pr-13")), "remove left the environment's work directory");
        const created = await run("create", "pr-13", "--from", "staging");
        assert.strictEqual(created.code, EXIT.failure, created.stderr);
        assert.match(created.stderr, /Pulumi CLI was not found/);
        assert.doesNotMatch(created.stderr, /already exists/);
        assert.deepStrictEqual(fs.existsSync(fake.environmentsDir) ? fs.readdirSync(fake.environmentsDir) : [], []);
        assert.strictEqual(locks.holder(lockKey(connect(noCli), "pr-13")), undefined, "the stack's lock is free");
        // With a CLI, the same name is free.
        assert.strictEqual((await hangar(fake, "create", "pr-13", "--from", "staging")).code, EXIT.ok);
    });

    it("reads --set values as YAML", () => {
        assert.deepStrictEqual(
            parseSets(["a.b=1", "a.c=true", 'a.d="123456789012"', "a.e=[x, y]", "a.f=arn:aws:iam::1:role/x", "a.g=x=y"]),
            {
                "a.b": 1,
                "a.c": true,
                "a.d": "123456789012",
                "a.e": ["x", "y"],
                "a.f": "arn:aws:iam::1:role/x",
                "a.g": "x=y",
            },
        );
    });

    it("runs as a plain-JS shim (automation/hangar.js) with the fake CLI from HANGAR_PULUMI_ROOT", () => {
        fake = new FakeCli();
        const shim = path.join(REPO_ROOT, "automation", "hangar.js");
        assert.match(fs.readFileSync(shim, "utf8"), /^#!\/usr\/bin\/env node\n/);
        const env = {
            ...process.env,
            HANGAR_PULUMI_ROOT: FAKE_ROOT,
            HANGAR_ENVIRONMENTS_DIR: fake.environmentsDir,
            FAKE_PULUMI_RECORD: fake.recordFile,
        };
        // The fake CLI has no cluster behind it (preflight.spec.ts covers the reads).
        const ok = spawnSync(shim, ["preview", "staging", "--skip-preflight"], { env, encoding: "utf8" });
        assert.strictEqual(ok.status, EXIT.ok, ok.stderr);
        assert.match(ok.stdout, /Preview of staging/);
        assert.deepStrictEqual(
            fake.invocations().map((i) => i.command),
            ["version", "stack select", "preview"],
        );
    });
});

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { FAKE_ROOT, FakeCli } from "./harness";

describe("automation: the fake Pulumi CLI", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    it("answers version, replays per-stack replies before per-command ones, and records every run with start and end", () => {
        fake = new FakeCli({ commands: { "stack select@ghost": { stderr: "error: no stack named 'ghost' found\n", exitCode: 255 } } });
        const env = { ...process.env, FAKE_PULUMI_RECORD: fake.recordFile, FAKE_PULUMI_SCENARIO: fake.scenarioFile };
        const run = (...args: string[]) => spawnSync(path.join(FAKE_ROOT, "bin", "pulumi"), args, { env, cwd: fake.dir, encoding: "utf8" });
        assert.strictEqual(run("version").stdout, "v3.248.0\n");
        assert.strictEqual(run("stack", "select", "--stack", "staging").status, 0);
        const ghost = run("stack", "select", "--stack", "ghost");
        assert.strictEqual(ghost.status, 255);
        assert.match(ghost.stderr, /no stack named 'ghost' found/);
        const runs = fake.invocations();
        assert.deepStrictEqual(
            runs.map((r) => [r.command, r.stack ?? null, r.exitCode]),
            [
                ["version", null, 0],
                ["stack select", "staging", 0],
                ["stack select", "ghost", 255],
            ],
        );
        for (const r of runs) {
            assert.ok(r.start <= r.end, "start before end");
            assert.strictEqual(r.cwd, fake.dir);
        }
        assert.ok(runs[0].end <= runs[1].start && runs[1].end <= runs[2].start, "sequential runs do not overlap");
    });

    it("writes `config set-all` into the working directory's stack file, as the CLI does (why environments get a directory of their own)", async () => {
        fake = new FakeCli();
        const workDir = path.join(fake.dir, "project");
        fs.mkdirSync(workDir);
        const workspace = await LocalWorkspace.create({
            workDir,
            pulumiCommand: await PulumiCommand.get({ root: FAKE_ROOT }),
            envVars: { FAKE_PULUMI_RECORD: fake.recordFile, FAKE_PULUMI_SCENARIO: fake.scenarioFile },
        });
        await workspace.setAllConfig("dev", {
            "hangar:environment": { value: "ephemeral" },
            "hangar:token": { value: "s3cr3t", secret: true },
        });
        const written = parseYaml(fs.readFileSync(path.join(workDir, "Pulumi.dev.yaml"), "utf8"));
        assert.strictEqual(written.config["hangar:environment"], "ephemeral");
        assert.ok(written.config["hangar:token"].secure, "secrets are stored encrypted, not in plaintext");
        assert.deepStrictEqual(fake.calls("config set-all")[0].args.slice(0, 4), ["config", "set-all", "--stack", "dev"]);
    });
});

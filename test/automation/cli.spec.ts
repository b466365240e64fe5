import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BusyError, CliNotFoundError, ConnectionOptions, INSTALL_HINT, StackLockedError } from "../../automation";
import { EXIT, main, parseSets } from "../../automation/cli";
import { CLI_WORDS } from "../../automation/cli-output";
import { lockKey, locks } from "../../automation/session";
import { connect } from "../../automation/workspace";
import { FAKE_ROOT, FakeCli, policy, REPO_ROOT, Scenario, step, urn } from "./harness";

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

const db = urn("staging", "aws:rds/instance:Instance", "hangar-db");

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

    it("accepts a stateful replacement named with --allow-replace (the refusal is in the failures below)", async () => {
        fake = new FakeCli({ commands: { preview: { events: [step("replace", "aws:rds/instance:Instance", db)] } } });
        const accepted = await hangar(fake, "up", "staging", "--quiet", "--allow-replace", db);
        assert.strictEqual(accepted.code, EXIT.ok, accepted.stderr);
        assert.strictEqual(fake.calls("up").length, 1);
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

/** How the Automation API spells what a caller passes or calls; the CLI's messages must not. */
const API_SPELLING =
    /allowProd|allowReplace|createEnvironment|removeEnvironment|pulumiRoot|pulumiCommand|environmentsDir|whenBusy|cancel\(|\boverrides\b/;

/** One failure of `hangar`: how to provoke it, its exit code, its JSON code, and what its message must say. */
interface Failure {
    what: string;
    argv: string[];
    exit: number;
    code: string;
    says: RegExp;
    setup?: (fake: FakeCli) => void;
    scenario?: Scenario;
    env?: Record<string, string>;
    connection?: (fake: FakeCli) => ConnectionOptions;
    signal?: AbortSignal;
    /** Checks the typed details of the JSON document's `error`. */
    details?: (error: Record<string, unknown>) => void;
}

const FAILURES: Failure[] = [
    { what: "no command", argv: [], exit: EXIT.usage, code: "USAGE", says: /no command given/ },
    { what: "an unknown command", argv: ["deploy", "staging"], exit: EXIT.usage, code: "USAGE", says: /unknown command "deploy"/ },
    { what: "an unknown flag", argv: ["preview", "staging", "--frobnicate"], exit: EXIT.usage, code: "USAGE", says: /--frobnicate/ },
    { what: "destroy without --yes", argv: ["destroy", "pr-1"], exit: EXIT.usage, code: "USAGE", says: /confirm with --yes/ },
    { what: "a bad name", argv: ["preview", "../prod"], exit: EXIT.usage, code: "INVALID", says: /invalid stack name/ },
    {
        what: "destroying prod",
        argv: ["destroy", "prod", "--yes"],
        exit: EXIT.usage,
        code: "INVALID",
        says: /destroying it needs --allow-prod$/,
        // The issues are the API's data: they name the option by its key path.
        details: (error) =>
            assert.deepStrictEqual(error.issues, [
                { path: "allowProd", message: 'stack "prod" is prod: destroying it needs allowProd: true' },
            ]),
    },
    {
        what: "a --from without a stack file",
        argv: ["create", "pr-2", "--from", "nosuch"],
        exit: EXIT.usage,
        code: "INVALID",
        says: /--from "nosuch": no stack file in the repository \(one of: prod, staging\)/,
    },
    {
        what: "a bad --set",
        argv: ["create", "pr-2", "--from", "staging", "--set", "aws:region=eu-west-1"],
        exit: EXIT.usage,
        code: "INVALID",
        says: /invalid --set values for "pr-2":\n {2}aws:region: only hangar: keys/,
    },
    {
        what: "an environments directory inside the repository",
        argv: ["list"],
        env: { HANGAR_ENVIRONMENTS_DIR: path.join(REPO_ROOT, "environments") },
        connection: (fake) => ({ pulumiRoot: FAKE_ROOT, envVars: fake.options().envVars }),
        exit: EXIT.usage,
        code: "INVALID",
        says: /environments directory .* \(HANGAR_ENVIRONMENTS_DIR\) is inside the repository/,
    },
    {
        what: "a stack file that does not parse",
        argv: ["preview", "pr-3"],
        setup: (fake) => {
            const dir = path.join(fake.environmentsDir, "pr-3");
            fs.mkdirSync(dir, { recursive: true });
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.pr-3.yaml"), "config:\n  hangar:environment: ephemeral\n  hangar:database: 7\n");
        },
        exit: EXIT.failure,
        code: "INVALID",
        says: /stack "pr-3": .*hangar:database/s,
    },
    {
        what: "no such stack",
        argv: ["preview", "pr-4"],
        exit: EXIT.failure,
        code: "NOT_FOUND",
        says: /create one with hangar create pr-4\)/,
    },
    {
        what: "an environment that exists",
        argv: ["create", "pr-5", "--from", "staging"],
        setup: (fake) => fs.mkdirSync(path.join(fake.environmentsDir, "pr-5"), { recursive: true }),
        exit: EXIT.failure,
        code: "EXISTS",
        says: /environment "pr-5" already exists .*: pick another name, or remove it first \(hangar remove pr-5 --yes\)/,
    },
    {
        what: "a stack the backend already has",
        argv: ["create", "pr-6", "--from", "staging"],
        scenario: { existingStacks: ["pr-6"] },
        exit: EXIT.failure,
        code: "EXISTS",
        says: /stack "pr-6" already exists in the backend: .*\(hangar remove pr-6 --yes\)/,
    },
    {
        what: "no Pulumi CLI",
        argv: ["remove", "pr-7", "--yes"],
        connection: (fake) => fake.options({ pulumiRoot: path.join(fake.dir, "no-pulumi-here") }),
        exit: EXIT.failure,
        code: "CLI_NOT_FOUND",
        says: /Pulumi CLI was not found .*get\.pulumi\.com.*or set HANGAR_PULUMI_ROOT to a directory holding bin\/pulumi\.$/,
    },
    {
        what: "a cancelled run",
        argv: ["up", "staging"],
        signal: AbortSignal.abort(),
        exit: EXIT.failure,
        code: "CANCELLED",
        says: /up of stack "staging" was cancelled/,
    },
    {
        what: "a refused stateful change",
        argv: ["up", "staging", "--quiet"],
        scenario: { commands: { preview: { events: [step("replace", "aws:rds/instance:Instance", db)] } } },
        exit: EXIT.failure,
        code: "STATEFUL_CHANGE",
        says: /If this is intended, pass each URN with --allow-replace <urn>\.$/,
        details: (error) => assert.deepStrictEqual(error.changes, [{ op: "replace", urn: db }]),
    },
    {
        what: "a locked stack",
        argv: ["preview", "staging"],
        scenario: { commands: { preview: { stderr: "error: the stack is currently locked by 1 lock(s).\n", exitCode: 255 } } },
        exit: EXIT.busy,
        code: "LOCKED",
        says: /locked by another update.*Retry.*clear it with `pulumi cancel --stack staging`\.$/s,
        details: (error) => assert.strictEqual(error.retryable, true),
    },
    {
        what: "a mandatory policy violation",
        argv: ["up", "staging", "--quiet"],
        scenario: {
            commands: { preview: { events: [policy("mandatory", "pod-non-root", undefined, "set runAsNonRoot")], exitCode: 255 } },
        },
        exit: EXIT.policy,
        code: "POLICY",
        says: /1 mandatory policy violation/,
        details: (error) =>
            assert.deepStrictEqual(
                (error.violations as { policy: string }[]).map((v) => v.policy),
                ["pod-non-root"],
            ),
    },
    {
        what: "a failed CLI run",
        argv: ["refresh", "staging"],
        scenario: { commands: { refresh: { stderr: "error: kaboom\n", exitCode: 255 } } },
        exit: EXIT.failure,
        code: "FAILED",
        says: /refresh of stack "staging" failed \(exit 255\):\nerror: kaboom/,
    },
    {
        what: "a kubeconfig without the stack's context",
        argv: ["preflight", "staging"],
        setup: (fake) => fs.writeFileSync(path.join(fake.dir, "kubeconfig"), "apiVersion: v1\nkind: Config\ncontexts: []\n"),
        connection: (fake) => fake.options({ envVars: { KUBECONFIG: path.join(fake.dir, "kubeconfig") } }),
        exit: EXIT.prerequisites,
        code: "PREFLIGHT",
        says: /kubeconfig: the kubeconfig has no context "hangar-staging"/,
        details: (error) => {
            assert.strictEqual(error.stack, "staging");
            assert.deepStrictEqual(
                (error.findings as { id: string }[]).map((f) => f.id),
                ["kubeconfig"],
            );
        },
    },
    {
        what: "an internal error",
        argv: ["create", "pr-8"],
        connection: (fake) => fake.options({ repoRoot: path.join(fake.dir, "no-repository-here") }),
        exit: EXIT.failure,
        code: "INTERNAL",
        says: /ENOENT.*no-repository-here/,
    },
];

describe("automation: the hangar CLI's failures", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    /** Runs `hangar` in-process; the text and the --json run share one fake (and so the selected stack). */
    async function provoke(failure: Failure, json: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
        let stdout = "";
        let stderr = "";
        const code = await main(json ? [...failure.argv, "--json"] : failure.argv, {
            stdout: (text) => (stdout += text),
            stderr: (text) => (stderr += text),
            env: failure.env ?? {},
            connection: failure.connection?.(fake) ?? fake.options(),
            signal: failure.signal,
        });
        return { code, stdout, stderr };
    }

    for (const failure of FAILURES) {
        it(`${failure.what}: exit ${failure.exit}, a message in the CLI's words, and with --json one JSON object on stdout`, async () => {
            fake = new FakeCli(failure.scenario);
            failure.setup?.(fake);
            const text = await provoke(failure, false);
            assert.strictEqual(text.code, failure.exit, text.stderr);
            const message = text.stderr.split("\n\n")[0].replace(/^hangar: /, "");
            assert.match(failure.code === "PREFLIGHT" ? text.stderr : message.trimEnd(), failure.says);
            // An internal error prints its stack trace, for the bug report.
            if (failure.code !== "INTERNAL") assert.doesNotMatch(text.stderr, API_SPELLING);

            const json = await provoke(failure, true);
            assert.strictEqual(json.code, failure.exit);
            assert.strictEqual(json.stderr, "", "with --json nothing goes to stderr");
            const document = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; message: string; exitCode: number } };
            assert.strictEqual(document.ok, false);
            assert.strictEqual(document.error.code, failure.code);
            assert.strictEqual(document.error.exitCode, failure.exit);
            assert.match(document.error.message, failure.says);
            assert.doesNotMatch(document.error.message, API_SPELLING);
            failure.details?.(document.error);
        });
    }

    it("keeps the Automation API's words in the API's messages", () => {
        const busy = new BusyError("pr-1", "up");
        assert.match(busy.message, /pass whenBusy: "wait"/);
        assert.doesNotMatch(busy.explain(CLI_WORDS), API_SPELLING);
        const locked = new StackLockedError("pr-1", "locked");
        assert.match(locked.message, /cancel\("pr-1"\)/);
        assert.strictEqual(locked.guidance, locked.message.replace(/^.*?update\. /, ""));
        assert.match(new CliNotFoundError("pulumi on PATH").message, /point pulumiRoot at/);
        assert.match(INSTALL_HINT, /pulumiRoot/);
    });
});

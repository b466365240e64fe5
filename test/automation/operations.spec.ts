import * as assert from "assert";
import * as path from "path";
import { Vault } from "@pulumi/aws/backup/vault";
import { ReplicationGroup } from "@pulumi/aws/elasticache/replicationGroup";
import { Key } from "@pulumi/aws/kms/key";
import { Instance } from "@pulumi/aws/rds/instance";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { Secret } from "@pulumi/aws/secretsmanager/secret";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import {
    CliNotFoundError,
    CommandFailedError,
    createEnvironment,
    destroy,
    NotFoundError,
    outputs,
    PolicyViolationError,
    preview,
    ProgressEvent,
    refresh,
    STATEFUL_RESOURCE_TYPES,
    StackLockedError,
    StatefulChangeError,
    up,
    ValidationError,
    withProgress,
} from "../../automation";
import { FAKE_ROOT, FakeCli, policy, REPO_ROOT, step, urn } from "./harness";

const DB = "aws:rds/instance:Instance";
const BUCKET = "aws:s3/bucket:Bucket";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** The value following `flag` in a recorded argument list. */
function flagValues(args: string[], flag: string): string[] {
    return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]] : []));
}

describe("automation: operations", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    describe("policies", () => {
        it("passes policies/ with the environment's policy config on every preview and up", async () => {
            fake = new FakeCli();
            await createEnvironment("pr-17", fake.options({ from: "staging" }));
            await Promise.all([preview("prod", fake.options()), preview("staging", fake.options()), up("pr-17", fake.options())]);
            const expected: Record<string, string> = { prod: "prod", staging: "staging", "pr-17": "ephemeral" };
            const engineRuns = fake.invocations().filter((i) => i.command === "preview" || i.command === "up");
            assert.deepStrictEqual(engineRuns.map((r) => `${r.command} ${r.stack}`).sort(), [
                "preview pr-17",
                "preview prod",
                "preview staging",
                "up pr-17",
            ]);
            for (const run of engineRuns) {
                const stack = run.stack as string;
                assert.deepStrictEqual(
                    flagValues(run.args, "--policy-pack"),
                    [path.join(REPO_ROOT, "policies")],
                    `${run.command} ${stack}`,
                );
                assert.deepStrictEqual(flagValues(run.args, "--policy-pack-config"), [
                    path.join(REPO_ROOT, "policies", "config", `${expected[stack]}.json`),
                ]);
            }
        });

        it("returns violations from policyEvents as data: policy, pack, level, URN, message", async () => {
            const pod = urn("staging", DEPLOYMENT, "api");
            fake = new FakeCli({
                commands: {
                    preview: {
                        events: [
                            step("create", DEPLOYMENT, pod),
                            policy("warning", "pod-resource-limits", pod, "set resources.limits.memory"),
                            policy("warning", "stack-tags", undefined, "tag it"),
                        ],
                    },
                },
            });
            const result = await preview("staging", fake.options());
            assert.strictEqual(result.blocked, false);
            assert.deepStrictEqual(result.violations, [
                {
                    policy: "pod-resource-limits",
                    pack: "hangar-guardrails",
                    packVersion: "0.1.0",
                    level: "warning",
                    urn: pod,
                    message: "set resources.limits.memory",
                },
                { policy: "stack-tags", pack: "hangar-guardrails", packVersion: "0.1.0", level: "warning", message: "tag it" },
            ]);
            assert.deepStrictEqual(result.changeSummary, { create: 1 });
            assert.deepStrictEqual(result.changes, [{ urn: pod, type: DEPLOYMENT, op: "create", stateful: false }]);
        });

        it("returns a mandatory violation from a failed preview (the CLI's CommandError) as blocked data", async () => {
            const pod = urn("prod", DEPLOYMENT, "api");
            fake = new FakeCli({
                commands: {
                    preview: {
                        events: [
                            step("create", DEPLOYMENT, pod),
                            policy("mandatory", "pod-non-root", pod, "set securityContext.runAsNonRoot: true"),
                        ],
                        stderr: "error: preview failed\n",
                        exitCode: 255,
                    },
                },
            });
            const result = await preview("prod", fake.options());
            assert.strictEqual(result.blocked, true);
            assert.strictEqual(result.violations[0].level, "mandatory");
            assert.strictEqual(result.violations[0].urn, pod);
        });

        it("refuses up after a blocked preview, with the violations in a PolicyViolationError, and never runs pulumi up", async () => {
            fake = new FakeCli({
                commands: {
                    preview: {
                        events: [
                            policy("mandatory", "rds-force-ssl", urn("prod", DB, "db"), "attach a parameter group with rds.force_ssl=1"),
                        ],
                        exitCode: 255,
                    },
                },
            });
            await assert.rejects(up("prod", fake.options()), (err: unknown) => {
                assert.ok(err instanceof PolicyViolationError);
                assert.strictEqual(err.code, "POLICY");
                assert.strictEqual(err.violations[0].policy, "rds-force-ssl");
                assert.strictEqual(err.preview?.blocked, true);
                return true;
            });
            assert.strictEqual(fake.calls("up").length, 0);
        });
    });

    describe("stateful resources", () => {
        const db = urn("staging", DB, "hangar-db");
        const bucket = urn("staging", BUCKET, "dumps");

        it("lists RDS, ElastiCache, S3, KMS, Backup and Secrets Manager types, each a real @pulumi/aws type token", () => {
            // Deep imports: loading all of @pulumi/aws would cost seconds.
            const tokens = [Instance, ReplicationGroup, Bucket, Key, Vault, Secret].map(
                (resource) => (resource as unknown as { __pulumiType: string }).__pulumiType,
            );
            for (const token of tokens) assert.ok(STATEFUL_RESOURCE_TYPES.includes(token), token);
        });

        it("blocks up when the preview replaces an RDS instance, and does not run pulumi up", async () => {
            fake = new FakeCli({
                commands: {
                    preview: { events: [step("replace", DB, db), step("create-replacement", DB, db), step("delete-replaced", DB, db)] },
                },
            });
            await assert.rejects(up("staging", fake.options()), (err: unknown) => {
                assert.ok(err instanceof StatefulChangeError);
                assert.deepStrictEqual([...new Set(err.changes.map((c) => c.urn))], [db]);
                assert.match(err.message, /allowReplace/);
                assert.deepStrictEqual(err.changes[0].replaceKeys, ["identifier"]);
                return true;
            });
            assert.strictEqual(fake.calls("preview").length, 1);
            assert.strictEqual(fake.calls("up").length, 0);
        });

        it("blocks the deletion of a bucket too, unless its URN is in allowReplace", async () => {
            fake = new FakeCli({ commands: { preview: { events: [step("delete", BUCKET, bucket)] } } });
            await assert.rejects(up("staging", fake.options()), StatefulChangeError);
            assert.strictEqual(fake.calls("up").length, 0);
            const result = await up("staging", fake.options({ allowReplace: [bucket] }));
            assert.strictEqual(fake.calls("up").length, 1);
            assert.deepStrictEqual(
                result.preview.changes.map((c) => c.op),
                ["delete"],
            );
        });

        it("lets up replace what allowReplace names and stateless resources freely", async () => {
            const deployment = urn("staging", DEPLOYMENT, "api");
            fake = new FakeCli({
                commands: {
                    preview: { events: [step("replace", DB, db), step("replace", DEPLOYMENT, deployment), step("update", BUCKET, bucket)] },
                },
            });
            await up("staging", fake.options({ allowReplace: [db] }));
            assert.strictEqual(fake.calls("up").length, 1);
        });
    });

    describe("outputs and secrets", () => {
        const scenario = {
            outputs: {
                environment: { value: "staging", secret: false },
                databasePassword: { value: "pa55-hunter2-word", secret: true },
                cacheUrl: { value: { url: "rediss://:tok3n-hunter2@cache:6379" }, secret: true },
            },
        };

        it("redacts secret outputs (the SDK returns them in plaintext, flagged)", async () => {
            fake = new FakeCli(scenario);
            const result = await outputs("staging", fake.options());
            assert.deepStrictEqual(result, {
                environment: { value: "staging", secret: false },
                databasePassword: { value: "[secret]", secret: true },
                cacheUrl: { value: "[secret]", secret: true },
            });
            assert.ok(
                fake.calls("stack output").some((i) => i.args.includes("--show-secrets")),
                "the SDK did ask for plaintext",
            );
        });

        it("keeps secrets out of up's whole result, history included", async () => {
            fake = new FakeCli(scenario);
            const result = await up("staging", fake.options());
            assert.ok(!JSON.stringify(result).includes("hunter2"));
            assert.strictEqual(result.outputs.databasePassword.value, "[secret]");
            assert.strictEqual(result.update?.result, "succeeded");
            assert.ok(!("config" in (result.update as object)));
            assert.ok(!fake.calls("stack history").some((i) => i.args.includes("--show-secrets")));
        });
    });

    describe("streaming", () => {
        it("calls onEvent and onOutput, and yields the same through withProgress's async iterator", async () => {
            const db = urn("staging", DB, "hangar-db");
            fake = new FakeCli({
                commands: {
                    preview: {
                        events: [step("update", DB, db), { sleepMs: 50 }, policy("warning", "p", db, "m")],
                        stdout: "Previewing update (staging)\n",
                    },
                },
            });
            const seen: ProgressEvent[] = [];
            let text = "";
            await preview("staging", fake.options({ onEvent: (e: ProgressEvent) => seen.push(e), onOutput: (t: string) => (text += t) }));
            assert.deepStrictEqual(
                seen.map((e) => e.kind),
                ["stage", "resource", "policy", "summary"],
            );
            assert.match(text, /Previewing update/);

            const run = withProgress((hooks) => up("staging", fake.options(hooks)));
            const kinds: string[] = [];
            for await (const event of run) kinds.push(`${event.stage}:${event.kind}`);
            assert.deepStrictEqual(kinds.slice(0, 4), ["preview:stage", "preview:resource", "preview:policy", "preview:summary"]);
            assert.ok(
                kinds.includes("update:stage") && kinds.includes("update:summary") && kinds.includes("update:output"),
                kinds.join(" "),
            );
            assert.strictEqual((await run.result).stack, "staging");
        });

        it("ends withProgress's iteration with the operation's error", async () => {
            fake = new FakeCli({ commands: { preview: { stderr: "error: boom\n", exitCode: 255 } } });
            const run = withProgress((hooks) => preview("staging", fake.options(hooks)));
            await assert.rejects(async () => {
                for await (const _event of run) void _event;
            }, CommandFailedError);
            await assert.rejects(run.result, CommandFailedError);
        });

        it("reads events from an event-log file when the CLI is 3.205 or older", async () => {
            fake = new FakeCli({ commands: { preview: { events: [policy("warning", "p", undefined, "from a file")] } } });
            const previous = process.env.FAKE_PULUMI_VERSION;
            process.env.FAKE_PULUMI_VERSION = "3.200.0";
            let command: PulumiCommand;
            try {
                command = await PulumiCommand.get({ root: FAKE_ROOT });
            } finally {
                if (previous === undefined) delete process.env.FAKE_PULUMI_VERSION;
                else process.env.FAKE_PULUMI_VERSION = previous;
            }
            const result = await preview("staging", fake.options({ pulumiCommand: command }));
            assert.strictEqual(result.violations[0].message, "from a file");
            const eventLog = flagValues(fake.calls("preview")[0].args, "--event-log")[0];
            assert.ok(!eventLog.startsWith("tcp://"), eventLog);
        });
    });

    describe("refresh and destroy", () => {
        it("refreshes and destroys without policy flags, answering with the change summary", async () => {
            const db = urn("staging", DB, "hangar-db");
            fake = new FakeCli({ commands: { destroy: { events: [step("delete", DB, db)] } } });
            await refresh("staging", fake.options());
            const destroyed = await destroy("staging", fake.options());
            assert.deepStrictEqual(destroyed.changeSummary, { delete: 1 });
            const [refreshRun] = fake.calls("refresh");
            const [destroyRun] = fake.calls("destroy");
            assert.ok(refreshRun.args.includes("--yes") && destroyRun.args.includes("--yes"));
            assert.ok(!refreshRun.args.includes("--policy-pack") && !destroyRun.args.includes("--policy-pack"));
        });

        it("refuses to destroy prod without allowProd, before any CLI call", async () => {
            fake = new FakeCli();
            await assert.rejects(
                destroy("prod", fake.options()),
                (err: unknown) => err instanceof ValidationError && err.issues[0].path === "allowProd",
            );
            assert.deepStrictEqual(fake.invocations(), []);
        });
    });

    describe("failures", () => {
        it("turns the DIY backend's lock message into a StackLockedError with retry guidance", async () => {
            fake = new FakeCli({
                commands: {
                    preview: {
                        stderr:
                            "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
                            "  s3://state/.pulumi/locks/organization/hangar/staging/1f2e.json: created by ci@runner-7 (pid 4121) at 2026-03-02T10:11:12Z\n",
                        exitCode: 255,
                    },
                },
            });
            await assert.rejects(preview("staging", fake.options()), (err: unknown) => {
                assert.ok(err instanceof StackLockedError);
                assert.strictEqual(err.code, "LOCKED");
                assert.strictEqual(err.retryable, true);
                assert.match(err.detail, /currently locked by 1 lock/);
                assert.match(err.guidance, /Retry after it finishes/);
                assert.match(err.guidance, /pulumi cancel --stack staging/);
                return true;
            });
        });

        it("turns Pulumi Cloud's 409 conflict into a StackLockedError too", async () => {
            fake = new FakeCli({
                commands: { up: { stderr: "error: [409] Conflict: Another update is currently in progress.\n", exitCode: 255 } },
            });
            await assert.rejects(up("staging", fake.options()), StackLockedError);
        });

        it("reports other CLI failures as CommandFailedError with the exit code and stderr", async () => {
            fake = new FakeCli({ commands: { up: { stderr: "error: an unhandled error occurred: kaboom\n", exitCode: 255 } } });
            await assert.rejects(up("staging", fake.options()), (err: unknown) => {
                assert.ok(err instanceof CommandFailedError);
                assert.strictEqual(err.exitCode, 255);
                assert.match(err.stderr, /kaboom/);
                assert.match(err.message, /up of stack "staging" failed \(exit 255\)/);
                return true;
            });
        });

        it("reports a stack missing from the backend as NotFoundError", async () => {
            fake = new FakeCli({ missingStacks: ["staging"] });
            await assert.rejects(preview("staging", fake.options()), NotFoundError);
            await assert.rejects(
                preview("nosuch", fake.options()),
                (err: unknown) => err instanceof NotFoundError && /createEnvironment/.test(err.message),
            );
        });

        it("names the install step when there is no Pulumi CLI", async () => {
            fake = new FakeCli();
            const missing = path.join(fake.dir, "no-pulumi-here");
            await assert.rejects(preview("staging", fake.options({ pulumiRoot: missing })), (err: unknown) => {
                assert.ok(err instanceof CliNotFoundError);
                assert.match(err.message, /curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
                assert.match(err.message, /no-pulumi-here\/bin\/pulumi/);
                return true;
            });
            const path_ = process.env.PATH;
            process.env.PATH = fake.dir;
            try {
                const { pulumiRoot: _, ...onPath } = fake.options();
                await assert.rejects(
                    preview("staging", onPath),
                    (err: unknown) => err instanceof CliNotFoundError && /pulumi on PATH.*get\.pulumi\.com/.test(err.message),
                );
            } finally {
                process.env.PATH = path_;
            }
        });
    });
});

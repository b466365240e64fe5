import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import {
    AlreadyExistsError,
    CommandFailedError,
    createEnvironment,
    destroy,
    listEnvironments,
    NotFoundError,
    outputs,
    parseKeyPath,
    preview,
    removeEnvironment,
    up,
    ValidationError,
} from "../../automation";
import { parseConfig, readStackConfig } from "../../config";
import { FakeCli, REPO_ROOT } from "./harness";

/** The repository's stack files (names, sizes, mtimes) and their git status: anything written there changes it. */
function repositoryState(): string {
    const files = fs
        .readdirSync(REPO_ROOT)
        .filter((f) => /^Pulumi\b.*\.ya?ml$/.test(f))
        .sort();
    const stats = files.map((f) => {
        const stat = fs.statSync(path.join(REPO_ROOT, f));
        return `${f} ${stat.size} ${stat.mtimeMs}`;
    });
    const git = spawnSync("git", ["status", "--porcelain", "--untracked-files=all", "--", "Pulumi*"], { cwd: REPO_ROOT, encoding: "utf8" });
    return [...stats, git.stdout].join("\n");
}

function rejectsWith(issuePath: RegExp): (err: unknown) => boolean {
    return (err) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.ok(
            err.issues.some((i) => issuePath.test(i.path)),
            `no issue at ${issuePath}: ${JSON.stringify(err.issues)}`,
        );
        return true;
    };
}

describe("automation: ephemeral environments", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    it("creates an environment in its own work directory, leaving the repository untouched", async () => {
        fake = new FakeCli();
        const before = repositoryState();
        const created = await createEnvironment(
            "feature-login",
            fake.options({
                from: "staging",
                secretsProvider: "awskms://alias/hangar-state?region=eu-west-1",
                overrides: { "database.instanceClass": "db.t4g.small", "hangar:app.services[1].replicas.max": 2 },
            }),
        );
        await preview("feature-login", fake.options());
        assert.strictEqual(repositoryState(), before);

        const workDir = path.join(fake.environmentsDir, "feature-login");
        assert.strictEqual(created.workDir, workDir);
        const project = parseYaml(fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8"));
        const repoProject = parseYaml(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
        assert.deepStrictEqual(project, { ...repoProject, main: REPO_ROOT });

        const stackFile = readStackConfig(path.join(workDir, "Pulumi.feature-login.yaml")) as Record<string, unknown>;
        assert.strictEqual(stackFile["hangar:environment"], "ephemeral");
        assert.deepStrictEqual(stackFile["pulumi:disable-default-providers"], ["*"]);
        const parsed = parseConfig(stackFile, "feature-login");
        assert.ok(parsed.ok);
        assert.strictEqual(parsed.config.database.instanceClass, "db.t4g.small");
        assert.strictEqual(parsed.config.app.services[1].replicas.max, 2);
        assert.deepStrictEqual(created.config, parsed.config);

        const runs = fake.invocations();
        assert.deepStrictEqual(
            runs.map((r) => r.command),
            ["stack init", "stack select", "preview"],
        );
        for (const run of runs) assert.strictEqual(run.cwd, workDir, `${run.command} ran outside the environment's work directory`);
        assert.deepStrictEqual(runs[0].args.slice(0, 5), [
            "stack",
            "init",
            "feature-login",
            "--secrets-provider",
            "awskms://alias/hangar-state?region=eu-west-1",
        ]);
        assert.ok(!runs.some((r) => r.command === "config set-all"), "config goes through the stack settings file, not the repository");
    });

    it("rejects a bad override with parseConfig's path-named errors, before any CLI call", async () => {
        fake = new FakeCli();
        const call = createEnvironment(
            "pr-42",
            fake.options({ from: "staging", overrides: { "database.backupRetentionDays": 99, "cache.nodes": 0 } }),
        );
        await assert.rejects(call, (err: unknown) => {
            assert.ok(err instanceof ValidationError);
            const lines = err.issues.map((i) => `${i.path}: ${i.message}`);
            assert.ok(lines.includes("hangar:database.backupRetentionDays: expected an integer 0–35"), lines.join("\n"));
            assert.ok(lines.includes("hangar:cache.nodes: expected an integer 1–6"), lines.join("\n"));
            return true;
        });
        assert.deepStrictEqual(fake.invocations(), []);
        assert.ok(!fs.existsSync(path.join(fake.environmentsDir, "pr-42")));
    });

    it("needs the foundation from `from` or the overrides: the ephemeral profile has no account or cluster", async () => {
        fake = new FakeCli();
        await assert.rejects(createEnvironment("pr-43", fake.options()), rejectsWith(/^hangar:foundation/));
        assert.deepStrictEqual(fake.invocations(), []);
    });

    it("refuses override keys outside hangar:, prototype keys, malformed paths and a non-ephemeral environment", async () => {
        fake = new FakeCli();
        const bad: Record<string, unknown>[] = [
            { "pulumi:disable-default-providers": [] },
            { "aws:region": "us-east-1" },
            { "app.__proto__.polluted": true },
            { "app.services[0]": { name: "api", constructor: 1 } },
            { "database..instanceClass": "x" },
            { "../database": 1 },
            { environment: "prod" },
            { "database.instanceClass": "a\u0000b" },
        ];
        for (const overrides of bad) {
            await assert.rejects(
                createEnvironment("pr-44", fake.options({ from: "staging", overrides })),
                ValidationError,
                JSON.stringify(overrides),
            );
        }
        assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
        assert.deepStrictEqual(fake.invocations(), []);
    });

    it("parses key paths as users write them", () => {
        assert.deepStrictEqual(parseKeyPath("database.instanceClass"), { key: "hangar:database", segments: ["instanceClass"] });
        assert.deepStrictEqual(parseKeyPath("hangar:app.services[1].env.LOG_LEVEL"), {
            key: "hangar:app",
            segments: ["services", 1, "env", "LOG_LEVEL"],
        });
        assert.deepStrictEqual(parseKeyPath('app.ingress.annotations["traefik.ingress.kubernetes.io/router.tls"]'), {
            key: "hangar:app",
            segments: ["ingress", "annotations", "traefik.ingress.kubernetes.io/router.tls"],
        });
        for (const bad of ["", ".app", "app.", "app[x]", "[0]", "aws:region", "app.a b"]) assert.ok("error" in parseKeyPath(bad), bad);
    });

    it("rejects invalid and reserved names before any CLI call", async () => {
        fake = new FakeCli();
        const invalid = ["", "a", "../etc", "feature/login", "..", "Feature", "pr_1", "-pr", "pr-", "x".repeat(33), "pr 1", "pr\n1"];
        for (const name of invalid) {
            await assert.rejects(createEnvironment(name, fake.options({ from: "staging" })), rejectsWith(/^name$/), JSON.stringify(name));
            await assert.rejects(preview(name, fake.options()), rejectsWith(/^name$/));
            await assert.rejects(up(name, fake.options()), rejectsWith(/^name$/));
            await assert.rejects(destroy(name, fake.options()), rejectsWith(/^name$/));
            await assert.rejects(outputs(name, fake.options()), rejectsWith(/^name$/));
            await assert.rejects(removeEnvironment(name, fake.options()), rejectsWith(/^name$/));
        }
        for (const name of ["prod", "staging"]) {
            await assert.rejects(createEnvironment(name, fake.options({ from: "staging" })), rejectsWith(/^name$/));
            await assert.rejects(removeEnvironment(name, fake.options()), rejectsWith(/^name$/));
        }
        await assert.rejects(createEnvironment("pr-45", fake.options({ from: "../Pulumi.prod" })), rejectsWith(/^name$/));
        await assert.rejects(createEnvironment("pr-45", fake.options({ from: "nosuch" })), rejectsWith(/^from$/));
        assert.ok(!fs.existsSync(fake.recordFile), "the fake CLI was never run");
    });

    it("refuses an environments directory inside the repository", async () => {
        fake = new FakeCli();
        const options = fake.options({ from: "staging", environmentsDir: path.join(REPO_ROOT, "environments") });
        await assert.rejects(createEnvironment("pr-46", options), rejectsWith(/^environmentsDir$/));
    });

    it("refuses to create an environment twice, and cleans up when the backend already has the stack", async () => {
        fake = new FakeCli({ existingStacks: ["pr-48"] });
        await createEnvironment("pr-47", fake.options({ from: "staging" }));
        await assert.rejects(createEnvironment("pr-47", fake.options({ from: "staging" })), AlreadyExistsError);
        await assert.rejects(createEnvironment("pr-48", fake.options({ from: "staging" })), AlreadyExistsError);
        assert.ok(!fs.existsSync(path.join(fake.environmentsDir, "pr-48")));
    });

    it("validates an environment's stack file before the CLI runs", async () => {
        fake = new FakeCli();
        const { workDir } = await createEnvironment("pr-49", fake.options({ from: "staging" }));
        const file = path.join(workDir, "Pulumi.pr-49.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/backupRetentionDays: 7/, "backupRetentionDays: 700"));
        await assert.rejects(preview("pr-49", fake.options()), (err: unknown) => {
            assert.ok(err instanceof ValidationError && err.source === "stack-file");
            assert.strictEqual(err.issues[0].path, "hangar:database.backupRetentionDays");
            return true;
        });
        assert.deepStrictEqual(
            fake.invocations().map((i) => i.command),
            ["stack init"],
        );
    });

    it("removes an environment: destroy, stack rm, work directory gone; keepResources skips the destroy", async () => {
        fake = new FakeCli();
        await Promise.all(["pr-50", "pr-51"].map((name) => createEnvironment(name, fake.options({ from: "staging" }))));
        const removed = await removeEnvironment("pr-50", fake.options());
        assert.strictEqual(removed.destroyed?.stack, "pr-50");
        await removeEnvironment("pr-51", fake.options({ keepResources: true }));
        const commands = (stack: string) =>
            fake
                .invocations()
                .filter((i) => i.stack === stack)
                .map((i) => i.command);
        assert.deepStrictEqual(commands("pr-50"), ["stack init", "stack select", "destroy", "stack history", "stack rm"]);
        assert.deepStrictEqual(commands("pr-51"), ["stack init", "stack select", "stack rm"]);
        assert.ok(
            fake
                .calls("stack rm")
                .find((i) => i.stack === "pr-51")
                ?.args.includes("--force"),
        );
        assert.deepStrictEqual(fs.readdirSync(fake.environmentsDir), []);
    });

    it("cleans up a work directory whose stack left the backend, and reports an environment that exists nowhere", async () => {
        fake = new FakeCli({ missingStacks: ["pr-52", "pr-53"] });
        await createEnvironment("pr-52", fake.options({ from: "staging" }));
        assert.deepStrictEqual(await removeEnvironment("pr-52", fake.options()), { stack: "pr-52", environment: "ephemeral" });
        await assert.rejects(removeEnvironment("pr-53", fake.options()), NotFoundError);
        assert.deepStrictEqual(fs.readdirSync(fake.environmentsDir), []);
        assert.ok(!fake.invocations().some((i) => i.command === "destroy" || i.command === "stack rm"));
    });

    it("leaves no work directory behind when removing a stack it has no directory for fails", async () => {
        fake = new FakeCli({ commands: { destroy: { stderr: "error: kaboom\n", exitCode: 255 } } });
        await assert.rejects(removeEnvironment("pr-54", fake.options()), CommandFailedError);
        assert.ok(!fs.existsSync(path.join(fake.environmentsDir, "pr-54")), "a directory that would block createEnvironment");
    });

    it("lists the backend's stacks with the repository's stack files and the environments directory", async () => {
        fake = new FakeCli({
            stacks: [
                { name: "prod", current: false, lastUpdate: "2026-03-01T10:00:00Z", resourceCount: 212 },
                {
                    name: "acme/hangar/pr-7",
                    current: false,
                    updateInProgress: true,
                    resourceCount: 40,
                    url: "https://app.pulumi.com/acme/hangar/pr-7",
                },
            ],
        });
        await createEnvironment("pr-8", fake.options({ from: "staging" }));
        const environments = await listEnvironments(fake.options());
        assert.deepStrictEqual(
            environments.map((e) => [e.name, e.environment, e.source, e.inBackend]),
            [
                ["pr-7", "ephemeral", "backend-only", true],
                ["pr-8", "ephemeral", "environments-dir", false],
                ["prod", "prod", "repository", true],
                ["staging", "staging", "repository", false],
            ],
        );
        assert.strictEqual(environments[0].updateInProgress, true);
        assert.strictEqual(environments[2].resourceCount, 212);
        assert.strictEqual(fake.calls("stack ls")[0].cwd, REPO_ROOT);
    });
});

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { AlreadyExistsError, createEnvironment, listEnvironments, removeEnvironment, sweepEnvironments, up } from "../../automation";
import { EXIT, main, parseDuration } from "../../automation/cli";
import { FakeCli, REPO_ROOT } from "./harness";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { runStack, SnapshotResource } from "../../tools/harness";
import { checkPolicies } from "../../tools/policy-check";

/** Kinds with no namespace that Hangar could create: an environment on staging's cluster must create none but its Namespace. */
const CLUSTER_SCOPED =
    /^kubernetes:(scheduling\.k8s\.io\/v1:PriorityClass|rbac\.authorization\.k8s\.io\/v1:Cluster|apiextensions\.k8s\.io\/v1:CustomResourceDefinition|storage\.k8s\.io|networking\.k8s\.io\/v1:IngressClass|admissionregistration|helm\.sh\/v3:Release)/;

/**
 * The program over the stack config the pipeline's script builds (one run): it shares staging's cluster, so it
 * creates no cluster-scoped object but its own Namespace, its pods name staging's PriorityClasses, and the
 * ephemeral pack has nothing against it.
 */
async function sharesStagingCluster(stackConfig: Record<string, unknown>) {
    const snapshot = await runStack("pr-42", { kubeconfig: LAPTOP_KUBECONFIG, config: stackConfig });
    assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
    assert.deepStrictEqual(
        snapshot.resources.filter((r) => CLUSTER_SCOPED.test(r.type)).map((r) => r.type),
        [],
        "no cluster-scoped object of its own",
    );
    const pods = snapshot.resources.filter((r: SnapshotResource) => /(apps\/v1:Deployment|batch\/v1:CronJob|batch\/v1:Job)$/.test(r.type));
    assert.ok(pods.length > 0);
    const classOf = (r: SnapshotResource) => JSON.stringify(r.inputs).match(/"priorityClassName":"([^"]+)"/)?.[1];
    assert.deepStrictEqual(
        [...new Set(pods.map(classOf))].filter((c) => !c?.startsWith("hangar-staging-")),
        [],
        "staging's classes",
    );
    assert.deepStrictEqual(
        (await checkPolicies(snapshot, "ephemeral")).map((v) => `${v.policy}: ${v.message}`),
        [],
        "the ephemeral pack has nothing against it",
    );
}

const HOUR = 3_600_000;
const NOW = new Date("2026-12-06T12:00:00Z");
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();

/** The backend as `stack ls --json` lists it: two long-lived stacks, old and young PR environments, one updating, one without a date. */
const BACKEND = [
    { name: "prod", current: false, lastUpdate: ago(500), updateInProgress: false, resourceCount: 212 },
    { name: "staging", current: false, lastUpdate: ago(400), updateInProgress: false, resourceCount: 180 },
    { name: "pr-1", current: false, lastUpdate: ago(100), updateInProgress: false, resourceCount: 40 },
    { name: "pr-2", current: false, lastUpdate: ago(2), updateInProgress: false, resourceCount: 40 },
    { name: "pr-3", current: false, lastUpdate: ago(90), updateInProgress: true, resourceCount: 40 },
    { name: "pr-4", current: false, updateInProgress: false },
    { name: "org/hangar/pr-5", current: false, lastUpdate: ago(80), updateInProgress: false, resourceCount: 3 },
];

/** Stacks the sweep ran an engine command or `stack rm` on. */
function touched(fake: FakeCli): string[] {
    return fake
        .invocations()
        .filter((i) => ["destroy", "stack rm", "up", "preview"].includes(i.command))
        .map((i) => `${i.command} ${i.stack}`);
}

/** The hangar commands `.github/scripts/ephemeral.sh <action> 42` runs, with a stub `node` that answers `hangar list` with `list`. */
function ephemeralScript(action: string, list: string): string[][] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-ephemeral-sh-"));
    try {
        const log = path.join(dir, "calls");
        const stub = `#!/bin/sh\nshift\nprintf '%s\\n' "$@" >> "${log}"\necho ::end >> "${log}"\n[ "$1" = list ] && cat "${dir}/list"\nexit 0\n`;
        fs.writeFileSync(path.join(dir, "node"), stub, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "list"), list);
        const env = {
            ...process.env,
            PATH: `${dir}:${process.env.PATH}`,
            PULUMI_SECRETS_PROVIDER: "awskms://alias/hangar-state?region=eu-west-1",
        };
        const run = spawnSync("bash", [path.join(REPO_ROOT, ".github", "scripts", "ephemeral.sh"), action, "42"], {
            cwd: REPO_ROOT,
            env,
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        const lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n") : [];
        const calls: string[][] = [[]];
        for (const line of lines.slice(0, -1))
            if (line === "::end") calls.push([]);
            else calls[calls.length - 1].push(line);
        return calls.slice(0, -1);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("automation: the ephemeral lifecycle and the sweep by age", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    it("creates and updates a pull request's environment, rebuilds its stack file on a new runner, destroys and removes it from a third", async () => {
        fake = new FakeCli();
        const secretsProvider = "awskms://alias/hangar-state?region=eu-west-1";
        const overrides = { "app.namespace": "hangar-pr-7" };
        const created = await createEnvironment("pr-7", fake.options({ from: "staging", overrides, secretsProvider }));
        assert.strictEqual(created.rebuilt, false);
        await up("pr-7", fake.options());
        const stackFile = path.join(created.workDir, "Pulumi.pr-7.yaml");
        const written = parseYaml(fs.readFileSync(stackFile, "utf8")) as Record<string, unknown>;

        // The runner is gone: its work directory with it. The next run rebuilds the same stack file.
        fs.rmSync(created.workDir, { recursive: true });
        fake.script({ existingStacks: ["pr-7"] });
        await assert.rejects(createEnvironment("pr-7", fake.options({ from: "staging", overrides })), AlreadyExistsError);
        const again = await createEnvironment("pr-7", fake.options({ from: "staging", overrides, secretsProvider, ifExists: "rebuild" }));
        assert.strictEqual(again.rebuilt, true);
        assert.deepStrictEqual(parseYaml(fs.readFileSync(stackFile, "utf8")), written);
        assert.strictEqual(written.secretsprovider, secretsProvider);
        assert.deepStrictEqual((written.config as Record<string, { namespace?: string }>)["hangar:app"].namespace, "hangar-pr-7");

        // Closed on yet another runner: remove rebuilds the stack file (its secrets provider) before it destroys.
        fs.rmSync(created.workDir, { recursive: true });
        const seen: unknown[] = [];
        fake.script({ commands: { destroy: { events: [] } } });
        const record = fake.options({ from: "staging", overrides, secretsProvider });
        await removeEnvironment("pr-7", {
            ...record,
            onEvent: () => seen.push(fs.existsSync(stackFile) && parseYaml(fs.readFileSync(stackFile, "utf8"))),
        });
        assert.deepStrictEqual(seen[0], written);
        assert.ok(!fs.existsSync(created.workDir));
        assert.deepStrictEqual(touched(fake), ["preview pr-7", "up pr-7", "destroy pr-7", "stack rm pr-7"]);
    });

    it("ephemeral.sh's hangar commands run against the fake Pulumi CLI: create (or rebuild) and remove pr-<n> with the same overrides", async function () {
        const calls = ephemeralScript("up", "[]");
        assert.deepStrictEqual(
            calls.map((c) => c[0]),
            ["create", "up"],
        );
        assert.ok(calls[0].includes("--if-exists") && calls[0].includes("rebuild"));
        fake = new FakeCli();
        const out: string[] = [];
        const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env: {}, connection: fake.options() };
        assert.strictEqual(await main([...calls[0], "--json"], io), EXIT.ok, out.join(""));
        const created = JSON.parse(out.join("")) as { stackConfig: Record<string, Record<string, unknown>> };
        assert.strictEqual(created.stackConfig["hangar:app"].namespace, "hangar-pr-42");
        assert.strictEqual(created.stackConfig["hangar:monitoring"].mode, "existing-operator");
        await sharesStagingCluster(created.stackConfig);
        assert.strictEqual(
            spawnSync("jq", ["--version"]).status,
            0,
            "jq is installed (.ci/run installs it): the remove path filters `hangar list` with it",
        );
        const removal = ephemeralScript("remove", '[{"name":"pr-42","inBackend":true}]');
        assert.deepStrictEqual(
            removal.map((c) => c[0]),
            ["list", "remove"],
        );
        fs.rmSync(path.join(fake.environmentsDir, "pr-42"), { recursive: true }); // a new runner
        out.length = 0;
        assert.strictEqual(await main(removal[1], io), EXIT.ok, out.join(""));
        assert.deepStrictEqual(
            fake.calls("stack rm").map((c) => c.stack),
            ["pr-42"],
        );
        assert.deepStrictEqual(
            ephemeralScript("remove", "[]").map((c) => c[0]),
            ["list"],
        );
    });

    it("lists with an age and filters by age and kind", async () => {
        fake = new FakeCli({ stacks: BACKEND });
        const all = await listEnvironments(fake.options({ now: NOW }));
        assert.strictEqual(all.find((e) => e.name === "pr-1")?.age, 100 * HOUR);
        assert.strictEqual(all.find((e) => e.name === "pr-4")?.age, undefined);
        const old = await listEnvironments(fake.options({ now: NOW, olderThan: 72 * HOUR, environment: "ephemeral" as const }));
        assert.deepStrictEqual(
            old.map((e) => e.name),
            ["pr-1", "pr-3", "pr-5"],
        );
        const byDate = await listEnvironments(fake.options({ now: NOW, olderThan: new Date(ago(450)) }));
        assert.deepStrictEqual(
            byDate.map((e) => e.name),
            ["prod"],
        );
    });

    it("sweeps: removes old ephemeral environments, keeps young ones, never prod or staging, skips updating and undated ones", async () => {
        fake = new FakeCli({ stacks: BACKEND });
        const result = await sweepEnvironments(fake.options({ now: NOW, olderThan: 72 * HOUR }));
        assert.deepStrictEqual(
            result.removed.map((e) => [e.stack, e.age]),
            [
                ["pr-1", 100 * HOUR],
                ["pr-5", 80 * HOUR],
            ],
        );
        assert.deepStrictEqual(result.skipped, [
            { stack: "pr-3", reason: "update-in-progress" },
            { stack: "pr-4", reason: "no-last-update" },
        ]);
        assert.deepStrictEqual(result.failed, []);
        assert.deepStrictEqual(touched(fake), ["destroy pr-1", "stack rm pr-1", "destroy pr-5", "stack rm pr-5"]);
    });

    it("a dry run removes nothing; a prefix narrows the sweep; a failed removal is reported and the sweep goes on", async () => {
        fake = new FakeCli({ stacks: BACKEND });
        const dry = await sweepEnvironments(fake.options({ now: NOW, olderThan: 72 * HOUR, dryRun: true }));
        assert.deepStrictEqual(
            dry.removed.map((e) => e.stack),
            ["pr-1", "pr-5"],
        );
        assert.deepStrictEqual(touched(fake), []);

        fake.script({
            stacks: [...BACKEND, { name: "tooling", lastUpdate: ago(1000) }],
            commands: { "destroy@pr-1": { exitCode: 1, stderr: "error: boom\n" } },
        });
        const result = await sweepEnvironments(fake.options({ now: NOW, olderThan: 72 * HOUR, prefix: "pr-" }));
        assert.deepStrictEqual(
            result.failed.map((f) => [f.stack, f.code]),
            [["pr-1", "FAILED"]],
        );
        assert.deepStrictEqual(
            result.removed.map((e) => e.stack),
            ["pr-5"],
        );
        assert.ok(!touched(fake).some((c) => c.endsWith("tooling")));
    });

    it("hangar sweep --older-than 72h [--dry-run] and hangar list --older-than", async () => {
        fake = new FakeCli({ stacks: BACKEND });
        const out: string[] = [];
        const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), env: {}, connection: fake.options() };
        assert.strictEqual(await main(["sweep", "--older-than", "72h", "--dry-run", "--json"], io), EXIT.ok);
        const swept = JSON.parse(out.join("")) as { dryRun: boolean; removed: { stack: string }[] };
        assert.strictEqual(swept.dryRun, true);
        assert.ok(swept.removed.some((e) => e.stack === "pr-1"));
        assert.ok(!swept.removed.some((e) => e.stack === "pr-2"));
        assert.deepStrictEqual(touched(fake), []);
        out.length = 0;
        assert.strictEqual(await main(["sweep"], io), EXIT.usage);
        assert.match(out.join(""), /--older-than/);
        assert.strictEqual(await main(["sweep", "--older-than", "3 days"], io), EXIT.usage);
        out.length = 0;
        assert.strictEqual(await main(["list", "--older-than", "7d", "--ephemeral"], io), EXIT.ok);
        assert.doesNotMatch(out.join(""), /\bprod\b|pr-2/);
        assert.strictEqual(parseDuration("--older-than", "90m"), 90 * 60_000);
    });
});

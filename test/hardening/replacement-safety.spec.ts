import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readStackConfig } from "../../config";
import { ALLOW_REPLACE_FILE, BASELINE_STACKS, baselineFile, LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { ROOT, runStack, snapshotOf, Snapshot } from "../../tools/harness";
import { STATEFUL_RESOURCE_TYPES as STATEFUL_TYPES } from "../../automation/stateful";
import { AllowReplace, baselineOf, BaselineEntry, compareWithBaseline, REPLACEMENT_FORCING } from "../../tools/stateful";

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const allowReplace = () => readJson<AllowReplace[]>(ALLOW_REPLACE_FILE);

/** The prod stack file's config with one section key changed. */
function prodWith(section: string, change: (s: Record<string, unknown>) => void): Record<string, unknown> {
    const config = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.prod.yaml"))) as Record<string, Record<string, unknown>>;
    config[section] = config[section] ?? {};
    change(config[section]);
    return config;
}

for (const stack of BASELINE_STACKS) {
    describe(`stateful resources of ${stack} against the committed baseline`, () => {
        let snapshot: Snapshot;
        before(async () => {
            snapshot = await snapshotOf(stack, { kubeconfig: LAPTOP_KUBECONFIG });
            assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        });

        it("keeps every URN and replacement-forcing value (or lists it in allow-replace.json)", () => {
            const problems = compareWithBaseline(stack, snapshot, readJson<BaselineEntry[]>(baselineFile(stack)), allowReplace());
            assert.deepStrictEqual(
                problems.map((p) => p.message),
                [],
            );
        });

        it("has no stateful resource missing from the baseline (run `npm run baseline` and review the diff)", () => {
            const recorded = new Set(readJson<BaselineEntry[]>(baselineFile(stack)).map((e) => e.urn));
            assert.deepStrictEqual(
                baselineOf(snapshot)
                    .filter((e) => !recorded.has(e.urn))
                    .map((e) => e.urn),
                [],
            );
        });

        if (stack === "prod") {
            it("protects every stateful resource", () => {
                const unprotected = snapshot.resources.filter(
                    (r) => STATEFUL_TYPES.includes(r.type) && !r.options.protect && !r.options.retainOnDelete,
                );
                assert.deepStrictEqual(
                    unprotected.map((r) => r.urn),
                    [],
                );
            });
        }
    });
}

describe("replacement safety", () => {
    let prod: Snapshot;
    let baseline: BaselineEntry[];
    before(async () => {
        prod = await snapshotOf("prod", { kubeconfig: LAPTOP_KUBECONFIG });
        baseline = readJson<BaselineEntry[]>(baselineFile("prod"));
    });

    it("lists replacement-forcing properties for exactly the types the Automation API guards as stateful", () => {
        assert.deepStrictEqual(Object.keys(REPLACEMENT_FORCING).sort(), [...STATEFUL_TYPES].sort());
    });

    it("covers every stateful type the stacks use, each with its replacement-forcing properties", () => {
        const used = new Set(prod.resources.map((r) => r.type));
        for (const type of [
            "aws:rds/instance:Instance",
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "aws:s3/bucket:Bucket",
            "aws:kms/key:Key",
            "aws:backup/vault:Vault",
            "aws:secretsmanager/secret:Secret",
        ]) {
            assert.ok(used.has(type), `prod uses ${type}`);
            assert.ok(REPLACEMENT_FORCING[type].length >= 2, `${type} lists its replacement-forcing properties`);
        }
        assert.ok(
            REPLACEMENT_FORCING["aws:rds/instance:Instance"].includes("identifier") &&
                REPLACEMENT_FORCING["aws:rds/instance:Instance"].includes("kmsKeyId"),
        );
    });

    it("flags a renamed stateful resource as data loss and explains the alias", () => {
        const renamed: Snapshot = {
            ...prod,
            resources: prod.resources.map((r) =>
                r.urn.endsWith("::hangar-db") ? { ...r, urn: r.urn.replace("::hangar-db", "::hangar-database") } : r,
            ),
        };
        const problems = compareWithBaseline("prod", renamed, baseline, []);
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0].message, /data loss/);
        assert.match(problems[0].message, /aliases: \[\{ name: "hangar-db" \}\]/);
    });

    it("accepts the rename once the new resource carries an alias", () => {
        const renamed: Snapshot = {
            ...prod,
            resources: prod.resources.map((r) =>
                r.urn.endsWith("::hangar-db")
                    ? {
                          ...r,
                          urn: r.urn.replace("::hangar-db", "::hangar-database"),
                          options: { ...r.options, aliases: [{ urn: "", spec: { name: "hangar-db" } }] },
                      }
                    : r,
            ),
        };
        assert.deepStrictEqual(compareWithBaseline("prod", renamed, baseline, []), []);
    });

    it("cannot move the primary region without an allowReplace entry per stateful resource", async () => {
        const moved = await runStack("prod", {
            kubeconfig: LAPTOP_KUBECONFIG,
            config: prodWith("hangar:foundation", (f) => ((f.aws as Record<string, unknown>).region = "eu-north-1")),
        });
        assert.strictEqual(moved.error, undefined, moved.error?.message);
        const problems = compareWithBaseline("prod", moved, baseline, []);
        const primaryStateful = baseline.filter((e) => e.values["@region"] === "eu-west-1").length;
        assert.ok(
            problems.filter((p) => p.property === "@region").length === primaryStateful,
            `every primary-region stateful resource flagged (${primaryStateful})`,
        );
        const allowAll: AllowReplace[] = problems.map((p) => ({ stack: "prod", urn: p.urn, property: p.property, reason: "test" }));
        assert.deepStrictEqual(compareWithBaseline("prod", moved, baseline, allowAll), []);
    });

    it("flags a removed read replica (a stateful resource deleted)", async () => {
        const fewer = await runStack("prod", {
            kubeconfig: LAPTOP_KUBECONFIG,
            config: prodWith("hangar:database", (d) => (d.replicas = 1)),
        });
        const problems = compareWithBaseline("prod", fewer, baseline, []);
        assert.deepStrictEqual(
            problems.map((p) => p.urn.split("::").pop()),
            ["hangar-db-replica-2"],
        );
    });

    it("lets everyday changes through: sizes, retention, services, cache nodes", async () => {
        const everyday = await runStack("prod", {
            kubeconfig: LAPTOP_KUBECONFIG,
            config: prodWith("hangar:database", (d) => {
                d.instanceClass = "db.r7g.xlarge";
                d.backupRetentionDays = 35;
                d.replicas = 3;
            }),
        });
        assert.strictEqual(everyday.error, undefined, everyday.error?.message);
        assert.deepStrictEqual(compareWithBaseline("prod", everyday, baseline, []), []);
    });
});

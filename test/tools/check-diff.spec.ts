import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeDiff, diffPlans, PlanEntry, planOf, readPlan } from "../../tools/check-diff";
import type { Snapshot } from "../../tools/harness";

const RDS = "urn:pulumi:prod::hangar::hangar:index:Platform$hangar:index:PostgresDatabase$aws:rds/instance:Instance::hangar-db";
const ROLE = "urn:pulumi:prod::hangar::hangar:index:Platform$aws:iam/role:Role::hangar-role";
const NS = "urn:pulumi:prod::hangar::hangar:index:Platform$kubernetes:core/v1:Namespace::hangar-ns";

const entry = (urn: string, type: string, inputs: Record<string, string>, values?: Record<string, unknown>): PlanEntry => ({
    urn,
    type,
    inputs,
    ...(values ? { values } : {}),
});

describe("the check's diff (tools/check-diff.ts)", () => {
    const before = [
        entry(
            RDS,
            "aws:rds/instance:Instance",
            { identifier: "a1", instanceClass: "b1" },
            { identifier: "hangar-prod", "@region": "eu-west-1" },
        ),
        entry(ROLE, "aws:iam/role:Role", { assumeRolePolicy: "c1" }),
    ];

    it("is empty for the same plan", () => {
        const diff = diffPlans(before, before, "x");
        assert.deepStrictEqual([diff.added, diff.removed, diff.changed, diff.replaces], [[], [], [], []]);
        assert.match(describeDiff(diff)[0], /0 to add, 0 to change, 0 replacements of stateful resources, 0 to remove/);
    });

    it("lists added, removed and changed resources with the inputs that changed", () => {
        const after = [
            entry(RDS, "aws:rds/instance:Instance", { identifier: "a1", instanceClass: "b2", tags: "t" }, before[0].values),
            entry(NS, "kubernetes:core/v1:Namespace", { metadata: "m" }),
        ];
        const diff = diffPlans(before, after, "x");
        assert.deepStrictEqual(diff.added, [NS]);
        assert.deepStrictEqual(diff.removed, [ROLE]);
        assert.deepStrictEqual(diff.changed, [{ urn: RDS, type: "aws:rds/instance:Instance", keys: ["instanceClass", "tags"] }]);
        assert.deepStrictEqual(diff.replaces, [], "an instance class change is an in-place update");
        const lines = describeDiff(diff);
        assert.ok(lines.includes("+ kubernetes:core/v1:Namespace hangar-ns"));
        assert.ok(lines.includes("- aws:iam/role:Role hangar-role"));
        assert.ok(lines.includes("~ aws:rds/instance:Instance hangar-db: instanceClass, tags"));
    });

    it("flags a replacement-forcing input of a stateful resource, and a stateful URN that is gone", () => {
        const renamed = [
            entry(
                RDS,
                "aws:rds/instance:Instance",
                { identifier: "a2", instanceClass: "b1" },
                { identifier: "hangar-prod-2", "@region": "eu-west-1" },
            ),
            before[1],
        ];
        const diff = diffPlans(before, renamed, "x");
        assert.deepStrictEqual(diff.replaces, [
            { urn: RDS, type: "aws:rds/instance:Instance", property: "identifier", from: "hangar-prod", to: "hangar-prod-2" },
        ]);
        assert.ok(
            describeDiff(diff).includes('± REPLACES aws:rds/instance:Instance hangar-db: identifier "hangar-prod" → "hangar-prod-2"'),
        );
        const gone = diffPlans(before, [before[1]], "x");
        assert.deepStrictEqual(
            gone.replaces.map((r) => [r.urn, r.property]),
            [[RDS, "*"]],
        );
        assert.deepStrictEqual(diffPlans([before[1]], [], "x").replaces, [], "a stateless resource removed is no replacement");
    });

    it("follows an alias: a stateful resource renamed with one moves, and is compared with its old self", () => {
        const NEW = RDS.replace("::hangar-db", "::hangar-database");
        const moved = (aliases: string[], values = before[0].values) => [
            { ...entry(NEW, "aws:rds/instance:Instance", { identifier: "a1", instanceClass: "b1" }, values), aliases },
            before[1],
        ];
        for (const alias of [RDS, JSON.stringify({ name: "hangar-db" })]) {
            const diff = diffPlans(before, moved([alias]), "x");
            assert.deepStrictEqual([diff.added, diff.removed, diff.replaces, diff.changed], [[], [], [], []], alias);
            assert.deepStrictEqual(diff.moved, [{ from: RDS, to: NEW }]);
            assert.ok(describeDiff(diff).includes("> aws:rds/instance:Instance hangar-db → hangar-database (aliased: same resource)"));
        }
        const changed = diffPlans(before, moved([RDS], { identifier: "hangar-prod-2", "@region": "eu-west-1" }), "x");
        assert.deepStrictEqual(
            changed.replaces.map((r) => [r.urn, r.property, r.to]),
            [[NEW, "identifier", "hangar-prod-2"]],
            "an alias keeps the URN, not a changed identifier",
        );
        const unrelated = diffPlans(before, moved([JSON.stringify({ name: "other-db" })]), "x");
        assert.deepStrictEqual(
            unrelated.replaces.map((r) => [r.urn, r.property]),
            [[RDS, "*"]],
            "an alias of another name does not cover it",
        );
        assert.deepStrictEqual(planOf({ resources: [] } as unknown as Snapshot), []);
    });

    it("digests inputs by value, key order aside, and keeps secrets out", () => {
        const snapshot = (inputs: Record<string, unknown>) =>
            ({
                resources: [{ urn: ROLE, type: "aws:iam/role:Role", name: "r", custom: true, inputs, options: {} }],
            }) as unknown as Snapshot;
        const a = planOf(snapshot({ tags: { a: 1, b: 2 }, name: "x" }));
        const b = planOf(snapshot({ name: "x", tags: { b: 2, a: 1 } }));
        assert.deepStrictEqual(a, b);
        assert.notDeepStrictEqual(planOf(snapshot({ name: "y", tags: { a: 1, b: 2 } })), a);
        assert.ok(!JSON.stringify(planOf(snapshot({ password: "hunter2" }))).includes("hunter2"), "only digests are written");
    });

    it("reads a plan file or a resources.json, and refuses anything else by name", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-diff-"));
        try {
            const plan = path.join(dir, "plan.json");
            fs.writeFileSync(plan, JSON.stringify(before));
            assert.deepStrictEqual(readPlan(plan), before);
            const resources = path.join(dir, "resources.json");
            fs.writeFileSync(
                resources,
                JSON.stringify({
                    resources: [{ urn: ROLE, type: "aws:iam/role:Role", name: "r", custom: true, inputs: { name: "x" }, options: {} }],
                }),
            );
            assert.deepStrictEqual(
                readPlan(resources).map((e) => e.urn),
                [ROLE],
            );
            const other = path.join(dir, "other.json");
            fs.writeFileSync(other, JSON.stringify({ hello: 1 }));
            assert.throws(() => readPlan(other), /other\.json is neither a check's resources\.json nor a plan file/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/**
 * aws-backup-restore-testing (issue 20): every RDS instance AWS Backup protects has a restore test. The real
 * snapshots (shared with the wiring specs), one mutation of prod per way to break it, and the preview case.
 */
import * as assert from "assert";
import { backupRestoreTesting, RESTORE_TESTING_PLAN, RESTORE_TESTING_SELECTION } from "../../policies/rules/aws/restore-testing";
import { Snapshot, SnapshotResource, UNKNOWN } from "../../tools/harness";
import { policyConfig, policyResources } from "../../tools/policy-check";
import { runPolicies } from "../../tools/policy/runner";
import { Any, first, realStacks } from "./wiring-fixtures";

const RULE = "aws-backup-restore-testing";
const DB = "aws:rds/instance:Instance";
const run = (s: Snapshot, env: string, preview = false) =>
    runPolicies(policyResources(s), policyConfig(env), { policies: [backupRestoreTesting], preview });
const database = (s: Snapshot) => s.resources.find((r) => r.type === DB && (r.inputs as Any).identifier === "hangar-prod")!;
const selection = (s: Snapshot) => first(s, RESTORE_TESTING_SELECTION);

type Case = [string, (s: Snapshot) => SnapshotResource, RegExp];
const MUTATIONS: Case[] = [
    [
        "no restore testing selection",
        (s) => {
            s.resources = s.resources.filter((r) => r.type !== RESTORE_TESTING_SELECTION);
            return database(s);
        },
        /RDS instance hangar-db, protected by backup selection hangar-backups-rds, has no restore test: add/,
    ],
    [
        "a selection of another resource type",
        (s) => {
            (selection(s).inputs as Any).protectedResourceType = "Aurora";
            return database(s);
        },
        /has no restore test/,
    ],
    [
        "a selection of another database",
        (s) => {
            const r = selection(s);
            r.options.propertyDependencies.protectedResourceArns = [];
            (r.inputs as Any).protectedResourceArns = ["arn:aws:rds:eu-west-1:210987654321:db:other"];
            return database(s);
        },
        /has no restore test/,
    ],
    [
        "a selection naming a plan the stack does not create",
        (s) => {
            s.resources = s.resources.filter((r) => r.type !== RESTORE_TESTING_PLAN);
            const r = selection(s);
            r.options.propertyDependencies.restoreTestingPlanName = [];
            return database(s);
        },
        /has no restore test \(hangar-backups-restore-testing-rds: no restore testing plan of the stack is named "hangar_prod"\)/,
    ],
];

describe(RULE, () => {
    const stacks = realStacks();

    it("is clean on prod and staging, and required only in prod", async () => {
        assert.deepStrictEqual(await run(stacks.prod, "prod"), []);
        assert.deepStrictEqual(await run(stacks.staging, "staging"), []);
        const staging = structuredClone(stacks.staging);
        staging.resources = staging.resources.filter((r) => r.type !== RESTORE_TESTING_SELECTION);
        assert.deepStrictEqual(await run(staging, "staging"), [], "staging does not require it (required: false)");
    });

    for (const [what, mutate, message] of MUTATIONS) {
        it(`reports ${what}, on the database, mandatory in prod`, async () => {
            const s = structuredClone(stacks.prod);
            const target = mutate(s);
            const found = await run(s, "prod");
            assert.ok(
                found.some((v) => v.urn === target.urn && message.test(v.message) && v.enforcementLevel === "mandatory"),
                JSON.stringify(found),
            );
        });
    }

    it("accepts a literal wildcard selection and a plan named literally", async () => {
        const s = structuredClone(stacks.prod);
        const r = selection(s);
        r.options.propertyDependencies.protectedResourceArns = [];
        r.options.propertyDependencies.restoreTestingPlanName = [];
        (r.inputs as Any).protectedResourceArns = ["*"];
        (r.inputs as Any).restoreTestingPlanName = "hangar_prod";
        assert.deepStrictEqual(await run(s, "prod"), []);
    });

    it("reads literal ARNs when the backup selection's resources come from no resource", async () => {
        const s = structuredClone(stacks.prod);
        const backup = first(s, "aws:backup/selection:Selection");
        backup.options.propertyDependencies.resources = [];
        (backup.inputs as Any).resources = ["arn:aws:rds:eu-west-1:210987654321:db:legacy"];
        const found = await run(s, "prod");
        assert.deepStrictEqual(
            found.map((v) => [
                v.urn,
                /arn:aws:rds:eu-west-1:210987654321:db:legacy, protected by backup selection hangar-backups-rds, has no restore test/.test(
                    v.message,
                ),
            ]),
            [[backup.urn, true]],
        );
        const r = selection(s);
        (r.inputs as Any).protectedResourceArns = ["arn:aws:rds:eu-west-1:210987654321:db:legacy"];
        assert.deepStrictEqual(await run(s, "prod"), []);
    });

    it("decides during preview from dependencies, and cannot decide an unknown ARN that comes from no database", async () => {
        const s = structuredClone(stacks.prod);
        const r = selection(s);
        (r.inputs as Any).protectedResourceArns = UNKNOWN;
        (r.inputs as Any).restoreTestingPlanName = UNKNOWN;
        assert.deepStrictEqual(await run(s, "prod", true), [], "the database and plan dependencies decide");
        r.options.propertyDependencies.protectedResourceArns = [];
        const found = await run(s, "prod", true);
        assert.deepStrictEqual(
            found.map((v) => [
                v.enforcementLevel,
                /can't run .* during preview: cannot decide: RDS instance hangar-db: .*protectedResourceArns is unknown/.test(v.message),
            ]),
            [["advisory", true]],
        );
    });
});

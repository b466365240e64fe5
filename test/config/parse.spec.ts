import * as assert from "assert";
import * as path from "path";
import { parseConfig, profileDefaults, readStackConfig, environmentFromStackName, formatIssues, cidrContains } from "../../config";
import { INVALID_CONFIGS, mutate, stackConfig } from "./cases";

const ROOT = path.resolve(__dirname, "..", "..");
function errorsOf(raw: unknown, stack: string): string[] {
    const result = parseConfig(raw, stack);
    assert.ok(!result.ok, "expected the config to be rejected");
    return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("parseConfig", () => {
    describe("the real stack files", () => {
        for (const stack of ["prod", "staging"]) {
            it(`accepts Pulumi.${stack}.yaml`, () => {
                const result = parseConfig(stackConfig(stack), stack);
                assert.ok(result.ok, result.ok ? "" : formatIssues(result.errors));
                assert.strictEqual(result.config.environment, stack);
            });
            it(`Pulumi.${stack}.yaml disables every default provider`, () => {
                assert.deepStrictEqual(stackConfig(stack)["pulumi:disable-default-providers"], ["*"]);
            });
        }

        it("gives prod its production-shaped profile", () => {
            const result = parseConfig(stackConfig("prod"), "prod");
            assert.ok(result.ok);
            const db = result.config.database;
            assert.strictEqual(db.multiAz, true);
            assert.ok(db.replicas >= 1);
            assert.ok(db.backupRetentionDays >= 30);
            assert.strictEqual(db.deletionProtection, true);
            assert.strictEqual(result.config.dr.enabled, true);
        });

        it("keeps staging smaller: single-AZ, no DR, at least 7 days of backups", () => {
            const result = parseConfig(stackConfig("staging"), "staging");
            assert.ok(result.ok);
            assert.strictEqual(result.config.database.multiAz, false);
            assert.strictEqual(result.config.dr.enabled, false);
            assert.ok(result.config.database.backupRetentionDays >= 7);
        });
    });

    describe("environments", () => {
        it("defaults the environment from the stack name", () => {
            assert.strictEqual(environmentFromStackName("prod"), "prod");
            assert.strictEqual(environmentFromStackName("staging"), "staging");
            assert.strictEqual(environmentFromStackName("feature-x"), "ephemeral");
        });

        it("parses the staging file as an ephemeral stack with ephemeral defaults", () => {
            const result = parseConfig(stackConfig("staging"), "pr-1234");
            assert.ok(result.ok, result.ok ? "" : formatIssues(result.errors));
            assert.strictEqual(result.config.environment, "ephemeral");
            assert.strictEqual(result.config.database.deletionProtection, false);
            assert.strictEqual(result.config.database.instanceClass, profileDefaults("ephemeral").database.instanceClass);
        });

        it("lets hangar:environment override the stack name", () => {
            const result = parseConfig({ ...stackConfig("staging"), "hangar:environment": "staging" }, "anything");
            assert.ok(result.ok);
            assert.strictEqual(result.config.environment, "staging");
        });

        it("ignores other namespaces (aws:, pulumi:)", () => {
            const result = parseConfig({ ...stackConfig("staging"), "aws:region": "us-east-1", "pulumi:tags": { a: "b" } }, "staging");
            assert.ok(result.ok);
        });
    });

    describe("rejects invalid configs with every problem named by its key path", () => {
        const cases = INVALID_CONFIGS;

        for (const [what, stack, raw, expected] of cases) {
            it(`${what} → ${expected.split(":").slice(0, 2).join(":")}`, () => {
                const errors = errorsOf(raw, stack);
                assert.ok(
                    errors.some((e) => e.startsWith(expected)),
                    `expected an error starting with\n  ${expected}\ngot\n  ${errors.join("\n  ")}`,
                );
            });
        }

        it("has at least 30 invalid configs", () => assert.ok(cases.length >= 30));

        it("lists all three mistakes of a three-mistake file, and nothing else", () => {
            const raw = readStackConfig(path.join(ROOT, "test/fixtures/stack-files/three-mistakes.yaml"));
            assert.deepStrictEqual(errorsOf(raw, "prod").sort(), [
                "hangar:app.services[1].port: expected an integer 1–65535",
                "hangar:database.backupRetentionDays: expected an integer 0–35",
                "hangar:dr.region: must differ from the primary region foundation.aws.region (eu-west-1)",
            ]);
        });

        // A pure function: the same input gives the same verdict every time and is not modified, so hundreds of
        // configs test in process (its speed is a figure of `npm run bench`, not a timed test on a shared machine).
        it("is a pure function: 300 parses of one config give one verdict and leave the input as it was", () => {
            const raw = mutate("prod", "hangar:app", ["services", 0, "port"], -1);
            const before = JSON.stringify(raw);
            const verdicts = new Set(Array.from({ length: 300 }, () => errorsOf(raw, "prod").join("\n")));
            assert.deepStrictEqual([...verdicts], ["hangar:app.services[0].port: expected an integer 1–65535"]);
            assert.strictEqual(JSON.stringify(raw), before);
        });
    });

    describe("cidrContains", () => {
        it("knows which subnets fit in a VPC", () => {
            assert.ok(cidrContains("10.40.0.0/16", "10.40.64.0/19"));
            assert.ok(!cidrContains("10.40.0.0/16", "10.41.0.0/19"));
            assert.ok(!cidrContains("10.40.0.0/16", "10.0.0.0/8"));
        });
    });
});

describe("the schema's per-environment minimums", () => {
    const { ENVIRONMENT_MINIMUMS } = require("../../config/environments") as typeof import("../../config/environments");
    const policyConfig = (env: string) =>
        JSON.parse(require("fs").readFileSync(path.join(ROOT, "policies", "config", `${env}.json`), "utf8"));
    for (const env of ["prod", "staging", "ephemeral"] as const) {
        it(`equal the guardrails' thresholds in policies/config/${env}.json`, () => {
            const c = policyConfig(env);
            const m = ENVIRONMENT_MINIMUMS[env];
            assert.strictEqual(m.databaseBackupDays, c["aws-rds-backup-retention"].minRetentionDays);
            assert.strictEqual(m.cacheSnapshotDays, c["aws-elasticache-snapshot-retention"].minRetentionDays);
            assert.strictEqual(m.backupDailyDays, c["aws-backup-plan-retention"].minRetentionDays);
            assert.strictEqual(m.dumpBucketDays, c["aws-s3-bucket-lifecycle-retention"].minRetentionDays);
            assert.deepStrictEqual(m.forbiddenImageTags, c["kubernetes-container-image-pinned"]?.forbiddenTags ?? ["latest"]);
        });
    }
});

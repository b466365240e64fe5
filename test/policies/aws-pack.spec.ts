import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policies/rules";
import { awsPolicies } from "../../policies/rules/aws";
import { backupJobPolicies } from "../../policies/rules/kubernetes/backups";
import { resolvePackConfig, runPolicies, validatePackConfig } from "../../tools/policy/runner";
import { prodStack, runnerInput, stagingStack } from "./aws-fixtures";

const CONFIG_DIR = path.resolve(__dirname, "..", "..", "policies", "config");
const ENVIRONMENTS = ["prod", "staging", "ephemeral"] as const;
const readConfig = (env: string) => JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${env}.json`), "utf8")) as Record<string, unknown>;
/** The rules this part of the pack adds. */
const ADDED = [...backupJobPolicies, ...awsPolicies];
const SECURITY = [
    "aws-rds-storage-encrypted",
    "aws-rds-not-public",
    "aws-rds-force-ssl",
    "aws-rds-proxy-tls-required",
    "aws-rds-performance-insights-encrypted",
    "aws-rds-replica-key-in-region",
    "aws-rds-backup-replication-encrypted",
    "aws-elasticache-transit-encryption",
    "aws-elasticache-at-rest-encryption",
    "aws-elasticache-auth-token",
    "aws-kms-key-rotation",
    "aws-backup-vault-encrypted",
    "aws-s3-bucket-encrypted",
    "aws-s3-bucket-tls-only",
    "aws-s3-bucket-public-access-blocked",
    "aws-s3-bucket-replication-kms",
];

/** What differs by environment (prod, staging, ephemeral): a rule not required there is advisory, the rest mandatory. */
const BY_ENVIRONMENT: [string, string, [number | boolean, number | boolean, number | boolean]][] = [
    ["aws-rds-backup-retention", "minRetentionDays", [30, 7, 1]],
    ["aws-elasticache-snapshot-retention", "minRetentionDays", [7, 3, 0]],
    ["aws-backup-plan-retention", "minRetentionDays", [35, 14, 1]],
    ["aws-s3-bucket-lifecycle-retention", "minRetentionDays", [2555, 365, 1]],
    ["aws-rds-deletion-protection", "required", [true, false, false]],
    ["aws-rds-final-snapshot", "required", [true, false, false]],
    ["aws-elasticache-multi-az", "required", [true, false, false]],
    ["aws-backup-plan-cross-region-copy", "required", [true, false, false]],
];

describe("the AWS rules of the hangar-guardrails pack", () => {
    it("are registered after the Kubernetes rules, the backup CronJob rule first (the wiring rules follow them)", () =>
        assert.deepStrictEqual(policies.filter((p) => !p.name.startsWith("wiring-")).slice(-ADDED.length), ADDED));

    it("are uniquely named aws-<what>-<rule>, with a description, a default level and exemptResources", () => {
        assert.ok(awsPolicies.length >= 24, `${awsPolicies.length} rules`);
        assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length);
        for (const p of awsPolicies) {
            assert.match(p.name, /^aws-[a-z0-9]+(-[a-z0-9]+)+$/);
            assert.ok(p.description.length > 20, p.name);
            assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", p.name);
            assert.deepStrictEqual(p.configSchema?.properties.exemptResources?.default, [], p.name);
        }
    });

    it("make the security rules mandatory by default", () =>
        assert.deepStrictEqual(
            SECURITY.filter((name) => awsPolicies.find((p) => p.name === name)?.enforcementLevel !== "mandatory"),
            [],
        ));

    for (const env of ENVIRONMENTS) {
        describe(`config/${env}.json`, () => {
            it("passes validatePackConfig", () => assert.deepStrictEqual(validatePackConfig(readConfig(env)), []));

            it("has an entry for every rule added here", () =>
                assert.deepStrictEqual(
                    ADDED.map((p) => p.name).filter((name) => !(name in readConfig(env))),
                    [],
                ));

            it("keeps the security rules mandatory", () => {
                const resolved = resolvePackConfig(readConfig(env));
                for (const name of [...SECURITY, "kubernetes-cronjob-backup-bounded"])
                    assert.strictEqual(resolved.get(name)?.enforcementLevel, "mandatory", name);
            });

            it("sets the environment's thresholds and requirements", () => {
                const resolved = resolvePackConfig(readConfig(env));
                for (const [name, key, values] of BY_ENVIRONMENT) {
                    const value = values[ENVIRONMENTS.indexOf(env)];
                    assert.strictEqual(resolved.get(name)?.properties[key], value, `${name}.${key}`);
                    assert.strictEqual(resolved.get(name)?.enforcementLevel, value === false ? "advisory" : "mandatory", name);
                }
            });
        });
    }

    describe("over Hangar's resources", () => {
        for (const env of ENVIRONMENTS) {
            it(`prod's shapes pass with config/${env}.json`, async () =>
                assert.deepStrictEqual(await runPolicies(runnerInput(prodStack()), readConfig(env), { policies: ADDED }), []));
        }

        it("prod's preview shapes add only an advisory 'cannot decide' for the TLS-only policy, built from the bucket ARN", async () => {
            const records = await runPolicies(runnerInput(prodStack({ preview: true })), readConfig("prod"), {
                policies: ADDED,
                preview: true,
            });
            assert.deepStrictEqual(
                records.map((r) => [r.policy, r.enforcementLevel, /can't run .* during preview: cannot decide/.test(r.message)]),
                [["aws-s3-bucket-tls-only", "advisory", true]],
            );
        });

        it("staging's shapes pass with config/staging.json and config/ephemeral.json", async () => {
            assert.deepStrictEqual(await runPolicies(runnerInput(stagingStack()), readConfig("staging"), { policies: ADDED }), []);
            assert.deepStrictEqual(await runPolicies(runnerInput(stagingStack()), readConfig("ephemeral"), { policies: ADDED }), []);
        });

        it("staging's shapes fail prod's thresholds and requirements, and only those", async () => {
            const records = await runPolicies(runnerInput(stagingStack()), readConfig("prod"), { policies: ADDED });
            assert.ok(records.every((r) => r.enforcementLevel === "mandatory"));
            assert.deepStrictEqual([...new Set(records.map((r) => r.policy))].sort(), [
                "aws-backup-plan-cross-region-copy",
                "aws-backup-plan-retention",
                "aws-elasticache-multi-az",
                "aws-elasticache-snapshot-retention",
                "aws-rds-backup-retention",
                "aws-rds-deletion-protection",
                "aws-rds-final-snapshot",
            ]);
        });
    });
});

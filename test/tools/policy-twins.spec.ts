import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, PlatformConfig } from "../../config";
import { ROOT } from "../../tools/harness";
import { CHECK_POLICIES, policyConfig, ruleDefault } from "../../tools/policy-check";
import { compareTwins, POLICY_TWINS } from "../../tools/policy-twins";
import { mutate, stackConfig } from "../config/cases";

function configOf(raw: unknown, stack: string): PlatformConfig {
    const parsed = parseConfig(raw, stack);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
    return parsed.config;
}

describe("stack keys and their twins in the policy config", () => {
    it("name a rule of the pack and a property of its config schema", () => {
        for (const t of POLICY_TWINS) {
            const rule = CHECK_POLICIES.find((p) => p.name === t.policy);
            assert.ok(rule, `${t.policy} is a rule of the pack`);
            assert.ok(rule.configSchema?.properties?.[t.property], `${t.policy} has a config property ${t.property}`);
        }
    });

    for (const stack of ["prod", "staging"]) {
        it(`agree for the real Pulumi.${stack}.yaml and policies/config/${stack}.json`, () => {
            const results = compareTwins(configOf(stackConfig(stack), stack), policyConfig(stack), ruleDefault);
            assert.ok(results.length >= (stack === "prod" ? POLICY_TWINS.length : 5), `${results.length} twins apply`);
            assert.deepStrictEqual(
                results.filter((r) => !r.agrees),
                [],
            );
        });
    }

    it("disagree, naming the stack key and the pack's value, where a value the schema allows fails the pack", () => {
        const raw = mutate("staging", "hangar:app", ["gateway", "name"], "internal");
        const results = compareTwins(configOf(raw, "staging"), policyConfig("staging"), ruleDefault);
        const off = results.filter((r) => !r.agrees);
        assert.deepStrictEqual(
            off.map((r) => [r.stackKey, r.policy, r.level]),
            [
                ["app.gateway", "kubernetes-httproute-tls-gateway", "mandatory"],
                ["app.gateway", "wiring-httproute-gateway", "mandatory"],
            ],
        );
        assert.match(
            off[0].message!,
            /gateway-system\/internal listener https is not one of the pack's gateways \(gateway-system\/public https\)/,
        );
    });

    it("disagree when the stack's listener hostname is not the one the wiring rule declares for the cluster's Gateway", () => {
        const raw = mutate("prod", "hangar:app", ["gateway", "hostname"], "*.example.aero");
        const off = compareTwins(configOf(raw, "prod"), policyConfig("prod"), ruleDefault).filter((r) => !r.agrees);
        assert.deepStrictEqual(
            off.map((r) => [r.stackKey, r.policy]),
            [["app.gateway", "wiring-httproute-gateway"]],
        );
        assert.match(
            off[0].message!,
            /hostname \*\.example\.aero is not the hostname the pack declares for listener https \(\*\.hangar\.example\.aero\)/,
        );
    });

    it("compare minimums and requirements both ways", () => {
        const config = configOf(stackConfig("prod"), "prod");
        const pack = { ...policyConfig("prod"), "aws-rds-backup-retention": { minRetentionDays: 35 }, "cache-unrelated": "mandatory" };
        const backup = compareTwins(config, pack, ruleDefault).find((r) => r.policy === "aws-rds-backup-retention")!;
        assert.deepStrictEqual([backup.agrees, backup.stackValue, backup.policyValue], [false, 30, 35]);
        assert.match(backup.message!, /30 days is below the pack's minimum 35/);
        // A rule the config disables has no twin to agree with; an unset property is the rule's default.
        const disabled = compareTwins(config, { ...pack, "aws-rds-backup-retention": "disabled" }, ruleDefault);
        assert.ok(!disabled.some((r) => r.policy === "aws-rds-backup-retention"));
        const unset = compareTwins(config, { ...pack, "aws-rds-backup-retention": "mandatory" }, ruleDefault);
        assert.strictEqual(
            unset.find((r) => r.policy === "aws-rds-backup-retention")!.policyValue,
            ruleDefault("aws-rds-backup-retention", "minRetentionDays"),
        );
    });

    it("are listed in the README's config reference, one row each", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("### Keys with a twin in the policy config"));
        const rows = [
            ...section.slice(0, section.indexOf("\n\n", section.indexOf("| ---"))).matchAll(/^\| `([^`]+)` \| `([^`]+)` \|/gm),
        ].map((m) => `${m[1]} ${m[2]}`);
        assert.deepStrictEqual(
            rows,
            POLICY_TWINS.map((t) => `${t.stackKey} ${t.policy}.${t.property}`),
        );
    });
});

describe("the pack keeps its own config", () => {
    it("is not settable from a stack file: a hangar:policies section is refused", () => {
        for (const key of ["hangar:policies", "hangar:guardrails"]) {
            const parsed = parseConfig(mutate("prod", key, [], { "aws-rds-backup-retention": { minRetentionDays: 1 } }), "prod");
            assert.ok(!parsed.ok, `${key} is refused`);
            assert.ok(
                parsed.errors.some((e) => e.path === key && /unknown key/.test(e.message)),
                JSON.stringify(parsed.errors),
            );
        }
    });

    it("reads no stack configuration: the rules see only resources and policies/config/<env>.json", () => {
        const sources = (dir: string): string[] =>
            fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
                const full = path.join(dir, e.name);
                return e.isDirectory() ? (e.name === "node_modules" ? [] : sources(full)) : e.name.endsWith(".ts") ? [full] : [];
            });
        for (const file of sources(path.join(ROOT, "policies"))) {
            const text = fs.readFileSync(file, "utf8");
            for (const pattern of [/pulumi\.Config\b/, /new Config\(/, /getStack\(/, /process\.env/, /Pulumi\.[\w-]*\.yaml/])
                assert.doesNotMatch(text, pattern, `${path.relative(ROOT, file)} reads the stack's configuration`);
        }
    });
});

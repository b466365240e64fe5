/** Issue 15's fixes that are pure functions: parameter apply methods, cache families, stack names, regional names. */
import * as assert from "assert";
import fc from "fast-check";
import * as path from "path";
import { CACHE_FAMILIES, cacheFamilyOf } from "../../components/data/cache-families";
import { regionalHost } from "../../components/disaster-recovery/regional-host";
import { postgresParameters, RDS_POSTGRES_DEFAULTS } from "../../components/shared/postgres-parameters";
import { physicalName } from "../../components/shared/naming";
import { parseConfig, readStackConfig } from "../../config";
import { STACK_NAME_LENGTH, stackNameIssues } from "../../config/stack-name";
import { listenerCovers, certificateCovers } from "../../policies/values/hostname";

const ROOT = path.resolve(__dirname, "..", "..");
const RUNS = { numRuns: 400, seed: 15 };

describe("RDS parameters at their engine default (issue 15, item 4)", () => {
    it("are sent as pending-reboot, as AWS reports them; the others apply at once", () => {
        for (const p of postgresParameters(500)) {
            assert.strictEqual(p.applyMethod === "pending-reboot", RDS_POSTGRES_DEFAULTS[p.name] === p.value, p.name);
        }
        assert.ok(
            postgresParameters(500).some((p) => p.name === "rds.force_ssl" && p.value === "1"),
            "TLS is still forced",
        );
    });
});

describe("ElastiCache parameter group families (issue 15, item 6)", () => {
    const cacheAt = (engine: string, engineVersion: string) => {
        const config = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.prod.yaml"))) as Record<string, Record<string, unknown>>;
        config["hangar:cache"] = { ...config["hangar:cache"], engine, engineVersion };
        return parseConfig(config, "prod");
    };
    it("come from one table, for every version the stack-file schema accepts", () => {
        for (const engine of ["valkey", "redis"]) {
            for (let major = 1; major <= 12; major++) {
                for (const version of [`${major}`, `${major}.0`, `${major}.2`]) {
                    const accepted = cacheAt(engine, version).ok;
                    assert.strictEqual(accepted, cacheFamilyOf(engine, version) !== undefined, `${engine} ${version}`);
                    if (accepted) assert.ok(Object.values(CACHE_FAMILIES[engine]).includes(cacheFamilyOf(engine, version)!));
                }
            }
        }
    });
    it("refuse Redis below 7 (redis6 is no family: ElastiCache names it redis6.x)", () => {
        assert.strictEqual(cacheAt("redis", "6.2").ok, false);
        assert.deepStrictEqual(
            [cacheFamilyOf("valkey", "7.2"), cacheFamilyOf("valkey", "8.0"), cacheFamilyOf("redis", "7.1")],
            ["valkey7", "valkey8", "redis7"],
        );
    });
});

describe("stack names and physical names (issue 15, item 12)", () => {
    const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
    const validName = fc
        .tuple(fc.stringMatching(/^[a-z]$/), fc.stringMatching(/^[a-z0-9]{0,5}$/), fc.array(word, { maxLength: 4 }))
        .map(([first, rest, words]) => [`${first}${rest}`, ...words].join("-"))
        .filter((n) => n.length >= STACK_NAME_LENGTH.min && n.length <= STACK_NAME_LENGTH.max);
    const account = "210987654321";
    /** Every physical name Hangar derives from the stack name, with its service's rule. */
    const names = (stack: string) => {
        const id = physicalName(stack);
        const rds = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
        return [
            { what: "RDS primary", name: id, max: 63, re: rds },
            { what: "RDS replica", name: `${id}-replica-15`, max: 63, re: rds },
            { what: "RDS DR replica", name: `${id}-dr`, max: 63, re: rds },
            { what: "ElastiCache group", name: physicalName(stack, "", 40), max: 40, re: rds },
            { what: "dump bucket", name: `${id}-dumps-${account}`, max: 63, re: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/ },
            { what: "DR dump bucket", name: `${id}-dumps-dr-${account}`, max: 63, re: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/ },
            { what: "backup vault", name: `${id}-dr`, max: 50, re: /^[a-zA-Z0-9\-_]{2,50}$/ },
        ];
    };
    it("refuses names that would fold together: a--b, A-b, a_b, a.b, a trailing hyphen", () => {
        for (const bad of ["a--b", "A-b", "a_b", "a.b", "ab-", "-ab", "1ab"]) assert.ok(stackNameIssues(bad).length > 0, bad);
        const parsed = parseConfig(readStackConfig(path.join(ROOT, "Pulumi.staging.yaml")), "a--b");
        assert.ok(!parsed.ok && parsed.errors[0].path === "stack", "the program refuses it before anything else");
    });
    it("maps every valid stack name to names valid for their AWS service, without truncation", () => {
        fc.assert(
            fc.property(validName, (stack) => {
                assert.deepStrictEqual(stackNameIssues(stack), []);
                for (const n of names(stack)) {
                    assert.ok(n.name.length <= n.max, `${n.what} ${n.name} is longer than ${n.max}`);
                    assert.match(n.name, n.re, n.what);
                    assert.ok(n.name.includes(stack), `${n.what} ${n.name} keeps the stack name whole`);
                }
            }),
            RUNS,
        );
    });
    it("maps different stack names to different names, for every service", () => {
        fc.assert(
            fc.property(validName, validName, (a, b) => {
                if (a === b) return;
                names(a).forEach((n, i) => assert.notStrictEqual(n.name, names(b)[i].name, `${n.what}: ${a} and ${b}`));
            }),
            RUNS,
        );
    });
});

describe("the primary region's own name (issue 15, item 1)", () => {
    it("is one label under the failover record's parent, so its wildcard listener and certificate cover it", () => {
        const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
        fc.assert(
            fc.property(
                label,
                fc.array(label, { minLength: 2, maxLength: 3 }),
                fc.constantFrom("eu-west-1", "us-east-2", "eu-central-1"),
                (host, parent, region) => {
                    const record = [host, ...parent].join(".");
                    const regional = regionalHost(record, region);
                    assert.notStrictEqual(regional, record);
                    assert.ok(listenerCovers(`*.${parent.join(".")}`, regional));
                    assert.ok(certificateCovers(`*.${parent.join(".")}`, regional));
                },
            ),
            RUNS,
        );
    });
});

/**
 * What parseConfig says besides "valid" or "invalid": a nearest-key suggestion
 * for an unknown key, one error for one mistake, warnings for keys that have no
 * effect, the notice when the environment comes from the stack name, and the
 * stack file's line of every problem.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { formatIssues, formatWarnings, parseConfig, readStackFile, stackFileFromText } from "../../config";
import { editDistance, nearestKey } from "../../config/suggest";
import { arbitraryValue, mutateAt, pathsOf, stackConfig } from "./cases";

/** The real stack file of `stack` with `edit` applied to a deep copy. */
function edited(stack: string, edit: (raw: Record<string, Record<string, unknown>>) => void): Record<string, unknown> {
    const raw = structuredClone(stackConfig(stack)) as Record<string, Record<string, unknown>>;
    edit(raw);
    return raw;
}

/** Pulumi.staging.yaml with whole `hangar:` sections replaced. */
const stagingWith = (sections: Record<string, unknown>) => edited("staging", (r) => Object.assign(r, sections));
const PAGERDUTY = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:hangar/pagerduty-routing-key-Xy12Ab";
const PROD_DR_NETWORK = stackConfig("prod")["hangar:dr"] && (stackConfig("prod")["hangar:dr"] as Record<string, unknown>).network;

const ROOT = path.resolve(__dirname, "..", "..");

function errorsOf(raw: unknown, stack: string): string[] {
    const result = parseConfig(raw, stack);
    assert.ok(!result.ok, "expected the config to be rejected");
    return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("stack-file diagnostics", () => {
    describe("an unknown key suggests the nearest valid one", () => {
        it("counts a swap of neighbours as one edit", () => {
            assert.strictEqual(editDistance("databse", "database"), 1);
            assert.strictEqual(editDistance("mulitAz", "multiAz"), 1);
            assert.strictEqual(editDistance("", "abc"), 3);
            assert.strictEqual(editDistance("kitten", "sitting"), 3);
        });

        it("suggests only a key close enough to be the one meant", () => {
            assert.strictEqual(nearestKey("backupRetentionDay", ["replicas", "backupRetentionDays"]), "backupRetentionDays");
            assert.strictEqual(nearestKey("multiaz", ["multiAz", "replicas"]), "multiAz");
            assert.strictEqual(nearestKey("retention", ["backupRetentionDays", "performanceInsightsRetentionDays"]), undefined);
            assert.strictEqual(nearestKey("foo", ["bar"]), undefined);
        });

        it("names the section a misspelled top-level key meant", () => {
            const raw = edited("prod", (r) => {
                r["hangar:databse"] = r["hangar:database"];
                delete r["hangar:database"];
            });
            assert.ok(
                errorsOf(raw, "prod").includes(
                    "hangar:databse: unknown key; did you mean `hangar:database`? (expected one of environment, foundation, app, database, cache, monitoring, backups, dr, dns, externalSecrets)",
                ),
            );
        });

        it("names the key a misspelled nested key meant, before the keys the mapping accepts", () => {
            const raw = edited("prod", (r) => {
                r["hangar:database"].backupRetentionDay = 30;
                (r["hangar:app"].services as Record<string, unknown>[])[0].replicaz = { min: 3, max: 12 };
            });
            const errors = errorsOf(raw, "prod");
            assert.ok(
                errors.some((e) =>
                    e.startsWith(
                        "hangar:database.backupRetentionDay: unknown key; did you mean `backupRetentionDays`? (expected one of enabled, ",
                    ),
                ),
                errors.join("\n"),
            );
            assert.ok(
                errors.some((e) =>
                    e.startsWith("hangar:app.services[0].replicaz: unknown key; did you mean `replicas`? (expected one of name, "),
                ),
                errors.join("\n"),
            );
        });

        it("suggests nothing for a key unlike every valid one", () => {
            const raw = edited("prod", (r) => void (r["hangar:database"].archiveTier = 30));
            assert.ok(
                errorsOf(raw, "prod").some((e) => e.startsWith("hangar:database.archiveTier: unknown key (expected one of enabled, ")),
            );
        });
    });

    describe("one mistake is one error", () => {
        const services = (r: Record<string, Record<string, unknown>>) => r["hangar:app"].services as Record<string, unknown>[];

        it("reports a bad app.serviceDefaults value once, naming the services that inherit it", () => {
            const raw = edited("staging", (r) => {
                r["hangar:app"].serviceDefaults = { exposure: "ingress", probes: { periodSeconds: -1 }, replicaz: 2 };
            });
            const errors = errorsOf(raw, "staging");
            assert.deepStrictEqual(
                errors.filter((e) => /periodSeconds|replicaz/.test(e)),
                [
                    "hangar:app.serviceDefaults.probes.periodSeconds: expected an integer 1–300 (inherited by app.services[0], app.services[1])",
                    "hangar:app.serviceDefaults.replicaz: unknown key; did you mean `replicas`? (expected one of exposure, replicas, resources, probes, autoscaling, allowHttpsEgress, writablePaths, strategy, canary, blueGreen, analysis) (inherited by app.services[0], app.services[1])",
                ],
            );
        });

        it("keeps the error of a service that sets the bad value itself", () => {
            const raw = edited("staging", (r) => {
                r["hangar:app"].serviceDefaults = { exposure: "ingress", probes: { periodSeconds: -1 } };
                services(r)[1].probes = { periodSeconds: -1 };
            });
            assert.deepStrictEqual(
                errorsOf(raw, "staging").filter((e) => e.includes("periodSeconds")),
                [
                    "hangar:app.serviceDefaults.probes.periodSeconds: expected an integer 1–300 (inherited by app.services[0])",
                    "hangar:app.services[1].probes.periodSeconds: expected an integer 1–300",
                ],
            );
        });

        it("lists the same problem of one key path once", () => {
            // A list where a string belongs fails both the type and the length check, with one message.
            const raw = edited("prod", (r) => void ((r["hangar:foundation"].kubernetes as Record<string, unknown>).context = []));
            const errors = errorsOf(raw, "prod");
            assert.deepStrictEqual(
                errors.filter((e) => e.startsWith("hangar:foundation.kubernetes.context:")),
                ["hangar:foundation.kubernetes.context: expected a kubeconfig context name"],
            );
            assert.strictEqual(new Set(errors).size, errors.length);
        });
    });

    describe("a key that has no effect is a warning naming it", () => {
        const warningsOf = (raw: unknown, stack: string) => parseConfig(raw, stack).warnings.filter((w) => w.level === "warning");
        const lines = (raw: unknown, stack: string) => warningsOf(raw, stack).map((w) => `${w.path}: ${w.message}`);

        it("leaves the config valid: warnings come beside it", () => {
            const result = parseConfig(stagingWith({ "hangar:dr": { enabled: false, region: "eu-central-1" } }), "staging");
            assert.ok(result.ok);
            assert.deepStrictEqual(
                result.warnings.map((w) => w.level),
                ["warning"],
            );
        });

        it("names each key set under a part that is off, and why (the switch set in the file)", () => {
            const raw = stagingWith({
                "hangar:dr": { enabled: false, region: "eu-central-1", instanceClass: "db.r7g.large", promoted: false },
            });
            assert.deepStrictEqual(lines(raw, "staging"), [
                "hangar:dr.region: has no effect: dr.enabled is false",
                "hangar:dr.instanceClass: has no effect: dr.enabled is false",
            ]);
        });

        it("names RDS Proxy's pool settings while the proxy is off (the staging default)", () => {
            assert.deepStrictEqual(lines(stagingWith({ "hangar:database": { proxy: { maxConnectionsPercent: 50 } } }), "staging"), [
                "hangar:database.proxy.maxConnectionsPercent: has no effect: database.proxy.enabled is false (the staging default)",
            ]);
        });

        it("says when the switch is the environment's default rather than the file's", () => {
            assert.deepStrictEqual(lines(stagingWith({}), "dev"), [
                "hangar:backups.dump.clientMajorVersion: has no effect: backups.enabled is false (the ephemeral default)",
            ]);
        });

        it("reports a mapping once, not each key inside it", () => {
            const raw = stagingWith({
                "hangar:backups": { enabled: false, vaultLock: { enabled: true, changeableForDays: 3 }, dump: { schedule: "@daily" } },
            });
            assert.deepStrictEqual(lines(raw, "staging"), [
                "hangar:backups.vaultLock: has no effect: backups.enabled is false",
                "hangar:backups.dump.schedule: has no effect: backups.enabled is false",
            ]);
        });

        it("keeps backups.dump.image, which the exporter login Job runs while monitoring exports the database", () => {
            const dump = {
                enabled: false,
                image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hangar/pg-dump:16.4-2",
                deadlineSeconds: 600,
            };
            assert.deepStrictEqual(lines(stagingWith({ "hangar:backups": { dump } }), "staging"), [
                "hangar:backups.dump.deadlineSeconds: has no effect: backups.dump.enabled is false",
            ]);
            assert.deepStrictEqual(lines(stagingWith({ "hangar:backups": { dump }, "hangar:monitoring": { enabled: false } }), "staging"), [
                "hangar:backups.dump.image: has no effect: backups.dump.enabled is false",
                "hangar:backups.dump.deadlineSeconds: has no effect: backups.dump.enabled is false",
            ]);
        });

        it("knows the settings of features nothing uses", () => {
            const raw = edited("prod", (r) => {
                r["hangar:app"].ingress = { className: "traefik" };
                (r["hangar:app"].services as Record<string, unknown>[])[1].ingressAnnotations = { a: "b" };
                r["hangar:database"].replicaInstanceClass = "db.r7g.large";
                r["hangar:database"].replicas = 0;
                r["hangar:monitoring"].receiver = { type: "pagerduty", secretArn: PAGERDUTY, channel: "#oncall" };
            });
            const expected = [
                "hangar:database.replicaInstanceClass: has no effect: database.replicas is 0",
                "hangar:monitoring.receiver.channel: has no effect: only a slack receiver has a channel (monitoring.receiver.type is pagerduty)",
                "hangar:app.ingress: has no effect: no public service (nor Grafana) is exposed through an Ingress",
                "hangar:app.services[1].ingressAnnotations: has no effect: app.services[1] is not a public service with ingress exposure",
            ];
            const result = parseConfig(raw, "prod");
            assert.deepStrictEqual(
                result.warnings.map((w) => `${w.path}: ${w.message}`),
                expected,
            );
        });

        it("says nothing about the settings of a part that is on", () => {
            const raw = stagingWith({ "hangar:dr": { enabled: true, region: "eu-central-1", network: PROD_DR_NETWORK } });
            assert.deepStrictEqual(lines(raw, "staging"), []);
        });
    });

    describe("an environment that comes from the stack name", () => {
        const noticeOf = (raw: unknown, stack: string) => parseConfig(raw, stack).warnings.find((w) => w.level === "notice");

        it("says so for a copy of Pulumi.staging.yaml named dev, comparing it with staging", () => {
            const result = parseConfig(stackConfig("staging"), "dev");
            assert.ok(result.ok, "the copy is a valid ephemeral stack");
            const notice = result.warnings.find((w) => w.level === "notice");
            assert.ok(notice, "a notice");
            assert.strictEqual(notice.path, "hangar:environment");
            assert.match(
                notice.message,
                /^environment ephemeral comes from the stack name `dev`; set hangar:environment to choose; compared with staging, which this file's values follow, \d+ settings take ephemeral's defaults:$/,
            );
            assert.deepStrictEqual(notice.comparedWith, ["staging"]);
            const settings = Object.fromEntries(notice.settings!.map((s) => [s.path, [s.value, s.instead.staging]]));
            assert.deepStrictEqual(settings["database.instanceClass"], ["db.t4g.micro", "db.t4g.medium"]);
            assert.deepStrictEqual(settings["backups.enabled"], [false, true]);
            assert.deepStrictEqual(settings["cache.snapshotRetentionDays"], [0, 3]);
        });

        it("lists only settings whose value the environment decides", () => {
            const notice = noticeOf(stackConfig("staging"), "dev")!;
            const paths = notice.settings!.map((s) => s.path);
            // The file sets it: its own value wins in every environment.
            assert.ok(!paths.includes("database.backupRetentionDays"));
            // Every service sets its replicas, so the default reaches none.
            assert.ok(!paths.includes("app.serviceDefaults.replicas.max"));
            // Backups are off: their retention has no effect (backups.enabled itself is listed).
            assert.ok(!paths.includes("backups.dailyRetentionDays"));
            // Equal in both profiles.
            assert.ok(!paths.includes("database.engineVersion"));
        });

        it("compares a copy of prod without hangar:environment with prod", () => {
            const raw = edited("prod", (r) => void delete r["hangar:environment"]);
            const notice = noticeOf(raw, "pr-42")!;
            assert.deepStrictEqual(notice.comparedWith, ["prod"]);
            assert.ok(notice.settings!.some((s) => s.path === "database.multiAz" && s.value === false && s.instead.prod === true));
        });

        it("compares with every other environment when the file gives no hint", () => {
            const notice = noticeOf({ "hangar:foundation": {} }, "feature-x")!;
            assert.deepStrictEqual(notice.comparedWith, ["prod", "staging"]);
            assert.match(notice.message, /compared with prod and staging, \d+ settings/);
            const instanceClass = notice.settings!.find((s) => s.path === "database.instanceClass")!;
            assert.deepStrictEqual(instanceClass.instead, { prod: "db.r7g.large", staging: "db.t4g.medium" });
        });

        it("is silent when hangar:environment is set, or the stack is named after its environment", () => {
            assert.strictEqual(noticeOf({ ...stackConfig("staging"), "hangar:environment": "ephemeral" }, "dev"), undefined);
            assert.strictEqual(noticeOf({ ...stackConfig("staging"), "hangar:environment": "staging" }, "dev"), undefined);
            assert.strictEqual(noticeOf(stackConfig("staging"), "staging"), undefined);
        });

        it("comes with the errors too, where it explains them", () => {
            const result = parseConfig({ ...stackConfig("staging"), "hangar:database": { replicas: 1, backupRetentionDays: 0 } }, "dev");
            assert.ok(!result.ok);
            assert.ok(result.warnings.some((w) => w.level === "notice"));
        });
    });

    describe("problems and warnings carry the stack file's line", () => {
        /** parseConfig of a small stack file, with its source. */
        const parsedText = (text: string, stack: string) => {
            const { config, source } = stackFileFromText(text, `Pulumi.${stack}.yaml`);
            return parseConfig(config, stack, { source });
        };
        const DEV = [
            "config:", // 1
            "  hangar:foundation:", // 2
            '    aws: { accountId: "123456789012", region: eu-west-1 }', // 3
            "    kubernetes:", // 4
            "      context: dev", // 5
            "    network:", // 6
            "      vpcId: vpc-0f1e2d3c4b5a69788", // 7
            "      vpcCidr: 10.20.0.0/16", // 8
            "      privateSubnetIds: [subnet-0f1e2d3c4b5a60001, subnet-0f1e2d3c4b5a60002]", // 9
            "      privateSubnetCidrs: [10.20.0.0/19, 10.99.0.0/19]", // 10
            "    oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X", // 11
            "  hangar:app:", // 12
            "    services:", // 13
            "      - name: api", // 14
            "        image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hangar/api:1.0.0", // 15
            "        port: 70000", // 16
            "  hangar:databse: {}", // 17
            "  hangar:dr:", // 18
            "    enabled: true", // 19
            "  hangar:backups:", // 20
            "    dump: { clientMajorVersion: 16 }", // 21
        ].join("\n");
        const where = (issues: { path: string; file?: string; line?: number }[]) =>
            Object.fromEntries(issues.map((i) => [i.path, i.line === undefined ? undefined : `${i.file}:${i.line}`]));

        it("names the line of each key the file sets", () => {
            const result = parsedText(DEV, "dev");
            assert.ok(!result.ok);
            const lines = where(result.errors);
            assert.strictEqual(lines["hangar:app.services[0].port"], "Pulumi.dev.yaml:16");
            assert.strictEqual(lines["hangar:databse"], "Pulumi.dev.yaml:17");
            assert.strictEqual(lines["hangar:foundation.network.privateSubnetCidrs[1]"], "Pulumi.dev.yaml:10");
        });

        it("names the line of the enclosing key where a required key is missing", () => {
            const result = parsedText(DEV, "dev");
            assert.ok(!result.ok);
            assert.strictEqual(where(result.errors)["hangar:dr.region"], "Pulumi.dev.yaml:18");
        });

        it("gives warnings their line too, and the notice none (its key is not in the file)", () => {
            const lines = where(parsedText(DEV, "dev").warnings);
            assert.strictEqual(lines["hangar:backups.dump.clientMajorVersion"], "Pulumi.dev.yaml:21");
            assert.ok("hangar:environment" in lines);
            assert.strictEqual(lines["hangar:environment"], undefined);
        });

        it("prints the line after the message, and nothing without a source", () => {
            const result = parsedText(DEV, "dev");
            assert.ok(!result.ok);
            assert.match(
                formatIssues(result.errors),
                /\n {2}hangar:app\.services\[0\]\.port: expected an integer 1–65535 \(Pulumi\.dev\.yaml:16\)\n/,
            );
            assert.match(
                formatWarnings(result.warnings),
                /\n {2}warning hangar:backups\.dump\.clientMajorVersion: has no effect: .* \(Pulumi\.dev\.yaml:21\)/,
            );
            const bare = parseConfig(stackFileFromText(DEV, "Pulumi.dev.yaml").config, "dev");
            assert.ok(!bare.ok);
            assert.ok(bare.errors.every((e) => e.line === undefined && e.file === undefined));
            assert.doesNotMatch(formatIssues(bare.errors), /Pulumi\.dev\.yaml/);
        });

        it("finds keys that hold dots, and list items, in the real staging file", () => {
            const { source } = readStackFile(path.join(ROOT, "Pulumi.staging.yaml"));
            const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8").split("\n");
            const lineOf = (p: string) => text[source.lineOf(p)! - 1].trim();
            assert.strictEqual(
                lineOf("hangar:app.ingress.annotations.traefik.ingress.kubernetes.io/router.entrypoints"),
                "traefik.ingress.kubernetes.io/router.entrypoints: websecure",
            );
            assert.strictEqual(lineOf("hangar:app.services[1].replicas.max"), "replicas: { min: 1, max: 1 }");
            assert.strictEqual(lineOf("hangar:app.services[1]"), "- name: workers");
            assert.strictEqual(source.lineOf("stack"), undefined);
        });
    });

    describe("the real stack files", () => {
        for (const stack of ["prod", "staging"]) {
            it(`Pulumi.${stack}.yaml has no warning and no notice`, () => {
                assert.deepStrictEqual(parseConfig(stackConfig(stack), stack).warnings, []);
            });
        }

        it("a warning always names a key the stack file sets, under random mutations of the real files", () => {
            for (const stack of ["prod", "staging", "dev"]) {
                const doc = stackConfig(stack === "dev" ? "staging" : stack);
                const paths = pathsOf(doc).filter((p) => p.length > 0 && String(p[0]).startsWith("hangar:"));
                fc.assert(
                    fc.property(fc.constantFrom(...paths), arbitraryValue, (at, value) => {
                        const raw = mutateAt(doc, at, value);
                        for (const w of parseConfig(raw, stack).warnings.filter((x) => x.level === "warning")) {
                            const [section, ...rest] = w.path.split(/\.|\[|\]\.?/).filter(Boolean);
                            const node = rest.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], raw[section]);
                            assert.notStrictEqual(node, undefined, `${w.path} is set in the file`);
                        }
                    }),
                    { numRuns: 200, seed: 20261123 },
                );
            }
        });
    });
});

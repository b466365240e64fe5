/**
 * What parseConfig says besides "valid" or "invalid": a nearest-key suggestion
 * for an unknown key, one error for one mistake, warnings for keys that have no
 * effect, the notice when the environment comes from the stack name, and the
 * stack file's line of every problem.
 */
import * as assert from "assert";
import { parseConfig } from "../../config";
import { editDistance, nearestKey } from "../../config/suggest";
import { stackConfig } from "./cases";

/** The real stack file of `stack` with `edit` applied to a deep copy. */
function edited(stack: string, edit: (raw: Record<string, Record<string, unknown>>) => void): Record<string, unknown> {
    const raw = structuredClone(stackConfig(stack)) as Record<string, Record<string, unknown>>;
    edit(raw);
    return raw;
}

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
                    "hangar:databse: unknown key; did you mean `hangar:database`? (expected one of environment, foundation, app, database, cache, monitoring, backups, dr, dns)",
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
            const raw = edited("prod", (r) => void (r["hangar:database"].retention = 30));
            assert.ok(errorsOf(raw, "prod").some((e) => e.startsWith("hangar:database.retention: unknown key (expected one of enabled, ")));
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
                    "hangar:app.serviceDefaults.replicaz: unknown key; did you mean `replicas`? (expected one of exposure, replicas, resources, probes, autoscaling, allowHttpsEgress, writablePaths) (inherited by app.services[0], app.services[1])",
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
});

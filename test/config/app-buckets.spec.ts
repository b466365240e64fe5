/**
 * `app.buckets[]` and `app.services[].buckets` in the stack file (issue 20 item 3): the cross-field rules at
 * their key paths, the unused-bucket warning and the schema's defaults. Pure: parseConfig only.
 */
import * as assert from "assert";
import { parseConfig } from "../../config";
import { mutate, stackConfig } from "./cases";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("app.buckets[] and services[].buckets in the stack file", () => {
    const withApp = (stack: string, edit: (app: Any) => void) => {
        const app = structuredClone(stackConfig(stack)["hangar:app"] as Any);
        edit(app);
        return parseConfig(mutate(stack, "hangar:app", [], app), stack);
    };
    const errors = (r: ReturnType<typeof parseConfig>) => (r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`));

    it("a service naming an unknown bucket is an error at its key path", () => {
        const r = withApp("prod", (app) => (app.services[1].buckets = ["nope"]));
        assert.ok(
            errors(r).some((e) => /^hangar:app\.services\[1\]\.buckets\[0\]: "nope" is not a bucket of app\.buckets/.test(e)),
            errors(r).join("\n"),
        );
    });

    it("a bucket no service names is a warning, not an error", () => {
        const r = withApp("prod", (app) => delete app.services[0].buckets);
        assert.ok(r.ok, errors(r).join("\n"));
        assert.ok(
            r.warnings.some((w) => w.level === "warning" && w.path === "hangar:app.buckets[0].name" && /no service names/.test(w.message)),
        );
    });

    it("replication without DR, a duplicate name, a too-early STANDARD_IA transition and expiry before it are errors", () => {
        const staging = withApp("staging", (app) => (app.buckets[0].replicate = true));
        assert.ok(
            errors(staging).some((e) => e.startsWith("hangar:app.buckets[0].replicate: ")),
            errors(staging).join("\n"),
        );
        const prod = withApp("prod", (app) => {
            app.buckets[0].lifecycle.transition.afterDays = 10;
            app.buckets[0].lifecycle.expireAfterDays = 5;
            app.buckets.push({ name: "analysis-results" });
        });
        for (const p of [
            "app.buckets[0].lifecycle.transition.afterDays",
            "app.buckets[0].lifecycle.expireAfterDays",
            "app.buckets[1].name",
        ])
            assert.ok(
                errors(prod).some((e) => e.startsWith(`hangar:${p}: `)),
                `${p} in ${errors(prod).join("\n")}`,
            );
    });

    it("the profile defaults a bucket's lifecycle and replication", () => {
        const r = withApp("staging", (app) => {
            app.buckets = [{ name: "plain" }];
            app.services[0].buckets = ["plain"];
        });
        assert.ok(r.ok, errors(r).join("\n"));
        assert.deepStrictEqual(r.ok && r.config.app.buckets, [
            { name: "plain", lifecycle: { noncurrentExpireAfterDays: 90, abortIncompleteUploadsAfterDays: 7 }, replicate: false },
        ]);
    });
});

/**
 * `npm run baseline`: records the URNs and replacement-forcing values of every
 * stateful resource of prod and staging in test/baselines/<stack>.json. Run it
 * when a stateful resource is added on purpose, and review the diff: a changed
 * line is a replacement. It also writes test/baselines/<stack>.plan.json, every
 * resource's URN and input digests, which `npm run check` diffs against when there
 * is no previous run (a fresh clone, CI).
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT, runStack } from "./harness";
import { formatPlanFile, planBaselineFile, planOf } from "./check-diff";
import { baselineOf } from "./stateful";

export const BASELINE_STACKS = ["prod", "staging"];
export const baselineFile = (stack: string) => path.join(ROOT, "test", "baselines", `${stack}.json`);
export const ALLOW_REPLACE_FILE = path.join(ROOT, "test", "baselines", "allow-replace.json");
export const LAPTOP_KUBECONFIG = path.join(ROOT, "test", "fixtures", "kubeconfig", "laptop.yaml");

if (require.main === module) {
    (async () => {
        for (const stack of BASELINE_STACKS) {
            const snapshot = await runStack(stack, { kubeconfig: LAPTOP_KUBECONFIG });
            if (snapshot.error) throw new Error(`${stack}: ${snapshot.error.message}`);
            const entries = baselineOf(snapshot);
            fs.writeFileSync(baselineFile(stack), `${JSON.stringify(entries, null, 2)}\n`);
            process.stdout.write(`${stack}: ${entries.length} stateful resources → ${path.relative(ROOT, baselineFile(stack))}\n`);
            // Every resource, for the check's diff where there is no previous run (CI): informational, not enforced.
            fs.writeFileSync(planBaselineFile(stack), formatPlanFile(planOf(snapshot)));
        }
        if (!fs.existsSync(ALLOW_REPLACE_FILE)) fs.writeFileSync(ALLOW_REPLACE_FILE, "[]\n");
    })().catch((err) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}

/** The app tier's defects of the real-world review (issue 16), on the real prod snapshot. */
import * as assert from "assert";
import * as path from "path";
import { reveal, ROOT, snapshotOf, Snapshot } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");

describe("the app tier in prod (issue 16)", () => {
    let s: Snapshot;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
    });

    it("14. spreads each revision on its own: every topology spread constraint keys on the revision's hash label", () => {
        // A Deployment's pods carry pod-template-hash; an Argo Rollout's, rollouts-pod-template-hash.
        const hashLabel: Record<string, string> = {
            "kubernetes:apps/v1:Deployment": "pod-template-hash",
            "kubernetes:argoproj.io/v1alpha1:Rollout": "rollouts-pod-template-hash",
        };
        const deployments = s.resources.filter((r) => hashLabel[r.type]);
        assert.ok(deployments.length >= 2);
        for (const d of deployments) {
            const constraints = (reveal(d.inputs.spec) as Any).template.spec.topologySpreadConstraints as Any[];
            assert.ok(constraints.length > 0, d.name);
            for (const c of constraints) assert.deepStrictEqual(c.matchLabelKeys, [hashLabel[d.type]], `${d.name} ${c.topologyKey}`);
        }
    });
});

/**
 * Shared pieces of the wiring-rule specs (issue 18): the pack's wiring rules over a
 * snapshot as the check runs them, resource look-ups, and the mutation table runner
 * (one mutation of the real prod snapshot per relation, caught by its rule).
 */
import * as assert from "assert";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { realStackSnapshots, Snapshot, SnapshotResource } from "../../tools/harness";
import { policyConfig, wiringResources } from "../../tools/policy-check";
import { runPolicies } from "../../tools/policy/runner";
import { wiringPolicies } from "../../policies/rules/wiring";

export type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The wiring rules over a snapshot, with the chart-rendered objects the check adds offline; `only` runs just
 * the rules named (each rule is judged on its own, so the others' verdicts would only be filtered away).
 */
export const wiring = (snapshot: Snapshot, stack: string, only?: string[]) =>
    runPolicies(wiringResources(snapshot), policyConfig(stack), {
        policies: only ? wiringPolicies.filter((p) => only.includes(p.name)) : wiringPolicies,
        preview: snapshot.preview,
    });

export const SERVICE = "kubernetes:core/v1:Service";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
/** The app's services in the real stacks (canary Rollouts). */
export const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";

/** The first resource of a type, or the one whose metadata.name is `name`. */
export function first(s: Snapshot, type: string, name?: string): SnapshotResource {
    const r = s.resources.find((x) => x.type === type && (name === undefined || (x.inputs.metadata as Any)?.name === name));
    assert.ok(r, `${type} ${name ?? ""} in the snapshot`);
    return r;
}

/** [what, rule, mutation returning the resource the rule must name, message] */
export type Mutation = [string, string, (s: Snapshot) => SnapshotResource, RegExp];

/** The real prod and staging snapshots, shared by every spec of the run. */
export function realStacks(): { prod: Snapshot; staging: Snapshot } {
    const stacks = {} as { prod: Snapshot; staging: Snapshot };
    before(async () => {
        [stacks.prod, stacks.staging] = await realStackSnapshots(LAPTOP_KUBECONFIG);
    });
    return stacks;
}

/** One `it` per mutation: applied to a copy of prod, its rule reports the named resource with the message, mandatory. */
export function mutationTests(stacks: { prod: Snapshot }, mutations: Mutation[]): void {
    for (const [what, rule, mutate, message] of mutations) {
        it(`${what} → ${rule}`, async () => {
            const snapshot = structuredClone(stacks.prod);
            const target = mutate(snapshot);
            const hits = (await wiring(snapshot, "prod", [rule])).filter((v) => v.policy === rule);
            assert.ok(
                hits.some((v) => v.urn === target.urn && message.test(v.message)),
                JSON.stringify(hits.map((v) => v.message)),
            );
            assert.ok(
                hits.every((v) => v.enforcementLevel === "mandatory"),
                "prod makes every rule mandatory",
            );
        });
    }
}

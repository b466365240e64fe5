/**
 * wiring-rollout-references: clean on both real stacks, each relation broken by one mutation of the real prod
 * snapshot, and undecided (never passed or failed) on values unknown during preview.
 */
import * as assert from "assert";
import { rolloutReferences } from "../../policies/rules/wiring/rollouts";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { Any, first, Mutation, mutationTests, realStacks, ROLLOUT, SERVICE, wiring } from "./wiring-fixtures";

const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const rule = rolloutReferences.name;

const MUTATIONS: Mutation[] = [
    [
        "the canary Service renamed",
        rule,
        (s) => {
            (first(s, SERVICE, "api-canary").inputs.metadata as Any).name = "api-next";
            return first(s, ROLLOUT, "api");
        },
        /Rollout hangar\/api: spec.strategy.canary.canaryService api-canary is no Service of the stack in namespace hangar/,
    ],
    [
        "the stable Service selecting other pods",
        rule,
        (s) => {
            (first(s, SERVICE, "api").inputs.spec as Any).selector = { "app.kubernetes.io/name": "api-old" };
            return first(s, ROLLOUT, "api");
        },
        /Rollout hangar\/api: spec.strategy.canary.stableService api selects .*api-old.*, not the Rollout's pods/,
    ],
    [
        "the AnalysisTemplate renamed",
        rule,
        (s) => {
            (first(s, TEMPLATE, "workers-rollout").inputs.metadata as Any).name = "workers-analysis";
            return first(s, ROLLOUT, "workers");
        },
        /Rollout hangar\/workers: spec.strategy.canary.analysis runs AnalysisTemplate workers-rollout, which the stack does not create/,
    ],
    [
        "the route without its canary backendRef",
        rule,
        (s) => {
            const spec = first(s, ROUTE, "api").inputs.spec as Any;
            spec.rules[0].backendRefs = spec.rules[0].backendRefs.slice(0, 1);
            return first(s, ROLLOUT, "api");
        },
        /Rollout hangar\/api: HTTPRoute hangar\/api has no backendRef to canary.canaryService api-canary/,
    ],
];

describe("wiring rules: Argo Rollouts", () => {
    const stacks = realStacks();

    it("are clean for prod and staging", async () => {
        for (const [stack, s] of [
            ["prod", stacks.prod],
            ["staging", stacks.staging],
        ] as const)
            assert.deepStrictEqual(
                (await wiring(s, stack)).filter((v) => v.policy === rule),
                [],
                stack,
            );
    });

    mutationTests(stacks, MUTATIONS);

    it("cannot decide during preview when a Rollout's strategy is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        (first(preview, ROLLOUT, "api").inputs.spec as Any).strategy = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod")).filter((v) => v.policy === rule);
        assert.ok(
            hits.length > 0 && hits.every((v) => v.enforcementLevel === "advisory" && /can't run|cannot decide/.test(v.message)),
            JSON.stringify(hits),
        );
    });
});

/**
 * wiring-bucket-access (issue 20 items 3 and 5): the app bucket a pod names through BUCKET_<NAME> is one its
 * ServiceAccount's IRSA role may use (objects and key, the key through S3 only), and no role grants an app
 * bucket or key its pods do not name. Clean on both real stacks, each relation broken once on prod, undecided
 * during preview when a policy is unknown.
 */
import * as assert from "assert";
import { Snapshot, SnapshotResource } from "../../tools/harness";
import { bucketAccess, s3Grants } from "../../policies/rules/wiring/buckets";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { Any, first, Mutation, mutationTests, realStacks, ROLLOUT, wiring } from "./wiring-fixtures";

const RULE = bucketAccess.name;
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const named = (s: Snapshot, type: string, name: string): SnapshotResource => {
    const r = s.resources.find((x) => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name} in the snapshot`);
    return r;
};
const api = (s: Snapshot) => first(s, ROLLOUT, "api");
const apiEnv = (s: Snapshot): Any =>
    ((api(s).inputs.spec as Any).template.spec.containers[0].env as Any[]).find((e) => e.name === "BUCKET_ANALYSIS_RESULTS")!;
const bucketsPolicy = (s: Snapshot) => named(s, ROLE_POLICY, "hangar-app-api-buckets");
const keysPolicy = (s: Snapshot) => named(s, ROLE_POLICY, "hangar-app-api-bucket-keys");

const MUTATIONS: Mutation[] = [
    [
        "the api's BUCKET_ env var names a bucket the stack does not create",
        RULE,
        (s) => {
            apiEnv(s).value = "hangar-prod-app-elsewhere-210987654321";
            return api(s);
        },
        /api: BUCKET_ANALYSIS_RESULTS names bucket "hangar-prod-app-elsewhere-210987654321", which no Bucket of the stack has/,
    ],
    [
        "the api role's S3 policy names another bucket",
        RULE,
        (s) => {
            const p = bucketsPolicy(s);
            p.inputs.policy = String(p.inputs.policy).replace(/hangar-prod-app-analysis-results-210987654321/g, "hangar-prod-app-other");
            return api(s);
        },
        /api: BUCKET_ANALYSIS_RESULTS names bucket "hangar-prod-app-analysis-results-210987654321", but ServiceAccount hangar\/api \(Role hangar-app-api-irsa\) is not allowed S3/,
    ],
    [
        "the bucket policy is attached to the tier's shared role (workers' pods never name the bucket)",
        RULE,
        (s) => {
            const p = bucketsPolicy(s);
            p.options.propertyDependencies.role = [named(s, "aws:iam/role:Role", "hangar-app-irsa").urn];
            return p;
        },
        /ServiceAccount hangar\/app \(Role hangar-app-irsa\) grants app bucket "hangar-prod-app-analysis-results-210987654321" .*which no pod of hangar\/app names/,
    ],
    [
        "the api's pods run as the shared ServiceAccount",
        RULE,
        (s) => {
            (api(s).inputs.spec as Any).template.spec.serviceAccountName = "app";
            return api(s);
        },
        /but ServiceAccount hangar\/app \(Role hangar-app-irsa\) is not allowed S3/,
    ],
    [
        "the api role's key policy names another key alias",
        RULE,
        (s) => {
            const p = keysPolicy(s);
            p.inputs.policy = String(p.inputs.policy).replace(
                "alias/hangar-prod-app-analysis-results-210987654321",
                "alias/hangar-prod-other",
            );
            return api(s);
        },
        /may not use its key hangar-app-bucket-analysis-results-kms/,
    ],
    [
        "the shared role is given the api bucket's key by alias",
        RULE,
        (s) => {
            const p = keysPolicy(s);
            p.options.propertyDependencies.role = [named(s, "aws:iam/role:Role", "hangar-app-irsa").urn];
            return p;
        },
        /ServiceAccount hangar\/app \(Role hangar-app-irsa\) grants the key of app bucket "hangar-prod-app-analysis-results-210987654321"/,
    ],
    [
        "the api role's key statement drops kms:ViaService",
        RULE,
        (s) => {
            const p = keysPolicy(s);
            const doc = JSON.parse(String(p.inputs.policy));
            delete doc.Statement[0].Condition;
            p.inputs.policy = JSON.stringify(doc);
            return p;
        },
        /lacks StringEquals kms:ViaService = s3.<region>.amazonaws.com/,
    ],
];

describe("wiring-bucket-access: app buckets ↔ pods ↔ IRSA roles", () => {
    const stacks = realStacks();

    for (const stack of ["prod", "staging"] as const) {
        it(`holds on the real ${stack} stack, which has an app bucket`, async () => {
            const snapshot = stacks[stack];
            assert.ok(apiEnv(snapshot), "the api names its bucket");
            const hits = (await wiring(snapshot, stack, [RULE])).filter((v) => v.policy === RULE);
            assert.deepStrictEqual(
                hits.map((v) => v.message),
                [],
            );
        });
    }

    mutationTests(stacks, MUTATIONS);

    it("cannot decide during preview when the role's S3 policy is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        bucketsPolicy(preview).inputs.policy = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod", [RULE])).filter((v) => v.policy === RULE);
        assert.ok(
            hits.length > 0 && hits.every((v) => v.enforcementLevel === "advisory" && /can't run|cannot decide/.test(v.message)),
            JSON.stringify(hits),
        );
    });

    it("reads S3 grants by level, KMS statements without kms:ViaService, keys by alias and on every key", () => {
        const g = s3Grants([
            JSON.stringify({
                Statement: [
                    { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::a" },
                    { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/prefix/*"] },
                    { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::c" },
                    { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" },
                    {
                        Effect: "Allow",
                        Action: "kms:Decrypt",
                        Resource: "arn:aws:kms:eu-west-1:1:key/*",
                        Condition: {
                            StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
                            "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/a"] },
                        },
                    },
                ],
            }),
        ]);
        assert.deepStrictEqual(g, {
            buckets: ["a"],
            objects: ["a", "b/prefix/*"],
            keysOutsideS3: 1,
            keyAliases: ["alias/a"],
            anyKey: true,
        });
    });
});

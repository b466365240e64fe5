/**
 * Wiring rules (issue 18): each relation, clean on both real stacks, and broken by one
 * mutation of a real snapshot that the rule catches.
 */
import * as assert from "assert";
import { Snapshot, SnapshotResource } from "../../tools/harness";
import { hpaTargetsWorkload, pdbAllowsEviction } from "../../policies/rules/wiring/scaling";
import { irsaRoleTrust, trustProblem } from "../../policies/rules/wiring/irsa";
import { s3BucketRelations } from "../../policies/rules/wiring/s3";
import { serviceSelectsPods } from "../../policies/rules/wiring/services";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { Any, ROLLOUT, first, Mutation, mutationTests, realStacks, SERVICE, wiring } from "./wiring-fixtures";

const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const SA = "kubernetes:core/v1:ServiceAccount";

/** The Rollout whose pods carry the app label a Service selects. */
const servedBy = (s: Snapshot, svc: SnapshotResource) => {
    const app = (svc.inputs.spec as Any).selector["app.kubernetes.io/name"];
    return s.resources.find(
        (r) => r.type === ROLLOUT && (r.inputs.spec as Any).template.metadata.labels["app.kubernetes.io/name"] === app,
    )!;
};

const MUTATIONS: Mutation[] = [
    [
        "a Rollout's pod label changed",
        serviceSelectsPods.name,
        (s) => {
            const svc = first(s, SERVICE);
            const labels = (servedBy(s, svc).inputs.spec as Any).template.metadata.labels;
            labels["app.kubernetes.io/name"] = `${labels["app.kubernetes.io/name"]}-v2`;
            return svc;
        },
        /selects no pod of the stack in namespace hangar/,
    ],
    [
        "a Service moved to another namespace",
        serviceSelectsPods.name,
        (s) => {
            const svc = first(s, SERVICE);
            (svc.inputs.metadata as Any).namespace = "elsewhere";
            return svc;
        },
        /Service elsewhere\/\S+: spec.selector .* selects no pod/,
    ],
    [
        "a container port renamed",
        serviceSelectsPods.name,
        (s) => {
            const svc = first(s, SERVICE, "api");
            for (const c of (servedBy(s, svc).inputs.spec as Any).template.spec.containers)
                for (const p of c.ports ?? []) if (p.name === "metrics") p.name = "prom";
            return svc;
        },
        /targetPort "metrics" is not a port the containers of Rollout \S+ declare/,
    ],
    [
        "an HPA's scaleTargetRef renamed",
        hpaTargetsWorkload.name,
        (s) => {
            const hpa = first(s, HPA);
            (hpa.inputs.spec as Any).scaleTargetRef.name = "api-old";
            return hpa;
        },
        /scaleTargetRef Rollout api-old is no workload of the stack in namespace hangar/,
    ],
    [
        "the CPU request removed from the workload an HPA scales on CPU",
        hpaTargetsWorkload.name,
        (s) => {
            const hpa = first(s, HPA);
            for (const c of (first(s, ROLLOUT, (hpa.inputs.spec as Any).scaleTargetRef.name).inputs.spec as Any).template.spec.containers)
                delete c.resources.requests.cpu;
            return hpa;
        },
        /targets cpu utilization, but container \S+ of Rollout \S+ requests no cpu/,
    ],
    [
        "a PDB's selector label changed",
        pdbAllowsEviction.name,
        (s) => {
            const pdb = first(s, PDB);
            (pdb.inputs.spec as Any).selector.matchLabels["app.kubernetes.io/name"] = "nothing";
            return pdb;
        },
        /selects no workload of the stack in namespace hangar/,
    ],
    [
        "a PDB's minAvailable at the HPA's minReplicas",
        pdbAllowsEviction.name,
        (s) => {
            const pdb = first(s, PDB, "api");
            const spec = pdb.inputs.spec as Any;
            delete spec.maxUnavailable;
            spec.minAvailable = 3;
            return pdb;
        },
        /minAvailable 3 leaves no pod of Rollout api \(minimum 3 replicas\) to evict/,
    ],
    [
        "the role trusts another ServiceAccount",
        irsaRoleTrust.name,
        (s) => {
            const sa = first(s, SA, "app");
            const role = s.resources.find((r) => r.urn === sa.options.propertyDependencies.metadata.find((u) => u.includes("iam/role")))!;
            role.inputs.assumeRolePolicy = String(role.inputs.assumeRolePolicy).replace(
                "system:serviceaccount:hangar:app",
                "system:serviceaccount:hangar:other",
            );
            return sa;
        },
        /ServiceAccount hangar\/app: Role hangar-app-irsa: its web-identity statement does not require StringEquals \S+:sub = system:serviceaccount:hangar:app/,
    ],
    [
        "the annotation no longer comes from a role of the stack",
        irsaRoleTrust.name,
        (s) => {
            const sa = first(s, SA, "pg-dump");
            sa.options.propertyDependencies.metadata = sa.options.propertyDependencies.metadata.filter((u) => !u.includes("iam/role"));
            return sa;
        },
        /ServiceAccount hangar\/pg-dump: its eks.amazonaws.com\/role-arn annotation must be the arn of one Role of the stack \(it depends on 0\)/,
    ],
    [
        "replication no longer ordered after the destination's versioning",
        s3BucketRelations.name,
        (s) => {
            const rep = first(s, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
            const dest = s.resources.find(
                (r) => r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.urn.endsWith("::hangar-dr-dumps"),
            )!;
            rep.options.dependencies = rep.options.dependencies.filter((u) => u !== dest.urn);
            return rep;
        },
        /add dependsOn BucketVersioning hangar-dr-dumps: replication must be created after Bucket hangar-dr-dumps is versioned/,
    ],
    [
        "a lifecycle configuration naming a bucket by a literal",
        s3BucketRelations.name,
        (s) => {
            const lc = first(s, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
            lc.options.propertyDependencies.bucket = [];
            return lc;
        },
        /BucketLifecycleConfiguration \S+: set bucket from a Bucket of the stack/,
    ],
];

describe("wiring rules over the real stacks", () => {
    const stacks = realStacks();

    it("are clean for prod and staging", async () => {
        assert.deepStrictEqual(await wiring(stacks.prod, "prod"), []);
        assert.deepStrictEqual(await wiring(stacks.staging, "staging"), []);
    });

    mutationTests(stacks, MUTATIONS);

    it("judges trust policies: exact subject and audience on the provider's issuer, no wildcards", () => {
        const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        const statement = (condition: Any) =>
            JSON.stringify({
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${issuer}` },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: condition,
                    },
                ],
            });
        const subject = "system:serviceaccount:hangar:app";
        assert.strictEqual(
            trustProblem(statement({ StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: "sts.amazonaws.com" } }), subject),
            undefined,
        );
        assert.match(trustProblem(statement({ StringEquals: { [`${issuer}:sub`]: subject } }), subject)!, /:aud = sts.amazonaws.com/);
        assert.match(
            trustProblem(
                statement({
                    StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: "sts.amazonaws.com" },
                    StringLike: { [`${issuer}:sub`]: "system:serviceaccount:*" },
                }),
                subject,
            )!,
            /wildcard/,
        );
        assert.match(
            trustProblem(JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] }), subject)!,
            /no sts:AssumeRoleWithWebIdentity/,
        );
        assert.match(trustProblem("{not json", subject)!, /not JSON/);
    });

    it("cannot decide during preview when a pod template is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        (first(preview, ROLLOUT).inputs.spec as Any).template = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod", [serviceSelectsPods.name])).filter((v) => v.policy === serviceSelectsPods.name);
        assert.ok(
            hits.length > 0 && hits.every((v) => v.enforcementLevel === "advisory" && /can't run|cannot decide/.test(v.message)),
            JSON.stringify(hits),
        );
    });
});

/**
 * The rotating master password's guardrails (issue 20.5): aws-secret-rotation-required (every master secret has an
 * enabled rotation) and wiring-rotation-function-network (the rotation function reaches the database and Secrets
 * Manager), plus the declared rotation flows under the flow rules. The real snapshots, one mutation of prod per way
 * to break a relation, and the preview cases.
 */
import * as assert from "assert";
import { SECRET_ROTATION, secretRotationRequired } from "../../policies/rules/aws/secret-rotation";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { declaredFlowsAllowed } from "../../policies/rules/wiring/declared-flows";
import { rotationFunctionNetwork } from "../../policies/rules/wiring/rotation";
import { Snapshot, SnapshotResource, UNKNOWN } from "../../tools/harness";
import { policyConfig, policyResources } from "../../tools/policy-check";
import { runPolicies } from "../../tools/policy/runner";
import { Any, first, Mutation, mutationTests, realStacks, wiring } from "./wiring-fixtures";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SAR = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack";
const SECRET = "aws:secretsmanager/secret:Secret";
const NET = rotationFunctionNetwork.name;
const group = (s: Snapshot, name: string) => s.resources.find((r) => r.type === SG && (r.inputs as Any).name === name)!;
const secret = (s: Snapshot, name = "hangar-db-master") => s.resources.find((r) => r.type === SECRET && r.name === name)!;
const rotationOf = (s: Snapshot) => first(s, SECRET_ROTATION);
const runAws = (s: Snapshot, env: string, preview = false) =>
    runPolicies(policyResources(s), policyConfig(env), { policies: [secretRotationRequired], preview });
/** Drops the database group's reference to the rotation function's group (its rule and the dependency). */
function unreference(g: SnapshotResource, referenced: SnapshotResource) {
    g.inputs.ingress = (g.inputs.ingress as Any[]).filter((r) => r.description !== "PostgreSQL from the rotation function");
    g.options.propertyDependencies.ingress = g.options.propertyDependencies.ingress.filter((u) => u !== referenced.urn);
}

describe("aws-secret-rotation-required", () => {
    const stacks = realStacks();

    it("is clean on prod and staging; the exporter's login secret (its own password) is no master secret", async () => {
        assert.deepStrictEqual(await runAws(stacks.prod, "prod"), []);
        assert.deepStrictEqual(await runAws(stacks.staging, "staging"), []);
        assert.ok(
            stacks.prod.resources.some((r) => r.type === SECRET && /monitor|exporter/.test(r.name)),
            "another secret of the database exists",
        );
    });

    const CASES: [string, (s: Snapshot) => SnapshotResource, RegExp][] = [
        [
            "no rotation at all",
            (s) => {
                s.resources = s.resources.filter((r) => r.type !== SECRET_ROTATION);
                return secret(s);
            },
            /secret hangar-db-master holds the master password of RDS instance hangar-db and nothing rotates it: add an aws\.secretsmanager\.SecretRotation/,
        ],
        [
            "a rotation turned off",
            (s) => {
                (rotationOf(s).inputs as Any).rotationEnabled = false;
                return secret(s);
            },
            /nothing rotates it/,
        ],
        [
            "a rotation of another secret",
            (s) => {
                const r = rotationOf(s);
                r.options.propertyDependencies.secretId = [];
                (r.inputs as Any).secretId = "another/secret";
                return secret(s);
            },
            /nothing rotates it/,
        ],
        [
            "a master secret known by its name only (its value written elsewhere)",
            (s) => {
                s.resources = s.resources.filter(
                    (r) => r.type !== "aws:secretsmanager/secretVersion:SecretVersion" && r.type !== SECRET_ROTATION,
                );
                return secret(s);
            },
            /secret hangar-db-master holds a database master credential \(by its name\) and nothing rotates it/,
        ],
    ];
    for (const [what, mutate, message] of CASES) {
        it(`reports ${what}, on the secret, mandatory in prod`, async () => {
            const s = structuredClone(stacks.prod);
            const target = mutate(s);
            const found = await runAws(s, "prod");
            assert.ok(
                found.some((v) => v.urn === target.urn && message.test(v.message) && v.enforcementLevel === "mandatory"),
                JSON.stringify(found),
            );
        });
    }

    it("is advisory in staging and not required in ephemeral", async () => {
        const s = structuredClone(stacks.staging);
        s.resources = s.resources.filter((r) => r.type !== SECRET_ROTATION);
        assert.deepStrictEqual(
            (await runAws(s, "staging")).map((v) => [v.urn, v.enforcementLevel]),
            [[secret(s).urn, "advisory"]],
        );
        assert.deepStrictEqual(await runAws(s, "ephemeral"), []);
    });

    it("decides during preview from dependencies, and cannot decide an unknown secretId that comes from no secret", async () => {
        const s = structuredClone(stacks.prod);
        const r = rotationOf(s);
        (r.inputs as Any).secretId = UNKNOWN;
        (r.inputs as Any).rotationLambdaArn = UNKNOWN;
        assert.deepStrictEqual(await runAws(s, "prod", true), [], "the secretId dependency decides");
        r.options.propertyDependencies.secretId = [];
        const found = await runAws(s, "prod", true);
        assert.deepStrictEqual(
            found.map((v) => [v.enforcementLevel, /cannot decide: .*secretId is unknown and comes from no secret/.test(v.message)]),
            [["advisory", true]],
        );
    });
});

describe("wiring-rotation-function-network and the rotation flows", () => {
    const stacks = realStacks();

    for (const stack of ["prod", "staging"] as const)
        it(`${stack}: clean`, async () => {
            const rules = [NET, declaredFlowsAllowed.name];
            assert.deepStrictEqual(
                (await wiring(stacks[stack], stack, rules)).filter((v) => rules.includes(v.policy)),
                [],
            );
        });

    const MUTATIONS: Mutation[] = [
        [
            "the database's group no longer admits the function's",
            NET,
            (s) => {
                const db = group(s, "hangar-prod-postgres");
                unreference(db, group(s, "hangar-prod-postgres-rotation"));
                return db;
            },
            /rotation hangar-db-rotation \(function of hangar-db-rotation\): security group hangar-prod-postgres of hangar-db admits no TCP 5432 from the function's group hangar-prod-postgres-rotation/,
        ],
        [
            "the same, as the declared flow rotation → writer sees it",
            declaredFlowsAllowed.name,
            (s) => {
                const db = group(s, "hangar-prod-postgres");
                unreference(db, group(s, "hangar-prod-postgres-rotation"));
                (db.inputs.ingress as Any[])[0].cidrBlocks = [];
                return db;
            },
            /declared flow postgres rotation function → postgres \(writer, replicas\) 5432\/TCP .* is blocked at security group hangar-prod-postgres of hangar-db/,
        ],
        [
            "the function's egress to the database removed",
            NET,
            (s) => {
                s.resources = s.resources.filter((r) => !(r.type === EGRESS && r.name === "hangar-db-rotation-to-db"));
                return group(s, "hangar-prod-postgres-rotation");
            },
            /security group hangar-prod-postgres-rotation lets no TCP 5432 out to hangar-db's group/,
        ],
        [
            "the function's egress to Secrets Manager removed",
            NET,
            (s) => {
                s.resources = s.resources.filter((r) => !(r.type === EGRESS && r.name === "hangar-db-rotation-to-secrets"));
                return group(s, "hangar-prod-postgres-rotation");
            },
            /security group hangar-prod-postgres-rotation lets no TCP 443 out to Secrets Manager/,
        ],
        [
            "the function in subnets outside the database's subnet group",
            NET,
            (s) => {
                const app = first(s, SAR);
                (app.inputs as Any).parameters.vpcSubnetIds = "subnet-0a1b2c3d4e5f60001,subnet-0fffffffffffffff9";
                return app;
            },
            /vpcSubnetIds "subnet-0a1b2c3d4e5f60001,subnet-0fffffffffffffff9" must be subnets of hangar-db's DB subnet group/,
        ],
        [
            "the function given no group of the stack",
            NET,
            (s) => {
                const app = first(s, SAR);
                app.options.propertyDependencies.parameters = app.options.propertyDependencies.parameters.filter(
                    (u) => !u.includes("securityGroup"),
                );
                return app;
            },
            /vpcSecurityGroupIds names no security group of the stack/,
        ],
        [
            "the Secrets Manager endpoint's group not admitting the function",
            NET,
            (s) => {
                const g = group(s, "hangar-prod-secretsmanager-endpoint");
                g.options.propertyDependencies.ingress = [group(s, "hangar-prod-postgres-proxy").urn];
                (g.inputs.ingress as Any[])[0].securityGroups = ["sg-proxy"];
                return g;
            },
            /Secrets Manager endpoint hangar-db-secretsmanager's group hangar-prod-secretsmanager-endpoint admits no TCP 443 from the function's group/,
        ],
    ];
    mutationTests(stacks, MUTATIONS);

    it("decides during preview, where the groups' IDs are unknown, and stays undecided on unknown subnets", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        ((first(preview, SAR).inputs as Any).parameters as Any).vpcSecurityGroupIds = UNKNOWN_STRING_SENTINEL;
        const db = group(preview, "hangar-prod-postgres");
        (db.inputs.ingress as Any[]).forEach((r) => (r.securityGroups = (r.securityGroups as string[]).map(() => UNKNOWN_STRING_SENTINEL)));
        assert.deepStrictEqual(
            (await wiring(preview, "prod", [NET])).filter((v) => v.policy === NET),
            [],
        );
        (
            preview.resources.find((r) => r.type === "aws:rds/subnetGroup:SubnetGroup" && r.name === "hangar-db-subnets")!.inputs as Any
        ).subnetIds = UNKNOWN;
        const found = (await wiring(preview, "prod", [NET])).filter((v) => v.policy === NET);
        assert.deepStrictEqual(
            found.map((v) => [v.enforcementLevel, /cannot decide: rotation hangar-db-rotation/.test(v.message)]),
            [["advisory", true]],
        );
    });
});

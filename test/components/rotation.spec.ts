/**
 * The master password rotates (issue 20.2): Pulumi writes a bootstrap password once and ignores it after, Secrets
 * Manager rotates it with the single-user PostgreSQL function in the database's subnets, behind its own security
 * group, through a Secrets Manager endpoint. Read from the real prod and staging snapshots (shared with the wiring
 * specs) and from the pure config path for the other settings; no program run of its own.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BOOTSTRAP_STAGE, excludedCharacters, ROTATION_APP } from "../../components/data/rotation";
import { postgresRotationFlows, RDS_PASSWORD_SPECIALS } from "../../components/data";
import { databaseArgs } from "../../components/platform/mappers";
import { parseConfig, toPlatformArgs } from "../../config";
import { Snapshot, SnapshotResource } from "../../tools/harness";
import { mutate, stackConfig } from "../config/cases";
import { Any, first, realStacks } from "../policies/wiring-fixtures";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const SAR = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const ROOT = path.resolve(__dirname, "..", "..");

const named = (s: Snapshot, type: string, name: string) => {
    const r = s.resources.find((x) => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name}`);
    return r;
};
const group = (s: Snapshot, name: string) => s.resources.find((r) => r.type === SG && (r.inputs as Any).name === name)!;
const depsOf = (r: SnapshotResource, key: string) => r.options.propertyDependencies?.[key] ?? [];
const parsed = (raw: Record<string, unknown>, stack: string) => parseConfig(raw, stack);

describe("PostgresDatabase: the master password rotates, Pulumi keeps no valid one", () => {
    const stacks = realStacks();

    it("prod: the instance ignores later password changes; the bootstrap version ignores secretString and versionStages", () => {
        const s = stacks.prod;
        const primary = named(s, "aws:rds/instance:Instance", "hangar-db");
        assert.ok(primary.options.ignoreChanges.includes("password"), "ignoreChanges: password");
        assert.ok(primary.inputs.password, "a bootstrap password is still set at creation");
        const version = named(s, "aws:secretsmanager/secretVersion:SecretVersion", "hangar-db-master");
        assert.deepStrictEqual([...version.options.ignoreChanges].sort(), ["secretString", "versionStages"]);
        assert.deepStrictEqual(version.inputs.versionStages, ["AWSCURRENT", BOOTSTRAP_STAGE]);
        // The secret keeps its name (the ESO helper reads it) and stays protected in prod.
        const secret = named(s, "aws:secretsmanager/secret:Secret", "hangar-db-master");
        assert.strictEqual(secret.inputs.name, "hangar-prod/postgres/master");
        assert.strictEqual(secret.options.protect, true);
    });

    it("prod: a SecretRotation of the master secret on the configured schedule, rotating at once, by the SAR stack's function", () => {
        const s = stacks.prod;
        const rotation = first(s, ROTATION);
        assert.deepStrictEqual(rotation.inputs.rotationRules, { scheduleExpression: "rate(30 days)" });
        assert.strictEqual(rotation.inputs.rotateImmediately, true);
        assert.deepStrictEqual(
            depsOf(rotation, "secretId").map((u) => u.split("::").pop()),
            ["hangar-db-master"],
        );
        assert.deepStrictEqual(
            depsOf(rotation, "rotationLambdaArn").map((u) => u.split("::").pop()),
            ["hangar-db-rotation"],
        );
        assert.match(String(rotation.inputs.rotationLambdaArn), /:function:hangar-prod-postgres-rotation$/);
    });

    it("prod: the SAR app is pinned and runs in the private subnets with its own group and the database's key", () => {
        const s = stacks.prod;
        const app = first(s, SAR).inputs as Any;
        assert.deepStrictEqual([app.applicationId, app.semanticVersion], [ROTATION_APP.applicationId, ROTATION_APP.semanticVersion]);
        assert.match(app.applicationId, /applications\/SecretsManagerRDSPostgreSQLRotationSingleUser$/);
        assert.deepStrictEqual(app.capabilities, ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]);
        assert.strictEqual(app.parameters.vpcSubnetIds, "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002,subnet-0a1b2c3d4e5f60003");
        assert.strictEqual(app.parameters.endpoint, "https://secretsmanager.eu-west-1.amazonaws.com");
        assert.strictEqual(app.parameters.functionName, "hangar-prod-postgres-rotation");
        const deps = depsOf(first(s, SAR), "parameters");
        assert.ok(deps.includes(group(s, "hangar-prod-postgres-rotation").urn), "vpcSecurityGroupIds from the rotation group");
        assert.ok(
            deps.some((u) => u.endsWith("aws:kms/key:Key::hangar-db-kms")),
            "kmsKeyArn from the database's key",
        );
        // The rotated password keeps to the bootstrap's alphabet: none of / @ " ' \ or backtick, none of the allowed specials excluded.
        for (const c of ["/", "@", '"', "'", "\\", "`"]) assert.ok(app.parameters.excludeCharacters.includes(c), c);
        for (const c of RDS_PASSWORD_SPECIALS) assert.ok(!app.parameters.excludeCharacters.includes(c), c);
        assert.strictEqual(excludedCharacters(RDS_PASSWORD_SPECIALS).length, 32 - RDS_PASSWORD_SPECIALS.length);
    });

    it("prod: the function's group admits nothing, lets out 5432 to the database's group and 443; the database admits it by reference", () => {
        const s = stacks.prod;
        const fn = group(s, "hangar-prod-postgres-rotation");
        assert.deepStrictEqual(fn.inputs.ingress, []);
        const egress = s.resources.filter((r) => r.type === EGRESS && depsOf(r, "securityGroupId").includes(fn.urn));
        const line = (r: SnapshotResource) =>
            `${String(r.inputs.toPort)} ${String(r.inputs.cidrIpv4 ?? depsOf(r, "referencedSecurityGroupId").map((u) => u.split("::").pop()))}`;
        assert.deepStrictEqual(egress.map(line).sort(), ["443 0.0.0.0/0", "5432 hangar-db-sg"]);
        const db = group(s, "hangar-prod-postgres");
        assert.ok(depsOf(db, "ingress").includes(fn.urn), "the database's group references the function's");
        assert.ok(
            (db.inputs.ingress as Any[]).some((r) => r.description === "PostgreSQL from the rotation function" && r.fromPort === 5432),
        );
    });

    it("prod: a Secrets Manager interface endpoint with private DNS, admitting 443 from the function and RDS Proxy", () => {
        const s = stacks.prod;
        const e = first(s, ENDPOINT);
        const i = e.inputs as Any;
        assert.deepStrictEqual(
            [i.serviceName, i.vpcEndpointType, i.privateDnsEnabled],
            ["com.amazonaws.eu-west-1.secretsmanager", "Interface", true],
        );
        assert.strictEqual(i.subnetIds.length, 3);
        const eg = group(s, "hangar-prod-secretsmanager-endpoint");
        assert.ok(depsOf(e, "securityGroupIds").includes(eg.urn));
        assert.deepStrictEqual(
            depsOf(eg, "ingress").sort(),
            [group(s, "hangar-prod-postgres-proxy").urn, group(s, "hangar-prod-postgres-rotation").urn].sort(),
        );
        assert.strictEqual((eg.inputs.ingress as Any[])[0].fromPort, 443);
    });

    it("prod: the endpoint also admits 443 from the private subnets, where the External Secrets controller (and every pod) calls Secrets Manager", () => {
        // Private DNS sends every Secrets Manager call in the VPC to the endpoint's ENIs, the controller's included:
        // a group admitting only the function and RDS Proxy would cut ESO off from every secret.
        const s = stacks.prod;
        const eg = group(s, "hangar-prod-secretsmanager-endpoint");
        const private_ = ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"];
        assert.ok(
            (eg.inputs.ingress as Any[]).some((r) => r.fromPort === 443 && private_.every((c) => (r.cidrBlocks ?? []).includes(c))),
            JSON.stringify(eg.inputs.ingress),
        );
    });

    it("staging rotates too (no proxy: the endpoint admits the function alone)", () => {
        const s = stacks.staging;
        assert.deepStrictEqual(first(s, ROTATION).inputs.rotationRules, { scheduleExpression: "rate(30 days)" });
        assert.ok(named(s, "aws:rds/instance:Instance", "hangar-db").options.ignoreChanges.includes("password"));
        assert.deepStrictEqual(depsOf(group(s, "hangar-staging-secretsmanager-endpoint"), "ingress"), [
            group(s, "hangar-staging-postgres-rotation").urn,
        ]);
    });

    it("prod replicates the master secret to the DR region with the DR key (a dependency, so the key exists first); staging has no DR", () => {
        const master = named(stacks.prod, "aws:secretsmanager/secret:Secret", "hangar-db-master");
        const replicas = master.inputs.replicas as Any[];
        assert.deepStrictEqual(
            replicas.map((r) => r.region),
            ["eu-central-1"],
        );
        assert.deepStrictEqual(depsOf(master, "replicas"), [named(stacks.prod, "aws:kms/key:Key", "hangar-dr-kms").urn]);
        assert.strictEqual(named(stacks.staging, "aws:secretsmanager/secret:Secret", "hangar-db-master").inputs.replicas, undefined);
    });

    it("the existing stateful resources keep their URNs and replacement-forcing values (test/baselines)", () => {
        const baseline = JSON.parse(fs.readFileSync(path.join(ROOT, "test/baselines/prod.json"), "utf8")) as Any[];
        for (const name of ["hangar-db", "hangar-db-master"]) {
            const entry = baseline.find((b) => String(b.urn).endsWith(`::${name}`) && /rds\/instance|secretsmanager\/secret:/.test(b.type));
            assert.ok(entry, name);
            const r = stacks.prod.resources.find((x) => x.urn === entry.urn);
            assert.ok(r, `${entry.urn} still in the snapshot`);
            for (const [k, v] of Object.entries(entry.values as Any))
                if (!k.startsWith("@") && typeof v === "string") assert.strictEqual(r.inputs[k], v, k);
        }
    });
});

describe("database.rotation: config, mapping and flows", () => {
    const rotationOf = (raw: Record<string, unknown>, stack: string) => {
        const p = parsed(raw, stack);
        assert.ok(p.ok, JSON.stringify(!p.ok && p.errors));
        return databaseArgs(toPlatformArgs(p.config, "k"), { environment: stack, vpcId: "v", subnetIds: [], allowedCidrs: [] }, stack)
            .rotation;
    };

    it("is on in prod and staging and off in ephemeral, by profile; a stack file's settings reach the component", () => {
        assert.deepStrictEqual(rotationOf(stackConfig("prod"), "prod"), {
            enabled: true,
            schedule: "rate(30 days)",
            secretsManagerEndpoint: "create",
        });
        assert.strictEqual(rotationOf(stackConfig("staging"), "staging")?.enabled, true);
        assert.strictEqual(rotationOf(mutate("staging", "hangar:environment", [], "ephemeral"), "pr-7")?.enabled, false);
        const set = mutate("prod", "hangar:database", ["rotation"], {
            schedule: "cron(0 4 ? * SUN *)",
            secretsManagerEndpoint: "existing",
        });
        assert.deepStrictEqual(rotationOf(set, "prod"), {
            enabled: true,
            schedule: "cron(0 4 ? * SUN *)",
            secretsManagerEndpoint: "existing",
        });
    });

    it("refuses rotation off in prod and a schedule Secrets Manager refuses, by key path", () => {
        const off = parsed(mutate("prod", "hangar:database", ["rotation"], { enabled: false }), "prod");
        assert.ok(
            !off.ok && off.errors.some((e) => e.path === "hangar:database.rotation.enabled" && /must be true in prod/.test(e.message)),
        );
        for (const schedule of ["rate(0 days)", "rate(1001 days)", "rate(2 hours)", "every month"]) {
            const bad = parsed(mutate("staging", "hangar:database", ["rotation"], { schedule }), "staging");
            assert.ok(!bad.ok && bad.errors.some((e) => e.path === "hangar:database.rotation.schedule"), schedule);
        }
        assert.ok(parsed(mutate("staging", "hangar:database", ["rotation"], { enabled: false }), "staging").ok, "optional in staging");
    });

    it("declares rotation → writer 5432 and → Secrets Manager 443 (the endpoint, or the internet with `existing`)", () => {
        const line = (f: Any) => `${f.from.name} → ${f.to.name} ${f.port}`;
        assert.deepStrictEqual(postgresRotationFlows(["10.0.0.0/19"], true, true).map(line), [
            "postgres rotation function → postgres (writer, replicas) 5432",
            "postgres rotation function → Secrets Manager endpoint 443",
            "postgres proxy → Secrets Manager endpoint 443",
        ]);
        assert.deepStrictEqual(postgresRotationFlows(["10.0.0.0/19"], false, true).map(line), [
            "postgres rotation function → postgres (writer, replicas) 5432",
            "postgres rotation function → internet (Secrets Manager) 443",
        ]);
    });
});

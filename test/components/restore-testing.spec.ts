/**
 * AWS Backup restore testing of the database (issue 20), on prod's real snapshot (shared with the wiring
 * specs): the plan and selection, the role's trust, and restore-job failures to the encrypted alarm topic.
 */
import * as assert from "assert";
import * as path from "path";
import { RESTORE_FAILURE_PATTERN, RESTORE_TESTING_DEFAULTS, restoreTestingName } from "../../components/backups";
import { parseConfig, readStackConfig, toPlatformArgs } from "../../config";
import { reveal, ROOT, Snapshot, SnapshotResource } from "../../tools/harness";
import { Any, first, realStacks } from "../policies/wiring-fixtures";

const inputs = (r: SnapshotResource): Any => reveal(r.inputs) as Any;
const urnOf = (s: Snapshot, type: string, name: string) => s.resources.find((r) => r.type === type && r.name === name)!.urn;
const statements = (policy: string): Any[] => JSON.parse(policy).Statement;

describe("restore testing in prod", () => {
    const stacks = realStacks();
    const plan = () => first(stacks.prod, "aws:backup/restoreTestingPlan:RestoreTestingPlan");
    const selection = () => first(stacks.prod, "aws:backup/restoreTestingSelection:RestoreTestingSelection");

    it("restores the latest recovery point of the primary vault on a schedule, under a name of letters, digits and underscores", () => {
        const p = inputs(plan());
        assert.match(p.name, /^[A-Za-z0-9_]{1,50}$/);
        assert.strictEqual(p.scheduleExpression, RESTORE_TESTING_DEFAULTS.schedule);
        assert.deepStrictEqual(
            [p.recoveryPointSelection.algorithm, p.recoveryPointSelection.recoveryPointTypes, p.recoveryPointSelection.selectionWindowDays],
            ["LATEST_WITHIN_WINDOW", ["SNAPSHOT"], 7],
        );
        assert.deepStrictEqual(plan().options.propertyDependencies.recoveryPointSelection, [
            urnOf(stacks.prod, "aws:backup/vault:Vault", "hangar-backups-vault"),
        ]);
    });

    it("restores the database into a small temporary instance in its own subnet group and security group, kept 2 hours", () => {
        const s = inputs(selection());
        const deps = selection().options.propertyDependencies;
        assert.match(s.name, /^[A-Za-z0-9_]{1,50}$/);
        assert.strictEqual(s.protectedResourceType, "RDS");
        assert.deepStrictEqual(deps.protectedResourceArns, [urnOf(stacks.prod, "aws:rds/instance:Instance", "hangar-db")]);
        assert.deepStrictEqual(deps.restoreTestingPlanName, [plan().urn]);
        assert.deepStrictEqual(deps.restoreMetadataOverrides.sort(), [
            urnOf(stacks.prod, "aws:ec2/securityGroup:SecurityGroup", "hangar-db-sg"),
            urnOf(stacks.prod, "aws:rds/subnetGroup:SubnetGroup", "hangar-db-subnets"),
        ]);
        assert.strictEqual(s.restoreMetadataOverrides.dbInstanceClass, "db.t4g.micro");
        assert.strictEqual(s.restoreMetadataOverrides.dbSubnetGroupName, "hangar-prod");
        assert.strictEqual(JSON.parse(s.restoreMetadataOverrides.vpcSecurityGroupIds).length, 1);
        assert.strictEqual(s.validationWindowHours, 2);
        assert.deepStrictEqual(deps.iamRoleArn, [urnOf(stacks.prod, "aws:iam/role:Role", "hangar-backups-backup")]);
    });

    it("hands AWS Backup's role to restore testing: it trusts backup and restore-testing for this account", () => {
        const backupRole = stacks.prod.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === "hangar-backups-backup")!;
        const [trust] = statements(inputs(backupRole).assumeRolePolicy);
        assert.deepStrictEqual(trust.Principal.Service, ["backup.amazonaws.com", "restore-testing.backup.amazonaws.com"]);
        assert.ok(trust.Condition.StringEquals["aws:SourceAccount"]);
    });

    it("notifies failed and aborted restore jobs on the encrypted alarm topic, whose key and policy admit EventBridge", () => {
        const rule = stacks.prod.resources.find(
            (r) => r.type === "aws:cloudwatch/eventRule:EventRule" && r.name === "hangar-backups-restore-failures",
        )!;
        assert.deepStrictEqual(JSON.parse(inputs(rule).eventPattern), RESTORE_FAILURE_PATTERN);
        const target = stacks.prod.resources.find((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && r.name === rule.name)!;
        assert.deepStrictEqual(target.options.propertyDependencies.rule, [rule.urn]);
        const topic = urnOf(stacks.prod, "aws:sns/topic:Topic", "hangar-monitoring-alarms");
        assert.deepStrictEqual(target.options.propertyDependencies.arn, [topic]);
        const key = stacks.prod.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "hangar-monitoring-alarms")!;
        assert.ok(
            statements(inputs(key).policy).some(
                (s) => s.Principal.Service === "events.amazonaws.com" && s.Action.includes("kms:GenerateDataKey*"),
            ),
        );
        const policy = stacks.prod.resources.find(
            (r) => r.type === "aws:sns/topicPolicy:TopicPolicy" && r.name === "hangar-monitoring-alarms",
        )!;
        assert.ok(
            statements(inputs(policy).policy).some((s) => s.Principal.Service === "events.amazonaws.com" && s.Action === "sns:Publish"),
        );
    });
});

describe("restore testing names and config", () => {
    it("turn physical names into letters, digits and underscores of at most 50 characters", () => {
        assert.strictEqual(restoreTestingName("hangar-prod"), "hangar_prod");
        assert.strictEqual(restoreTestingName("hangar-pr-42", "_rds"), "hangar_pr_42_rds");
        assert.strictEqual(restoreTestingName("x".repeat(60), "_rds").length, 50);
    });

    it("maps backups.restoreTesting onto Backups, and warns that its keys have no effect when it is off", () => {
        const raw = readStackConfig(path.join(ROOT, "Pulumi.prod.yaml")) as Any;
        const parsed = parseConfig(raw, "prod");
        assert.ok(parsed.ok);
        assert.deepStrictEqual(toPlatformArgs(parsed.config!, "kubeconfig").backups?.restoreTesting, {
            enabled: true,
            schedule: "cron(0 6 ? * SUN *)",
            instanceClass: "db.t4g.micro",
            validationWindowHours: 2,
            selectionWindowDays: 7,
        });
        const off = structuredClone(raw);
        off["hangar:backups"].restoreTesting = { enabled: false, instanceClass: "db.t4g.small" };
        const warned = parseConfig(off, "prod").warnings.map((w) => w.path);
        assert.ok(warned.includes("hangar:backups.restoreTesting.instanceClass"), warned.join(", "));
    });
});

import * as assert from "assert";
import { backupPlanCrossRegionCopy, backupPlanRetention, backupVaultEncrypted } from "../../policies/rules/aws/backup";
import { cronJobBackupBounded } from "../../policies/rules/kubernetes/backups";
import {
    arnOf,
    AwsResource,
    backupCronJob,
    backupPlan,
    backupVault,
    DR_VAULT_ARN,
    find,
    Loose,
    PRIMARY,
    prodStack,
    resourceChecks,
    stackChecks,
    T,
    urnOf,
} from "./aws-fixtures";
import { argsFor, assertHasViolation, assertNoViolations, assertNotApplicable, assertUnknown, mutated } from "./util";

const PLAN = /^backup plan "hangar-prod" \(hangar-backups-plan\): /;
const NAMED = { name: "hangar-backups-plan" };
/** Staging's plan: dailies for 14 days, no copies. */
const stagingPlan = (p: Loose) => {
    p.rules = [p.rules[0]];
    p.rules[0].lifecycle.deleteAfter = 14;
    delete p.rules[0].copyActions;
};

describe(backupVaultEncrypted.name, () => {
    const { accepts, refuses } = resourceChecks(backupVaultEncrypted, T.vault, backupVault);

    it("is mandatory", () => assert.strictEqual(backupVaultEncrypted.enforcementLevel, "mandatory"));
    it("accepts prod's vaults, also with the key unknown during preview", async () => {
        await accepts();
        await accepts({ ...backupVault(), kmsKeyArn: "@unknown" });
    });
    it("refuses a vault without kmsKeyArn", () =>
        refuses(
            (p) => delete p.kmsKeyArn,
            /^backup vault "hangar-prod" \(hangar-backups-vault\): set kmsKeyArn to a customer-managed KMS key$/,
            { name: "hangar-backups-vault" },
        ));
});

describe(backupPlanRetention.name, () => {
    const { accepts, refuses, undecided } = resourceChecks(backupPlanRetention, T.plan, backupPlan);
    const prod = { config: { minRetentionDays: 35 } };

    it("is mandatory, with minRetentionDays (default 7) and allowColdStorage (default false)", () => {
        assert.strictEqual(backupPlanRetention.enforcementLevel, "mandatory");
        assert.deepStrictEqual(Object.keys(backupPlanRetention.configSchema?.properties ?? {}).sort(), [
            "allowColdStorage",
            "exemptResources",
            "minRetentionDays",
        ]);
    });
    it("accepts prod's plan (35 days of dailies, 372 of monthlies, copies alike) at prod's threshold", () => accepts(backupPlan(), prod));
    it("refuses a rule kept less than the threshold", () =>
        refuses(
            (p) => (p.rules[0].lifecycle.deleteAfter = 34),
            new RegExp(`${PLAN.source}set rules\\[0\\] \\("daily"\\)\\.lifecycle\\.deleteAfter: 35 or more \\(it is 34\\)$`),
            { ...prod, ...NAMED },
        ));
    it("refuses a copy kept less than the threshold", () =>
        refuses(
            (p) => (p.rules[1].copyActions[0].lifecycle.deleteAfter = 30),
            /set rules\[1\] \("monthly"\)\.copyActions\[0\]\.lifecycle\.deleteAfter: 35 or more \(it is 30\)/,
            prod,
        ));
    it("accepts a rule without deleteAfter (kept until deleted)", () =>
        accepts(
            mutated(backupPlan(), (p: Loose) => delete p.rules[0].lifecycle.deleteAfter),
            prod,
        ));
    it("refuses cold storage (RDS snapshots cannot move there) unless allowColdStorage", async () => {
        const cold = (p: Loose) => (p.rules[1].lifecycle.coldStorageAfter = 30);
        await refuses(cold, /remove rules\[1\] \("monthly"\)\.lifecycle\.coldStorageAfter: RDS snapshots cannot move to cold storage$/);
        await accepts(mutated(backupPlan(), cold), { config: { allowColdStorage: true } });
    });
    it("accepts staging's 14-day plan at staging's threshold, and refuses it at prod's", async () => {
        await accepts(mutated(backupPlan(), stagingPlan), { config: { minRetentionDays: 14 } });
        await refuses(stagingPlan, /deleteAfter: 35 or more \(it is 14\)/, prod);
    });
    it("cannot decide when a lifecycle is unknown", () =>
        undecided((p) => (p.rules[0].lifecycle = "@unknown"), /rules\.0\.lifecycle can't be known/));
});

describe(backupPlanCrossRegionCopy.name, () => {
    const { accepts, refuses, undecided, skips, changing } = stackChecks(backupPlanCrossRegionCopy, prodStack);
    const plan = (change: (p: Loose, r: AwsResource) => void, stack = prodStack()) => {
        const r = find(stack, T.plan, "hangar-backups-plan");
        change(r.props, r);
        return stack;
    };
    const preview = (change: (p: Loose, r: AwsResource) => void) => plan(change, prodStack({ preview: true }));

    it("is an advisory stack rule by default, with required (default true)", () => {
        assert.strictEqual(backupPlanCrossRegionCopy.enforcementLevel, "advisory");
        assert.strictEqual(backupPlanCrossRegionCopy.configSchema?.properties.required.default, true);
    });
    it("accepts prod: every rule copies to the DR vault (a known ARN)", () => accepts());
    it("accepts prod's preview shapes: the ARN is unknown, the DR vault is what `rules` depends on besides the target", () =>
        accepts(prodStack({ preview: true })));
    it("accepts a rule with one copy in the region and one outside", () =>
        accepts(plan((p) => p.rules[0].copyActions.unshift({ destinationVaultArn: arnOf("backup", PRIMARY, "hangar-local") }))));

    it("refuses a rule that copies nowhere", () =>
        refuses(
            plan((p) => delete p.rules[1].copyActions),
            /^backup plan "hangar-prod" \(hangar-backups-plan\): rules\[1\] \("monthly"\) copies nowhere: add copyActions\[\] \{ destinationVaultArn: <a vault in another region than eu-west-1> \}$/,
        ));
    it("refuses a copy to a vault of the plan's region", () =>
        refuses(
            plan((p) => (p.rules[0].copyActions[0].destinationVaultArn = arnOf("backup", PRIMARY, "hangar-local"))),
            /rules\[0\] \("daily"\) copies only within eu-west-1/,
        ));
    it("refuses, during preview, copies whose rules depend only on vaults of the plan's region", () =>
        refuses(
            preview((_p, r) => (r.propertyDependencies = { rules: [urnOf(T.vault, "hangar-backups-vault")] })),
            /rules\[0\] \("daily"\) copies only within eu-west-1/,
        ));
    it("cannot decide, during preview, when `rules` depends on no vault", () =>
        undecided(
            preview((_p, r) => (r.propertyDependencies = {})),
            /rules\[0\] \("daily"\): destinationVaultArn is unknown and may come from no vault of the stack/,
        ));
    it("cannot decide, during preview, when the target vaults' names are unknown too", () =>
        undecided(
            preview((p) => (p.rules[0].targetVaultName = p.rules[1].targetVaultName = "@unknown")),
            /destinationVaultArn is unknown and may come from hangar-backups-vault, hangar-dr-vault/,
        ));
    it("cannot decide a destination ARN without a region", () =>
        undecided(
            plan((p) => (p.rules[0].copyActions[0].destinationVaultArn = "arn:aws:backup:::x")),
            /names no region/,
        ));
    it("cannot decide without the plan's region", () =>
        undecided(
            changing(T.plan, "hangar-backups-plan", (r) => delete r.region),
            /its provider sets no region/,
        ));
    it("does not run when not required (staging: no DR region)", () =>
        skips(plan(stagingPlan), /not required \(required: false\)/, { required: false }));
    it("refuses staging's plan where copies are required", () => refuses(plan(stagingPlan), /rules\[0\] \("daily"\) copies nowhere/));
    it("decides from a known ARN without dependencies", () =>
        accepts(
            plan((p, r) => {
                r.propertyDependencies = {};
                for (const rule of p.rules) rule.copyActions[0].destinationVaultArn = DR_VAULT_ARN;
            }),
        ));
});

describe(cronJobBackupBounded.name, () => {
    const rule = cronJobBackupBounded;
    const refuses = (change: (c: Loose) => void, message: RegExp) =>
        assertHasViolation(rule, argsFor(rule, mutated(backupCronJob(), change)), message);

    it("is mandatory, with the label that marks backup jobs", () => {
        assert.strictEqual(rule.enforcementLevel, "mandatory");
        assert.strictEqual(rule.configSchema?.properties.label.default, "backup.hangar.dev/job");
    });
    it("accepts Hangar's pg_dump CronJob", () => assertNoViolations(rule, argsFor(rule, backupCronJob())));
    it("refuses concurrent runs", async () => {
        await refuses((c) => (c.spec.concurrencyPolicy = "Allow"), /^set spec\.concurrencyPolicy: Forbid \(it is Allow\)$/);
        await refuses((c) => delete c.spec.concurrencyPolicy, /\(it is unset: Allow\)$/);
    });
    it("refuses a run without a deadline", () =>
        refuses((c) => delete c.spec.jobTemplate.spec.activeDeadlineSeconds, /^set spec\.jobTemplate\.spec\.activeDeadlineSeconds$/));
    it("refuses a job without startingDeadlineSeconds", () =>
        refuses((c) => delete c.spec.startingDeadlineSeconds, /^set spec\.startingDeadlineSeconds$/));
    it("leaves CronJobs without the label alone, and follows a configured label", async () => {
        const other = mutated(backupCronJob(), (c: Loose) => {
            delete c.metadata.labels["backup.hangar.dev/job"];
            c.metadata.labels["example.com/backup"] = "true";
            delete c.spec.startingDeadlineSeconds;
        });
        await assertNotApplicable(rule, argsFor(rule, other), /not a backup CronJob/);
        await assertHasViolation(
            rule,
            argsFor(rule, other, { config: { label: "example.com/backup" } }),
            /set spec\.startingDeadlineSeconds/,
        );
    });
    it("skips exempt namespaces", () =>
        assertNotApplicable(rule, argsFor(rule, backupCronJob(), { config: { exemptNamespaces: ["hangar"] } }), /exempt/));
    it("cannot decide when the spec is unknown", () =>
        assertUnknown(
            rule,
            argsFor(
                rule,
                mutated(backupCronJob(), (c) => (c.spec = "@unknown")),
            ),
            /spec can't be known/,
        ));
});

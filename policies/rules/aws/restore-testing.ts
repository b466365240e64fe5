/**
 * AWS Backup restore testing (issue 20): every RDS instance an AWS Backup selection protects is also covered
 * by a restore testing selection whose restore testing plan the stack creates, so a recovery point that
 * cannot be restored is found on a schedule, not during an incident ("Restore testing",
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html).
 *
 * Relations come from the stack's dependencies, never from ARNs (mock values differ from the engine's): the
 * database a backup selection's `resources` and a restore selection's `protectedResourceArns` were computed
 * from, and the plan its `restoreTestingPlanName` was. A literal ARN or name is compared as written.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE } from "./rds";
import { awsStackRule, isArn, isUnknown, RequiredConfig, requiredSwitch, StackContext } from "./shared";

export const BACKUP_SELECTION = "aws:backup/selection:Selection";
export const RESTORE_TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan";
export const RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection";

/** A protected database: the stack's instance resource, or a literal ARN. */
type Database = { urn: string; label: string } | { arn: string; label: string };

const literals = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const fromDependencies = (r: PolicyResource, key: string, type: string) =>
    (r.propertyDependencies[key] ?? []).filter((d) => d.type === type);

/**
 * The RDS instances a backup selection protects: from `resources`' dependencies or, when it comes from no
 * resource at all, its literal RDS instance ARNs (a literal beside outputs cannot be told from their values).
 */
function protectedDatabases(selection: PolicyResource, ctx: StackContext<RequiredConfig>): Database[] {
    const databases: Database[] = fromDependencies(selection, "resources", RDS_INSTANCE).map((d) => ({
        urn: d.urn,
        label: `RDS instance ${d.name}`,
    }));
    if ((selection.propertyDependencies.resources ?? []).length > 0) return databases;
    if (isUnknown(() => selection.props.resources)) {
        ctx.cannotDecide(`backup selection ${selection.name}: resources is unknown and comes from no resource`);
        return databases;
    }
    for (const value of literals(selection.props.resources))
        if (isArn(value) && /^arn:[^:]+:rds:[^:]*:[^:]*:db:/.test(value)) databases.push({ arn: value, label: value });
    return databases;
}

/** Whether a restore testing selection covers the database, and names a plan of the stack (or undecided: a reason). */
function covers(r: PolicyResource, db: Database, plans: PolicyResource[]): boolean | string {
    if (isUnknown(() => r.props.protectedResourceType)) return `${r.name}: protectedResourceType is unknown`;
    if (r.props.protectedResourceType !== "RDS") return false;
    const byDependency = "urn" in db && fromDependencies(r, "protectedResourceArns", RDS_INSTANCE).some((d) => d.urn === db.urn);
    if (!byDependency) {
        // Reading each element: during preview an output's element is unknown inside a known list.
        const read = () => literals(r.props.protectedResourceArns).map((v) => v);
        if (isUnknown(read)) return `${r.name}: protectedResourceArns is unknown and comes from another resource`;
        const arns = read();
        if (!arns.includes("*") && !("arn" in db && arns.includes(db.arn))) return false;
    }
    if (fromDependencies(r, "restoreTestingPlanName", RESTORE_TESTING_PLAN).length > 0) return true;
    if (isUnknown(() => r.props.restoreTestingPlanName)) return `${r.name}: restoreTestingPlanName is unknown and comes from no plan`;
    const name = r.props.restoreTestingPlanName;
    const named = plans.some((p) => !isUnknown(() => p.props.name) && p.props.name === name);
    return named || `${r.name}: no restore testing plan of the stack is named ${JSON.stringify(name)}`;
}

export const backupRestoreTesting: StackValidationPolicy = awsStackRule<RequiredConfig>({
    name: "aws-backup-restore-testing",
    description:
        "Every RDS instance AWS Backup protects must be covered by a restore testing selection of a restore testing plan, where the environment requires it.",
    enforcementLevel: "advisory",
    ...requiredSwitch("a restore testing plan covering every database AWS Backup protects", "restore testing"),
    subjects: [BACKUP_SELECTION],
    remedy: "set protectedResourceArns from the instance's arn output and restoreTestingPlanName from the plan's name output",
    check: (selection, ctx) => {
        const plans = ctx.resources.filter((r) => r.type === RESTORE_TESTING_PLAN);
        const restoreSelections = ctx.resources.filter((r) => r.type === RESTORE_TESTING_SELECTION);
        for (const db of protectedDatabases(selection, ctx)) {
            const verdicts = restoreSelections.map((r) => covers(r, db, plans));
            if (verdicts.includes(true)) continue;
            const undecided = verdicts.filter((v): v is string => typeof v === "string");
            const why = undecided.filter((v) => /unknown/.test(v));
            if (why.length > 0) {
                ctx.cannotDecide(`${db.label}: ${why.join("; ")}`);
                continue;
            }
            const detail = undecided.length > 0 ? ` (${undecided.join("; ")})` : "";
            ctx.report(
                `${db.label}, protected by backup selection ${selection.name}, has no restore test${detail}: add an aws.backup.RestoreTestingPlan and a RestoreTestingSelection with protectedResourceType "RDS" and the instance's ARN`,
                "urn" in db ? db.urn : undefined,
            );
        }
    },
});

export const restoreTestingPolicies = [backupRestoreTesting];

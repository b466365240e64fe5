/**
 * AWS Backup: vaults encrypted with a customer-managed key, plan rules that
 * keep recovery points long enough (and warm: RDS snapshots cannot move to
 * cold storage), and a copy of every rule's recovery points in another region.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    arnRegion,
    atLeast,
    awsRule,
    awsStackRule,
    AwsExemptionConfig,
    daysSchema,
    isSet,
    isUnknown,
    labelOf,
    MinRetentionConfig,
    regionOf,
    RequiredConfig,
    requiredSwitch,
} from "./shared";

export const BACKUP_VAULT = "aws:backup/vault:Vault";
export const BACKUP_PLAN = "aws:backup/plan:Plan";
const VAULT_TYPES = [BACKUP_VAULT, "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault"];

interface Lifecycle {
    deleteAfter?: number;
    coldStorageAfter?: number;
}

interface PlanRule {
    ruleName?: string;
    targetVaultName?: string;
    lifecycle?: Lifecycle;
    copyActions?: { destinationVaultArn?: string; lifecycle?: Lifecycle }[];
}

const plan = (props: Record<string, unknown>, name: string) => labelOf("backup plan", { name, props }, "name");
const rulesOf = (props: Record<string, unknown>) => (props.rules ?? []) as PlanRule[];
const ruleLabel = (rule: PlanRule, i: number) => `rules[${i}] ("${rule.ruleName ?? "unnamed"}")`;

export const backupVaultEncrypted: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-backup-vault-encrypted",
    description: "AWS Backup vaults must encrypt recovery points with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: [BACKUP_VAULT],
    kind: "backup vault",
    nameKey: "name",
    check: (props) => (isSet(props, "kmsKeyArn") ? [] : ["set kmsKeyArn to a customer-managed KMS key"]),
});

interface PlanRetentionConfig extends MinRetentionConfig {
    allowColdStorage: boolean;
}

export const backupPlanRetention: ResourceValidationPolicy = awsRule<PlanRetentionConfig>({
    name: "aws-backup-plan-retention",
    description:
        "AWS Backup plan rules, and the copies they make, must keep recovery points for at least minRetentionDays days, in warm storage.",
    enforcementLevel: "mandatory",
    properties: {
        minRetentionDays: daysSchema("The least lifecycle.deleteAfter accepted, in days (unset: kept until deleted).", 7),
        allowColdStorage: {
            type: "boolean",
            default: false,
            description: "Accept lifecycle.coldStorageAfter. AWS Backup ignores it for RDS snapshots, so Hangar's plans leave it out.",
        },
    },
    types: [BACKUP_PLAN],
    kind: "backup plan",
    nameKey: "name",
    check: (props, config) => {
        const messages: string[] = [];
        const checkLifecycle = (lifecycle: Lifecycle | undefined, path: string) => {
            // Unset, recovery points are kept until deleted by hand.
            messages.push(...atLeast(`${path}.deleteAfter`, config.minRetentionDays, lifecycle?.deleteAfter, Infinity));
            if (lifecycle?.coldStorageAfter !== undefined && !config.allowColdStorage)
                messages.push(`remove ${path}.coldStorageAfter: RDS snapshots cannot move to cold storage`);
        };
        rulesOf(props).forEach((rule, i) => {
            checkLifecycle(rule.lifecycle, `${ruleLabel(rule, i)}.lifecycle`);
            (rule.copyActions ?? []).forEach((copy, j) =>
                checkLifecycle(copy.lifecycle, `${ruleLabel(rule, i)}.copyActions[${j}].lifecycle`),
            );
        });
        return messages;
    },
});

type Destination = { region: string } | { undecided: string };

/**
 * The region of a copy's destination vault: from its ARN or, when the ARN is
 * unknown (preview), from the vaults `rules` was computed from. Pulumi records
 * dependencies per top-level input, so those are every vault the rules name:
 * the vaults some rule targets by a known name in the plan's region are set
 * aside, and the destination is among the others.
 */
function destinationOf(
    copy: { destinationVaultArn?: string },
    planRegion: string,
    targets: string[],
    dependencies: PolicyResource[],
): Destination {
    if (!isUnknown(() => copy.destinationVaultArn)) {
        const region = arnRegion(copy.destinationVaultArn);
        return region ? { region } : { undecided: `destinationVaultArn ${JSON.stringify(copy.destinationVaultArn)} names no region` };
    }
    const isVault = (d: PolicyResource) => VAULT_TYPES.includes(d.type);
    const region = (d: PolicyResource) => (isVault(d) ? regionOf(d) : undefined);
    if (dependencies.length > 0 && dependencies.every((d) => region(d) === planRegion)) return { region: planRegion };
    const target = (d: PolicyResource) =>
        region(d) === planRegion && !isUnknown(() => d.props.name) && targets.includes(String(d.props.name));
    const others = dependencies.filter((d) => !target(d));
    const regions = others.map(region);
    if (others.length > 0 && regions.every((r) => r !== undefined && r !== planRegion)) return { region: regions[0] as string };
    return {
        undecided: `destinationVaultArn is unknown and may come from ${others.map((d) => d.name).join(", ") || "no vault of the stack"}`,
    };
}

/** Stack rule: the destination vault's region is its provider's, which only the stack knows. */
export const backupPlanCrossRegionCopy: StackValidationPolicy = awsStackRule<RequiredConfig>({
    name: "aws-backup-plan-cross-region-copy",
    description:
        "Every AWS Backup plan rule must copy its recovery points to a vault in another region, where the environment requires it.",
    enforcementLevel: "advisory",
    ...requiredSwitch("a cross-region copy action on every rule", "cross-region copies"),
    subjects: [BACKUP_PLAN],
    remedy: "set destinationVaultArn from the arn output of a vault the stack creates with a DR-region provider, or as a literal ARN",
    check: (subject, ctx) => {
        const label = plan(subject.props, subject.name);
        const region = regionOf(subject);
        if (region === undefined) return ctx.cannotDecide(`${label}: its provider sets no region`);
        const rules = rulesOf(subject.props);
        const targets = rules.flatMap((r) =>
            isUnknown(() => r.targetVaultName) || r.targetVaultName === undefined ? [] : [r.targetVaultName],
        );
        const dependencies = subject.propertyDependencies.rules ?? [];
        rules.forEach((rule, i) => {
            const fix = `add copyActions[] { destinationVaultArn: <a vault in another region than ${region}> }`;
            const destinations = (rule.copyActions ?? []).map((copy) => destinationOf(copy, region, targets, dependencies));
            if (destinations.some((d) => "region" in d && d.region !== region)) return;
            const undecided = destinations.flatMap((d) => ("undecided" in d ? [d.undecided] : []));
            if (undecided.length > 0) return ctx.cannotDecide(`${label} ${ruleLabel(rule, i)}: ${undecided.join(", ")}`);
            ctx.report(
                `${label}: ${ruleLabel(rule, i)} ${destinations.length === 0 ? "copies nowhere" : `copies only within ${region}`}: ${fix}`,
            );
        });
    },
});

export const backupPolicies = [backupVaultEncrypted, backupPlanRetention, backupPlanCrossRegionCopy];

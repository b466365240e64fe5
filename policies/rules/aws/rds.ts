/**
 * RDS instances: encrypted, private, backed up, protected from deletion, TLS
 * only through their parameter group; cross-region replicas and replicated
 * automated backups encrypted with a key of their own region.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    arnRegion,
    atLeast,
    awsRule,
    awsStackRule,
    AwsExemptionConfig,
    daysSchema,
    dependenciesOf,
    isArn,
    isSet,
    isUnknown,
    labelOf,
    MinRetentionConfig,
    regionOf,
    RequiredConfig,
    requiredSwitch,
    StackContext,
} from "./shared";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
export const RDS_PROXY = "aws:rds/proxy:Proxy";
export const RDS_BACKUPS_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
/** Keys a cross-region replica can name: a KMS key, or a multi-Region replica key. */
export const KMS_KEY_TYPES = ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"];

const instance = (props: Record<string, unknown>, name: string) => labelOf("RDS instance", { name, props }, "identifier");
/** How resource rules name an instance in messages. */
const INSTANCE = { types: [RDS_INSTANCE], kind: "RDS instance", nameKey: "identifier" };
/** A read replica: replicateSourceDb is given (known or not). */
const isReplica = (props: Record<string, unknown>) => isSet(props, "replicateSourceDb");

export const rdsStorageEncrypted: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-rds-storage-encrypted",
    description: "RDS instances must encrypt their storage (a read replica may instead name the kmsKeyId it is encrypted with).",
    enforcementLevel: "mandatory",
    ...INSTANCE,
    check: (props) => {
        if (props.storageEncrypted === true) return [];
        // A replica inherits its source's encryption; a cross-region one is encrypted with the kmsKeyId it names.
        if (isReplica(props) && isSet(props, "kmsKeyId") && props.storageEncrypted !== false) return [];
        return [`set storageEncrypted: true (it is ${String(props.storageEncrypted ?? "unset")})`];
    },
});

export const rdsNotPublic: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-rds-not-public",
    description: "RDS instances must not be reachable from the internet.",
    enforcementLevel: "mandatory",
    ...INSTANCE,
    check: (props) => (props.publiclyAccessible === true ? ["set publiclyAccessible: false"] : []),
});

interface RetentionConfig extends MinRetentionConfig {
    checkReplicas: boolean;
}

export const rdsBackupRetention: ResourceValidationPolicy = awsRule<RetentionConfig>({
    name: "aws-rds-backup-retention",
    description: "RDS instances must keep automated backups for at least minRetentionDays days.",
    enforcementLevel: "mandatory",
    properties: {
        minRetentionDays: daysSchema("The least backupRetentionPeriod accepted, in days.", 7),
        checkReplicas: {
            type: "boolean",
            default: false,
            description: "Also check read replicas (replicateSourceDb set), whose backups are optional.",
        },
    },
    ...INSTANCE,
    skip: (props, config) =>
        isReplica(props) && !config.checkReplicas ? "read replicas are not checked (checkReplicas: false)" : undefined,
    check: (props, config) => atLeast("backupRetentionPeriod", config.minRetentionDays, props.backupRetentionPeriod),
});

export const rdsDeletionProtection: ResourceValidationPolicy = awsRule<RequiredConfig>({
    name: "aws-rds-deletion-protection",
    description: "RDS instances must have deletion protection where the environment requires it.",
    enforcementLevel: "advisory",
    ...requiredSwitch("deletionProtection: true", "deletion protection"),
    ...INSTANCE,
    check: (props) => (props.deletionProtection === true ? [] : ["set deletionProtection: true"]),
});

export const rdsFinalSnapshot: ResourceValidationPolicy = awsRule<RequiredConfig>({
    name: "aws-rds-final-snapshot",
    description: "RDS instances must take a final snapshot when deleted, where the environment requires it (read replicas have none).",
    enforcementLevel: "advisory",
    ...requiredSwitch("skipFinalSnapshot: false and a finalSnapshotIdentifier", "a final snapshot"),
    ...INSTANCE,
    skip: (props) => (isReplica(props) ? "read replicas take no final snapshot" : undefined),
    check: (props) => {
        const messages: string[] = [];
        if (props.skipFinalSnapshot === true) messages.push("set skipFinalSnapshot: false");
        if (!isSet(props, "finalSnapshotIdentifier")) messages.push("set finalSnapshotIdentifier");
        return messages;
    },
});

export const rdsPerformanceInsightsEncrypted: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-rds-performance-insights-encrypted",
    description: "RDS instances with Performance Insights must encrypt its data with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    ...INSTANCE,
    check: (props) =>
        props.performanceInsightsEnabled === true && !isSet(props, "performanceInsightsKmsKeyId")
            ? ["set performanceInsightsKmsKeyId (Performance Insights is enabled)"]
            : [],
});

/** The parameter groups an instance is attached to: by propertyDependencies, else by name in the instance's region. */
function parameterGroupsOf(db: PolicyResource, ctx: StackContext<AwsExemptionConfig>, label: string): PolicyResource[] | undefined {
    const fromDependencies = dependenciesOf(db, "parameterGroupName", [RDS_PARAMETER_GROUP]);
    if (fromDependencies.length > 0) return fromDependencies;
    if (!isSet(db.props, "parameterGroupName")) {
        ctx.report(
            `${label} uses its engine's default parameter group: set parameterGroupName to an ${RDS_PARAMETER_GROUP} of this stack with rds.force_ssl = 1`,
        );
        return undefined;
    }
    const name = String(db.props.parameterGroupName);
    const region = regionOf(db);
    const groups = ctx.resources.filter((g) => g.type === RDS_PARAMETER_GROUP);
    const named = groups.filter((g) => isSet(g.props, "name") && !isUnknown(() => g.props.name) && g.props.name === name);
    // Parameter groups are regional: a group of that name in another region is another group.
    const here = named.filter((g) => region === undefined || regionOf(g) === undefined || regionOf(g) === region);
    if (here.length > 0) return here;
    const unnamed = groups.filter((g) => !isSet(g.props, "name") || isUnknown(() => g.props.name));
    if (unnamed.length > 0) {
        ctx.cannotDecide(`${label}: parameter group "${name}" may be ${unnamed.map((g) => g.name).join(", ")}, whose name is not known`);
        return undefined;
    }
    ctx.report(
        `${label}: parameter group "${name}" is not created by this stack${region ? ` in ${region}` : ""}, so rds.force_ssl cannot be checked: create it as an ${RDS_PARAMETER_GROUP} with rds.force_ssl = 1 and set parameterGroupName from it`,
    );
    return undefined;
}

interface Parameter {
    name?: string;
    value?: unknown;
}

/**
 * Stack rule: the parameter group's parameters are not on the instance. The
 * instance names its group by parameterGroupName; the relation is made by
 * propertyDependencies (known during preview when the name is computed) or by
 * equal names in the same region.
 */
export const rdsForceSsl: StackValidationPolicy = awsStackRule<AwsExemptionConfig>({
    name: "aws-rds-force-ssl",
    description:
        "RDS instances must be attached to a parameter group of the stack that sets rds.force_ssl = 1, so PostgreSQL refuses unencrypted connections.",
    enforcementLevel: "mandatory",
    subjects: [RDS_INSTANCE],
    remedy: "give parameter groups deterministic names, or set parameterGroupName from the group's name output",
    check: (db, ctx) => {
        const label = instance(db.props, db.name);
        const groups = parameterGroupsOf(db, ctx, label);
        const region = regionOf(db);
        for (const group of groups ?? []) {
            const groupLabel = labelOf("parameter group", group, "name");
            const groupRegion = regionOf(group);
            if (region && groupRegion && groupRegion !== region) {
                ctx.report(
                    `${label} is in ${region} but its ${groupLabel} is in ${groupRegion}: create a parameter group in ${region} with rds.force_ssl = 1 and set parameterGroupName from it`,
                );
                continue;
            }
            const parameters = (group.props.parameters ?? []) as Parameter[];
            const forceSsl = parameters.find((p) => p.name === "rds.force_ssl");
            if (forceSsl === undefined || String(forceSsl.value) !== "1") {
                ctx.report(
                    `${label}: its ${groupLabel} must force TLS: set parameters[] { name: "rds.force_ssl", value: "1" } (it is ${forceSsl === undefined ? "unset" : JSON.stringify(forceSsl.value)})`,
                    group.urn,
                );
            }
        }
    },
});

/** The region of the instance a replica replicates: from an ARN, an in-region identifier, or the source instance it depends on. */
function sourceRegionOf(replica: PolicyResource, region: string): string | undefined {
    const sources = dependenciesOf(replica, "replicateSourceDb", [RDS_INSTANCE]);
    if (sources.length > 0 && isUnknown(() => replica.props.replicateSourceDb)) return regionOf(sources[0]);
    const source = replica.props.replicateSourceDb;
    // An identifier (not an ARN) names an instance in the replica's own region.
    return isArn(source) ? arnRegion(source) : region;
}

/**
 * Stack rule: the regions come from providers. During preview the source ARN
 * and the key ARN are unknown; the source instance and the key they were
 * computed from (propertyDependencies) give their regions.
 */
export const rdsReplicaKeyInRegion: StackValidationPolicy = awsStackRule<AwsExemptionConfig>({
    name: "aws-rds-replica-key-in-region",
    description: "A cross-region RDS read replica must be encrypted with a KMS key of its own region (kmsKeyId): KMS keys are regional.",
    enforcementLevel: "mandatory",
    subjects: [RDS_INSTANCE],
    remedy: "give the replica an AWS provider with a region, and set replicateSourceDb and kmsKeyId from the source instance's and the key's arn outputs",
    check: (db, ctx) => {
        if (!isReplica(db.props)) return;
        const label = instance(db.props, db.name);
        const region = regionOf(db);
        if (region === undefined) return ctx.cannotDecide(`${label}: its provider sets no region`);
        const sourceRegion = sourceRegionOf(db, region);
        if (sourceRegion === undefined) return ctx.cannotDecide(`${label}: the region of its replicateSourceDb is not known`);
        if (sourceRegion === region) return;
        const wanted = `set kmsKeyId to the ARN of a KMS key in ${region}`;
        if (!isSet(db.props, "kmsKeyId")) return ctx.report(`${label} replicates across regions (${sourceRegion} → ${region}): ${wanted}`);
        const keys = dependenciesOf(db, "kmsKeyId", KMS_KEY_TYPES);
        if (keys.length > 0 && isUnknown(() => db.props.kmsKeyId)) {
            for (const key of keys) {
                const keyRegion = regionOf(key);
                if (keyRegion === undefined) ctx.cannotDecide(`${label}: the provider of its KMS key ${key.name} sets no region`);
                else if (keyRegion !== region) ctx.report(`${label}: kmsKeyId comes from KMS key ${key.name} in ${keyRegion}: ${wanted}`);
            }
            return;
        }
        const key = db.props.kmsKeyId;
        // A key ID or alias (not an ARN) names a key in the replica's own region.
        if (isArn(key) && arnRegion(key) !== region) ctx.report(`${label}: kmsKeyId ${key} is a key in ${arnRegion(key)}: ${wanted}`);
    },
});

export const rdsBackupReplicationEncrypted: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-rds-backup-replication-encrypted",
    description: "Automated backups replicated to another region must be encrypted with a customer-managed KMS key of that region.",
    enforcementLevel: "mandatory",
    types: [RDS_BACKUPS_REPLICATION],
    kind: "automated backups replication",
    check: (props) => (isSet(props, "kmsKeyId") ? [] : ["set kmsKeyId to a KMS key in the destination region"]),
});

/**
 * RDS Proxy accepts plaintext clients unless `requireTls` is set ("Using TLS/SSL with RDS Proxy",
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.howitworks.html#rds-proxy-security.tls;
 * AWS Config's rds-proxy-tls-encryption checks the same setting). The writer's `rds.force_ssl` does not cover the
 * client's hop to the proxy.
 */
export const rdsProxyTlsRequired: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-rds-proxy-tls-required",
    description: "RDS Proxy must refuse clients without TLS (requireTls: true).",
    enforcementLevel: "mandatory",
    types: [RDS_PROXY],
    kind: "RDS Proxy",
    nameKey: "name",
    check: (props) => (props.requireTls === true ? [] : [`set requireTls: true (it is ${String(props.requireTls ?? "unset")})`]),
});

export const rdsPolicies = [
    rdsStorageEncrypted,
    rdsNotPublic,
    rdsForceSsl,
    rdsProxyTlsRequired,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsFinalSnapshot,
    rdsPerformanceInsightsEncrypted,
    rdsReplicaKeyInRegion,
    rdsBackupReplicationEncrypted,
];

/**
 * Compliant AWS resources for the AWS rules, copied from the shapes Hangar
 * registers for prod (`npm run check -- prod`, out/prod/resources.json): the
 * same inputs, regions and propertyDependencies, with secrets as
 * { "@secret": … }. `prodStack({ preview: true })` has the values that are
 * unknown in `npm run check -- prod --preview` as "@unknown". Every failing
 * test case mutates one of these once.
 */
import {
    Policy,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyInputResource } from "../../tools/policy/runner";
import { policyProps } from "../../tools/policy/wire";
import {
    ArgsOptions,
    assertHasViolation,
    assertNoViolations,
    assertNotApplicable,
    assertUnknown,
    createArgs,
    createStackArgs,
    mutated,
} from "./util";

export type Props = Record<string, unknown>;
/** Fixture props as the mutations in tests write them: deep paths without casts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export const PRIMARY = "eu-west-1";
export const DR = "eu-central-1";
const ACCOUNT = "210987654321";

export const T = {
    instance: "aws:rds/instance:Instance",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    backupsReplication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
    cache: "aws:elasticache/replicationGroup:ReplicationGroup",
    key: "aws:kms/key:Key",
    vault: "aws:backup/vault:Vault",
    plan: "aws:backup/plan:Plan",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPublicAccess: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    cronJob: "kubernetes:batch/v1:CronJob",
} as const;

export const arnOf = (service: string, region: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
export const keyArn = (region: string, name: string) => arnOf("kms", region, `key/mock-key-${name}`);
export const urnOf = (type: string, name: string) => `urn:pulumi:test::hangar::${type}::${name}`;
const secret = (value: string) => ({ "@secret": value });

// --- RDS --------------------------------------------------------------------------------------

export function primaryInstance(): Props {
    return {
        allocatedStorage: 100,
        applyImmediately: false,
        autoMinorVersionUpgrade: true,
        backupRetentionPeriod: 30,
        backupWindow: "02:00-03:00",
        caCertIdentifier: "rds-ca-rsa2048-g1",
        copyTagsToSnapshot: true,
        dbName: "hangar",
        dbSubnetGroupName: "hangar-prod",
        deletionProtection: true,
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        engine: "postgres",
        engineVersion: "16",
        finalSnapshotIdentifier: "hangar-prod-final",
        iamDatabaseAuthenticationEnabled: true,
        identifier: "hangar-prod",
        instanceClass: "db.r7g.large",
        kmsKeyId: keyArn(PRIMARY, "hangar-db-kms"),
        maintenanceWindow: "sun:04:30-sun:05:30",
        maxAllocatedStorage: 1000,
        monitoringInterval: 60,
        monitoringRoleArn: arnOf("iam", PRIMARY, "hangar-db-monitoring"),
        multiAz: true,
        parameterGroupName: "hangar-prod-postgres16",
        password: secret("Mock0pw16!x"),
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: keyArn(PRIMARY, "hangar-db-kms"),
        performanceInsightsRetentionPeriod: 7,
        publiclyAccessible: false,
        skipFinalSnapshot: false,
        storageEncrypted: true,
        storageType: "gp3",
        username: "hangar_admin",
        vpcSecurityGroupIds: ["hangar-db-sg-id"],
    };
}

/** hangar-db-replica-1: an in-region read replica, named by identifier. */
export function inRegionReplica(): Props {
    const primary = primaryInstance();
    for (const key of [
        "allocatedStorage",
        "backupRetentionPeriod",
        "backupWindow",
        "dbName",
        "dbSubnetGroupName",
        "enabledCloudwatchLogsExports",
        "engine",
        "engineVersion",
        "finalSnapshotIdentifier",
        "iamDatabaseAuthenticationEnabled",
        "maintenanceWindow",
        "password",
        "username",
    ]) {
        delete primary[key];
    }
    return { ...primary, identifier: "hangar-prod-replica-1", multiAz: false, replicateSourceDb: "hangar-prod", skipFinalSnapshot: true };
}

/** hangar-dr-replica: the cross-region replica in the DR region, encrypted with the DR key. */
export function drReplica(): Props {
    return {
        autoMinorVersionUpgrade: true,
        copyTagsToSnapshot: true,
        dbSubnetGroupName: "hangar-prod-dr",
        deletionProtection: true,
        finalSnapshotIdentifier: "hangar-prod-dr-final",
        identifier: "hangar-prod-dr",
        instanceClass: "db.r7g.large",
        kmsKeyId: keyArn(DR, "hangar-dr-kms"),
        multiAz: false,
        parameterGroupName: "hangar-prod-dr-postgres16",
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: keyArn(DR, "hangar-dr-kms"),
        publiclyAccessible: false,
        replicateSourceDb: arnOf("rds", PRIMARY, "db:hangar-prod"),
        skipFinalSnapshot: false,
        storageEncrypted: true,
        storageType: "gp3",
        vpcSecurityGroupIds: ["hangar-dr-sg-id"],
    };
}

export function parameterGroup(name = "hangar-prod-postgres16"): Props {
    return {
        description: "Hangar hangar-prod: TLS only",
        family: "postgres16",
        name,
        parameters: [
            { name: "rds.force_ssl", value: "1" },
            { name: "log_min_duration_statement", value: "500" },
            { applyMethod: "pending-reboot", name: "shared_preload_libraries", value: "pg_stat_statements" },
            { name: "pg_stat_statements.track", value: "all" },
            { name: "log_connections", value: "1" },
        ],
    };
}

export function backupsReplication(): Props {
    return { kmsKeyId: keyArn(DR, "hangar-dr-kms"), retentionPeriod: 30, sourceDbInstanceArn: arnOf("rds", PRIMARY, "db:hangar-prod") };
}

// --- ElastiCache, KMS, AWS Backup -------------------------------------------------------------

export function replicationGroup(): Props {
    return {
        applyImmediately: false,
        atRestEncryptionEnabled: true,
        authToken: secret("Mock0pw16!&x"),
        autoMinorVersionUpgrade: true,
        automaticFailoverEnabled: true,
        description: "Hangar cache hangar-prod",
        engine: "valkey",
        engineVersion: "8.0",
        kmsKeyId: keyArn(PRIMARY, "hangar-cache-kms"),
        maintenanceWindow: "sun:05:30-sun:06:30",
        multiAzEnabled: true,
        nodeType: "cache.r7g.large",
        numCacheClusters: 3,
        parameterGroupName: "hangar-prod-valkey8",
        port: 6379,
        replicationGroupId: "hangar-prod",
        securityGroupIds: ["hangar-cache-sg-id"],
        snapshotRetentionLimit: 7,
        snapshotWindow: "03:00-04:00",
        subnetGroupName: "hangar-prod",
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
    };
}

export function kmsKey(description = "RDS hangar-prod: storage, Performance Insights, secret"): Props {
    return { deletionWindowInDays: 30, description, enableKeyRotation: true };
}

export function backupVault(region = PRIMARY, name = "hangar-prod", key = "hangar-backups-kms"): Props {
    return { forceDestroy: false, kmsKeyArn: keyArn(region, key), name };
}

export const DR_VAULT_ARN = arnOf("backup", DR, "hangar-dr-vault");

export function backupPlan(): Props {
    const rule = (ruleName: string, schedule: string, days: number) => ({
        completionWindow: 360,
        copyActions: [{ destinationVaultArn: DR_VAULT_ARN, lifecycle: { deleteAfter: days } }],
        lifecycle: { deleteAfter: days },
        recoveryPointTags: { "hangar:rule": ruleName },
        ruleName,
        schedule,
        startWindow: 60,
        targetVaultName: "hangar-prod",
    });
    return { name: "hangar-prod", rules: [rule("daily", "cron(0 3 * * ? *)", 35), rule("monthly", "cron(0 4 1 * ? *)", 372)] };
}

// --- S3 ---------------------------------------------------------------------------------------

/** The split resources of one bucket, as Hangar's Backups component creates them for the dump bucket. */
export function bucketResources(
    name = "hangar-backups-dumps",
    bucketName = `hangar-prod-dumps-${ACCOUNT}`,
    region = PRIMARY,
    key = "hangar-backups-kms",
): AwsResource[] {
    const id = `${name}-id`;
    const bucketArn = arnOf("s3", region, name);
    const onBucket = { bucket: [urnOf(T.bucket, name)] };
    const part = (type: string, props: Props, extra: Record<string, string[]> = {}): AwsResource => ({
        type,
        name,
        region,
        props: { bucket: id, ...props },
        propertyDependencies: { ...onBucket, ...extra },
    });
    return [
        { type: T.bucket, name, region, props: { bucket: bucketName, forceDestroy: false } },
        part(T.versioning, { versioningConfiguration: { status: "Enabled" } }),
        part(
            T.encryption,
            {
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { kmsMasterKeyId: keyArn(region, key), sseAlgorithm: "aws:kms" },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            { rules: [urnOf(T.key, key)] },
        ),
        part(T.policy, { policy: tlsOnlyPolicy(bucketArn) }, { policy: [urnOf(T.bucket, name)] }),
        part(T.publicAccess, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
        part(T.lifecycle, {
            rules: [
                {
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    expiration: { days: 2555 },
                    filter: { prefix: "" },
                    id: "archive-then-expire",
                    noncurrentVersionExpiration: { noncurrentDays: 90 },
                    status: "Enabled",
                    transitions: [{ days: 30, storageClass: "DEEP_ARCHIVE" }],
                },
            ],
        }),
    ];
}

export function tlsOnlyPolicy(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

export function replicationConfig(): Props {
    return {
        bucket: "hangar-backups-dumps-id",
        role: arnOf("iam", PRIMARY, "hangar-backups-replication"),
        rules: [
            {
                deleteMarkerReplication: { status: "Disabled" },
                destination: {
                    bucket: arnOf("s3", DR, "hangar-dr-dumps"),
                    encryptionConfiguration: { replicaKmsKeyId: keyArn(DR, "hangar-dr-kms") },
                    storageClass: "STANDARD_IA",
                },
                filter: { prefix: "" },
                id: "to-dr-region",
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                status: "Enabled",
            },
        ],
    };
}

// --- Kubernetes -------------------------------------------------------------------------------

/** The pg_dump CronJob (trimmed to what the backup rule reads, plus its pod). */
export function backupCronJob(): Props {
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: {
            labels: { "app.kubernetes.io/name": "pg-dump", "app.kubernetes.io/part-of": "hangar", "backup.hangar.dev/job": "true" },
            name: "pg-dump",
            namespace: "hangar",
        },
        spec: {
            concurrencyPolicy: "Forbid",
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                spec: {
                    activeDeadlineSeconds: 3600,
                    backoffLimit: 1,
                    template: {
                        spec: {
                            restartPolicy: "Never",
                            containers: [{ name: "pg-dump", image: "registry.example/hangar/pg-dump:16.4-2" }],
                        },
                    },
                    ttlSecondsAfterFinished: 604800,
                },
            },
            schedule: "15 2 * * *",
            startingDeadlineSeconds: 600,
            successfulJobsHistoryLimit: 3,
        },
    };
}

// --- Stacks -----------------------------------------------------------------------------------

export interface AwsResource {
    type: string;
    name: string;
    props: Props;
    /** The region of its AWS provider (none for a resource without one). */
    region?: string;
    /** Input → URNs of the resources it was computed from. */
    propertyDependencies?: Record<string, string[]>;
}

/**
 * The AWS resources of prod the stack rules relate (and a few they check), as
 * registered. With `preview`, the values the engine does not know yet are
 * "@unknown" (names Hangar gives resources stay known).
 */
export function prodStack(options: { preview?: boolean } = {}): AwsResource[] {
    const unknown = options.preview ? "@unknown" : undefined;
    const set = (props: Props, values: Props) =>
        unknown ? { ...props, ...Object.fromEntries(Object.keys(values).map((k) => [k, unknown])) } : props;
    const db = urnOf(T.instance, "hangar-db");
    const resources: AwsResource[] = [
        { type: T.key, name: "hangar-db-kms", region: PRIMARY, props: kmsKey() },
        { type: T.key, name: "hangar-dr-kms", region: DR, props: kmsKey("DR hangar-prod: replica, backups, bucket") },
        { type: T.key, name: "hangar-backups-kms", region: PRIMARY, props: kmsKey("Backups of hangar-prod: vault and dump bucket") },
        { type: T.parameterGroup, name: "hangar-db-params", region: PRIMARY, props: parameterGroup() },
        {
            type: T.parameterGroup,
            name: "hangar-dr-params",
            region: DR,
            props: { ...parameterGroup("hangar-prod-dr-postgres16"), description: "Hangar hangar-prod DR: TLS only" },
        },
        {
            type: T.instance,
            name: "hangar-db",
            region: PRIMARY,
            props: set(primaryInstance(), { kmsKeyId: 1, monitoringRoleArn: 1, password: 1, performanceInsightsKmsKeyId: 1 }),
            propertyDependencies: {
                kmsKeyId: [urnOf(T.key, "hangar-db-kms")],
                parameterGroupName: [urnOf(T.parameterGroup, "hangar-db-params")],
                performanceInsightsKmsKeyId: [urnOf(T.key, "hangar-db-kms")],
            },
        },
        ...[1, 2].map(
            (n): AwsResource => ({
                type: T.instance,
                name: `hangar-db-replica-${n}`,
                region: PRIMARY,
                props: set(
                    { ...inRegionReplica(), identifier: `hangar-prod-replica-${n}` },
                    { kmsKeyId: 1, monitoringRoleArn: 1, performanceInsightsKmsKeyId: 1 },
                ),
                propertyDependencies: {
                    kmsKeyId: [urnOf(T.key, "hangar-db-kms")],
                    parameterGroupName: [urnOf(T.parameterGroup, "hangar-db-params")],
                    replicateSourceDb: [db],
                },
            }),
        ),
        {
            type: T.instance,
            name: "hangar-dr-replica",
            region: DR,
            props: set(drReplica(), { kmsKeyId: 1, performanceInsightsKmsKeyId: 1, replicateSourceDb: 1 }),
            propertyDependencies: {
                kmsKeyId: [urnOf(T.key, "hangar-dr-kms")],
                parameterGroupName: [urnOf(T.parameterGroup, "hangar-dr-params")],
                replicateSourceDb: [db],
            },
        },
        {
            type: T.backupsReplication,
            name: "hangar-dr-backups",
            region: DR,
            props: set(backupsReplication(), { kmsKeyId: 1, sourceDbInstanceArn: 1 }),
            propertyDependencies: { kmsKeyId: [urnOf(T.key, "hangar-dr-kms")], sourceDbInstanceArn: [db] },
        },
        { type: T.cache, name: "hangar-cache", region: PRIMARY, props: set(replicationGroup(), { authToken: 1, kmsKeyId: 1 }) },
        {
            type: T.vault,
            name: "hangar-backups-vault",
            region: PRIMARY,
            props: set(backupVault(), { kmsKeyArn: 1 }),
            propertyDependencies: { kmsKeyArn: [urnOf(T.key, "hangar-backups-kms")] },
        },
        {
            type: T.vault,
            name: "hangar-dr-vault",
            region: DR,
            props: set(backupVault(DR, "hangar-prod-dr", "hangar-dr-kms"), { kmsKeyArn: 1 }),
            propertyDependencies: { kmsKeyArn: [urnOf(T.key, "hangar-dr-kms")] },
        },
        {
            type: T.plan,
            name: "hangar-backups-plan",
            region: PRIMARY,
            props: unknown ? planWithUnknownCopies() : backupPlan(),
            propertyDependencies: { rules: [urnOf(T.vault, "hangar-backups-vault"), urnOf(T.vault, "hangar-dr-vault")] },
        },
        ...[...bucketResources(), ...bucketResources("hangar-dr-dumps", `hangar-prod-dumps-dr-${ACCOUNT}`, DR, "hangar-dr-kms")].map((r) =>
            unknown ? previewBucketPart(r) : r,
        ),
        {
            type: T.replication,
            name: "hangar-backups-dumps",
            region: PRIMARY,
            props: unknown ? previewReplication() : replicationConfig(),
            propertyDependencies: {
                bucket: [urnOf(T.bucket, "hangar-backups-dumps")],
                rules: [urnOf(T.bucket, "hangar-dr-dumps"), urnOf(T.key, "hangar-dr-kms")],
            },
        },
        { type: T.cronJob, name: "hangar-backups-dump", props: backupCronJob() },
    ];
    return resources;
}

/**
 * The same resources as staging registers them (out/staging/resources.json):
 * one region, no replicas or DR, a week of RDS backups, 3 days of cache
 * snapshots, a 14-day backup plan without copies, no final snapshot.
 */
export function stagingStack(): AwsResource[] {
    const kept = prodStack().filter((r) => r.region !== DR && !/replica-|^hangar-dr-/.test(r.name) && r.type !== T.replication);
    const props = (type: string, name: string) => find(kept, type, name).props as Loose;
    Object.assign(props(T.instance, "hangar-db"), {
        backupRetentionPeriod: 7,
        deletionProtection: false,
        skipFinalSnapshot: true,
        multiAz: false,
        finalSnapshotIdentifier: undefined,
    });
    Object.assign(props(T.cache, "hangar-cache"), {
        snapshotRetentionLimit: 3,
        multiAzEnabled: false,
        automaticFailoverEnabled: false,
        numCacheClusters: 1,
    });
    const plan = props(T.plan, "hangar-backups-plan");
    plan.rules = [{ ...plan.rules[0], lifecycle: { deleteAfter: 14 }, copyActions: undefined }];
    find(kept, T.plan, "hangar-backups-plan").propertyDependencies = { rules: [urnOf(T.vault, "hangar-backups-vault")] };
    return kept;
}

function planWithUnknownCopies(): Props {
    const plan = backupPlan() as { rules: { copyActions: { destinationVaultArn: string }[] }[] };
    for (const rule of plan.rules) rule.copyActions[0].destinationVaultArn = "@unknown";
    return plan as unknown as Props;
}

/** During preview a split resource's bucket (the bucket's id) is unknown, and so are KMS key ARNs and the policy built from the bucket's ARN. */
function previewBucketPart(r: AwsResource): AwsResource {
    if (r.type === T.bucket) return r;
    const props: Props = { ...r.props, bucket: "@unknown" };
    if (r.type === T.policy) props.policy = "@unknown";
    if (r.type === T.encryption)
        (props.rules as { applyServerSideEncryptionByDefault: Props }[])[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = "@unknown";
    return { ...r, props };
}

function previewReplication(): Props {
    const props = replicationConfig() as {
        rules: { destination: { bucket: string; encryptionConfiguration: { replicaKmsKeyId: string } } }[];
    } & Props;
    props.rules[0].destination.bucket = "@unknown";
    props.rules[0].destination.encryptionConfiguration.replicaKmsKeyId = "@unknown";
    return { ...props, bucket: "@unknown", role: "@unknown" };
}

const providerUrn = (region: string) => urnOf("pulumi:providers:aws", `aws-${region}`);

function awsProvider(region: string) {
    return { type: "pulumi:providers:aws", name: `aws-${region}`, urn: providerUrn(region), props: policyProps({ region }) };
}

/** StackValidationArgs over `resources`, linked as the server links them, each with its AWS provider. */
export function stackArgs(policy: Policy, resources: AwsResource[], config: Props = {}): StackValidationArgs {
    const args = createStackArgs(
        policy,
        resources.map((r) => ({ type: r.type, name: r.name, props: r.props, propertyDependencies: r.propertyDependencies })),
        config,
    );
    args.resources.forEach((built: PolicyResource, i) => {
        const region = resources[i].region;
        if (region) built.provider = awsProvider(region);
    });
    return args;
}

/** ResourceValidationArgs for an AWS resource whose provider is in `region` (default: the primary region). */
export function resourceArgs(
    policy: Policy,
    type: string,
    props: Props,
    options: ArgsOptions & { region?: string } = {},
): ResourceValidationArgs {
    const { region = PRIMARY, ...rest } = options;
    return { ...createArgs(policy, type, props, rest), provider: awsProvider(region) };
}

/** The resources as the offline runner takes them: providers included, referenced by URN. */
export function runnerInput(resources: AwsResource[]): PolicyInputResource[] {
    const regions = [...new Set(resources.flatMap((r) => (r.region ? [r.region] : [])))];
    return [
        ...regions.map((region) => ({ urn: providerUrn(region), type: "pulumi:providers:aws", name: `aws-${region}`, props: { region } })),
        ...resources.map((r) => ({
            urn: urnOf(r.type, r.name),
            type: r.type,
            name: r.name,
            props: r.props,
            provider: r.region ? providerUrn(r.region) : undefined,
            propertyDependencies: r.propertyDependencies,
        })),
    ];
}

/** The resource of `stack` with this type and name. */
export function find(stack: AwsResource[], type: string, name: string): AwsResource {
    const found = stack.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} ${name} in the fixture`);
    return found;
}

/** A copy of `stack` with one resource changed. */
export function changed(stack: AwsResource[], type: string, name: string, change: (r: AwsResource) => void): AwsResource[] {
    const copy = structuredClone(stack);
    change(find(copy, type, name));
    return copy;
}

type Options = ArgsOptions & { region?: string };

/** Assertions for one resource rule over a compliant fixture, each failing case mutating it once. */
export function resourceChecks(rule: ResourceValidationPolicy, type: string, fixture: () => Props) {
    const args = (props: Props, options?: Options) => resourceArgs(rule, type, props, options);
    return {
        accepts: (props: Props = fixture(), options?: Options) => assertNoViolations(rule, args(props, options)),
        refuses: (change: (props: Loose) => void, message: RegExp, options?: Options) =>
            assertHasViolation(rule, args(mutated(fixture(), change), options), message),
        skips: (change: (props: Loose) => void, reason: RegExp, options?: Options) =>
            assertNotApplicable(rule, args(mutated(fixture(), change), options), reason),
        undecided: (change: (props: Loose) => void, message?: RegExp) => assertUnknown(rule, args(mutated(fixture(), change)), message),
    };
}

/** Assertions for one stack rule over a compliant stack, each failing case changing one resource once. */
export function stackChecks(rule: StackValidationPolicy, stack: () => AwsResource[]) {
    return {
        accepts: (resources: AwsResource[] = stack(), config?: Props) => assertNoViolations(rule, stackArgs(rule, resources, config)),
        refuses: (resources: AwsResource[], message: RegExp, config?: Props) =>
            assertHasViolation(rule, stackArgs(rule, resources, config), message),
        undecided: (resources: AwsResource[], message?: RegExp, config?: Props) =>
            assertUnknown(rule, stackArgs(rule, resources, config), message),
        skips: (resources: AwsResource[], reason: RegExp, config?: Props) =>
            assertNotApplicable(rule, stackArgs(rule, resources, config), reason),
        /** `stack()` with the resource of this type and name changed. */
        changing: (type: string, name: string, change: (r: AwsResource & { props: Loose }) => void) => changed(stack(), type, name, change),
    };
}

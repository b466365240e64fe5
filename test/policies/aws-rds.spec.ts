import * as assert from "assert";
import {
    rdsBackupReplicationEncrypted,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsFinalSnapshot,
    rdsForceSsl,
    rdsNotPublic,
    rdsPerformanceInsightsEncrypted,
    rdsProxyTlsRequired,
    rdsReplicaKeyInRegion,
    rdsStorageEncrypted,
} from "../../policies/rules/aws/rds";
import { runPolicies } from "../../tools/policy/runner";
import {
    backupsReplication,
    DR,
    drReplica,
    find,
    inRegionReplica,
    keyArn,
    PRIMARY,
    primaryInstance,
    prodStack,
    resourceChecks,
    runnerInput,
    stackArgs,
    stackChecks,
    T,
    urnOf,
} from "./aws-fixtures";
import { assertNotApplicable, createArgs, runPolicy } from "./util";

const NAMED = { name: "hangar-db" };
const keysOf = (p: { configSchema?: { properties: Record<string, unknown> } }) => Object.keys(p.configSchema?.properties ?? {}).sort();

describe(rdsStorageEncrypted.name, () => {
    const { accepts, refuses, skips, undecided } = resourceChecks(rdsStorageEncrypted, T.instance, primaryInstance);

    it("is mandatory, with exemptResources", () => {
        assert.strictEqual(rdsStorageEncrypted.enforcementLevel, "mandatory");
        assert.deepStrictEqual(keysOf(rdsStorageEncrypted), ["exemptResources"]);
    });
    it("accepts the prod primary, its replicas and the DR replica", async () => {
        await accepts();
        await accepts(inRegionReplica());
        await accepts(drReplica(), { region: DR });
    });
    it("refuses storageEncrypted: false", () =>
        refuses(
            (p) => (p.storageEncrypted = false),
            /^RDS instance "hangar-prod" \(hangar-db\): set storageEncrypted: true \(it is false\)$/,
            NAMED,
        ));
    it("refuses a primary without storageEncrypted", () =>
        refuses((p) => delete p.storageEncrypted, /set storageEncrypted: true \(it is unset\)/));
    it("accepts a replica that names its kmsKeyId instead", () => accepts({ ...inRegionReplica(), storageEncrypted: undefined }));
    it("refuses a replica with storageEncrypted: false", () => assertRefusesReplica());
    it("cannot decide when storageEncrypted is unknown", () =>
        undecided((p) => (p.storageEncrypted = "@unknown"), /storageEncrypted can't be known during preview/));
    it("skips exempt resources", () =>
        skips((p) => (p.storageEncrypted = false), /exempt/, { ...NAMED, config: { exemptResources: ["hangar-db"] } }));
    it("is not applicable to other types", () =>
        assertNotApplicable(
            rdsStorageEncrypted,
            createArgs(rdsStorageEncrypted, T.cache, {}),
            /only applies to aws:rds\/instance:Instance/,
        ));

    async function assertRefusesReplica() {
        const { refuses: refusesReplica } = resourceChecks(rdsStorageEncrypted, T.instance, inRegionReplica);
        await refusesReplica((p) => (p.storageEncrypted = false), /set storageEncrypted: true \(it is false\)/);
    }
});

describe(rdsNotPublic.name, () => {
    const { accepts, refuses, undecided } = resourceChecks(rdsNotPublic, T.instance, primaryInstance);

    it("is mandatory", () => assert.strictEqual(rdsNotPublic.enforcementLevel, "mandatory"));
    it("accepts publiclyAccessible: false, and unset (private by default)", async () => {
        await accepts();
        await accepts({ ...primaryInstance(), publiclyAccessible: undefined });
    });
    it("refuses publiclyAccessible: true", () =>
        refuses((p) => (p.publiclyAccessible = true), /^RDS instance "hangar-prod" \(hangar-db\): set publiclyAccessible: false$/, NAMED));
    it("cannot decide when publiclyAccessible is unknown", () => undecided((p) => (p.publiclyAccessible = "@unknown")));
});

/** The prod stack's RDS Proxy as the program registers it (components/data/postgres-proxy.ts). */
const prodProxy = () => ({
    name: "hangar-prod",
    engineFamily: "POSTGRESQL",
    requireTls: true,
    idleClientTimeout: 1800,
    debugLogging: false,
    roleArn: "arn:aws:iam::210987654321:role/hangar-db-proxy",
    vpcSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    vpcSecurityGroupIds: ["sg-proxy"],
    auths: [{ authScheme: "SECRETS", iamAuth: "DISABLED", secretArn: "arn:aws:secretsmanager:eu-west-1:210987654321:secret:hangar-prod" }],
});

describe(rdsProxyTlsRequired.name, () => {
    const { accepts, refuses, undecided } = resourceChecks(rdsProxyTlsRequired, "aws:rds/proxy:Proxy", prodProxy);

    it("is mandatory", () => assert.strictEqual(rdsProxyTlsRequired.enforcementLevel, "mandatory"));
    it("accepts the prod proxy (requireTls: true)", () => accepts());
    it("refuses requireTls false, and unset (plaintext clients accepted by default)", async () => {
        await refuses(
            (p) => (p.requireTls = false),
            /^RDS Proxy "hangar-prod" \(hangar-db-proxy\): set requireTls: true \(it is false\)$/,
            {
                name: "hangar-db-proxy",
            },
        );
        await refuses((p) => delete p.requireTls, /set requireTls: true \(it is unset\)/);
    });
    it("cannot decide when requireTls is unknown", () => undecided((p) => (p.requireTls = "@unknown")));
});

describe(rdsBackupRetention.name, () => {
    const { accepts, refuses, skips, undecided } = resourceChecks(rdsBackupRetention, T.instance, primaryInstance);
    const prod = { config: { minRetentionDays: 30 } };

    it("is mandatory, with minRetentionDays (default 7) and checkReplicas", () => {
        assert.strictEqual(rdsBackupRetention.enforcementLevel, "mandatory");
        assert.deepStrictEqual(keysOf(rdsBackupRetention), ["checkReplicas", "exemptResources", "minRetentionDays"]);
        assert.strictEqual(rdsBackupRetention.configSchema?.properties.minRetentionDays.default, 7);
    });
    it("accepts prod's 30 days at prod's threshold", () => accepts(primaryInstance(), prod));
    it("refuses 29 days at prod's threshold, and accepts them at staging's", async () => {
        await refuses(
            (p) => (p.backupRetentionPeriod = 29),
            /^RDS instance "hangar-prod" \(hangar-db\): set backupRetentionPeriod: 30 or more \(it is 29\)$/,
            { ...prod, ...NAMED },
        );
        const { accepts: acceptsShorter } = resourceChecks(rdsBackupRetention, T.instance, () => ({
            ...primaryInstance(),
            backupRetentionPeriod: 7,
        }));
        await acceptsShorter(undefined, { config: { minRetentionDays: 7 } });
    });
    it("refuses an instance without backupRetentionPeriod", () =>
        refuses((p) => delete p.backupRetentionPeriod, /set backupRetentionPeriod: 7 or more \(it is unset\)/));
    it("skips read replicas unless checkReplicas", async () => {
        const { skips: skipsReplica, refuses: refusesReplica } = resourceChecks(rdsBackupRetention, T.instance, inRegionReplica);
        await skipsReplica(() => undefined, /read replicas are not checked \(checkReplicas: false\)/, prod);
        await refusesReplica(() => undefined, /set backupRetentionPeriod: 30 or more \(it is unset\)/, {
            config: { minRetentionDays: 30, checkReplicas: true },
        });
    });
    it("knows a replica by replicateSourceDb even when it is unknown", () =>
        skips((p) => (p.replicateSourceDb = "@unknown"), /read replicas/));
    it("cannot decide when backupRetentionPeriod is unknown", () =>
        undecided((p) => (p.backupRetentionPeriod = "@unknown"), /backupRetentionPeriod can't be known/));
});

describe(rdsDeletionProtection.name, () => {
    const { accepts, refuses, skips, undecided } = resourceChecks(rdsDeletionProtection, T.instance, primaryInstance);

    it("is advisory by default, with required (default true)", () => {
        assert.strictEqual(rdsDeletionProtection.enforcementLevel, "advisory");
        assert.deepStrictEqual(keysOf(rdsDeletionProtection), ["exemptResources", "required"]);
    });
    it("accepts deletionProtection: true", () => accepts());
    it("refuses deletionProtection: false, and unset", async () => {
        await refuses(
            (p) => (p.deletionProtection = false),
            /^RDS instance "hangar-prod" \(hangar-db\): set deletionProtection: true$/,
            NAMED,
        );
        await refuses((p) => delete p.deletionProtection, /set deletionProtection: true/);
    });
    it("does not run when not required (staging, ephemeral)", () =>
        skips((p) => (p.deletionProtection = false), /not required \(required: false\)/, { config: { required: false } }));
    it("cannot decide when deletionProtection is unknown", () => undecided((p) => (p.deletionProtection = "@unknown")));
});

describe(rdsFinalSnapshot.name, () => {
    const { accepts, refuses, skips } = resourceChecks(rdsFinalSnapshot, T.instance, primaryInstance);
    const staging = (p: Record<string, unknown>) => {
        p.skipFinalSnapshot = true;
        delete p.finalSnapshotIdentifier;
    };

    it("is advisory by default, with required", () => {
        assert.strictEqual(rdsFinalSnapshot.enforcementLevel, "advisory");
        assert.deepStrictEqual(keysOf(rdsFinalSnapshot), ["exemptResources", "required"]);
    });
    it("accepts the prod primary and the DR replica's shape", () => accepts());
    it("refuses skipFinalSnapshot: true", () =>
        refuses((p) => (p.skipFinalSnapshot = true), /^RDS instance "hangar-prod" \(hangar-db\): set skipFinalSnapshot: false$/, NAMED));
    it("refuses a missing finalSnapshotIdentifier", () => refuses((p) => delete p.finalSnapshotIdentifier, /set finalSnapshotIdentifier$/));
    it("skips read replicas (they take no final snapshot)", () =>
        skips((p) => Object.assign(p, inRegionReplica()), /read replicas take no final snapshot/));
    it("refuses staging's instance when required, and does not run when not", async () => {
        await refuses(staging, /set skipFinalSnapshot: false/);
        await skips(staging, /not required/, { config: { required: false } });
    });
});

describe(rdsPerformanceInsightsEncrypted.name, () => {
    const { accepts, refuses } = resourceChecks(rdsPerformanceInsightsEncrypted, T.instance, primaryInstance);

    it("is mandatory", () => assert.strictEqual(rdsPerformanceInsightsEncrypted.enforcementLevel, "mandatory"));
    it("accepts Performance Insights with a key", () => accepts());
    it("accepts a key that is unknown during preview (set from the key's ARN)", () =>
        accepts({ ...primaryInstance(), performanceInsightsKmsKeyId: "@unknown" }));
    it("accepts Performance Insights off, without a key", () =>
        accepts({ ...primaryInstance(), performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }));
    it("refuses Performance Insights without performanceInsightsKmsKeyId", () =>
        refuses(
            (p) => delete p.performanceInsightsKmsKeyId,
            /^RDS instance "hangar-prod" \(hangar-db\): set performanceInsightsKmsKeyId \(Performance Insights is enabled\)$/,
            NAMED,
        ));
});

describe(rdsBackupReplicationEncrypted.name, () => {
    const { accepts, refuses } = resourceChecks(rdsBackupReplicationEncrypted, T.backupsReplication, backupsReplication);

    it("is mandatory", () => assert.strictEqual(rdsBackupReplicationEncrypted.enforcementLevel, "mandatory"));
    it("accepts the DR backups replication, also with its key unknown", async () => {
        await accepts(backupsReplication(), { region: DR });
        await accepts({ ...backupsReplication(), kmsKeyId: "@unknown" }, { region: DR });
    });
    it("refuses one without kmsKeyId", () =>
        refuses(
            (p) => delete p.kmsKeyId,
            /^automated backups replication hangar-dr-backups: set kmsKeyId to a KMS key in the destination region$/,
            { name: "hangar-dr-backups", region: DR },
        ));
});

const PARAMS = urnOf(T.parameterGroup, "hangar-db-params");

describe(rdsForceSsl.name, () => {
    const { accepts, refuses, undecided, skips, changing } = stackChecks(rdsForceSsl, prodStack);
    const withoutDependencies = (r: { propertyDependencies?: Record<string, string[]> }) =>
        delete r.propertyDependencies?.parameterGroupName;

    it("is a mandatory stack rule", () => {
        assert.strictEqual(rdsForceSsl.enforcementLevel, "mandatory");
        assert.ok("validateStack" in rdsForceSsl);
    });
    it("accepts prod: every instance on a group of its region with rds.force_ssl = 1", () => accepts());
    it("accepts prod's preview shapes", () => accepts(prodStack({ preview: true })));
    it("relates by propertyDependencies alone (names unknown)", () =>
        accepts(
            changing(T.instance, "hangar-db", (r) => (r.props.parameterGroupName = "@unknown")).map((r) =>
                r.type === T.parameterGroup ? { ...r, props: { ...r.props, name: "@unknown" } } : r,
            ),
        ));
    it("relates by name alone (no propertyDependencies)", () =>
        accepts(prodStack().map((r) => (r.type === T.instance ? { ...r, propertyDependencies: {} } : r))));

    it("refuses a group without rds.force_ssl, on the group", async () => {
        const stack = changing(T.parameterGroup, "hangar-db-params", (r) => (r.props.parameters = r.props.parameters.slice(1)));
        const outcome = await runPolicy(rdsForceSsl, stackArgs(rdsForceSsl, stack));
        assert.ok(outcome.kind === "violations");
        assert.deepStrictEqual(outcome.urns, [PARAMS, PARAMS, PARAMS]);
        assert.match(
            outcome.messages[0],
            /^RDS instance "hangar-prod" \(hangar-db\): its parameter group "hangar-prod-postgres16" \(hangar-db-params\) must force TLS: set parameters\[\] \{ name: "rds\.force_ssl", value: "1" \} \(it is unset\)$/,
        );
    });
    it("refuses rds.force_ssl = 0", () =>
        refuses(
            changing(T.parameterGroup, "hangar-db-params", (r) => (r.props.parameters[0].value = "0")),
            /must force TLS: .* \(it is "0"\)$/,
        ));
    it("refuses an instance without parameterGroupName (the engine's default group)", () =>
        refuses(
            changing(T.instance, "hangar-db", (r) => {
                delete r.props.parameterGroupName;
                withoutDependencies(r);
            }),
            /^RDS instance "hangar-prod" \(hangar-db\) uses its engine's default parameter group: set parameterGroupName/,
        ));
    it("refuses a group the stack does not create", () =>
        refuses(
            changing(T.instance, "hangar-db", (r) => {
                r.props.parameterGroupName = "shared-postgres16";
                withoutDependencies(r);
            }),
            /parameter group "shared-postgres16" is not created by this stack in eu-west-1, so rds\.force_ssl cannot be checked: create it/,
        ));
    it("does not take a group of the same name in another region", () =>
        refuses(
            changing(T.instance, "hangar-dr-replica", (r) => {
                r.props.parameterGroupName = "hangar-prod-postgres16";
                withoutDependencies(r);
            }),
            /RDS instance "hangar-prod-dr" \(hangar-dr-replica\): parameter group "hangar-prod-postgres16" is not created by this stack in eu-central-1/,
        ));
    it("refuses a group of another region related by propertyDependencies", () =>
        refuses(
            changing(T.instance, "hangar-dr-replica", (r) => (r.propertyDependencies = { parameterGroupName: [PARAMS] })),
            /RDS instance "hangar-prod-dr" \(hangar-dr-replica\) is in eu-central-1 but its parameter group "hangar-prod-postgres16" \(hangar-db-params\) is in eu-west-1/,
        ));
    it("cannot decide when parameterGroupName is unknown and nothing relates it", () =>
        undecided(
            changing(T.instance, "hangar-db", (r) => {
                r.props.parameterGroupName = "@unknown";
                withoutDependencies(r);
            }),
            /^cannot decide: Instance hangar-db: string value at \.parameterGroupName can't be known during preview \(give parameter groups deterministic names/,
        ));
    it("cannot decide when the group's parameters are unknown", () =>
        undecided(
            changing(T.parameterGroup, "hangar-db-params", (r) => (r.props.parameters = "@unknown")),
            /parameters can't be known/,
        ));
    it("cannot decide by name while a group of the stack has no known name", () =>
        undecided(
            changing(T.instance, "hangar-db", (r) => {
                r.props.parameterGroupName = "shared-postgres16";
                withoutDependencies(r);
            }).map((r) => (r.name === "hangar-dr-params" ? { ...r, props: { ...r.props, name: "@unknown" } } : r)),
            /parameter group "shared-postgres16" may be hangar-dr-params, whose name is not known/,
        ));
    it("reports what it decides, then says what it cannot (advisory during preview)", async () => {
        const stack = changing(T.parameterGroup, "hangar-dr-params", (r) => (r.props.parameters = [])).map((r) =>
            r.name === "hangar-db" ? { ...r, props: { ...r.props, parameterGroupName: "@unknown" }, propertyDependencies: {} } : r,
        );
        const records = await runPolicies(runnerInput(stack), {}, { policies: [rdsForceSsl], preview: true });
        assert.deepStrictEqual(
            records.map((r) => [r.enforcementLevel, r.urn?.split("::").pop(), /must force TLS|can't run/.exec(r.message)?.[0]]),
            [
                ["mandatory", "hangar-dr-params", "must force TLS"],
                ["advisory", undefined, "can't run"],
            ],
        );
    });
    it("skips exempt instances, and is not applicable without instances", async () => {
        const broken = changing(T.parameterGroup, "hangar-db-params", (r) => (r.props.parameters = []));
        await accepts(broken, { exemptResources: ["hangar-db", "hangar-db-replica-1", "hangar-db-replica-2"] });
        await skips(
            prodStack().filter((r) => r.type !== T.instance),
            /creates no aws:rds\/instance:Instance/,
        );
    });
});

describe(rdsReplicaKeyInRegion.name, () => {
    const { accepts, refuses, undecided, changing } = stackChecks(rdsReplicaKeyInRegion, prodStack);
    const dr = (change: Parameters<typeof changing>[2]) => changing(T.instance, "hangar-dr-replica", change);
    const preview = (change: (r: ReturnType<typeof prodStack>[number] & { props: Record<string, unknown> }) => void) => {
        const stack = prodStack({ preview: true });
        change(find(stack, T.instance, "hangar-dr-replica"));
        return stack;
    };

    it("is a mandatory stack rule", () => assert.strictEqual(rdsReplicaKeyInRegion.enforcementLevel, "mandatory"));
    it("accepts prod: the DR replica uses the DR key", () => accepts());
    it("accepts prod's preview shapes (source and key related by propertyDependencies)", () => accepts(prodStack({ preview: true })));
    it("decides from the ARNs alone (no propertyDependencies)", () => accepts(dr((r) => (r.propertyDependencies = {}))));
    it("ignores in-region replicas, which inherit their source's key", () =>
        accepts(changing(T.instance, "hangar-db-replica-1", (r) => delete r.props.kmsKeyId)));
    it("accepts a key ID or alias, which names a key of the replica's region", () =>
        accepts(dr((r) => (r.props.kmsKeyId = "alias/hangar-dr"))));

    it("refuses a cross-region replica without kmsKeyId", () =>
        refuses(
            dr((r) => delete r.props.kmsKeyId),
            /^RDS instance "hangar-prod-dr" \(hangar-dr-replica\) replicates across regions \(eu-west-1 → eu-central-1\): set kmsKeyId to the ARN of a KMS key in eu-central-1$/,
        ));
    it("refuses a key ARN of the source region", () =>
        refuses(
            dr((r) => (r.props.kmsKeyId = keyArn(PRIMARY, "hangar-db-kms"))),
            /kmsKeyId arn:aws:kms:eu-west-1:\S+ is a key in eu-west-1: set kmsKeyId to the ARN of a KMS key in eu-central-1/,
        ));
    it("refuses, during preview, a key of the source region related by propertyDependencies", () =>
        refuses(
            preview((r) => (r.propertyDependencies = { ...r.propertyDependencies, kmsKeyId: [urnOf(T.key, "hangar-db-kms")] })),
            /kmsKeyId comes from KMS key hangar-db-kms in eu-west-1: set kmsKeyId to the ARN of a KMS key in eu-central-1/,
        ));
    it("finds, during preview, the source's region through propertyDependencies", () =>
        refuses(
            preview((r) => delete r.props.kmsKeyId),
            /replicates across regions \(eu-west-1 → eu-central-1\)/,
        ));
    it("honours a resource's own region input over its provider's", () =>
        refuses(
            dr((r) => {
                r.region = PRIMARY;
                r.props.region = DR;
                r.props.kmsKeyId = keyArn(PRIMARY, "hangar-db-kms");
            }),
            /is a key in eu-west-1: set kmsKeyId to the ARN of a KMS key in eu-central-1/,
        ));

    it("cannot decide when replicateSourceDb is unknown and unrelated", () =>
        undecided(
            preview((r) => (r.propertyDependencies = { kmsKeyId: r.propertyDependencies?.kmsKeyId ?? [] })),
            /replicateSourceDb can't be known during preview/,
        ));
    it("cannot decide when the key is unknown and unrelated", () =>
        undecided(
            preview((r) => (r.propertyDependencies = { replicateSourceDb: r.propertyDependencies?.replicateSourceDb ?? [] })),
            /kmsKeyId can't be known during preview/,
        ));
    it("cannot decide without the replica's region", () =>
        undecided(
            dr((r) => delete r.region),
            /hangar-dr-replica\): its provider sets no region/,
        ));
});

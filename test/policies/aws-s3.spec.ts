import * as assert from "assert";
import { StackValidationPolicy } from "@pulumi/policy";
import {
    s3BucketEncrypted,
    s3BucketLifecycleRetention,
    s3BucketPublicAccessBlocked,
    s3BucketReplicationKms,
    s3BucketTlsOnly,
    s3BucketVersioned,
} from "../../policies/rules/aws/s3";
import { AwsResource, find, Loose, PRIMARY, prodStack, Props, stackArgs, stackChecks, T, tlsOnlyPolicy, urnOf } from "./aws-fixtures";
import { runPolicy } from "./util";

const DUMPS = "hangar-backups-dumps";
const DUMPS_NAME = "hangar-prod-dumps-210987654321";
const BUCKET = /^Bucket "hangar-prod-dumps-210987654321" \(hangar-backups-dumps\)/;
const S3_TYPES: string[] = [
    T.bucket,
    T.bucketV2,
    T.versioning,
    T.encryption,
    T.policy,
    T.publicAccess,
    T.lifecycle,
    T.replication,
    T.accountPublicAccess,
];

/** The buckets of prod and what configures them. */
const buckets = (options: { preview?: boolean } = {}) => prodStack(options).filter((r) => S3_TYPES.includes(r.type));
const without = (stack: AwsResource[], type: string, name = DUMPS) => stack.filter((r) => !(r.type === type && r.name === name));
const changing = (stack: AwsResource[], type: string, change: (props: Loose, r: AwsResource) => void, name = DUMPS) => {
    const r = find(stack, type, name);
    change(r.props, r);
    return stack;
};
/** Split resources name their bucket by its name, without propertyDependencies. */
const byNameOnly = (stack: AwsResource[]) =>
    stack.map((r) => {
        if (r.type === T.bucket || !r.propertyDependencies?.bucket) return r;
        const bucket = find(stack, T.bucket, r.name);
        return {
            ...r,
            props: { ...r.props, bucket: bucket.props.bucket },
            propertyDependencies: { ...r.propertyDependencies, bucket: [] },
        };
    });
/** Names unknown everywhere: only propertyDependencies relate split resources to buckets. */
const byDependenciesOnly = (stack: AwsResource[]) =>
    stack.map((r) => (S3_TYPES.includes(r.type) ? { ...r, props: { ...r.props, bucket: "@unknown" } } : r));
/** The dump bucket configured by deprecated inline properties instead of the split resource of `type`. */
const inline = (type: string, props: Props, bucketType: string = T.bucket) =>
    changing(without(buckets(), type), T.bucket, (p, r) => {
        Object.assign(p, props);
        r.type = bucketType;
    });

interface Case {
    rule: StackValidationPolicy;
    type: string;
    what: string;
    /** Breaks the dump bucket's split resource; the message it gets. */
    broken: [(props: Loose) => void, RegExp];
    /** Deprecated inline properties that satisfy the rule on a Bucket and a BucketV2, and that fail it on a Bucket. */
    inline?: { bucket: Props; bucketV2: Props; broken: [Props, RegExp] };
}

const CASES: Case[] = [
    {
        rule: s3BucketVersioned,
        type: T.versioning,
        what: "versioning",
        broken: [
            (p) => (p.versioningConfiguration.status = "Suspended"),
            /BucketVersioning hangar-backups-dumps: set versioningConfiguration\.status: Enabled \(it is Suspended\)$/,
        ],
        inline: {
            bucket: { versioning: { enabled: true } },
            bucketV2: { versionings: [{ enabled: true }] },
            broken: [{ versioning: { enabled: false } }, /: set versioning\.enabled: true$/],
        },
    },
    {
        rule: s3BucketEncrypted,
        type: T.encryption,
        what: "default encryption",
        broken: [
            (p) => (p.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }),
            /set rules\[\]\.applyServerSideEncryptionByDefault\.sseAlgorithm: aws:kms \(it is AES256\)$/,
        ],
        inline: {
            bucket: { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } },
            bucketV2: {
                serverSideEncryptionConfigurations: [
                    { rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms:dsse" }] }] },
                ],
            },
            broken: [
                { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } },
                /: set serverSideEncryptionConfiguration\.rule\.applyServerSideEncryptionByDefault\.sseAlgorithm: aws:kms \(it is AES256\)$/,
            ],
        },
    },
    {
        rule: s3BucketTlsOnly,
        type: T.policy,
        what: "TLS-only bucket policy",
        broken: [
            (p) => (p.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] })),
            /BucketPolicy hangar-backups-dumps: add to policy the statement \{ Effect: Deny/,
        ],
        inline: {
            bucket: { policy: tlsOnlyPolicy(`arn:aws:s3:::${DUMPS_NAME}`) },
            bucketV2: { policy: tlsOnlyPolicy(`arn:aws:s3:::${DUMPS_NAME}`) },
            broken: [{ policy: "{}" }, /: add to policy the statement/],
        },
    },
    {
        rule: s3BucketPublicAccessBlocked,
        type: T.publicAccess,
        what: "public access block",
        broken: [
            (p) => (p.restrictPublicBuckets = false),
            /BucketPublicAccessBlock hangar-backups-dumps: set restrictPublicBuckets: true$/,
        ],
    },
    {
        rule: s3BucketLifecycleRetention,
        type: T.lifecycle,
        what: "lifecycle configuration",
        broken: [
            (p) => (p.rules[0].expiration.days = 2554),
            /BucketLifecycleConfiguration hangar-backups-dumps: set rules\[0\]\.expiration\.days: 2555 or more \(it is 2554\)$/,
        ],
        inline: {
            bucket: { lifecycleRules: [{ enabled: true, expiration: { days: 2555 } }] },
            bucketV2: { lifecycleRules: [{ enabled: true, expirations: [{ days: 3000 }] }] },
            broken: [
                { lifecycleRules: [{ enabled: true, expiration: { days: 30 } }] },
                /: set lifecycleRules\[0\]\.expiration\.days: 2555 or more \(it is 30\)$/,
            ],
        },
    },
];

/** prod's thresholds. */
const PROD: Props = { minRetentionDays: 2555 };

for (const c of CASES) {
    describe(c.rule.name, () => {
        const config = c.rule === s3BucketLifecycleRetention ? PROD : {};
        const { accepts, refuses, undecided, skips } = stackChecks(c.rule, buckets);

        it("is a mandatory stack rule over every bucket", () => {
            assert.strictEqual(c.rule.enforcementLevel, "mandatory");
            assert.ok("validateStack" in c.rule);
        });
        it("accepts prod's dump bucket and DR replica bucket", () => accepts(buckets(), config));
        it("relates split resources by propertyDependencies alone (names unknown)", () => {
            const stack = byDependenciesOnly(buckets()).map((r) =>
                r.type === T.policy ? { ...r, props: { ...r.props, policy: tlsOnlyPolicy("arn:aws:s3:::x") } } : r,
            );
            return accepts(stack, config);
        });
        it("relates split resources by name alone (no propertyDependencies)", () => accepts(byNameOnly(buckets()), config));

        it(`refuses a broken ${c.type.split(":").pop()}, on that resource`, async () => {
            const outcome = await runPolicy(c.rule, stackArgs(c.rule, changing(buckets(), c.type, c.broken[0]), config));
            assert.ok(outcome.kind === "violations" && outcome.messages.length === 1, JSON.stringify(outcome));
            assert.match(outcome.messages[0], c.broken[1]);
            assert.match(outcome.messages[0], BUCKET);
            assert.deepStrictEqual(outcome.urns, [urnOf(c.type, DUMPS)]);
        });
        it(`refuses a bucket without ${c.what}, on the bucket`, async () => {
            const outcome = await runPolicy(c.rule, stackArgs(c.rule, without(buckets(), c.type), config));
            assert.ok(outcome.kind === "violations", JSON.stringify(outcome));
            assert.match(
                outcome.messages[0],
                new RegExp(
                    `${BUCKET.source} has no ${c.what}: create an ${c.type.replace(/[/]/g, "\\/")} with bucket set from this bucket and `,
                ),
            );
            assert.deepStrictEqual(outcome.urns, [urnOf(T.bucket, DUMPS)]);
        });
        it(`does not count a ${c.type.split(":").pop()} of a bucket outside the stack`, () =>
            refuses(
                changing(buckets(), c.type, (p, r) => {
                    p.bucket = "someone-elses-bucket";
                    r.propertyDependencies = {};
                }),
                new RegExp(`${BUCKET.source} has no ${c.what}`),
                config,
            ));
        it(`cannot decide a bucket whose only ${c.type.split(":").pop()} names an unknown bucket without propertyDependencies`, () =>
            undecided(
                changing(buckets(), c.type, (p, r) => {
                    p.bucket = "@unknown";
                    r.propertyDependencies = {};
                }),
                new RegExp(
                    `cannot decide: ${BUCKET.source.slice(1)} has no ${c.what} related to it, and the bucket of ${c.type.split(":").pop()} hangar-backups-dumps is not known`,
                ),
                config,
            ));
        if (c.inline) {
            const { bucket, bucketV2, broken } = c.inline;
            it("accepts the deprecated inline properties of Bucket and BucketV2", async () => {
                await accepts(inline(c.type, bucket), config);
                await accepts(inline(c.type, bucketV2, T.bucketV2), config);
            });
            it("refuses broken inline properties", () =>
                refuses(inline(c.type, broken[0]), new RegExp(`${BUCKET.source}${broken[1].source}`), config));
        }
        it("skips exempt buckets, and is not applicable without buckets", async () => {
            await accepts(without(buckets(), c.type), { ...config, exemptResources: [DUMPS] });
            await skips(
                prodStack().filter((r) => !S3_TYPES.includes(r.type)),
                /creates no aws:s3\/bucket:Bucket or aws:s3\/bucketV2:BucketV2/,
            );
        });
    });
}

describe(`${s3BucketEncrypted.name}: requireKms`, () => {
    const { accepts, refuses } = stackChecks(s3BucketEncrypted, buckets);
    const sse = (algorithm?: string) =>
        changing(
            buckets(),
            T.encryption,
            (p) => (p.rules[0].applyServerSideEncryptionByDefault = algorithm ? { sseAlgorithm: algorithm } : undefined),
        );

    it("is on by default, and SSE-S3 passes without it", async () => {
        assert.strictEqual(s3BucketEncrypted.configSchema?.properties.requireKms.default, true);
        await accepts(sse("AES256"), { requireKms: false });
    });
    it("refuses a configuration without a default algorithm", () =>
        refuses(sse(), /set rules\[\]\.applyServerSideEncryptionByDefault\.sseAlgorithm: aws:kms$/));
    it("accepts dual-layer SSE-KMS", () => accepts(sse("aws:kms:dsse")));
});

describe(`${s3BucketTlsOnly.name}: statements`, () => {
    const { accepts, refuses, undecided } = stackChecks(s3BucketTlsOnly, buckets);
    const statement = (change: (s: Loose) => void) =>
        changing(buckets(), T.policy, (p) => {
            const document = JSON.parse(p.policy);
            change(document.Statement[0]);
            p.policy = JSON.stringify(document);
        });
    const NO_TLS = /add to policy the statement/;

    it("accepts BoolIfExists, an AWS wildcard principal, a wildcard resource", async () => {
        await accepts(statement((s) => (s.Condition = { BoolIfExists: { "aws:SecureTransport": false } })));
        await accepts(statement((s) => (s.Principal = { AWS: ["*"] })));
        await accepts(statement((s) => (s.Resource = "*")));
    });
    it("accepts a policy document given as an object (Bucket's inline policy)", () =>
        accepts(inline(T.policy, { policy: JSON.parse(tlsOnlyPolicy(`arn:aws:s3:::${DUMPS_NAME}`)) })));
    it("refuses an Allow", () =>
        refuses(
            statement((s) => (s.Effect = "Allow")),
            NO_TLS,
        ));
    it("refuses a statement for some principals only", () =>
        refuses(
            statement((s) => (s.Principal = { AWS: "arn:aws:iam::210987654321:root" })),
            NO_TLS,
        ));
    it("refuses a statement for some actions only", () =>
        refuses(
            statement((s) => (s.Action = ["s3:GetObject"])),
            NO_TLS,
        ));
    it("refuses a statement that covers the objects but not the bucket", () =>
        refuses(
            statement((s) => (s.Resource = [s.Resource[1]])),
            NO_TLS,
        ));
    it("refuses a statement that covers one prefix only", () =>
        refuses(
            statement((s) => (s.Resource = [s.Resource[0], `${s.Resource[0]}/dumps/*`])),
            NO_TLS,
        ));
    it("refuses a condition on aws:SecureTransport true", () =>
        refuses(
            statement((s) => (s.Condition = { Bool: { "aws:SecureTransport": "true" } })),
            NO_TLS,
        ));
    it("refuses a policy that is not JSON", () =>
        refuses(
            changing(buckets(), T.policy, (p) => (p.policy = "{")),
            /policy is not valid JSON: set it to a policy with the statement/,
        ));
    it("cannot decide prod's preview: the policy is built from the bucket's ARN output", () =>
        undecided(
            buckets({ preview: true }),
            /^cannot decide: Bucket "hangar-prod-dumps-210987654321" \(hangar-backups-dumps\): BucketPolicy hangar-backups-dumps: string value at \.policy can't be known during preview; Bucket "hangar-prod-dumps-dr-210987654321".* build its ARNs from the bucket's deterministic name/,
        ));
});

describe(`${s3BucketPublicAccessBlocked.name}: account-wide`, () => {
    const { accepts, refuses } = stackChecks(s3BucketPublicAccessBlocked, buckets);
    const flags = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
    const account = (props: Props): AwsResource => ({ type: T.accountPublicAccess, name: "account", region: PRIMARY, props });

    for (const flag of Object.keys(flags)) {
        it(`refuses ${flag}: false`, () =>
            refuses(
                changing(buckets(), T.publicAccess, (p) => (p[flag] = false)),
                new RegExp(`set ${flag}: true$`),
            ));
    }
    it("accepts buckets without their own block under a complete account-wide block", () =>
        accepts([...without(buckets(), T.publicAccess), account(flags)]));
    it("does not blame a bucket with its own block for an incomplete account-wide one", () =>
        accepts([...buckets(), account({ ...flags, blockPublicPolicy: false })]));
    it("refuses a bucket without its own block under an incomplete account-wide one", () =>
        refuses([...without(buckets(), T.publicAccess), account({ ...flags, blockPublicPolicy: false })], /has no public access block/));
});

describe(`${s3BucketLifecycleRetention.name}: rules`, () => {
    const { accepts, refuses } = stackChecks(s3BucketLifecycleRetention, buckets);
    const rule = (change: (r: Loose) => void) => changing(buckets(), T.lifecycle, (p) => change(p.rules[0]));

    it("has minRetentionDays (default 365): prod's 7 years pass at staging's threshold too", async () => {
        assert.strictEqual(s3BucketLifecycleRetention.configSchema?.properties.minRetentionDays.default, 365);
        await accepts(buckets(), { minRetentionDays: 365 });
        await refuses(
            rule((r) => (r.expiration.days = 364)),
            /set rules\[0\]\.expiration\.days: 365 or more \(it is 364\)$/,
        );
    });
    it("accepts a lifecycle that never expires current versions", () =>
        accepts(
            rule((r) => delete r.expiration),
            PROD,
        ));
    it("refuses a lifecycle whose rules are all disabled", () =>
        refuses(
            rule((r) => (r.status = "Disabled")),
            /enable a rule \(no lifecycle rule is enabled\)$/,
            PROD,
        ));
    it("ignores a disabled rule's expiration", () =>
        accepts(
            changing(buckets(), T.lifecycle, (p) => p.rules.push({ id: "old", status: "Disabled", expiration: { days: 1 } })),
            PROD,
        ));
    it("refuses an expiration on a fixed date", () =>
        refuses(
            rule((r) => (r.expiration = { date: "2030-01-01T00:00:00Z" })),
            /rules\[0\]\.expiration\.date expires current versions on a fixed date: set rules\[0\]\.expiration\.days: 2555 or more instead$/,
            PROD,
        ));
});

describe(s3BucketReplicationKms.name, () => {
    const { accepts, refuses, undecided, skips } = stackChecks(s3BucketReplicationKms, buckets);
    const REPLICATION = /^bucket replication hangar-backups-dumps /;
    const replicationRule = (change: (r: Loose) => void, stack = buckets()) => changing(stack, T.replication, (p) => change(p.rules[0]));
    const neither = (r: Loose) => {
        delete r.sourceSelectionCriteria;
        delete r.destination.encryptionConfiguration;
    };

    it("is a mandatory stack rule", () => assert.strictEqual(s3BucketReplicationKms.enforcementLevel, "mandatory"));
    it("accepts prod's dump bucket replication", () => accepts());
    it("accepts prod's preview shapes (the replica key is unknown, but set)", () => accepts(buckets({ preview: true })));
    it("refuses a rule that names the key but does not opt in to SSE-KMS objects", () =>
        refuses(
            replicationRule((r) => delete r.sourceSelectionCriteria),
            /^bucket replication hangar-backups-dumps half-configures SSE-KMS replication: set rules\[0\]\.sourceSelectionCriteria\.sseKmsEncryptedObjects\.status: Enabled$/,
        ));
    it("refuses a rule that opts in without a replica key", () =>
        refuses(
            replicationRule((r) => delete r.destination.encryptionConfiguration),
            /half-configures SSE-KMS replication: set rules\[0\]\.destination\.encryptionConfiguration\.replicaKmsKeyId to a KMS key in the destination region$/,
        ));
    it("refuses a rule that sets neither, from a bucket that encrypts with SSE-KMS", () =>
        refuses(
            replicationRule(neither),
            new RegExp(
                `${REPLICATION.source}replicates ${BUCKET.source.slice(1)}, which encrypts with SSE-KMS: set .*sseKmsEncryptedObjects.*; set .*replicaKmsKeyId`,
            ),
        ));
    it("finds the source bucket by name, and by propertyDependencies alone", async () => {
        await refuses(replicationRule(neither, byNameOnly(buckets())), /which encrypts with SSE-KMS/);
        await refuses(replicationRule(neither, byDependenciesOnly(buckets())), /which encrypts with SSE-KMS/);
    });
    it("accepts a rule that sets neither, from a bucket that encrypts with SSE-S3", () =>
        accepts(
            replicationRule(
                neither,
                changing(buckets(), T.encryption, (p) => (p.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" })),
            ),
        ));
    it("refuses a rule that sets neither, from a bucket the stack does not create", () =>
        refuses(
            changing(replicationRule(neither), T.replication, (p, r) => {
                p.bucket = "legacy-dumps";
                r.propertyDependencies = {};
            }),
            /replicates bucket "legacy-dumps", which this stack does not create and may hold SSE-KMS objects/,
        ));
    it("ignores disabled rules", () =>
        accepts(
            replicationRule((r) => {
                r.status = "Disabled";
                neither(r);
            }),
        ));
    it("cannot decide whose objects it replicates when the source bucket is unknown", () =>
        undecided(
            changing(replicationRule(neither), T.replication, (p, r) => {
                p.bucket = "@unknown";
                r.propertyDependencies = {};
            }),
            /bucket replication hangar-backups-dumps: its source bucket is not known/,
        ));
    it("cannot decide when the source bucket's encryption is unknown", () =>
        undecided(
            replicationRule(
                neither,
                changing(buckets(), T.encryption, (p) => (p.rules = "@unknown")),
            ),
            /whether its source bucket encrypts with SSE-KMS: .*rules can't be known/,
        ));
    it("is not applicable without replication", () =>
        skips(without(buckets(), T.replication), /creates no aws:s3\/bucketReplicationConfig/));
});

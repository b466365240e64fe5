/**
 * S3 buckets the stack creates (Hangar's are all backup stores): versioned,
 * encrypted with KMS, TLS only, closed to the public, and kept long enough by
 * their lifecycle; replication that carries SSE-KMS objects. Stack rules: each
 * aspect is a separate resource in @pulumi/aws 7 (see s3-buckets.ts).
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { BucketAspect, bucketIndex, BUCKET_TYPES, judge, REMEDY } from "./s3-buckets";
import { BUCKET, EncryptionConfig, encryptionAspect } from "./s3-encryption";
import { s3BucketReplicationKms } from "./s3-replication";
import { atLeast, awsStackRule, AwsExemptionConfig, daysSchema, isSet, MinRetentionConfig } from "./shared";

interface BucketRuleDefinition<C extends AwsExemptionConfig> extends BucketAspect<C> {
    name: string;
    description: string;
    properties?: Record<string, PolicyConfigJSONSchema>;
    /** How to make undecided buckets decidable, when not only a matter of relating resources. */
    remedy?: string;
}

/** A stack rule over every bucket of the stack for one aspect. */
function bucketRule<C extends AwsExemptionConfig>(rule: BucketRuleDefinition<C>): StackValidationPolicy {
    return awsStackRule<C>({
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        properties: rule.properties,
        subjects: BUCKET_TYPES,
        remedy: rule.remedy ?? REMEDY,
        check: (subject, ctx) => {
            const index = bucketIndex(ctx.resources);
            const verdict = judge(rule, index.bucket(subject), index, ctx.config);
            if (verdict.kind === "undecided") ctx.cannotDecide(verdict.reason, verdict.cause);
            else if (verdict.kind === "missing") ctx.report(verdict.message);
            else if (verdict.kind === "problems") for (const p of verdict.problems) ctx.report(p.message, p.urn);
        },
    });
}

const asList = <T>(value: unknown) => (value ?? []) as T[];

export const s3BucketVersioned = bucketRule<AwsExemptionConfig>({
    name: "aws-s3-bucket-versioned",
    description: "S3 buckets must keep object versions, so an overwrite or delete can be undone.",
    what: "versioning",
    types: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    check: (props) => {
        const status = (props.versioningConfiguration as { status?: string } | undefined)?.status;
        return status === "Enabled" ? [] : [`set versioningConfiguration.status: Enabled (it is ${status ?? "unset"})`];
    },
    inline: (props, type) => {
        if (type === BUCKET)
            return isSet(props, "versioning")
                ? (props.versioning as { enabled?: boolean }).enabled === true
                    ? []
                    : ["set versioning.enabled: true"]
                : undefined;
        const versionings = asList<{ enabled?: boolean }>(props.versionings);
        if (versionings.length === 0) return undefined;
        return versionings.some((v) => v.enabled === true) ? [] : ["set versionings[0].enabled: true"];
    },
    fix: () => "versioningConfiguration.status: Enabled",
});

export const s3BucketEncrypted = bucketRule<EncryptionConfig>({
    ...encryptionAspect,
    name: "aws-s3-bucket-encrypted",
    description: "S3 buckets must set default encryption, with SSE-KMS when configured.",
    properties: {
        requireKms: {
            type: "boolean",
            default: true,
            description: "Require sseAlgorithm aws:kms (or aws:kms:dsse) rather than SSE-S3 (AES256).",
        },
    },
});

interface Statement {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const lower = (value: unknown) => String(value).toLowerCase();

const allPrincipals = (principal: unknown) =>
    principal === "*" || (typeof principal === "object" && principal !== null && list((principal as { AWS?: unknown }).AWS).includes("*"));

/**
 * Resources of a bucket policy cover the bucket and all its objects. S3 refuses
 * a bucket policy naming another bucket ("Policy has invalid resource"), so the
 * shape of the ARN is enough: `…:name` for the bucket, `…:name/*` for its objects.
 */
function coversBucketAndObjects(resources: unknown[]): boolean {
    const arns = resources.map(String);
    const bucket = arns.some((r) => r === "*" || /^arn:[^:]+:s3:[^:]*:[^:]*:[^/]+$/.test(r));
    const objects = arns.some((r) => r === "*" || /^arn:[^:]+:s3:[^:]*:[^:]*:[^/]+\/\*$/.test(r));
    return bucket && objects;
}

function deniesInsecureTransport(condition: Statement["Condition"]): boolean {
    return Object.entries(condition ?? {}).some(
        ([operator, keys]) =>
            ["bool", "boolifexists"].includes(lower(operator)) &&
            Object.entries(keys ?? {}).some(
                ([key, value]) => lower(key) === "aws:securetransport" && list(value).length === 1 && lower(list(value)[0]) === "false",
            ),
    );
}

const isTlsOnlyStatement = (s: Statement) =>
    s.Effect === "Deny" &&
    allPrincipals(s.Principal) &&
    list(s.Action).some((a) => a === "*" || lower(a) === "s3:*") &&
    coversBucketAndObjects(list(s.Resource)) &&
    deniesInsecureTransport(s.Condition);

const TLS_STATEMENT = `{ Effect: Deny, Principal: "*", Action: "s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }`;

function policyProblems(policy: unknown, path: string): string[] {
    let document: unknown = policy;
    if (typeof policy === "string") {
        try {
            document = JSON.parse(policy);
        } catch {
            return [`${path} is not valid JSON: set it to a policy with the statement ${TLS_STATEMENT}`];
        }
    }
    const statements = list((document as { Statement?: unknown } | null)?.Statement) as Statement[];
    return statements.some(isTlsOnlyStatement) ? [] : [`add to ${path} the statement ${TLS_STATEMENT}`];
}

export const s3BucketTlsOnly = bucketRule<AwsExemptionConfig>({
    name: "aws-s3-bucket-tls-only",
    description:
        "S3 buckets must have a bucket policy that denies every request not made over TLS (aws:SecureTransport false), for all principals, on the bucket and its objects.",
    what: "TLS-only bucket policy",
    remedy: `${REMEDY}; a policy built from the bucket's arn output is unknown until the bucket exists: build its ARNs from the bucket's deterministic name (arn:aws:s3:::<name>) to have it checked during preview`,
    types: ["aws:s3/bucketPolicy:BucketPolicy"],
    check: (props) => policyProblems(props.policy, "policy"),
    inline: (props) => (isSet(props, "policy") ? policyProblems(props.policy, "policy") : undefined),
    fix: () => `policy containing the statement ${TLS_STATEMENT}`,
});

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3BucketPublicAccessBlocked = bucketRule<AwsExemptionConfig>({
    name: "aws-s3-bucket-public-access-blocked",
    description: "S3 buckets must block public access with all four settings, on the bucket or account-wide.",
    what: "public access block",
    types: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    accountWide: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    check: (props) => PUBLIC_ACCESS_FLAGS.filter((flag) => props[flag] !== true).map((flag) => `set ${flag}: true`),
    fix: () => `${PUBLIC_ACCESS_FLAGS.join(", ")}: true`,
});

interface LifecycleRuleView {
    path: string;
    enabled: boolean;
    expirations: { days?: number; date?: string }[];
}

function lifecycleProblems(rules: LifecycleRuleView[], config: MinRetentionConfig): string[] {
    const enabled = rules.filter((r) => r.enabled);
    if (enabled.length === 0) return ["enable a rule (no lifecycle rule is enabled)"];
    return enabled.flatMap((rule) =>
        rule.expirations.flatMap((e) => {
            if (e.date !== undefined)
                return [
                    `${rule.path}.date expires current versions on a fixed date: set ${rule.path}.days: ${config.minRetentionDays} or more instead`,
                ];
            return e.days === undefined ? [] : atLeast(`${rule.path}.days`, config.minRetentionDays, e.days);
        }),
    );
}

interface InlineLifecycleRule {
    enabled?: boolean;
    expiration?: { days?: number; date?: string };
    expirations?: { days?: number; date?: string }[];
}

export const s3BucketLifecycleRetention = bucketRule<MinRetentionConfig>({
    name: "aws-s3-bucket-lifecycle-retention",
    description:
        "S3 buckets must have a lifecycle configuration, and any expiration of current object versions must wait at least minRetentionDays days.",
    properties: { minRetentionDays: daysSchema("The least expiration.days accepted for current object versions.", 365) },
    what: "lifecycle configuration",
    types: [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    ],
    check: (props, config) =>
        lifecycleProblems(
            asList<{ status?: string; expiration?: { days?: number; date?: string } }>(props.rules).map((r, i) => ({
                path: `rules[${i}].expiration`,
                enabled: r.status === "Enabled",
                expirations: r.expiration ? [r.expiration] : [],
            })),
            config,
        ),
    inline: (props, type, config) => {
        const rules = asList<InlineLifecycleRule>(props.lifecycleRules);
        if (rules.length === 0) return undefined;
        const views = rules.map((r, i) =>
            type === BUCKET
                ? { path: `lifecycleRules[${i}].expiration`, enabled: r.enabled === true, expirations: r.expiration ? [r.expiration] : [] }
                : { path: `lifecycleRules[${i}].expirations[]`, enabled: r.enabled === true, expirations: r.expirations ?? [] },
        );
        return lifecycleProblems(views, config);
    },
    fix: (config) => `rules[] { status: Enabled } whose expiration, if any, has days: ${config.minRetentionDays} or more`,
});

export { s3BucketReplicationKms };

export const s3Policies = [
    s3BucketVersioned,
    s3BucketEncrypted,
    s3BucketTlsOnly,
    s3BucketPublicAccessBlocked,
    s3BucketLifecycleRetention,
    s3BucketReplicationKms,
];

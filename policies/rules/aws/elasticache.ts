/**
 * ElastiCache (Redis / Valkey) replication groups: TLS in transit, encrypted at
 * rest with a customer-managed key, AUTH required, snapshots kept, and Multi-AZ
 * with automatic failover where the environment requires it.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { atLeast, awsRule, AwsExemptionConfig, daysSchema, isSet, MinRetentionConfig, RequiredConfig, requiredSwitch } from "./shared";

export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

/** How the rules name a replication group in messages. */
const GROUP = { types: [REPLICATION_GROUP], kind: "replication group", nameKey: "replicationGroupId" };

interface TransitConfig extends AwsExemptionConfig {
    allowPreferredMode: boolean;
}

export const elasticacheTransitEncryption: ResourceValidationPolicy = awsRule<TransitConfig>({
    name: "aws-elasticache-transit-encryption",
    description: "ElastiCache replication groups must require TLS from clients.",
    enforcementLevel: "mandatory",
    properties: {
        allowPreferredMode: {
            type: "boolean",
            default: false,
            description: "Accept transitEncryptionMode: preferred (plaintext still accepted), for the duration of a migration to TLS.",
        },
    },
    ...GROUP,
    check: (props, config) => {
        if (props.transitEncryptionEnabled !== true) return ["set transitEncryptionEnabled: true"];
        // Unset, the mode is `required`; `preferred` accepts plaintext connections too.
        const mode = props.transitEncryptionMode;
        if (mode === undefined || mode === "required" || (mode === "preferred" && config.allowPreferredMode)) return [];
        return [`set transitEncryptionMode: required (it is ${String(mode)})`];
    },
});

interface AtRestConfig extends AwsExemptionConfig {
    requireCustomerManagedKey: boolean;
}

export const elasticacheAtRestEncryption: ResourceValidationPolicy = awsRule<AtRestConfig>({
    name: "aws-elasticache-at-rest-encryption",
    description:
        "ElastiCache replication groups must encrypt data at rest (disk, swap and snapshots), with a customer-managed KMS key when configured.",
    enforcementLevel: "mandatory",
    properties: {
        requireCustomerManagedKey: {
            type: "boolean",
            default: true,
            description: "Require kmsKeyId (a customer-managed key) rather than the AWS-owned default key.",
        },
    },
    ...GROUP,
    check: (props, config) => {
        const messages: string[] = [];
        if (props.atRestEncryptionEnabled !== true) messages.push("set atRestEncryptionEnabled: true");
        if (config.requireCustomerManagedKey && !isSet(props, "kmsKeyId")) messages.push("set kmsKeyId to a customer-managed KMS key");
        return messages;
    },
});

export const elasticacheAuthToken: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-elasticache-auth-token",
    description: "ElastiCache replication groups must require clients to authenticate: an AUTH token or RBAC user groups.",
    enforcementLevel: "mandatory",
    ...GROUP,
    check: (props) => {
        if (isSet(props, "authToken") || isSet(props, "authTokenWo")) return [];
        if (isSet(props, "userGroupIds") && (props.userGroupIds as unknown[]).length > 0) return [];
        return ["set authToken (or userGroupIds for RBAC)"];
    },
});

export const elasticacheSnapshotRetention: ResourceValidationPolicy = awsRule<MinRetentionConfig>({
    name: "aws-elasticache-snapshot-retention",
    description: "ElastiCache replication groups must keep automatic snapshots for at least minRetentionDays days.",
    enforcementLevel: "mandatory",
    properties: { minRetentionDays: daysSchema("The least snapshotRetentionLimit accepted, in days.", 7) },
    ...GROUP,
    // Unset, ElastiCache keeps no automatic snapshot.
    check: (props, config) => atLeast("snapshotRetentionLimit", config.minRetentionDays, props.snapshotRetentionLimit, 0),
});

export const elasticacheMultiAz: ResourceValidationPolicy = awsRule<RequiredConfig>({
    name: "aws-elasticache-multi-az",
    description: "ElastiCache replication groups must be Multi-AZ with automatic failover where the environment requires it.",
    enforcementLevel: "advisory",
    ...requiredSwitch("multiAzEnabled and automaticFailoverEnabled", "Multi-AZ"),
    ...GROUP,
    check: (props) =>
        (["multiAzEnabled", "automaticFailoverEnabled"] as const).filter((key) => props[key] !== true).map((key) => `set ${key}: true`),
});

export const elasticachePolicies = [
    elasticacheTransitEncryption,
    elasticacheAtRestEncryption,
    elasticacheAuthToken,
    elasticacheSnapshotRetention,
    elasticacheMultiAz,
];

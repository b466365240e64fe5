/**
 * CloudWatch alarms to an SNS topic encrypted with a customer-managed KMS key
 * that CloudWatch may use (an AWS-managed SNS key would not let CloudWatch
 * publish: "Amazon SNS encryption", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 * An alarm can only notify a topic in its own region, so each region that has
 * alarms gets its own key and topic.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecycle } from "./lifecycle";

/**
 * Key policy: the account administers the key; CloudWatch alarms and EventBridge rules (the restore-job
 * failures of backups/restore-testing.ts) may encrypt messages to the topic. An EventBridge rule targeting an
 * SSE-KMS topic needs kms:Decrypt and kms:GenerateDataKey on its key ("Amazon SNS permissions", encrypted
 * topics, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
 */
export function alarmKeyPolicy(accountId: string, partition: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchAlarmsUseKey",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            },
            {
                Sid: "EventBridgeRulesUseKey",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            },
        ],
    });
}

/** Topic policy: CloudWatch alarms and EventBridge rules of this account may publish (same page as the key), only over TLS. */
export function alarmTopicPolicy(topicArn: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
            {
                Sid: "EventBridgeRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

export interface AlarmSpec {
    suffix: string;
    namespace: string;
    metricName: string;
    dimension: string;
    statistic: string;
    comparisonOperator: string;
    threshold: number;
    description: string;
    treatMissingData?: string;
}

/** The thresholds RDS alarms default to. */
export const RDS_ALARM_DEFAULTS = {
    cpuPercent: 80,
    freeStorageGb: 10,
    maxConnections: 400,
    proxyClientConnections: 1000,
    proxyBorrowLatencyMs: 100,
};

const GIB = 1024 ** 3;
export const RDS_METRICS = { namespace: "AWS/RDS", dimension: "DBInstanceIdentifier" };

/** CPU, free storage and replica lag of one RDS instance (the lag alarm is only meaningful on a replica). */
export function rdsInstanceAlarmSpecs(t: {
    cpuPercent: number;
    freeStorageGb: number;
    replicaLagSeconds: number;
}): [AlarmSpec, AlarmSpec, AlarmSpec] {
    return [
        {
            ...RDS_METRICS,
            suffix: "cpu",
            metricName: "CPUUtilization",
            statistic: "Average",
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.cpuPercent,
            description: "CPU above threshold",
        },
        {
            ...RDS_METRICS,
            suffix: "free-storage",
            metricName: "FreeStorageSpace",
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: t.freeStorageGb * GIB,
            description: "free storage below threshold",
        },
        {
            ...RDS_METRICS,
            suffix: "replica-lag",
            metricName: "ReplicaLag",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.replicaLagSeconds,
            description: "replica lag above threshold",
        },
    ];
}

/** Where an alarm topic's notifications go. */
export interface AlarmSubscriptionArgs {
    /** SNS protocol: `email`, `https`, `sqs`, `lambda`… */
    protocol: string;
    /** Where SNS delivers, as `protocol` expects: an address, URL or ARN. */
    endpoint: pulumi.Input<string>;
}

/** A KMS key CloudWatch may use, a topic encrypted with it, its TLS-only policy and subscriptions, all named `<name>-alarms`. */
export function encryptedAlarmTopic(
    name: string,
    a: { description: string; environment: string; subscriptions?: AlarmSubscriptionArgs[] },
    parent: pulumi.Resource,
): aws.sns.Topic {
    const opts = { parent };
    const identity = aws.getCallerIdentityOutput({}, opts);
    const partition = aws.getPartitionOutput({}, opts);
    const key = new aws.kms.Key(
        `${name}-alarms`,
        {
            description: a.description,
            enableKeyRotation: true,
            deletionWindowInDays: lifecycle(a.environment).kmsDeletionWindowDays,
            policy: pulumi.all([identity.accountId, partition.partition]).apply(([account, p]) => alarmKeyPolicy(account, p)),
        },
        // Keys are stateful: deleting one makes everything it encrypted unreadable.
        { ...opts, protect: lifecycle(a.environment).protect },
    );
    const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: key.arn }, opts);
    new aws.sns.TopicPolicy(
        `${name}-alarms`,
        { arn: topic.arn, policy: pulumi.all([topic.arn, identity.accountId]).apply(([arn, account]) => alarmTopicPolicy(arn, account)) },
        opts,
    );
    (a.subscriptions ?? []).forEach(
        (s, i) =>
            new aws.sns.TopicSubscription(`${name}-alarms-${i}`, { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint }, opts),
    );
    return topic;
}

/** One alarm on `id`'s metric, named `<project>-<stack>-<id>-<suffix>`, notifying `topicArn` on alarm and on OK. */
export function metricAlarm(
    resourceName: string,
    id: pulumi.Input<string>,
    spec: AlarmSpec,
    topicArn: pulumi.Input<string>,
    parent: pulumi.Resource,
) {
    const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
    return new aws.cloudwatch.MetricAlarm(
        resourceName,
        {
            name: pulumi.interpolate`${prefix}-${id}-${spec.suffix}`,
            alarmDescription: pulumi.interpolate`${id}: ${spec.description}`,
            namespace: spec.namespace,
            metricName: spec.metricName,
            dimensions: { [spec.dimension]: id },
            statistic: spec.statistic,
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            threshold: spec.threshold,
            comparisonOperator: spec.comparisonOperator,
            treatMissingData: spec.treatMissingData ?? "missing",
            alarmActions: [topicArn],
            okActions: [topicArn],
        },
        { parent },
    );
}

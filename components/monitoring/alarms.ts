/**
 * CloudWatch alarms on RDS and ElastiCache, to an SNS topic encrypted with a
 * customer-managed KMS key that CloudWatch may use (an AWS-managed SNS key
 * would not let CloudWatch publish).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CloudWatchAlarmsArgs } from "./args";
import type { ResolvedMonitoring } from "./resolve";

/** Key policy: the account administers the key; CloudWatch alarms may encrypt messages to the topic. */
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
        ],
    });
}

/** Topic policy: CloudWatch alarms of this account may publish, and only over TLS. */
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

interface AlarmSpec {
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

const GIB = 1024 ** 3;

export function rdsAlarmSpecs(args: NonNullable<CloudWatchAlarmsArgs["rds"]>, r: ResolvedMonitoring, replica: boolean): AlarmSpec[] {
    const rds = { namespace: "AWS/RDS", dimension: "DBInstanceIdentifier" };
    const maxConnections = args.maxConnections ?? 400;
    const specs: AlarmSpec[] = [
        {
            ...rds,
            suffix: "cpu",
            metricName: "CPUUtilization",
            statistic: "Average",
            comparisonOperator: "GreaterThanThreshold",
            threshold: args.cpuPercent ?? 80,
            description: "CPU above threshold",
        },
        {
            ...rds,
            suffix: "free-storage",
            metricName: "FreeStorageSpace",
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: (args.freeStorageGb ?? 10) * GIB,
            description: "free storage below threshold",
        },
        {
            ...rds,
            suffix: "connections",
            metricName: "DatabaseConnections",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: Math.floor(maxConnections * r.thresholds.postgresConnectionsRatio),
            description: `connections above ${r.thresholds.postgresConnectionsRatio * 100}% of max_connections`,
        },
    ];
    if (replica) {
        specs.push({
            ...rds,
            suffix: "replica-lag",
            metricName: "ReplicaLag",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: r.thresholds.replicaLagSeconds,
            description: "replica lag above threshold",
        });
    }
    return specs;
}

export function elastiCacheAlarmSpecs(args: NonNullable<CloudWatchAlarmsArgs["elasticache"]>, r: ResolvedMonitoring): AlarmSpec[] {
    const ec = { namespace: "AWS/ElastiCache", dimension: "CacheClusterId" };
    return [
        {
            ...ec,
            suffix: "memory",
            metricName: "DatabaseMemoryUsagePercentage",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: Math.round(r.thresholds.redisMemoryRatio * 100),
            description: "memory above threshold",
        },
        {
            ...ec,
            suffix: "cpu",
            metricName: "EngineCPUUtilization",
            statistic: "Average",
            comparisonOperator: "GreaterThanThreshold",
            threshold: args.cpuPercent ?? 80,
            description: "engine CPU above threshold",
        },
        {
            ...ec,
            suffix: "evictions",
            metricName: "Evictions",
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: r.thresholds.redisEvictions,
            description: "evictions above threshold",
            treatMissingData: "notBreaching",
        },
    ];
}

/** The key, topic, subscriptions and alarms. Returns the topic. */
export function cloudWatchAlarms(name: string, args: CloudWatchAlarmsArgs, r: ResolvedMonitoring, parent: pulumi.Resource): aws.sns.Topic {
    const opts = { parent };
    const identity = aws.getCallerIdentityOutput({}, opts);
    const partition = aws.getPartitionOutput({}, opts);
    const key = new aws.kms.Key(
        `${name}-alarms`,
        {
            description: "Hangar monitoring alarm topic",
            enableKeyRotation: true,
            deletionWindowInDays: r.environment === "ephemeral" ? 7 : 30,
            policy: pulumi.all([identity.accountId, partition.partition]).apply(([account, p]) => alarmKeyPolicy(account, p)),
        },
        // Keys are stateful: deleting one makes everything it encrypted unreadable.
        { ...opts, protect: r.environment === "prod" },
    );
    const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: key.arn }, opts);
    new aws.sns.TopicPolicy(
        `${name}-alarms`,
        { arn: topic.arn, policy: pulumi.all([topic.arn, identity.accountId]).apply(([arn, account]) => alarmTopicPolicy(arn, account)) },
        opts,
    );
    (args.subscriptions ?? []).forEach(
        (s, i) =>
            new aws.sns.TopicSubscription(`${name}-alarms-${i}`, { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint }, opts),
    );

    const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
    const alarm = (resourceName: string, id: pulumi.Input<string>, spec: AlarmSpec) =>
        new aws.cloudwatch.MetricAlarm(
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
                alarmActions: [topic.arn],
                okActions: [topic.arn],
            },
            opts,
        );
    const rds = args.rds;
    if (rds) {
        rds.instanceIds.forEach((id, i) => rdsAlarmSpecs(rds, r, false).forEach((s) => alarm(`${name}-rds-${i}-${s.suffix}`, id, s)));
        (rds.replicaIds ?? []).forEach((id, i) =>
            rdsAlarmSpecs(rds, r, true).forEach((s) => alarm(`${name}-rds-replica-${i}-${s.suffix}`, id, s)),
        );
    }
    const ec = args.elasticache;
    if (ec) {
        // CloudWatch reports per member cluster: <replication group>-001, -002, …
        for (let i = 1; i <= (ec.nodeCount ?? 2); i++) {
            const member = pulumi.interpolate`${ec.replicationGroupId}-${String(i).padStart(3, "0")}`;
            elastiCacheAlarmSpecs(ec, r).forEach((s) => alarm(`${name}-cache-${i}-${s.suffix}`, member, s));
        }
    }
    return topic;
}

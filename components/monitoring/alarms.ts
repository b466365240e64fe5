/**
 * CloudWatch alarms on RDS and ElastiCache, to an SNS topic encrypted with a
 * customer-managed KMS key that CloudWatch may use (an AWS-managed SNS key
 * would not let CloudWatch publish).
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, encryptedAlarmTopic, metricAlarm, RDS_ALARM_DEFAULTS, RDS_METRICS, rdsInstanceAlarmSpecs } from "../shared/alarms";
import type { CloudWatchAlarmsArgs } from "./args";

export { alarmKeyPolicy, alarmTopicPolicy } from "../shared/alarms";
import type { ResolvedMonitoring } from "./resolve";

export function rdsAlarmSpecs(args: NonNullable<CloudWatchAlarmsArgs["rds"]>, r: ResolvedMonitoring, replica: boolean): AlarmSpec[] {
    const maxConnections = args.maxConnections ?? RDS_ALARM_DEFAULTS.maxConnections;
    const [cpu, freeStorage, replicaLag] = rdsInstanceAlarmSpecs({
        cpuPercent: args.cpuPercent ?? RDS_ALARM_DEFAULTS.cpuPercent,
        freeStorageGb: args.freeStorageGb ?? RDS_ALARM_DEFAULTS.freeStorageGb,
        replicaLagSeconds: r.thresholds.replicaLagSeconds,
    });
    const connections: AlarmSpec = {
        ...RDS_METRICS,
        suffix: "connections",
        metricName: "DatabaseConnections",
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: Math.floor(maxConnections * r.thresholds.postgresConnectionsRatio),
        description: `connections above ${r.thresholds.postgresConnectionsRatio * 100}% of max_connections`,
    };
    return replica ? [cpu, freeStorage, connections, replicaLag] : [cpu, freeStorage, connections];
}

/**
 * RDS Proxy, per proxy: `ClientConnections` (current client connections) and `DatabaseConnectionsBorrowLatency`
 * (microseconds to borrow a pooled connection), namespace AWS/RDS, dimension set `ProxyName` ("Monitoring RDS Proxy
 * metrics with Amazon CloudWatch", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html).
 * Some appear only after the proxy's first connection: missing data does not alarm.
 */
export function rdsProxyAlarmSpecs(args: NonNullable<CloudWatchAlarmsArgs["rds"]>): AlarmSpec[] {
    const proxy = { namespace: "AWS/RDS", dimension: "ProxyName", treatMissingData: "notBreaching" };
    const latencyMs = args.proxyBorrowLatencyMs ?? RDS_ALARM_DEFAULTS.proxyBorrowLatencyMs;
    return [
        {
            ...proxy,
            suffix: "client-connections",
            metricName: "ClientConnections",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: args.proxyClientConnections ?? RDS_ALARM_DEFAULTS.proxyClientConnections,
            description: "client connections to the proxy above threshold",
        },
        {
            ...proxy,
            suffix: "borrow-latency",
            metricName: "DatabaseConnectionsBorrowLatency",
            statistic: "Average",
            comparisonOperator: "GreaterThanThreshold",
            threshold: latencyMs * 1000,
            description: `borrowing a pooled connection takes over ${latencyMs} ms (pool exhausted?)`,
        },
    ];
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
    const topic = encryptedAlarmTopic(
        name,
        { description: "Hangar monitoring alarm topic", environment: r.environment, subscriptions: args.subscriptions },
        parent,
    );
    const alarm = (resourceName: string, id: pulumi.Input<string>, spec: AlarmSpec) =>
        metricAlarm(resourceName, id, spec, topic.arn, parent);
    const rds = args.rds;
    if (rds) {
        rds.instanceIds.forEach((id, i) => rdsAlarmSpecs(rds, r, false).forEach((s) => alarm(`${name}-rds-${i}-${s.suffix}`, id, s)));
        (rds.replicaIds ?? []).forEach((id, i) =>
            rdsAlarmSpecs(rds, r, true).forEach((s) => alarm(`${name}-rds-replica-${i}-${s.suffix}`, id, s)),
        );
        (rds.proxyNames ?? []).forEach((id, i) =>
            rdsProxyAlarmSpecs(rds).forEach((s) => alarm(`${name}-rds-proxy-${i}-${s.suffix}`, id, s)),
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

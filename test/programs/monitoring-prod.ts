// Monitoring as prod runs it: the chart, two Alertmanagers paging through PagerDuty,
// Grafana behind the gateway, both exporters and CloudWatch alarms (prod-shaped defaults).
import * as pulumi from "@pulumi/pulumi";
import { Monitoring } from "../../components/monitoring";
import { providers, RECEIVER_ARN } from "./monitoring-common";

const monitoring = new Monitoring(
    "prod",
    {
        environment: "prod",
        priorityClassName: "hangar-prod-monitoring",
        grafana: { host: "grafana.hangar.example.com", gateway: { namespace: "gateway-system", name: "public", listener: "https" } },
        alertmanager: { receiver: { type: "pagerduty", secretArn: RECEIVER_ARN } },
        postgres: {
            host: "hangar-prod.abc123.eu-west-1.rds.amazonaws.com",
            database: "hangar",
            username: "hangar_monitor",
            password: pulumi.secret("pg-password-from-random"),
            // One in-region replica (as in cloudwatch.rds) and the DR region's.
            replicas: 2,
        },
        redis: { host: "master.hangar-prod.abc123.euw1.cache.amazonaws.com", authToken: pulumi.secret("redis-token-from-random") },
        cloudwatch: {
            rds: { instanceIds: ["hangar-prod"], replicaIds: ["hangar-prod-replica-1"], maxConnections: 800 },
            elasticache: { replicationGroupId: "hangar-prod", nodeCount: 2 },
            subscriptions: [{ protocol: "email", endpoint: "oncall@example.com" }],
        },
    },
    { providers: providers() },
);

export const selectorLabels = monitoring.selectorLabels;
export const readyResources = monitoring.readyResources.length;
export const grafanaUrl = monitoring.grafanaUrl;

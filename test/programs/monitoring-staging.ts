// Monitoring as staging runs it: one replica each, Grafana behind an Ingress,
// Slack receiver from a JSON secret, and the lower thresholds of the staging profile.
import { Monitoring } from "../../components/monitoring";
import { providers, RECEIVER_ARN, STAGING_THRESHOLDS } from "./monitoring-common";

const monitoring = new Monitoring(
    "staging",
    {
        environment: "staging",
        grafana: {
            host: "grafana.staging.example.com",
            exposure: "ingress",
            ingress: { className: "alb", clusterIssuer: "letsencrypt-staging" },
        },
        alertmanager: { receiver: { type: "slack", secretArn: RECEIVER_ARN, secretJsonKey: "webhookUrl", channel: "#hangar-staging" } },
        app: {
            namespace: "hangar-staging",
            requestsMetric: "mcp_requests_total",
            durationBucketMetric: "mcp_request_seconds_bucket",
            statusLabel: "status",
        },
        thresholds: STAGING_THRESHOLDS,
        prometheus: { retention: "10d" },
        resources: { prometheus: { requests: { cpu: "300m", memory: "1536Mi" }, limits: { memory: "3Gi" } } },
        redis: { host: "master.hangar-staging.abc.euw1.cache.amazonaws.com", port: 6380, authToken: "token" },
        cloudwatch: { rds: { instanceIds: ["hangar-staging"] } },
    },
    { providers: providers() },
);

export const selectorLabels = monitoring.selectorLabels;

// Monitoring: kube-prometheus-stack with Hangar's alerts, paging PagerDuty from a Secrets Manager key.
import * as aws from "@pulumi/aws/provider";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { Monitoring } from "@hangar-platform/hangar";

const providers = [
    new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }),
    new k8s.Provider("k8s", { context: "hangar-prod" }),
    new random.Provider("random"),
];

const monitoring = new Monitoring(
    "observability",
    {
        environment: "prod",
        alertmanager: {
            receiver: { type: "pagerduty", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf" },
        },
        grafana: { host: "grafana.example.aero" },
        thresholds: { errorRatio: 0.02, latencyP95Seconds: 0.4 },
        cloudwatch: { rds: { instanceIds: ["flights-prod"] }, subscriptions: [{ protocol: "email", endpoint: "oncall@example.aero" }] },
        // Default deny in the namespace, then only the flows the stack needs (the API server is the control-plane ENIs).
        network: {
            controlPlaneCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
            nodeCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
            dataCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
        },
    },
    { providers },
);

export const grafanaUrl = monitoring.grafanaUrl;
export const alertRules = monitoring.rulesFile;

// Shared by the monitoring test programs: explicit providers, as Platform creates them,
// once per process so that monitoring-suite.ts can run every program in one child.
import * as aws from "@pulumi/aws/provider";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";

let created: [k8s.Provider, aws.Provider, random.Provider] | undefined;

export function providers() {
    created ??= [
        new k8s.Provider("k8s", { kubeconfig: "{}", context: "test" }),
        new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }),
        new random.Provider("random", {}),
    ];
    return created;
}

export const RECEIVER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hangar/pagerduty-AbCdEf";
/** The staging profile's lower thresholds (monitoring-staging.ts). */
export const STAGING_THRESHOLDS = { errorRatio: 0.1, latencyP95Seconds: 1.5, restarts: 5, dumpMaxAgeHours: 50, redisMemoryRatio: 0.85 };

/** `hangar:monitoring`: kube-prometheus-stack (or an existing operator), alert routing and CloudWatch alarms. */
import { z } from "zod";
import { below, get } from "../document";
import type { Row, Scope } from "../rule-table";
import { bool, dnsLabel, hostname, httpsUrl, intIn, mapping, pattern, secretArn } from "../primitives";

/** The kube-prometheus-stack version Hangar's values are checked against (../shared/charts). */
export const VERIFIED_CHART_VERSION = "88.5.3";

const semver = pattern(/^\d+\.\d+\.\d+$/, "a chart version such as 88.5.3");
const duration = pattern(/^\d+[smhdwy]$/, "a duration such as 15d");
const storageSize = pattern(/^\d+(Mi|Gi|Ti)$/, "a volume size such as 100Gi");
const ratio = (what: string) =>
    z
        .number({ error: `expected ${what} between 0 and 1` })
        .gt(0, { error: `expected ${what} between 0 and 1` })
        .max(1, { error: `expected ${what} between 0 and 1` });
const positive = (what: string) => z.number({ error: `expected ${what} > 0` }).gt(0, { error: `expected ${what} > 0` });

export const monitoringSchema = mapping({
    enabled: bool(),
    /** `chart` installs kube-prometheus-stack; `existing-operator` uses one already in the cluster. */
    mode: z.enum(["chart", "existing-operator"], { error: "expected chart or existing-operator" }),
    /** The operator's admission webhooks: `cert-manager` (needs cert-manager in the cluster) or `off` (no webhooks, no operator TLS). */
    operatorWebhooks: z.enum(["cert-manager", "off"], { error: "expected cert-manager or off" }),
    chartVersion: semver,
    crdsChartVersion: semver,
    namespace: dnsLabel,
    /** Prometheus retention. */
    retention: duration,
    retentionSize: pattern(/^\d+(MB|GB|TB)$/, "a size such as 90GB"),
    storageSize,
    storageClass: dnsLabel,
    /** Opt-in: node-exporter needs host namespaces, so it gets its own privileged namespace (a policy exemption). */
    nodeExporter: bool(),
    prometheusReplicas: intIn(1, 5),
    alertmanagerReplicas: intIn(1, 5),
    /** Where Alertmanager sends alerts; the key lives in Secrets Manager. Required in prod with the chart. */
    receiver: mapping({
        type: z.enum(["pagerduty", "slack", "webhook"], { error: "expected pagerduty, slack or webhook" }),
        secretArn,
        secretJsonKey: z.string({ error: "expected a JSON property name" }).optional(),
        channel: z.string({ error: "expected a Slack channel" }).optional(),
    }).optional(),
    /** Grafana's public host (TLS, like the app: the app's gateway or ingress). Not exposed when unset. */
    grafanaHost: hostname.optional(),
    /** The app's metric names the alert rules select on. */
    metrics: mapping({
        requests: pattern(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric name"),
        durationBuckets: pattern(/^[a-zA-Z_:][a-zA-Z0-9_:]*_bucket$/, "a histogram bucket metric name ending in _bucket"),
        statusLabel: pattern(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name"),
    }),
    /** Alert thresholds; per-environment defaults in the profiles. */
    thresholds: mapping({
        errorRatio: ratio("a 5xx ratio"),
        latencyP95Seconds: positive("seconds"),
        restarts: intIn(1, 1000),
        dumpMaxAgeHours: intIn(1, 24 * 31),
        postgresConnectionsRatio: ratio("a connection ratio"),
        replicaLagSeconds: positive("seconds"),
        redisMemoryRatio: ratio("a memory ratio"),
        redisEvictions: intIn(0, 100000000),
        runbookBaseUrl: httpsUrl,
    }),
    /** CloudWatch alarm notifications (SNS, KMS-encrypted). */
    alarmSubscriptions: z.array(
        mapping({
            protocol: z.enum(["email", "https", "sqs", "lambda", "sms"], { error: "expected email, https, sqs, lambda or sms" }),
            endpoint: z.string({ error: "expected an endpoint" }).min(1),
        }),
        {
            error: "expected a list of {protocol, endpoint}",
        },
    ),
});

// ------------------------------------------------------------------- rules

const chart = ({ doc }: Scope) => get(doc, "monitoring.enabled") === true && get(doc, "monitoring.mode") === "chart";
const prodChart = (s: Scope) => chart(s) && s.environment === "prod";

export const monitoringRules: Row[] = [
    {
        path: "monitoring.receiver",
        when: (s) => prodChart(s) && get(s.doc, "monitoring.receiver") === undefined,
        message: "required in prod: Alertmanager needs an on-call receiver (its key by Secrets Manager ARN)",
    },
    {
        path: "monitoring.alertmanagerReplicas",
        when: (s) => prodChart(s) && below(get(s.doc, "monitoring.alertmanagerReplicas"), 2),
        message: "prod runs at least 2",
    },
    {
        path: "monitoring.chartVersion",
        when: (s) =>
            chart(s) &&
            get(s.doc, "monitoring.chartVersion") !== undefined &&
            get(s.doc, "monitoring.chartVersion") !== VERIFIED_CHART_VERSION,
        message: `Hangar's values are verified against kube-prometheus-stack ${VERIFIED_CHART_VERSION}; move the pin together with ../shared/charts`,
    },
    {
        path: "monitoring.receiver.channel",
        when: ({ doc }) => get(doc, "monitoring.receiver.type") === "slack" && get(doc, "monitoring.receiver.channel") === undefined,
        message: "required for a slack receiver",
    },
];

import * as assert from "assert";
import {
    alertmanagerConfig,
    kubePrometheusStackValues,
    MONITORING_DEFAULTS,
    receiverKey,
    resolveMonitoring,
} from "../../components/monitoring";

const receiver = { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pd" };

describe("resolveMonitoring", () => {
    it("fills the documented prod defaults", () => {
        const r = resolveMonitoring({ alertmanager: { receiver } });
        assert.deepStrictEqual(
            [r.environment, r.mode, r.namespace, r.chartVersion, r.crdsChartVersion],
            ["prod", "chart", "monitoring", "88.5.3", "31.0.1"],
        );
        assert.deepStrictEqual(r.prometheus, { replicas: 2, retention: "30d", retentionSize: "90GB", storageSize: "100Gi" });
        assert.deepStrictEqual(
            [r.alertmanager.replicas, r.alertmanager.receiverType, r.nodeExporter, r.createNamespace],
            [2, "pagerduty", false, true],
        );
        assert.deepStrictEqual(r.selectorLabels, { release: "kube-prometheus-stack" });
        assert.deepStrictEqual(r.thresholds, MONITORING_DEFAULTS.thresholds);
        assert.deepStrictEqual(r.resources.prometheus, { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } });
    });

    it("runs the operator without webhooks or TLS where the cluster has no cert-manager (operatorWebhooks off)", () => {
        type Operator = { prometheusOperator: { admissionWebhooks: Record<string, unknown>; tls?: { enabled: boolean } } };
        const on = kubePrometheusStackValues(resolveMonitoring({ alertmanager: { receiver } })) as Operator;
        const hooks = on.prometheusOperator.admissionWebhooks;
        assert.deepStrictEqual([hooks.certManager, hooks.failurePolicy, hooks.enabled], [{ enabled: true }, "Fail", undefined]);
        assert.strictEqual(on.prometheusOperator.tls, undefined, "the chart's default: TLS with the cert-manager certificate");
        const off = kubePrometheusStackValues(resolveMonitoring({ alertmanager: { receiver }, operatorWebhooks: "off" })) as Operator;
        assert.deepStrictEqual(
            [off.prometheusOperator.admissionWebhooks.enabled, off.prometheusOperator.admissionWebhooks.certManager],
            [false, undefined],
        );
        assert.deepStrictEqual(off.prometheusOperator.tls, { enabled: false });
        assert.throws(() => resolveMonitoring({ operatorWebhooks: "self-signed" }), /operatorWebhooks must be one of cert-manager, off/);
    });

    it("sizes staging and ephemeral down, and keeps explicit undefined fields at their defaults", () => {
        const staging = resolveMonitoring({ environment: "staging", prometheus: { retention: undefined } });
        assert.deepStrictEqual([staging.prometheus.replicas, staging.prometheus.retention, staging.alertmanager.replicas], [1, "15d", 1]);
        assert.deepStrictEqual(resolveMonitoring({ environment: "ephemeral" }).prometheus.storageSize, "10Gi");
    });

    it("takes selector labels only from an existing operator, and creates no namespace for it by default", () => {
        const r = resolveMonitoring({ mode: "existing-operator", selectorLabels: { prometheus: "platform" } });
        assert.deepStrictEqual([r.installChart, r.createNamespace, r.selectorLabels], [false, false, { prometheus: "platform" }]);
        assert.deepStrictEqual(resolveMonitoring({ environment: "staging", selectorLabels: { x: "y" } }).selectorLabels, {
            release: "kube-prometheus-stack",
        });
    });

    it("names the arg to fix, all problems at once", () => {
        assert.throws(
            () =>
                resolveMonitoring({
                    environment: "prod",
                    mode: "operator",
                    alertmanager: { replicas: 1 },
                    app: { requestsMetric: "http-requests", durationBucketMetric: "latency_seconds" },
                    thresholds: { errorRatio: 5 },
                    resources: { promethus: {} },
                    grafana: { host: "Grafana.example.com", exposure: "ingress" },
                }),
            (err: Error) => {
                for (const fragment of [
                    "mode must be one of chart, existing-operator",
                    "app.requestsMetric must be a Prometheus metric name",
                    "app.durationBucketMetric must name the histogram's _bucket series",
                    "thresholds.errorRatio must be between 0 and 1",
                    "resources.promethus is not a workload",
                    "grafana.host must be a lowercase DNS name",
                    "grafana.ingress.className is required with ingress exposure",
                ]) {
                    assert.ok(err.message.includes(fragment), `${fragment} in ${err.message}`);
                }
                return true;
            },
        );
    });

    it("refuses a replica count that is not a whole number", () => {
        const postgres = { host: "db", database: "hangar", username: "u", password: "p" };
        for (const replicas of [-1, 1.5, Number.NaN])
            assert.throws(
                () => resolveMonitoring({ environment: "staging", postgres: { ...postgres, replicas } }),
                /postgres\.replicas must be a whole number, 0 or more/,
                String(replicas),
            );
        assert.doesNotThrow(() => resolveMonitoring({ environment: "staging", postgres: { ...postgres, replicas: 0 } }));
    });

    it("refuses prod without two Alertmanagers or an on-call receiver", () => {
        assert.throws(
            () => resolveMonitoring({ alertmanager: { replicas: 1, receiver } }),
            /alertmanager\.replicas must be at least 2 in prod \(got 1\)/,
        );
        assert.throws(() => resolveMonitoring({}), /alertmanager\.receiver is required in prod/);
        assert.throws(
            () => resolveMonitoring({ alertmanager: { receiver: { ...receiver, type: "email" } } }),
            /alertmanager\.receiver\.type must be one of pagerduty, slack, webhook/,
        );
    });

    it("refuses node-exporter without the chart, or in the restricted namespace", () => {
        assert.throws(
            () => resolveMonitoring({ environment: "staging", mode: "existing-operator", nodeExporter: true }),
            /nodeExporter needs mode chart/,
        );
        assert.throws(
            () => resolveMonitoring({ environment: "staging", nodeExporter: true, nodeExporterNamespace: "monitoring" }),
            /must differ from namespace/,
        );
    });
});

describe("Alertmanager configuration", () => {
    it("sends nothing anywhere without a receiver, and keeps the Watchdog route", () => {
        const config = alertmanagerConfig(undefined, undefined, "s", "k", "staging");
        assert.strictEqual(config.route.receiver, "null");
        assert.deepStrictEqual(config.receivers, [{ name: "null" }]);
    });

    it("reads webhook URLs from the mounted secret file", () => {
        const config = alertmanagerConfig("webhook", undefined, "alertmanager-receiver", "receiver-key", "prod");
        assert.deepStrictEqual(config.receivers[1], {
            name: "hangar-oncall",
            webhook_configs: [{ url_file: "/etc/alertmanager/secrets/alertmanager-receiver/receiver-key", send_resolved: true }],
        });
        assert.strictEqual(config.route.repeat_interval, "4h");
    });

    it("takes the receiver key from the whole secret or one JSON property", () => {
        assert.strictEqual(receiverKey("abc", undefined), "abc");
        assert.strictEqual(receiverKey('{"webhookUrl":"https://hooks.example/x"}', "webhookUrl"), "https://hooks.example/x");
        assert.throws(() => receiverKey('{"other":1}', "webhookUrl"), /no string property "webhookUrl"/);
    });

    it("mounts the receiver Secret only when there is a receiver", () => {
        const without = kubePrometheusStackValues(resolveMonitoring({ environment: "staging" })) as {
            alertmanager: { alertmanagerSpec: { secrets?: string[] } };
        };
        assert.strictEqual(without.alertmanager.alertmanagerSpec.secrets, undefined);
    });
});

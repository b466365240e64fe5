import * as assert from "assert";
import { Alertmanager, Prometheus, PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { byType, reveal, Snapshot, SnapshotResource } from "../../tools/harness";
import { validateManifest } from "../../tools/k8s-schema";
import { monitoringSnapshot } from "../programs/monitoring-snapshots";
import { RECEIVER_ARN, STAGING_THRESHOLDS } from "../programs/monitoring-common";

// Manifests as plain data: tests read deep into them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const inputs = (r: SnapshotResource): Any => reveal(r.inputs);
const manifests = (s: Snapshot, type: string): Any[] => byType(s, type).map(inputs);
const chart = (s: Snapshot, name: string): Any => manifests(s, CHART).find((c) => c.chart === name);
const kps = (s: Snapshot): Any => chart(s, "kube-prometheus-stack");
const named = (s: Snapshot, type: string, name: string) => byType(s, type).find((r) => r.name === name) as SnapshotResource;

describe("Monitoring in prod (chart mode)", () => {
    let s: Snapshot;
    before(async () => {
        s = await monitoringSnapshot("prod");
    });

    it("installs the CRDs from prometheus-operator-crds 31.0.1 in a Release kept on delete, before the stack", () => {
        const [crds] = byType(s, RELEASE);
        assert.strictEqual(inputs(crds).chart, "prometheus-operator-crds");
        assert.strictEqual(inputs(crds).version, "31.0.1");
        assert.strictEqual(crds.options.retainOnDelete, true);
        const stack = named(s, CHART, "prod-stack");
        assert.ok(stack.options.dependencies.includes(crds.urn), "kube-prometheus-stack dependsOn the CRD release");
        assert.strictEqual(stack.options.retainOnDelete, false);
    });

    it("installs kube-prometheus-stack 88.5.3 from the prometheus-community repository without its own CRDs or hooks", () => {
        const c = kps(s);
        assert.strictEqual(c.version, "88.5.3");
        assert.strictEqual(c.repositoryOpts.repo, "https://prometheus-community.github.io/helm-charts");
        assert.strictEqual(c.namespace, "monitoring");
        assert.strictEqual(c.values.crds.enabled, false);
        assert.strictEqual(c.values.prometheusOperator.admissionWebhooks.certManager.enabled, true);
        assert.notStrictEqual(c.includeHooks, true);
    });

    it("puts the stack in a namespace that enforces the restricted Pod Security Standard", () => {
        const namespaces = manifests(s, NAMESPACE);
        assert.deepStrictEqual(
            namespaces.map((n) => n.metadata.name),
            ["monitoring"],
            "no privileged node-exporter namespace unless asked",
        );
        assert.strictEqual(namespaces[0].metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.strictEqual(kps(s).values.nodeExporter.enabled, false);
    });

    it("sizes Prometheus and Alertmanager for prod: 2 replicas, 30 days or 90GB on 100Gi gp3 volumes", () => {
        const spec = kps(s).values.prometheus.prometheusSpec;
        assert.deepStrictEqual([spec.replicas, spec.retention, spec.retentionSize], [2, "30d", "90GB"]);
        assert.deepStrictEqual(spec.storageSpec.volumeClaimTemplate.spec.resources.requests, { storage: "100Gi" });
        assert.strictEqual(spec.storageSpec.volumeClaimTemplate.spec.storageClassName, "gp3");
        const am = kps(s).values.alertmanager.alertmanagerSpec;
        assert.ok(am.replicas >= 2);
        assert.strictEqual(am.storage.volumeClaimTemplate.spec.storageClassName, "gp3");
    });

    it("keeps Grafana's admin password a secret from random, in a Secret the chart only names", () => {
        const secret = named(s, SECRET, "prod-grafana-admin");
        assert.ok("@secret" in (secret.inputs.stringData as Any), "stringData is a Pulumi secret");
        const password = named(s, "random:index/randomPassword:RandomPassword", "prod-grafana-admin");
        assert.deepStrictEqual(secret.options.propertyDependencies.stringData, [password.urn]);
        const grafana = kps(s).values.grafana;
        assert.strictEqual(grafana.admin.existingSecret, inputs(secret).metadata.name);
        assert.strictEqual(grafana.adminPassword, undefined);
        const value = inputs(secret).stringData["admin-password"];
        assert.ok(typeof value === "string" && value.length > 0);
        for (const r of s.resources.filter((x) => x.urn !== secret.urn)) {
            assert.ok(!JSON.stringify(r.inputs).includes(value), `${r.type} ${r.name} carries the password`);
        }
        for (const r of byType(s, CONFIGMAP))
            assert.ok(!r.options.propertyDependencies.data?.includes(password.urn), `${r.name} depends on the password`);
    });

    it("reads the PagerDuty key from Secrets Manager into a secret the Alertmanagers mount, never into config", () => {
        const invoke = s.invokes.find((i) => i.token === "aws:secretsmanager/getSecretVersion:getSecretVersion");
        assert.ok(invoke?.provider?.endsWith("::aws"), "read through the program's AWS provider");
        const secret = named(s, SECRET, "prod-receiver");
        assert.ok("@secret" in (secret.inputs.stringData as Any));
        const am = kps(s).values.alertmanager;
        assert.deepStrictEqual(am.alertmanagerSpec.secrets, [inputs(secret).metadata.name]);
        const [oncall] = am.config.receivers.filter((r: Any) => r.name === am.config.route.receiver);
        const file = oncall.pagerduty_configs[0].routing_key_file;
        assert.strictEqual(file, `/etc/alertmanager/secrets/${inputs(secret).metadata.name}/${Object.keys(inputs(secret).stringData)[0]}`);
        assert.ok(!JSON.stringify(kps(s).values).includes(RECEIVER_ARN), "the ARN stays out of the chart values");
        assert.ok(
            am.config.receivers.some((r: Any) => r.name === "null"),
            "Watchdog still has its receiver",
        );
    });

    it("exposes Grafana on the gateway's HTTPS listener", () => {
        const [route] = manifests(s, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
        assert.deepStrictEqual(route.spec.parentRefs[0], {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            namespace: "gateway-system",
            name: "public",
            sectionName: "https",
        });
        assert.deepStrictEqual(route.spec.hostnames, ["grafana.hangar.example.com"]);
        assert.deepStrictEqual(route.spec.rules[0].backendRefs, [{ name: "kube-prometheus-stack-grafana", port: 80 }]);
        assert.strictEqual(kps(s).values.grafana.env.GF_SERVER_ROOT_URL, "https://grafana.hangar.example.com");
        assert.strictEqual(s.outputs.grafanaUrl, "https://grafana.hangar.example.com");
    });

    it("labels every ServiceMonitor and PrometheusRule for the selectors Prometheus uses, and waits for the CRDs", () => {
        const labels = s.outputs.selectorLabels as Record<string, string>;
        assert.deepStrictEqual(labels, { release: "kube-prometheus-stack" });
        const spec = kps(s).values.prometheus.prometheusSpec;
        for (const kind of ["rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"]) {
            assert.deepStrictEqual(spec[`${kind}Selector`], { matchLabels: labels }, kind);
            assert.strictEqual(spec[`${kind}SelectorNilUsesHelmValues`], false, kind);
        }
        const crds = byType(s, RELEASE)[0].urn;
        const objects = [...byType(s, RULE), ...byType(s, MONITOR)];
        assert.strictEqual(objects.length, 3);
        for (const o of objects) {
            for (const [k, v] of Object.entries(labels)) assert.strictEqual(inputs(o).metadata.labels[k], v, `${o.name} ${k}`);
            assert.ok(o.options.dependencies.includes(crds), `${o.name} depends on the CRDs`);
        }
        assert.strictEqual(s.outputs.readyResources, 3, "namespace, CRDs and the stack");
    });

    it("scrapes PostgreSQL with sslmode=verify-full against the mounted RDS CA bundle, credentials from a Secret", () => {
        const pg = chart(s, "prometheus-postgres-exporter");
        assert.strictEqual(pg.version, "8.2.0");
        const ds = pg.values.config.datasource;
        assert.strictEqual(ds.sslmode, "verify-full");
        assert.strictEqual(ds.extraParams, "sslrootcert=/opt/hangar-ca/rds-ca-bundle.pem");
        assert.deepStrictEqual(pg.values.extraVolumeMounts, [{ name: "aws-ca-bundles", mountPath: "/opt/hangar-ca", readOnly: true }]);
        assert.deepStrictEqual(pg.values.extraVolumes, [{ name: "aws-ca-bundles", configMap: { name: "postgres-exporter-ca-bundles" } }]);
        const ca = named(s, CONFIGMAP, "prod-postgres-exporter-ca");
        assert.deepStrictEqual(Object.keys(inputs(ca).data), ["rds-ca-bundle.pem"]);
        assert.strictEqual(inputs(ca).metadata.namespace, "monitoring");
        assert.ok(named(s, CHART, "prod-postgres-exporter").options.dependencies.includes(ca.urn), "the chart waits for the bundle");
        assert.strictEqual(ds.password, undefined);
        assert.deepStrictEqual([ds.userSecret.name, ds.passwordSecret.name], ["postgres-exporter", "postgres-exporter"]);
        const secret = named(s, SECRET, "prod-postgres-exporter");
        assert.ok("@secret" in (secret.inputs.stringData as Any));
        assert.deepStrictEqual(Object.keys(inputs(secret).stringData).sort(), [ds.passwordSecret.key, ds.userSecret.key].sort());
    });

    it("scrapes Redis over rediss:// with the AUTH token from a Secret", () => {
        const redis = chart(s, "prometheus-redis-exporter");
        assert.strictEqual(redis.version, "6.29.0");
        assert.match(redis.values.redisAddress, /^rediss:\/\/master\.hangar-prod\..*:6379$/);
        assert.deepStrictEqual(redis.values.auth, { enabled: true, secret: { name: "redis-exporter", key: "auth-token" } });
        assert.ok("@secret" in (named(s, SECRET, "prod-redis-exporter").inputs.stringData as Any));
    });

    it("points each exporter's ServiceMonitor at the labels and port its chart gives the Service", () => {
        const monitors = manifests(s, MONITOR);
        const pg = monitors.find((m) => m.metadata.name === "prometheus-postgres-exporter");
        assert.deepStrictEqual(pg.spec.selector.matchLabels, {
            "app.kubernetes.io/name": "prometheus-postgres-exporter",
            "app.kubernetes.io/instance": "prometheus-postgres-exporter",
        });
        assert.strictEqual(pg.spec.endpoints[0].port, "http");
        const redis = monitors.find((m) => m.metadata.name === "prometheus-redis-exporter");
        // prometheus-redis-exporter 6.29.0 templates/_helpers.tpl, selectorLabels (not app/release).
        assert.deepStrictEqual(redis.spec.selector.matchLabels, {
            "app.kubernetes.io/name": "prometheus-redis-exporter",
            "app.kubernetes.io/instance": "prometheus-redis-exporter",
        });
        assert.strictEqual(redis.spec.endpoints[0].port, "redis-exporter");
    });

    it("ships six dashboards labelled for the Grafana sidecar the chart configures", () => {
        const sidecar = kps(s).values.grafana.sidecar.dashboards;
        const dashboards = manifests(s, CONFIGMAP).filter((c) => c.metadata.labels?.[sidecar.label] === sidecar.labelValue);
        assert.deepStrictEqual(dashboards.map((d) => d.metadata.name.replace("hangar-dashboard-", "")).sort(), [
            "errors",
            "latency",
            "postgres",
            "redis",
            "saturation",
            "traffic",
        ]);
        for (const d of dashboards) {
            const json = JSON.parse(Object.values(d.data)[0] as string);
            assert.ok(json.uid && json.title && json.panels.length > 0, d.metadata.name);
            for (const p of json.panels)
                assert.ok(p.targets.length > 0 && p.targets.every((t: Any) => t.expr), `${d.metadata.name}/${p.title}`);
        }
    });

    it("encrypts the alarm topic with a rotating customer-managed key that CloudWatch may use", () => {
        const [key] = byType(s, "aws:kms/key:Key");
        const [topic] = byType(s, "aws:sns/topic:Topic");
        assert.strictEqual(inputs(key).enableKeyRotation, true);
        assert.deepStrictEqual(topic.options.propertyDependencies.kmsMasterKeyId, [key.urn]);
        const policy = JSON.parse(inputs(key).policy);
        const cloudwatch = policy.Statement.find((st: Any) => st.Principal.Service === "cloudwatch.amazonaws.com");
        assert.deepStrictEqual([...cloudwatch.Action].sort(), ["kms:Decrypt", "kms:GenerateDataKey*"]);
        const root = policy.Statement.find((st: Any) => st.Principal.AWS);
        assert.deepStrictEqual([root.Principal.AWS, root.Action], ["arn:aws:iam::123456789012:root", "kms:*"]);
        const [sub] = manifests(s, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepStrictEqual([sub.protocol, sub.endpoint], ["email", "oncall@example.com"]);
    });

    it("alarms on RDS (CPU, storage, connections; lag for replicas) and on every ElastiCache node, all to the topic", () => {
        const alarms = byType(s, ALARM);
        const metrics = (dim: string, id: string) =>
            alarms
                .map(inputs)
                .filter((a) => a.dimensions[dim] === id)
                .map((a) => a.metricName)
                .sort();
        assert.deepStrictEqual(metrics("DBInstanceIdentifier", "hangar-prod"), [
            "CPUUtilization",
            "DatabaseConnections",
            "FreeStorageSpace",
        ]);
        assert.deepStrictEqual(metrics("DBInstanceIdentifier", "hangar-prod-replica-1"), [
            "CPUUtilization",
            "DatabaseConnections",
            "FreeStorageSpace",
            "ReplicaLag",
        ]);
        for (const node of ["hangar-prod-001", "hangar-prod-002"]) {
            assert.deepStrictEqual(metrics("CacheClusterId", node), ["DatabaseMemoryUsagePercentage", "EngineCPUUtilization", "Evictions"]);
        }
        const connections = alarms.map(inputs).find((a) => a.metricName === "DatabaseConnections");
        assert.strictEqual(connections.threshold, 640, "80% of max_connections 800");
        const topic = byType(s, "aws:sns/topic:Topic")[0].urn;
        for (const a of alarms) {
            assert.deepStrictEqual(a.options.propertyDependencies.alarmActions, [topic], a.name);
            assert.deepStrictEqual(a.options.propertyDependencies.okActions, [topic], a.name);
        }
    });

    it("validates every Kubernetes object against its schema", () => {
        const models: Record<string, Any> = { PrometheusRule, ServiceMonitor };
        for (const r of s.resources.filter((x) => x.type.startsWith("kubernetes:") && !x.type.startsWith("kubernetes:helm.sh"))) {
            const m = inputs(r);
            const Model = models[m.kind];
            if (Model) assert.doesNotThrow(() => new Model(m).validate(), `${m.kind} ${m.metadata.name}`);
            else assert.deepStrictEqual(validateManifest(m), [], `${m.kind} ${m.metadata.name}`);
        }
        const spec = kps(s).values.prometheus.prometheusSpec;
        const prometheus = {
            metadata: { name: "p" },
            spec: {
                storage: spec.storageSpec,
                resources: spec.resources,
                securityContext: spec.securityContext,
                containers: spec.containers,
            },
        };
        assert.doesNotThrow(() => new Prometheus(prometheus).validate());
        const am = kps(s).values.alertmanager.alertmanagerSpec;
        assert.doesNotThrow(() =>
            new Alertmanager({
                metadata: { name: "a" },
                spec: { storage: am.storage, secrets: am.secrets, containers: am.containers },
            }).validate(),
        );
    });

    it("registers everything through the program's explicit providers", () => {
        for (const r of s.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            assert.match(r.provider ?? "", /pulumi:providers:(kubernetes::k8s|aws::aws|random::random)$/, `${r.type} ${r.name}`);
        }
        for (const i of s.invokes) assert.ok(i.provider?.endsWith("pulumi:providers:aws::aws"), i.token);
    });
});

describe("Monitoring in staging", () => {
    let s: Snapshot;
    before(async () => {
        s = await monitoringSnapshot("staging");
    });

    it("takes the thresholds and metric names it is given", () => {
        const rules = manifests(s, RULE)[0].spec.groups.flatMap((g: Any) => g.rules);
        const expr = (alert: string) => rules.find((r: Any) => r.alert === alert).expr;
        assert.match(expr("HangarHighErrorRate"), /mcp_requests_total\{namespace="hangar-staging", status=~"5\.\."\}.* > 0\.1$/);
        assert.match(expr("HangarHighLatencyP95"), /mcp_request_seconds_bucket\{namespace="hangar-staging"\}.* > 1\.5$/);
        assert.match(expr("HangarPodRestarting"), / > 5$/);
        assert.match(expr("HangarDumpLate"), new RegExp(` > ${STAGING_THRESHOLDS.dumpMaxAgeHours * 3600}\\)`));
        assert.match(expr("HangarRedisMemoryHigh"), / > 0\.85$/);
        assert.ok(!rules.some((r: Any) => r.alert.startsWith("HangarPostgres")), "no PostgreSQL rules without its exporter");
        const memory = byType(s, ALARM)
            .map(inputs)
            .filter((a) => a.metricName === "DatabaseMemoryUsagePercentage");
        assert.deepStrictEqual(memory, [], "no ElastiCache alarms without a replication group");
    });

    it("runs one replica of each, keeps the overridden retention and resources", () => {
        const values = kps(s).values;
        assert.deepStrictEqual([values.prometheus.prometheusSpec.replicas, values.alertmanager.alertmanagerSpec.replicas], [1, 1]);
        assert.deepStrictEqual(
            [values.prometheus.prometheusSpec.retention, values.prometheus.prometheusSpec.retentionSize],
            ["10d", "45GB"],
        );
        assert.deepStrictEqual(values.prometheus.prometheusSpec.resources, {
            requests: { cpu: "300m", memory: "1536Mi" },
            limits: { memory: "3Gi" },
        });
        assert.deepStrictEqual(values.grafana.resources.requests, { cpu: "50m", memory: "128Mi" }, "staging default");
    });

    it("exposes Grafana through an Ingress with TLS and the cert-manager issuer", () => {
        const [ingress] = manifests(s, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.strictEqual(ingress.spec.ingressClassName, "alb");
        assert.deepStrictEqual(ingress.spec.tls[0].hosts, ["grafana.staging.example.com"]);
        assert.strictEqual(ingress.spec.rules[0].host, "grafana.staging.example.com");
        assert.strictEqual(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
    });

    it("sends alerts to Slack with the webhook URL read from a file", () => {
        const config = kps(s).values.alertmanager.config;
        const [oncall] = config.receivers.filter((r: Any) => r.name === config.route.receiver);
        assert.deepStrictEqual(Object.keys(oncall.slack_configs[0]).sort(), ["api_url_file", "channel", "send_resolved"]);
        assert.strictEqual(oncall.slack_configs[0].channel, "#hangar-staging");
        assert.match(chart(s, "prometheus-redis-exporter").values.redisAddress, /:6380$/);
    });
});

describe("Monitoring with an existing operator", () => {
    let s: Snapshot;
    before(async () => {
        s = await monitoringSnapshot("existing");
    });

    it("installs no kube-prometheus-stack, no CRD release, no Grafana secrets and no namespace", () => {
        assert.deepStrictEqual(
            manifests(s, CHART).map((c) => c.chart),
            ["prometheus-postgres-exporter"],
        );
        assert.deepStrictEqual(byType(s, RELEASE), []);
        assert.deepStrictEqual(byType(s, NAMESPACE), []);
        assert.deepStrictEqual(byType(s, "random:index/randomPassword:RandomPassword"), []);
        assert.strictEqual(s.outputs.readyResources, 0);
    });

    it("still creates rules, dashboards, the exporter and alarms, labelled for the existing Prometheus", () => {
        assert.deepStrictEqual(s.outputs.selectorLabels, { prometheus: "platform" });
        for (const o of [...manifests(s, RULE), ...manifests(s, MONITOR)]) {
            assert.strictEqual(o.metadata.labels.prometheus, "platform");
            assert.strictEqual(o.metadata.namespace, "observability");
        }
        assert.strictEqual(manifests(s, CONFIGMAP).filter((c) => c.metadata.labels.grafana_dashboard === "1").length, 6);
        assert.strictEqual(chart(s, "prometheus-postgres-exporter").values.config.datasource.port, "5433");
        // The system roots do not sign RDS certificates: the bundle is mounted here too, in the operator's namespace.
        assert.strictEqual(
            chart(s, "prometheus-postgres-exporter").values.config.datasource.extraParams,
            "sslrootcert=/opt/hangar-ca/rds-ca-bundle.pem",
        );
        const ca = manifests(s, CONFIGMAP).find((c) => c.metadata.name === "postgres-exporter-ca-bundles");
        assert.strictEqual(ca?.metadata.namespace, "observability");
        assert.strictEqual(byType(s, ALARM).length, 3);
    });
});

describe("Monitoring with node-exporter", () => {
    it("puts node-exporter in its own namespace labelled privileged, and only there", async () => {
        const s = await monitoringSnapshot("node-exporter");
        const ns = manifests(s, NAMESPACE).find((n) => n.metadata.name === "monitoring-node-exporter");
        assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        const values = kps(s).values;
        assert.strictEqual(values.nodeExporter.enabled, true);
        assert.strictEqual(values["prometheus-node-exporter"].namespaceOverride, "monitoring-node-exporter");
        assert.strictEqual(values.defaultRules.rules.nodeExporterAlerting, true);
        const stack = named(s, CHART, "node-exporter-stack");
        assert.ok(
            stack.options.dependencies.includes(
                byType(s, NAMESPACE).find((n) => inputs(n).metadata.name === "monitoring-node-exporter")!.urn,
            ),
        );
        assert.strictEqual(
            manifests(s, NAMESPACE).find((n) => n.metadata.name === "monitoring").metadata.labels["pod-security.kubernetes.io/enforce"],
            "restricted",
        );
    });
});

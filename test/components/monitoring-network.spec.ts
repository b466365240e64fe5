/**
 * The monitoring namespace's NetworkPolicies (issue 16, item 4): default deny,
 * then one allow per flow, each selecting the pods by the labels the pinned
 * charts' templates give them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { monitoringPods, PROMETHEUS_QUERY_LABEL } from "../../components/monitoring/pods";
import { byType, reveal, ROOT, snapshotOf, Snapshot } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const CHART_SOURCES = path.resolve(ROOT, "..", "shared", "charts", "src");
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
// Pulumi.prod.yaml: foundation.kubernetes.controlPlaneCidrs and foundation.network.privateSubnetCidrs.
const CONTROL_PLANE = ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"];
const PRIVATE = ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"];
const PODS = monitoringPods("kube-prometheus-stack");

/** Policy name → the pod of the table it selects. */
const SELECTS: [string, keyof typeof PODS][] = [
    ["prometheus", "prometheus"],
    ["alertmanager", "alertmanager"],
    ["prometheus-operator", "operator"],
    ["grafana", "grafana"],
    ["kube-state-metrics", "kubeStateMetrics"],
    ["postgres-exporter", "postgresExporter"],
    ["redis-exporter", "redisExporter"],
];

const selects = (peer: Any, labels: Record<string, string>) => isDeepStrictEqual(peer.podSelector?.matchLabels, labels);
const ports = (rule: Any) => (rule.ports ?? []).map((p: Any) => `${p.protocol}/${p.port}`).sort();
const cidrsOf = (rule: Any) => (rule.to ?? rule.from ?? []).filter((p: Any) => p.ipBlock).map((p: Any) => p.ipBlock.cidr);
const peersWith = (rules: Any[], port: number, protocol = "TCP") =>
    rules.filter((r) => (r.ports ?? []).some((p: Any) => p.port === port && p.protocol === protocol));

describe("the monitoring namespace's NetworkPolicies in prod (issue 16, item 4)", () => {
    let policies: Record<string, Any>;
    before(async () => {
        const s: Snapshot = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
        const mine = byType(s, POLICY)
            .map((r) => reveal(r.inputs) as Any)
            .filter((p) => p.metadata.namespace === "monitoring");
        policies = Object.fromEntries(mine.map((p) => [p.metadata.name, p.spec]));
    });

    it("denies all ingress and egress by default", () => {
        assert.deepStrictEqual(policies["default-deny"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("lets every pod resolve names through kube-dns", () => {
        const [rule] = policies["allow-dns"].egress;
        assert.deepStrictEqual(policies["allow-dns"].podSelector, {});
        assert.deepStrictEqual(rule.to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
        assert.deepStrictEqual(ports(rule), ["TCP/53", "UDP/53"]);
    });

    for (const [policy, pod] of SELECTS) {
        it(`${policy}: selects the labels the chart gives its pods (${PODS[pod].template})`, () => {
            assert.ok(policies[policy], `a ${policy} policy`);
            assert.deepStrictEqual(policies[policy].podSelector, { matchLabels: PODS[pod].labels });
            assert.deepStrictEqual(policies[policy].policyTypes, ["Ingress", "Egress"]);
        });
    }

    it("lets the API server reach the operator's admission webhook, from the control-plane subnets only", () => {
        const [rule] = peersWith(policies["prometheus-operator"].ingress, PODS.operator.ports.https);
        assert.deepStrictEqual(cidrsOf(rule), CONTROL_PLANE);
    });

    it("lets the operator, Prometheus, kube-state-metrics and Grafana's sidecars reach the API server on 443", () => {
        for (const policy of ["prometheus-operator", "prometheus", "kube-state-metrics", "grafana"]) {
            const rules = peersWith(policies[policy].egress, 443);
            assert.deepStrictEqual(rules.flatMap(cidrsOf), CONTROL_PLANE, policy);
        }
    });

    it("lets Prometheus scrape its targets: the app's metrics port, the exporters, kube-state-metrics, the operator", () => {
        const egress = policies.prometheus.egress;
        const app = egress.find((r: Any) =>
            r.to.some((p: Any) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "hangar"),
        );
        assert.deepStrictEqual(ports(app), ["TCP/9090"], "the app services' metrics port");
        for (const pod of ["postgresExporter", "redisExporter", "kubeStateMetrics", "operator", "alertmanager", "grafana"] as const) {
            const target = PODS[pod];
            const rule = egress.find((r: Any) => r.to.some((p: Any) => selects(p, target.labels)));
            assert.ok(rule, `egress to ${pod}`);
            assert.ok(ports(rule).includes(`TCP/${target.ports.metrics}`), `${pod} on ${target.ports.metrics}`);
            const ingress = policies[SELECTS.find(([, p]) => p === pod)![0]].ingress;
            const from = peersWith(ingress, target.ports.metrics).flatMap((r: Any) => r.from);
            assert.ok(
                from.some((p: Any) => selects(p, PODS.prometheus.labels)),
                `${pod} admits Prometheus`,
            );
        }
        assert.deepStrictEqual(peersWith(egress, 10250).flatMap(cidrsOf), PRIVATE, "kubelet and cAdvisor on the nodes");
    });

    it("lets Grafana query Prometheus, and the gateway reach Grafana", () => {
        const toPrometheus = peersWith(policies.grafana.egress, PODS.prometheus.ports.web);
        assert.deepStrictEqual(toPrometheus[0].to[0].podSelector.matchLabels, PODS.prometheus.labels);
        const fromGrafana = peersWith(policies.prometheus.ingress, PODS.prometheus.ports.web).flatMap((r: Any) => r.from);
        assert.ok(fromGrafana.some((p: Any) => selects(p, PODS.grafana.labels)));
        const fromGateway = peersWith(policies.grafana.ingress, PODS.grafana.ports.metrics).flatMap((r: Any) => r.from);
        assert.ok(fromGateway.some((p: Any) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "gateway-system"));
    });

    it("leaves room for a rollout controller: namespaces labelled for it may query Prometheus on 9090", () => {
        const from = peersWith(policies.prometheus.ingress, 9090).flatMap((r: Any) => r.from);
        assert.ok(from.some((p: Any) => p.namespaceSelector?.matchLabels?.[PROMETHEUS_QUERY_LABEL] === "true"));
    });

    it("lets Prometheus reach Alertmanager on 9093, and the Alertmanagers gossip on 9094 TCP and UDP", () => {
        assert.ok(peersWith(policies.prometheus.egress, 9093).length > 0);
        for (const protocol of ["TCP", "UDP"]) {
            const [ingress] = peersWith(policies.alertmanager.ingress, 9094, protocol);
            const [egress] = peersWith(policies.alertmanager.egress, 9094, protocol);
            assert.deepStrictEqual(ingress.from[0].podSelector.matchLabels, PODS.alertmanager.labels, protocol);
            assert.deepStrictEqual(egress.to[0].podSelector.matchLabels, PODS.alertmanager.labels, protocol);
        }
    });

    it("lets Alertmanager reach its receiver on 443 on the internet only, not inside the VPC", () => {
        const [rule] = peersWith(policies.alertmanager.egress, 443);
        assert.strictEqual(rule.to[0].ipBlock.cidr, "0.0.0.0/0");
        for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]) assert.ok(rule.to[0].ipBlock.except.includes(cidr), cidr);
    });

    it("lets the exporters and the login Job reach the data subnets on 5432 and 6379 only", () => {
        for (const [policy, port] of [
            ["postgres-exporter", 5432],
            ["redis-exporter", 6379],
            ["postgres-exporter-login", 5432],
        ] as const) {
            const egress = policies[policy].egress;
            assert.deepStrictEqual(egress.map(ports), [[`TCP/${port}`]], policy);
            assert.deepStrictEqual(cidrsOf(egress[0]), PRIVATE, policy);
        }
        assert.deepStrictEqual(policies["postgres-exporter-login"].ingress, undefined, "the Job admits nothing");
    });
});

describe("the monitoring pod table against the chart templates", () => {
    for (const [id, pod] of Object.entries(PODS)) {
        it(`${id}: its labels and ports are in ${pod.template}`, function () {
            if (!fs.existsSync(CHART_SOURCES)) return this.skip();
            for (const [file, keys] of [
                [pod.template, Object.keys(pod.labels)],
                [pod.portSource, Object.values(pod.ports).map(String)],
            ] as const) {
                const text = fs.readFileSync(path.join(CHART_SOURCES, file.split(" ")[0]), "utf8");
                for (const key of keys) assert.ok(text.includes(key), `${key} in ${file}`);
            }
        });
    }
});

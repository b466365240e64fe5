/**
 * Kubernetes and monitoring defects of the real-world review (issue 16), each
 * checked where two things meet: a monitor and the Service a chart renders, an
 * alert and the series Prometheus really has.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { chartValueAt, UNRENDERED_WORKLOADS } from "../../components/monitoring/workloads";
import { byType, reveal, ROOT, snapshotOf, Snapshot } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const CHART_SOURCES = path.resolve(ROOT, "..", "shared", "charts", "src");
const EXPORTER_CHARTS: Record<string, string> = {
    "prometheus-postgres-exporter": "prometheus-postgres-exporter-8.2.0",
    "prometheus-redis-exporter": "prometheus-redis-exporter-6.29.0",
};

/** The label keys a chart's `<chart>.selectorLabels` helper renders, read from its _helpers.tpl. */
function selectorLabelKeys(chartDir: string, chart: string): string[] {
    const helpers = fs.readFileSync(path.join(CHART_SOURCES, chartDir, "templates", "_helpers.tpl"), "utf8");
    const body = new RegExp(`define "${chart}\\.selectorLabels" -}}([\\s\\S]*?){{- end`).exec(helpers)?.[1] ?? "";
    return [...body.matchAll(/^\s*([\w./-]+):/gm)].map((m) => m[1]).sort();
}

describe("exporter ServiceMonitors in prod (issue 16, item 2)", () => {
    let s: Snapshot;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
    });

    for (const chart of Object.keys(EXPORTER_CHARTS)) {
        it(`${chart}: selects the labels and port the chart's Service really has`, function () {
            const monitor = byType(s, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").find(
                (m) => (reveal(m.inputs.metadata) as Any).name === chart,
            );
            assert.ok(monitor, `a ServiceMonitor for ${chart}`);
            const spec = reveal(monitor.inputs.spec) as Any;
            // The chart renders `app.kubernetes.io/name` (the chart name) and `app.kubernetes.io/instance` (the release, named like the chart).
            assert.deepStrictEqual(spec.selector.matchLabels, { "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": chart });
            if (!fs.existsSync(CHART_SOURCES)) return this.skip();
            assert.deepStrictEqual(Object.keys(spec.selector.matchLabels).sort(), selectorLabelKeys(EXPORTER_CHARTS[chart], chart));
            // The Service's port is named from values: service.portName (redis-exporter) or service.name (postgres-exporter).
            const values = parse(fs.readFileSync(path.join(CHART_SOURCES, EXPORTER_CHARTS[chart], "values.yaml"), "utf8")) as Any;
            assert.deepStrictEqual(
                spec.endpoints.map((e: Any) => e.port),
                [values.service.portName ?? values.service.name],
            );
        });
    }
});

describe("disruption protection of Prometheus and Alertmanager (issue 16, item 10)", () => {
    const stackValues = async (stack: string) => {
        const s = await snapshotOf(stack, { kubeconfig: laptop });
        assert.strictEqual(s.error, undefined, s.error?.message);
        const chart = byType(s, "kubernetes:helm.sh/v4:Chart")
            .map((c) => reveal(c.inputs) as Any)
            .find((c) => c.chart === "kube-prometheus-stack");
        return chart.values;
    };
    it("prod (two of each): a PodDisruptionBudget keeping one up, and replicas in different zones", async () => {
        const v = await stackValues("prod");
        for (const [component, spec] of [
            ["prometheus", "prometheusSpec"],
            ["alertmanager", "alertmanagerSpec"],
        ]) {
            assert.ok(v[component][spec].replicas >= 2);
            assert.deepStrictEqual(v[component].podDisruptionBudget, { enabled: true, minAvailable: 1 }, component);
            assert.strictEqual(v[component][spec].podAntiAffinity, "hard", component);
            assert.strictEqual(v[component][spec].podAntiAffinityTopologyKey, "topology.kubernetes.io/zone", component);
        }
    });
    it("staging (one of each): no budget that would block every drain", async () => {
        const v = await stackValues("staging");
        assert.strictEqual(v.prometheus.podDisruptionBudget, undefined);
        assert.strictEqual(v.alertmanager.podDisruptionBudget, undefined);
    });
});

describe("the operator's admission webhooks (issue 16, item 11)", () => {
    it("fail closed, and every PrometheusRule and ServiceMonitor waits for the operator", async () => {
        const s = await snapshotOf("prod", { kubeconfig: laptop });
        const chart = byType(s, "kubernetes:helm.sh/v4:Chart").find((c) => (reveal(c.inputs) as Any).chart === "kube-prometheus-stack")!;
        assert.strictEqual((reveal(chart.inputs) as Any).values.prometheusOperator.admissionWebhooks.failurePolicy, "Fail");
        const objects = [
            ...byType(s, "kubernetes:monitoring.coreos.com/v1:PrometheusRule"),
            ...byType(s, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"),
        ];
        assert.ok(objects.length >= 3);
        for (const o of objects) assert.ok(o.options.dependencies.includes(chart.urn), `${o.name} waits for the operator's chart`);
    });
});

/** The grammar of pulumi.com/waitFor: `condition=<Type>[=<status>]` or `jsonpath={…}[=<value>]`, alone or as a JSON list. */
function waitForExpressions(annotation: string): string[] {
    const expressions = annotation.trim().startsWith("[") ? (JSON.parse(annotation) as string[]) : [annotation];
    for (const e of expressions) assert.match(e, /^(condition=[A-Za-z]+(=\w+)?|jsonpath=\{[^}]+\}(=\S+)?)$/, e);
    return expressions;
}

describe("up waits for what it deploys (issue 16, item 8)", () => {
    let s: Snapshot;
    before(async () => {
        s = await snapshotOf("prod", { kubeconfig: laptop });
    });
    it("awaits the Prometheus and Alertmanager objects through the chart's annotations values", () => {
        const chart = byType(s, "kubernetes:helm.sh/v4:Chart").find((c) => (reveal(c.inputs) as Any).chart === "kube-prometheus-stack")!;
        const values = (reveal(chart.inputs) as Any).values;
        for (const component of ["prometheus", "alertmanager"]) {
            assert.deepStrictEqual(
                waitForExpressions(values[component].annotations["pulumi.com/waitFor"]),
                ["condition=Available"],
                component,
            );
        }
    });
    it("awaits every HTTPRoute until its Gateway accepted it and resolved its backends", () => {
        const routes = byType(s, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
        assert.ok(routes.length >= 2, "the api and Grafana");
        for (const r of routes) {
            const expressions = waitForExpressions((reveal(r.inputs.metadata) as Any).annotations?.["pulumi.com/waitFor"] ?? "");
            assert.deepStrictEqual(expressions, [
                'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True',
                'jsonpath={.status.parents[0].conditions[?(@.type=="ResolvedRefs")].status}=True',
            ]);
        }
    });
});

describe("Grafana with a read-only root filesystem (issue 16, item 9)", () => {
    // grafana 12.11.1 templates/_pod.tpl mounts emptyDirs `storage` at /var/lib/grafana and `search` at /var/lib/grafana-search.
    const CHART_EMPTY_DIRS = ["/var/lib/grafana", "/var/lib/grafana-search"];
    // values.yaml grafana.ini.paths, read from the chart where ../shared is beside the clone.
    const paths = () => {
        const file = path.join(CHART_SOURCES, "grafana-12.11.1", "values.yaml");
        const fromChart = fs.existsSync(file) ? (parse(fs.readFileSync(file, "utf8")) as Any)["grafana.ini"].paths : undefined;
        return fromChart ?? { data: "/var/lib/grafana/", logs: "/var/log/grafana", plugins: "/var/lib/grafana/plugins" };
    };
    it("has every path it writes on a writable mount, and no plugin installer writing elsewhere", async () => {
        const s = await snapshotOf("prod", { kubeconfig: laptop });
        const chart = byType(s, "kubernetes:helm.sh/v4:Chart").find((c) => (reveal(c.inputs) as Any).chart === "kube-prometheus-stack")!;
        const grafana = (reveal(chart.inputs) as Any).values.grafana;
        assert.strictEqual(grafana.containerSecurityContext.readOnlyRootFilesystem, true);
        const writable = [...CHART_EMPTY_DIRS, ...grafana.extraEmptyDirMounts.map((m: Any) => m.mountPath)];
        const under = (p: string) => writable.some((w) => p.replace(/\/$/, "") === w || p.startsWith(`${w}/`));
        const p = paths();
        for (const wanted of [p.data, p.logs, p.plugins, "/tmp"])
            assert.ok(under(wanted), `${wanted} is not on a writable mount (${writable.join(", ")})`);
        assert.strictEqual(grafana.env.GF_PLUGINS_PREINSTALL_DISABLED, "true");
        assert.deepStrictEqual(grafana.plugins ?? [], [], "no plugins to install");
    });
});

describe("workloads the charts can render outside the workload table (issue 16, item 15)", () => {
    it("stay off: each toggle is set false explicitly, and cites the template it would render", async () => {
        const toggles = UNRENDERED_WORKLOADS.map((w) => w.toggle);
        for (const needed of [
            "prometheusOperator.admissionWebhooks.deployment.enabled",
            "thanosRuler.enabled",
            "windowsMonitoring.enabled",
            "grafana.imageRenderer.enabled",
        ]) {
            assert.ok(toggles.includes(needed), needed);
        }
        for (const stack of ["prod", "staging"]) {
            const s = await snapshotOf(stack, { kubeconfig: laptop });
            const chart = byType(s, "kubernetes:helm.sh/v4:Chart").find(
                (c) => (reveal(c.inputs) as Any).chart === "kube-prometheus-stack",
            )!;
            for (const t of toggles) assert.strictEqual(chartValueAt((reveal(chart.inputs) as Any).values, t), false, `${stack}: ${t}`);
        }
        if (!fs.existsSync(CHART_SOURCES)) return;
        for (const w of UNRENDERED_WORKLOADS) {
            const file = w.source.split(" ")[0];
            assert.ok(fs.existsSync(path.join(CHART_SOURCES, file)), `${w.workload}: ${file}`);
        }
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { chartValueAt, MONITORING_WORKLOADS } from "../../components/monitoring";
import { compareQuantities, parseQuantity } from "../../policies/values/quantity";
import { CHART_VALUES_FILES, committedDigest, digestOfShared, SHARED_CHARTS } from "../../tools/chart-digest";
import { byType, reveal, ROOT, Snapshot } from "../../tools/harness";
import { monitoringSnapshots } from "../programs/monitoring-snapshots";

// Chart values as plain data.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** The pinned charts' values, as the digests the repository keeps (tools/chart-digest.ts): no ../shared needed. */
const load = (file: string): Any => committedDigest(file);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function merge(base: Any, over: Any): Any {
    if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
    const out: Any = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
}

/** Defaults per chart; a subchart's keys are its own defaults overlaid with the parent's block for it. */
function chartDefaults(): Record<string, Any> {
    const kps = load("kube-prometheus-stack-88.5.3.values.yaml");
    for (const [key, file] of [
        ["grafana", "grafana-12.11.1.values.yaml"],
        ["kube-state-metrics", "kube-state-metrics-8.4.0.values.yaml"],
        ["prometheus-node-exporter", "prometheus-node-exporter-4.56.1.values.yaml"],
    ]) {
        kps[key] = merge(load(file), kps[key]);
    }
    return {
        "kube-prometheus-stack": kps,
        "prometheus-postgres-exporter": load("prometheus-postgres-exporter-8.2.0.values.yaml"),
        "prometheus-redis-exporter": load("prometheus-redis-exporter-6.29.0.values.yaml"),
    };
}

// Where a default is a Kubernetes or operator object (or an empty `{}`/`[]` to fill), the
// value is checked against its type instead of the defaults. Alertmanager's configuration
// has no CRD type here: `AmRoute`/`AmReceiver` below transcribe the fields of its documented format Hangar uses.
const OP = "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
const P = 'import("' + OP + '/Prometheus").IPrometheus["spec"]';
const A = 'import("' + OP + '/Alertmanager").IAlertmanager["spec"]';
const core = (kind: string) => `import("kubernetes-models/v1/${kind}").I${kind}`;
const POD = core("PodSecurityContext");
const CONTAINER = core("SecurityContext");
const RESOURCES = core("ResourceRequirements");
const SELECTOR = 'import("@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector").ILabelSelector';
const TYPES: Record<string, Record<string, string>> = {
    "kube-prometheus-stack": {
        ...Object.fromEntries(
            ["storageSpec:storage", "resources", "securityContext", "containers", "initContainers", "externalLabels"].map((k) => {
                const [values, crd] = k.split(":");
                return [`prometheus.prometheusSpec.${values}`, `${P}["${crd ?? values}"]`];
            }),
        ),
        ...Object.fromEntries(
            ["rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"].map((k) => [
                `prometheus.prometheusSpec.${k}Selector`,
                SELECTOR,
            ]),
        ),
        ...Object.fromEntries(
            ["storage", "resources", "securityContext", "containers", "initContainers", "secrets"].map((k) => [
                `alertmanager.alertmanagerSpec.${k}`,
                `${A}["${k}"]`,
            ]),
        ),
        "alertmanager.config.route.group_by": "string[]",
        "alertmanager.config.route.routes": "AmRoute[]",
        "alertmanager.config.receivers": "AmReceiver[]",
        "alertmanager.config.templates": "string[]",
        "prometheusOperator.securityContext": POD,
        "prometheusOperator.containerSecurityContext": CONTAINER,
        "prometheusOperator.resources": RESOURCES,
        "prometheusOperator.prometheusConfigReloader.resources": RESOURCES,
        "prometheusOperator.admissionWebhooks.patch.securityContext": POD,
        "prometheusOperator.admissionWebhooks.patch.resources": RESOURCES,
        "prometheusOperator.admissionWebhooks.createSecretJob.securityContext": CONTAINER,
        "prometheusOperator.admissionWebhooks.patchWebhookJob.securityContext": CONTAINER,
        "grafana.securityContext": POD,
        "grafana.containerSecurityContext": CONTAINER,
        "grafana.resources": RESOURCES,
        "grafana.sidecar.securityContext": CONTAINER,
        "grafana.sidecar.resources": RESOURCES,
        "grafana.downloadDashboards.securityContext": CONTAINER,
        "grafana.downloadDashboards.resources": RESOURCES,
        "grafana.extraEmptyDirMounts": `${core("VolumeMount")}[]`,
        "grafana.env": "Record<string, string>",
        // Annotations of the Prometheus and Alertmanager objects (templates/prometheus/prometheus.yaml, alertmanager.yaml).
        "prometheus.annotations": "Record<string, string>",
        "alertmanager.annotations": "Record<string, string>",
        // kube-state-metrics strips `enabled` before rendering the pod securityContext.
        "kube-state-metrics.securityContext": `${POD} & { enabled: boolean }`,
        "kube-state-metrics.containerSecurityContext": CONTAINER,
        "kube-state-metrics.resources": RESOURCES,
        "prometheus-node-exporter.securityContext": POD,
        "prometheus-node-exporter.containerSecurityContext": CONTAINER,
        "prometheus-node-exporter.resources": RESOURCES,
    },
    "prometheus-postgres-exporter": {
        podSecurityContext: POD,
        securityContext: CONTAINER,
        resources: RESOURCES,
        "config.datasource.userSecret": core("SecretKeySelector"),
        "config.datasource.passwordSecret": core("SecretKeySelector"),
        extraVolumes: `${core("Volume")}[]`,
        extraVolumeMounts: `${core("VolumeMount")}[]`,
    },
    "prometheus-redis-exporter": { podSecurityContext: POD, securityContext: CONTAINER, resources: RESOURCES },
};

/**
 * Keys a chart's values.yaml documents only in a comment (`# priorityClassName: ""`) but its
 * template reads, so they are absent from the defaults: each with the template that reads it
 * (under ../shared/charts/src/) and its type.
 */
const COMMENTED_KEYS: Record<string, Record<string, { template: string; reads: string; type: string }>> = {
    "kube-prometheus-stack": {
        "prometheusOperator.priorityClassName": {
            template: "kube-prometheus-stack-88.5.3/templates/prometheus-operator/deployment.yaml",
            reads: ".Values.prometheusOperator.priorityClassName",
            type: "string",
        },
        "grafana.priorityClassName": { template: "grafana-12.11.1/templates/_pod.tpl", reads: ".Values.priorityClassName", type: "string" },
        "kube-state-metrics.priorityClassName": {
            template: "kube-state-metrics-8.4.0/templates/deployment.yaml",
            reads: ".Values.priorityClassName",
            type: "string",
        },
        "prometheus-node-exporter.priorityClassName": {
            template: "prometheus-node-exporter-4.56.1/templates/daemonset.yaml",
            reads: ".Values.priorityClassName",
            type: "string",
        },
    },
};

const AM_TYPES = `
interface AmRoute { receiver?: string; matchers?: string[]; group_by?: string[]; continue?: boolean; routes?: AmRoute[] }
interface AmReceiver {
    name: string;
    pagerduty_configs?: { routing_key_file: string; send_resolved?: boolean }[];
    slack_configs?: { api_url_file: string; channel?: string; send_resolved?: boolean }[];
    webhook_configs?: { url_file: string; send_resolved?: boolean }[];
}
`;

interface Checked {
    problems: string[];
    typed: { chart: string; path: string; type: string; value: unknown }[];
}

/** Every key of `values` must exist in `defaults` down to the first `{}`/`null`/`[]` or typed path. */
function checkKeys(chart: string, values: unknown, defaults: unknown, at: string, out: Checked): void {
    const type = TYPES[chart][at];
    if (type) {
        out.typed.push({ chart, path: at, type, value: values });
        return;
    }
    const open = defaults === null || (isMap(defaults) && Object.keys(defaults).length === 0) || Array.isArray(defaults);
    if (isMap(values) || Array.isArray(values)) {
        if (open) out.problems.push(`${chart}: ${at} is free-form in the defaults; give it a type in TYPES`);
        else if (!isMap(defaults) || Array.isArray(values))
            out.problems.push(`${chart}: ${at} is ${JSON.stringify(defaults)} in the defaults, not a mapping`);
        else {
            for (const [k, v] of Object.entries(values)) {
                const p = at ? `${at}.${k}` : k;
                const commented = COMMENTED_KEYS[chart]?.[p];
                if (k in defaults) checkKeys(chart, v, defaults[k], p, out);
                else if (commented) out.typed.push({ chart, path: p, type: commented.type, value: v });
                else out.problems.push(`${chart}: ${p} is not a key of the chart`);
            }
        }
    } else if (defaults !== null && defaults !== "" && typeof defaults !== typeof values) {
        out.problems.push(`${chart}: ${at} is a ${typeof values}, the chart's default is a ${typeof defaults}`);
    }
}

/** Type-checks the values below the boundaries against the model types; diagnostics name the values path. */
function typeCheck(typed: Checked["typed"]): string[] {
    const file = path.join(ROOT, "test", "components", "__monitoring_values__.ts");
    const lines = typed.map((t, i) => `export const v${i}: ${t.type} = ${JSON.stringify(t.value)};`);
    const source = `${AM_TYPES}\n${lines.join("\n")}\n`;
    const offset = AM_TYPES.split("\n").length;
    const options: ts.CompilerOptions = {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        lib: ["lib.es2022.d.ts"],
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        target: ts.ScriptTarget.ES2022,
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (f, lang, ...rest) =>
        f === file ? ts.createSourceFile(f, source, lang) : getSourceFile.call(host, f, lang, ...rest);
    host.fileExists = (f) => f === file || fileExists.call(host, f);
    host.readFile = (f) => (f === file ? source : readFile.call(host, f));
    return ts.getPreEmitDiagnostics(ts.createProgram([file], options, host)).map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line - offset : -1;
        const where = typed[line] ? `${typed[line].chart}: ${typed[line].path}` : "values";
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
}

const chartsOf = (s: Snapshot) => byType(s, "kubernetes:helm.sh/v4:Chart").map((c) => reveal(c.inputs) as Any);

describe("Monitoring chart values against the pinned charts", () => {
    let snapshots: Record<string, Snapshot>;
    const defaults = chartDefaults();
    before(async () => {
        snapshots = await monitoringSnapshots();
    });

    it("sets only keys the pinned charts define, and below their open ends only what the Kubernetes and operator types allow", () => {
        const out: Checked = { problems: [], typed: [] };
        for (const s of Object.values(snapshots)) for (const c of chartsOf(s)) checkKeys(c.chart, c.values, defaults[c.chart], "", out);
        assert.deepStrictEqual(out.problems, []);
        assert.ok(out.typed.some((t) => t.path === "prometheus.prometheusSpec.storageSpec"));
        assert.deepStrictEqual(typeCheck(out.typed), []);
    });

    it("notices a mistyped key and a field the operator's types do not have", () => {
        const out: Checked = { problems: [], typed: [] };
        const values = {
            prometheus: {
                prometheusSpec: { retentionSise: "1GB", storageSpec: { volumeClaimTemplate: { spec: { storageClass: "gp3" } } } },
            },
        };
        checkKeys("kube-prometheus-stack", values, defaults["kube-prometheus-stack"], "", out);
        assert.deepStrictEqual(out.problems, ["kube-prometheus-stack: prometheus.prometheusSpec.retentionSise is not a key of the chart"]);
        const errors = typeCheck(out.typed);
        assert.strictEqual(errors.length, 1);
        assert.match(errors[0], /^kube-prometheus-stack: prometheus\.prometheusSpec\.storageSpec: .*'"?storageClass"?' does not exist/);
    });

    it("sets a restricted, non-root security context and requests and limits at every path of the workload table", () => {
        let checked = 0;
        for (const [program, s] of Object.entries(snapshots)) {
            for (const c of chartsOf(s)) {
                for (const w of MONITORING_WORKLOADS.filter((x) => x.chart === c.chart)) {
                    const pod = chartValueAt(c.values, w.podSecurityContext) as Any;
                    const where = `${program}: ${w.id}`;
                    assert.ok(pod, `${where}: ${w.podSecurityContext}`);
                    assert.deepStrictEqual(
                        [pod.runAsNonRoot, pod.runAsUser, pod.seccompProfile?.type],
                        [true, w.uid, "RuntimeDefault"],
                        where,
                    );
                    assert.ok(w.uid > 0);
                    for (const container of w.containers) {
                        const sc = chartValueAt(c.values, container.securityContext) as Any;
                        assert.deepStrictEqual(
                            [
                                sc?.runAsNonRoot,
                                sc?.allowPrivilegeEscalation,
                                sc?.privileged,
                                sc?.readOnlyRootFilesystem,
                                sc?.capabilities,
                                sc?.seccompProfile?.type,
                            ],
                            [true, false, false, true, { drop: ["ALL"] }, "RuntimeDefault"],
                            `${where}/${container.name}: ${container.securityContext}`,
                        );
                        const res = chartValueAt(c.values, container.resources) as Any;
                        assert.ok(
                            res?.requests?.cpu && res?.requests?.memory && res?.limits?.memory,
                            `${where}/${container.name}: ${container.resources}`,
                        );
                        assert.ok(
                            compareQuantities(parseQuantity(res.requests.memory)!, parseQuantity(res.limits.memory)!) <= 0,
                            `${where}/${container.name}: requests ≤ limits`,
                        );
                        checked++;
                    }
                }
            }
        }
        assert.ok(checked >= 3 * 14 + 2, `checked ${checked} containers`);
    });

    it("covers every security context the charts define, or says why the chart never renders it", () => {
        // Security contexts of things the charts render only behind a flag Hangar leaves (or sets) off.
        const N = "prometheus-node-exporter.permissionInitContainer";
        const notRendered: Record<string, string[]> = {
            "crds.upgradeJob": ["crds.enabled", "crds.upgradeJob.enabled"],
            "thanosRuler.thanosRulerSpec": ["thanosRuler.enabled"],
            "prometheusOperator.admissionWebhooks.deployment": ["prometheusOperator.admissionWebhooks.deployment.enabled"],
            "grafana.testFramework": ["grafana.testFramework.enabled"],
            "grafana.initChownData": ["grafana.initChownData.enabled"],
            "grafana.imageRenderer": ["grafana.imageRenderer.enabled"],
            "kube-state-metrics.kubeRBACProxy": ["kube-state-metrics.kubeRBACProxy.enabled"],
            "prometheus-node-exporter.kubeRBACProxy": ["prometheus-node-exporter.kubeRBACProxy.enabled"],
            [N]: Object.keys(chartValueAt(defaults["kube-prometheus-stack"], `${N}.fixes`) as object).map((fix) => `${N}.fixes.${fix}`),
        };
        for (const s of Object.values(snapshots)) {
            const values = chartsOf(s).find((c) => c.chart === "kube-prometheus-stack")?.values;
            if (!values) continue;
            for (const flag of Object.values(notRendered).flat()) {
                assert.strictEqual(chartValueAt(values, flag) ?? chartValueAt(defaults["kube-prometheus-stack"], flag), false, flag);
            }
        }
        const covered = new Set(MONITORING_WORKLOADS.flatMap((w) => [w.podSecurityContext, ...w.containers.map((c) => c.securityContext)]));
        const found: string[] = [];
        const walk = (o: unknown, at: string) => {
            if (!isMap(o)) return;
            for (const [k, v] of Object.entries(o)) {
                const p = at ? `${at}.${k}` : k;
                if (/securitycontext$/i.test(k)) found.push(p);
                else walk(v, p);
            }
        };
        walk(defaults["kube-prometheus-stack"], "");
        const missing = found.filter((p) => !covered.has(p) && !Object.keys(notRendered).some((prefix) => p.startsWith(`${prefix}.`)));
        assert.deepStrictEqual(missing, []);
    });
});

describe("the chart digests the repository keeps", () => {
    it("name, for each key values.yaml only comments, a template that reads it, where ../shared/charts is beside the clone", function () {
        if (!fs.existsSync(SHARED_CHARTS)) return this.skip();
        for (const keys of Object.values(COMMENTED_KEYS))
            for (const [key, { template, reads }] of Object.entries(keys))
                assert.ok(fs.readFileSync(path.join(SHARED_CHARTS, "src", template), "utf8").includes(reads), `${key}: ${template}`);
    });

    it("match the pinned charts' values.yaml under ../shared/charts, where it is beside the clone", function () {
        if (!fs.existsSync(SHARED_CHARTS)) return this.skip();
        for (const file of CHART_VALUES_FILES) {
            assert.deepStrictEqual(committedDigest(file), digestOfShared(file), `${file}: run npm run chart-digest and review the diff`);
        }
    });
});

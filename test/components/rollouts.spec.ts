import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { analysisQueries, failureConditions } from "../../components/app/analysis";
import { budgetedQuota } from "../../components/app/app-tier";
import { RolloutDeliveryArgs, rolloutAwait, rolloutSpec } from "../../components/app/rollout";
import { resolveService } from "../../components/app/spec";
import { httpRouteSpec, resolveGateway, ROUTE_RULES_IGNORED } from "../../components/shared/exposure";
import { validateManifest } from "../../tools/k8s-schema";
import { parse as parseYaml } from "yaml";
import { rolloutsValues } from "../../components/rollouts";
import { ROOT } from "../../tools/harness";
import { clusterPrerequisites } from "../../components/platform/prerequisites";
import { parseConfig, readStackConfig, toPlatformArgs } from "../../config";
import { reveal } from "../../tools/harness/snapshot";
import { realStacks } from "../policies/wiring-fixtures";
import { WORKLOAD_KINDS, compliantPod } from "../policies/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const src = { prometheusAddress: "http://prom:9090", errorRatio: 0.02, latencyP95Seconds: 0.5 };
const api = resolveService({
    name: "api",
    image: "ghcr.io/acme/api:1.0.0",
    port: 8080,
    public: true,
    host: "api.example.com",
    metrics: { port: 9090 },
});

describe("progressive delivery (Argo Rollouts) in the real stacks", () => {
    const stacks = realStacks();

    it("prod runs each public service as a canary split on its route, analysed on its own metrics", () => {
        const rollouts = stacks.prod.resources.filter((r) => r.type === ROLLOUT).map((r) => reveal(r.inputs) as Any);
        const apiRollout = rollouts.find((r) => r.metadata.name === "api");
        const canary = apiRollout.spec.strategy.canary;
        assert.deepStrictEqual(canary.analysis.templates, [{ templateName: "api-rollout" }]);
        assert.ok(canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"], "split on the HTTPRoute");
        assert.strictEqual(apiRollout.spec.progressDeadlineAbort, true);
        assert.strictEqual(apiRollout.spec.replicas, undefined, "spec.replicas stays with the HPA");
        for (const r of rollouts) assert.deepStrictEqual(validateManifest(r), [], r.metadata.name);
    });

    it("makes up wait for full promotion, bounded by the steps' total; a manual promotion is not awaited", () => {
        const apiRollout = stacks.prod.resources.find((r) => r.type === ROLLOUT && (r.inputs.metadata as Any).name === "api")!;
        const annotations = (reveal(apiRollout.inputs.metadata) as Any).annotations;
        assert.deepStrictEqual(JSON.parse(annotations["pulumi.com/waitFor"]), ["jsonpath={.status.phase}=Healthy", "condition=Completed"]);
        // prod's api: 120 + 300 + 300 s of pauses, 3 measurements of 60 s, the 600 s progress deadline.
        assert.strictEqual(annotations["pulumi.com/timeoutSeconds"], String(120 + 300 + 300 + 180 + 600));
        const manual = resolveService({ ...api, strategy: "blueGreen" } as Any);
        assert.deepStrictEqual(rolloutAwait(manual), { annotations: { "pulumi.com/skipAwait": "true" } });
    });

    it("creates the route with stable 100 / canary 0 and ignores its rules afterwards", () => {
        const route = stacks.prod.resources.find((r) => r.type === ROUTE && (r.inputs.metadata as Any).name === "api")!;
        assert.deepStrictEqual(
            (reveal(route.inputs.spec) as Any).rules[0].backendRefs.map((b: Any) => [b.name, b.weight]),
            [
                ["api", 100],
                ["api-canary", 0],
            ],
        );
        assert.deepStrictEqual(route.options.ignoreChanges, ROUTE_RULES_IGNORED);
    });
});

/**
 * What `pulumi up` applies to the route after creation, once the controller moved the weights: the engine keeps
 * the old inputs for an ignored path and the provider drops a field only another manager owns (the model and its
 * citations: ./ssa-model.ts). The applied object carries no rules, hence no weights: the canary keeps its split.
 */
describe("the canary route under server-side apply", () => {
    it("the applied object carries no weights after creation", () => {
        const spec = httpRouteSpec(["api.example.com"], { service: "api", port: 8080 }, resolveGateway(undefined), "api-canary");
        const live: { rules: Any[]; owners: Set<string> } = { rules: spec.rules, owners: new Set(["pulumi"]) };
        // The controller writes the weights (a non-apply update of the atomic list): it owns spec.rules alone.
        live.rules = [
            {
                ...spec.rules[0],
                backendRefs: [
                    { ...spec.rules[0].backendRefs[0], weight: 75 },
                    { ...spec.rules[0].backendRefs[1], weight: 25 },
                ],
            },
        ];
        live.owners = new Set(["rollouts-controller"]);
        const ignored = ROUTE_RULES_IGNORED.includes("spec.rules");
        const othersOnly = !live.owners.has("pulumi");
        const applied: Any = { ...spec };
        if (ignored && othersOnly) delete applied.rules;
        assert.strictEqual(applied.rules, undefined, "the apply would reset the weights mid-canary");
        assert.strictEqual(JSON.stringify(applied).includes("weight"), false);
        assert.deepStrictEqual(
            live.rules[0].backendRefs.map((b: Any) => b.weight),
            [75, 25],
        );
    });
});

describe("the Argo Rollouts controller's values (argo-rollouts 2.41.0)", () => {
    const values = rolloutsValues({
        gatewayPlugin: { location: "https://example.com/plugin", sha256: "a".repeat(64) },
        serviceMonitorLabels: { release: "kube-prometheus-stack" },
    }) as Any;

    it("run the controller restricted, with requests and a memory limit, the plugin pinned by checksum", () => {
        assert.deepStrictEqual(values.podSecurityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        assert.deepStrictEqual(values.containerSecurityContext, {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.ok(
            values.controller.resources.requests.cpu &&
                values.controller.resources.requests.memory &&
                values.controller.resources.limits.memory,
        );
        assert.deepStrictEqual(values.controller.trafficRouterPlugins, [
            { name: "argoproj-labs/gatewayAPI", location: "https://example.com/plugin", sha256: "a".repeat(64) },
        ]);
        assert.strictEqual(values.keepCRDs, true);
    });

    it("set only keys the chart's defaults have, down to the first {} or [] (when ../shared is there)", function () {
        const file = path.join(ROOT, "..", "shared", "charts", "src", "argo-rollouts-2.41.0", "values.yaml");
        if (!fs.existsSync(file)) this.skip();
        const defaults = parseYaml(fs.readFileSync(file, "utf8")) as Any;
        const missing: string[] = [];
        // Rendered verbatim by toYaml (templates/controller/deployment.yaml): Kubernetes types, validated below.
        const kubernetesTyped = ["podSecurityContext", "containerSecurityContext", "controller.resources"];
        const walk = (set: Any, known: Any, at: string) => {
            for (const [key, value] of Object.entries(set)) {
                if (kubernetesTyped.includes(`${at}${key}`)) continue;
                if (!(key in known)) missing.push(`${at}${key}`);
                else if (value && typeof value === "object" && !Array.isArray(value) && known[key] && typeof known[key] === "object") {
                    if (Object.keys(known[key]).length > 0) walk(value, known[key], `${at}${key}.`);
                }
            }
        };
        walk(values, defaults, "");
        assert.deepStrictEqual(missing, []);
    });

    it("pass the controller's security contexts and resources as the Kubernetes schema accepts them", () => {
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "argo-rollouts" },
            spec: {
                securityContext: values.podSecurityContext,
                containers: [
                    {
                        name: "argo-rollouts",
                        image: "quay.io/argoproj/argo-rollouts:v1.9.0",
                        securityContext: values.containerSecurityContext,
                        resources: values.controller.resources,
                    },
                ],
            },
        };
        assert.deepStrictEqual(validateManifest(pod), []);
    });
});

describe("Rollout pod templates under the guardrails", () => {
    it("the fixture Rollout is schema-valid (@kubernetes-models/argo-rollouts 0.3, CommonJS)", () => {
        const kind = WORKLOAD_KINDS.find((k) => k.type === ROLLOUT)!;
        assert.deepStrictEqual(validateManifest(kind.wrap(compliantPod()) as Any), []);
    });

    it("blue-green renders active and preview Services, promotes manually in prod, and doubles the quota", () => {
        const bg = resolveService({ ...api, strategy: "blueGreen" } as Any);
        const spec = rolloutSpec(bg, { metadata: {}, spec: { containers: [] } }, "hangar", true, { analysis: src } as RolloutDeliveryArgs);
        const blue = (spec.strategy as Any).blueGreen;
        assert.deepStrictEqual([blue.activeService, blue.previewService, blue.autoPromotionEnabled], ["api", "api-preview", false]);
        assert.deepStrictEqual(blue.prePromotionAnalysis.templates, [{ templateName: "api-rollout" }]);
        assert.deepStrictEqual(
            budgetedQuota({ requestsCpu: "16", requestsMemory: "32Gi", limitsMemory: "48Gi", pods: 100 }, [
                { strategy: "blueGreen" } as Any,
            ]),
            {
                requestsCpu: "32",
                requestsMemory: "64Gi",
                limitsMemory: "96Gi",
                pods: 200,
            },
        );
    });

    it("with an existing controller, needs its CRDs in the cluster (preflight); with the chart, installs them", () => {
        const doc = readStackConfig(path.join(ROOT, "Pulumi.prod.yaml"));
        const ids = (d: Any) => {
            const parsed = parseConfig(d, "prod");
            assert.ok(parsed.ok);
            return clusterPrerequisites(toPlatformArgs(parsed.config, "")).map((p) => p.id);
        };
        assert.ok(!ids(doc).includes("crd:rollouts.argoproj.io"));
        const existing = structuredClone(doc) as Any;
        existing["hangar:app"].rollouts.mode = "existing";
        assert.ok(ids(existing).includes("crd:rollouts.argoproj.io") && ids(existing).includes("crd:analysistemplates.argoproj.io"));
    });

    it("refuses canary weights that do not increase", () => {
        assert.throws(
            () =>
                resolveService({
                    ...api,
                    canary: {
                        steps: [
                            { weight: 50, pauseSeconds: 60 },
                            { weight: 20, pauseSeconds: 60 },
                        ],
                    },
                } as Any),
            /increase/,
        );
    });
});

/** The analysis queries against synthetic series (promtool test rules), and the failure condition on their results. */
describe("the AnalysisTemplate's queries (promtool) and failure conditions", () => {
    const HASH = "abc123";
    const q = analysisQueries(api, src, "hangar", HASH);
    const c = failureConditions(api, src);
    // The Argo Rollouts expr `result[0] > x` reads the same in JavaScript; both compare IEEE 754 floats (NaN > x is false).
    const failed = (condition: string, value: number) => new Function("result", `return ${condition};`)([value]) as boolean;
    const series = (hash: string, errors: number, total: number, slow: boolean) => {
        const sel = `namespace="hangar", service="api", rollouts_pod_template_hash="${hash}"`;
        const per = (n: number) => `0+${n}x20`;
        const buckets = slow ? { "0.5": 0, "1": 1, "+Inf": 1 } : { "0.5": 1, "1": 1, "+Inf": 1 };
        return [
            { series: `http_requests_total{${sel}, code="200"}`, values: per(total - errors) },
            { series: `http_requests_total{${sel}, code="500"}`, values: per(errors) },
            ...Object.entries(buckets).map(([le, f]) => ({
                series: `http_request_duration_seconds_bucket{${sel}, le="${le}"}`,
                values: per(total * f),
            })),
        ];
    };
    const cases: [string, Any[], number, number][] = [
        ["healthy", series(HASH, 0, 60, false), 0, 0.475],
        ["failing", series(HASH, 30, 60, true), 0.5, 0.975],
        ["without traffic", [], 0, 0],
        ["traffic only on the stable revision", series("stable9", 30, 60, true), 0, 0],
    ];

    it("returns the expected values for healthy, failing and quiet revisions (promtool test rules)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-analysis-"));
        try {
            fs.writeFileSync(path.join(dir, "rules.yaml"), "groups: []\n");
            const tests = cases.map(([, input, ratio, p95]) => ({
                interval: "1m",
                input_series: input,
                promql_expr_test: [
                    { expr: q.errorRatio, eval_time: "10m", exp_samples: [{ labels: "{}", value: ratio }] },
                    { expr: q.latencyP95, eval_time: "10m", exp_samples: [{ labels: "{}", value: p95 }] },
                ],
            }));
            fs.writeFileSync(path.join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], tests }));
            const run = spawnSync(process.env.PROMTOOL ?? "promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" });
            assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails a measurement only when the new revision is bad; no traffic and NaN pass", () => {
        for (const [name, , ratio, p95] of cases) {
            const bad = failed(c.errorRatio, ratio) || failed(c.latencyP95, p95);
            assert.strictEqual(bad, name === "failing", name);
        }
        assert.strictEqual(failed(c.errorRatio, NaN), false, "a NaN that slipped through does not fail the measurement");
        // failureLimit 1: a second failed measurement fails the run, and a failed background run aborts the rollout.
        assert.strictEqual(api.analysis.failureLimit, 1);
    });
});

import * as assert from "assert";
import { chartValueAt, MONITORING_WORKLOADS } from "../../components/monitoring";
import { PRIORITY_TIERS, priorityClassSpecs } from "../../components/shared/priority-classes";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { byType, reveal, realStackSnapshots, Snapshot } from "../../tools/harness";
import { monitoringSnapshot } from "../programs/monitoring-snapshots";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const PRIORITY_CLASS = "kubernetes:scheduling.k8s.io/v1:PriorityClass";
const manifests = (s: Snapshot, type: string): Any[] => byType(s, type).map((r) => reveal(r.inputs));

describe("PriorityClasses: the API above monitoring above workers above batch", () => {
    it("are ordered, never the global default, and batch never preempts", () => {
        const specs = priorityClassSpecs("hangar-prod");
        assert.deepStrictEqual(
            specs.map((s) => s.metadata.name),
            ["hangar-prod-api", "hangar-prod-monitoring", "hangar-prod-workers", "hangar-prod-batch"],
        );
        const values = specs.map((s) => s.value);
        assert.deepStrictEqual(
            values,
            [...values].sort((a, b) => b - a),
            "highest first",
        );
        assert.ok(values[0] <= 1000000000, "user classes may not exceed one billion");
        for (const s of specs) assert.strictEqual(s.globalDefault, false, s.metadata.name);
        assert.strictEqual(PRIORITY_TIERS.batch.preemptionPolicy, "Never");
        assert.strictEqual(PRIORITY_TIERS.api.preemptionPolicy, "PreemptLowerPriority");
    });

    describe("as the stacks wire them", () => {
        let prod: Snapshot;
        let staging: Snapshot;
        before(async () => {
            [prod, staging] = await realStackSnapshots(LAPTOP_KUBECONFIG);
        });

        it("are named by the stack, so prod and staging can share a cluster", () => {
            const names = (s: Snapshot) => manifests(s, PRIORITY_CLASS).map((c) => c.metadata.name);
            assert.deepStrictEqual(names(prod).sort(), [
                "hangar-prod-api",
                "hangar-prod-batch",
                "hangar-prod-monitoring",
                "hangar-prod-workers",
            ]);
            assert.ok(
                names(staging).every((n) => n.startsWith("hangar-staging-")),
                names(staging).join(", "),
            );
        });

        it("give public services the api class and the others the workers class", () => {
            const classes = Object.fromEntries(
                [...manifests(prod, "kubernetes:apps/v1:Deployment"), ...manifests(prod, "kubernetes:argoproj.io/v1alpha1:Rollout")].map(
                    (d) => [d.metadata.name, d.spec.template.spec.priorityClassName],
                ),
            );
            assert.deepStrictEqual(classes, { api: "hangar-prod-api", workers: "hangar-prod-workers" });
        });

        it("waits for the classes: each pod template's spec depends on its PriorityClass", () => {
            const classUrns = byType(prod, PRIORITY_CLASS).map((c) => c.urn);
            for (const r of [
                ...byType(prod, "kubernetes:apps/v1:Deployment"),
                ...byType(prod, "kubernetes:argoproj.io/v1alpha1:Rollout"),
                ...byType(prod, "kubernetes:batch/v1:CronJob"),
            ])
                assert.ok(
                    (r.options.propertyDependencies?.spec ?? []).some((u: string) => classUrns.includes(u)),
                    `${r.name}: ${JSON.stringify(r.options.propertyDependencies?.spec)}`,
                );
        });

        it("run the pg_dump CronJob in the batch class", () => {
            const [dump] = manifests(prod, "kubernetes:batch/v1:CronJob");
            assert.strictEqual(dump.spec.jobTemplate.spec.template.spec.priorityClassName, "hangar-prod-batch");
        });

        it("put every pod the charts render in the monitoring class", () => {
            const charts = manifests(prod, "kubernetes:helm.sh/v4:Chart");
            assert.ok(charts.length >= 3, "kube-prometheus-stack and both exporters");
            for (const c of charts) {
                const workloads = MONITORING_WORKLOADS.filter((w) => w.chart === c.chart);
                assert.ok(workloads.length > 0, c.chart);
                for (const w of workloads) assert.strictEqual(chartValueAt(c.values, w.priorityClassName), "hangar-prod-monitoring", w.id);
            }
        });
    });

    it("Monitoring sets its priorityClassName at every path of the workload table, node-exporter included", async () => {
        const s = await monitoringSnapshot("node-exporter");
        const [kps] = manifests(s, "kubernetes:helm.sh/v4:Chart").filter((c) => c.chart === "kube-prometheus-stack");
        for (const w of MONITORING_WORKLOADS.filter((x) => x.chart === "kube-prometheus-stack"))
            assert.strictEqual(chartValueAt(kps.values, w.priorityClassName), "hangar-pr-1-monitoring", w.id);
    });
});

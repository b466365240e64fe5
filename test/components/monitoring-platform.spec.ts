import * as assert from "assert";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { byType, isSecret, reveal, realStackSnapshots, Snapshot, SnapshotResource } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const ruleExpr = (s: Snapshot, alert: string): string =>
    byType(s, RULE)
        .flatMap((r) => (reveal(r.inputs.spec) as Any).groups.flatMap((g: Any) => g.rules))
        .find((rule: Any) => rule.alert === alert)?.expr;

describe("Monitoring as the stacks wire it", () => {
    let prod: Snapshot;
    let staging: Snapshot;
    before(async () => {
        [prod, staging] = await realStackSnapshots(LAPTOP_KUBECONFIG);
    });

    it("gives every app service with metrics a ServiceMonitor the chart selects, created after the CRDs", () => {
        const crds = byType(prod, "kubernetes:helm.sh/v3:Release").find((r) => r.name.endsWith("-crds")) as SnapshotResource;
        assert.ok(crds, "the CRD release");
        const appMonitors = byType(prod, SERVICE_MONITOR).filter((m) => (m.inputs.metadata as Any).namespace === "hangar");
        assert.deepStrictEqual(appMonitors.map((m) => (m.inputs.metadata as Any).name).sort(), ["api", "workers"]);
        for (const m of [...byType(prod, SERVICE_MONITOR), ...byType(prod, RULE)]) {
            assert.strictEqual((m.inputs.metadata as Any).labels.release, "kube-prometheus-stack", `${m.name} carries the release label`);
            assert.ok(m.options.dependencies.includes(crds.urn), `${m.name} waits for the CRDs`);
        }
    });

    it("alerts on thresholds that follow the environment", () => {
        const errorAlert = (s: Snapshot) => {
            const name = byType(s, RULE)
                .flatMap((r) => (reveal(r.inputs.spec) as Any).groups.flatMap((g: Any) => g.rules))
                .find((r: Any) => /5xx|Error/i.test(r.alert ?? ""))?.alert;
            return ruleExpr(s, name);
        };
        assert.match(errorAlert(prod), /0\.02\b/);
        assert.match(errorAlert(staging), /0\.1\b/);
    });

    it("measures replica lag on the writer's pg_stat_replication and expects every replica the stack has there", () => {
        // prod: two in-region replicas and the DR region's; staging: none.
        assert.match(ruleExpr(prod, "HangarPostgresReplicaLag"), /pg_stat_replication_pg_wal_lsn_diff/);
        assert.doesNotMatch(ruleExpr(prod, "HangarPostgresReplicaLag"), /pg_replication_lag_seconds/);
        assert.match(ruleExpr(prod, "HangarPostgresReplicaMissing"), /\(pg_stat_replication_pg_current_wal_lsn_bytes\{[^}]*\}\) < 3\)/);
        assert.match(ruleExpr(staging, "HangarPostgresReplicaLag"), / > 120$/);
        assert.strictEqual(ruleExpr(staging, "HangarPostgresReplicaMissing"), undefined);
    });

    it("keeps Grafana's admin password and the exporters' credentials secret", () => {
        const secrets = byType(prod, "kubernetes:core/v1:Secret").filter((r) => (r.inputs.metadata as Any).namespace === "monitoring");
        assert.ok(secrets.length >= 3, "grafana admin, postgres and redis exporter credentials");
        for (const secret of secrets)
            assert.ok(
                isSecret(secret.inputs.stringData) ||
                    Object.values((secret.inputs.stringData ?? secret.inputs.data) as Any).every(isSecret),
                `${secret.name} is secret`,
            );
        const grafana = secrets.find((r) => (r.inputs.metadata as Any).name === "grafana-admin") as SnapshotResource;
        assert.ok(grafana, "Grafana's admin Secret");
    });

    it("restricts the monitoring namespace like the app's", () => {
        const ns = byType(prod, "kubernetes:core/v1:Namespace").find(
            (n) => (n.inputs.metadata as Any).name === "monitoring",
        ) as SnapshotResource;
        assert.strictEqual((ns.inputs.metadata as Any).labels["pod-security.kubernetes.io/enforce"], "restricted");
    });
});

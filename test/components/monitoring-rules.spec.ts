import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { alertGroups, hangarDashboards, renderRulesFile, resolveMonitoring, AlertRuleGroup } from "../../components/monitoring";
import { byType, reveal, ROOT } from "../../tools/harness";
import { monitoringSnapshot } from "../programs/monitoring-snapshots";

const FIXTURES = path.join(ROOT, "test", "fixtures", "monitoring");
const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const TEST_FILES = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".test.yaml"))
    .sort();
const fixture = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "utf8");

/** Runs promtool; a missing promtool fails the test (CI installs Debian's prometheus package). */
function promtool(args: string[], cwd: string): { ok: boolean; output: string } {
    const result = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 60_000 });
    if (result.error) {
        throw new Error(
            `cannot run ${PROMTOOL} (${result.error.message}): install Debian's prometheus package, which CI installs, or set PROMTOOL`,
        );
    }
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function workdir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-promtool-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** The alert rules as the prod-shaped program deploys them (the PrometheusRule in the snapshot). */
async function deployedGroups(): Promise<AlertRuleGroup[]> {
    const [rule] = byType(await monitoringSnapshot("prod"), "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    return (reveal(rule.inputs) as { spec: { groups: AlertRuleGroup[] } }).spec.groups;
}

describe("Hangar's alert rules", () => {
    let groups: AlertRuleGroup[];
    let dir: string;
    before(async () => {
        groups = await deployedGroups();
        dir = workdir({ "prometheus-rules.yaml": renderRulesFile(groups), ...Object.fromEntries(TEST_FILES.map((f) => [f, fixture(f)])) });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("pass promtool check rules, every group and every rule of the rendered file", () => {
        const rules = groups.flatMap((g) => g.rules);
        assert.deepStrictEqual(
            groups.map((g) => g.name),
            ["hangar-app", "hangar-backups", "hangar-postgres", "hangar-redis"],
        );
        const { ok, output } = promtool(["check", "rules", "prometheus-rules.yaml"], dir);
        assert.ok(ok, output);
        assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
    });

    it("promtool check rules refuses a broken expression (the check can fail)", () => {
        const broken = structuredClone(groups);
        broken[0].rules[0].expr = "sum by (service) (rate(http_requests_total[5m])";
        const bad = workdir({ "bad.yaml": renderRulesFile(broken) });
        try {
            assert.strictEqual(promtool(["check", "rules", "bad.yaml"], bad).ok, false);
        } finally {
            fs.rmSync(bad, { recursive: true, force: true });
        }
    });

    it("fire on breaching series and stay silent on healthy ones (promtool test rules)", () => {
        assert.deepStrictEqual(TEST_FILES, ["alerts.test.yaml", "dump-late.test.yaml", "replication.test.yaml"]);
        const { ok, output } = promtool(["test", "rules", ...TEST_FILES], dir);
        assert.ok(ok, output);
    });

    it("have a promtool case in which each alert fires and one in which it stays silent", () => {
        const cases = TEST_FILES.flatMap((f) => parse(fixture(f)).tests).flatMap(
            (t: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }) => t.alert_rule_test,
        );
        for (const alert of groups.flatMap((g) => g.rules.map((r) => r.alert))) {
            assert.ok(
                cases.some((c: { alertname: string; exp_alerts: unknown[] }) => c.alertname === alert && c.exp_alerts.length > 0),
                `${alert} fires`,
            );
            assert.ok(
                cases.some((c: { alertname: string; exp_alerts: unknown[] }) => c.alertname === alert && c.exp_alerts.length === 0),
                `${alert} stays silent`,
            );
        }
    });

    it("fail promtool test rules when a threshold moves (the fixtures can fail)", () => {
        const moved = structuredClone(groups);
        const rule = moved[0].rules.find((r) => r.alert === "HangarHighErrorRate")!;
        rule.expr = rule.expr.replace(/> 0\.05$/, "> 0.5");
        // Only the error-rate case, to keep it quick.
        const cases = parse(fixture("alerts.test.yaml"));
        cases.tests = cases.tests.filter((t: { name: string }) => t.name.startsWith("5xx"));
        const bad = workdir({ "prometheus-rules.yaml": renderRulesFile(moved), "alerts.test.yaml": stringify(cases) });
        try {
            const { ok, output } = promtool(["test", "rules", "alerts.test.yaml"], bad);
            assert.strictEqual(ok, false);
            assert.match(output, /HangarHighErrorRate/);
        } finally {
            fs.rmSync(bad, { recursive: true, force: true });
        }
    });

    it("carry a severity and a summary, description and runbook_url", () => {
        const rules = groups.flatMap((g) => g.rules);
        assert.strictEqual(new Set(rules.map((r) => r.alert)).size, rules.length, "alert names are unique");
        for (const r of rules) {
            assert.ok(["critical", "warning"].includes(r.labels.severity), r.alert);
            assert.ok(r.annotations.summary && r.annotations.description, r.alert);
            assert.strictEqual(
                r.annotations.runbook_url,
                `https://github.com/hangar-platform/hangar/blob/main/README.md#${r.alert.toLowerCase()}`,
            );
        }
    });

    it("follow the thresholds and metric names in the args", () => {
        const r = resolveMonitoring({
            environment: "staging",
            app: { namespace: "mcp", requestsMetric: "mcp_requests_total", statusLabel: "status", dumpCronJob: "nightly-dump" },
            thresholds: { errorRatio: 0.02, latencyP95Seconds: 0.25, replicaLagSeconds: 90, redisEvictions: 7 },
        });
        const rules = Object.fromEntries(
            alertGroups(r, { postgres: true, redis: true })
                .flatMap((g) => g.rules)
                .map((x) => [x.alert, x]),
        );
        assert.match(rules.HangarHighErrorRate.expr, /mcp_requests_total\{namespace="mcp", status=~"5\.\."\}.* > 0\.02$/);
        assert.match(rules.HangarHighErrorRate.annotations.summary, /more than 2% /);
        assert.match(rules.HangarHighLatencyP95.expr, / > 0\.25$/);
        assert.match(rules.HangarPostgresReplicaLag.expr, / > 90$/);
        assert.match(rules.HangarRedisEvictions.expr, / > 7$/);
        assert.match(rules.HangarDumpJobFailed.expr, /job_name=~"nightly-dump-\[0-9\]\+"/);
        assert.match(rules.HangarRolloutAborted.expr, /rollout_info\{exported_namespace="mcp", phase="Degraded"\}/);
        assert.deepStrictEqual(Object.keys(rules).length, 15, "no replica count, no missing-replica rule");
        const missing = alertGroups(r, { postgres: true, redis: false, postgresReplicas: 3 })
            .flatMap((g) => g.rules)
            .find((x) => x.alert === "HangarPostgresReplicaMissing");
        assert.match(missing?.expr ?? "", /\) < 3\) or /);
        assert.match(missing?.annotations.summary ?? "", /of its 3 replicas/);
        assert.deepStrictEqual(
            alertGroups(r, { postgres: false, redis: false }).map((g) => g.name),
            ["hangar-app", "hangar-backups"],
        );
    });
});

describe("Hangar's dashboards", () => {
    it("use only queries promtool can parse", () => {
        const r = resolveMonitoring({ environment: "staging" });
        const rules = Object.values(hangarDashboards(r)).flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => t.expr)));
        const file = stringify({
            groups: [{ name: "dashboards", rules: rules.map((expr, i) => ({ record: `hangar:dashboard_query:${i}`, expr })) }],
        });
        const dir = workdir({ "dashboards.yaml": file });
        try {
            const { ok, output } = promtool(["check", "rules", "dashboards.yaml"], dir);
            assert.ok(ok, output);
            assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

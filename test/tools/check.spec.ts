import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { ROOT } from "../../tools/harness";
import { validateManifest } from "../../tools/k8s-schema";
import { wiringPolicies } from "../../policies/rules/wiring";

function runCheck(...args: string[]) {
    const result = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "tools", "check-cli.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The check as the CLI runs it, in this process (its program run goes to the harness's worker). */
async function checkInProcess(stack: string, options: { stackFile?: string; foundationOutputs?: string; against?: string } = {}) {
    const { check } = require("../../tools/check") as typeof import("../../tools/check");
    const { exitCode, report, errors } = await check(stack, options);
    return { code: exitCode, stdout: report, stderr: errors };
}

describe("npm run check", () => {
    for (const stack of ["prod", "staging"]) {
        it(`passes for ${stack} and writes out/${stack}/resources.json`, async () => {
            // staging through the command line itself (exit code, stdout); prod through the same function in-process.
            const { code, stdout, stderr } = stack === "staging" ? runCheck(stack) : await checkInProcess(stack);
            assert.strictEqual(code, 0, stderr);
            assert.match(stdout, /Result: OK/);
            assert.match(
                stdout,
                /Policies\n {2}\d+ rules, config policies\/config\/\w+\.json: 0 mandatory, \d+ advisory violations/,
                "prints the policy verdict",
            );
            assert.match(stdout, /App tier\n {2}api: /, "lists the app tier per service");
            assert.match(stdout, /Data tier\n {2}PostgreSQL hangar-/, "summarises the data tier");
            assert.match(stdout, /\d+ objects validated, 0 errors/);
            const resources = JSON.parse(fs.readFileSync(path.join(ROOT, "out", stack, "resources.json"), "utf8"));
            assert.ok(resources.resources.length > 1);
            assert.ok(!JSON.stringify(resources).includes("offline-check"), "secrets are redacted in out/");

            const report = JSON.parse(fs.readFileSync(path.join(ROOT, "out", stack, "report.json"), "utf8"));
            // The README's check section documents every key report.json has, the diff's too.
            const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
            const documented = readme.split("\n").find((l) => l.startsWith("`out/<stack>/report.json`")) ?? "";
            const keys = [...Object.keys(report), ...Object.keys(report.diff ?? {})];
            assert.deepStrictEqual(
                keys.filter((k) => !documented.includes(`\`${k}\``)),
                [],
                "report.json keys the README does not name",
            );
            assert.deepStrictEqual([report.stack, report.result.ok, report.result.exitCode], [stack, true, 0]);
            assert.deepStrictEqual(report.config, { warnings: [] }, "the real stack files have no warnings");
            assert.match(stdout, /\nStack file \(warnings and notices: they do not fail the check\)\n {2}no warnings\n/);
            assert.strictEqual(report.resources.total, resources.resources.length);
            assert.ok(
                report.public.some((e: { kind: string; name: string }) => e.name === "api"),
                "the API is listed as public",
            );
            if (stack === "prod") {
                assert.ok(
                    report.public.some((e: { namespace: string; name: string }) => e.namespace === "monitoring" && e.name === "grafana"),
                );
                assert.ok(report.protected.length > 0, "prod protects its stateful resources");
            }
            assert.ok(
                report.charts.some(
                    (c: { chart: string; version: string }) => c.chart === "kube-prometheus-stack" && c.version === "88.5.3",
                ),
            );
            assert.strictEqual(report.promtool.result, "passed");
            assert.deepStrictEqual([report.schemas.errors, report.policies.mandatory], [[], 0]);
            assert.ok(report.prerequisites.every((p: { verified: boolean }) => p.verified === false));
            // Every wiring rule has its line in the Wiring section and its row in report.json, and holds.
            assert.deepStrictEqual(
                report.wiring.map((w: { rule: string; verdict: string }) => [w.rule, w.verdict]),
                wiringPolicies.map((p) => [p.name, "holds"]),
            );
            for (const p of wiringPolicies)
                assert.ok(stdout.includes(`holds     ${p.name}: ${p.description}`), `Wiring line for ${p.name}`);
            // The inventory adds up to the total, names what it counts, and says charts are not rendered.
            const header = /\n {2}(\d+) resources = (\d+) for the stack, Platform and its \d+ components((?: \+ \d+)+)\n/.exec(stdout);
            assert.ok(header, "the inventory's header");
            const terms = [Number(header[2]), ...header[3].split("+").slice(1).map(Number)];
            assert.strictEqual(
                terms.reduce((a, b) => a + b, 0),
                Number(header[1]),
            );
            assert.strictEqual(Number(header[1]), report.resources.total);
            assert.match(stdout, / × kubernetes:helm\.sh\/v4:Chart: hangar-monitoring-stack.*\(chart contents not rendered offline\)/);

            // Secrets are written redacted but still valid Kubernetes: a map of values, not a string.
            const dir = path.join(ROOT, "out", stack, "manifests");
            const secrets = fs.readdirSync(dir).filter((f) => f.startsWith("secret."));
            assert.ok(secrets.length > 0);
            for (const f of secrets) {
                const manifest = parseYaml(fs.readFileSync(path.join(dir, f), "utf8"));
                for (const field of ["data", "stringData"].filter((k) => manifest[k] !== undefined)) {
                    assert.strictEqual(typeof manifest[field], "object", `${f}: ${field} is a map`);
                }
                assert.deepStrictEqual(validateManifest(manifest), [], f);
            }
        });
    }

    it("fails a three-mistake stack file with exit 3, three path-named messages and no stack trace", () => {
        const { code, stdout, stderr } = runCheck("prod", "--stack-file", "test/fixtures/stack-files/three-mistakes.yaml");
        assert.strictEqual(code, 3);
        const messages = stderr.split("\n").filter((l) => /^\s+hangar:/.test(l));
        assert.strictEqual(messages.length, 3, stderr);
        assert.ok(!/\n\s+at /.test(stderr + stdout), "no stack trace");
    });

    it("fails with exit 6 on a mandatory policy violation, naming the rule and resource, in out/<stack>@<file>", async () => {
        const file = path.join(ROOT, "out", "other-gateway.yaml");
        const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        // Reach the pack through a value the schema allows but the prod policy config does not:
        // a Gateway other than the TLS gateway policies/config/prod.json lists.
        const changed = prod.replace("      name: public\n      listener: https", "      name: internal\n      listener: https");
        assert.notStrictEqual(changed, prod);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, changed);
        const own = path.join(ROOT, "out", "prod", "resources.json");
        const before = fs.existsSync(own) ? fs.statSync(own).mtimeMs : undefined;
        // Diffed against a copy of the committed plan in which the database had another identifier and a namespace did not exist.
        const plan = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "baselines", "prod.plan.json"), "utf8")) as {
            urn: string;
            type: string;
            values?: Record<string, unknown>;
        }[];
        const db = plan.find((e) => e.type === "aws:rds/instance:Instance" && e.values?.identifier === "hangar-prod")!;
        db.values!.identifier = "hangar-prod-old";
        const ns = plan.findIndex((e) => e.type === "kubernetes:core/v1:Namespace");
        const [addedNs] = plan.splice(ns, 1);
        const against = path.join(ROOT, "out", "other-gateway.plan.json");
        fs.writeFileSync(against, JSON.stringify(plan));
        const { code, stdout, stderr } = await checkInProcess("prod", { stackFile: file, against });
        assert.strictEqual(code, 6, stderr);
        assert.match(stderr, /ERROR \[mandatory\] kubernetes-httproute-tls-gateway — hangar-app-api/);
        assert.match(stdout, /Result: FAILED/, "the report itself goes to stdout");
        assert.ok(fs.existsSync(path.join(ROOT, "out", "prod@other-gateway", "resources.json")));
        assert.strictEqual(fs.existsSync(own) ? fs.statSync(own).mtimeMs : undefined, before, "out/prod is the real stack file's");
        const report = JSON.parse(fs.readFileSync(path.join(ROOT, "out", "prod@other-gateway", "report.json"), "utf8"));
        const violation = report.policies.violations.find((v: { policy: string }) => v.policy === "kubernetes-httproute-tls-gateway");
        assert.deepStrictEqual(
            [violation.level, violation.config.file, violation.config.key],
            ["mandatory", "policies/config/prod.json", "kubernetes-httproute-tls-gateway"],
        );
        assert.strictEqual(report.result.exitCode, 6);
        // The message says where its expectation comes from, and the stack key its twin is.
        assert.match(stderr, /\(expected by policies\/config\/prod\.json key kubernetes-httproute-tls-gateway\)/);
        assert.match(
            stdout,
            /hangar:app\.gateway vs policies\/config\/prod\.json kubernetes-httproute-tls-gateway\.gateways \[mandatory\]: gateway-system\/internal listener https is not one of the pack's gateways \(gateway-system\/public https\)/,
        );
        assert.deepStrictEqual(report.diff.added, [addedNs.urn]);
        assert.deepStrictEqual(report.diff.removed, []);
        assert.deepStrictEqual(
            report.diff.replaces.map((r: { urn: string; property: string; from: string; to: string }) => [r.urn, r.property, r.from, r.to]),
            [[db.urn, "identifier", "hangar-prod-old", "hangar-prod"]],
        );
        assert.ok(
            report.diff.changed.some((c: { type: string; keys: string[] }) => c.type.endsWith(":HTTPRoute") && c.keys.includes("spec")),
            "the route moved to another gateway",
        );
        assert.match(
            stdout,
            /Diff\n {2}against out\/other-gateway\.plan\.json: 1 to add, \d+ to change, 1 replacement of stateful resources, 0 to remove/,
        );
        assert.match(stdout, /± REPLACES aws:rds\/instance:Instance \S+: identifier "hangar-prod-old" → "hangar-prod"/);
        // Both rules that declare the cluster's Gateway: the per-route TLS rule and the route wiring rule.
        assert.deepStrictEqual(
            report.policyTwins
                .filter((t: { agrees: boolean }) => !t.agrees)
                .map((t: { stackKey: string; policy: string }) => `${t.stackKey} ${t.policy}`),
            ["app.gateway kubernetes-httproute-tls-gateway", "app.gateway wiring-httproute-gateway"],
        );
        assert.match(stderr, /ERROR \[mandatory\] wiring-httproute-gateway — hangar-app-api/);
    });

    it("is documented in the README: every option on the usage line, every exit code in the table", () => {
        const { CHECK_OPTIONS } = require("../../tools/check-cli") as typeof import("../../tools/check-cli");
        const { CHECK_EXIT } = require("../../tools/check") as typeof import("../../tools/check");
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## The offline check"), readme.indexOf("## Policies"));
        const usage = section.split("\n").find((l) => l.startsWith("`npm run check -- <stack>")) ?? "";
        const options = Object.keys(CHECK_OPTIONS).filter((o) => o !== "help");
        assert.deepStrictEqual(
            options.filter((o) => !usage.includes(`[--${o}`)),
            [],
            "options missing from the usage line",
        );
        assert.ok(usage.includes("`--help`"));
        for (const [kind, code] of Object.entries(CHECK_EXIT))
            assert.match(section, new RegExp(`\n\\| ${code} \\| `), `exit ${code} (${kind})`);
    });

    it("answers usage errors at once with exit 2, and --help with the exit codes", () => {
        // Every refused command line, through the parser the CLI calls first…
        const { parseCheckArgs } = require("../../tools/check-cli") as typeof import("../../tools/check-cli");
        for (const args of [
            [],
            ["prod", "staging"],
            ["prod", "--frobnicate"],
            ["prod", "--stack-file"],
            ["prod", "--stack-file", "--preview"],
            ["prod", "--against"],
        ])
            assert.ok("error" in parseCheckArgs(args), `${args.join(" ")} is refused`);
        for (const flag of ["--help", "-h"]) assert.deepStrictEqual(parseCheckArgs([flag]), { help: true });
        // …and one of each through the command itself: exit code, stream, and no SDK loaded before answering.
        const started = Date.now();
        const usage = runCheck("prod", "--frobnicate");
        assert.strictEqual(usage.code, 2, usage.stderr);
        assert.match(usage.stderr, /Usage: npm run check/);
        assert.ok(Date.now() - started < 5000, `a usage error took ${Date.now() - started} ms: the SDKs were loaded`);
        const { code, stdout } = runCheck("-h");
        assert.strictEqual(code, 0);
        assert.match(stdout, /Exit codes: 0 OK, 1 internal error, 2 usage, 3 stack file \(config\) error, 4 program error,\n5 schema/);
    });

    it("names the stack files that exist when the stack is unknown (exit 3)", () => {
        const { code, stderr } = runCheck("nosuchstack");
        assert.strictEqual(code, 3);
        assert.match(stderr, /no stack file Pulumi\.nosuchstack\.yaml; the stack files here: Pulumi\.prod\.yaml, Pulumi\.staging\.yaml/);
    });

    it("answers foundation.stackReference from a foundation outputs file, and leaves no kubeconfig behind", async () => {
        const doc = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
        const foundation = doc.config["hangar:foundation"];
        delete foundation.network;
        delete foundation.oidcProviderArn;
        foundation.stackReference = "acme/foundation/staging";
        // A key with no effect (DR is off): a warning in the report, which does not fail the check.
        doc.config["hangar:dr"].region = "eu-central-1";
        const file = path.join(ROOT, "out", "staging-referenced.yaml");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, toYaml(doc));
        const outputs = path.join(ROOT, "out", "foundation-outputs.json");
        const example = parseYaml(fs.readFileSync(path.join(ROOT, "examples", "foundation-outputs.yaml"), "utf8"));
        fs.writeFileSync(outputs, JSON.stringify({ ...example, vpcId: "vpc-0fromthefilegiven1" }));
        const kubeconfigs = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("hangar-kube-"));
        const before = new Set(kubeconfigs());

        const { code, stdout, stderr } = await checkInProcess("staging", { stackFile: file, foundationOutputs: outputs });
        assert.strictEqual(code, 0, stderr);
        assert.match(stdout, /foundation.stackReference acme\/foundation\/staging: outputs read from out\/foundation-outputs.json/);
        assert.match(
            stdout,
            /\nStack file \(warnings and notices: they do not fail the check\)\n {2}warning hangar:dr\.region: has no effect: dr\.enabled is false \(out\/staging-referenced\.yaml:\d+\)\n/,
        );
        const report = JSON.parse(fs.readFileSync(path.join(ROOT, "out", "staging@staging-referenced", "report.json"), "utf8"));
        assert.deepStrictEqual(
            report.config.warnings.map((w: { level: string; path: string; file: string }) => [w.level, w.path, w.file]),
            [["warning", "hangar:dr.region", "out/staging-referenced.yaml"]],
        );
        assert.ok(Number.isInteger(report.config.warnings[0].line));
        assert.strictEqual(report.result.ok, true);
        const resources = fs.readFileSync(path.join(ROOT, "out", "staging@staging-referenced", "resources.json"), "utf8");
        assert.ok(resources.includes("vpc-0fromthefilegiven1"), "the security groups are in the referenced VPC");
        // Program runs elsewhere (the other test worker, another checkout) make and remove stand-ins of their own
        // meanwhile: a new one that stays for seconds after this check is a leak, one that goes was theirs.
        let left = kubeconfigs().filter((f) => !before.has(f));
        for (let i = 0; i < 50 && left.length > 0; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            left = left.filter((f) => fs.existsSync(path.join(os.tmpdir(), f)));
        }
        assert.deepStrictEqual(left, [], "the stand-in kubeconfig was removed");
    });
});

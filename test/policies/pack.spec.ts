import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { policies } from "../../policies/rules";
import { namespacePodSecurity } from "../../policies/rules/kubernetes/namespaces";
import { podSecurityPolicies } from "../../policies/rules/kubernetes/pod-security";
import { podSecurityByVersion } from "../../policies/rules/kubernetes/pod-security-by-version";
import { PACK_NAME, resolvePackConfig, runPolicies, validatePackConfig } from "../../tools/policy/runner";
import { compliantPod, WORKLOAD_KINDS } from "./fixtures";
import { loadPackWithStub, mutated } from "./util";

const POLICIES_DIR = path.resolve(__dirname, "..", "..", "policies");
const CONFIG_DIR = path.join(POLICIES_DIR, "config");
const ENVIRONMENTS = ["prod", "staging", "ephemeral"];
const readConfig = (env: string) => JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${env}.json`), "utf8")) as Record<string, unknown>;
/** Security rules: those mandatory by default. */
const SECURITY = policies.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name);
const EXEMPT = "monitoring-node-exporter";

describe("the hangar-guardrails pack", () => {
    it("policies/index.ts registers exactly the policies of ./rules, once, without starting a server", () => {
        const constructed = loadPackWithStub();
        assert.strictEqual(constructed.length, 1);
        assert.strictEqual(constructed[0].name, PACK_NAME);
        assert.strictEqual(constructed[0].args.policies, policies, "the same array the runner runs");
        assert.deepStrictEqual(Object.keys(constructed[0].args), ["policies"]);
    });

    it("has at least 20 Kubernetes rules, uniquely named <kubernetes|aws|wiring>-<what>-<rule>", () => {
        assert.ok(policies.filter((p) => p.name.startsWith("kubernetes-")).length >= 20, `${policies.length} rules`);
        assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length);
        for (const p of policies) assert.match(p.name, /^(kubernetes|aws|wiring)-[a-z0-9]+(-[a-z0-9]+)+$/);
    });

    for (const p of policies) {
        // Kubernetes rules exempt namespaces; AWS rules exempt resources (by name or URN).
        const exemptions = p.name.startsWith("aws-") ? "exemptResources" : "exemptNamespaces";
        it(`${p.name} has a description, a default level and a configSchema with ${exemptions}`, () => {
            assert.ok(p.description.length > 20);
            assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory");
            assert.deepStrictEqual(p.configSchema?.properties[exemptions]?.default, []);
        });
    }

    it("the pack's own definitions pass validation (names, schemas, defaults)", () => assert.deepStrictEqual(validatePackConfig({}), []));

    it("is a nodejs policy pack the CLI can load as TypeScript", () => {
        const manifest = parseYaml(fs.readFileSync(path.join(POLICIES_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<string, string>;
        assert.strictEqual(manifest.runtime, "nodejs");
        assert.ok(manifest.description);
        const pkg = require("../../policies/package.json") as Record<string, unknown>;
        assert.strictEqual(pkg.name, "@hangar/policies");
        assert.strictEqual(pkg.main, "index.ts");
        assert.ok(pkg.version);
        const tsconfig = require("typescript").parseConfigFileTextToJson(
            "tsconfig.json",
            fs.readFileSync(path.join(POLICIES_DIR, "tsconfig.json"), "utf8"),
        ).config as { compilerOptions: Record<string, unknown> };
        assert.strictEqual(tsconfig.compilerOptions.module, "commonjs", "else the host compiles for nodenext");
        assert.strictEqual(tsconfig.compilerOptions.strict, true);
    });

    it("is self-contained: its tsconfig lists only index.ts, and what index.ts loads is in policies/ or a dependency of policies/package.json", () => {
        const ts = require("typescript") as typeof import("typescript");
        const tsconfig = ts.parseConfigFileTextToJson("tsconfig.json", fs.readFileSync(path.join(POLICIES_DIR, "tsconfig.json"), "utf8"))
            .config as { files: string[] };
        assert.deepStrictEqual(tsconfig.files, ["index.ts"]);
        const dependencies = Object.keys((require("../../policies/package.json") as { dependencies: Record<string, string> }).dependencies);
        const [seen, outside, queue] = [new Set<string>(), [] as string[], [path.join(POLICIES_DIR, "index.ts")]];
        for (let file = queue.pop(); file; file = queue.pop()) {
            if (seen.has(file)) continue;
            seen.add(file);
            for (const { fileName: specifier } of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles) {
                if (!specifier.startsWith(".")) {
                    const pkg = specifier
                        .split("/")
                        .slice(0, specifier.startsWith("@") ? 2 : 1)
                        .join("/");
                    if (!dependencies.includes(pkg)) outside.push(`${path.relative(POLICIES_DIR, file)} imports ${specifier}`);
                    continue;
                }
                const target = require.resolve(path.resolve(path.dirname(file), specifier));
                if (path.relative(POLICIES_DIR, target).startsWith(".."))
                    outside.push(`${path.relative(POLICIES_DIR, file)} imports ${specifier}`);
                else if (target.endsWith(".ts")) queue.push(target);
            }
        }
        assert.deepStrictEqual(outside, []);
        assert.ok(seen.size > 20, `${seen.size} files of the pack`);
    });

    describe("config files", () => {
        it("exist for every environment, and only those", () =>
            assert.deepStrictEqual(fs.readdirSync(CONFIG_DIR).sort(), ENVIRONMENTS.map((e) => `${e}.json`).sort()));

        for (const env of ENVIRONMENTS) {
            it(`config/${env}.json passes validatePackConfig`, () => assert.deepStrictEqual(validatePackConfig(readConfig(env)), []));

            it(`config/${env}.json keeps every security rule mandatory`, () => {
                const resolved = resolvePackConfig(readConfig(env));
                for (const name of SECURITY) assert.strictEqual(resolved.get(name)?.enforcementLevel, "mandatory", name);
            });

            it(`config/${env}.json exempts ${EXEMPT} from the namespace and pod-security rules only`, () => {
                const resolved = resolvePackConfig(readConfig(env));
                const exempting = policies.filter((p) =>
                    ((resolved.get(p.name)?.properties.exemptNamespaces ?? []) as string[]).includes(EXEMPT),
                );
                assert.deepStrictEqual(exempting, [...podSecurityPolicies, namespacePodSecurity, podSecurityByVersion]);
            });
        }

        it("prod.json makes every rule mandatory", () => {
            const resolved = resolvePackConfig(readConfig("prod"));
            assert.deepStrictEqual(
                policies.filter((p) => resolved.get(p.name)?.enforcementLevel !== "mandatory").map((p) => p.name),
                [],
            );
        });

        it("a privileged node exporter in its exempt namespace passes the pod-security rules, and nowhere else", async () => {
            const nodeExporter = mutated(WORKLOAD_KINDS[3].wrap(compliantPod()), (ds) => {
                (ds.metadata as { namespace: string }).namespace = EXEMPT;
                const spec = (ds.spec as { template: { spec: Record<string, unknown> } }).template.spec;
                Object.assign(spec, { hostNetwork: true, hostPID: true, volumes: [{ name: "proc", hostPath: { path: "/proc" } }] });
            });
            const input = (namespace: string) => [
                {
                    urn: `urn:ds-${namespace}`,
                    type: WORKLOAD_KINDS[3].type,
                    name: "node-exporter",
                    props: mutated(nodeExporter, (ds) => ((ds.metadata as { namespace: string }).namespace = namespace)),
                },
            ];
            for (const env of ENVIRONMENTS) {
                assert.deepStrictEqual(await runPolicies(input(EXEMPT), readConfig(env)), [], env);
                const elsewhere = await runPolicies(input("monitoring"), readConfig(env));
                assert.deepStrictEqual(
                    elsewhere.map((r) => r.policy),
                    [
                        "kubernetes-pod-host-namespaces-disallowed",
                        "kubernetes-pod-host-namespaces-disallowed",
                        "kubernetes-pod-volume-types-restricted",
                    ],
                    env,
                );
            }
        });
    });
});

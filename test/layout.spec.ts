import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const sources = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name === "bin" ? [] : sources(rel);
        return e.name.endsWith(".ts") ? [rel] : [];
    });
const importsOf = (file: string) => [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/from "(\.[^"]+)"/g)].map((m) => m[1]);
const FOLDERS = ["components", "config", "policies", "automation"];

describe("the repository's layout", () => {
    it("keeps every source file under components/, config/, policies/ and automation/ within 300 lines", () => {
        const long = FOLDERS.flatMap(sources)
            .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length - 1] as const)
            .filter(([, n]) => n > 300);
        assert.deepStrictEqual(long, [], "split these files by concern");
    });

    it("lets components reach another component's folder only through shared/, and Platform only through a folder's index", () => {
        const problems: string[] = [];
        for (const file of sources("components")) {
            const [, folder] = file.split(path.sep);
            if (folder === "examples" || folder === "index.ts") continue;
            for (const spec of importsOf(file)) {
                const target = path
                    .relative(path.join(ROOT, "components"), path.resolve(path.dirname(path.join(ROOT, file)), spec))
                    .split(path.sep);
                const other = target[0];
                if (other === folder || other === "shared") continue;
                if (folder === "platform" && target.length === 1) continue;
                problems.push(`${file} imports ${spec}`);
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("has the components reach @pulumi/aws through shared/aws.ts, never the SDK's index (780,000 lines of declarations)", () => {
        const direct = sources("components")
            .filter((f) => !/^components\/(dist|examples)\//.test(f) && f !== path.join("components", "shared", "aws.ts"))
            .filter((f) => /from "@pulumi\/aws"/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
        assert.deepStrictEqual(direct, [], 'import * as aws from "../shared/aws" instead');
    });

    it("keeps the pack self-contained: nothing under policies/ imports from outside it", () => {
        const outside = sources("policies").flatMap((file) =>
            importsOf(file)
                .filter(
                    (spec) => !path.resolve(path.dirname(path.join(ROOT, file)), spec).startsWith(path.join(ROOT, "policies") + path.sep),
                )
                .map((spec) => `${file} imports ${spec}`),
        );
        assert.deepStrictEqual(outside, []);
    });

    it("keeps config/ out of the pack's rule internals", () => {
        const reaches = sources("config").flatMap((file) =>
            importsOf(file)
                .filter((s) => s.includes("policies/rules"))
                .map((s) => `${file} imports ${s}`),
        );
        assert.deepStrictEqual(reaches, []);
    });

    it("exports only components, their args' types and Platform's entry points from the component package", () => {
        const pkg = require("../components/index") as Record<string, unknown>;
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        const values = Object.entries(pkg).filter(([, v]) => !(typeof v === "function" && v.prototype instanceof pulumi.ComponentResource));
        assert.deepStrictEqual(values.map(([k]) => k).sort(), [
            "ClusterTargetError",
            "PLATFORM_DEFAULTS",
            "clusterPrerequisites",
            "verifyClusterTarget",
        ]);
    });
});

describe("chart facts cite their template", () => {
    const charts = path.resolve(ROOT, "..", "shared", "charts", "src");
    it("every workload of the monitoring table names a template of the pinned chart", function () {
        const { MONITORING_WORKLOADS } =
            require("../components/monitoring/workloads") as typeof import("../components/monitoring/workloads");
        for (const w of MONITORING_WORKLOADS) assert.match(w.source, /^[a-z-]+-\d+\.\d+\.\d+\/templates\/\S+\.yaml/, w.id);
        if (!fs.existsSync(charts)) return this.skip();
        for (const w of MONITORING_WORKLOADS) {
            const file = w.source.split(" ")[0];
            assert.ok(fs.existsSync(path.join(charts, file)), `${w.id}: ${file} is not in ../shared/charts/src`);
        }
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { isSecret, ROOT, runProgram } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const COMPONENTS = path.join(ROOT, "components");
const REQUIRED = ["Platform", "AppTier", "PostgresDatabase", "RedisCache", "Monitoring", "DisasterRecovery", "Backups"];
/** Outputs the analyzer cannot mark secret; the components wrap them in pulumi.secret at runtime. */
export const RUNTIME_SECRET_OUTPUTS = { PostgresDatabase: ["password"], RedisCache: ["authToken"] };

/** Each component's constructor `args` properties and whether TypeScript says they are optional. */
function argsFromTypeScript(): Record<string, Record<string, boolean>> {
    // Only the package's own files: optionality of the args' properties needs no type from @pulumi/* (noResolve
    // leaves those `any`), and skipping their declarations saves most of the program's cost.
    const sourcesOf = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) return ["examples", "dist", "node_modules"].includes(e.name) ? [] : sourcesOf(full);
            return e.name.endsWith(".ts") ? [full] : [];
        });
    const program = ts.createProgram(sourcesOf(COMPONENTS), {
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        noResolve: true,
        types: [],
    });
    const checker = program.getTypeChecker();
    const out: Record<string, Record<string, boolean>> = {};
    for (const file of program.getSourceFiles().filter((f) => f.fileName.startsWith(COMPONENTS) && !f.fileName.includes("/examples/"))) {
        ts.forEachChild(file, (node) => {
            if (!ts.isClassDeclaration(node) || !node.name) return;
            const ctor = node.members.find(ts.isConstructorDeclaration);
            const argsParam = ctor?.parameters[1];
            if (!argsParam?.type || !node.heritageClauses?.some((h) => h.getText().includes("ComponentResource"))) return;
            const type = checker.getTypeFromTypeNode(argsParam.type);
            out[node.name.text] = Object.fromEntries(
                checker.getPropertiesOfType(type).map((p) => [p.name, (p.flags & ts.SymbolFlags.Optional) !== 0]),
            );
        });
    }
    return out;
}

describe("the component package", function () {
    this.timeout(120000);
    let schema: Any;
    before(async () => {
        const components = getPulumiComponents(require("../../components/index"));
        schema = JSON.parse(
            await new ComponentProvider({ components, dirname: COMPONENTS, name: "hangar", namespace: "hangar-platform" }).getSchema(),
        );
    });

    it("is the package hangar, from components/package.json and PulumiPlugin.yaml", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(COMPONENTS, "package.json"), "utf8"));
        assert.match(manifest.name, /^(@[^/]+\/)?hangar$/, "the provider name comes from the package name");
        assert.match(fs.readFileSync(path.join(COMPONENTS, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
        assert.strictEqual(schema.name, "hangar");
    });

    for (const name of REQUIRED) {
        it(`has ${name} as hangar:index:${name}, with inputs, outputs and descriptions`, () => {
            const r = schema.resources[`hangar:index:${name}`];
            assert.ok(r?.isComponent, `${name} is in the schema`);
            assert.ok(r.description, `${name} has a description`);
            assert.ok(Object.keys(r.inputProperties ?? {}).length > 0 && Object.keys(r.properties ?? {}).length > 0);
            for (const kind of ["inputProperties", "properties"]) {
                for (const [key, value] of Object.entries<Any>(r[kind]))
                    assert.ok(value.description, `${name}.${kind}.${key} has a description`);
            }
        });
    }

    it("documents every property of every nested args type", () => {
        const gaps = Object.entries<Any>(schema.types ?? {}).flatMap(([t, v]) =>
            Object.entries<Any>(v.properties ?? {})
                .filter(([, p]) => !p.description)
                .map(([k]) => `${t}.${k}`),
        );
        assert.deepStrictEqual(gaps, []);
    });

    it("marks inputs required exactly where the TypeScript args are not optional", () => {
        const fromTs = argsFromTypeScript();
        for (const name of REQUIRED) {
            const required = Object.entries(fromTs[name])
                .filter(([, optional]) => !optional)
                .map(([k]) => k)
                .sort();
            assert.deepStrictEqual([...(schema.resources[`hangar:index:${name}`].requiredInputs ?? [])].sort(), required, name);
        }
    });

    it("keeps secret outputs secret at runtime", async () => {
        const snapshot = await runProgram(path.join(ROOT, "test/programs/secret-outputs.ts"));
        assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        assert.ok(isSecret(snapshot.outputs.password), "PostgresDatabase.password");
        assert.ok(isSecret(snapshot.outputs.authToken), "RedisCache.authToken");
    });

    it("registers nothing when imported as a plain npm dependency", async () => {
        const snapshot = await runProgram(path.join(ROOT, "test/programs/import-only.ts"));
        assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        assert.deepStrictEqual(
            snapshot.resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
        assert.ok(Number(snapshot.outputs.componentCount) >= REQUIRED.length);
    });
});

describe("components/README.md", () => {
    const readme = fs.readFileSync(path.join(COMPONENTS, "README.md"), "utf8");
    const examples = fs.readdirSync(path.join(COMPONENTS, "examples")).filter((f) => f.endsWith(".ts"));

    it("has a TypeScript example per component, each the compiled file in components/examples", () => {
        assert.ok(examples.length >= REQUIRED.length);
        for (const file of examples) {
            const source = fs.readFileSync(path.join(COMPONENTS, "examples", file), "utf8").trim();
            assert.ok(readme.includes(source), `README shows examples/${file} verbatim`);
        }
        for (const name of REQUIRED)
            assert.ok(
                examples.some((f) => fs.readFileSync(path.join(COMPONENTS, "examples", f), "utf8").includes(`new ${name}(`)),
                `an example builds ${name}`,
            );
    });

    it("shows a Python consumer through pulumi package add", () => {
        assert.match(readme, /pulumi package add/);
        assert.match(readme, /```python/);
    });
});

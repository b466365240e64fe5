/**
 * The shape of config/: one module per top-level key, the pure contract apart
 * from file and engine loading (config/load/), no import loops, small files.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { SECTIONS } from "../../config";

const ROOT = path.resolve(__dirname, "..", "..");
const CONFIG = path.join(ROOT, "config");
/** Modules of config/ that are not the pure contract: loading, the barrel, and the mapping onto the components. */
const NOT_PURE = [/^load\//, /^index\.ts$/, /^platform-args\.ts$/];
const FORBIDDEN = /^(node:)?(fs|os|child_process)$|^@pulumi\/pulumi$/;

function files(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}
const rel = (file: string) => path.relative(CONFIG, file).split(path.sep).join("/");

/** Every module a file imports (type-only imports included: they make loops too), resolved when relative. */
function imports(file: string): string[] {
    const source = fs.readFileSync(file, "utf8");
    const specifiers = [
        ...source.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g),
        ...source.matchAll(/require\("([^"]+)"\)/g),
    ].map((m) => m[1]);
    return specifiers.map((s) => {
        if (!s.startsWith(".")) return s;
        const base = path.resolve(path.dirname(file), s);
        return [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f)) ?? base;
    });
}

const PURE = files(CONFIG).filter((f) => !NOT_PURE.some((re) => re.test(rel(f))));

describe("config/ layout", () => {
    it("has one module per top-level key under config/sections/", () => {
        const sections = fs
            .readdirSync(path.join(CONFIG, "sections"))
            .map((f) => f.replace(/\.ts$/, ""))
            .sort();
        assert.deepStrictEqual(sections, SECTIONS.filter((s) => s !== "environment").sort());
    });

    it("keeps the pure contract free of files, the OS and the Pulumi engine, transitively", () => {
        const offending: string[] = [];
        const seen = new Set<string>();
        const visit = (file: string, via: string[]) => {
            if (seen.has(file)) return;
            seen.add(file);
            for (const target of imports(file)) {
                if (FORBIDDEN.test(target))
                    offending.push(`${[...via, file].map((f) => path.relative(ROOT, f)).join(" → ")} imports ${target}`);
                else if (target.startsWith(ROOT) && target.endsWith(".ts")) visit(target, [...via, file]);
            }
        };
        for (const file of PURE) visit(file, []);
        assert.deepStrictEqual(offending, []);
    });

    it("does not import the guardrails' rules (only their shared value semantics, policies/values/)", () => {
        const offending = files(CONFIG).flatMap((f) =>
            imports(f)
                .filter((t) => t.startsWith(path.join(ROOT, "policies", "rules")))
                .map((t) => `${rel(f)} imports ${path.relative(ROOT, t)}`),
        );
        assert.deepStrictEqual(offending, []);
    });

    it("has no import loop inside config/, type-only imports included", () => {
        const loops: string[] = [];
        const state = new Map<string, "visiting" | "done">();
        const visit = (file: string, stack: string[]) => {
            if (state.get(file) === "done") return;
            if (state.get(file) === "visiting") {
                loops.push([...stack.slice(stack.indexOf(file)), file].map(rel).join(" → "));
                return;
            }
            state.set(file, "visiting");
            for (const target of imports(file))
                if (target.startsWith(CONFIG + path.sep) && target.endsWith(".ts")) visit(target, [...stack, file]);
            state.set(file, "done");
        };
        for (const file of files(CONFIG)) visit(file, []);
        assert.deepStrictEqual(loops, []);
    });

    it("keeps every file at most 300 lines (platform-args.ts aside)", () => {
        const long = files(CONFIG)
            .filter((f) => rel(f) !== "platform-args.ts")
            .map((f) => [rel(f), fs.readFileSync(f, "utf8").split("\n").length] as const)
            .filter(([, lines]) => lines > 300);
        assert.deepStrictEqual(long, []);
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { COMPONENTS_DIR, COMPONENTS_README, componentSummaries, docSummary, renderReadme } from "../../tools/components-readme";

/** Every `export class X extends pulumi.ComponentResource` in the package's sources. */
function componentClasses(dir = COMPONENTS_DIR): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return ["examples", "dist", "node_modules"].includes(entry.name) ? [] : componentClasses(full);
        if (!entry.name.endsWith(".ts")) return [];
        return [...fs.readFileSync(full, "utf8").matchAll(/^export class (\w+) extends pulumi\.ComponentResource\b/gm)].map((m) => m[1]);
    });
}

describe("components/README.md's table of components", () => {
    const readme = fs.readFileSync(COMPONENTS_README, "utf8");
    const summaries = componentSummaries();

    it("is what npm run docs writes from the classes' doc comments", () => {
        assert.ok(renderReadme(readme, summaries) === readme, "components/README.md's table is stale: run npm run docs");
    });

    it("gives each component its doc comment's whole first paragraph, every sentence of it", () => {
        for (const { name, summary } of summaries) {
            assert.ok(readme.split("\n").includes(`| \`${name}\` | ${summary} |`), `the row of ${name} is its summary`);
        }
        const monitoring = summaries.find((c) => c.name === "Monitoring")?.summary ?? "";
        assert.match(monitoring, /^Observability for Hangar: kube-prometheus-stack .*\. Restricted everywhere; .*namespace\.$/);
    });

    it("lists every component class of the package", () => {
        assert.deepStrictEqual(summaries.map((c) => c.name).sort(), componentClasses().sort());
    });

    it("summarises a doc comment by its first paragraph, periods inside sentences included", () => {
        const comment = [
            "/**",
            " * The dump: runs pg-dump.sh with kube-prometheus-stack 88.5.3",
            " * watching. Writes {@link DumpJobArgs.prefix} only.",
            " *",
            " * Details nobody reads in a table.",
            " * @see pg-dump.sh",
            " */",
        ].join("\n");
        assert.strictEqual(
            docSummary(comment),
            "The dump: runs pg-dump.sh with kube-prometheus-stack 88.5.3 watching. Writes `DumpJobArgs.prefix` only.",
        );
        assert.strictEqual(docSummary("/** One line. @default none */"), "One line.");
        assert.strictEqual(docSummary("/**\n * Before a tag.\n * @default 3\n */"), "Before a tag.");
    });
});

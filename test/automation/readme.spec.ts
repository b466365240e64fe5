import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./harness";

describe("automation/README.md", () => {
    it("shows the example that the type-check compiles (fixtures/readme-example.ts)", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "automation", "README.md"), "utf8");
        const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
        const example = fs.readFileSync(path.join(__dirname, "fixtures", "readme-example.ts"), "utf8");
        assert.strictEqual(block, example.replace('from "../../../automation";', 'from "hangar/automation";'));
    });

    it("and the main README's snippet is examples/automation.ts, which the type-check compiles", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const example = fs.readFileSync(path.join(REPO_ROOT, "examples", "automation.ts"), "utf8");
        const block = /```ts\n(import \{ createEnvironment[\s\S]*?)```/.exec(readme)?.[1];
        assert.strictEqual(block, example);
    });

    it("documents every export: functions, error classes, constants", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "automation", "README.md"), "utf8");
        const api = require("../../automation") as Record<string, unknown>;
        for (const name of Object.keys(api)) assert.ok(readme.includes(`\`${name}`), `${name} is not in the README`);
    });
});

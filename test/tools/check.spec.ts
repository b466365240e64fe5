import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../tools/harness";

function runCheck(...args: string[]) {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "check.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run check", () => {
    for (const stack of ["prod", "staging"]) {
        it(`passes for ${stack} and writes out/${stack}/resources.json`, () => {
            const { code, stdout, stderr } = runCheck(stack);
            assert.strictEqual(code, 0, stderr);
            assert.match(stdout, /Result: OK/);
            const resources = JSON.parse(fs.readFileSync(path.join(ROOT, "out", stack, "resources.json"), "utf8"));
            assert.ok(resources.resources.length > 1);
            assert.ok(!JSON.stringify(resources).includes("offline-check"), "secrets are redacted in out/");
        });
    }

    it("fails a three-mistake stack file with exit 1, three path-named messages and no stack trace", () => {
        const { code, stdout, stderr } = runCheck("prod", "--stack-file", "test/fixtures/stack-files/three-mistakes.yaml");
        assert.strictEqual(code, 1);
        const messages = stderr.split("\n").filter((l) => /^\s+hangar:/.test(l));
        assert.strictEqual(messages.length, 3, stderr);
        assert.ok(!/\n\s+at /.test(stderr + stdout), "no stack trace");
    });

    it("fails with usage on a missing stack name and with a message on an unknown stack", () => {
        assert.strictEqual(runCheck().code, 2);
        const { code, stderr } = runCheck("nosuchstack");
        assert.strictEqual(code, 1);
        assert.match(stderr, /no stack file Pulumi\.nosuchstack\.yaml/);
    });
});

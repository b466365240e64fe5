import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../tools/harness";

function runCheck(...args: string[]) {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "check.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run check", () => {
    for (const stack of ["prod", "staging"]) {
        it(`passes for ${stack} and writes out/${stack}/resources.json`, () => {
            const { code, stdout, stderr } = runCheck(stack);
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
        });
    }

    it("fails a three-mistake stack file with exit 1, three path-named messages and no stack trace", () => {
        const { code, stdout, stderr } = runCheck("prod", "--stack-file", "test/fixtures/stack-files/three-mistakes.yaml");
        assert.strictEqual(code, 1);
        const messages = stderr.split("\n").filter((l) => /^\s+hangar:/.test(l));
        assert.strictEqual(messages.length, 3, stderr);
        assert.ok(!/\n\s+at /.test(stderr + stdout), "no stack trace");
    });

    it("fails with exit 1 on a mandatory policy violation, naming the rule and resource", () => {
        const file = path.join(ROOT, "out", "other-gateway.yaml");
        const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        // Reach the pack through a value the schema allows but the prod policy config does not:
        // a Gateway other than the TLS gateway policies/config/prod.json lists.
        const changed = prod.replace("      name: public\n      listener: https", "      name: internal\n      listener: https");
        assert.notStrictEqual(changed, prod);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, changed);
        const { code, stderr } = runCheck("prod", "--stack-file", file);
        assert.strictEqual(code, 1, stderr);
        assert.match(stderr, /ERROR \[mandatory\] kubernetes-httproute-tls-gateway — hangar-app-api/);
    });

    it("fails with usage on a missing stack name and with a message on an unknown stack", () => {
        assert.strictEqual(runCheck().code, 2);
        const { code, stderr } = runCheck("nosuchstack");
        assert.strictEqual(code, 1);
        assert.match(stderr, /no stack file Pulumi\.nosuchstack\.yaml/);
    });
});

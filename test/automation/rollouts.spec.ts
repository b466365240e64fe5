import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { CommandFailedError, RolloutAbortedError, up } from "../../automation";
import { FakeCli } from "./harness";

// `up` of a stack whose Rollout wait ran out: the Automation API reads the app namespace's Rollouts from a fake
// Kubernetes API server on 127.0.0.1 (as preflight.spec.ts does) and returns the controller's abort reason.
const TOKEN = "rollouts-fixture-token";
const ROLLOUTS = "/apis/argoproj.io/v1alpha1/namespaces/hangar/rollouts";
const ABORT =
    'RolloutAborted: Rollout aborted update to revision 7: Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)';
const TIMEOUT =
    "error: 1 error occurred:\n" +
    "    * updating urn:pulumi:staging::hangar::hangar:index:Platform$hangar:index:AppTier$hangar:index:AppService$kubernetes:argoproj.io/v1alpha1:Rollout::hangar-app-api: " +
    "'api' timed out waiting to be Ready\n";

async function fakeApiServer(body: object | undefined) {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
        paths.push(req.url ?? "");
        const ok = req.headers.authorization === `Bearer ${TOKEN}` && req.url === ROLLOUTS && body;
        res.writeHead(ok ? 200 : 404, { "Content-Type": "application/json" }).end(
            JSON.stringify(ok ? body : { kind: "Status", code: 404 }),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const rollout = (name: string, status: object) => ({ metadata: { name, namespace: "hangar" }, status });

describe("automation: up and aborted rollouts", () => {
    let fake: FakeCli;
    let dir: string;
    const kubeconfig = (server: string) => {
        const file = path.join(dir, "kubeconfig");
        fs.writeFileSync(
            file,
            stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "fake", cluster: { server } }],
                contexts: [{ name: "hangar-staging", context: { cluster: "fake", user: "u" } }],
                users: [{ name: "u", user: { token: TOKEN } }],
            }),
        );
        return file;
    };
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-rollouts-"))));
    afterEach(() => {
        fake?.remove();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("returns the abort reason when a Rollout's wait timed out because the controller aborted it", async () => {
        const api = await fakeApiServer({
            kind: "RolloutList",
            items: [rollout("api", { phase: "Degraded", abort: true, message: ABORT }), rollout("workers", { phase: "Healthy" })],
        });
        try {
            fake = new FakeCli({ commands: { up: { stderr: TIMEOUT, exitCode: 255 } } });
            const options = fake.options();
            await assert.rejects(
                up("staging", { ...options, envVars: { ...options.envVars, KUBECONFIG: kubeconfig(api.url) } }),
                (err: unknown) => {
                    assert.ok(err instanceof RolloutAbortedError, String(err));
                    assert.strictEqual(err.code, "ROLLOUT_ABORTED");
                    assert.deepStrictEqual(
                        err.rollouts.map((r) => [r.name, r.phase, r.message]),
                        [["api", "Degraded", ABORT]],
                    );
                    assert.match(err.message, /Rollout hangar\/api was aborted \(RolloutAborted: .*error-ratio/);
                    assert.ok(err.cause instanceof CommandFailedError || err.cause !== undefined, "the CLI's failure is the cause");
                    return true;
                },
            );
            assert.deepStrictEqual(api.paths, [ROLLOUTS]);
        } finally {
            await api.close();
        }
    });

    it("keeps the CLI's failure when no Rollout is aborted, or the failure is no Rollout timeout", async () => {
        const api = await fakeApiServer({ kind: "RolloutList", items: [rollout("api", { phase: "Progressing" })] });
        try {
            fake = new FakeCli({ commands: { up: { stderr: TIMEOUT, exitCode: 255 } } });
            const options = fake.options();
            const env = { ...options, envVars: { ...options.envVars, KUBECONFIG: kubeconfig(api.url) } };
            await assert.rejects(up("staging", env), CommandFailedError);
            fake.script({ commands: { up: { stderr: "error: an unhandled error occurred: kaboom\n", exitCode: 255 } } });
            await assert.rejects(up("staging", env), CommandFailedError);
            assert.deepStrictEqual(api.paths, [ROLLOUTS], "read once: only after the Rollout's timeout");
        } finally {
            await api.close();
        }
    });
});

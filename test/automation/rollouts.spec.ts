import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { CommandFailedError, RolloutAbortedError, RolloutPendingError, up } from "../../automation";
import { KubeReader } from "../../automation/kube-reader";
import { awaitPromotion, rolloutTimedOut } from "../../automation/rollouts";
import { FakeCli, step } from "./harness";

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

/** Answers the Rollouts list with `bodies` in turn (the last one from then on). */
async function fakeApiServer(...bodies: (object | undefined)[]) {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
        paths.push(req.url ?? "");
        const body = bodies[Math.min(paths.length, bodies.length) - 1];
        const ok = req.headers.authorization === `Bearer ${TOKEN}` && req.url === ROLLOUTS && body;
        res.writeHead(ok ? 200 : 404, { "Content-Type": "application/json" }).end(
            JSON.stringify(ok ? body : { kind: "Status", code: 404 }),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const rollout = (name: string, status: object, generation = 1, spec: object = { strategy: { canary: { steps: [] } } }) => ({
    metadata: { name, namespace: "hangar", generation },
    spec,
    status,
});
const ROLLOUT_URN =
    "urn:pulumi:staging::hangar::hangar:index:Platform$hangar:index:AppTier$hangar:index:AppService$kubernetes:argoproj.io/v1alpha1:Rollout::hangar-app-api";
const promoted = (generation: number) => ({
    phase: "Healthy",
    observedGeneration: String(generation),
    stableRS: "7d9f",
    currentPodHash: "7d9f",
});

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

    describe("after a successful up that changed a Rollout", () => {
        const changedRollout = () =>
            new FakeCli({ commands: { up: { events: [step("update", "kubernetes:argoproj.io/v1alpha1:Rollout", ROLLOUT_URN)] } } });

        it("waits past the previous revision's Healthy status until the controller has promoted the new generation", async () => {
            // First read: still generation 2's Healthy status under generation 3 (the stale window); then promoted.
            const stale = { kind: "RolloutList", items: [rollout("api", { ...promoted(2) }, 3)] };
            const progressing = {
                kind: "RolloutList",
                items: [rollout("api", { phase: "Progressing", observedGeneration: "3", stableRS: "7d9f", currentPodHash: "81ab" }, 3)],
            };
            const done = { kind: "RolloutList", items: [rollout("api", { ...promoted(3), stableRS: "81ab", currentPodHash: "81ab" }, 3)] };
            const api = await fakeApiServer(stale, progressing, done);
            try {
                fake = changedRollout();
                const options = fake.options();
                const result = await up("staging", {
                    ...options,
                    rolloutWaitMs: 2_000,
                    envVars: { ...options.envVars, KUBECONFIG: kubeconfig(api.url) },
                });
                assert.strictEqual(result.stack, "staging");
                assert.strictEqual(api.paths.length, 3, "read until promoted");
            } finally {
                await api.close();
            }
        });
    });
});

/** The same reads, without the CLI: a stub reader answering the Rollouts list with `bodies` in turn. */
describe("automation: reading Rollouts", () => {
    const reader = (...bodies: object[]): KubeReader & { reads: number } => {
        const r = {
            server: "stub",
            reads: 0,
            get: async () => ({ status: 200, body: bodies[Math.min(++r.reads, bodies.length) - 1] }),
        };
        return r;
    };
    const list = (...items: object[]) => ({ kind: "RolloutList", items });

    it("throws RolloutAbortedError for an aborted Rollout and RolloutPendingError for one still progressing at the end", async () => {
        const abortedOne = reader(list(rollout("api", { phase: "Degraded", abort: true, message: ABORT, observedGeneration: "3" }, 3)));
        await assert.rejects(
            awaitPromotion("staging", abortedOne, "hangar", 50, 10),
            (err: unknown) => err instanceof RolloutAbortedError && /error-ratio/.test(err.message),
        );
        const stuck = reader(list(rollout("api", { phase: "Progressing", observedGeneration: "3" }, 3)));
        await assert.rejects(awaitPromotion("staging", stuck, "hangar", 50, 10), (err: unknown) => {
            assert.ok(err instanceof RolloutPendingError, String(err));
            assert.deepStrictEqual(
                err.rollouts.map((r) => [r.name, r.phase]),
                [["api", "Progressing"]],
            );
            return true;
        });
    });

    it("does not wait for a rollout paused for a person, but does for a timed canary pause", async () => {
        const manual = reader(
            list(
                rollout("api", { phase: "Paused", observedGeneration: "3" }, 3, {
                    strategy: { blueGreen: { autoPromotionEnabled: false } },
                }),
            ),
        );
        await awaitPromotion("staging", manual, "hangar", 50, 10);
        assert.strictEqual(manual.reads, 1);
        const canary = { strategy: { canary: { steps: [{ setWeight: 10 }, { pause: { duration: "60s" } }, { pause: {} }] } } };
        const timed = reader(list(rollout("api", { phase: "Paused", observedGeneration: "3", currentStepIndex: 1 }, 3, canary)));
        await assert.rejects(awaitPromotion("staging", timed, "hangar", 50, 10), RolloutPendingError);
        const byHand = reader(list(rollout("api", { phase: "Paused", observedGeneration: "3", currentStepIndex: 2 }, 3, canary)));
        await awaitPromotion("staging", byHand, "hangar", 50, 10);
    });

    it("names a Rollout's timeout only from the CLI's failure output", () => {
        assert.ok(rolloutTimedOut(TIMEOUT));
        assert.ok(!rolloutTimedOut("error: an unhandled error occurred: kaboom\n"));
        assert.ok(!rolloutTimedOut("error: kubernetes:apps/v1:Deployment hangar-app-api timed out waiting to be Ready"));
    });
});

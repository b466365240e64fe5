import * as assert from "assert";
import { BusyError, cancel, CancelledError, createEnvironment, preview, ProgressEvent, refresh, up } from "../../automation";
import { FakeCli, Invocation, overlap } from "./harness";

const ENGINE = new Set(["preview", "up", "refresh", "destroy"]);

/**
 * A reply that streams one diagnostic and then runs for 10 s. The diagnostic proves
 * the fake is running (its SIGINT handler installed) before a test aborts it.
 */
const LONG_RUN = { events: [{ diagnosticEvent: { message: "working", color: "never", severity: "info" } }, { sleepMs: 10000 }] };

/** Resolves when the long run's diagnostic arrives. */
function whenRunning(): { onEvent: (e: ProgressEvent) => void; running: Promise<void> } {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    return { onEvent: (e) => e.kind === "diagnostic" && started(), running };
}

describe("automation: concurrency and cancellation", () => {
    let fake: FakeCli;
    afterEach(() => fake?.remove());

    it("never overlaps two operations on one stack in a ten-call burst (five stacks × two calls), while stacks overlap each other", async () => {
        fake = new FakeCli();
        const ephemeral = ["pr-1", "pr-2", "pr-3"];
        await Promise.all(ephemeral.map((name) => createEnvironment(name, fake.options({ from: "staging" }))));
        fake.script({ commands: { preview: { delayMs: 200 }, refresh: { delayMs: 200 } } });

        const stacks = ["prod", "staging", ...ephemeral];
        const calls = stacks.flatMap((stack) => [preview(stack, fake.options()), refresh(stack, fake.options())]);
        const results = await Promise.allSettled(calls);
        assert.deepStrictEqual(
            results.filter((r) => r.status === "rejected"),
            [],
        );

        const runs = fake.invocations().filter((i) => ENGINE.has(i.command));
        assert.strictEqual(runs.length, 10);
        const byStack = new Map<string, Invocation[]>();
        for (const run of runs) byStack.set(run.stack as string, [...(byStack.get(run.stack as string) ?? []), run]);
        assert.deepStrictEqual([...byStack.keys()].sort(), [...stacks].sort());
        for (const [stack, [a, b]] of byStack) assert.ok(!overlap(a, b), `${stack}: ${a.command} and ${b.command} overlapped`);

        // Stronger: every CLI run on one stack (each call's `stack select` and `stack history` too) is disjoint from the others.
        for (const stack of stacks) {
            const all = fake.invocations().filter((i) => i.stack === stack && i.command !== "stack init");
            for (const a of all)
                for (const b of all) assert.ok(a === b || !overlap(a, b), `${stack}: ${a.command} overlapped ${b.command}`);
        }

        const crossStack = runs.some((a) => runs.some((b) => a.stack !== b.stack && overlap(a, b)));
        assert.ok(crossStack, "different stacks ran in parallel");
    });

    it("fails fast with BusyError when asked to (whenBusy: fail), on the busy stack only", async () => {
        fake = new FakeCli({ commands: { preview: { delayMs: 250 } } });
        const first = preview("staging", fake.options());
        await assert.rejects(preview("staging", fake.options({ whenBusy: "fail" })), (err: unknown) => {
            assert.ok(err instanceof BusyError);
            assert.strictEqual(err.code, "BUSY");
            assert.strictEqual(err.runningOperation, "preview");
            return true;
        });
        await preview("prod", fake.options({ whenBusy: "fail" }));
        await first;
        await preview("staging", fake.options({ whenBusy: "fail" }));
        assert.strictEqual(fake.calls("preview").filter((i) => i.stack === "staging").length, 2);
    });

    it("cancels a running up by AbortSignal: the CLI is interrupted, the call rejects with CancelledError, pulumi up never runs", async () => {
        fake = new FakeCli({ commands: { preview: LONG_RUN } });
        const controller = new AbortController();
        const { onEvent, running } = whenRunning();
        const events: string[] = [];
        const call = up(
            "staging",
            fake.options({ signal: controller.signal, onEvent: (e: ProgressEvent) => (events.push(e.kind), onEvent(e)) }),
        );
        await running;
        const abortedAt = Date.now();
        controller.abort();
        await assert.rejects(call, (err: unknown) => err instanceof CancelledError && err.code === "CANCELLED" && err.operation === "up");
        assert.ok(Date.now() - abortedAt < 3000, "the abort did not wait for the CLI's 10 s");
        const [interrupted] = fake.calls("preview");
        assert.strictEqual(interrupted.signal, "SIGINT");
        assert.ok(events.includes("cancel"), "the engine's cancelEvent was streamed");
        assert.strictEqual(fake.calls("up").length, 0);
    });

    it("runs pulumi cancel for the stack on abort when cancelOnAbort is set", async () => {
        fake = new FakeCli({ commands: { refresh: LONG_RUN } });
        const controller = new AbortController();
        const { onEvent, running } = whenRunning();
        const call = refresh("staging", fake.options({ signal: controller.signal, cancelOnAbort: true, onEvent }));
        await running;
        controller.abort();
        await assert.rejects(call, CancelledError);
        const [cancel] = fake.calls("cancel");
        assert.ok(cancel, "pulumi cancel ran");
        assert.deepStrictEqual(cancel.args.slice(0, 4), ["cancel", "--yes", "--stack", "staging"]);
    });

    it("cancel() asks the backend to stop the stack's update without queueing behind it", async () => {
        fake = new FakeCli({ commands: { preview: LONG_RUN } });
        const controller = new AbortController();
        const { onEvent, running } = whenRunning();
        const call = preview("staging", fake.options({ signal: controller.signal, onEvent }));
        await running;
        await cancel("staging", fake.options());
        const [cancelRun] = fake.calls("cancel");
        assert.ok(cancelRun && fake.calls("preview").length === 0, "pulumi cancel ran while the preview was still running");
        controller.abort();
        await assert.rejects(call, CancelledError);
    });

    it("takes a waiting call out of the queue when its signal aborts, without any CLI call, and never starts an aborted one", async () => {
        fake = new FakeCli({ commands: { preview: { delayMs: 400 } } });
        const first = preview("staging", fake.options());
        const controller = new AbortController();
        const second = preview("staging", fake.options({ signal: controller.signal }));
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(second, CancelledError);
        await first;
        await assert.rejects(preview("prod", fake.options({ signal: AbortSignal.abort() })), CancelledError);
        assert.deepStrictEqual(
            fake.invocations().map((i) => `${i.command} ${i.stack}`),
            ["stack select staging", "preview staging"],
        );
    });
});

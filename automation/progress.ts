/**
 * Progress as an async iterator, for callers who prefer `for await` to callbacks.
 */
import type { OperationKind, ProgressEvent, Stage } from "./types";

/** The callbacks {@link withProgress} hands to the operation it starts. */
export interface ProgressHooks {
    onEvent: (event: ProgressEvent) => void;
    onOutput: (text: string) => void;
}

/**
 * A running operation: iterate it for progress events (stdout arrives as
 * `kind: "output"` events); the iteration ends when the operation does and
 * throws its error if it failed. `result` settles with the operation.
 */
export interface ProgressStream<R> extends AsyncIterable<ProgressEvent> {
    readonly result: Promise<R>;
}

/**
 * Starts an operation with progress hooks and returns it as a {@link ProgressStream}:
 *
 * ```ts
 * const run = withProgress((hooks) => up("staging", { ...hooks, signal }));
 * for await (const event of run) console.log(event.kind, event.stage);
 * const result = await run.result;
 * ```
 *
 * Events are buffered, so a slow consumer loses none. The stream can be iterated once.
 */
export function withProgress<R>(start: (hooks: ProgressHooks) => Promise<R>): ProgressStream<R> {
    const buffer: ProgressEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: { error: unknown } | undefined;
    let context: { stack: string; operation: OperationKind; stage: Stage } = { stack: "", operation: "preview", stage: "preview" };

    const push = (event: ProgressEvent) => {
        buffer.push(event);
        wake?.();
    };
    const hooks: ProgressHooks = {
        onEvent: (event) => {
            context = { stack: event.stack, operation: event.operation, stage: event.stage };
            push(event);
        },
        onOutput: (text) => push({ ...context, kind: "output", text }),
    };

    const result = Promise.resolve()
        .then(() => start(hooks))
        .finally(() => {
            finished = true;
            wake?.();
        });
    result.catch((error: unknown) => {
        failure = { error };
    });

    async function* iterate(): AsyncGenerator<ProgressEvent> {
        for (;;) {
            while (buffer.length > 0) yield buffer.shift() as ProgressEvent;
            if (finished) break;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
        }
        // Let the rejection handler above record the failure before deciding.
        await result.then(
            () => undefined,
            () => undefined,
        );
        if (failure) throw failure.error;
    }

    let iterated = false;
    return {
        result,
        [Symbol.asyncIterator]() {
            if (iterated) throw new Error("a ProgressStream can be iterated only once");
            iterated = true;
            return iterate();
        },
    };
}

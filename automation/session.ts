/**
 * What stack operations (operations.ts) and the environment lifecycle
 * (environments.ts) share: the per-stack lock of this process, which both take
 * so that an environment being created or removed never overlaps an operation
 * on the same stack; the session an operation's body gets; and one engine run
 * with its events collected, including the destroy that `removeEnvironment`
 * runs before it removes the stack.
 */
import { Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { CancelledError } from "./errors";
import { EventCollector } from "./events";
import { StackLocks } from "./locks";
import { DestroyResult, Environment, OperationKind, OperationOptions, RefreshResult, Stage, UpdateInfo } from "./types";
import { Connection, Target } from "./workspace";

/** One lock table per process: every module that changes a stack queues here. */
export const locks = new StackLocks();

/** A stack of one repository: two checkouts may each have a "staging". */
export function lockKey(connection: Connection, stackName: string): string {
    return `${connection.repoRoot}\u0000${stackName}`;
}

/** What an operation's body gets: the selected stack and its facts. */
export interface Session {
    stack: Stack;
    target: Target;
    environment: Environment;
    connection: Connection;
}

/** The SDK options every engine run shares, and the run itself with its events collected. */
export async function runStage<T>(
    session: Session,
    operation: OperationKind,
    stage: Stage,
    options: OperationOptions,
    run: (hooks: {
        onEvent: EventCollector["handle"];
        onOutput?: (text: string) => void;
        signal?: AbortSignal;
        showSecrets: false;
    }) => Promise<T>,
): Promise<{ value?: T; error?: unknown; events: EventCollector }> {
    const stackName = session.target.stack;
    if (options.signal?.aborted) throw new CancelledError(stackName, operation);
    const events = new EventCollector({ stack: stackName, operation, stage }, options.onEvent);
    events.announce();
    // The call settles only after `pulumi cancel` has answered, so callers know the backend was told.
    let remoteCancel: Promise<unknown> | undefined;
    const cancelRemote = () => (remoteCancel = session.stack.cancel().catch(() => undefined));
    if (options.cancelOnAbort) options.signal?.addEventListener("abort", cancelRemote, { once: true });
    try {
        // showSecrets false: the SDK would otherwise fetch the update's config with --show-secrets.
        const value = await run({ onEvent: events.handle, onOutput: options.onOutput, signal: options.signal, showSecrets: false });
        return { value, events };
    } catch (error) {
        return { error, events };
    } finally {
        options.signal?.removeEventListener("abort", cancelRemote);
        await remoteCancel;
    }
}

/** `pulumi destroy --yes` as a stage of `operation` (`destroy`, or `remove` before the stack goes). */
export async function destroyStage(session: Session, operation: OperationKind, options: OperationOptions): Promise<DestroyResult> {
    const { value, error, events } = await runStage(session, operation, "destroy", options, (hooks) =>
        session.stack.destroy({ ...hooks, message: options.message }),
    );
    if (error !== undefined) throw error;
    return summaryResult(session, events, value?.summary, value?.stdout);
}

/** The result of a run that changes state without outputs (refresh, destroy). */
export function summaryResult(session: Session, events: EventCollector, summary: UpdateSummary | undefined, stdout = ""): RefreshResult {
    return {
        stack: session.target.stack,
        environment: session.environment,
        changeSummary: events.changeSummary ?? summary?.resourceChanges ?? {},
        changes: events.changes,
        update: updateInfo(summary),
        stdout,
    };
}

/** The history entry without `config` and `environment`, which may carry secrets. */
export function updateInfo(summary: UpdateSummary | undefined): UpdateInfo | undefined {
    if (!summary) return undefined;
    return {
        kind: summary.kind,
        result: summary.result,
        version: summary.version,
        startTime: summary.startTime,
        ...(summary.endTime ? { endTime: summary.endTime } : {}),
        ...(summary.message ? { message: summary.message } : {}),
        ...(summary.resourceChanges ? { resourceChanges: summary.resourceChanges } : {}),
    };
}

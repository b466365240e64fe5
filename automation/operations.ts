/**
 * Stack operations: preview, up, refresh and destroy (which take the stack's
 * lock and run the engine), outputs and cancel (which do not). Each one
 * validates the name, finds where the stack runs and parses its stack file
 * before anything reaches the CLI, and turns every failure into a typed error.
 */
import { CommandError, ConcurrentUpdateError, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { commandOutput, PolicyViolationError, StatefulChangeError, translateError, ValidationError } from "./errors";
import { abortReasons, awaitPromotion, RolloutAbortedError, rolloutTimedOut, stackReader } from "./rollouts";
import { API_WORDS, Words } from "./words";
import { EventCollector } from "./events";
import { assertPrerequisites, PreflightFinding, stackPreflightInput, verifyPrerequisites } from "./preflight";
import { destroyStage, lockKey, locks, runStage, Session, summaryResult, updateInfo } from "./session";
import { isDestructiveOp } from "./stateful";
import {
    ConnectionOptions,
    DestroyOptions,
    DestroyResult,
    OperationKind,
    OperationOptions,
    PreviewOptions,
    PreviewResult,
    REDACTED,
    RefreshOptions,
    RefreshResult,
    StackOutputs,
    UpOptions,
    UpResult,
} from "./types";
import { assertStackName } from "./validate";
import { connect, forgetStack, policyOptions, resolveTarget, selectStack, stackEnvironment } from "./workspace";

/**
 * Validates, resolves and locks the stack, selects it, runs `body`, and turns
 * every failure into a typed error. Nothing reaches the CLI before the name, the
 * stack file and the lock are settled.
 */
async function withStack<R>(
    stackName: string,
    operation: OperationKind,
    options: OperationOptions,
    body: (session: Session) => Promise<R>,
): Promise<R> {
    assertStackName(stackName);
    const connection = connect(options);
    const target = resolveTarget(connection, stackName);
    const environment = stackEnvironment(target);
    if (operation === "destroy" && environment === "prod" && !(options as DestroyOptions).allowProd) {
        const problem = (w: Words) => `stack "${stackName}" is prod: destroying it needs ${w.allowProd}`;
        throw new ValidationError(problem, [{ path: "allowProd", message: problem(API_WORDS) }], stackName);
    }
    // Before the lock and the CLI: a missing cluster prerequisite fails here, with nothing changed.
    if ((operation === "preview" || operation === "up") && options.preflight !== false) {
        await assertPrerequisites(stackName, stackPreflightInput(stackName, target.stackFile, { ...process.env, ...options.envVars }));
    }
    const release = await locks.acquire(lockKey(connection, stackName), stackName, operation, options);
    try {
        const stack = await selectStack(connection, target);
        return await body({ stack, target, environment, connection });
    } catch (err) {
        if (err instanceof StackNotFoundError) forgetStack(target.workDir, stackName);
        throw translateError(err, { stackName, operation, signal: options.signal });
    } finally {
        release();
    }
}

/** A Rollout's wait that ran out because its controller aborted it becomes a {@link RolloutAbortedError} with the reason. */
async function explainTimeout(stack: string, stackFile: string, options: UpOptions, error: unknown): Promise<unknown> {
    if (!(error instanceof CommandError) || options.signal?.aborted) return error;
    const { stdout, stderr } = commandOutput(error);
    if (!rolloutTimedOut(`${stdout}\n${stderr}`)) return error;
    const rollouts = await abortReasons(stack, stackFile, { ...process.env, ...options.envVars });
    return rollouts?.length ? new RolloutAbortedError(stack, rollouts, { cause: error }) : error;
}

/**
 * After a successful `up` that changed a Rollout: waits for its full promotion (automation/rollouts.ts,
 * awaitPromotion), since the provider's wait can pass on the previous revision's status right after the apply.
 */
async function awaitRollouts(stack: string, stackFile: string, options: UpOptions, changes: { type?: string }[]): Promise<void> {
    const waitMs = options.rolloutWaitMs ?? 1_800_000;
    if (waitMs <= 0 || !changes.some((c) => c.type === "kubernetes:argoproj.io/v1alpha1:Rollout")) return;
    const target = stackReader(stack, stackFile, { ...process.env, ...options.envVars });
    if (target) await awaitPromotion(stack, target.reader, target.namespace, waitMs, Math.min(5_000, Math.max(10, waitMs / 20)));
}

/** True when a failed run failed because of its mandatory policy violations (and not a lock or an abort). */
function failedOnPolicy(error: unknown, events: EventCollector, signal?: AbortSignal): boolean {
    return events.blocked && error instanceof CommandError && !(error instanceof ConcurrentUpdateError) && !signal?.aborted;
}

async function previewStage(session: Session, operation: OperationKind, options: PreviewOptions): Promise<PreviewResult> {
    const { stack, target, environment, connection } = session;
    const { value, error, events } = await runStage(session, operation, "preview", options, (hooks) =>
        stack.preview({ ...hooks, ...policyOptions(connection.repoRoot, environment), refresh: options.refresh, message: options.message }),
    );
    if (error !== undefined && !failedOnPolicy(error, events, options.signal)) throw error;
    return {
        stack: target.stack,
        environment,
        changeSummary: value?.changeSummary ?? events.changeSummary ?? {},
        changes: events.changes,
        violations: events.violations,
        blocked: error !== undefined,
        stdout: value?.stdout ?? "",
    };
}

/**
 * Previews an update of `stack` with the environment's policies
 * (`--policy-pack <repo>/policies --policy-pack-config <repo>/policies/config/<env>.json`).
 * A mandatory violation fails the CLI's preview; it is returned as data with
 * `blocked: true` (and the violations) rather than thrown.
 *
 * @throws ValidationError, NotFoundError, BusyError, StackLockedError, CancelledError, CliNotFoundError, CommandFailedError
 */
export function preview(stack: string, options: PreviewOptions = {}): Promise<PreviewResult> {
    return withStack(stack, "preview", options, (session) => previewStage(session, "preview", options));
}

/**
 * Updates `stack`: previews first (policies included) and refuses — without
 * updating — when a mandatory policy fails (`PolicyViolationError`) or when a
 * stateful resource would be replaced or deleted without its URN in
 * `allowReplace` (`StatefulChangeError`). Then runs `pulumi up` with the same
 * policies and returns the changes, advisory violations and outputs (secrets redacted).
 *
 * @throws PolicyViolationError, StatefulChangeError, and everything {@link preview} throws
 */
export function up(stack: string, options: UpOptions = {}): Promise<UpResult> {
    return withStack(stack, "up", options, async (session) => {
        const checked = await previewStage(session, "up", options);
        if (checked.blocked) throw new PolicyViolationError(stack, checked.violations, checked);
        const allowed = new Set(options.allowReplace ?? []);
        const refused = checked.changes.filter((c) => c.stateful && isDestructiveOp(c.op) && !allowed.has(c.urn));
        if (refused.length > 0) throw new StatefulChangeError(stack, refused, checked);

        const { stack: pulumiStack, environment, connection } = session;
        const { value, error, events } = await runStage(session, "up", "update", options, (hooks) =>
            pulumiStack.up({
                ...hooks,
                ...policyOptions(connection.repoRoot, environment),
                refresh: options.refresh,
                message: options.message,
            }),
        );
        if (error !== undefined) {
            if (failedOnPolicy(error, events, options.signal)) throw new PolicyViolationError(stack, events.violations);
            throw await explainTimeout(stack, session.target.stackFile, options, error);
        }
        await awaitRollouts(stack, session.target.stackFile, options, events.changes);
        return {
            stack,
            environment,
            preview: checked,
            changeSummary: events.changeSummary ?? value?.summary?.resourceChanges ?? {},
            changes: events.changes,
            violations: events.violations,
            outputs: redact(value?.outputs ?? {}),
            update: updateInfo(value?.summary),
            stdout: value?.stdout ?? "",
        };
    });
}

/**
 * Refreshes `stack`'s state from the cloud (`pulumi refresh --yes`).
 *
 * @throws ValidationError, NotFoundError, BusyError, StackLockedError, CancelledError, CliNotFoundError, CommandFailedError
 */
export function refresh(stack: string, options: RefreshOptions = {}): Promise<RefreshResult> {
    return withStack(stack, "refresh", options, async (session) => {
        const { value, error, events } = await runStage(session, "refresh", "refresh", options, (hooks) =>
            session.stack.refresh({ ...hooks, message: options.message }),
        );
        if (error !== undefined) throw error;
        return summaryResult(session, events, value?.summary, value?.stdout);
    });
}

/**
 * Destroys every resource of `stack` (`pulumi destroy --yes`); the stack and its
 * config remain. A prod stack needs `allowProd: true`.
 *
 * @throws ValidationError, and everything {@link refresh} throws
 */
export function destroy(stack: string, options: DestroyOptions = {}): Promise<DestroyResult> {
    return withStack(stack, "destroy", options, (session) => destroyStage(session, "destroy", options));
}

/** Secret outputs come back from the SDK in plaintext, flagged; replace them with {@link REDACTED}. */
function redact(outputs: Record<string, { value: unknown; secret: boolean }>): StackOutputs {
    const redacted: StackOutputs = {};
    for (const [name, output] of Object.entries(outputs)) {
        redacted[name] = output.secret ? { value: REDACTED, secret: true } : { value: output.value, secret: false };
    }
    return redacted;
}

/**
 * The stack's outputs from its last update, secret values replaced by `"[secret]"`.
 * Reads do not take the stack's lock: outputs can be read while an update runs.
 *
 * @throws ValidationError, NotFoundError, CliNotFoundError, CommandFailedError
 */
export function outputs(stack: string, options: ConnectionOptions = {}): Promise<StackOutputs> {
    return withoutLock(stack, "outputs", options, async (selected) => redact(await selected.outputs()));
}

/**
 * Asks the backend to cancel the stack's running update (`pulumi cancel --yes`),
 * also one started by another process or left behind by a crashed one. Very
 * dangerous: resource operations in flight may be left pending. Does not wait
 * for this process's own lock.
 *
 * @throws ValidationError, NotFoundError, CliNotFoundError, CommandFailedError
 */
export function cancel(stack: string, options: ConnectionOptions = {}): Promise<void> {
    return withoutLock(stack, "cancel", options, (selected) => selected.cancel());
}

/** Like {@link withStack} for calls that must not queue behind a running operation. */
async function withoutLock<R>(
    stackName: string,
    call: "outputs" | "cancel",
    options: ConnectionOptions,
    body: (stack: Stack) => Promise<R>,
): Promise<R> {
    assertStackName(stackName);
    const connection = connect(options);
    const target = resolveTarget(connection, stackName);
    try {
        return await body(await selectStack(connection, target));
    } catch (err) {
        if (err instanceof StackNotFoundError) forgetStack(target.workDir, stackName);
        throw translateError(err, { stackName, operation: call });
    }
}

/**
 * Reads `stack`'s cluster prerequisites from the cluster of its kubeconfig context and
 * returns one finding each (what is missing and how to install it); changes nothing
 * and takes no lock. `preview` and `up` run the same reads first.
 *
 * @throws ValidationError, NotFoundError, PreflightError (no kubeconfig)
 */
export async function preflight(
    stack: string,
    options: ConnectionOptions = {},
): Promise<{ stack: string; server: string; findings: PreflightFinding[] }> {
    assertStackName(stack);
    const target = resolveTarget(connect(options), stack);
    stackEnvironment(target);
    const input = stackPreflightInput(stack, target.stackFile, { ...process.env, ...options.envVars });
    return { stack, server: input.reader.server, findings: await verifyPrerequisites(input.prerequisites, input.reader) };
}

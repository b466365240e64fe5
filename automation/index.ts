/**
 * Hangar's Automation API module: typed preview / up / refresh / destroy /
 * outputs per environment, ephemeral environments, policies built in, streamed
 * progress, cancellation and safe concurrency. It drives the Pulumi CLI over
 * this repository's own program (`LocalWorkspace`), so it runs exactly what
 * `pulumi up --stack <name>` runs. See automation/README.md.
 */
import * as fs from "fs";
import * as path from "path";
import { CommandError, ConcurrentUpdateError, LocalWorkspace, Stack, StackNotFoundError, UpdateSummary } from "@pulumi/pulumi/automation";
import { environmentFromStackName, readStackConfig } from "../config";
import { AlreadyExistsError, CancelledError, NotFoundError, PolicyViolationError, StatefulChangeError, translateError, ValidationError } from "./errors";
import { EventCollector } from "./events";
import { StackLocks } from "./locks";
import { isDestructiveOp } from "./stateful";
import {
    ConfigOverrides,
    CreatedEnvironment,
    CreateEnvironmentOptions,
    DestroyOptions,
    DestroyResult,
    Environment,
    EnvironmentSummary,
    OperationKind,
    OperationOptions,
    PreviewOptions,
    PreviewResult,
    RefreshOptions,
    RefreshResult,
    REDACTED,
    RemovedEnvironment,
    RemoveEnvironmentOptions,
    ConnectionOptions,
    Stage,
    StackOutputs,
    UpdateInfo,
    UpOptions,
    UpResult,
} from "./types";
import { assertEnvironmentName, assertStackName, buildEnvironmentConfig } from "./validate";
import {
    Connection,
    connect,
    environmentDirs,
    environmentWorkDir,
    forgetStack,
    openWorkspace,
    policyOptions,
    pulumiCommand,
    resolveTarget,
    selectStack,
    stackEnvironment,
    Target,
    trackedStacks,
    writeProjectFile,
} from "./workspace";

export {
    AlreadyExistsError,
    BusyError,
    CancelledError,
    CliNotFoundError,
    CommandFailedError,
    HangarError,
    type HangarErrorCode,
    INSTALL_HINT,
    NotFoundError,
    PolicyViolationError,
    StackLockedError,
    StatefulChangeError,
    ValidationError,
} from "./errors";
export * from "./types";
export { DESTRUCTIVE_OPS, isDestructiveOp, isStatefulType, STATEFUL_RESOURCE_TYPES } from "./stateful";
export { withProgress, type ProgressHooks, type ProgressStream } from "./progress";
export { RESERVED_NAMES, STACK_NAME_LENGTH, STACK_NAME_PATTERN, stackNameIssues, parseKeyPath } from "./validate";

const locks = new StackLocks();

/** What an operation's body gets: the selected stack and its facts. */
interface Session {
    stack: Stack;
    target: Target;
    environment: Environment;
    connection: Connection;
}

/**
 * Validates, resolves and locks the stack, selects it, runs `body`, and turns
 * every failure into a typed error. Nothing reaches the CLI before the name, the
 * stack file and the lock are settled.
 */
async function withStack<R>(stackName: string, operation: OperationKind, options: OperationOptions, body: (session: Session) => Promise<R>): Promise<R> {
    assertStackName(stackName);
    const connection = connect(options);
    const target = resolveTarget(connection, stackName);
    const environment = stackEnvironment(target);
    if (operation === "destroy" && environment === "prod" && !(options as DestroyOptions).allowProd) {
        const issue = { path: "allowProd", message: `stack "${stackName}" is prod: destroying it needs allowProd: true` };
        throw new ValidationError(issue.message, [issue], stackName);
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

function lockKey(connection: Connection, stackName: string): string {
    return `${connection.repoRoot}\u0000${stackName}`;
}

/** The SDK options every engine run shares, and the run itself with its events collected. */
async function runStage<T>(
    session: Session,
    operation: OperationKind,
    stage: Stage,
    options: OperationOptions,
    run: (hooks: { onEvent: EventCollector["handle"]; onOutput?: (text: string) => void; signal?: AbortSignal; showSecrets: false }) => Promise<T>,
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
            pulumiStack.up({ ...hooks, ...policyOptions(connection.repoRoot, environment), refresh: options.refresh, message: options.message }),
        );
        if (error !== undefined) {
            if (failedOnPolicy(error, events, options.signal)) throw new PolicyViolationError(stack, events.violations);
            throw error;
        }
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

async function destroyStage(session: Session, operation: OperationKind, options: OperationOptions): Promise<DestroyResult> {
    const { value, error, events } = await runStage(session, operation, "destroy", options, (hooks) =>
        session.stack.destroy({ ...hooks, message: options.message }),
    );
    if (error !== undefined) throw error;
    return summaryResult(session, events, value?.summary, value?.stdout);
}

function summaryResult(session: Session, events: EventCollector, summary: UpdateSummary | undefined, stdout = ""): RefreshResult {
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
function updateInfo(summary: UpdateSummary | undefined): UpdateInfo | undefined {
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
async function withoutLock<R>(stackName: string, call: "outputs" | "cancel", options: ConnectionOptions, body: (stack: Stack) => Promise<R>): Promise<R> {
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
 * Every environment of the project: the stacks in the backend (`pulumi stack ls`)
 * joined with the repository's stack files and the environments directory.
 *
 * @throws CliNotFoundError, CommandFailedError
 */
export async function listEnvironments(options: ConnectionOptions = {}): Promise<EnvironmentSummary[]> {
    const connection = connect(options);
    let backend;
    try {
        backend = await (await openWorkspace(connection, connection.repoRoot)).listStacks();
    } catch (err) {
        throw translateError(err, { operation: "list" });
    }
    const byName = new Map<string, EnvironmentSummary>();
    for (const name of trackedStacks(connection.repoRoot)) {
        byName.set(name, { name, environment: environmentFromStackName(name), source: "repository", inBackend: false });
    }
    for (const name of environmentDirs(connection)) {
        if (byName.has(name)) continue;
        byName.set(name, { name, environment: "ephemeral", source: "environments-dir", workDir: environmentWorkDir(connection, name), inBackend: false });
    }
    for (const summary of backend) {
        // Pulumi Cloud may qualify names (`org/project/stack`); the short name is the stack.
        const name = summary.name.split("/").pop() as string;
        const known = byName.get(name) ?? { name, environment: environmentFromStackName(name), source: "backend-only" as const, inBackend: true };
        byName.set(name, {
            ...known,
            inBackend: true,
            ...(summary.lastUpdate ? { lastUpdate: summary.lastUpdate } : {}),
            ...(summary.updateInProgress !== undefined ? { updateInProgress: summary.updateInProgress } : {}),
            ...(summary.resourceCount !== undefined ? { resourceCount: summary.resourceCount } : {}),
            ...(summary.url ? { url: summary.url } : {}),
        });
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Creates an ephemeral environment `name`: the ephemeral profile under `from`'s
 * stack file (if given) and `overrides`, validated by `parseConfig` before any
 * CLI call. The stack is initialised (`pulumi stack init`) in a work directory of
 * its own under `environmentsDir`, and its `Pulumi.<name>.yaml` is written there
 * (LocalWorkspace.saveStackSettings), never into the repository.
 *
 * @throws ValidationError (bad name or overrides, with path-named issues), AlreadyExistsError, BusyError, CancelledError, CliNotFoundError, CommandFailedError
 */
export async function createEnvironment(name: string, options: CreateEnvironmentOptions = {}): Promise<CreatedEnvironment> {
    const connection = connect(options);
    const tracked = trackedStacks(connection.repoRoot);
    assertEnvironmentName(name, tracked);
    const { document, config } = buildEnvironmentConfig(name, baseDocument(connection, tracked, options.from), options.overrides as ConfigOverrides);
    const workDir = environmentWorkDir(connection, name);
    if (fs.existsSync(workDir)) throw new AlreadyExistsError(name, `environment "${name}" already exists (${workDir})`);

    const release = await locks.acquire(lockKey(connection, name), name, "create", options);
    let created = false;
    try {
        // Find the CLI first, so a missing one leaves nothing on disk.
        await pulumiCommand(connection);
        if (options.signal?.aborted) throw new CancelledError(name, "create");
        created = true;
        const workspace = await openEnvironmentWorkspace(connection, workDir, options.secretsProvider);
        await Stack.create(name, workspace);
        const settingsFile = path.join(workDir, `Pulumi.${name}.yaml`);
        // `stack init` may have written the secrets provider's salt there; keep it.
        const settings = fs.existsSync(settingsFile) ? await workspace.stackSettings(name) : {};
        await workspace.saveStackSettings(name, { ...settings, config: document as NonNullable<typeof settings.config> });
        return { stack: name, environment: "ephemeral", workDir, stackConfig: document, config };
    } catch (err) {
        if (created) fs.rmSync(workDir, { recursive: true, force: true });
        throw translateError(err, { stackName: name, operation: "create", signal: options.signal });
    } finally {
        release();
    }
}

function baseDocument(connection: Connection, tracked: readonly string[], from: string | undefined): Record<string, unknown> {
    if (from === undefined) return {};
    assertStackName(from);
    if (!tracked.includes(from)) {
        const issue = { path: "from", message: `"${from}" has no stack file in the repository (one of: ${tracked.join(", ")})` };
        throw new ValidationError(issue.message, [issue]);
    }
    const raw = readStackConfig(path.join(connection.repoRoot, `Pulumi.${from}.yaml`));
    return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

async function openEnvironmentWorkspace(connection: Connection, workDir: string, secretsProvider?: string): Promise<LocalWorkspace> {
    fs.mkdirSync(workDir, { recursive: true });
    writeProjectFile(workDir, connection.repoRoot);
    return openWorkspace(connection, workDir, secretsProvider);
}

/**
 * Removes an ephemeral environment: destroys its resources (unless
 * `keepResources`), removes the stack from the backend (`pulumi stack rm`) and
 * deletes its work directory. Refuses prod, staging and any stack tracked in the
 * repository. Works without a work directory (recreates the project file), so an
 * environment created on another host can be removed here; a work directory whose
 * stack is no longer in the backend is just deleted.
 *
 * @throws ValidationError, NotFoundError, BusyError, StackLockedError, CancelledError, CliNotFoundError, CommandFailedError
 */
export async function removeEnvironment(name: string, options: RemoveEnvironmentOptions = {}): Promise<RemovedEnvironment> {
    const connection = connect(options);
    assertEnvironmentName(name, trackedStacks(connection.repoRoot));
    const workDir = environmentWorkDir(connection, name);
    const release = await locks.acquire(lockKey(connection, name), name, "remove", options);
    const existed = fs.existsSync(path.join(workDir, "Pulumi.yaml"));
    try {
        const workspace = await openEnvironmentWorkspace(connection, workDir);
        let stack: Stack;
        try {
            stack = await Stack.select(name, workspace);
        } catch (err) {
            // Keep an existing work directory (it holds the config) unless the backend has no such stack.
            if (!existed || err instanceof StackNotFoundError) fs.rmSync(workDir, { recursive: true, force: true });
            if (!(err instanceof StackNotFoundError)) throw err;
            forgetStack(workDir, name);
            if (existed) return { stack: name, environment: "ephemeral" };
            throw new NotFoundError(name, `environment "${name}" exists neither in ${connection.environmentsDir} nor in the backend`, { cause: err });
        }
        const session: Session = { stack, target: resolveTarget(connection, name), environment: "ephemeral", connection };
        const destroyed = options.keepResources ? undefined : await destroyStage(session, "remove", options);
        if (options.signal?.aborted) throw new CancelledError(name, "remove");
        await workspace.removeStack(name, { force: options.keepResources === true });
        forgetStack(workDir, name);
        fs.rmSync(workDir, { recursive: true, force: true });
        return { stack: name, environment: "ephemeral", ...(destroyed ? { destroyed } : {}) };
    } catch (err) {
        throw translateError(err, { stackName: name, operation: "remove", signal: options.signal });
    } finally {
        release();
    }
}

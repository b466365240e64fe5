/**
 * The environment lifecycle: list every environment of the project, create an
 * ephemeral one in a work directory of its own (its stack file written there,
 * never into the repository), and remove one with its resources, its backend
 * stack and its work directory.
 */
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, Stack, StackAlreadyExistsError, StackNotFoundError, StackSettings } from "@pulumi/pulumi/automation";
import { environmentFromStackName, readStackConfig } from "../config";
import { AlreadyExistsError, CancelledError, NotFoundError, translateError, ValidationError } from "./errors";
import { API_WORDS, Words } from "./words";
import { destroyStage, lockKey, locks, Session } from "./session";
import {
    ConfigOverrides,
    ConnectionOptions,
    CreatedEnvironment,
    CreateEnvironmentOptions,
    EnvironmentSummary,
    ListEnvironmentsOptions,
    RebuildOptions,
    RemovedEnvironment,
    RemoveEnvironmentOptions,
} from "./types";
import { assertEnvironmentName, assertStackName, buildEnvironmentConfig } from "./validate";
import {
    Connection,
    connect,
    environmentDirs,
    environmentWorkDir,
    forgetStack,
    openWorkspace,
    pulumiCommand,
    resolveTarget,
    trackedStacks,
    writeProjectFile,
} from "./workspace";

/**
 * Every environment of the project: the stacks in the backend (`pulumi stack ls`)
 * joined with the repository's stack files and the environments directory, each
 * with its `age` when the backend knows its last update. `olderThan` keeps those
 * last updated before a cutoff (an age in milliseconds, or a Date) and leaves out
 * those whose last update is unknown; `environment` keeps one kind.
 *
 * @throws CliNotFoundError, CommandFailedError
 */
export async function listEnvironments(options: ListEnvironmentsOptions = {}): Promise<EnvironmentSummary[]> {
    const now = (options.now ?? new Date()).getTime();
    const all = (await listAll(options)).map((summary) => {
        const updated = summary.lastUpdate ? Date.parse(summary.lastUpdate) : NaN;
        return Number.isNaN(updated) ? summary : { ...summary, age: Math.max(0, now - updated) };
    });
    const cutoff = options.olderThan === undefined ? undefined : cutoffTime(options.olderThan, now);
    return all.filter(
        (e) =>
            (options.environment === undefined || e.environment === options.environment) &&
            (cutoff === undefined || (e.age !== undefined && now - e.age < cutoff)),
    );
}

/** The cutoff of `olderThan`, in epoch milliseconds: a Date as it is, an age counted back from `now`. */
export function cutoffTime(olderThan: number | Date, now: number): number {
    const cutoff = olderThan instanceof Date ? olderThan.getTime() : now - olderThan;
    if (Number.isNaN(cutoff) || (typeof olderThan === "number" && (!Number.isFinite(olderThan) || olderThan < 0))) {
        throw new ValidationError(`olderThan: expected an age in milliseconds (>= 0) or a valid Date`, [
            { path: "olderThan", message: "expected an age in milliseconds (>= 0) or a valid Date" },
        ]);
    }
    return cutoff;
}

async function listAll(options: ConnectionOptions): Promise<EnvironmentSummary[]> {
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
        byName.set(name, {
            name,
            environment: "ephemeral",
            source: "environments-dir",
            workDir: environmentWorkDir(connection, name),
            inBackend: false,
        });
    }
    for (const summary of backend) {
        // Pulumi Cloud may qualify names (`org/project/stack`); the short name is the stack.
        const name = summary.name.split("/").pop() as string;
        const known = byName.get(name) ?? {
            name,
            environment: environmentFromStackName(name),
            source: "backend-only" as const,
            inBackend: true,
        };
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
    const { document, config } = buildEnvironmentConfig(
        name,
        baseDocument(connection, tracked, options.from),
        options.overrides as ConfigOverrides,
    );
    const workDir = environmentWorkDir(connection, name);
    const rebuild = options.ifExists === "rebuild";
    const madeDir = !fs.existsSync(workDir);
    if (!madeDir && !rebuild) {
        throw new AlreadyExistsError(
            name,
            (w) =>
                `environment "${name}" already exists (${workDir}): pick another name, or remove it first (${w.removeEnvironment(name)})`,
        );
    }

    const release = await locks.acquire(lockKey(connection, name), name, "create", options);
    let created = false;
    try {
        // Find the CLI first, so a missing one leaves nothing on disk.
        await pulumiCommand(connection);
        if (options.signal?.aborted) throw new CancelledError(name, "create");
        created = true;
        const workspace = await openEnvironmentWorkspace(connection, workDir, options.secretsProvider);
        let rebuilt = false;
        try {
            await Stack.create(name, workspace);
        } catch (err) {
            if (!(rebuild && err instanceof StackAlreadyExistsError)) throw err;
            await Stack.select(name, workspace);
            rebuilt = true;
        }
        await writeStackFile(workspace, workDir, name, document, options.secretsProvider);
        return { stack: name, environment: "ephemeral", workDir, stackConfig: document, config, rebuilt };
    } catch (err) {
        if (created && madeDir) fs.rmSync(workDir, { recursive: true, force: true });
        throw translateError(err, { stackName: name, operation: "create", signal: options.signal });
    } finally {
        release();
    }
}

function baseDocument(connection: Connection, tracked: readonly string[], from: string | undefined): Record<string, unknown> {
    if (from === undefined) return {};
    assertStackName(from);
    if (!tracked.includes(from)) {
        const problem = (w: Words) => `${w.from} "${from}": no stack file in the repository (one of: ${tracked.join(", ")})`;
        throw new ValidationError(problem, [{ path: "from", message: problem(API_WORDS) }]);
    }
    const raw = readStackConfig(path.join(connection.repoRoot, `Pulumi.${from}.yaml`));
    return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/**
 * Writes the environment's stack file: `config` as given, `secretsprovider` when given and the
 * file has none. Whatever `stack init` wrote there (the secrets provider's key or salt) is kept.
 */
async function writeStackFile(
    workspace: LocalWorkspace,
    workDir: string,
    name: string,
    document: Record<string, unknown>,
    secretsProvider: string | undefined,
): Promise<void> {
    const settingsFile = path.join(workDir, `Pulumi.${name}.yaml`);
    const settings: StackSettings = fs.existsSync(settingsFile) ? await workspace.stackSettings(name) : {};
    await workspace.saveStackSettings(name, {
        ...settings,
        ...(secretsProvider && !settings.secretsProvider ? { secretsProvider } : {}),
        config: document as NonNullable<StackSettings["config"]>,
    });
}

/** The stack file `create` would write, from the rebuild options; undefined when none are given. Validated before any CLI call. */
function rebuiltDocument(connection: Connection, name: string, options: RebuildOptions): Record<string, unknown> | undefined {
    if (options.from === undefined && options.overrides === undefined && options.secretsProvider === undefined) return undefined;
    const tracked = trackedStacks(connection.repoRoot);
    if (options.from === undefined && options.overrides === undefined) return {};
    return buildEnvironmentConfig(name, baseDocument(connection, tracked, options.from), options.overrides as ConfigOverrides).document;
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
 * repository. Works without a work directory (recreates the project file, and
 * deletes it again when the removal fails), so an environment created on another
 * host can be removed here; a work directory whose stack is no longer in the
 * backend is just deleted. Without a Pulumi CLI it fails before writing anything.
 *
 * @throws ValidationError, NotFoundError, BusyError, StackLockedError, CancelledError, CliNotFoundError, CommandFailedError
 */
export async function removeEnvironment(name: string, options: RemoveEnvironmentOptions = {}): Promise<RemovedEnvironment> {
    const connection = connect(options);
    assertEnvironmentName(name, trackedStacks(connection.repoRoot));
    const workDir = environmentWorkDir(connection, name);
    const rebuilt = rebuiltDocument(connection, name, options);
    const release = await locks.acquire(lockKey(connection, name), name, "remove", options);
    const existed = fs.existsSync(path.join(workDir, "Pulumi.yaml"));
    // A work directory this call makes must not outlive it: createEnvironment takes any
    // directory of that name for an existing environment.
    const madeDir = !fs.existsSync(workDir);
    try {
        // Find the CLI before writing the project file, so a missing one leaves nothing on disk.
        await pulumiCommand(connection);
        if (options.signal?.aborted) throw new CancelledError(name, "remove");
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
            throw new NotFoundError(name, `environment "${name}" exists neither in ${connection.environmentsDir} nor in the backend`, {
                cause: err,
            });
        }
        // Created on another host: destroy with the stack file create wrote (its secrets provider above all).
        if (rebuilt && !fs.existsSync(path.join(workDir, `Pulumi.${name}.yaml`))) {
            await writeStackFile(workspace, workDir, name, rebuilt, options.secretsProvider);
        }
        const session: Session = { stack, target: resolveTarget(connection, name), environment: "ephemeral", connection };
        const destroyed = options.keepResources ? undefined : await destroyStage(session, "remove", options);
        if (options.signal?.aborted) throw new CancelledError(name, "remove");
        await workspace.removeStack(name, { force: options.keepResources === true });
        forgetStack(workDir, name);
        fs.rmSync(workDir, { recursive: true, force: true });
        return { stack: name, environment: "ephemeral", ...(destroyed ? { destroyed } : {}) };
    } catch (err) {
        if (madeDir) fs.rmSync(workDir, { recursive: true, force: true });
        throw translateError(err, { stackName: name, operation: "remove", signal: options.signal });
    } finally {
        release();
    }
}

/**
 * Where each stack runs. Tracked stacks (`Pulumi.prod.yaml`, `Pulumi.staging.yaml`)
 * run in the repository itself, exactly as `pulumi up --stack prod` does there.
 * Ephemeral environments run in a work directory of their own, outside the
 * repository: its `Pulumi.yaml` is the repository's with `main:` pointing back at
 * the repository (Pulumi accepts absolute `main` paths since v3.1, pulumi/pulumi#6734),
 * so the same program runs while `Pulumi.<name>.yaml` never lands in the checkout.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { CommandError, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { Environment, formatIssues, parseConfig, readStackConfig } from "../config";
import { CliNotFoundError, commandOutput, NotFoundError, ValidationError } from "./errors";
import { API_WORDS, Words } from "./words";
import type { ConnectionOptions, EnvironmentSource } from "./types";

/** The repository this module belongs to. */
export const DEFAULT_REPO_ROOT = path.resolve(__dirname, "..");

/** Connection options with every default filled in. */
export interface Connection {
    repoRoot: string;
    environmentsDir: string;
    envVars: Record<string, string>;
    pulumiCommand?: PulumiCommand;
    pulumiRoot?: string;
    skipVersionCheck: boolean;
}

/** Fills in defaults and refuses an environments directory inside the repository. */
export function connect(options: ConnectionOptions = {}): Connection {
    const repoRoot = path.resolve(options.repoRoot ?? DEFAULT_REPO_ROOT);
    const environmentsDir = path.resolve(
        options.environmentsDir ?? process.env.HANGAR_ENVIRONMENTS_DIR ?? path.join(os.homedir(), ".hangar", "environments"),
    );
    if (isInside(environmentsDir, repoRoot)) {
        const problem = (w: Words) =>
            `the environments directory ${environmentsDir} (${w.environmentsDir}) is inside the repository ${repoRoot}; ` +
            "stack files written there would pollute it";
        throw new ValidationError(problem, [{ path: "environmentsDir", message: problem(API_WORDS) }]);
    }
    return {
        repoRoot,
        environmentsDir,
        envVars: { ...options.envVars },
        pulumiCommand: options.pulumiCommand,
        pulumiRoot: options.pulumiRoot,
        skipVersionCheck: options.skipVersionCheck ?? false,
    };
}

function isInside(child: string, parent: string): boolean {
    const relative = path.relative(parent, child);
    return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Stacks with a stack file committed in the repository (`Pulumi.<name>.yaml`). */
export function trackedStacks(repoRoot: string): string[] {
    return fs
        .readdirSync(repoRoot)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** The work directory of an ephemeral environment (which may not exist yet). */
export function environmentWorkDir(connection: Connection, name: string): string {
    return path.join(connection.environmentsDir, name);
}

/** Ephemeral environments that have a work directory. */
export function environmentDirs(connection: Connection): string[] {
    if (!fs.existsSync(connection.environmentsDir)) return [];
    return fs
        .readdirSync(connection.environmentsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(connection.environmentsDir, entry.name, "Pulumi.yaml")))
        .map((entry) => entry.name)
        .sort();
}

/** A stack, where it runs, and its stack file. */
export interface Target {
    stack: string;
    workDir: string;
    stackFile: string;
    source: Exclude<EnvironmentSource, "backend-only">;
}

/** Finds where `stack` runs; throws {@link NotFoundError} when neither the repository nor the environments directory has it. */
export function resolveTarget(connection: Connection, stack: string): Target {
    const tracked = path.join(connection.repoRoot, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(tracked)) return { stack, workDir: connection.repoRoot, stackFile: tracked, source: "repository" };
    const workDir = environmentWorkDir(connection, stack);
    if (fs.existsSync(path.join(workDir, "Pulumi.yaml"))) {
        return { stack, workDir, stackFile: path.join(workDir, `Pulumi.${stack}.yaml`), source: "environments-dir" };
    }
    throw new NotFoundError(
        stack,
        (w) =>
            `no stack "${stack}": neither ${tracked} nor an environment in ${connection.environmentsDir} (create one with ${w.createEnvironment(stack)})`,
    );
}

/**
 * The environment a stack's file describes, after `parseConfig` accepts it, so a
 * config mistake is reported by key path before the CLI starts.
 */
export function stackEnvironment(target: Target): Environment {
    const raw = fs.existsSync(target.stackFile) ? readStackConfig(target.stackFile) : {};
    const parsed = parseConfig(raw, target.stack);
    if (!parsed.ok)
        throw new ValidationError(`stack "${target.stack}": ${formatIssues(parsed.errors)}`, parsed.errors, target.stack, "stack-file");
    return parsed.config.environment;
}

/** `--policy-pack <repo>/policies --policy-pack-config <repo>/policies/config/<env>.json`, as SDK options. */
export function policyOptions(repoRoot: string, environment: Environment): { policyPacks: string[]; policyPackConfigs: string[] } {
    return {
        policyPacks: [path.join(repoRoot, "policies")],
        policyPackConfigs: [path.join(repoRoot, "policies", "config", `${environment}.json`)],
    };
}

/**
 * Writes (or refreshes) an environment's `Pulumi.yaml`: the repository's project
 * file with `main:` set to the repository, so the project name, runtime and
 * options stay the repository's own.
 */
export function writeProjectFile(workDir: string, repoRoot: string): void {
    const project = parseYaml(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    const content =
        "# Written by Hangar's automation module: the Hangar program, run from the repository below.\n" +
        stringifyYaml({ ...project, main: repoRoot });
    const file = path.join(workDir, "Pulumi.yaml");
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content);
}

const commands = new Map<string, Promise<PulumiCommand>>();

/**
 * The Pulumi CLI: the one passed in, or `<pulumiRoot>/bin/pulumi`, or `pulumi` on
 * PATH (located once per process; a failed lookup is retried on the next call).
 * Throws {@link CliNotFoundError} with the install step when there is none.
 */
export function pulumiCommand(connection: Connection): Promise<PulumiCommand> {
    if (connection.pulumiCommand) return Promise.resolve(connection.pulumiCommand);
    const root = connection.pulumiRoot ? path.resolve(connection.pulumiRoot) : undefined;
    const key = `${root ?? ""}\u0000${connection.skipVersionCheck}`;
    let found = commands.get(key);
    if (!found) {
        found = PulumiCommand.get({ root, skipVersionCheck: connection.skipVersionCheck }).catch((err: unknown) => {
            commands.delete(key);
            throw cliError(err, root ? path.join(root, "bin", "pulumi") : "pulumi on PATH");
        });
        commands.set(key, found);
    }
    return found;
}

function cliError(err: unknown, command: string): unknown {
    if (!(err instanceof CommandError)) return err;
    const { errno, stderr } = commandOutput(err);
    const missing = errno === "ENOENT" || errno === "EACCES" || /\bENOENT\b|\bEACCES\b/.test(stderr);
    return missing ? new CliNotFoundError(command, { cause: err }) : err;
}

/** A LocalWorkspace over the target's work directory. */
export async function openWorkspace(connection: Connection, workDir: string, secretsProvider?: string): Promise<LocalWorkspace> {
    return LocalWorkspace.create({ workDir, pulumiCommand: await pulumiCommand(connection), envVars: connection.envVars, secretsProvider });
}

const MAX_SELECTED = 256;
const selected = new Map<string, Promise<Stack>>();

/**
 * The target's stack. The first call selects it (`pulumi stack select`, which
 * also proves it exists: a missing one is the SDK's StackNotFoundError); later
 * calls with the same CLI and environment reuse it, since every operation names
 * its stack with `--stack` anyway. That saves a CLI run (a backend round trip)
 * per operation.
 */
export function selectStack(connection: Connection, target: Target): Promise<Stack> {
    if (target.source === "environments-dir") writeProjectFile(target.workDir, connection.repoRoot);
    const key = selectionKey(connection, target.workDir, target.stack);
    let stack = selected.get(key);
    if (stack) {
        // Most recently used last, so eviction drops the least recently used.
        selected.delete(key);
        selected.set(key, stack);
        return stack;
    }
    stack = openWorkspace(connection, target.workDir).then((workspace) => Stack.select(target.stack, workspace));
    selected.set(key, stack);
    stack.catch(() => selected.delete(key));
    if (selected.size > MAX_SELECTED) selected.delete(selected.keys().next().value as string);
    return stack;
}

/** Forgets selected stacks of `stackName` in `workDir` (after a removal, or when the backend no longer has it). */
export function forgetStack(workDir: string, stackName: string): void {
    const prefix = JSON.stringify([workDir, stackName]).slice(0, -1);
    for (const key of [...selected.keys()]) if (key.startsWith(`${prefix},`)) selected.delete(key);
}

function selectionKey(connection: Connection, workDir: string, stackName: string): string {
    const command = connection.pulumiCommand
        ? `${connection.pulumiCommand.command}@${connection.pulumiCommand.version}`
        : (connection.pulumiRoot ?? "PATH");
    const env = Object.entries(connection.envVars).sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify([workDir, stackName, command, connection.skipVersionCheck, env]);
}

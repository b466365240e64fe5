/**
 * `hangar`: the automation module as a command line, for people and CI.
 * Exit codes: 0 ok, 1 failure, 2 usage (or an invalid name or override),
 * 3 policy violation, 4 stack busy or locked, 5 a cluster prerequisite is missing.
 */
import { parseArgs } from "util";
import { parseDuration, parseSets, USAGE, UsageError } from "./cli-args";
import { CLI_WORDS, describeChanges, describeSweep, describeViolations, jsonFailure, JsonFailure, progressPrinter } from "./cli-output";
import { formatFindings } from "./preflight";
import {
    BusyError,
    ConnectionOptions,
    createEnvironment,
    destroy,
    HangarError,
    listEnvironments,
    outputs,
    PolicyViolationError,
    preflight,
    PreflightError,
    preview,
    refresh,
    removeEnvironment,
    StackLockedError,
    sweepEnvironments,
    up,
    ValidationError,
} from "./index";

/** The exit codes of `hangar`. */
export { parseDuration, parseSets, USAGE };

/** The exit codes of `hangar`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, policy: 3, busy: 4, prerequisites: 5 } as const;

/** Where the CLI writes, and what it reads from its environment (injectable for tests). */
export interface CliIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    /** HANGAR_PULUMI_ROOT (a directory holding bin/pulumi), HANGAR_ENVIRONMENTS_DIR. */
    env: Record<string, string | undefined>;
    /** Aborting cancels the running operation (the shim wires Ctrl-C to it). */
    signal?: AbortSignal;
    /** Extra connection options (tests point these at a fake CLI). */
    connection?: ConnectionOptions;
}

const OPTIONS = {
    "allow-replace": { type: "string", multiple: true },
    "allow-prod": { type: "boolean" },
    from: { type: "string" },
    set: { type: "string", multiple: true },
    "secrets-provider": { type: "string" },
    "keep-resources": { type: "boolean" },
    "if-exists": { type: "string" },
    "older-than": { type: "string" },
    ephemeral: { type: "boolean" },
    prefix: { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    message: { type: "string" },
    refresh: { type: "boolean" },
    "skip-preflight": { type: "boolean" },
    json: { type: "boolean" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** Runs `hangar` with `argv` (without the node and script paths); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
    // Read before parsing, so that even a command line that does not parse fails as JSON.
    const terminator = argv.indexOf("--");
    const json = (terminator < 0 ? argv : argv.slice(0, terminator)).includes("--json");
    let parsed: { values: Values; positionals: string[] };
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
        return report(new UsageError((err as Error).message), io, json);
    }
    const { values, positionals } = parsed;
    if (values.help) {
        io.stdout(USAGE);
        return EXIT.ok;
    }
    try {
        if (positionals.length === 0) throw new UsageError("no command given");
        return await dispatch(positionals, values, io);
    } catch (err) {
        return report(err, io, json);
    }
}

async function dispatch([command, name, ...extra]: string[], values: Values, io: CliIo): Promise<number> {
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const needName = (what: string) => {
        if (!name) throw new UsageError(`${command} needs ${what}`);
        return name;
    };
    const connection: ConnectionOptions = {
        ...(io.env.HANGAR_PULUMI_ROOT ? { pulumiRoot: io.env.HANGAR_PULUMI_ROOT } : {}),
        ...(io.env.HANGAR_ENVIRONMENTS_DIR ? { environmentsDir: io.env.HANGAR_ENVIRONMENTS_DIR } : {}),
        ...(values["skip-preflight"] ? { preflight: false } : {}),
        ...io.connection,
    };
    const streaming = {
        ...connection,
        signal: io.signal,
        message: values.message,
        ...(values.quiet || values.json ? {} : { onOutput: io.stdout, onEvent: progressPrinter(io) }),
    };
    // How create writes a stack file, and how remove and sweep rebuild one on a host that has none.
    const rebuild = {
        ...(values.from !== undefined ? { from: values.from } : {}),
        ...(values["secrets-provider"] !== undefined ? { secretsProvider: values["secrets-provider"] } : {}),
        ...(values.set !== undefined ? { overrides: parseSets(values.set) } : {}),
    };
    const print = (value: unknown, text: () => string) => io.stdout(values.json ? `${JSON.stringify(value, null, 2)}\n` : text());

    switch (command) {
        case "preflight": {
            const result = await preflight(needName("a stack name"), connection);
            print(result, () => `Cluster prerequisites of ${result.stack} (${result.server}):\n${formatFindings(result.findings)}\n`);
            return result.findings.every((f) => f.ok) ? EXIT.ok : EXIT.prerequisites;
        }
        case "preview": {
            const result = await preview(needName("a stack name"), { ...streaming, refresh: values.refresh });
            print(
                result,
                () =>
                    `\nPreview of ${result.stack} (${result.environment}): ${describeChanges(result.changeSummary)}\n${describeViolations(result.violations)}`,
            );
            return result.blocked ? EXIT.policy : EXIT.ok;
        }
        case "up": {
            const result = await up(needName("a stack name"), {
                ...streaming,
                refresh: values.refresh,
                allowReplace: values["allow-replace"],
            });
            print(
                result,
                () =>
                    `\nUpdated ${result.stack} (${result.environment}): ${describeChanges(result.changeSummary)}\n${describeViolations(result.violations)}`,
            );
            return EXIT.ok;
        }
        case "refresh": {
            const result = await refresh(needName("a stack name"), streaming);
            print(result, () => `\nRefreshed ${result.stack}: ${describeChanges(result.changeSummary)}\n`);
            return EXIT.ok;
        }
        case "outputs": {
            const result = await outputs(needName("a stack name"), connection);
            io.stdout(`${JSON.stringify(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.value])), null, 2)}\n`);
            return EXIT.ok;
        }
        case "destroy": {
            const stack = needName("a stack name");
            if (!values.yes) throw new UsageError(`destroy deletes every resource of "${stack}": confirm with --yes`);
            const result = await destroy(stack, { ...streaming, allowProd: values["allow-prod"] });
            print(result, () => `\nDestroyed ${result.stack}: ${describeChanges(result.changeSummary)}\n`);
            return EXIT.ok;
        }
        case "create": {
            const ifExists = values["if-exists"];
            if (ifExists !== undefined && ifExists !== "fail" && ifExists !== "rebuild")
                throw new UsageError(`--if-exists expects fail or rebuild, got "${ifExists}"`);
            const created = await createEnvironment(needName("an environment name"), {
                ...connection,
                ...rebuild,
                overrides: rebuild.overrides ?? {},
                signal: io.signal,
                ifExists,
            });
            const verb = created.rebuilt ? "Rebuilt the stack file of" : "Created";
            print(
                { ...created, config: undefined },
                () => `${verb} environment ${created.stack} in ${created.workDir}\nNext: hangar up ${created.stack}\n`,
            );
            return EXIT.ok;
        }
        case "remove": {
            const env = needName("an environment name");
            if (!values.yes) throw new UsageError(`remove destroys environment "${env}": confirm with --yes`);
            const removed = await removeEnvironment(env, { ...streaming, ...rebuild, keepResources: values["keep-resources"] });
            print(removed, () => `\nRemoved environment ${removed.stack}\n`);
            return EXIT.ok;
        }
        case "sweep": {
            if (name) throw new UsageError(`unexpected argument "${name}"`);
            if (!values["older-than"]) throw new UsageError("sweep needs --older-than <age> (30m, 72h, 7d)");
            const olderThan = parseDuration("--older-than", values["older-than"]);
            const swept = await sweepEnvironments({
                ...streaming,
                ...rebuild,
                olderThan,
                prefix: values.prefix,
                dryRun: values["dry-run"],
            });
            print(swept, () => describeSweep(swept));
            return swept.failed.length > 0 ? EXIT.failure : EXIT.ok;
        }
        case "list": {
            if (name) throw new UsageError(`unexpected argument "${name}"`);
            const environments = await listEnvironments({
                ...connection,
                ...(values["older-than"] ? { olderThan: parseDuration("--older-than", values["older-than"]) } : {}),
                ...(values.ephemeral ? { environment: "ephemeral" as const } : {}),
            });
            print(environments, () =>
                environments
                    .map(
                        (e) =>
                            `${e.name.padEnd(24)} ${e.environment.padEnd(10)} ${e.source.padEnd(17)} ${e.lastUpdate ?? (e.inBackend ? "" : "(not in backend)")}\n`,
                    )
                    .join(""),
            );
            return EXIT.ok;
        }
        default:
            throw new UsageError(`unknown command "${command}"`);
    }
}

/** What a failed run prints and exits with: `--json` prints {@link JsonFailure} on stdout, text goes to stderr. */
function report(err: unknown, io: CliIo, json: boolean): number {
    const { exitCode, code, message, text } = describeFailure(err);
    if (json) io.stdout(`${JSON.stringify(jsonFailure(err, code, message, exitCode), null, 2)}\n`);
    else io.stderr(text);
    return exitCode;
}

/** A failure's exit code, its code and message (in the CLI's words), and the text people read. */
function describeFailure(err: unknown): { exitCode: number; code: JsonFailure["error"]["code"]; message: string; text: string } {
    if (err instanceof UsageError) {
        return { exitCode: EXIT.usage, code: "USAGE", message: err.message, text: `hangar: ${err.message}\n\n${USAGE}` };
    }
    if (!(err instanceof HangarError)) {
        const message = err instanceof Error ? err.message : String(err);
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
        return { exitCode: EXIT.failure, code: "INTERNAL", message, text: `hangar: ${detail}\n` };
    }
    const message = err.explain(CLI_WORDS);
    const failure = { code: err.code, message, text: `hangar: ${message}\n` };
    if (err instanceof PolicyViolationError) {
        return { ...failure, exitCode: EXIT.policy, text: `hangar: ${message}\n${describeViolations(err.violations)}` };
    }
    if (err instanceof PreflightError) {
        const text = `hangar: stack "${err.stackName}": the cluster lacks a prerequisite; nothing was changed\n${formatFindings([...err.findings])}\n`;
        return { ...failure, exitCode: EXIT.prerequisites, text };
    }
    if (err instanceof BusyError || err instanceof StackLockedError) return { ...failure, exitCode: EXIT.busy };
    if (err instanceof ValidationError) return { ...failure, exitCode: err.source === "request" ? EXIT.usage : EXIT.failure };
    return { ...failure, exitCode: EXIT.failure };
}

/** The process entry point (automation/hangar.js): wires stdio, Ctrl-C and the exit code. */
export function run(): void {
    const controller = new AbortController();
    let interrupts = 0;
    process.on("SIGINT", () => {
        interrupts += 1;
        if (interrupts > 1) process.exit(EXIT.failure);
        process.stderr.write("\nhangar: cancelling (Ctrl-C again to quit at once)…\n");
        controller.abort();
    });
    const io: CliIo = {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: process.env,
        signal: controller.signal,
    };
    main(process.argv.slice(2), io).then((code) => {
        process.exitCode = code;
    });
}

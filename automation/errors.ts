/**
 * Every failure the automation module reports is a {@link HangarError} with a
 * stable `code`, so a platform service can branch on it (retry a `LOCKED`
 * stack later, show `POLICY` violations, ask a human about `STATEFUL_CHANGE`).
 */
import { CommandError, ConcurrentUpdateError, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { ConfigIssue } from "../config";
import type { CallKind, OperationKind, PolicyViolation, PreviewResult, ResourceChange } from "./types";
import { API_WORDS, Explanation, installHint, Words } from "./words";

export { API_WORDS, INSTALL_HINT, type Explanation, type Words } from "./words";

/** The `code` of each {@link HangarError} subclass. */
export type HangarErrorCode =
    | "INVALID"
    | "NOT_FOUND"
    | "EXISTS"
    | "BUSY"
    | "LOCKED"
    | "CANCELLED"
    | "POLICY"
    | "STATEFUL_CHANGE"
    | "CLI_NOT_FOUND"
    | "FAILED"
    | "PREFLIGHT"
    | "ROLLOUT_ABORTED"
    | "ROLLOUT_PENDING";

/** Base class of every error this module throws. */
export abstract class HangarError extends Error {
    /** Stable machine-readable kind of failure. */
    abstract readonly code: HangarErrorCode;
    /** The stack the failed call was about, when there is one. */
    readonly stackName?: string;
    readonly #explanation: Explanation;

    /** `explanation` is the message, or a function writing it in the reader's {@link Words} (the message uses {@link API_WORDS}). */
    protected constructor(explanation: Explanation, stackName?: string, options?: { cause?: unknown }) {
        super(typeof explanation === "function" ? explanation(API_WORDS) : explanation, options);
        this.name = new.target.name;
        this.stackName = stackName;
        this.#explanation = explanation;
    }

    /** The message in `words` (`message` is `explain(API_WORDS)`): the CLI passes its flags and commands. */
    explain(words: Words): string {
        return typeof this.#explanation === "function" ? this.#explanation(words) : this.message;
    }
}

/**
 * A name, an override or a stack file was refused before any CLI call. `issues`
 * name what is wrong by key path (`name`, `hangar:database.backupRetentionDays`).
 */
export class ValidationError extends HangarError {
    readonly code = "INVALID";
    constructor(
        message: Explanation,
        /** Every problem found, each with the key path it concerns. */
        readonly issues: readonly ConfigIssue[],
        stackName?: string,
        /** `request`: the call's own arguments; `stack-file`: a stack file on disk. */
        readonly source: "request" | "stack-file" = "request",
    ) {
        super(message, stackName);
    }
}

/**
 * The stack's cluster lacks a prerequisite (a CRD, the Gateway and its listener, the StorageClass, the metrics
 * API, an Ingress controller that publishes status): nothing was changed. `findings` lists every prerequisite
 * with what is wrong and how to install it.
 */
export class PreflightError extends HangarError {
    readonly code = "PREFLIGHT";
    constructor(
        stackName: string,
        readonly findings: readonly { id: string; ok: boolean; problem?: string; install?: string; neededBy: string }[],
    ) {
        const failed = findings.filter((f) => !f.ok);
        super(
            `stack "${stackName}": the cluster lacks ${failed.length} prerequisite(s): ` +
                failed.map((f) => `${f.id}: ${f.problem} (needed by ${f.neededBy}; ${f.install})`).join("; "),
            stackName,
        );
    }
}

/** The stack has no stack file in the repository, no environment work directory, or no stack in the backend. */
export class NotFoundError extends HangarError {
    readonly code = "NOT_FOUND";
    constructor(stackName: string, message: Explanation, options?: { cause?: unknown }) {
        super(message, stackName, options);
    }
}

/** `createEnvironment` met an environment or backend stack that already exists. */
export class AlreadyExistsError extends HangarError {
    readonly code = "EXISTS";
    constructor(stackName: string, message: Explanation, options?: { cause?: unknown }) {
        super(message, stackName, options);
    }
}

/**
 * Another operation on the same stack is running in this process and the call
 * asked not to wait (`whenBusy: "fail"`).
 */
export class BusyError extends HangarError {
    readonly code = "BUSY";
    constructor(
        stackName: string,
        /** The operation holding the stack. */
        readonly runningOperation: OperationKind,
    ) {
        super(
            (w) =>
                `stack "${stackName}" is busy: a ${runningOperation} is running in this process; retry when it ends` +
                (w.waitWhenBusy ? ` or pass ${w.waitWhenBusy}` : ""),
            stackName,
        );
    }
}

/**
 * The backend reports the stack locked by another process (a DIY backend's
 * lock file, or Pulumi Cloud's "another update is in progress"). Retrying
 * later is safe; `guidance` says what to do if no update is really running.
 */
export class StackLockedError extends HangarError {
    readonly code = "LOCKED";
    /** Always true: the same call may succeed once the other update ends. */
    readonly retryable = true;
    /** What to do about it, for people. */
    readonly guidance: string;
    constructor(
        stackName: string,
        /** The backend's own words (stderr). */
        readonly detail: string,
        options?: { cause?: unknown },
    ) {
        const guidance = (w: Words) =>
            `Another process is updating stack "${stackName}". Retry after it finishes (for example with backoff from 30 s). ` +
            `If no update is running (a crashed process left the lock), clear it with \`pulumi cancel --stack ${stackName}\`` +
            `${w.cancel ? ` or ${w.cancel(stackName)}` : ""}.`;
        super((w) => `stack "${stackName}" is locked by another update. ${guidance(w)}`, stackName, options);
        this.guidance = guidance(API_WORDS);
    }
}

/** The call's AbortSignal fired: the operation was interrupted (or never started). */
export class CancelledError extends HangarError {
    readonly code = "CANCELLED";
    constructor(
        stackName: string,
        /** The operation that was cancelled. */
        readonly operation: CallKind,
        options?: { cause?: unknown },
    ) {
        super(`${operation} of stack "${stackName}" was cancelled`, stackName, options);
    }
}

/**
 * A mandatory policy failed, so `up` changed nothing (or the engine stopped
 * it). The violations are data, as `preview` returns them.
 */
export class PolicyViolationError extends HangarError {
    readonly code = "POLICY";
    constructor(
        stackName: string,
        /** Every violation reported, mandatory and advisory. */
        readonly violations: readonly PolicyViolation[],
        /** The preview that found them, when `up` stopped before updating. */
        readonly preview?: PreviewResult,
    ) {
        const mandatory = violations.filter((v) => v.level === "mandatory");
        super(
            `stack "${stackName}": ${mandatory.length} mandatory policy violation(s):\n` +
                mandatory.map((v) => `  [${v.pack}/${v.policy}] ${v.urn ?? "(stack)"}: ${v.message}`).join("\n"),
            stackName,
        );
    }
}

/**
 * The preview before `up` would replace or delete a stateful resource that the
 * call did not list in `allowReplace`; `up` was not run.
 */
export class StatefulChangeError extends HangarError {
    readonly code = "STATEFUL_CHANGE";
    constructor(
        stackName: string,
        /** The refused changes; pass their URNs in `allowReplace` to accept them. */
        readonly changes: readonly ResourceChange[],
        /** The preview that showed them. */
        readonly preview: PreviewResult,
    ) {
        super(
            (w) =>
                `stack "${stackName}": refusing to ${changes.length === 1 ? "change a stateful resource" : `change ${changes.length} stateful resources`} ` +
                `destructively (data would be lost):\n${changes.map((c) => `  ${c.op} ${c.urn}`).join("\n")}\n` +
                `If this is intended, ${w.acceptReplacement}.`,
            stackName,
        );
    }
}

/** No Pulumi CLI where the module looked for it. */
export class CliNotFoundError extends HangarError {
    readonly code = "CLI_NOT_FOUND";
    constructor(
        /** The command that could not be run (`pulumi` or `<root>/bin/pulumi`). */
        readonly command: string,
        options?: { cause?: unknown },
    ) {
        super((w) => `the Pulumi CLI was not found (${command}). ${installHint(w)}`, undefined, options);
    }
}

/** The Pulumi CLI failed for another reason; stdout and stderr say why. */
export class CommandFailedError extends HangarError {
    readonly code = "FAILED";
    constructor(
        stackName: string | undefined,
        /** The operation that failed. */
        readonly operation: CallKind,
        /** The CLI's exit code (-2 when it could not be run). */
        readonly exitCode: number,
        readonly stdout: string,
        readonly stderr: string,
        options?: { cause?: unknown },
    ) {
        const last = stderr.trim().split("\n").filter(Boolean).slice(-5).join("\n");
        super(
            `${operation}${stackName ? ` of stack "${stackName}"` : ""} failed (exit ${exitCode})${last ? `:\n${last}` : ""}`,
            stackName,
            options,
        );
    }
}

interface ExecaFailure {
    exitCode?: number;
    stdout?: string;
    stderr?: string;
    code?: string;
}

/**
 * What a CommandError carried. The SDK keeps it in a private field (present at
 * run time); for a non-zero exit it wraps execa's error, whose own fields hold
 * the real exit code and the separate streams.
 */
export function commandOutput(err: CommandError): { stdout: string; stderr: string; code: number; errno?: string } {
    const result = (err as unknown as { commandResult?: { stdout?: string; stderr?: string; code?: number; err?: ExecaFailure } })
        .commandResult;
    const cause = result?.err;
    return {
        stdout: typeof cause?.stdout === "string" ? cause.stdout : (result?.stdout ?? ""),
        stderr: typeof cause?.stderr === "string" && cause.stderr !== "" ? cause.stderr : (result?.stderr ?? err.message),
        code: typeof cause?.exitCode === "number" ? cause.exitCode : (result?.code ?? -1),
        errno: cause?.code,
    };
}

/** Context for turning an SDK error into a {@link HangarError}. */
export interface ErrorContext {
    stackName?: string;
    operation: CallKind;
    signal?: AbortSignal;
}

/** Maps an error from the Automation API onto this module's typed errors. */
export function translateError(err: unknown, context: ErrorContext): Error {
    const { operation } = context;
    const stackName = context.stackName ?? "";
    if (err instanceof HangarError) return err;
    if (context.signal?.aborted) return new CancelledError(stackName, operation, { cause: err });
    if (!(err instanceof CommandError)) return err instanceof Error ? err : new Error(String(err));
    const { stdout, stderr, code } = commandOutput(err);
    if (err instanceof ConcurrentUpdateError) return new StackLockedError(stackName, lockDetail(stderr), { cause: err });
    if (err instanceof StackNotFoundError) {
        return new NotFoundError(stackName, `stack "${stackName}" does not exist in the backend`, { cause: err });
    }
    if (err instanceof StackAlreadyExistsError) {
        return new AlreadyExistsError(
            stackName,
            (w) =>
                `stack "${stackName}" already exists in the backend: pick another name, or remove it if nothing uses it (${w.removeEnvironment(stackName)})`,
            { cause: err },
        );
    }
    return new CommandFailedError(context.stackName, operation, code, stdout, stderr, { cause: err });
}

function lockDetail(stderr: string): string {
    const line = stderr.split("\n").find((l) => /currently locked by|Another update is currently in progress/.test(l));
    return (line ?? stderr).trim();
}

/** How `hangar` prints progress, change summaries and policy violations. */
import type { ConfigIssue } from "../config";
import { HangarError, PolicyViolationError, PreflightError, StackLockedError, StatefulChangeError, ValidationError } from "./errors";
import type { HangarErrorCode } from "./errors";
import type { Words } from "./words";
import type { OpMap, PolicyViolation, ProgressEvent, SweepResult } from "./index";

export function progressPrinter(io: { stderr: (text: string) => void }): (event: ProgressEvent) => void {
    return (event) => {
        if (event.kind === "stage" && event.operation === "up") io.stderr(`--- ${event.stage} of ${event.stack}\n`);
        if (event.kind === "policy" && event.violation.level === "mandatory")
            io.stderr(`policy: ${event.violation.policy}: ${event.violation.message}\n`);
    };
}

export function describeChanges(summary: OpMap): string {
    const parts = Object.entries(summary)
        .filter(([, count]) => (count ?? 0) > 0)
        .map(([op, count]) => `${count} ${op === "same" ? "unchanged" : `to ${op}`}`);
    return parts.length > 0 ? parts.join(", ") : "no changes";
}

export function describeViolations(violations: readonly PolicyViolation[]): string {
    if (violations.length === 0) return "";
    const lines = violations.map((v) => `  ${v.level.padEnd(9)} ${v.pack}/${v.policy}  ${v.urn ?? "(stack)"}\n            ${v.message}`);
    return `Policy violations (${violations.length}):\n${lines.join("\n")}\n`;
}

/** What `hangar sweep` prints: what it removed (or would), what it skipped and why, what failed. */
export function describeSweep(result: SweepResult): string {
    const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;
    const lines = [`Ephemeral environments last updated before ${result.cutoff.toISOString()}${result.dryRun ? " (dry run)" : ""}:`];
    for (const e of result.removed)
        lines.push(`  ${result.dryRun ? "would remove" : "removed"} ${e.stack} (last update ${hours(e.age)} ago)`);
    for (const e of result.skipped) lines.push(`  skipped ${e.stack}: ${e.reason}`);
    for (const e of result.failed) lines.push(`  FAILED ${e.stack}: ${e.code}: ${e.message}`);
    if (lines.length === 1) lines.push("  none");
    return `${lines.join("\n")}\n`;
}

/** The command line's words for what an error asks its reader to pass or do (HangarError.explain). */
export const CLI_WORDS: Words = {
    allowProd: "--allow-prod",
    acceptReplacement: "pass each URN with --allow-replace <urn>",
    from: "--from",
    overrides: "--set values",
    environmentsDir: "HANGAR_ENVIRONMENTS_DIR",
    locateCli: "set HANGAR_PULUMI_ROOT to a directory holding bin/pulumi",
    createEnvironment: (name) => `hangar create ${name}`,
    removeEnvironment: (name) => `hangar remove ${name} --yes`,
};

/** A failure as `--json` prints it: `{ ok: false, error: { code, message, … } }`, the message in the CLI's words. */
export interface JsonFailure {
    ok: false;
    error: {
        /** A {@link HangarError}'s code, `USAGE` (the command line itself), or `INTERNAL` (a bug: anything else). */
        code: HangarErrorCode | "USAGE" | "INTERNAL";
        message: string;
        /** The exit code of this run. */
        exitCode: number;
        stack?: string;
        /** ValidationError: every problem, by key path. */
        issues?: readonly ConfigIssue[];
        /** PolicyViolationError: every violation. */
        violations?: readonly PolicyViolation[];
        /** StatefulChangeError: the refused changes. */
        changes?: readonly { op: string; urn: string }[];
        /** PreflightError: every prerequisite read. */
        findings?: readonly object[];
        /** StackLockedError: true. */
        retryable?: boolean;
    };
}

/** The JSON document of a failed run. */
export function jsonFailure(err: unknown, code: JsonFailure["error"]["code"], message: string, exitCode: number): JsonFailure {
    return {
        ok: false,
        error: {
            code,
            message,
            exitCode,
            ...(err instanceof HangarError && err.stackName ? { stack: err.stackName } : {}),
            ...(err instanceof ValidationError ? { issues: err.issues } : {}),
            ...(err instanceof PolicyViolationError ? { violations: err.violations } : {}),
            ...(err instanceof StatefulChangeError ? { changes: err.changes.map((c) => ({ op: c.op, urn: c.urn })) } : {}),
            ...(err instanceof PreflightError ? { findings: err.findings } : {}),
            ...(err instanceof StackLockedError ? { retryable: true } : {}),
        },
    };
}

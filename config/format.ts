/**
 * How problems, warnings and notices read on a terminal and in `pulumi up`'s
 * log: one line per key path, with the stack file's line where it is known
 * (`  hangar:app.services[1].port: expected an integer 1–65535 (Pulumi.prod.yaml:23)`).
 */
import type { ConfigIssue, ConfigWarning } from "./issue";

/** ` (Pulumi.prod.yaml:23)`, or nothing when the line is not known. */
export const whereIn = (issue: ConfigIssue): string => (issue.file && issue.line ? ` (${issue.file}:${issue.line})` : "");

export function formatIssues(errors: readonly ConfigIssue[]): string {
    const noun = errors.length === 1 ? "problem" : "problems";
    return `invalid stack configuration (${errors.length} ${noun}):\n${errors.map((e) => `  ${e.path}: ${e.message}${whereIn(e)}`).join("\n")}`;
}

const shown = (value: unknown) => (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));

/** One warning or notice: its line, then (for the environment notice) one line per setting it decided. */
export function formatWarning(warning: ConfigWarning): string {
    const lines = [`${warning.level} ${warning.path}: ${warning.message}${whereIn(warning)}`];
    for (const s of warning.settings ?? []) {
        const instead = Object.entries(s.instead).map(([environment, value]) => `${environment}: ${shown(value)}`);
        lines.push(`    ${s.path}: ${shown(s.value)} (${instead.join(", ")})`);
    }
    return lines.join("\n");
}

/** Every warning and notice, indented under a heading; "" when there are none. */
export function formatWarnings(warnings: readonly ConfigWarning[]): string {
    if (warnings.length === 0) return "";
    const noun = warnings.length === 1 ? "note" : "notes";
    const body = warnings.map((w) => formatWarning(w).replace(/^/gm, "  ")).join("\n");
    return `stack configuration (${warnings.length} ${noun}, not errors):\n${body}`;
}

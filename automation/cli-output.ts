/** How `hangar` prints progress, change summaries and policy violations. */
import type { OpMap, PolicyViolation, ProgressEvent } from "./index";

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

/**
 * The check's flow matrix (issue 18): every declared flow with its NetworkPolicy and security-group
 * verdicts, and every connection the NetworkPolicies allow that no flow declares (documented ones with
 * their allowance). Informational: a blocked declared flow or an undocumented undeclared one fails the
 * check through the pack's wiring rules (Policies section), never here.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { stackFlowMatrix, undeclaredFlows } from "../policies/rules/wiring/declared-flows";
import type { Allowance, FlowMatrix } from "../policies/rules/wiring/flows/analysis";
import { Snapshot } from "./harness";
import { wiringResources } from "./policy-check";
import { runPolicies } from "./policy/runner";

export interface FlowReport extends FlowMatrix {
    /** What stayed unknown (a preview), when anything did. */
    undecided: string[];
}

/** The matrix of a snapshot as the wiring rules see it (the engine's resource view, chart-rendered pods included). */
export async function flowReport(snapshot: Snapshot, settings: Record<string, unknown>): Promise<FlowReport | null> {
    let report: FlowReport | null = null;
    const capture: StackValidationPolicy = {
        ...undeclaredFlows,
        validateStack: (args) => {
            const allowances = args.getConfig<{ allowedUndeclared?: Allowance[] }>().allowedUndeclared ?? [];
            const m = stackFlowMatrix(args.resources, allowances);
            if (m) report = { declared: m.declared, undeclared: m.undeclared, undecided: m.read.undecided };
        },
    };
    await runPolicies(wiringResources(snapshot), settings, { policies: [capture], preview: snapshot.preview });
    return report;
}

function table(rows: string[][]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "));
}

/** The section's lines: the declared flows as a table, then the undeclared allowed ones. */
export function flowLines(report: FlowReport | null): string[] {
    if (!report) return ["the stack declares no flows (no ConfigMap hangar-declared-flows)"];
    const lines: string[] = [];
    if (report.undecided.length) lines.push(`undecided (unknown during preview): ${report.undecided.join("; ")}`);
    const header = ["from", "to", "port", "NetworkPolicy", "security group", "declared by: why"];
    const rows = report.declared.map((r) => [
        r.from,
        r.to,
        `${r.port}/${r.protocol}`,
        r.problem
            ? "invalid"
            : r.networkPolicy === "denied"
              ? `denied (${r.denials.map((d) => `${d.side} of ${d.pod}`).join(", ")})`
              : "allowed",
        r.securityGroup,
        `${r.component}: ${r.why}`,
    ]);
    lines.push(...table([header, ...rows]));
    const documented = report.undeclared.filter((u) => u.allowance);
    const reasons = [...new Set(documented.map((u) => u.allowance!))];
    lines.push(
        `${report.undeclared.length} allowed connections no flow declares: ${report.undeclared.length - documented.length} undocumented, ` +
            `${documented.length} under ${reasons.length} documented allowances (policy config wiring-undeclared-flows.allowedUndeclared)`,
    );
    for (const u of report.undeclared) {
        const tag = u.allowance ? `allowance ${reasons.indexOf(u.allowance) + 1}` : "UNDOCUMENTED";
        lines.push(`  ${tag}: ${u.from} → ${u.to} ${u.port}/${u.protocol} (${u.policies.join(", ") || "no policy isolates"})`);
    }
    reasons.forEach((r, i) => lines.push(`  allowance ${i + 1}: ${r}`));
    return lines;
}

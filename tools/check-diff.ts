/**
 * The check's plan: what `pulumi up` would add, remove, change and replace, against an
 * earlier run of the same stack (out/<stack>/resources.json of the previous check), a file
 * given with `--against`, or the committed test/baselines/<stack>.plan.json (`npm run
 * baseline`) when there is no previous run, as in CI. Resources are compared by URN, their
 * inputs by top-level key (a digest of each key's redacted value: secrets show as unchanged);
 * a stateful resource whose replacement-forcing input (tools/stateful.ts) changes, or whose
 * URN disappears, is flagged as a replacement. Offline there is no state, so this is the
 * program's intent against the program's earlier intent, not against the cloud.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { redact, ROOT, Snapshot } from "./harness";
import { aliasCovers, aliasesOf, baselineOf, REPLACEMENT_FORCING } from "./stateful";

export interface PlanEntry {
    urn: string;
    type: string;
    /** Digest (12 hex) of each top-level input's redacted value. */
    inputs: Record<string, string>;
    /** Stateful types: the replacement-forcing values (tools/stateful.ts). */
    values?: Record<string, unknown>;
    /** The resource's aliases (URNs or JSON alias specs), when it has any. */
    aliases?: string[];
}

/** JSON with object keys sorted, so that equal values digest equally. */
function stable(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
    if (typeof value === "object" && value !== null)
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    return JSON.stringify(value) ?? "null";
}

const digest = (value: unknown) => createHash("sha256").update(stable(value)).digest("hex").slice(0, 12);

/** The plan entries of a snapshot (or of a resources.json, which is a redacted snapshot). */
export function planOf(snapshot: Snapshot): PlanEntry[] {
    const stateful = new Map(baselineOf(snapshot).map((e) => [e.urn, e.values]));
    return snapshot.resources
        .map((r) => {
            const inputs = redact(r.inputs) as Record<string, unknown>;
            const entry: PlanEntry = {
                urn: r.urn,
                type: r.type,
                inputs: Object.fromEntries(
                    Object.keys(inputs)
                        .sort()
                        .map((k) => [k, digest(inputs[k])]),
                ),
            };
            if (stateful.has(r.urn)) entry.values = stateful.get(r.urn);
            const aliases = aliasesOf(r);
            if (aliases.length) entry.aliases = aliases;
            return entry;
        })
        .sort((a, b) => a.urn.localeCompare(b.urn));
}

export interface PlanChange {
    urn: string;
    type: string;
    /** Top-level inputs that changed, were added or were removed. */
    keys: string[];
}

export interface PlanReplacement {
    urn: string;
    type: string;
    /** "*": the URN itself is gone (delete and create: data loss without an alias). */
    property: string;
    from: unknown;
    to: unknown;
}

/** A resource whose URN changed under an alias: Pulumi updates it in place, no delete and create. */
export interface PlanMove {
    from: string;
    to: string;
}

export interface PlanDiff {
    against: string;
    added: string[];
    removed: string[];
    changed: PlanChange[];
    replaces: PlanReplacement[];
    moved: PlanMove[];
}

export function diffPlans(before: PlanEntry[], after: PlanEntry[], against: string): PlanDiff {
    const old = new Map(before.map((e) => [e.urn, e]));
    const now = new Map(after.map((e) => [e.urn, e]));
    const diff: PlanDiff = { against, added: [], removed: [], changed: [], replaces: [], moved: [] };
    // A URN that is gone but named by an alias of a new URN of its type is the same resource, moved.
    const movedTo = new Map<string, PlanEntry>();
    for (const e of before) {
        if (now.has(e.urn)) continue;
        const next = after.find((n) => n.type === e.type && !old.has(n.urn) && aliasCovers(n.aliases ?? [], e.urn));
        if (next) movedTo.set(e.urn, next);
    }
    const arrived = new Set([...movedTo.values()].map((n) => n.urn));
    for (const e of after) if (!old.has(e.urn) && !arrived.has(e.urn)) diff.added.push(e.urn);
    for (const e of before) {
        const next = now.get(e.urn) ?? movedTo.get(e.urn);
        if (next && next.urn !== e.urn) diff.moved.push({ from: e.urn, to: next.urn });
        if (!next) {
            diff.removed.push(e.urn);
            if (REPLACEMENT_FORCING[e.type]) diff.replaces.push({ urn: e.urn, type: e.type, property: "*", from: e.urn, to: null });
            continue;
        }
        const keys = [...new Set([...Object.keys(e.inputs), ...Object.keys(next.inputs)])]
            .filter((k) => e.inputs[k] !== next.inputs[k])
            .sort();
        if (keys.length) diff.changed.push({ urn: next.urn, type: e.type, keys });
        for (const [property, from] of Object.entries(e.values ?? {})) {
            const to = next.values?.[property];
            if (stable(from) !== stable(to)) diff.replaces.push({ urn: next.urn, type: e.type, property, from, to });
        }
    }
    return diff;
}

/** A plan file (test/baselines/<stack>.plan.json) or a resources.json of an earlier check. */
export function readPlan(file: string): PlanEntry[] {
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    if (Array.isArray(data) && data.every((e) => typeof e?.urn === "string" && typeof e?.inputs === "object")) return data as PlanEntry[];
    if (typeof data === "object" && data !== null && Array.isArray((data as Snapshot).resources)) return planOf(data as Snapshot);
    throw new Error(`${file} is neither a check's resources.json nor a plan file (npm run baseline)`);
}

export const planBaselineFile = (stack: string) => path.join(ROOT, "test", "baselines", `${stack}.plan.json`);

/** One entry per line: a reviewable diff when the baseline is regenerated. */
export const formatPlanFile = (entries: PlanEntry[]) => `[\n${entries.map((e) => `  ${JSON.stringify(e)}`).join(",\n")}\n]\n`;

/** `<type> <name>` of a URN (urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>). */
const short = (urn: string) => {
    const parts = urn.split("::");
    return parts.length === 4 ? `${parts[2].split("$").pop()} ${parts[3]}` : urn;
};

/** The report's lines for a diff, as a plan reads: + add, - remove, ~ change, ± replace. */
export function describeDiff(diff: PlanDiff): string[] {
    const lines = [
        `against ${diff.against}: ${diff.added.length} to add, ${diff.changed.length} to change, ` +
            `${diff.replaces.length} replacement${diff.replaces.length === 1 ? "" : "s"} of stateful resources, ${diff.removed.length} to remove` +
            (diff.moved.length ? `, ${diff.moved.length} moved by alias` : ""),
    ];
    for (const m of diff.moved) lines.push(`> ${short(m.from)} → ${m.to.split("::").pop()} (aliased: same resource)`);
    for (const urn of diff.added) lines.push(`+ ${short(urn)}`);
    for (const c of diff.changed) lines.push(`~ ${short(c.urn)}: ${c.keys.join(", ")}`);
    for (const urn of diff.removed) lines.push(`- ${short(urn)}`);
    for (const r of diff.replaces)
        lines.push(
            r.property === "*"
                ? `± REPLACES ${short(r.urn)}: its URN is gone (delete and create; an alias keeps it)`
                : `± REPLACES ${short(r.urn)}: ${r.property} ${JSON.stringify(r.from)} → ${JSON.stringify(r.to)}`,
        );
    return lines;
}

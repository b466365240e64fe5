/**
 * The offline check: `npm run check -- <stack> [--preview] [--stack-file <file>]`.
 * Runs the program for a stack under Pulumi's mocks (no cloud, no CLI), then
 * reports: inventory by component, Kubernetes schema validation, and writes
 * out/<stack>/resources.json and out/<stack>/manifests/*.yaml.
 * Exit 1 on a config error, a program error or a schema error.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import {
    type ConfigWarning,
    formatIssues,
    formatWarning,
    formatWarnings,
    parseConfig,
    PlatformConfig,
    readStackFile,
    toPlatformArgs,
} from "../config";
import { clusterPrerequisites } from "../components/platform/prerequisites";
import { owningComponent, redact, reveal, ROOT, runStack, runStackInProcess, Snapshot, SnapshotResource } from "./harness";
import { spawnSync } from "child_process";
import { renderRulesFile } from "../components/monitoring";
import { Manifest, validateManifest } from "./k8s-schema";
import { CHECK_POLICIES, checkPolicies, policyConfig, policyConfigFile, ruleDefault } from "./policy-check";
import type { PolicyViolationRecord } from "./policy/runner";
import { wiringPolicies } from "../policies/rules/wiring";
import { chartVersions, policySource, protectedResources, publicExposure } from "./check-report";
import { compareTwins } from "./policy-twins";
import { flowLines, flowReport } from "./check-flows";
import { describeDiff, diffPlans, planBaselineFile, planOf, PlanEntry, readPlan } from "./check-diff";

export interface CheckContext {
    stack: string;
    config: PlatformConfig;
    /** The stack file's warnings and notices (parseConfig), which never fail the check. */
    warnings: ConfigWarning[];
    snapshot: Snapshot;
    outDir: string;
    /** What the diff compares with (tools/check-diff.ts), when there is something. */
    previous?: { label: string; entries: PlanEntry[] };
    /** The pack's config for the stack's environment (policies/config/<environment>.json), read once. */
    policySettings: Record<string, unknown>;
    /** The pack's verdict on the snapshot with `policySettings`, computed once for the sections that read it. */
    violations(): Promise<PolicyViolationRecord[]>;
}

export interface SectionResult {
    lines: string[];
    errors: string[];
    /** What the section found, as data for out/<stack>/report.json (under the section's `key`). */
    data?: unknown;
}

/** One part of the report. Later parts (app tier, data tier, policies) add themselves here. */
export interface CheckSection {
    title: string;
    /** The section's key in report.json, when it reports data. */
    key?: string;
    /** What an error of this section is, for the exit code. @default "schema" */
    failure?: "schema" | "policy";
    run(ctx: CheckContext): SectionResult | Promise<SectionResult>;
}

/** Kubernetes objects the program declares, as plain manifests. */
export function manifestsOf(snapshot: Snapshot): { resource: SnapshotResource; manifest: Manifest }[] {
    return snapshot.resources
        .filter(
            (r) =>
                r.custom &&
                r.type.startsWith("kubernetes:") &&
                typeof r.inputs.kind === "string" &&
                typeof r.inputs.apiVersion === "string",
        )
        .map((resource) => ({ resource, manifest: reveal(resource.inputs) as Manifest }));
}

/** What parsing the stack file noticed: keys with no effect, the environment from the stack name. */
const stackFileNotes: CheckSection = {
    title: "Stack file (warnings and notices: they do not fail the check)",
    key: "config",
    run({ warnings }) {
        const lines = warnings.length > 0 ? warnings.flatMap((w) => formatWarning(w).split("\n")) : ["no warnings"];
        return { lines, errors: [], data: { warnings } };
    },
};

const inventory: CheckSection = {
    title: "Inventory (what the program registers; Helm charts are listed, their contents are not rendered offline)",
    key: "inventory",
    run({ snapshot }) {
        const groups = new Map<string, SnapshotResource[]>();
        const platform = new Set(snapshot.resources.filter((r) => r.type === "hangar:index:Platform").map((r) => r.urn));
        const topLevel = new Set(snapshot.resources.filter((r) => !r.custom && r.parent && platform.has(r.parent)).map((r) => r.urn));
        const structure: SnapshotResource[] = [];
        for (const r of snapshot.resources) {
            if (r.type === "pulumi:pulumi:Stack" || r.type === "hangar:index:Platform" || topLevel.has(r.urn)) {
                structure.push(r);
                continue;
            }
            const owner = owningComponent(snapshot, r);
            const label = owner ? `${owner.type.split(":").pop()} ${owner.name}` : "Platform (providers and cluster-wide objects)";
            if (!groups.has(label)) groups.set(label, []);
            groups.get(label)!.push(r);
        }
        const lines = [
            `${snapshot.resources.length} resources = ${structure.length} for the stack, Platform and its ${topLevel.size} components` +
                [...groups.values()].map((m) => ` + ${m.length}`).join(""),
        ];
        const names = (members: SnapshotResource[]) => {
            const shown = members.slice(0, 4).map((m) => m.name);
            return members.length > 4 ? `${shown.join(", ")}, … (${members.length - 4} more)` : shown.join(", ");
        };
        for (const [label, members] of groups) {
            lines.push(`${label} — ${members.length} resources`);
            const byType = new Map<string, SnapshotResource[]>();
            for (const m of members) byType.set(m.type, [...(byType.get(m.type) ?? []), m]);
            for (const [type, of] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
                const chart = type === "kubernetes:helm.sh/v4:Chart" ? " (chart contents not rendered offline)" : "";
                lines.push(`  ${String(of.length).padStart(3)} × ${type}: ${names(of)}${chart}`);
            }
        }
        const counts = Object.fromEntries([...groups].map(([label, members]) => [label, members.length]));
        return { lines, errors: [], data: { total: snapshot.resources.length, structure: structure.length, groups: counts } };
    },
};

/** What the cluster must already run; nothing here can read a cluster, so each is listed, unverified. */
const prerequisites: CheckSection = {
    title: "Cluster prerequisites (not verified offline: `hangar preflight <stack>` reads them, and preview and up do first)",
    key: "prerequisites",
    run({ config }) {
        const prerequisites = clusterPrerequisites(toPlatformArgs(config, ""));
        const lines = prerequisites.map((p) => `${p.id.padEnd(48)} for ${p.neededBy}`);
        return { lines, errors: [], data: prerequisites.map((p) => ({ id: p.id, neededBy: p.neededBy, verified: false })) };
    },
};

const kubernetesSchemas: CheckSection = {
    title: "Kubernetes schemas",
    key: "schemas",
    run({ snapshot, outDir }) {
        const dir = path.join(outDir, "manifests");
        fs.mkdirSync(dir, { recursive: true });
        const errors: string[] = [];
        const objects = manifestsOf(snapshot);
        for (const { resource, manifest } of objects) {
            const ns = manifest.metadata?.namespace ?? "_cluster";
            const file = `${manifest.kind}.${ns}.${manifest.metadata?.name ?? resource.name}.yaml`.toLowerCase();
            fs.writeFileSync(path.join(dir, file), toYaml(redact(resource.inputs)));
            for (const problem of validateManifest(manifest))
                errors.push(`${manifest.kind} ${ns}/${manifest.metadata?.name ?? resource.name}: ${problem}`);
        }
        const lines = [`${objects.length} objects validated, ${errors.length} errors; written to ${path.relative(ROOT, dir)}/`];
        return { lines, errors, data: { validated: objects.length, errors } };
    },
};

/** How a service rolls out: `rolling` (Deployment), or the Rollout's canary steps / blue-green Services and its analysis. */
function deliveryOf(rollout: Manifest | undefined, analysed: boolean): string {
    if (!rollout) return "rolling (Deployment)";
    const strategy = (rollout.spec as { strategy?: Record<string, Record<string, unknown>> } | undefined)?.strategy ?? {};
    const annotations = (rollout.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
    const wait =
        annotations["pulumi.com/skipAwait"] === "true"
            ? "manual promotion: up does not wait for it"
            : `up waits for full promotion (up to ${Math.ceil(Number(annotations["pulumi.com/timeoutSeconds"]) / 60)} min)`;
    const analysis = `${analysed ? "analysis on its own metrics, abort on failure" : "no analysis"}; ${wait}`;
    if (strategy.blueGreen) {
        const bg = strategy.blueGreen as { activeService?: string; previewService?: string; autoPromotionEnabled?: boolean };
        return `blueGreen (active ${bg.activeService}, preview ${bg.previewService}, ${bg.autoPromotionEnabled ? "auto" : "manual"} promotion; ${analysis})`;
    }
    const canary = (strategy.canary ?? {}) as { steps?: { setWeight?: number }[]; trafficRouting?: unknown };
    const weights = (canary.steps ?? []).flatMap((st) => (st.setWeight !== undefined ? [`${st.setWeight}%`] : [])).join(" → ");
    return `canary ${weights} (${canary.trafficRouting ? "split on the HTTPRoute" : "split by replicas"}; ${analysis})`;
}

/** The app tier per service: image, replicas, exposure, resources, strategy. */
const appTier: CheckSection = {
    title: "App tier",
    run({ snapshot }) {
        const lines: string[] = [];
        const childrenOf = (urn: string) => snapshot.resources.filter((r) => r.parent === urn);
        for (const service of snapshot.resources.filter((r) => r.type === "hangar:index:AppService")) {
            const children = childrenOf(service.urn);
            const find = (type: string) => children.find((c) => c.type === type);
            const rollout = reveal(find("kubernetes:argoproj.io/v1alpha1:Rollout")?.inputs) as Manifest | undefined;
            const deployment = (reveal(find("kubernetes:apps/v1:Deployment")?.inputs) as Manifest | undefined) ?? rollout;
            const spec = deployment?.spec as
                | {
                      replicas?: number;
                      template?: {
                          spec?: {
                              containers?: {
                                  name: string;
                                  image: string;
                                  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
                              }[];
                          };
                      };
                  }
                | undefined;
            const container = spec?.template?.spec?.containers?.[0];
            const hpa = (find("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")?.inputs.spec ?? undefined) as
                | { minReplicas?: number; maxReplicas?: number }
                | undefined;
            const route = find("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")?.inputs.spec as { hostnames?: string[] } | undefined;
            const ingress = find("kubernetes:networking.k8s.io/v1:Ingress")?.inputs.spec as { rules?: { host?: string }[] } | undefined;
            const exposure = route
                ? `gateway https://${route.hostnames?.join(", ")}`
                : ingress
                  ? `ingress https://${ingress.rules?.map((r) => r.host).join(", ")}`
                  : "internal";
            const replicas = hpa ? `${hpa.minReplicas}–${hpa.maxReplicas} (HPA)` : `${spec?.replicas ?? "?"}`;
            const r = container?.resources;
            const fmt = (q?: Record<string, string>) =>
                Object.entries(q ?? {})
                    .map(([k, v]) => `${k} ${v}`)
                    .join(", ") || "none";
            lines.push(`${container?.name ?? service.name}: ${container?.image ?? "?"}`);
            lines.push(`  replicas ${replicas}; ${exposure}; requests ${fmt(r?.requests)}; limits ${fmt(r?.limits)}`);
            lines.push(
                `  strategy ${deliveryOf(
                    rollout,
                    children.some((c) => c.type === "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate"),
                )}`,
            );
        }
        return { lines: lines.length ? lines : ["no app tier"], errors: [] };
    },
};

/** The data tier: classes, Multi-AZ, replicas, retention. */
const dataTier: CheckSection = {
    title: "Data tier",
    run({ snapshot }) {
        const lines: string[] = [];
        const rds = snapshot.resources.filter((r) => r.type === "aws:rds/instance:Instance");
        const primaries = rds.filter((r) => r.inputs.replicateSourceDb === undefined);
        for (const p of primaries) {
            const i = p.inputs;
            const replicas = rds.filter((r) => r.inputs.replicateSourceDb === i.identifier);
            lines.push(
                `PostgreSQL ${String(i.identifier)}: ${String(i.instanceClass)}, engine ${String(i.engineVersion)}, ` +
                    `${i.multiAz ? "Multi-AZ" : "single-AZ"}, ${replicas.length} replica(s), backups ${String(i.backupRetentionPeriod)} days, ` +
                    `${i.deletionProtection ? "deletion protection" : "no deletion protection"}${p.options.protect ? ", protected" : ""}`,
            );
        }
        for (const g of snapshot.resources.filter((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")) {
            const i = g.inputs;
            lines.push(
                `Cache ${String(i.replicationGroupId)}: ${String(i.engine)} ${String(i.engineVersion)}, ${String(i.nodeType)} × ${String(i.numCacheClusters)}, ` +
                    `${i.multiAzEnabled ? "Multi-AZ" : "single-AZ"}, snapshots ${String(i.snapshotRetentionLimit)} days, ` +
                    `${i.transitEncryptionEnabled && i.atRestEncryptionEnabled ? "TLS + at-rest encryption" : "NOT fully encrypted"}${g.options.protect ? ", protected" : ""}`,
            );
        }
        return { lines: lines.length ? lines : ["no data tier"], errors: [] };
    },
};

/** AWS resources by the region of their provider: the DR region listed on its own. */
const regions: CheckSection = {
    title: "AWS regions",
    run({ snapshot }) {
        const providers = snapshot.resources.filter((r) => r.type === "pulumi:providers:aws");
        const lines: string[] = [];
        providers.forEach((p, i) => {
            const members = snapshot.resources.filter((r) => r.provider === p.urn);
            const role = i === 0 ? "primary" : p.name.endsWith("-dr") ? "DR" : "other";
            lines.push(`${String(p.inputs.region)} (${role}, provider ${p.name}): ${members.length} resources`);
            if (role !== "primary") for (const m of members) lines.push(`  ${m.type} ${m.name}`);
        });
        return { lines, errors: [] };
    },
};

/** Hangar's PrometheusRules as one rules file, checked by promtool when it is installed. */
const alertRules: CheckSection = {
    title: "Alert rules",
    key: "promtool",
    run({ snapshot, outDir }) {
        const groups = snapshot.resources
            .filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
            .flatMap(
                (r) =>
                    ((reveal(r.inputs.spec) as { groups?: unknown[] } | undefined)?.groups ?? []) as Parameters<typeof renderRulesFile>[0],
            );
        if (groups.length === 0) return { lines: ["no PrometheusRules"], errors: [], data: { groups: 0, rules: 0, result: "no rules" } };
        const file = path.join(outDir, "prometheus-rules.yaml");
        fs.writeFileSync(file, renderRulesFile(groups));
        const rules = groups.reduce((n, g) => n + ((g as { rules?: unknown[] }).rules?.length ?? 0), 0);
        const lines = [`${groups.length} groups, ${rules} rules → ${path.relative(ROOT, file)}`];
        const promtool = spawnSync(process.env.PROMTOOL ?? "promtool", ["check", "rules", file], { encoding: "utf8" });
        const data = (result: string, output = "") => ({ groups: groups.length, rules, file: path.relative(ROOT, file), result, output });
        if (promtool.error)
            return {
                lines: [...lines, "promtool not installed: syntax not checked (Debian package prometheus)"],
                errors: [],
                data: data("not installed"),
            };
        const output = `${promtool.stdout}${promtool.stderr}`.trim().split("\n").pop() ?? "";
        if (promtool.status !== 0)
            return {
                lines,
                errors: [`promtool check rules failed: ${promtool.stdout}${promtool.stderr}`],
                data: data("failed", `${promtool.stdout}${promtool.stderr}`),
            };
        return { lines: [...lines, `promtool check rules: ${output}`], errors: [], data: data("passed", output) };
    },
};

/** The guardrails pack with the environment's config: mandatory violations fail the check. */
const policyVerdict: CheckSection = {
    title: "Policies",
    failure: "policy",
    key: "policies",
    async run(ctx) {
        const { config, policySettings: settings } = ctx;
        const violations = await ctx.violations();
        const byLevel = (level: string) => violations.filter((v) => v.enforcementLevel === level);
        // Each message says where its expectation comes from: the policy-config file and key.
        const describe = (v: (typeof violations)[number]) => {
            const source = policySource(config.environment, settings, v.policy);
            return (
                `[${v.enforcementLevel}] ${v.policy} — ${v.urn?.split("::").pop() ?? "stack"}: ${v.message.split("\n").pop()} ` +
                `(expected by ${source.file} key ${source.key})`
            );
        };
        return {
            lines: [
                `${CHECK_POLICIES.length} rules, config ${path.relative(ROOT, policyConfigFile(config.environment))}: ` +
                    `${byLevel("mandatory").length} mandatory, ${byLevel("advisory").length} advisory violations`,
                ...byLevel("advisory").map(describe),
            ],
            errors: byLevel("mandatory").map(describe),
            data: {
                rules: CHECK_POLICIES.length,
                config: path.relative(ROOT, policyConfigFile(config.environment)),
                mandatory: byLevel("mandatory").length,
                advisory: byLevel("advisory").length,
                violations: violations.map((v) => ({
                    policy: v.policy,
                    level: v.enforcementLevel,
                    urn: v.urn,
                    message: v.message,
                    config: policySource(config.environment, settings, v.policy),
                })),
            },
        };
    },
};

/**
 * One line per wiring rule (issue 18): the relation it proves and whether it holds. The
 * violations themselves are the Policies section's, which fails the check on them.
 */
const wiringVerdict: CheckSection = {
    title: "Wiring (relations between resources; chart contents from tools/chart-rendered.ts)",
    key: "wiring",
    async run({ violations: verdict }) {
        const violations = await verdict();
        const rows = wiringPolicies.map((p) => {
            const hits = violations.filter((v) => v.policy === p.name);
            const mandatory = hits.filter((v) => v.enforcementLevel === "mandatory").length;
            const verdict = mandatory > 0 ? "broken" : hits.length > 0 ? "undecided" : "holds";
            return { rule: p.name, relation: p.description ?? "", verdict, violations: hits.length };
        });
        return {
            lines: rows.map((r) => `${r.verdict.padEnd(9)} ${r.rule}${r.violations ? ` (${r.violations})` : ""}: ${r.relation}`),
            errors: [],
            data: rows,
        };
    },
};

/** The flow matrix (issue 18; tools/check-flows.ts): informational, the wiring rules fail the check on it. */
const flowMatrixSection: CheckSection = {
    title: "Network flows (declared flows, NetworkPolicies as the AWS VPC CNI enforces them, data-tier security groups)",
    key: "flows",
    async run({ snapshot, policySettings }) {
        const report = await flowReport(snapshot, policySettings);
        return { lines: flowLines(report), errors: [], data: report };
    },
};

/**
 * Stack keys against their twins in the pack's config (tools/policy-twins.ts). Informational: a
 * disagreement on a mandatory rule already fails the Policies section; this names the stack key to change.
 */
const policyTwins: CheckSection = {
    title: "Stack file vs policy config",
    key: "policyTwins",
    run({ config, policySettings }) {
        const file = path.relative(ROOT, policyConfigFile(config.environment));
        const results = compareTwins(config, policySettings, ruleDefault).map((r) => ({ ...r, file }));
        const disagree = results.filter((r) => !r.agrees);
        return {
            lines: [
                `${results.length} stack keys with a twin in ${file}: ${disagree.length} disagree`,
                ...disagree.map((r) => `hangar:${r.stackKey} vs ${file} ${r.policy}.${r.property} [${r.level}]: ${r.message}`),
            ],
            errors: [],
            data: results,
        };
    },
};

/** The plan: added, changed, removed resources and replacements of stateful ones, against an earlier run. Informational. */
const planDiff: CheckSection = {
    title: "Diff",
    key: "diff",
    run({ snapshot, previous }) {
        if (!previous)
            return { lines: ["no previous run, no --against file and no committed baseline: nothing to compare"], errors: [], data: null };
        const diff = diffPlans(previous.entries, planOf(snapshot), previous.label);
        return { lines: describeDiff(diff), errors: [], data: diff };
    },
};

/** Everything reachable from outside the cluster and the VPC. */
const exposure: CheckSection = {
    title: "Publicly exposed",
    key: "public",
    run({ snapshot }) {
        const entries = publicExposure(snapshot);
        const lines = entries.map(
            (e) => `${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name}: ${e.hosts.join(", ") || "(no host)"} via ${e.via}`,
        );
        return { lines: lines.length ? lines : ["nothing"], errors: [], data: entries };
    },
};

export const SECTIONS: CheckSection[] = [
    stackFileNotes,
    inventory,
    appTier,
    dataTier,
    regions,
    prerequisites,
    exposure,
    alertRules,
    kubernetesSchemas,
    policyVerdict,
    wiringVerdict,
    flowMatrixSection,
    policyTwins,
    planDiff,
];

/** The check's exit codes (README "The offline check"). */
export const CHECK_EXIT = { ok: 0, internal: 1, usage: 2, config: 3, program: 4, schema: 5, policy: 6 } as const;

export interface CheckOptions {
    preview?: boolean;
    /** A stack file other than `Pulumi.<stack>.yaml`; its results go to `out/<stack>@<file name>`. */
    stackFile?: string;
    /** Outputs of the stack `foundation.stackReference` names (a JSON or YAML mapping). @default examples/foundation-outputs.yaml */
    foundationOutputs?: string;
    /** A resources.json of an earlier check or a plan file to diff against. @default the previous run in out/, else test/baselines/<stack>.plan.json */
    against?: string;
    inProcess?: boolean;
}

export interface CheckResult {
    ok: boolean;
    exitCode: number;
    /** The report (stdout). */
    report: string;
    /** What failed (stderr). */
    errors: string;
}

/** Where a run's files go: `out/<stack>`, or `out/<stack>@<stem>` for another stack file, which must not overwrite it. */
export function outDirFor(stack: string, stackFile: string | undefined): string {
    const own = path.join(ROOT, `Pulumi.${stack}.yaml`);
    if (!stackFile || path.resolve(stackFile) === own) return path.join(ROOT, "out", stack);
    return path.join(ROOT, "out", `${stack}@${path.basename(stackFile).replace(/\.ya?ml$/, "")}`);
}

export const EXAMPLE_FOUNDATION_OUTPUTS = path.join(ROOT, "examples", "foundation-outputs.yaml");

const failed = (exitCode: number, errors: string): CheckResult => ({ ok: false, exitCode, report: "", errors });

export async function check(stack: string, options: CheckOptions = {}): Promise<CheckResult> {
    const out: string[] = [];
    const stackFile = options.stackFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const known = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
        return failed(
            CHECK_EXIT.config,
            `no stack file ${path.relative(ROOT, stackFile)}; the stack files here: ${known.join(", ") || "none"}`,
        );
    }

    const { config, source } = readStackFile(stackFile, path.relative(ROOT, stackFile));
    const parsed = parseConfig(config, stack, { source });
    if (!parsed.ok)
        return failed(CHECK_EXIT.config, [formatIssues(parsed.errors), formatWarnings(parsed.warnings)].filter(Boolean).join("\n"));

    const reference = parsed.config.foundation.stackReference;
    const outputsFile = reference ? (options.foundationOutputs ?? EXAMPLE_FOUNDATION_OUTPUTS) : undefined;
    if (outputsFile && !fs.existsSync(outputsFile)) return failed(CHECK_EXIT.usage, `no foundation outputs file ${outputsFile}`);
    const stackOutputs =
        reference && outputsFile
            ? { [reference]: (parseYaml(fs.readFileSync(outputsFile, "utf8")) ?? {}) as Record<string, unknown> }
            : undefined;

    const outDir = outDirFor(stack, options.stackFile);
    // What the diff compares with, read before the previous run's out/ is replaced.
    let previous: CheckContext["previous"];
    const earlier = [options.against, path.join(outDir, "resources.json"), planBaselineFile(stack)].find((f) => f && fs.existsSync(f));
    if (options.against && earlier !== options.against) return failed(CHECK_EXIT.usage, `no file ${options.against} to diff against`);
    if (earlier) {
        try {
            const label = path.relative(ROOT, earlier);
            previous = {
                label: earlier === planBaselineFile(stack) ? `${label} (the committed baseline)` : label,
                entries: readPlan(earlier),
            };
        } catch (err) {
            if (earlier === options.against) return failed(CHECK_EXIT.usage, (err as Error).message);
        }
    }
    const snapshot = await (options.inProcess ? runStackInProcess : runStack)(stack, { preview: options.preview, stackFile, stackOutputs });
    if (snapshot.error) return failed(CHECK_EXIT.program, `the program failed: ${snapshot.error.message}`);

    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(redact(snapshot), null, 2));

    let verdict: Promise<PolicyViolationRecord[]> | undefined;
    const policySettings = policyConfig(parsed.config.environment);
    const violations = () => (verdict ??= checkPolicies(snapshot, parsed.config.environment, policySettings));
    const ctx: CheckContext = {
        stack,
        config: parsed.config,
        warnings: parsed.warnings,
        snapshot,
        outDir,
        previous,
        policySettings,
        violations,
    };
    out.push(
        `Hangar offline check — stack ${stack} (${parsed.config.environment}${options.preview ? ", preview" : ""}): ` +
            `${snapshot.resources.length} resources registered under mocks in ${(snapshot.durationMs / 1000).toFixed(1)} s`,
    );
    if (reference) out.push(`foundation.stackReference ${reference}: outputs read from ${path.relative(ROOT, outputsFile!)}`);
    const errorLines: string[] = [];
    const failures = new Set<string>();
    const sectionData: Record<string, unknown> = {};
    for (const section of SECTIONS) {
        const result = await section.run(ctx);
        if (section.key) sectionData[section.key] = result.data;
        out.push("", `${section.title}`, ...result.lines.map((l) => `  ${l}`), ...result.errors.map((e) => `  ERROR ${e}`));
        errorLines.push(...result.errors.map((e) => `ERROR ${e}`));
        if (result.errors.length > 0) failures.add(section.failure ?? "schema");
    }
    const errors = errorLines.length;
    const exitCode = failures.has("schema") ? CHECK_EXIT.schema : failures.has("policy") ? CHECK_EXIT.policy : CHECK_EXIT.ok;
    const counts: Record<string, number> = {};
    for (const r of snapshot.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    const report = {
        stack,
        environment: parsed.config.environment,
        preview: options.preview ?? false,
        stackFile: path.relative(ROOT, stackFile),
        result: { ok: errors === 0, exitCode, errors: errorLines },
        resources: { total: snapshot.resources.length, byType: counts },
        protected: protectedResources(snapshot),
        charts: chartVersions(snapshot),
        ...sectionData,
    };
    fs.writeFileSync(path.join(outDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
    out.push(
        "",
        `Wrote ${path.relative(ROOT, outDir)}/report.json and resources.json`,
        errors === 0 ? "Result: OK" : `Result: FAILED (${errors} errors)`,
    );
    return { ok: errors === 0, exitCode, report: out.join("\n"), errors: errorLines.join("\n") };
}

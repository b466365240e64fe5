/**
 * The offline runner: runs the pack's policies over a list of resources the way
 * `pulumi preview --policy-pack policies` would, with no engine, CLI or server.
 *
 * It mirrors the two halves of the real thing:
 *  - the CLI's config handling (pkg/resource/analyzer/config.go), in pack-config.ts;
 *  - @pulumi/policy's server.js analyze and analyzeStack handlers, in analyzer.ts.
 * test/policies/server-parity.spec.ts runs server.js's own handlers against it.
 * (It mirrors them rather than calling them: server.js keeps the pack config in
 * module state that only its unexported gRPC `configure` handler sets, so called
 * directly its handlers run every policy without config or schema defaults.)
 *
 * Inputs use the harness's snapshot encoding: `"@unknown"` for a value unknown
 * during preview, `{ "@secret": value }` for a secret (policies see the value).
 */
import { Policy } from "@pulumi/policy";
import { policies as packPolicies } from "../../policies/rules";
import { analyzeResource, analyzeStack, RunContext } from "./analyzer";
import { PolicyInputResource, PolicyViolationRecord } from "./pack";
import { configProblems, reconcile } from "./pack-config";

export { PACK_NAME, PACK_VERSION } from "./pack";
export type { PolicyInputResource, PolicyViolationRecord } from "./pack";
export { resolvePackConfig, validatePackConfig } from "./pack-config";

/**
 * Runs `policies` (default: the whole pack, in its order) over `resources` with a pack config
 * (the format of policies/config/*.json) and returns every violation: resource policies
 * resource by resource, then stack policies. `preview: true` treats `"@unknown"` values as
 * the engine does during preview (an advisory "can't run … during preview"); with
 * `preview: false` (the default) an unknown value is an incomplete input and is reported as
 * mandatory. Throws when the config is invalid, as the CLI refuses to run.
 */
export async function runPolicies(
    resources: PolicyInputResource[],
    packConfig: Record<string, unknown>,
    options: { policies?: Policy[]; preview?: boolean } = {},
): Promise<PolicyViolationRecord[]> {
    const policies = options.policies ?? packPolicies;
    const problems = configProblems(packConfig, policies, false);
    if (problems.length > 0) throw new Error(`invalid policy pack config:\n  ${problems.join("\n  ")}`);
    const config = reconcile(policies, packConfig);
    const ctx: RunContext = {
        preview: options.preview ?? false,
        records: [],
        levelOf: (p) => config.get(p.name)?.enforcementLevel || p.enforcementLevel || "advisory",
        configOf: (p) => structuredClone(config.get(p.name)?.properties ?? {}),
    };
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const r of resources) await analyzeResource(ctx, policies, r, byUrn);
    await analyzeStack(ctx, policies, resources, byUrn);
    return ctx.records;
}

/**
 * Runs the guardrails pack over a snapshot, with the environment's policy
 * config: what `pulumi preview --policy-pack policies --policy-pack-config
 * policies/config/<env>.json` would report, offline.
 */
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policies/rules";
import { wiringPolicies } from "../policies/rules/wiring";
import { PolicyInputResource, PolicyViolationRecord, runPolicies } from "./policy/runner";
import { ROOT, Snapshot } from "./harness";
import { chartRendered } from "./chart-rendered";

/** The rules the check runs: exactly what policies/index.ts registers. */
export const CHECK_POLICIES = policies;
const WIRING = new Set(wiringPolicies.map((p) => p.name));

export const policyConfigFile = (environment: string) => path.join(ROOT, "policies", "config", `${environment}.json`);

export function policyConfig(environment: string): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(policyConfigFile(environment), "utf8")) as Record<string, unknown>;
}

/** A rule's default for a property its config leaves unset (its configSchema), as the engine applies it. */
export const ruleDefault = (policy: string, property: string): unknown =>
    (CHECK_POLICIES.find((p) => p.name === policy)?.configSchema?.properties?.[property] as { default?: unknown } | undefined)?.default;

/** The snapshot as the policy engine sees it: custom resources (providers too, so rules can read a provider's region). */
export function policyResources(snapshot: Snapshot): PolicyInputResource[] {
    return snapshot.resources
        .filter((r) => r.custom)
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            props: r.inputs,
            parent: r.parent,
            provider: r.provider,
            dependencies: r.options.dependencies,
            propertyDependencies: r.options.propertyDependencies,
            opts: { protect: r.options.protect, retainOnDelete: r.options.retainOnDelete, aliases: r.options.aliases },
        }));
}

/**
 * What the wiring rules see offline: the snapshot's resources and what its Helm charts
 * render (tools/chart-rendered.ts), which the real engine registers as the charts' children.
 */
export const wiringResources = (snapshot: Snapshot): PolicyInputResource[] => [...policyResources(snapshot), ...chartRendered(snapshot)];

/**
 * The pack over a snapshot. The wiring rules also see what the charts render (on the real
 * engine those are the Charts' children); the per-resource rules judge only what the
 * program registers, since the table holds only the fields the wiring rules read.
 */
export async function checkPolicies(
    snapshot: Snapshot,
    environment: string,
    config = policyConfig(environment),
    only?: string[],
): Promise<PolicyViolationRecord[]> {
    const isWiring = (p: { name: string }) => WIRING.has(p.name);
    // `only`: the rules a caller asserts on (each rule judges on its own, so the others' verdicts would be filtered away).
    const rules = only ? CHECK_POLICIES.filter((p) => only.includes(p.name)) : CHECK_POLICIES;
    const options = { preview: snapshot.preview };
    const [own, wiring] = await Promise.all([
        runPolicies(policyResources(snapshot), config, { ...options, policies: rules.filter((p) => !isWiring(p)) }),
        runPolicies(wiringResources(snapshot), config, { ...options, policies: rules.filter(isWiring) }),
    ]);
    return [...own, ...wiring];
}

export const mandatory = (violations: PolicyViolationRecord[]) => violations.filter((v) => v.enforcementLevel === "mandatory");

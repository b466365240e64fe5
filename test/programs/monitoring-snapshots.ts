// Runs the monitoring test programs once per test run (all four in one child, through
// monitoring-suite.ts; the parallel test processes share it as they share the stacks' snapshots)
// and hands each spec the part of the snapshot that belongs to one program's Monitoring component.
import * as path from "path";
import { runProgram, sharedRun, Snapshot } from "../../tools/harness";

// The account the programs' AWS provider allows, so that mocked invokes answer with it.
const CONFIG = { "hangar:foundation": { aws: { accountId: "123456789012", region: "eu-west-1" } } };

/** Program → the name of its Monitoring component and its exports in the suite. */
export const MONITORING_PROGRAMS: Record<string, { component: string; exports: string }> = {
    prod: { component: "prod", exports: "prod" },
    staging: { component: "staging", exports: "staging" },
    existing: { component: "existing", exports: "existing" },
    "node-exporter": { component: "node-exporter", exports: "nodeExporter" },
};

let suite: Promise<Snapshot> | undefined;

function suiteSnapshot(): Promise<Snapshot> {
    const program = path.join(__dirname, "monitoring-suite.ts");
    suite ??= sharedRun(JSON.stringify([program, CONFIG]), () => runProgram(program, { config: CONFIG })).then((s) => {
        if (s.error) throw new Error(`monitoring-suite.ts failed: ${s.error.message}\n${(s as { log?: string }).log ?? ""}`);
        return s;
    });
    return suite;
}

/** The resources under one program's Monitoring component (and the providers), with that program's exports. */
export async function monitoringSnapshot(program: string): Promise<Snapshot> {
    const s = await suiteSnapshot();
    const { component, exports } = MONITORING_PROGRAMS[program];
    const root = s.resources.find((r) => r.type === "hangar:index:Monitoring" && r.name === component);
    if (!root) throw new Error(`no Monitoring component named ${component}`);
    const byUrn = new Map(s.resources.map((r) => [r.urn, r]));
    const inside = (urn: string | undefined): boolean => urn === root.urn || (urn !== undefined && inside(byUrn.get(urn)?.parent));
    return {
        ...s,
        resources: s.resources.filter((r) => r.type.startsWith("pulumi:providers:") || inside(r.urn)),
        outputs: (s.outputs[exports] ?? {}) as Record<string, unknown>,
    };
}

export async function monitoringSnapshots(): Promise<Record<string, Snapshot>> {
    const entries = await Promise.all(Object.keys(MONITORING_PROGRAMS).map(async (p) => [p, await monitoringSnapshot(p)] as const));
    return Object.fromEntries(entries);
}

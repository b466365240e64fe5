/** Policy time per resource over a stack's snapshot (used by `npm run bench`). */
import { environmentFromStackName } from "../config";
import { LAPTOP_KUBECONFIG } from "./baseline";
import { runStack } from "./harness";
import { checkPolicies, policyResources } from "./policy-check";

export async function policyTimePerResource(stack: string, rounds = 20): Promise<{ resources: number; ms: number }> {
    const snapshot = await runStack(stack, { kubeconfig: LAPTOP_KUBECONFIG });
    const environment = environmentFromStackName(stack);
    await checkPolicies(snapshot, environment); // warm-up: JIT and schema compilation
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await checkPolicies(snapshot, environment);
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / rounds;
    return { resources: policyResources(snapshot).length, ms };
}

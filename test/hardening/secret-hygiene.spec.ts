import * as assert from "assert";
import { isSecret, redact, reveal, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Inputs that hold credentials wherever they appear. */
const CREDENTIAL_INPUTS = new Set(["password", "authToken", "secretString", "kubeconfig", "stringData", "data"]);

/** Every generated or injected secret value of a snapshot (RandomPassword results as the mocks make them, kubeconfig tokens). */
function secretValues(s: Snapshot): string[] {
    const generated = s.resources
        .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
        .map((r) => `Mock0pw${r.name.length}`);
    return [...generated, "offline-check", "token: fixture"];
}

function kubernetesObjects(s: Snapshot): SnapshotResource[] {
    return s.resources.filter((r) => r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string");
}

for (const stack of ["prod", "staging"]) {
    describe(`secret hygiene in ${stack}`, () => {
        let s: Snapshot;
        before(async () => (s = await snapshotOf(stack, { kubeconfig: LAPTOP_KUBECONFIG })));

        it("marks every credential input as a Pulumi secret", () => {
            const offenders: string[] = [];
            for (const r of s.resources) {
                for (const [key, value] of Object.entries(r.inputs)) {
                    if (!CREDENTIAL_INPUTS.has(key)) continue;
                    if (key === "data" && r.type !== "kubernetes:core/v1:Secret") continue;
                    if (!isSecret(value)) offenders.push(`${r.urn} ${key}`);
                }
            }
            assert.deepStrictEqual(offenders, []);
        });

        it("keeps secret material out of ConfigMaps, env values, annotations and labels", () => {
            const secrets = secretValues(s);
            assert.ok(secrets.length >= 3);
            for (const r of kubernetesObjects(s)) {
                if (r.type === "kubernetes:core/v1:Secret") continue;
                const m = reveal(r.inputs) as Any;
                const places: [string, unknown][] = [
                    ["annotations", m.metadata?.annotations],
                    ["labels", m.metadata?.labels],
                    ...(r.type === "kubernetes:core/v1:ConfigMap" ? ([["data", m.data]] as [string, unknown][]) : []),
                ];
                const pod = m.spec?.template?.spec ?? m.spec?.jobTemplate?.spec?.template?.spec;
                for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
                    places.push([`container ${c.name} env`, (c.env ?? []).map((e: Any) => e.value)]);
                }
                for (const [where, value] of places) {
                    const text = JSON.stringify(value ?? null);
                    for (const secret of secrets) assert.ok(!text.includes(secret), `${r.urn} ${where} contains secret material`);
                }
            }
        });

        it("exports no secret in plaintext, from the stack or any component", () => {
            const componentOutputs = s.resources.filter((r) => r.outputs).map((r) => r.outputs);
            assert.ok(componentOutputs.length >= 5, "component outputs are recorded");
            const text = JSON.stringify(redact({ stack: s.outputs, components: componentOutputs }));
            for (const secret of secretValues(s)) assert.ok(!text.includes(secret));
            for (const [key, value] of Object.entries(s.outputs)) {
                if (/password|token|secret|kubeconfig/i.test(key)) assert.ok(isSecret(value), `output ${key} is secret`);
            }
        });
    });
}

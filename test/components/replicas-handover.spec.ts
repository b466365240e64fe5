import * as assert from "assert";
import { resolveService, AppServiceSpec } from "../../components/app/spec";
import { deploymentOptions, deploymentSpec } from "../../components/app/workload";
import { HPA, PULUMI, SsaField } from "./ssa-model";

// Replays, on a model of server-side apply (./ssa-model.ts, every rule cited there),
// what Hangar's Deployment does to `spec.replicas` when a service moves from a fixed
// size to an HPA and on later updates. The inputs and options are the ones AppService
// passes to the provider (deploymentSpec, deploymentOptions).
const service = (replicas: { min: number; max: number }): AppServiceSpec => ({
    name: "api",
    image: "ghcr.io/hangar/api:1.0.0",
    port: 8080,
    replicas,
});
const up = (field: SsaField, replicas: { min: number; max: number }) => {
    const s = resolveService(service(replicas));
    field.pulumiUp(deploymentSpec(s, s.image!, "hangar", true).replicas as number | undefined, ignoresReplicas(s));
};
const ignoresReplicas = (s: ReturnType<typeof resolveService>) => (deploymentOptions(s).ignoreChanges ?? []).includes("spec.replicas");

describe("spec.replicas when an HPA takes over a Deployment (server-side apply)", () => {
    it("keeps the fixed size through the switch: Pulumi holds the field until the HPA writes it", () => {
        const replicas = new SsaField(1);
        up(replicas, { min: 4, max: 4 });
        assert.strictEqual(replicas.live.value, 4);

        up(replicas, { min: 3, max: 12 }); // the switch: an HPA from now on
        assert.strictEqual(replicas.live.value, 4, "the switch reset the Deployment to the default of 1 replica");
        assert.ok(replicas.live.owners.has(PULUMI), "nobody would own spec.replicas: the next apply resets it");
    });

    it("leaves the field to the HPA once it has scaled, on every later update", () => {
        const replicas = new SsaField(1);
        up(replicas, { min: 4, max: 4 });
        up(replicas, { min: 3, max: 12 });
        replicas.update(HPA, 7);
        assert.deepStrictEqual([...replicas.live.owners], [HPA]);

        up(replicas, { min: 3, max: 12 }); // e.g. a new image: no conflict, no reset
        up(replicas, { min: 2, max: 12 }); // a new floor is the HPA's business
        assert.strictEqual(replicas.live.value, 7);
        assert.deepStrictEqual([...replicas.live.owners], [HPA], "Pulumi took spec.replicas back from the HPA");
    });

    it("creates an autoscaled Deployment without a size of its own, and a fixed one at its size", () => {
        const fresh = new SsaField(1);
        up(fresh, { min: 3, max: 12 });
        assert.strictEqual(fresh.live.value, 1, "created at the API default: the HPA raises it to its floor");
        fresh.update(HPA, 3);
        up(fresh, { min: 3, max: 12 });
        assert.strictEqual(fresh.live.value, 3);

        const fixed = new SsaField(1);
        up(fixed, { min: 2, max: 2 });
        up(fixed, { min: 5, max: 5 });
        assert.strictEqual(fixed.live.value, 5, "a fixed size is Pulumi's to change");
    });

    it("ignores spec.replicas exactly when an HPA manages the Deployment", () => {
        assert.deepStrictEqual(deploymentOptions(resolveService(service({ min: 3, max: 12 }))), { ignoreChanges: ["spec.replicas"] });
        assert.deepStrictEqual(deploymentOptions(resolveService(service({ min: 3, max: 3 }))), {});
    });
});

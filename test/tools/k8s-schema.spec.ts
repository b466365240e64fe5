import * as assert from "assert";
import { validateManifest } from "../../tools/k8s-schema";

const deployment = () => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "hangar" },
    spec: {
        selector: { matchLabels: { app: "api" } },
        template: {
            metadata: { labels: { app: "api" } },
            spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.0.0", ports: [{ containerPort: 8080 }] }] },
        },
    },
});

describe("Kubernetes schema validation", () => {
    it("accepts a valid Deployment", () => assert.deepStrictEqual(validateManifest(deployment()), []));

    it("names the path of a wrongly typed field", () => {
        const d = deployment();
        (d.spec.template.spec.containers[0].ports[0] as Record<string, unknown>).containerPort = "8080";
        assert.deepStrictEqual(validateManifest(d), ["/spec/template/spec/containers/0/ports/0/containerPort must be integer"]);
    });

    it("reports a missing required field", () => {
        const d = deployment();
        delete (d.spec as Partial<typeof d.spec>).selector;
        assert.ok(validateManifest(d).some((e) => e.includes("selector")));
    });

    it("does not fail on values unknown during preview", () => {
        const d = deployment();
        (d.spec.template.spec.containers[0] as Record<string, unknown>).image = "@unknown";
        (d.spec.template.spec.containers[0] as Record<string, unknown>).name = "@unknown";
        assert.deepStrictEqual(validateManifest(d), []);
    });

    it("refuses kinds it has no schema for", () => {
        assert.deepStrictEqual(validateManifest({ apiVersion: "example.com/v1", kind: "Widget" }), [
            "no schema known for example.com/v1 Widget",
        ]);
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { byType, reveal, ROOT, snapshotOf, Snapshot } from "../../tools/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const MODES = ["enforce", "audit", "warn"];
const restrictedNamespaces = (s: Snapshot): Any[] =>
    byType(s, "kubernetes:core/v1:Namespace")
        .map((n) => reveal(n.inputs) as Any)
        .filter((n) => n.metadata.labels["pod-security.kubernetes.io/enforce"] === "restricted");

/** Pulumi.staging.yaml with `foundation.kubernetes.version` set. */
function stagingAt(version: string): string {
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    doc.config["hangar:foundation"].kubernetes.version = version;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hangar-pss-")), "Pulumi.staging.yaml");
    fs.writeFileSync(file, stringify(doc));
    return file;
}

describe("namespaces pin the Pod Security Standards at foundation.kubernetes.version", () => {
    let prod: Snapshot;
    let staging: Snapshot;
    before(async () => {
        [prod, staging] = await Promise.all([
            snapshotOf("prod", { kubeconfig: LAPTOP_KUBECONFIG }),
            snapshotOf("staging", { kubeconfig: LAPTOP_KUBECONFIG, stackFile: stagingAt("v1.36") }),
        ]);
        assert.strictEqual(staging.error, undefined, staging.error?.message);
    });

    it("labels the app's, monitoring's and the Rollouts controller's namespaces with the profile's v1.34 in prod", () => {
        const namespaces = restrictedNamespaces(prod);
        assert.deepStrictEqual(namespaces.map((n) => n.metadata.name).sort(), [
            "argo-rollouts",
            "external-secrets",
            "hangar",
            "monitoring",
        ]);
        for (const ns of namespaces)
            for (const mode of MODES) assert.strictEqual(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`], "v1.34", mode);
    });

    it("follows the configured version (v1.36), never latest", () => {
        const namespaces = restrictedNamespaces(staging);
        assert.ok(namespaces.length >= 2);
        for (const ns of namespaces)
            for (const mode of MODES)
                assert.strictEqual(
                    ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`],
                    "v1.36",
                    `${ns.metadata.name} ${mode}`,
                );
    });
});

/**
 * External Secrets Operator (issue 20.2): the operator's chart values and what it installs, the stores' IRSA scope, and
 * on the real prod and staging snapshots that no Secret or pod Pulumi creates carries the master password or the cache
 * token, every credential a pod reads coming from an ExternalSecret's target instead.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import {
    EXTERNAL_SECRETS_DEFAULTS,
    EXTERNAL_SECRETS_RESOURCES,
    externalSecretsValues,
    storePolicy,
} from "../../components/external-secrets";
import { CREDENTIALS_DEFAULTS } from "../../components/platform/credentials";
import { clusterPrerequisites } from "../../components/platform/prerequisites";
import { parseConfig, profileDefaults, readStackConfig, toPlatformArgs } from "../../config";
import { runProgram, ROOT, Snapshot, SnapshotResource } from "../../tools/harness";
import { reveal } from "../../tools/harness/snapshot";
import { validateManifest } from "../../tools/k8s-schema";
import { realStacks } from "../policies/wiring-fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const POD_TYPES = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout"];
const inputs = (r: SnapshotResource) => reveal(r.inputs) as Any;
const ofType = (s: Snapshot, type: string) => s.resources.filter((r) => r.type === type);
const isPodOwner = (r: SnapshotResource) => POD_TYPES.some((k) => r.type.endsWith(`:${k}`));

/** The mocked value of each generated credential (tools/harness/mocks.ts, RandomPassword), by resource name. */
function mockedPassword(r: SnapshotResource): string {
    return `Mock0pw${r.name.length}${String(r.inputs.overrideSpecial ?? "!").slice(0, 2)}x`;
}

/** The master password and the cache token of a stack, and the forms they could take in a manifest. */
function credentialForms(s: Snapshot): string[] {
    const generated = ofType(s, "random:index/randomPassword:RandomPassword").filter((r) => /-(db-master|cache-auth)$/.test(r.name));
    assert.strictEqual(generated.length, 2, "the master password and the AUTH token");
    return generated.flatMap((r) => {
        const v = mockedPassword(r);
        return [v, encodeURIComponent(v), Buffer.from(v).toString("base64")];
    });
}

/** The secrets every key of every pod's secretKeyRef names, with its namespace. */
function secretRefs(s: Snapshot): { pod: string; namespace: string; secret: string; key: string }[] {
    const out: { pod: string; namespace: string; secret: string; key: string }[] = [];
    for (const r of s.resources.filter(isPodOwner)) {
        const i = inputs(r);
        const spec = i.spec?.jobTemplate?.spec?.template?.spec ?? i.spec?.template?.spec;
        for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])])
            for (const e of c.env ?? [])
                if (e.valueFrom?.secretKeyRef)
                    out.push({
                        pod: r.name,
                        namespace: i.metadata.namespace,
                        secret: e.valueFrom.secretKeyRef.name,
                        key: e.valueFrom.secretKeyRef.key,
                    });
    }
    return out;
}

describe("External Secrets Operator: the operator (external-secrets 2.9.0)", () => {
    const values = externalSecretsValues({ priorityClassName: "hangar-prod-system" });

    it("installs the v1 CRDs only, processes no cluster-scoped store, and runs no webhook or cert controller", () => {
        assert.strictEqual(values.installCRDs, true);
        assert.strictEqual(values.crds.unsafeServeV1Beta1, false);
        assert.strictEqual(values.processClusterStore, false);
        assert.strictEqual(values.processClusterExternalSecret, false);
        assert.deepStrictEqual(values.webhook, { create: false });
        assert.deepStrictEqual(values.certController, { create: false });
    });

    it("runs the controller restricted, with requests and limits and the priority class", () => {
        assert.deepStrictEqual(values.podSecurityContext, {
            enabled: true,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepStrictEqual(values.securityContext, {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            enabled: true,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepStrictEqual(values.resources, EXTERNAL_SECRETS_RESOURCES);
        assert.strictEqual(values.priorityClassName, "hangar-prod-system");
    });

    it("sets only keys the chart's defaults have (when ../shared is there)", function () {
        const file = path.join(ROOT, "..", "shared", "charts", "src", "external-secrets-2.9.0", "values.yaml");
        if (!fs.existsSync(file)) this.skip();
        const defaults = parseYaml(fs.readFileSync(file, "utf8")) as Any;
        const missing: string[] = [];
        // Rendered verbatim by toYaml (templates/deployment.yaml): Kubernetes types, validated by the pod rules.
        const kubernetesTyped = ["podSecurityContext", "securityContext", "resources"];
        const walk = (set: Any, known: Any, at: string) => {
            for (const [key, value] of Object.entries(set)) {
                if (kubernetesTyped.includes(`${at}${key}`)) continue;
                if (!(key in known)) missing.push(`${at}${key}`);
                else if (value && typeof value === "object" && known[key] && typeof known[key] === "object")
                    walk(value, known[key], `${at}${key}.`);
            }
        };
        walk(values, defaults, "");
        assert.deepStrictEqual(missing, []);
    });

    it("documents the defaults every profile sets (hangar:externalSecrets)", () => {
        for (const env of ["prod", "staging", "ephemeral"] as const)
            assert.deepStrictEqual(profileDefaults(env).externalSecrets, { ...EXTERNAL_SECRETS_DEFAULTS, ...CREDENTIALS_DEFAULTS }, env);
    });

    it("with an existing operator, needs its CRDs serving v1 (preflight); managed, installs them", () => {
        const doc = readStackConfig(path.join(ROOT, "Pulumi.prod.yaml")) as Any;
        const prerequisites = (d: Any) => {
            const parsed = parseConfig(d, "prod");
            assert.ok(parsed.ok, JSON.stringify(parsed));
            return clusterPrerequisites(toPlatformArgs(parsed.config, "")).filter((p) => p.id.includes("external-secrets.io"));
        };
        assert.deepStrictEqual(prerequisites(doc), []);
        const existing = { ...doc, "hangar:externalSecrets": { mode: "existing" } };
        assert.deepStrictEqual(
            prerequisites(existing).map((p) => p.requirement),
            [
                { kind: "crd", name: "externalsecrets.external-secrets.io", version: "v1" },
                { kind: "crd", name: "secretstores.external-secrets.io", version: "v1" },
            ],
        );
    });

    describe("as a component, in both modes", () => {
        let s: Snapshot;
        before(async function () {
            this.timeout(60_000);
            s = await runProgram(path.join(ROOT, "test/programs/external-secrets.ts"));
            assert.strictEqual(s.error, undefined, s.error?.message);
        });

        it("managed: a helm.v3.Release kept on delete (its CRDs), in its own restricted namespace with quota and limits", () => {
            const managed = s.resources.filter((r) => r.parent?.endsWith("::managed"));
            const release = managed.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
            assert.strictEqual(release.options.retainOnDelete, true, "a deleted CRD deletes every ExternalSecret");
            assert.strictEqual(inputs(release).chart, "external-secrets");
            assert.strictEqual(inputs(release).version, "2.9.0");
            const ns = managed.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
            assert.strictEqual(inputs(ns).metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            const kinds = managed.map((r) => r.type.split(":").pop());
            for (const k of ["ResourceQuota", "LimitRange"]) assert.ok(kinds.includes(k), k);
            assert.deepStrictEqual(
                managed.filter((r) => r.type.endsWith(":NetworkPolicy")).map((r) => inputs(r).metadata.name),
                ["default-deny", "allow-dns", "external-secrets"],
            );
        });

        it("existing: installs nothing and waits for nothing", () => {
            assert.deepStrictEqual(
                s.resources.filter((r) => r.parent?.endsWith("::existing")),
                [],
            );
            assert.strictEqual(s.outputs.existingReady, 0);
            assert.strictEqual(s.outputs.existingNamespace, "eso");
        });

        it("a store and its ExternalSecret wait for the operator's Release (its CRDs)", () => {
            const release = s.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
            for (const type of [SECRET_STORE, EXTERNAL_SECRET]) {
                const r = s.resources.find((x) => x.type === type)!;
                assert.ok(r.options.dependencies.includes(release.urn), `${type} depends on the Release`);
            }
        });
    });
});

describe("External Secrets Operator: run-time credentials on the real stacks", () => {
    const stacks = realStacks();

    for (const stack of ["prod", "staging"] as const) {
        it(`${stack}: no Secret and no pod Pulumi creates carries the master password or the cache token`, () => {
            const s = stacks[stack];
            const forms = credentialForms(s);
            const k8s = s.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" || isPodOwner(r));
            assert.ok(k8s.length >= 5, `${k8s.length} Secrets and workloads`);
            for (const r of k8s) {
                const text = JSON.stringify(inputs(r));
                for (const form of forms) assert.ok(!text.includes(form), `${r.type} ${r.name} carries a generated credential`);
            }
        });

        it(`${stack}: every credential a pod reads is an ExternalSecret's target in its namespace, with that key`, () => {
            const s = stacks[stack];
            const targets = new Map(
                ofType(s, EXTERNAL_SECRET).map((r) => {
                    const i = inputs(r);
                    return [`${i.metadata.namespace}/${i.spec.target.name}`, Object.keys(i.spec.target.template.data)];
                }),
            );
            const credentials = secretRefs(s).filter(
                (x) => /URL|PASSWORD|TOKEN|master-|auth-token/.test(`${x.key}`) && !/exporter-password/.test(x.key),
            );
            assert.ok(credentials.length >= 6, JSON.stringify(credentials));
            for (const ref of credentials)
                assert.ok(
                    targets.get(`${ref.namespace}/${ref.secret}`)?.includes(ref.key),
                    `${ref.pod} reads ${ref.key} of ${ref.namespace}/${ref.secret}, which no ExternalSecret writes`,
                );
        });

        it(`${stack}: every ExternalSecret and SecretStore is external-secrets.io/v1, schema-valid, Retain/Owner, refreshed, awaited Ready`, () => {
            const s = stacks[stack];
            for (const r of [...ofType(s, EXTERNAL_SECRET), ...ofType(s, SECRET_STORE)]) {
                const i = inputs(r);
                const manifest = { apiVersion: "external-secrets.io/v1", kind: r.type.split(":").pop()!, ...i };
                assert.deepStrictEqual(validateManifest(manifest), [], r.name);
                assert.strictEqual(i.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
            }
            for (const r of ofType(s, EXTERNAL_SECRET)) {
                const { target, refreshInterval, secretStoreRef } = inputs(r).spec;
                assert.deepStrictEqual(
                    [target.creationPolicy, target.deletionPolicy, target.template.engineVersion],
                    ["Owner", "Retain", "v2"],
                );
                assert.strictEqual(refreshInterval, "15m");
                assert.strictEqual(secretStoreRef.kind, "SecretStore");
            }
        });
    }

    it("prod: each store's role reads exactly the stack's secrets its ExternalSecrets name, and decrypts only through Secrets Manager", () => {
        const s = stacks.prod;
        const policies = ofType(s, "aws:iam/rolePolicy:RolePolicy").filter((r) => r.name.endsWith("-store"));
        assert.deepStrictEqual(policies.map((r) => r.name).sort(), [
            "hangar-app-credentials-store",
            "hangar-backups-dump-credentials-store",
            "hangar-monitoring-credentials-store",
        ]);
        for (const p of policies) {
            const doc = JSON.parse(String(inputs(p).policy));
            const [read, decrypt] = doc.Statement;
            assert.deepStrictEqual(read.Action, ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
            // The mocks' ARN of a Secrets Manager secret ends in its resource name: the master secret's or the token's.
            assert.ok(
                read.Resource.every((arn: string) =>
                    /^arn:aws:secretsmanager:eu-west-1:\d+:(hangar-db-master|hangar-cache-auth)$/.test(arn),
                ),
                read.Resource,
            );
            assert.strictEqual(decrypt.Action, "kms:Decrypt");
            assert.deepStrictEqual(decrypt.Condition, {
                StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" },
                // Only for its own secrets: Secrets Manager's encryption context names the secret.
                StringLike: { "kms:EncryptionContext:SecretARN": read.Resource },
            });
        }
        const granted = (name: string) =>
            JSON.parse(String(inputs(policies.find((p) => p.name === name)!).policy)).Statement[0].Resource.length;
        assert.strictEqual(granted("hangar-backups-dump-credentials-store"), 1, "the dump job reads the master secret alone");
        assert.strictEqual(granted("hangar-app-credentials-store"), 2, "the app: the master secret and the cache token");
    });

    it("unit: the store policy lists the given ARNs and keys once", () => {
        const doc = JSON.parse(storePolicy(["arn:a", "arn:b"], ["arn:k", "arn:k"], "eu-west-1"));
        assert.deepStrictEqual(doc.Statement[0].Resource, ["arn:a", "arn:b"]);
        assert.deepStrictEqual(doc.Statement[1].Resource, ["arn:k"]);
    });

    it("prod: the old Pulumi-made credential Secrets are gone (data-tier, pg-dump-credentials, redis-exporter); the new names differ", () => {
        const names = ofType(stacks.prod, "kubernetes:core/v1:Secret").map((r) => inputs(r).metadata.name);
        for (const old of ["data-tier", "pg-dump-credentials", "redis-exporter"]) assert.ok(!names.includes(old), old);
        const targets = ofType(stacks.prod, EXTERNAL_SECRET).map((r) => inputs(r).spec.target.name);
        assert.deepStrictEqual(targets.sort(), [
            "data-tier-credentials",
            "pg-dump-master",
            "postgres-exporter-login-master",
            "redis-exporter-auth",
        ]);
        for (const t of targets) assert.ok(!names.includes(t), `${t} is ESO's alone`);
    });

    it("prod: the operator's Release is kept on delete and its pods are restricted (chart values)", () => {
        const release = ofType(stacks.prod, "kubernetes:helm.sh/v3:Release").find((r) => inputs(r).chart === "external-secrets")!;
        assert.strictEqual(release.options.retainOnDelete, true);
        assert.strictEqual(inputs(release).values.webhook.create, false);
    });
});

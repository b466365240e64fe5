import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { verifyClusterTarget, ClusterTargetError } from "../components/index";
import { byType, reveal, ROOT, runProgram, runStack, snapshotOf, Snapshot } from "../tools/harness";

const fixture = (...p: string[]) => path.join(ROOT, "test", "fixtures", ...p);
const laptop = fixture("kubeconfig", "laptop.yaml");

/** Only the root Stack: what "nothing registered" means. */
function assertNothingRegistered(snapshot: Snapshot) {
    assert.deepStrictEqual(
        snapshot.resources.map((r) => r.type),
        ["pulumi:pulumi:Stack"],
        `expected nothing but the root Stack, got ${snapshot.resources.map((r) => r.urn).join(", ")}`,
    );
}

const providerJson = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

for (const stack of ["prod", "staging"]) {
    describe(`the program for ${stack}`, () => {
        let snapshot: Snapshot;
        before(async () => {
            snapshot = await snapshotOf(stack, { kubeconfig: laptop });
            assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        });

        it("creates one Platform with explicit aws, kubernetes, random and docker providers", () => {
            assert.strictEqual(byType(snapshot, "hangar:index:Platform").length, 1);
            for (const pkg of ["kubernetes", "random", "docker"]) {
                assert.strictEqual(byType(snapshot, `pulumi:providers:${pkg}`).length, 1, `one ${pkg} provider`);
            }
            const aws = byType(snapshot, "pulumi:providers:aws").map((p) => p.name);
            assert.deepStrictEqual(
                aws,
                stack === "prod" ? ["hangar-aws", "hangar-aws-dr"] : ["hangar-aws"],
                "a primary AWS provider, and a DR one where DR is on",
            );
        });

        it("exports the endpoints users ask for: app URLs, database writer and reader, secret ARNs, the DR replica", () => {
            const o = reveal(snapshot.outputs) as Record<string, unknown>;
            assert.deepStrictEqual(o.appUrls, {
                api: stack === "prod" ? "https://api.hangar.example.aero" : "https://api.staging.hangar.example.aero",
            });
            assert.strictEqual(o.appNamespace, "hangar");
            assert.match(String(o.databaseAddress), /\.rds\.amazonaws\.com$|^hangar-/);
            assert.ok(o.databaseReaderAddress, "a reader address");
            for (const key of ["databaseCredentialsArn", "cacheCredentialsArn"])
                assert.match(String(o[key]), /^arn:aws:secretsmanager:/, key);
            assert.ok(o.cacheAddress, "the cache's endpoint");
            if (stack === "prod") assert.ok(o.drReplicaAddress, "the DR replica");
            else assert.strictEqual(o.drReplicaAddress, undefined);
        });

        it("pins the AWS provider to the stack's account and region", () => {
            const config = require("yaml").parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
            const provider = byType(snapshot, "pulumi:providers:aws").find((p) => p.name === "hangar-aws")!;
            assert.deepStrictEqual(providerJson(provider.inputs.allowedAccountIds), [config["hangar:foundation"].aws.accountId]);
            assert.strictEqual(provider.inputs.region, config["hangar:foundation"].aws.region);
            assert.strictEqual(providerJson(provider.inputs.defaultTags).tags["hangar:stack"], stack);
        });

        it("uses the stack's kubeconfig context explicitly, never the current-context, and keeps the kubeconfig secret", () => {
            const [provider] = byType(snapshot, "pulumi:providers:kubernetes");
            assert.strictEqual(provider.inputs.context, `hangar-${stack}`);
            assert.ok(
                typeof provider.inputs.kubeconfig === "object" &&
                    provider.inputs.kubeconfig !== null &&
                    "@secret" in provider.inputs.kubeconfig,
            );
        });

        it("gives every custom resource and invoke a provider the Platform created", () => {
            const platformProviders = new Set(
                snapshot.resources
                    .filter((r) => r.type.startsWith("pulumi:providers:") && r.parent?.endsWith("hangar:index:Platform::hangar"))
                    .map((r) => r.urn),
            );
            for (const r of snapshot.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))) {
                assert.ok(r.provider && platformProviders.has(r.provider), `${r.urn} uses provider ${r.provider ?? "(default)"}`);
            }
            for (const i of snapshot.invokes)
                assert.ok(i.provider && platformProviders.has(i.provider), `invoke ${i.token} uses ${i.provider ?? "(default)"}`);
        });

        it("registers the same URNs in preview as in an update", async () => {
            const preview = await snapshotOf(stack, { kubeconfig: laptop, preview: true });
            assert.strictEqual(preview.error, undefined, preview.error?.message);
            assert.deepStrictEqual(preview.resources.map((r) => r.urn).sort(), snapshot.resources.map((r) => r.urn).sort());
        });
    });
}

describe("the program refuses before registering anything", () => {
    it("a stack file with three mistakes: a plain error naming the three key paths", async () => {
        const snapshot = await runStack("prod", { stackFile: fixture("stack-files", "three-mistakes.yaml"), kubeconfig: laptop });
        assert.ok(snapshot.error, "expected the program to fail");
        assert.ok(snapshot.error.runError, "config errors are RunErrors (printed without a stack trace)");
        assert.match(snapshot.error.message, /3 problems/);
        for (const key of ["hangar:app.services[1].port", "hangar:database.backupRetentionDays", "hangar:dr.region"]) {
            assert.ok(snapshot.error.message.includes(key), `message names ${key}`);
        }
        assertNothingRegistered(snapshot);
    });

    it("a kubeconfig whose context points at another cluster", async () => {
        const snapshot = await runStack("prod", { kubeconfig: fixture("kubeconfig", "wrong-cluster.yaml") });
        assert.ok(snapshot.error?.runError);
        assert.match(snapshot.error.message, /refusing to deploy to the wrong cluster/);
        assertNothingRegistered(snapshot);
    });

    it("a kubeconfig without the stack's context", async () => {
        const snapshot = await runStack("staging", { kubeconfig: fixture("kubeconfig", "wrong-cluster.yaml") });
        assert.ok(snapshot.error?.runError);
        assert.match(snapshot.error.message, /has no context "hangar-staging"/);
        assertNothingRegistered(snapshot);
    });
});

describe("the stack file's warnings and notices", () => {
    it("are logged through pulumi.log.warn, and the program goes on: a copy of staging named pr-7", async () => {
        // The same run as the ephemeral data-tier spec's (snapshotOf shares it).
        const snapshot = await snapshotOf("pr-7", { kubeconfig: laptop, stackFile: path.join(ROOT, "Pulumi.staging.yaml") });
        assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        const warnings = snapshot.warnings ?? [];
        assert.ok(
            warnings.some((w) =>
                w.startsWith(
                    "notice hangar:environment: environment ephemeral comes from the stack name `pr-7`; set hangar:environment to choose",
                ),
            ),
            warnings.join("\n"),
        );
        assert.ok(warnings.some((w) => /\n {4}database\.instanceClass: db\.t4g\.micro \(staging: db\.t4g\.medium\)/.test(w)));
        assert.ok(warnings.some((w) => w.startsWith("warning hangar:backups.dump.clientMajorVersion: has no effect")));
    });

    it("are none for the real stack files", async () => {
        for (const stack of ["prod", "staging"]) {
            // The SDK logs through the same call (an undefined output); none of the stack file's notes is there.
            const notes = ((await snapshotOf(stack, { kubeconfig: laptop })).warnings ?? []).filter((w) =>
                / hangar:/.test(w.split("\n")[0]),
            );
            assert.deepStrictEqual(notes, [], stack);
        }
    });
});

describe("programConfig (the program's parse of the engine's config)", () => {
    const { programConfig, runtimeStackFileSource } = require("../config/load/runtime") as typeof import("../config/load/runtime");
    const { readStackConfig, readStackFile } = require("../config") as typeof import("../config");
    const staging = () => readStackConfig(path.join(ROOT, "Pulumi.staging.yaml")) as Record<string, unknown>;

    it("passes each warning to the log, with the stack file's line, and returns the config", () => {
        const logged: string[] = [];
        const { source } = readStackFile(path.join(ROOT, "Pulumi.staging.yaml"), "Pulumi.dev.yaml");
        const config = programConfig(staging(), "dev", (m) => logged.push(m), source);
        assert.strictEqual(config.environment, "ephemeral");
        assert.strictEqual(logged.length, 2);
        assert.match(logged[1], /^warning hangar:backups\.dump\.clientMajorVersion: has no effect: .* \(Pulumi\.dev\.yaml:\d+\)$/);
    });

    it("ends the run with a RunError listing the problems, then the notes", () => {
        const raw = { ...staging(), "hangar:databse": {} };
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        assert.throws(
            () => programConfig(raw, "dev", () => assert.fail("nothing is logged when the run ends"), undefined),
            (err: Error) =>
                pulumi.RunError.isInstance(err) &&
                /^invalid stack configuration \(1 problem\):\n {2}hangar:databse: unknown key; did you mean `hangar:database`\?/.test(
                    err.message,
                ) &&
                /\nstack configuration \(2 notes, not errors\):\n {2}notice hangar:environment: /.test(err.message),
        );
    });

    it("takes lines from Pulumi.<stack>.yaml only when it holds the config the engine handed over", () => {
        assert.ok(runtimeStackFileSource("staging", staging(), ROOT), "the file the engine read");
        assert.strictEqual(runtimeStackFileSource("staging", { ...staging(), "hangar:dns": { domain: "x.example.com" } }, ROOT), undefined);
        assert.strictEqual(runtimeStackFileSource("pr-7", staging(), ROOT), undefined, "no Pulumi.pr-7.yaml");
        // Other namespaces (aws:, pulumi:tags from Pulumi.yaml) do not count.
        assert.ok(runtimeStackFileSource("staging", { ...staging(), "pulumi:tags": { a: "b" } }, ROOT));
    });
});

describe("verifyClusterTarget", () => {
    const kubeconfig = fs.readFileSync(laptop, "utf8");
    const prodServer = "https://4F2C0A9B7E6D5C3B2A1908F7E6D5C4B3.gr7.eu-west-1.eks.amazonaws.com";

    it("resolves the named context, ignoring the current-context", () => {
        assert.deepStrictEqual(verifyClusterTarget({ kubeconfig, context: "hangar-prod", server: prodServer }), {
            context: "hangar-prod",
            server: prodServer,
        });
    });
    it("tolerates a trailing slash and letter case in the server URL", () => {
        assert.doesNotThrow(() => verifyClusterTarget({ kubeconfig, context: "hangar-prod", server: `${prodServer.toLowerCase()}/` }));
    });
    it("refuses a context that points at another server", () => {
        assert.throws(() => verifyClusterTarget({ kubeconfig, context: "minikube", server: prodServer }), ClusterTargetError);
    });
    it("refuses a missing context and lists the ones there are", () => {
        assert.throws(() => verifyClusterTarget({ kubeconfig, context: "prod" }), /contexts: minikube, hangar-prod, hangar-staging/);
    });
    it("refuses a kubeconfig that is not YAML", () => {
        assert.throws(() => verifyClusterTarget({ kubeconfig: "{ not: yaml", context: "x" }), /not valid YAML/);
    });
});

describe("the harness", () => {
    it("runs any program and records options such as protect", async () => {
        const snapshot = await runProgram(path.join(ROOT, "test/programs/platform-only.ts"));
        assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        const [key] = byType(snapshot, "aws:kms/key:Key");
        assert.strictEqual(key.options.protect, true);
        assert.ok(key.provider?.endsWith("pulumi:providers:aws::aws"));
        assert.match(String(snapshot.outputs.keyArn), /^arn:aws:kms:/);
    });
});

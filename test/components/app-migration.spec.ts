/**
 * Gated migrations (issue 19, item 3): a service's migration Job, one per image, that its Deployment waits
 * for. Pure cases for the name and the spec; prod's real snapshot (shared with the wiring specs) for the
 * objects, their dependencies, and the guardrails and wiring rules over the new pod template.
 */
import * as assert from "assert";
import { appTierFlows } from "../../components/app/flows";
import {
    JOB_NAME_MAX,
    MIGRATION_DEFAULTS,
    migrationJobName,
    migrationJobSpec,
    migrationLabels,
    migrationTimeouts,
} from "../../components/app/migration";
import { resolveService } from "../../components/app/spec";
import { appTierArgs } from "../../components/platform/mappers";
import { parseConfig, readStackConfig, toPlatformArgs } from "../../config";
import { byType, reveal, ROOT, Snapshot, SnapshotResource } from "../../tools/harness";
import { policyConfig, wiringResources } from "../../tools/policy-check";
import { runPolicies } from "../../tools/policy/runner";
import { Any, DEPLOYMENT, realStacks, ROLLOUT } from "../policies/wiring-fixtures";
import * as path from "path";

const IMAGE = "registry.example/hangar/api@sha256:" + "a".repeat(64);
const JOB = "kubernetes:batch/v1:Job";
const inputs = (r: SnapshotResource): Any => reveal(r.inputs) as Any;

describe("migration Job name", () => {
    it("is the same for the same image, whatever else the migration or the service says", () => {
        const name = migrationJobName("api", IMAGE);
        assert.match(name, /^api-migrate-[0-9a-f]{10}$/);
        assert.strictEqual(migrationJobName("api", IMAGE), name);
        // The spec of a Job changes with the command, bounds, env and resources; its name does not.
        const base = resolveService({ name: "api", image: IMAGE, port: 8080, migration: { command: ["/app/migrate"] } });
        const other = resolveService({
            ...base,
            env: { LOG_LEVEL: "debug" },
            replicas: { min: 5, max: 9 },
            migration: { command: ["/app/other"], activeDeadlineSeconds: 60, backoffLimit: 3 },
        });
        assert.notDeepStrictEqual(
            migrationJobSpec({ ...base, migration: base.migration! }, IMAGE, "app").template,
            migrationJobSpec({ ...other, migration: other.migration! }, IMAGE, "app").template,
        );
        assert.strictEqual(migrationJobName(other.name, other.image!), name);
    });

    it("changes with the image: another digest, another tag, another repository", () => {
        const names = new Set(
            [
                IMAGE,
                IMAGE.replace(/a$/, "b"),
                "registry.example/hangar/api:1.2.3",
                "registry.example/hangar/api:1.2.4",
                "other/api:1.2.3",
            ].map((image) => migrationJobName("api", image)),
        );
        assert.strictEqual(names.size, 5);
    });

    it("stays a DNS label of at most 63 characters for the longest service name", () => {
        const name = migrationJobName("s".repeat(62) + "-x", IMAGE);
        assert.ok(name.length <= JOB_NAME_MAX, `${name.length}`);
        assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        assert.notStrictEqual(migrationJobName("a".repeat(63), IMAGE), migrationJobName("a".repeat(63), IMAGE + "x"));
    });

    it("waits past the deadline (Pulumi's custom timeout above activeDeadlineSeconds)", () => {
        for (const deadline of [60, MIGRATION_DEFAULTS.activeDeadlineSeconds, 3600]) {
            const t = migrationTimeouts(deadline);
            assert.ok(Number(t.create.replace(/m$/, "")) * 60 > deadline && t.update === t.create, JSON.stringify(t));
        }
    });

    it("is refused for a built image, whose reference is unknown when the program runs", () => {
        assert.throws(
            () => resolveService({ name: "api", build: { context: "." }, port: 8080, migration: { command: ["m"] } }),
            /a migration needs a pinned image/,
        );
    });
});

describe("migration in prod", () => {
    const stacks = realStacks();
    const jobs = (s: Snapshot) => byType(s, JOB).filter((r) => inputs(r).metadata.name.includes("-migrate-"));
    const prod = () => stacks.prod;
    // api runs as a canary in prod: its workload is a Rollout, which waits for the Job as a Deployment would.
    const api = () => prod().resources.find((r) => [DEPLOYMENT, ROLLOUT].includes(r.type) && inputs(r).metadata.name === "api")!;

    it("runs api's migration as a Job named by its image that api's workload (a canary Rollout) waits for; staging has none", () => {
        const [job] = jobs(prod());
        assert.strictEqual(jobs(prod()).length, 1, "one Job: none in the DR pilot light, which only has a read replica");
        const image = inputs(api()).spec.template.spec.containers[0].image;
        assert.strictEqual(inputs(job).metadata.name, migrationJobName("api", image));
        assert.ok(job.name.endsWith(inputs(job).metadata.name.slice(-10)), "the Pulumi name carries the hash: a new image is a new Job");
        assert.strictEqual(api().type, ROLLOUT);
        assert.ok(api().options.dependencies.includes(job.urn), "the Rollout depends on the Job");
        assert.deepStrictEqual(jobs(stacks.staging), []);
    });

    it("is bounded, awaited past its deadline, kept (no ttlSecondsAfterFinished), and never re-run for the same image", () => {
        const [job] = jobs(prod());
        const j = inputs(job);
        assert.strictEqual(j.spec.ttlSecondsAfterFinished, undefined, "a TTL-deleted Job re-runs on the next up");
        assert.strictEqual(j.spec.activeDeadlineSeconds, 900);
        assert.strictEqual(j.spec.backoffLimit, MIGRATION_DEFAULTS.backoffLimit);
        assert.strictEqual(j.metadata.annotations["pulumi.com/skipAwait"], undefined, "the gate is awaited");
        assert.strictEqual(j.metadata.annotations["pulumi.com/replaceUnready"], "true");
        const minutes = Number(job.options.customTimeouts?.create?.replace(/m$/, ""));
        assert.ok(minutes * 60 > j.spec.activeDeadlineSeconds, JSON.stringify(job.options.customTimeouts));
        assert.deepStrictEqual(job.options.ignoreChanges, ["spec"]);
        assert.deepStrictEqual(j.spec.template.spec.containers[0].command, ["/app/api", "migrate", "up"]);
    });

    it("reads the writer's own URL as DATABASE_URL and mounts the RDS CA bundle; the services do not read it", () => {
        const pod = inputs(jobs(prod())[0]).spec.template.spec;
        const env = pod.containers[0].env;
        const db = env.filter((e: Any) => e.name === "DATABASE_URL");
        assert.deepStrictEqual(db, [
            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "data-tier-credentials", key: "DATABASE_WRITER_URL" } } },
        ]);
        assert.ok(pod.containers[0].volumeMounts.some((m: Any) => m.mountPath === "/opt/hangar-ca"));
        assert.ok(pod.volumes.some((v: Any) => v.configMap?.name === "app-ca-bundles"));
        const external = prod().resources.find(
            (r) =>
                r.type === "kubernetes:external-secrets.io/v1:ExternalSecret" &&
                inputs(r).metadata.name === "data-tier-credentials" &&
                inputs(r).metadata.namespace === "hangar",
        )!;
        assert.match(inputs(external).spec.target.template.data.DATABASE_WRITER_URL, /^postgresql:\/\/.*sslmode=verify-full/);
        const workloads = [...byType(prod(), DEPLOYMENT), ...byType(prod(), ROLLOUT)].map(inputs);
        assert.ok(workloads.some((w) => w.metadata.name === "api"));
        for (const d of workloads)
            for (const c of d.spec.template.spec.containers ?? [])
                assert.ok(!JSON.stringify(c.env ?? []).includes("DATABASE_WRITER_URL"), `${d.metadata.name}/${c.name}`);
    });

    it("passes every guardrail and wiring rule: the restricted pod checks, resources, image, TLS, flows", async () => {
        const job = jobs(prod())[0];
        const policy = prod().resources.find((r) => r.urn.endsWith("-migrate-egress"))!;
        // The whole pack over the whole snapshot (stack rules need the rest), as the check runs it.
        const found = await runPolicies(wiringResources(prod()), policyConfig("prod"));
        assert.deepStrictEqual(
            found.filter((v) => v.urn === job.urn || v.urn === policy.urn || /migrate/.test(v.message)),
            [],
        );
    });

    it("declares the Job's flow to the writer and opens only that in its own NetworkPolicy", () => {
        const labels = inputs(jobs(prod())[0]).spec.template.metadata.labels;
        assert.deepStrictEqual(labels, migrationLabels("api"));
        const policy = inputs(prod().resources.find((r) => r.urn.endsWith("-migrate-egress"))!);
        assert.deepStrictEqual(policy.spec.podSelector.matchLabels, labels);
        assert.deepStrictEqual(
            policy.spec.egress.map((e: Any) => e.ports.map((p: Any) => p.port)),
            [[5432]],
        );
        const flows = appTierFlows({
            namespace: "hangar",
            services: [{ name: "api", port: 8080, migration: { command: ["m"] } }],
            traffic: {},
            dataEgress: [
                { port: 5432, cidrs: ["10.0.0.0/19"] },
                { port: 6379, cidrs: ["10.0.0.0/19"] },
            ],
        }).filter((f) => f.from.name === "hangar/api-migrate");
        assert.deepStrictEqual(
            flows.map((f) => f.port),
            [5432],
        );
    });
});

describe("migration config", () => {
    it("maps app.services[].migration onto the service with the writer's key, and drops it where there is no writer", () => {
        const parsed = parseConfig(readStackConfig(path.join(ROOT, "Pulumi.prod.yaml")), "prod");
        assert.ok(parsed.ok);
        const args = toPlatformArgs(parsed.config!, "kubeconfig");
        const credentials = (template: Record<string, string>) => ({
            storeName: "app-credentials",
            oidcProviderArn: "arn",
            region: "eu-west-1",
            refreshInterval: "15m",
            secrets: [],
            targets: [{ target: "data-tier-credentials", data: [], template }],
        });
        const placement = {
            credentials: credentials({ DATABASE_URL: "u", DATABASE_WRITER_URL: "w" }),
            oidcProviderArn: "arn",
            dataCidrs: [],
        };
        const primary = appTierArgs(args, placement).services.find((s) => s.name === "api")!;
        assert.deepStrictEqual(primary.migration, {
            command: ["/app/api", "migrate", "up"],
            activeDeadlineSeconds: 900,
            writerUrl: { secret: "data-tier-credentials", key: "DATABASE_WRITER_URL" },
        });
        assert.ok(!primary.secretEnv!.some((e) => e.name === "DATABASE_WRITER_URL"));
        const replica = appTierArgs(args, { ...placement, credentials: credentials({ DATABASE_URL: "r" }) }).services.find(
            (s) => s.name === "api",
        )!;
        assert.strictEqual(replica.migration, undefined);
    });

    it("warns that a migration has no effect without a database", () => {
        // staging's stack file with prod's api migration and no database.
        const raw = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.staging.yaml"))) as Any;
        raw["hangar:app"].services[0].migration = { command: ["/app/api", "migrate", "up"] };
        raw["hangar:database"] = { enabled: false };
        raw["hangar:backups"] = { enabled: false };
        const parsed = parseConfig(raw, "staging");
        const warnings = parsed.warnings.filter((w) => w.path === "hangar:app.services[0].migration");
        assert.strictEqual(warnings.length, 1, JSON.stringify(parsed.warnings));
        assert.match(warnings[0].message, /no writer to migrate/);
    });
});

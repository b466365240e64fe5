/**
 * Wiring rules (issue 18) for what pods read and write: the Secrets and ConfigMaps they
 * reference exist with their keys, a verifying TLS client has its CA file on a mount, and
 * a read-only root has every written path on a writable mount. The charts' pods come from
 * tools/chart-rendered.ts; their mutations change the chart's values in the snapshot.
 */
import * as assert from "assert";
import { Snapshot, SnapshotResource } from "../../tools/harness";
import { chartRendered } from "../../tools/chart-rendered";
import { policyConfig, wiringResources } from "../../tools/policy-check";
import { runPolicies } from "../../tools/policy/runner";
import { writablePaths } from "../../policies/rules/wiring/filesystem";
import { podReferencesExist } from "../../policies/rules/wiring/pod-inputs";
import { tlsClientCaMounted } from "../../policies/rules/wiring/pod-tls";
import { SECRET_KEYS_ANNOTATION } from "../../policies/rules/wiring/pod-files";
import { SECRET_KEYS_ANNOTATION as COMPONENTS_SECRET_KEYS_ANNOTATION, secretKeysAnnotation } from "../../components/shared/secret-keys";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { Any, ROLLOUT, first, Mutation, mutationTests, realStacks, wiring } from "./wiring-fixtures";

const CRONJOB = "kubernetes:batch/v1:CronJob";
const CHART = "kubernetes:helm.sh/v4:Chart";
const SECRET = "kubernetes:core/v1:Secret";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";

const chartValues = (s: Snapshot, name: string) =>
    (s.resources.find((r) => r.type === CHART && (r.inputs as Any).name === name)!.inputs as Any).values;
/** A chart-rendered Deployment or StatefulSet as the rules see it (its URN), by its metadata.name. */
const rendered = (s: Snapshot, name: string) =>
    ({
        urn: chartRendered(s).find((r) => /Deployment|StatefulSet/.test(r.type) && (r.props.metadata as Any).name === name)!.urn,
    }) as SnapshotResource;
const container = (r: SnapshotResource, path: string[] = ["spec", "template"]) =>
    path.reduce((o: Any, k) => o[k], r.inputs as Any).spec.containers[0] as Any;
const dumpJob = (s: Snapshot) => first(s, CRONJOB, "pg-dump");
const dumpContainer = (s: Snapshot) => container(dumpJob(s), ["spec", "jobTemplate", "spec", "template"]);
const env = (c: Any, name: string) => (c.env as Any[]).find((e) => e.name === name)!;

const MUTATIONS: Mutation[] = [
    [
        "a secretKeyRef key renamed",
        podReferencesExist.name,
        (s) => {
            const api = first(s, ROLLOUT, "api");
            env(container(api), "DATABASE_URL").valueFrom.secretKeyRef.key = "DATABASE_URI";
            return api;
        },
        /Rollout hangar\/api: container "api" env DATABASE_URL reads key "DATABASE_URI" of Secret hangar\/data-tier-credentials, which has no such key/,
    ],
    [
        "a configMap volume naming a missing ConfigMap",
        podReferencesExist.name,
        (s) => {
            const job = dumpJob(s);
            (job.inputs.spec as Any).jobTemplate.spec.template.spec.volumes.find((v: Any) => v.name === "script").configMap.name =
                "pg-dump-script-v2";
            return job;
        },
        /CronJob hangar\/pg-dump: volume "script" reads ConfigMap hangar\/pg-dump-script-v2, which the stack does not create in namespace hangar/,
    ],
    [
        "an envFrom Secret that is not created",
        podReferencesExist.name,
        (s) => {
            const workers = first(s, ROLLOUT, "workers");
            container(workers).envFrom = [{ secretRef: { name: "workers-extra" } }];
            return workers;
        },
        /Rollout hangar\/workers: container "workers" envFrom\[0\] reads Secret hangar\/workers-extra, which the stack does not create/,
    ],
    [
        "the Alertmanager's mounted Secret renamed in the chart's values",
        podReferencesExist.name,
        (s) => {
            chartValues(s, "kube-prometheus-stack").alertmanager.alertmanagerSpec.secrets = ["alertmanager-pager"];
            return rendered(s, "alertmanager-kube-prometheus-stack-alertmanager");
        },
        /volume "secret-alertmanager-pager" reads Secret monitoring\/alertmanager-pager, which the stack does not create/,
    ],
    [
        "the redis exporter's TLS CA read from a key its Secret lacks (chart values)",
        podReferencesExist.name,
        (s) => {
            chartValues(s, "prometheus-redis-exporter").redisTlsConfig = {
                enabled: true,
                caCertFile: { secret: { name: "redis-exporter-auth", key: "ca.crt" } },
            };
            return rendered(s, "prometheus-redis-exporter");
        },
        // The exporter's token Secret is External Secrets Operator's: its keys are its template's.
        /volume "tls" projected source 0 reads key "ca.crt" of Secret monitoring\/redis-exporter-auth, which has no such key \(it has "auth-token"\)/,
    ],
    [
        "a Secret's hangar.dev/secret-keys annotation no longer naming its keys",
        podReferencesExist.name,
        (s) => {
            const secret = first(s, SECRET, "postgres-exporter-login-credentials");
            (secret.inputs.metadata as Any).annotations["hangar.dev/secret-keys"] = "PASSWORD";
            return secret;
        },
        /Secret monitoring\/postgres-exporter-login-credentials: its hangar.dev\/secret-keys annotation declares PASSWORD but its keys are exporter-password/,
    ],
    [
        "the dump job's CA volume mount removed",
        tlsClientCaMounted.name,
        (s) => {
            const c = dumpContainer(s);
            c.volumeMounts = c.volumeMounts.filter((m: Any) => m.name !== "aws-ca-bundles");
            return dumpJob(s);
        },
        /CronJob hangar\/pg-dump container "pg-dump": env PGSSLROOTCERT names the CA file \/opt\/hangar-ca\/rds-ca-bundle.pem, but \S+ is on no volume mount/,
    ],
    [
        "the dump job's sslrootcert pointing at a file its CA ConfigMap does not hold",
        tlsClientCaMounted.name,
        (s) => {
            env(dumpContainer(s), "PGSSLROOTCERT").value = "/opt/hangar-ca/root.crt";
            return dumpJob(s);
        },
        /\/opt\/hangar-ca\/root.crt is not among the files volume "aws-ca-bundles" holds at \/opt\/hangar-ca \(rds-ca-bundle.pem\)/,
    ],
    [
        "the dump job without PGSSLROOTCERT (libpq's default under HOME, an empty emptyDir)",
        tlsClientCaMounted.name,
        (s) => {
            const c = dumpContainer(s);
            c.env = c.env.filter((e: Any) => e.name !== "PGSSLROOTCERT");
            return dumpJob(s);
        },
        /env PGSSLMODE is verify-full, no sslrootcert, PGSSLROOTCERT unset: libpq reads ~\/.postgresql\/root.crt, but \/home\/pg-dump\/.postgresql\/root.crt is on emptyDir volume "home"/,
    ],
    [
        "the app's DATABASE_URL without sslrootcert (read from its Secret)",
        tlsClientCaMounted.name,
        (s) => {
            const urls = (first(s, EXTERNAL_SECRET, "data-tier-credentials").inputs.spec as Any).target.template.data;
            urls.DATABASE_URL = urls.DATABASE_URL.replace(/&sslrootcert=[^&]*/, "");
            return first(s, ROLLOUT, "api");
        },
        /Rollout hangar\/api container "api": env DATABASE_URL \(key DATABASE_URL of Secret data-tier-credentials\) has sslmode=verify-full, but names no root certificate/,
    ],
    [
        "the postgres exporter's CA mount removed from the chart's values",
        tlsClientCaMounted.name,
        (s) => {
            chartValues(s, "prometheus-postgres-exporter").extraVolumeMounts = [];
            return rendered(s, "prometheus-postgres-exporter");
        },
        /Deployment monitoring\/prometheus-postgres-exporter container "prometheus-postgres-exporter": env DATA_SOURCE_URI has sslmode=verify-full with sslrootcert \/opt\/hangar-ca\/rds-ca-bundle.pem, but \S+ is on no volume mount/,
    ],
    [
        "HOME pointed at a path no mount holds, on a read-only root",
        writablePaths.name,
        (s) => {
            env(dumpContainer(s), "HOME").value = "/root";
            return dumpJob(s);
        },
        /CronJob hangar\/pg-dump container "pg-dump": the root filesystem is read-only \(securityContext.readOnlyRootFilesystem\) and env HOME is \/root, but \/root is on no volume mount/,
    ],
    [
        "TMPDIR pointed into the read-only CA mount",
        writablePaths.name,
        (s) => {
            env(dumpContainer(s), "TMPDIR").value = "/opt/hangar-ca/tmp";
            return dumpJob(s);
        },
        /env TMPDIR is \/opt\/hangar-ca\/tmp, but \S+ is on mount \/opt\/hangar-ca, and volume mount "aws-ca-bundles" is readOnly/,
    ],
    [
        "Grafana's log directory mount removed from the chart's values",
        writablePaths.name,
        (s) => {
            const g = chartValues(s, "kube-prometheus-stack").grafana;
            g.extraEmptyDirMounts = g.extraEmptyDirMounts.filter((m: Any) => m.mountPath !== "/var/log/grafana");
            return rendered(s, "kube-prometheus-stack-grafana");
        },
        /container "grafana": the root filesystem is read-only .* env GF_PATHS_LOGS is \/var\/log\/grafana, but \/var\/log\/grafana is on no volume mount/,
    ],
];

describe("wiring rules: what pods read and write", () => {
    const stacks = realStacks();
    const only = (s: Snapshot, stack: string, config = policyConfig(stack)) =>
        runPolicies(wiringResources(s), config, { policies: [podReferencesExist, tlsClientCaMounted, writablePaths], preview: s.preview });

    it("hold on prod and staging", async () => {
        assert.deepStrictEqual(await only(stacks.prod, "prod"), []);
        assert.deepStrictEqual(await only(stacks.staging, "staging"), []);
    });

    mutationTests(stacks, MUTATIONS);

    it("take objects made at run time from exemptObjects, by namespace and name pattern, and skip optional references", async () => {
        const config = policyConfig("prod");
        const withExemptions = (exemptObjects: unknown[]) => ({ ...config, [podReferencesExist.name]: { exemptObjects } });
        const admission = /volume "tls-secret" reads Secret monitoring\/kube-prometheus-stack-admission, which the stack does not create/;
        const bare = await only(stacks.prod, "prod", withExemptions([]));
        assert.ok(
            bare.some((v) => admission.test(v.message)),
            JSON.stringify(bare),
        );
        const elsewhere = await only(
            stacks.prod,
            "prod",
            withExemptions([{ namespace: "hangar", name: "*-admission", reason: "another namespace" }]),
        );
        assert.ok(
            elsewhere.some((v) => admission.test(v.message)),
            JSON.stringify(elsewhere),
        );
        const s = structuredClone(stacks.prod);
        const ref = env(container(first(s, ROLLOUT, "api")), "DATABASE_URL").valueFrom.secretKeyRef;
        Object.assign(ref, { name: "not-there", optional: true });
        assert.deepStrictEqual(await only(s, "prod"), []);
    });

    it("does not report a read-only container without HOME, and reads paths declared in hangar.dev/writable-paths", async () => {
        const s = structuredClone(stacks.prod);
        const job = dumpJob(s);
        const c = dumpContainer(s);
        c.env = c.env.filter((e: Any) => e.name !== "HOME" && e.name !== "PGSSLROOTCERT" && e.name !== "PGSSLMODE");
        c.volumeMounts = c.volumeMounts.filter((m: Any) => m.name !== "home");
        assert.deepStrictEqual(await only(s, "prod"), []);
        (job.inputs.spec as Any).jobTemplate.spec.template.metadata.annotations = { "hangar.dev/writable-paths": "/work, /var/cache/aws" };
        const hits = await only(s, "prod");
        assert.deepStrictEqual(
            hits.map((v) => v.message.replace(/^[^\n]*\n/, "")),
            [
                'CronJob hangar/pg-dump container "pg-dump": the root filesystem is read-only (securityContext.readOnlyRootFilesystem) and the pod\'s ' +
                    "hangar.dev/writable-paths annotation declares /var/cache/aws written, but /var/cache/aws is on no volume mount of the container; " +
                    "mount a writable volume (an emptyDir) there",
            ],
        );
    });

    it("judge a Secret's keys during preview by its hangar.dev/secret-keys annotation (the SDK hides stringData whole)", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        // ESO's target: its template holds an unknown RDS endpoint, so its data is unknown as a Secret's stringData is.
        const secret = first(preview, EXTERNAL_SECRET, "data-tier-credentials");
        (secret.inputs.spec as Any).target.template.data.DATABASE_URL = UNKNOWN_STRING_SENTINEL;
        // The app's DATABASE_URL is then unknown too: the CA rule skips a value it cannot read (judged at up and offline).
        assert.deepStrictEqual(await only(preview, "prod"), []);
        env(container(first(preview, ROLLOUT, "api")), "REDIS_URL").valueFrom.secretKeyRef.key = "CACHE_URL";
        const hits = await only(preview, "prod");
        assert.ok(
            hits.length === 1 &&
                /container "api" env REDIS_URL reads key "CACHE_URL" of Secret hangar\/data-tier-credentials/.test(hits[0].message),
            JSON.stringify(hits),
        );
        assert.strictEqual(hits[0].enforcementLevel, "mandatory");
        delete (secret.inputs.metadata as Any).annotations;
        const undecided = await only(preview, "prod");
        assert.ok(
            undecided.length === 1 &&
                undecided[0].enforcementLevel === "advisory" &&
                /can't run policy 'wiring-pod-references-exist' .*cannot decide: .*Rollout hangar\/api container "api" env DATABASE_URL \(keys of Secret data-tier-credentials\)/.test(
                    undecided[0].message,
                ),
            JSON.stringify(undecided),
        );
    });

    it("cannot decide during preview when an env value of the pod template is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        env(dumpContainer(preview), "PGSSLMODE").value = UNKNOWN_STRING_SENTINEL;
        env(dumpContainer(preview), "HOME").value = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod")).filter((v) =>
            [podReferencesExist.name, tlsClientCaMounted.name, writablePaths.name].includes(v.policy),
        );
        assert.deepStrictEqual(hits.map((v) => v.policy).sort(), [tlsClientCaMounted.name, writablePaths.name].sort());
        for (const v of hits) assert.ok(v.enforcementLevel === "advisory" && /can't run|cannot decide/.test(v.message), v.message);
        const byRule = Object.fromEntries(hits.map((v) => [v.policy, v.message]));
        assert.match(byRule[tlsClientCaMounted.name], /cannot decide: CronJob hangar\/pg-dump container "pg-dump"/);
        assert.match(byRule[writablePaths.name], /cannot decide: CronJob hangar\/pg-dump container "pg-dump" env HOME/);
    });

    it("name the annotation as the components write it", () => {
        assert.strictEqual(SECRET_KEYS_ANNOTATION, COMPONENTS_SECRET_KEYS_ANNOTATION);
        assert.deepStrictEqual(secretKeysAnnotation({ b: 1, a: 2 }), { [SECRET_KEYS_ANNOTATION]: "a,b" });
    });
});

import * as assert from "assert";
import { LAPTOP_KUBECONFIG } from "../../tools/baseline";
import { snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";
import { CHECK_POLICIES, checkPolicies, mandatory } from "../../tools/policy-check";
import { loadPackWithStub } from "./util";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe("the offline check's policies", () => {
    it("are exactly the rules policies/index.ts registers", () => {
        const [pack] = loadPackWithStub();
        assert.deepStrictEqual(
            CHECK_POLICIES.map((p) => p.name),
            pack.args.policies.map((p) => p.name),
        );
    });
});

for (const stack of ["prod", "staging"]) {
    describe(`the real ${stack} stack under the guardrails`, () => {
        it("has no violation at all", async () => {
            const violations = await checkPolicies(await snapshotOf(stack, { kubeconfig: LAPTOP_KUBECONFIG }), stack);
            assert.deepStrictEqual(
                violations.map((v) => `${v.policy} ${v.urn}: ${v.message}`),
                [],
            );
        });

        it("has no violation in preview either, where computed values are unknown: every rule decides", async () => {
            const preview = await snapshotOf(stack, { kubeconfig: LAPTOP_KUBECONFIG, preview: true });
            assert.ok(preview.preview);
            const violations = await checkPolicies(preview, stack);
            assert.deepStrictEqual(
                mandatory(violations).map((v) => `${v.policy} ${v.urn}: ${v.message}`),
                [],
            );
            assert.deepStrictEqual(
                violations.map((v) => `${v.policy} ${v.urn}: ${v.message}`),
                [],
                "not even an advisory 'cannot decide'",
            );
        });
    });
}

/** A resource of the snapshot by type and metadata.name (or Pulumi name). */
function find(s: Snapshot, type: string, name: string): SnapshotResource {
    const r = s.resources.find((x) => x.type === type && ((x.inputs.metadata as Any)?.name === name || x.name === name));
    assert.ok(r, `${type} ${name} in the snapshot`);
    return r;
}

/** The app's services run as Argo Rollouts in both real stacks: every pod rule must reach their templates. */
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const pod = (r: SnapshotResource): Any => (r.inputs.spec as Any).template.spec;
const api = (r: SnapshotResource): Any => pod(r).containers[0];

/** [guarded setting, stack, resource type, resource name, mutation, rule that must report it] */
const MUTATIONS: [string, string, string, string, (r: SnapshotResource, s: Snapshot) => void, string][] = [
    [
        "pod runAsNonRoot false",
        "prod",
        ROLLOUT,
        "api",
        (r) => {
            pod(r).securityContext.runAsNonRoot = false;
            api(r).securityContext.runAsNonRoot = false;
        },
        "kubernetes-pod-run-as-non-root",
    ],
    [
        "container runs as root",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.runAsUser = 0),
        "kubernetes-pod-run-as-user-non-zero",
    ],
    [
        "an init container runs as root",
        "prod",
        ROLLOUT,
        "workers",
        (r) =>
            (pod(r).initContainers = [
                { ...structuredClone(api(r)), name: "migrate", securityContext: { ...api(r).securityContext, runAsUser: 0 } },
            ]),
        "kubernetes-pod-run-as-user-non-zero",
    ],
    [
        "privilege escalation",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.allowPrivilegeEscalation = true),
        "kubernetes-container-privilege-escalation-disallowed",
    ],
    [
        "an added capability",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.capabilities.add = ["SYS_ADMIN"]),
        "kubernetes-container-capabilities-restricted",
    ],
    [
        "seccomp unconfined",
        "prod",
        ROLLOUT,
        "api",
        (r) => {
            pod(r).securityContext.seccompProfile = { type: "Unconfined" };
            api(r).securityContext.seccompProfile = { type: "Unconfined" };
        },
        "kubernetes-pod-seccomp-profile-restricted",
    ],
    [
        "a privileged container",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.privileged = true),
        "kubernetes-container-privileged-disallowed",
    ],
    ["host network", "prod", ROLLOUT, "api", (r) => (pod(r).hostNetwork = true), "kubernetes-pod-host-namespaces-disallowed"],
    ["a host port", "prod", ROLLOUT, "api", (r) => (api(r).ports[0].hostPort = 8080), "kubernetes-container-host-ports-disallowed"],
    [
        "a hostPath volume",
        "prod",
        ROLLOUT,
        "api",
        (r) => pod(r).volumes.push({ name: "host", hostPath: { path: "/var/run" } }),
        "kubernetes-pod-volume-types-restricted",
    ],
    [
        "an unmasked /proc",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.procMount = "Unmasked"),
        "kubernetes-container-proc-mount-default",
    ],
    [
        "an unsafe sysctl",
        "prod",
        ROLLOUT,
        "api",
        (r) => (pod(r).securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }]),
        "kubernetes-pod-sysctls-safe",
    ],
    [
        "an SELinux user",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.seLinuxOptions = { user: "system_u" }),
        "kubernetes-pod-selinux-options-restricted",
    ],
    [
        "AppArmor unconfined",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).securityContext.appArmorProfile = { type: "Unconfined" }),
        "kubernetes-pod-apparmor-profile-restricted",
    ],
    [
        "a Windows host process",
        "prod",
        ROLLOUT,
        "api",
        (r) => (pod(r).securityContext.windowsOptions = { hostProcess: true }),
        "kubernetes-pod-host-process-disallowed",
    ],
    ["an image on :latest", "prod", ROLLOUT, "api", (r) => (api(r).image = "ghcr.io/acme/api:latest"), "kubernetes-container-image-pinned"],
    [
        "requests above limits",
        "prod",
        ROLLOUT,
        "api",
        (r) => (api(r).resources.requests.memory = "4Gi"),
        "kubernetes-container-requests-within-limits",
    ],
    ["no requests", "prod", ROLLOUT, "api", (r) => delete api(r).resources.requests, "kubernetes-container-resource-requests"],
    ["no memory limit", "prod", ROLLOUT, "api", (r) => delete api(r).resources.limits, "kubernetes-container-resource-limits"],
    [
        "a CronJob pod running as root",
        "prod",
        "kubernetes:batch/v1:CronJob",
        "pg-dump",
        (r) => ((r.inputs.spec as Any).jobTemplate.spec.template.spec.securityContext.runAsUser = 0),
        "kubernetes-pod-run-as-user-non-zero",
    ],
    [
        "a namespace that does not enforce restricted",
        "prod",
        "kubernetes:core/v1:Namespace",
        "hangar",
        (r) => ((r.inputs.metadata as Any).labels["pod-security.kubernetes.io/enforce"] = "baseline"),
        "kubernetes-namespace-pod-security-restricted",
    ],
    [
        "a namespace without its ResourceQuota",
        "prod",
        "kubernetes:core/v1:Namespace",
        "hangar",
        (_r, s) =>
            s.resources.splice(
                s.resources.findIndex(
                    (x) => x.type === "kubernetes:core/v1:ResourceQuota" && (x.inputs.metadata as Any).namespace === "hangar",
                ),
                1,
            ),
        "kubernetes-namespace-quota-and-limit-range",
    ],
    [
        "an HTTPRoute on the plain-HTTP listener",
        "prod",
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
        "api",
        (r) => ((r.inputs.spec as Any).parentRefs[0].sectionName = "http"),
        "kubernetes-httproute-tls-gateway",
    ],
    [
        "a LoadBalancer Service without TLS",
        "prod",
        "kubernetes:core/v1:Service",
        "api",
        (r) => ((r.inputs.spec as Any).type = "LoadBalancer"),
        "kubernetes-service-external-tls",
    ],
    [
        "an Ingress host outside spec.tls",
        "staging",
        "kubernetes:networking.k8s.io/v1:Ingress",
        "api",
        (r) => ((r.inputs.spec as Any).tls = []),
        "kubernetes-ingress-tls-hosts",
    ],
    [
        "a dump CronJob allowed to overlap",
        "prod",
        "kubernetes:batch/v1:CronJob",
        "pg-dump",
        (r) => ((r.inputs.spec as Any).concurrencyPolicy = "Allow"),
        "kubernetes-cronjob-backup-bounded",
    ],
    [
        "an unencrypted database",
        "prod",
        "aws:rds/instance:Instance",
        "hangar-db",
        (r) => (r.inputs.storageEncrypted = false),
        "aws-rds-storage-encrypted",
    ],
    [
        "a public database",
        "prod",
        "aws:rds/instance:Instance",
        "hangar-db",
        (r) => (r.inputs.publiclyAccessible = true),
        "aws-rds-not-public",
    ],
    [
        "TLS not forced on the database",
        "prod",
        "aws:rds/parameterGroup:ParameterGroup",
        "hangar-db-params",
        (r) => ((r.inputs.parameters as Any[]).find((p) => p.name === "rds.force_ssl").value = "0"),
        "aws-rds-force-ssl",
    ],
    [
        "RDS Proxy accepting plaintext clients",
        "prod",
        "aws:rds/proxy:Proxy",
        "hangar-db-proxy",
        (r) => (r.inputs.requireTls = false),
        "aws-rds-proxy-tls-required",
    ],
    [
        "a week of database backups in prod",
        "prod",
        "aws:rds/instance:Instance",
        "hangar-db",
        (r) => (r.inputs.backupRetentionPeriod = 7),
        "aws-rds-backup-retention",
    ],
    [
        "no deletion protection in prod",
        "prod",
        "aws:rds/instance:Instance",
        "hangar-db",
        (r) => (r.inputs.deletionProtection = false),
        "aws-rds-deletion-protection",
    ],
    [
        "the DR replica under a primary-region key",
        "prod",
        "aws:rds/instance:Instance",
        "hangar-dr-replica",
        (r) => (r.inputs.kmsKeyId = "arn:aws:kms:eu-west-1:210987654321:key/mock-key-hangar-db-kms"),
        "aws-rds-replica-key-in-region",
    ],
    [
        "a cache without TLS",
        "prod",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "hangar-cache",
        (r) => (r.inputs.transitEncryptionEnabled = false),
        "aws-elasticache-transit-encryption",
    ],
    [
        "a cache without AUTH",
        "prod",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "hangar-cache",
        (r) => delete r.inputs.authToken,
        "aws-elasticache-auth-token",
    ],
    [
        "a key without rotation",
        "prod",
        "aws:kms/key:Key",
        "hangar-db-kms",
        (r) => (r.inputs.enableKeyRotation = false),
        "aws-kms-key-rotation",
    ],
    [
        "backup copies no longer leave the region",
        "prod",
        "aws:backup/plan:Plan",
        "hangar-backups-plan",
        (r) => (r.inputs.rules as Any[]).forEach((rule) => delete rule.copyActions),
        "aws-backup-plan-cross-region-copy",
    ],
    [
        "dailies kept a week in prod",
        "prod",
        "aws:backup/plan:Plan",
        "hangar-backups-plan",
        (r) => ((r.inputs.rules as Any[])[0].lifecycle.deleteAfter = 7),
        "aws-backup-plan-retention",
    ],
    [
        "a dump bucket with versioning suspended",
        "prod",
        "aws:s3/bucketVersioning:BucketVersioning",
        "hangar-backups-dumps",
        (r) => ((r.inputs.versioningConfiguration as Any).status = "Suspended"),
        "aws-s3-bucket-versioned",
    ],
    [
        "SSE-KMS objects left out of replication",
        "prod",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "hangar-backups-dumps",
        (r) => delete (r.inputs.rules as Any[])[0].sourceSelectionCriteria,
        "aws-s3-bucket-replication-kms",
    ],
];

describe("a one-setting mutation of a real snapshot triggers the rule that guards it", () => {
    for (const [what, stack, type, name, mutate, rule] of MUTATIONS) {
        it(`${what} → ${rule}`, async () => {
            const snapshot = structuredClone(await snapshotOf(stack, { kubeconfig: LAPTOP_KUBECONFIG }));
            const target = find(snapshot, type, name);
            mutate(target, snapshot);
            const violations = await checkPolicies(snapshot, stack, undefined, [rule]);
            const hits = violations.filter((v) => v.policy === rule);
            assert.ok(hits.length > 0, `expected ${rule}, got ${violations.map((v) => v.policy).join(", ") || "nothing"}`);
            assert.ok(
                hits.some((v) => v.urn === target.urn),
                `${rule} names ${target.urn}`,
            );
            assert.ok(
                hits.every((v) => v.enforcementLevel === "mandatory" || stack !== "prod"),
                "prod makes every rule mandatory",
            );
        });
    }

    it("covers at least 20 guarded settings", () => assert.ok(MUTATIONS.length >= 20));
});

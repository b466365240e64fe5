import * as assert from "assert";
import * as path from "path";
import { APP_SERVICE_DEFAULTS, resolveService } from "../../components/app/spec";
import { hasAutoscaler, needsDisruptionBudget } from "../../components/app/workload";
import { profileDefaults } from "../../config";
import { byType, reveal, ROOT, snapshotOf, Snapshot, SnapshotResource } from "../../tools/harness";

// Manifests as plain data: tests read deep into them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const manifests = (snapshot: Snapshot, kind: string): Any[] => byType(snapshot, kind).map((r) => reveal(r.inputs));
const podTemplates = (snapshot: Snapshot): { name: string; spec: Any }[] =>
    [...manifests(snapshot, "kubernetes:apps/v1:Deployment"), ...manifests(snapshot, "kubernetes:argoproj.io/v1alpha1:Rollout")].map(
        (d) => ({ name: d.metadata.name, spec: d.spec.template.spec }),
    );

const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
/** The services' workloads: Deployments (rolling) and Argo Rollouts (canary, blueGreen). */
const workloads = (snapshot: Snapshot): Any[] => [...manifests(snapshot, DEPLOYMENT), ...manifests(snapshot, ROLLOUT)];
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

for (const stack of ["prod", "staging"]) {
    describe(`AppTier in ${stack}`, () => {
        let snapshot: Snapshot;
        before(async () => {
            snapshot = await snapshotOf(stack, { kubeconfig: laptop });
            assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
        });

        it("creates a namespace that enforces the restricted Pod Security Standard, with a quota and a limit range", () => {
            const ns = manifests(snapshot, "kubernetes:core/v1:Namespace").find((n) => n.metadata.name === "hangar");
            assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.ok(manifests(snapshot, "kubernetes:core/v1:ResourceQuota").some((q) => q.metadata.namespace === ns.metadata.name));
            assert.ok(manifests(snapshot, "kubernetes:core/v1:LimitRange").some((l) => l.metadata.namespace === ns.metadata.name));
        });

        it("runs every container non-root, without privilege escalation, capabilities or a writable root filesystem", () => {
            for (const { name, spec } of podTemplates(snapshot)) {
                assert.strictEqual(spec.securityContext.runAsNonRoot, true, name);
                assert.strictEqual(spec.securityContext.seccompProfile.type, "RuntimeDefault", name);
                assert.ok(spec.securityContext.runAsUser > 0, name);
                for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
                    assert.deepStrictEqual(
                        {
                            ape: c.securityContext.allowPrivilegeEscalation,
                            drop: c.securityContext.capabilities.drop,
                            add: c.securityContext.capabilities.add,
                            ro: c.securityContext.readOnlyRootFilesystem,
                            privileged: c.securityContext.privileged,
                        },
                        { ape: false, drop: ["ALL"], add: undefined, ro: true, privileged: false },
                        `${name}/${c.name}`,
                    );
                }
                assert.strictEqual(spec.hostNetwork ?? false, false);
                assert.ok(
                    (spec.volumes ?? []).every((v: Any) => v.hostPath === undefined),
                    `${name} mounts no hostPath`,
                );
            }
        });

        it("gives every container cpu and memory requests, a memory limit, and three probes", () => {
            for (const { name, spec } of podTemplates(snapshot)) {
                for (const c of spec.containers) {
                    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, `${name}/${c.name}`);
                    assert.ok(c.startupProbe && c.livenessProbe && c.readinessProbe, `${name}/${c.name} probes`);
                }
            }
        });

        it("leaves spec.replicas to the HPA wherever one manages the Deployment", () => {
            const deployments = new Map(workloads(snapshot).map((d) => [d.metadata.name, d]));
            const hpas = manifests(snapshot, HPA);
            assert.ok(hpas.length > 0);
            for (const hpa of hpas) {
                const target = deployments.get(hpa.spec.scaleTargetRef.name);
                assert.ok(target, `HPA ${hpa.metadata.name} targets a Deployment of the stack`);
                assert.strictEqual(target.spec.replicas, undefined, `${target.metadata.name} sets replicas under an HPA`);
            }
        });

        it("hands spec.replicas over to the HPA (ignoreChanges) on exactly the autoscaled Deployments", () => {
            const scaled = new Set(manifests(snapshot, HPA).map((h) => h.spec.scaleTargetRef.name));
            for (const d of [...byType(snapshot, DEPLOYMENT), ...byType(snapshot, ROLLOUT)]) {
                const name = (reveal(d.inputs) as Any).metadata.name;
                assert.deepStrictEqual(d.options.ignoreChanges, scaled.has(name) ? ["spec.replicas"] : [], name);
            }
        });

        it("creates a PodDisruptionBudget exactly for the services with at least two replicas", () => {
            const minReplicas = (d: Any) =>
                d.spec.replicas ?? manifests(snapshot, HPA).find((h) => h.spec.scaleTargetRef.name === d.metadata.name).spec.minReplicas;
            const withPdb = new Set(manifests(snapshot, PDB).map((p) => p.metadata.name));
            for (const d of workloads(snapshot)) {
                assert.strictEqual(withPdb.has(d.metadata.name), minReplicas(d) >= 2, d.metadata.name);
            }
        });

        it("denies all traffic by default and opens only named ports", () => {
            const policies = manifests(snapshot, NETPOL);
            const deny = policies.find(
                (p) => JSON.stringify(p.spec.podSelector) === "{}" && p.spec.ingress === undefined && p.spec.egress === undefined,
            );
            assert.ok(deny, "a default-deny policy");
            assert.deepStrictEqual([...deny.spec.policyTypes].sort(), ["Egress", "Ingress"]);
            for (const p of policies) {
                for (const rule of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]) {
                    assert.ok(rule.ports?.length > 0, `${p.metadata.name}: every allow rule names its ports`);
                }
            }
        });

        it("serves every public host over TLS", () => {
            for (const ingress of manifests(snapshot, "kubernetes:networking.k8s.io/v1:Ingress")) {
                const tlsHosts = new Set(ingress.spec.tls.flatMap((t: Any) => t.hosts));
                for (const rule of ingress.spec.rules) assert.ok(tlsHosts.has(rule.host), `${rule.host} is under spec.tls`);
                assert.ok(ingress.spec.ingressClassName);
                assert.ok(ingress.metadata.annotations["cert-manager.io/cluster-issuer"]);
            }
            for (const route of manifests(snapshot, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")) {
                for (const ref of route.spec.parentRefs)
                    assert.strictEqual(ref.sectionName, "https", "routes attach to the HTTPS listener");
            }
            assert.ok(
                manifests(snapshot, "kubernetes:networking.k8s.io/v1:Ingress").length +
                    manifests(snapshot, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").length >
                    0,
                "the public api is exposed",
            );
        });

        it("annotates the ServiceAccount with an IRSA role trusted only for it", () => {
            // The tier's own ServiceAccount (the SecretStores' accounts have their own roles: external-secrets.spec.ts).
            const sa = byType(snapshot, "kubernetes:core/v1:ServiceAccount").find((r) => (r.inputs.metadata as Any).name === "app")!;
            const role = byType(snapshot, "aws:iam/role:Role").find((r) => r.name.endsWith("-irsa")) as SnapshotResource;
            const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
            const condition = trust.Statement[0].Condition.StringEquals;
            const sub = Object.entries(condition).find(([k]) => k.endsWith(":sub"))?.[1];
            assert.strictEqual(sub, `system:serviceaccount:hangar:${(sa.inputs.metadata as Any).name}`);
            assert.strictEqual(sa.inputs.automountServiceAccountToken, false);
            assert.ok((sa.inputs.metadata as Any).annotations["eks.amazonaws.com/role-arn"]);
        });
    });
}

describe("AppTier rollouts", () => {
    it("never reduces capacity during a prod rollout, and spreads across zones strictly", async () => {
        const snapshot = await snapshotOf("prod", { kubeconfig: laptop });
        for (const d of workloads(snapshot)) {
            assert.strictEqual((d.spec.strategy.rollingUpdate ?? d.spec.strategy.canary).maxUnavailable, 0);
            const zone = d.spec.template.spec.topologySpreadConstraints.find((t: Any) => t.topologyKey === "topology.kubernetes.io/zone");
            assert.strictEqual(zone.whenUnsatisfiable, "DoNotSchedule");
        }
    });
});

describe("AppTier with three services (one built from a context, VPC traffic source)", () => {
    let snapshot: Snapshot;
    before(async () => {
        snapshot = await snapshotOf("pr-42", {
            kubeconfig: laptop,
            stackFile: path.join(ROOT, "test/fixtures/stack-files/three-services.yaml"),
        });
        assert.strictEqual(snapshot.error, undefined, snapshot.error?.message);
    });

    it("produces three workloads (two Deployments, the blue-green Rollout), Services and ingress/egress NetworkPolicy pairs", () => {
        assert.strictEqual(byType(snapshot, DEPLOYMENT).length, 2);
        assert.strictEqual(byType(snapshot, ROLLOUT).length, 1);
        // Three services' Services, and the blue-green one's preview.
        assert.strictEqual(
            byType(snapshot, "kubernetes:core/v1:Service").filter((r) => (r.inputs.metadata as Any).namespace === "hangar").length,
            4,
        );
        assert.strictEqual(byType(snapshot, "hangar:index:AppService").length, 3);
        // The monitoring and Rollouts controller namespaces have their own (monitoring-network.spec.ts, rollouts/network.ts).
        assert.strictEqual(manifests(snapshot, NETPOL).filter((p) => p.metadata.namespace === "hangar").length, 3 * 2 + 2);
    });

    it("gives the HPA only to services whose max exceeds min, the PDB only to min ≥ 2", () => {
        assert.deepStrictEqual(
            manifests(snapshot, HPA).map((h) => h.metadata.name),
            ["api"],
        );
        assert.deepStrictEqual(
            manifests(snapshot, PDB)
                .map((p) => p.metadata.name)
                .sort(),
            ["api", "workers"],
        );
        const workers = manifests(snapshot, ROLLOUT).find((d) => d.metadata.name === "workers");
        assert.strictEqual(workers.spec.replicas, 2);
    });

    it("renders the blue-green service's active and preview Services, and budgets twice the quota", () => {
        const workers = manifests(snapshot, ROLLOUT).find((d) => d.metadata.name === "workers");
        const blue = workers.spec.strategy.blueGreen;
        assert.deepStrictEqual([blue.activeService, blue.previewService], ["workers", "workers-preview"]);
        const services = new Map(manifests(snapshot, "kubernetes:core/v1:Service").map((svc) => [svc.metadata.name, svc]));
        for (const name of ["workers", "workers-preview"])
            assert.deepStrictEqual(
                services.get(name)?.spec.selector,
                workers.spec.selector.matchLabels,
                `${name} selects the Rollout's pods`,
            );
        // Ephemeral profile quota (2 CPU, 4Gi, 6Gi, 20 pods), doubled for the switch.
        const quota = manifests(snapshot, "kubernetes:core/v1:ResourceQuota").find((q) => q.metadata.namespace === "hangar");
        assert.deepStrictEqual(quota.spec.hard, { "requests.cpu": "4", "requests.memory": "8Gi", "limits.memory": "12Gi", pods: "40" });
    });

    it("admits public traffic from the VPC CIDR instead of a namespace", () => {
        const ingress = manifests(snapshot, NETPOL).find((p) => p.metadata.name === "api-ingress");
        assert.deepStrictEqual(ingress.spec.ingress[0].from, [{ podSelector: {} }, { ipBlock: { cidr: "10.20.0.0/16" } }]);
    });

    it("builds into an immutable, scanned, KMS-encrypted ECR repository and deploys the pushed digest", () => {
        const [repo] = byType(snapshot, "aws:ecr/repository:Repository");
        assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.strictEqual((repo.inputs.encryptionConfigurations as Any)[0].encryptionType, "KMS");
        assert.strictEqual(repo.inputs.forceDelete, true, "ephemeral repositories can be deleted with their images");
        assert.strictEqual(byType(snapshot, "aws:kms/key:Key")[0].inputs.enableKeyRotation, true);
        const [image] = byType(snapshot, "docker:index/image:Image");
        assert.match(String(image.inputs.imageName), /:ctx-[0-9a-f]{16}$/);
        assert.ok(image.provider?.endsWith("pulumi:providers:docker::hangar-docker"), "built with the Platform's docker provider");
        assert.ok("@secret" in (image.inputs.registry as Any).password, "the registry password stays secret");
        const deployment = manifests(snapshot, DEPLOYMENT).find((d) => d.metadata.name === "metar-feed");
        assert.match(deployment.spec.template.spec.containers[0].image, /@sha256:[0-9a-f]{64}$/);
    });
});

describe("resolveService", () => {
    const base = { name: "api", image: "ghcr.io/acme/api:1.0.0", port: 8080 };
    it("fills the documented defaults", () => {
        const s = resolveService(base);
        assert.deepStrictEqual(s.replicas, APP_SERVICE_DEFAULTS.replicas);
        assert.ok(hasAutoscaler(s) && needsDisruptionBudget(s));
    });
    it("refuses an unpinned image, a missing image, a public service without host and inverted replicas", () => {
        assert.throws(() => resolveService({ ...base, image: "ghcr.io/acme/api:latest" }), /not pinned/);
        assert.throws(() => resolveService({ ...base, image: "ghcr.io/acme/api" }), /not pinned/);
        assert.throws(() => resolveService({ name: "api", port: 1 }), /exactly one of image or build/);
        assert.throws(() => resolveService({ ...base, public: true }), /needs a host/);
        assert.throws(() => resolveService({ ...base, replicas: { min: 4, max: 2 } }), /min ≤ max/);
    });
    it("accepts a registry with a port and a digest", () => {
        assert.doesNotThrow(() => resolveService({ ...base, image: `registry.local:5000/api@sha256:${"a".repeat(64)}` }));
    });
});

describe("component defaults and profile defaults", () => {
    it("AppServiceSpec's documented defaults are the prod profile's service defaults", () => {
        const prod = profileDefaults("prod").app.serviceDefaults as Record<string, unknown>;
        for (const [key, value] of Object.entries(prod)) {
            assert.deepStrictEqual((APP_SERVICE_DEFAULTS as Record<string, unknown>)[key], value, `serviceDefaults.${key}`);
        }
    });
});

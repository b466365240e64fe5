import * as assert from "assert";
import * as fc from "fast-check";
import { effectiveSecurityContext, podTemplateOf, POD_TEMPLATE_TYPES, resourceContainers } from "../../policies/rules/kubernetes/pod-template";
import { compareQuantities, parseQuantity } from "../../policies/rules/kubernetes/quantity";
import { parseImage, unpinnedReason } from "../../policies/rules/kubernetes/images";
import { certificateCovers, listenerCovers } from "../../policies/rules/kubernetes/tls";
import { compliantHttpRoute, compliantIngress, compliantLimitRange, compliantNamespace, compliantPod, compliantResourceQuota, compliantService, WORKLOAD_KINDS } from "./fixtures";
import { mutated, typeOf } from "./util";

type Model = new (data: unknown) => { validate(): void };

/** The kubernetes-models class for an object (built-in kinds only). */
function modelOf(object: Record<string, unknown>): Model {
    const apiVersion = String(object.apiVersion);
    return (require(`kubernetes-models/${apiVersion}`) as Record<string, Model>)[String(object.kind)];
}

describe("pod-template helper", () => {
    it("knows the 7 workload kinds, plus ReplicationController and PodTemplate", () => {
        assert.deepStrictEqual([...POD_TEMPLATE_TYPES].sort(), WORKLOAD_KINDS.map((k) => k.type).sort());
    });

    for (const kind of WORKLOAD_KINDS) {
        describe(kind.type, () => {
            const object = kind.wrap(compliantPod());

            it("wraps a pod template the Kubernetes OpenAPI schema accepts", () => {
                assert.strictEqual(typeOf(object), kind.type);
                new (modelOf(object))(object).validate();
            });

            it("finds the pod spec and every container, in order: containers, initContainers, ephemeralContainers", () => {
                const pod = podTemplateOf(kind.type, object);
                assert.ok(pod);
                assert.strictEqual(pod.spec.securityContext?.runAsUser, 10001);
                assert.deepStrictEqual(
                    pod.containers.map((c) => [c.group, c.name, c.label]),
                    [
                        ["containers", "api", 'container "api"'],
                        ["initContainers", "migrate", 'init container "migrate"'],
                        ["ephemeralContainers", "debug", 'ephemeral container "debug"'],
                    ],
                );
                assert.ok(pod.containers.every((c) => c.path.startsWith(`${pod.specPath}.${c.group}[0]`)));
                assert.deepStrictEqual(
                    resourceContainers(pod).map((c) => c.name),
                    ["api", "migrate"],
                );
            });
        });
    }

    it("names the paths of the pod template per kind", () => {
        const paths = Object.fromEntries(WORKLOAD_KINDS.map((k) => [k.type, podTemplateOf(k.type, k.wrap(compliantPod()))?.specPath]));
        assert.strictEqual(paths["kubernetes:core/v1:Pod"], "spec");
        assert.strictEqual(paths["kubernetes:apps/v1:Deployment"], "spec.template.spec");
        assert.strictEqual(paths["kubernetes:batch/v1:Job"], "spec.template.spec");
        assert.strictEqual(paths["kubernetes:batch/v1:CronJob"], "spec.jobTemplate.spec.template.spec");
    });

    it("returns undefined for kinds without a pod template", () => {
        assert.strictEqual(podTemplateOf("kubernetes:core/v1:Service", compliantService()), undefined);
    });

    it("tolerates a workload without a template yet", () => {
        const pod = podTemplateOf("kubernetes:apps/v1:Deployment", { apiVersion: "apps/v1", kind: "Deployment", spec: {} });
        assert.deepStrictEqual(pod?.containers, []);
    });

    describe("effective security context", () => {
        const pod = {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
            seLinuxOptions: { type: "container_t", level: "s0:c1" },
            appArmorProfile: { type: "RuntimeDefault" },
            windowsOptions: { runAsUserName: "ContainerUser", gmsaCredentialSpecName: "gmsa" },
        };

        it("inherits every pod-level field the container does not set", () => {
            const effective = effectiveSecurityContext(pod, {});
            assert.strictEqual(effective.runAsNonRoot, true);
            assert.strictEqual(effective.runAsUser, 1000);
            assert.deepStrictEqual(effective.seccompProfile, { type: "RuntimeDefault" });
            assert.deepStrictEqual(effective.seLinuxOptions, pod.seLinuxOptions);
            assert.deepStrictEqual(effective.appArmorProfile, { type: "RuntimeDefault" });
            assert.deepStrictEqual(effective.windowsOptions, pod.windowsOptions);
        });

        it("lets the container override each field, whole (seLinuxOptions is not merged)", () => {
            const effective = effectiveSecurityContext(pod, { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: "Unconfined" }, seLinuxOptions: { type: "spc_t" } });
            assert.strictEqual(effective.runAsNonRoot, false);
            assert.strictEqual(effective.runAsUser, 0);
            assert.deepStrictEqual(effective.seccompProfile, { type: "Unconfined" });
            assert.deepStrictEqual(effective.seLinuxOptions, { type: "spc_t" });
        });

        it("merges windowsOptions field by field, as the kubelet does", () => {
            const effective = effectiveSecurityContext(pod, { windowsOptions: { hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM" } });
            assert.deepStrictEqual(effective.windowsOptions, { gmsaCredentialSpecName: "gmsa", runAsUserName: "NT AUTHORITY\\SYSTEM", hostProcess: true });
        });

        it("treats null as unset", () => {
            assert.strictEqual(effectiveSecurityContext(pod, { runAsUser: null as unknown as number }).runAsUser, 1000);
        });

        it("says where each effective value comes from", () => {
            const view = podTemplateOf(
                "kubernetes:core/v1:Pod",
                mutated(WORKLOAD_KINDS[0].wrap(compliantPod()), (p) => {
                    const spec = p.spec as { containers: { securityContext: Record<string, unknown> }[] };
                    spec.containers[0].securityContext.runAsUser = 2000;
                }),
            );
            const api = view?.containers[0];
            assert.strictEqual(api?.sourceOf("runAsUser"), "container");
            assert.strictEqual(api?.sourceOf("runAsNonRoot"), "pod");
            assert.strictEqual(api?.sourceOf("windowsOptions"), undefined);
            assert.strictEqual(api?.effective.runAsUser, 2000);
            assert.strictEqual(view?.containers[1].effective.runAsUser, 10001);
        });
    });
});

describe("the other compliant fixtures", () => {
    for (const object of [compliantNamespace(), compliantResourceQuota(), compliantLimitRange(), compliantIngress(), compliantService()]) {
        it(`${object.kind} is accepted by the Kubernetes OpenAPI schema`, () => new (modelOf(object))(object).validate());
    }
    it("HTTPRoute names the default TLS gateway listener", () => {
        assert.deepStrictEqual((compliantHttpRoute().spec as { parentRefs: unknown[] }).parentRefs, [
            { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "gateway-system", name: "public", sectionName: "https" },
        ]);
    });
});

describe("Kubernetes quantities", () => {
    const equal = (a: string | number, b: string | number) => {
        const [qa, qb] = [parseQuantity(a), parseQuantity(b)];
        assert.ok(qa && qb, `${a} and ${b} parse`);
        return compareQuantities(qa, qb) === 0;
    };

    it("reads milli-units, binary and decimal suffixes, exponents and plain numbers exactly", () => {
        assert.ok(equal("100m", "0.1"));
        assert.ok(equal("300m", 0.3));
        assert.ok(equal("1Ki", 1024));
        assert.ok(equal("1Mi", "1024Ki"));
        assert.ok(equal("1Gi", 1073741824));
        assert.ok(equal("1k", 1000));
        assert.ok(equal("1M", "1000k"));
        assert.ok(equal("1G", "1e9"));
        assert.ok(equal("1.5Gi", "1536Mi"));
        assert.ok(equal("1E3", "1k"));
        assert.ok(equal("2", "2000m"));
        assert.ok(equal(".5", "500m"));
    });

    it("orders quantities", () => {
        assert.ok(compareQuantities(parseQuantity("128Mi")!, parseQuantity("128M")!) > 0);
        assert.ok(compareQuantities(parseQuantity("999m")!, parseQuantity("1")!) < 0);
    });

    it("refuses what is not a quantity", () => {
        for (const bad of ["", "abc", "1KB", "1K", "1 Gi", "1e", "Mi", "--1", "1.2.3", null, {}, Number.NaN]) assert.strictEqual(parseQuantity(bad), undefined, String(bad));
    });

    it("agrees with number comparison for integers under any suffix (property)", () => {
        const suffixes: [string, bigint][] = [["", 1n], ["k", 1000n], ["M", 1000000n], ["Ki", 1024n], ["Mi", 1048576n], ["Gi", 1073741824n]];
        fc.assert(
            fc.property(fc.nat(1_000_000), fc.constantFrom(...suffixes), fc.nat(1_000_000), fc.constantFrom(...suffixes), (a, [sa, ma], b, [sb, mb]) => {
                const expected = Math.sign(Number(BigInt(a) * ma - BigInt(b) * mb));
                return compareQuantities(parseQuantity(`${a}${sa}`)!, parseQuantity(`${b}${sb}`)!) === expected;
            }),
            { numRuns: 300 },
        );
    });

    it("reads n milli-units as n / 1000 (property)", () => {
        fc.assert(
            fc.property(fc.nat(10_000_000), (n) => equal(`${n}m`, n % 1000 === 0 ? String(n / 1000) : (n / 1000).toFixed(3))),
            { numRuns: 300 },
        );
    });
});

describe("image references", () => {
    it("finds tag and digest, and does not mistake a registry port for a tag", () => {
        assert.deepStrictEqual(parseImage("nginx"), { repository: "nginx", tag: undefined, digest: undefined });
        assert.deepStrictEqual(parseImage("registry:5000/app"), { repository: "registry:5000/app", tag: undefined, digest: undefined });
        assert.deepStrictEqual(parseImage("registry:5000/team/app:1.2"), { repository: "registry:5000/team/app", tag: "1.2", digest: undefined });
        assert.deepStrictEqual(parseImage(`app:1@sha256:${"b".repeat(64)}`), { repository: "app", tag: "1", digest: `sha256:${"b".repeat(64)}` });
    });

    it("says why an image is not pinned", () => {
        assert.strictEqual(unpinnedReason("nginx:1.27", ["latest"], false), undefined);
        assert.strictEqual(unpinnedReason(`nginx@sha256:${"c".repeat(64)}`, ["latest"], true), undefined);
        assert.match(unpinnedReason("nginx", ["latest"], false) ?? "", /no tag/);
        assert.match(unpinnedReason("host:5000/nginx", ["latest"], false) ?? "", /no tag/);
        assert.match(unpinnedReason("nginx:latest", ["latest"], false) ?? "", /latest moves/);
        assert.match(unpinnedReason("nginx:1.27", ["latest"], true) ?? "", /no digest/);
        assert.match(unpinnedReason("nginx@sha256:abc", ["latest"], false) ?? "", /digest .* malformed/);
        assert.match(unpinnedReason("nginx:bad/tag:", ["latest"], false) ?? "", /malformed/);
    });

    it("never takes a registry port for a tag (property)", () => {
        const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
        fc.assert(
            fc.property(label, fc.integer({ min: 1, max: 65535 }), label, (host, port, repo) => parseImage(`${host}.io:${port}/${repo}`).tag === undefined),
            { numRuns: 200 },
        );
    });
});

describe("hostname matching", () => {
    it("certificates: a wildcard covers exactly one label", () => {
        assert.ok(certificateCovers("*.example.com", "api.example.com"));
        assert.ok(certificateCovers("API.example.com", "api.EXAMPLE.com"));
        assert.ok(!certificateCovers("*.example.com", "a.b.example.com"));
        assert.ok(!certificateCovers("*.example.com", "example.com"));
        assert.ok(!certificateCovers("api.example.com", "*.example.com"));
    });

    it("Gateway listeners: a wildcard covers any name below the domain", () => {
        assert.ok(listenerCovers("*.example.com", "api.example.com"));
        assert.ok(listenerCovers("*.example.com", "a.b.example.com"));
        assert.ok(listenerCovers("*.example.com", "*.example.com"));
        assert.ok(!listenerCovers("*.example.com", "example.com"));
        assert.ok(!listenerCovers("api.example.com", "web.example.com"));
    });
});

import * as assert from "assert";
import {
    effectiveSecurityContext,
    podTemplateOf,
    POD_TEMPLATE_TYPES,
    resourceContainers,
} from "../../policies/rules/kubernetes/pod-template";
import {
    compliantHttpRoute,
    compliantIngress,
    compliantLimitRange,
    compliantNamespace,
    compliantPod,
    compliantResourceQuota,
    compliantService,
    WORKLOAD_KINDS,
} from "./fixtures";
import { mutated, typeOf } from "./util";

type Model = new (data: unknown) => { validate(): void };

/** The kubernetes-models class for an object: built-in kinds, and Argo Rollouts' (@kubernetes-models/argo-rollouts 0.3, CommonJS). */
function modelOf(object: Record<string, unknown>): Model {
    const apiVersion = String(object.apiVersion);
    const module =
        apiVersion === "argoproj.io/v1alpha1" ? `@kubernetes-models/argo-rollouts/${apiVersion}` : `kubernetes-models/${apiVersion}`;
    return (require(module) as Record<string, Model>)[String(object.kind)];
}

describe("pod-template helper", () => {
    it("knows the 7 workload kinds and Argo Rollouts' Rollout, plus ReplicationController and PodTemplate", () => {
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
            const effective = effectiveSecurityContext(pod, {
                runAsNonRoot: false,
                runAsUser: 0,
                seccompProfile: { type: "Unconfined" },
                seLinuxOptions: { type: "spc_t" },
            });
            assert.strictEqual(effective.runAsNonRoot, false);
            assert.strictEqual(effective.runAsUser, 0);
            assert.deepStrictEqual(effective.seccompProfile, { type: "Unconfined" });
            assert.deepStrictEqual(effective.seLinuxOptions, { type: "spc_t" });
        });

        it("merges windowsOptions field by field, as the kubelet does", () => {
            const effective = effectiveSecurityContext(pod, {
                windowsOptions: { hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM" },
            });
            assert.deepStrictEqual(effective.windowsOptions, {
                gmsaCredentialSpecName: "gmsa",
                runAsUserName: "NT AUTHORITY\\SYSTEM",
                hostProcess: true,
            });
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

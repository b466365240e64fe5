import * as assert from "assert";
import * as fc from "fast-check";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { Container, ContainerGroup } from "../../policies/rules/kubernetes/pod-template";
import { requestsWithinLimits, resourceLimits, resourceRequests } from "../../policies/rules/kubernetes/resources";
import { compliantPod, CONTAINERS, onEveryKind, PodFixture, withContainer, WORKLOAD_KINDS } from "./fixtures";
import { assertHasViolation, assertNoViolations, assertNotApplicable, assertUnknown, createArgs, literal, runPolicy } from "./util";

/** The groups that carry resources; the API refuses resources on ephemeral containers. */
const GROUPS: ContainerGroup[] = ["containers", "initContainers"];

const resources = (c: Container) => c.resources ?? (c.resources = {});

async function expectEverywhere(policy: ResourceValidationPolicy, pod: PodFixture, message: string, config?: Record<string, unknown>) {
    await onEveryKind(pod, (type, object) =>
        assertHasViolation(policy, createArgs(policy, type, object, { config }), new RegExp(`^${literal(message)}`)),
    );
}

async function passEverywhere(policy: ResourceValidationPolicy, pod: PodFixture, config?: Record<string, unknown>) {
    await onEveryKind(pod, (type, object) => assertNoViolations(policy, createArgs(policy, type, object, { config })));
}

function commonBehaviour(policy: ResourceValidationPolicy, unknownField: (c: Container) => void, level: string) {
    it(`is ${level} by default and configurable by exemptNamespaces`, () => {
        assert.strictEqual(policy.enforcementLevel, level);
        assert.ok(policy.configSchema?.properties.exemptNamespaces);
    });
    it("accepts the compliant pod on every pod-template kind", () => passEverywhere(policy, compliantPod()));
    it("does not ask ephemeral containers for resources (the API refuses them there)", () => {
        assert.strictEqual(
            compliantPod().spec.ephemeralContainers?.[0].resources,
            undefined,
            "the compliant ephemeral container has no resources",
        );
        return passEverywhere(policy, compliantPod());
    });
    it("cannot decide when the resources it reads are unknown", () =>
        onEveryKind(withContainer(compliantPod(), unknownField), (type, object) =>
            assertUnknown(policy, createArgs(policy, type, object), /containers\.0\.resources.* can't be known during preview/),
        ));
    it("skips exempt namespaces", () =>
        assertNotApplicable(
            policy,
            createArgs(policy, WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(withContainer(compliantPod(), (c) => delete c.resources)), {
                config: { exemptNamespaces: ["app"] },
            }),
            /exempt/,
        ));
}

describe(resourceRequests.name, () => {
    commonBehaviour(resourceRequests, (c) => (resources(c).requests = "@unknown" as never), "advisory");

    for (const group of GROUPS) {
        const label = CONTAINERS[group].label;
        for (const name of ["cpu", "memory"]) {
            it(`refuses a missing ${name} request (${label})`, () =>
                expectEverywhere(
                    resourceRequests,
                    withContainer(compliantPod(), (c) => delete resources(c).requests![name], group),
                    `${label}: set resources.requests.${name}`,
                ));
        }
        it(`names both requests when resources are missing (${label})`, async () => {
            const object = WORKLOAD_KINDS[1].wrap(withContainer(compliantPod(), (c) => delete c.resources, group));
            const outcome = await runPolicy(resourceRequests, createArgs(resourceRequests, WORKLOAD_KINDS[1].type, object));
            assert.deepStrictEqual(outcome.kind === "violations" && outcome.messages, [
                `${label}: set resources.requests.cpu`,
                `${label}: set resources.requests.memory`,
            ]);
        });
    }
});

describe(resourceLimits.name, () => {
    commonBehaviour(resourceLimits, (c) => (resources(c).limits = "@unknown" as never), "advisory");

    for (const group of GROUPS) {
        const label = CONTAINERS[group].label;
        it(`refuses a missing memory limit (${label})`, () =>
            expectEverywhere(
                resourceLimits,
                withContainer(compliantPod(), (c) => delete resources(c).limits, group),
                `${label}: set resources.limits.memory`,
            ));
        it(`refuses a missing cpu limit when requireCpuLimit is set (${label})`, () =>
            expectEverywhere(resourceLimits, compliantPod(), `${label}: set resources.limits.cpu`, { requireCpuLimit: true }));
    }

    it("does not require a cpu limit by default", () => passEverywhere(resourceLimits, compliantPod()));

    it("accepts a cpu limit when requireCpuLimit is set", () =>
        passEverywhere(
            resourceLimits,
            withContainer(
                withContainer(compliantPod(), (c) => (resources(c).limits!.cpu = "1")),
                (c) => (resources(c).limits!.cpu = "500m"),
                "initContainers",
            ),
            { requireCpuLimit: true },
        ));
});

describe(requestsWithinLimits.name, () => {
    commonBehaviour(requestsWithinLimits, (c) => (resources(c).limits = "@unknown" as never), "mandatory");

    const setBoth = (name: string, request: string | number, limit: string | number, group: ContainerGroup = "containers") =>
        withContainer(
            compliantPod(),
            (c) => {
                resources(c).requests![name] = request;
                resources(c).limits![name] = limit;
            },
            group,
        );

    for (const group of GROUPS) {
        const label = CONTAINERS[group].label;
        it(`refuses a memory request above the limit (${label})`, () =>
            expectEverywhere(
                requestsWithinLimits,
                setBoth("memory", "512Mi", "256Mi", group),
                `${label}: set resources.requests.memory (512Mi) to at most resources.limits.memory (256Mi)`,
            ));
        it(`refuses a cpu request above the limit in other units (${label})`, () =>
            expectEverywhere(
                requestsWithinLimits,
                setBoth("cpu", "2", "1500m", group),
                `${label}: set resources.requests.cpu (2) to at most resources.limits.cpu (1500m)`,
            ));
        it(`refuses a value that is not a quantity (${label})`, () =>
            expectEverywhere(
                requestsWithinLimits,
                withContainer(compliantPod(), (c) => (resources(c).requests!.memory = "lots"), group),
                `${label}: set resources.requests.memory to a valid quantity such as 250m, 0.5, 128Mi or 1G (it is "lots")`,
            ));
    }

    it("refuses 128Mi over a 128M limit (binary vs decimal)", () =>
        expectEverywhere(
            requestsWithinLimits,
            setBoth("memory", "128Mi", "128M"),
            'container "api": set resources.requests.memory (128Mi)',
        ));

    for (const [name, request, limit] of [
        ["memory", "256Mi", "256Mi"],
        ["memory", "1Gi", "1073741824"],
        ["cpu", "0.5", "500m"],
        ["cpu", 1, "1000m"],
        ["ephemeral-storage", "1G", "1Gi"],
    ] as const) {
        it(`accepts a ${name} request of ${JSON.stringify(request)} under a limit of ${JSON.stringify(limit)}`, () =>
            passEverywhere(requestsWithinLimits, setBoth(name, request, limit)));
    }

    it("reports exactly when the request exceeds the limit, whatever the units (property)", async () => {
        const units: [string, bigint, bigint][] = [
            ["m", 1n, 1000n],
            ["", 1n, 1n],
            ["k", 1000n, 1n],
            ["Ki", 1024n, 1n],
            ["Mi", 1048576n, 1n],
        ];
        await fc.assert(
            fc.asyncProperty(
                fc.nat(5000),
                fc.constantFrom(...units),
                fc.nat(5000),
                fc.constantFrom(...units),
                async (r, [ru, rn, rd], l, [lu, ln, ld]) => {
                    const outcome = await runPolicy(
                        requestsWithinLimits,
                        createArgs(
                            requestsWithinLimits,
                            WORKLOAD_KINDS[0].type,
                            WORKLOAD_KINDS[0].wrap(setBoth("memory", `${r}${ru}`, `${l}${lu}`)),
                        ),
                    );
                    const exceeds = BigInt(r) * rn * ld > BigInt(l) * ln * rd;
                    return outcome.kind === "violations" && outcome.messages.length === (exceeds ? 1 : 0);
                },
            ),
            { numRuns: 150 },
        );
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { podPriorityClass } from "../../policies/rules/kubernetes/priority";
import { resolvePackConfig } from "../../tools/policy/runner";
import { compliantPod, onEveryKind, PodFixture } from "./fixtures";
import {
    assertHasViolation,
    assertNoViolations,
    assertNotApplicable,
    assertUnknown,
    createStackArgs,
    mutated,
    StackResourceInput,
} from "./util";

const UNKNOWN = "@unknown" as never;
const CLASS_URN = "urn:priority-api";
const priorityClass = (name: string): StackResourceInput => ({
    type: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
    name: "priority-api",
    urn: CLASS_URN,
    props: { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value: 100000, globalDefault: false },
});
const withClass = (name: string | undefined) => (p: PodFixture) =>
    mutated(p, (q) => {
        if (name === undefined) delete q.spec.priorityClassName;
        else q.spec.priorityClassName = name;
    });
const stack = (type: string, object: Record<string, unknown>, extra: StackResourceInput[] = [priorityClass("hangar-prod-api")]) =>
    createStackArgs(podPriorityClass, [...extra, { type, name: "workload", props: object }]);
const readConfig = (env: string) =>
    JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`), "utf8")) as Record<string, unknown>;

describe("kubernetes-pod-priority-class", () => {
    it("is mandatory in prod, advisory in staging and ephemeral", () => {
        assert.strictEqual(podPriorityClass.enforcementLevel, "advisory");
        assert.strictEqual(resolvePackConfig(readConfig("prod")).get(podPriorityClass.name)?.enforcementLevel, "mandatory");
        for (const env of ["staging", "ephemeral"])
            assert.strictEqual(resolvePackConfig(readConfig(env)).get(podPriorityClass.name)?.enforcementLevel, "advisory", env);
    });

    it("accepts a pod template naming a PriorityClass of the stack, on every kind", () =>
        onEveryKind(withClass("hangar-prod-api")(compliantPod()), (type, object) =>
            assertNoViolations(podPriorityClass, stack(type, object)),
        ));

    for (const system of ["system-cluster-critical", "system-node-critical"])
        it(`accepts the built-in ${system}`, () =>
            onEveryKind(withClass(system)(compliantPod()), (type, object) =>
                assertNoViolations(podPriorityClass, stack(type, object, [])),
            ));

    it("refuses a pod template without priorityClassName, on every kind", () =>
        onEveryKind(withClass(undefined)(compliantPod()), (type, object, paths) =>
            assertHasViolation(
                podPriorityClass,
                stack(type, object),
                new RegExp(
                    `^workload: set ${paths.specPath.replace(/\./g, "\\.")}\\.priorityClassName to hangar-prod-api, system-cluster-critical or system-node-critical$`,
                ),
            ),
        ));

    it("refuses a class the stack does not create (admission would refuse the pods)", () =>
        onEveryKind(withClass("hangar-staging-api")(compliantPod()), (type, object) =>
            assertHasViolation(podPriorityClass, stack(type, object), /no PriorityClass "hangar-staging-api" is created by the stack/),
        ));

    it("accepts, during preview, a priorityClassName computed from a PriorityClass of the stack", () =>
        assertNoViolations(
            podPriorityClass,
            createStackArgs(podPriorityClass, [
                priorityClass("hangar-prod-api"),
                {
                    type: "kubernetes:apps/v1:Deployment",
                    name: "api",
                    props: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "app" }, spec: UNKNOWN },
                    propertyDependencies: { spec: [CLASS_URN] },
                },
            ]),
        ));

    it("cannot decide when priorityClassName is unknown and related to no PriorityClass", () =>
        onEveryKind(withClass(UNKNOWN)(compliantPod()), (type, object) =>
            assertUnknown(podPriorityClass, stack(type, object), /cannot decide: workload: its priorityClassName is unknown/),
        ));

    it("skips exempt namespaces and stacks without pod templates", async () => {
        await onEveryKind(withClass(undefined)(compliantPod()), (type, object) =>
            assertNotApplicable(
                podPriorityClass,
                createStackArgs(podPriorityClass, [{ type, name: "w", props: object }], { exemptNamespaces: ["app"] }),
                /exempt/,
            ),
        );
        await assertNotApplicable(podPriorityClass, createStackArgs(podPriorityClass, [priorityClass("x")]), /only applies/);
    });
});

import * as assert from "assert";
import { namespacePodSecurity as rule, namespaceQuotaAndLimitRange as quotaRule } from "../../policies/rules/kubernetes/namespaces";
import { runPolicies } from "../../tools/policy/runner";
import { compliantLimitRange, compliantNamespace, compliantPod, compliantResourceQuota, WORKLOAD_KINDS } from "./fixtures";
import {
    argsFor,
    assertHasViolation,
    assertNoViolations,
    assertNotApplicable,
    assertUnknown,
    createStackArgs,
    mutated,
    runPolicy,
    StackResourceInput,
} from "./util";

const LABEL = "pod-security.kubernetes.io/enforce";
type Labelled = { metadata: { name?: string; labels: Record<string, string> } };
const withLabel = (value: string | undefined, name?: string) =>
    mutated(compliantNamespace(name), (ns) => {
        const labels = (ns as Labelled).metadata.labels;
        if (value === undefined) delete labels[LABEL];
        else labels[LABEL] = value;
    });

describe(rule.name, () => {
    it("is mandatory and configurable", () => {
        assert.strictEqual(rule.enforcementLevel, "mandatory");
        assert.deepStrictEqual(Object.keys(rule.configSchema?.properties ?? {}).sort(), ["exemptNamespaces", "minimumLevel"]);
    });

    it("accepts a Namespace enforcing restricted", () => assertNoViolations(rule, argsFor(rule, compliantNamespace())));

    it("refuses a Namespace without the enforce label", () =>
        assertHasViolation(
            rule,
            argsFor(rule, withLabel(undefined)),
            /^Namespace "app": set metadata\.labels\["pod-security\.kubernetes\.io\/enforce"\]: restricted \(it is unset\)$/,
        ));

    for (const level of ["baseline", "privileged"]) {
        it(`refuses a Namespace enforcing ${level}`, () =>
            assertHasViolation(rule, argsFor(rule, withLabel(level)), new RegExp(`: restricted \\(it is ${level}\\)$`)));
    }

    it("refuses a Namespace without labels at all", () =>
        assertHasViolation(
            rule,
            argsFor(
                rule,
                mutated(compliantNamespace(), (ns) => delete (ns.metadata as { labels?: unknown }).labels),
            ),
            /set metadata\.labels/,
        ));

    it("names an auto-named Namespace by its resource name", () =>
        assertHasViolation(
            rule,
            argsFor(
                rule,
                mutated(withLabel(undefined), (ns) => delete (ns as Labelled).metadata.name),
                { name: "tenant" },
            ),
            /^Namespace "tenant": set/,
        ));

    it("accepts baseline when minimumLevel is baseline, and restricted still", async () => {
        await assertNoViolations(rule, argsFor(rule, withLabel("baseline"), { config: { minimumLevel: "baseline" } }));
        await assertNoViolations(rule, argsFor(rule, compliantNamespace(), { config: { minimumLevel: "baseline" } }));
        await assertHasViolation(
            rule,
            argsFor(rule, withLabel("privileged"), { config: { minimumLevel: "baseline" } }),
            /: baseline \(it is privileged\)/,
        );
    });

    it("exempts the Namespaces listed in exemptNamespaces (the privileged node exporter's)", async () => {
        const nodeExporter = withLabel("privileged", "monitoring-node-exporter");
        await assertNotApplicable(
            rule,
            argsFor(rule, nodeExporter, { config: { exemptNamespaces: ["monitoring-node-exporter"] } }),
            /exempt/,
        );
        await assertHasViolation(rule, argsFor(rule, nodeExporter), /it is privileged/);
    });

    it("cannot decide when the labels are unknown during preview", () =>
        assertUnknown(
            rule,
            argsFor(
                rule,
                mutated(compliantNamespace(), (ns) => ((ns as Labelled).metadata.labels = "@unknown" as never)),
            ),
            /metadata\.labels can't be known during preview/,
        ));

    it("is not applicable to other kinds", () =>
        assertNotApplicable(rule, argsFor(rule, WORKLOAD_KINDS[1].wrap(compliantPod())), /only applies/));
});

const nsUrn = (name: string) => `urn:pulumi:test::hangar::kubernetes:core/v1:Namespace::${name}`;
const namespace = (name: string, props = compliantNamespace(name)): StackResourceInput => ({
    type: "kubernetes:core/v1:Namespace",
    name,
    urn: nsUrn(name),
    props,
});
const quota = (ns: string, extra: Partial<StackResourceInput> = {}): StackResourceInput => ({
    type: "kubernetes:core/v1:ResourceQuota",
    name: `${ns}-quota`,
    props: compliantResourceQuota(ns),
    ...extra,
});
const limits = (ns: string, extra: Partial<StackResourceInput> = {}): StackResourceInput => ({
    type: "kubernetes:core/v1:LimitRange",
    name: `${ns}-limits`,
    props: compliantLimitRange(ns),
    ...extra,
});
const complete = (ns: string) => [namespace(ns), quota(ns), limits(ns)];
/** The namespace name is unknown during preview (an output), and so are the names of objects placed in it. */
const unknownName = (name: string) =>
    namespace(
        name,
        mutated(compliantNamespace(name), (n) => ((n as Labelled).metadata.name = "@unknown")),
    );
const inUnknown = (make: typeof quota, ns: string, dependsOn?: string) =>
    make(ns, {
        props: mutated(make(ns).props, (o) => ((o.metadata as { namespace: string }).namespace = "@unknown")),
        ...(dependsOn ? { propertyDependencies: { metadata: [nsUrn(dependsOn)] } } : {}),
    });

describe(quotaRule.name, () => {
    it("is a stack rule, advisory by default, configurable", () => {
        assert.strictEqual(quotaRule.enforcementLevel, "advisory");
        assert.deepStrictEqual(Object.keys(quotaRule.configSchema?.properties ?? {}).sort(), [
            "exemptNamespaces",
            "requireLimitRange",
            "requireResourceQuota",
        ]);
    });

    it("accepts Namespaces that each have a ResourceQuota and a LimitRange", () =>
        assertNoViolations(quotaRule, createStackArgs(quotaRule, [...complete("app"), ...complete("jobs")])));

    it("refuses a Namespace without a ResourceQuota, on the Namespace's URN", async () => {
        const outcome = await runPolicy(quotaRule, createStackArgs(quotaRule, [namespace("app"), limits("app")]));
        assert.deepStrictEqual(outcome, {
            kind: "violations",
            messages: ['Namespace "app" has no ResourceQuota: create a kubernetes:core/v1:ResourceQuota with metadata.namespace: "app"'],
            urns: [nsUrn("app")],
        });
    });

    it("refuses a Namespace without a LimitRange", () =>
        assertHasViolation(
            quotaRule,
            createStackArgs(quotaRule, [namespace("app"), quota("app")]),
            /^Namespace "app" has no LimitRange: create a kubernetes:core\/v1:LimitRange/,
        ));

    it("names both when both are missing", () =>
        assertHasViolation(
            quotaRule,
            createStackArgs(quotaRule, [namespace("app")]),
            /^Namespace "app" has no ResourceQuota or LimitRange: create a kubernetes:core\/v1:ResourceQuota and a kubernetes:core\/v1:LimitRange/,
        ));

    it("relates by namespace name: a quota elsewhere does not count", async () => {
        const outcome = await runPolicy(
            quotaRule,
            createStackArgs(quotaRule, [namespace("app"), ...complete("jobs"), quota("other"), limits("app")]),
        );
        assert.ok(outcome.kind === "violations");
        assert.deepStrictEqual(outcome.messages, [
            'Namespace "app" has no ResourceQuota: create a kubernetes:core/v1:ResourceQuota with metadata.namespace: "app"',
        ]);
    });

    it("does not require a LimitRange when requireLimitRange is false", () =>
        assertNoViolations(quotaRule, createStackArgs(quotaRule, [namespace("app"), quota("app")], { requireLimitRange: false })));

    it("skips exempt Namespaces", () =>
        assertNoViolations(
            quotaRule,
            createStackArgs(quotaRule, [namespace("monitoring-node-exporter"), ...complete("app")], {
                exemptNamespaces: ["monitoring-node-exporter"],
            }),
        ));

    it("is not applicable to a stack without Namespaces", () =>
        assertNotApplicable(quotaRule, createStackArgs(quotaRule, [quota("app")]), /no Namespace/));

    describe("during preview", () => {
        it("relates objects to a Namespace whose name is unknown through propertyDependencies", () =>
            assertNoViolations(
                quotaRule,
                createStackArgs(quotaRule, [unknownName("app"), inUnknown(quota, "app", "app"), inUnknown(limits, "app", "app")]),
            ));

        it("says it cannot decide when a Namespace's name is unknown and nothing relates to it", () =>
            assertUnknown(
                quotaRule,
                createStackArgs(quotaRule, [unknownName("app"), quota("app"), limits("app")]),
                /^cannot decide: Namespace app \(name unknown during preview\): no ResourceQuota is related/,
            ));

        it("says it cannot decide when an object's namespace is unknown and has no propertyDependencies", () =>
            assertUnknown(
                quotaRule,
                createStackArgs(quotaRule, [namespace("app"), inUnknown(quota, "app"), limits("app")]),
                /the namespace of ResourceQuota app-quota is unknown during preview/,
            ));

        it("still reports what it can decide, then says what it cannot (advisory, through the runner)", async () => {
            const resources = [
                ...[namespace("app"), unknownName("jobs"), quota("jobs"), limits("jobs")].map((r) => ({
                    ...r,
                    urn: r.urn ?? `urn:pulumi:test::hangar::${r.type}::${r.name}`,
                })),
            ];
            const records = await runPolicies(resources, {}, { policies: [quotaRule], preview: true });
            assert.deepStrictEqual(
                records.map((r) => [r.enforcementLevel, r.urn, r.message.split("\n").pop()]),
                [
                    [
                        "advisory",
                        nsUrn("app"),
                        'Namespace "app" has no ResourceQuota or LimitRange: create a kubernetes:core/v1:ResourceQuota and a kubernetes:core/v1:LimitRange with metadata.namespace: "app"',
                    ],
                    [
                        "advisory",
                        undefined,
                        "can't run policy 'kubernetes-namespace-quota-and-limit-range' from policy pack 'hangar-guardrails@v0.1.0' during preview: cannot decide: Namespace jobs (name unknown during preview): no ResourceQuota is related to it by name or by propertyDependencies; Namespace jobs (name unknown during preview): no LimitRange is related to it by name or by propertyDependencies (give related resources deterministic names, or set metadata.namespace from the Namespace's output)",
                    ],
                ],
            );
        });
    });

    describe("auto-named Namespaces (no metadata.name)", () => {
        const autoNamed = namespace(
            "tenant",
            mutated(compliantNamespace(), (n) => delete (n as Labelled).metadata.name),
        );

        it("relate through propertyDependencies", () =>
            assertNoViolations(
                quotaRule,
                createStackArgs(quotaRule, [
                    autoNamed,
                    quota("tenant-x1", { propertyDependencies: { metadata: [nsUrn("tenant")] } }),
                    limits("tenant-x1", { propertyDependencies: { metadata: [nsUrn("tenant")] } }),
                ]),
            ));

        it("without a related quota are refused", () =>
            assertHasViolation(
                quotaRule,
                createStackArgs(quotaRule, [autoNamed, ...complete("app")]),
                /^Namespace tenant \(auto-named\) has no ResourceQuota or LimitRange: .* set from this Namespace's metadata\.name$/,
            ));
    });
});

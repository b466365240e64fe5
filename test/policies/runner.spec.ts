import * as assert from "assert";
import { Policy, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policies/rules";
import { privileged } from "../../policies/rules/kubernetes/pod-security";
import { imagePinned } from "../../policies/rules/kubernetes/images";
import { resourceRequests } from "../../policies/rules/kubernetes/resources";
import { namespaceQuotaAndLimitRange } from "../../policies/rules/kubernetes/namespaces";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import {
    PACK_NAME,
    PACK_VERSION,
    PolicyInputResource,
    resolvePackConfig,
    runPolicies,
    validatePackConfig,
} from "../../tools/policy/runner";
import {
    compliantHttpRoute,
    compliantIngress,
    compliantLimitRange,
    compliantNamespace,
    compliantPod,
    compliantPodInputs,
    compliantResourceQuota,
    compliantService,
    withContainer,
    WORKLOAD_KINDS,
} from "./fixtures";
import { mutated, typeOf } from "./util";

const urnOf = (type: string, name: string) => `urn:pulumi:test::hangar::${type}::${name}`;

/** A resource in the runner's input format, its type derived from apiVersion/kind. */
function resource(name: string, props: Record<string, unknown>, extra: Partial<PolicyInputResource> = {}): PolicyInputResource {
    const type = typeOf(props);
    return { urn: urnOf(type, name), type, name, props, ...extra };
}

const deployment = (pod = compliantPod(), name = "api") => resource(name, WORKLOAD_KINDS[1].wrap(pod));
/** The ConfigMap and Secret the compliant pod reads, for runs of the whole pack (wiring-pod-references-exist). */
const podInputs = () => compliantPodInputs().map((p) => resource(String((p.metadata as { name: string }).name), p));
const privilegedDeployment = (name = "api") =>
    deployment(
        withContainer(compliantPod(), (c) => (c.securityContext!.privileged = true)),
        name,
    );
const lastLine = (message: string) => message.split("\n").pop();

/** A policy that records what it was given and reports what it is told to. */
function probe(
    options: {
        name?: string;
        level?: Policy["enforcementLevel"];
        configSchema?: Policy["configSchema"];
        run?: (args: ResourceValidationArgs, report: (m: string) => void) => void;
    } = {},
) {
    const seen: ResourceValidationArgs[] = [];
    const policy: ResourceValidationPolicy = {
        name: options.name ?? "probe",
        description: "Probe.",
        ...(options.level ? { enforcementLevel: options.level } : {}),
        configSchema: options.configSchema ?? {
            properties: { threshold: { type: "integer", default: 3 }, names: { type: "array", items: { type: "string" }, default: ["a"] } },
        },
        validateResource: (args, report) => {
            seen.push(args);
            options.run?.(args, report);
        },
    };
    return { policy, seen };
}

describe("the offline runner", () => {
    describe("enforcement levels", () => {
        const violations = async (config: Record<string, unknown>) => {
            const records = await runPolicies(
                [privilegedDeployment(), deployment(withContainer(compliantPod(), (c) => delete c.resources))],
                config,
                { policies: [privileged, resourceRequests] },
            );
            return Object.fromEntries(records.map((r) => [r.policy, r.enforcementLevel]));
        };

        it("uses each policy's own level by default", async () =>
            assert.deepStrictEqual(await violations({}), {
                "kubernetes-container-privileged-disallowed": "mandatory",
                "kubernetes-container-resource-requests": "advisory",
            }));

        it("applies `all` to every policy", async () =>
            assert.deepStrictEqual(await violations({ all: "mandatory" }), {
                "kubernetes-container-privileged-disallowed": "mandatory",
                "kubernetes-container-resource-requests": "mandatory",
            }));

        it("lets a policy's entry (string form) override `all`", async () =>
            assert.deepStrictEqual(await violations({ all: "advisory", "kubernetes-container-resource-requests": "mandatory" }), {
                "kubernetes-container-privileged-disallowed": "advisory",
                "kubernetes-container-resource-requests": "mandatory",
            }));

        it("accepts the object form, with properties beside enforcementLevel", async () =>
            assert.deepStrictEqual(
                await violations({
                    "kubernetes-container-privileged-disallowed": { enforcementLevel: "advisory", exemptNamespaces: ["other"] },
                }),
                {
                    "kubernetes-container-privileged-disallowed": "advisory",
                    "kubernetes-container-resource-requests": "advisory",
                },
            ));

        it("reports remediate as mandatory (the policies do not remediate)", async () =>
            assert.strictEqual(
                (await violations({ "kubernetes-container-resource-requests": "remediate" }))["kubernetes-container-resource-requests"],
                "mandatory",
            ));

        it("skips disabled policies, one or all", async () => {
            assert.deepStrictEqual(await violations({ "kubernetes-container-privileged-disallowed": "disabled" }), {
                "kubernetes-container-resource-requests": "advisory",
            });
            assert.deepStrictEqual(await violations({ all: "disabled" }), {});
            assert.deepStrictEqual(
                await violations({ all: "disabled", "kubernetes-container-resource-requests": { enforcementLevel: "mandatory" } }),
                { "kubernetes-container-resource-requests": "mandatory" },
            );
        });

        it("falls back to the pack's default, advisory, for a policy without a level", async () => {
            const { policy } = probe({ run: (_, report) => report("always") });
            assert.deepStrictEqual(await runPolicies([deployment()], {}, { policies: [policy] }), [
                { policy: "probe", enforcementLevel: "advisory", urn: deployment().urn, message: "Probe.\nalways" },
            ]);
        });

        it("resolvePackConfig gives the same levels", () => {
            const resolved = resolvePackConfig({ all: "mandatory", "kubernetes-container-resource-requests": "disabled" });
            assert.strictEqual(resolved.get("kubernetes-container-image-pinned")?.enforcementLevel, "mandatory");
            assert.strictEqual(resolved.get("kubernetes-container-resource-requests")?.enforcementLevel, "disabled");
            assert.strictEqual(resolvePackConfig({}).get("kubernetes-ingress-class-name")?.enforcementLevel, "advisory");
        });
    });

    describe("config", () => {
        it("passes schema defaults to getConfig, with given properties on top and without enforcementLevel", async () => {
            const { policy, seen } = probe();
            await runPolicies([deployment()], { probe: { enforcementLevel: "mandatory", names: ["b", "c"] } }, { policies: [policy] });
            assert.deepStrictEqual(seen[0].getConfig(), { threshold: 3, names: ["b", "c"] });
        });

        it("hands each policy its own copy", async () => {
            const { policy, seen } = probe({
                run: (args) => args.getConfig<{ names: string[] }>().names.push("mutated") as unknown as void,
            });
            await runPolicies([deployment(), deployment(compliantPod(), "worker")], {}, { policies: [policy] });
            assert.deepStrictEqual(seen[1].getConfig(), { threshold: 3, names: ["a"] });
        });

        it("refuses to run with a config that fails a configSchema", async () => {
            await assert.rejects(
                runPolicies([deployment()], { "kubernetes-container-privileged-disallowed": { exemptNamespaces: "monitoring" } }),
                /exemptNamespaces: expected array, got string/,
            );
        });

        it("ignores config for policies it does not run, as the CLI does", async () => {
            assert.deepStrictEqual(
                await runPolicies(
                    [deployment()],
                    { "kubernetes-container-image-pinned": { requireDigest: true } },
                    { policies: [privileged] },
                ),
                [],
            );
        });

        it("validatePackConfig names every problem", () => {
            assert.deepStrictEqual(validatePackConfig({}), []);
            assert.deepStrictEqual(
                validatePackConfig({
                    all: { enforcementLevel: "mandatory", exemptNamespaces: ["x"] },
                    "kubernetes-container-image-pinned": { requireDigest: "yes" },
                    "kubernetes-pod-sysctls-safe": "strict",
                    "kubernetes-container-resource-limits": { enforcementLevel: 1 },
                    "kubernetes-pod-runs-as-non-root": "mandatory",
                    "kubernetes-httproute-tls-gateway": {
                        gateways: [{ namespace: "gateway-system", name: "public", sectionNames: [], port: 443 }],
                    },
                    "kubernetes-container-host-ports-disallowed": { allowedHostPorts: [0, 9100, 9100] },
                    "kubernetes-ingress-class-name": 7,
                    "kubernetes-pod-seccomp-profile-restricted": { exemptNamespace: ["typo"] },
                }),
                [
                    "all: only enforcementLevel applies to all policies (found exemptNamespaces)",
                    'kubernetes-pod-sysctls-safe: "strict" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
                    "kubernetes-container-resource-limits: 1 is not a valid enforcement level (advisory, mandatory, remediate, disabled)",
                    "kubernetes-pod-runs-as-non-root: no policy of that name in the pack",
                    "kubernetes-ingress-class-name: 7 is not a valid value; must be a string or object",
                    "kubernetes-pod-seccomp-profile-restricted: exemptNamespace is not in the policy's configSchema",
                    "kubernetes-container-host-ports-disallowed: allowedHostPorts: items must be unique",
                    "kubernetes-container-host-ports-disallowed: allowedHostPorts[0]: must be at least 1",
                    "kubernetes-httproute-tls-gateway: gateways[0].sectionNames: must have at least 1 items",
                    "kubernetes-httproute-tls-gateway: gateways[0].port: unknown property",
                    "kubernetes-container-image-pinned: requireDigest: expected boolean, got string",
                ],
            );
        });

        it("validatePackConfig also checks the policies themselves", () => {
            const bad: Policy[] = [
                { ...probe().policy, name: "all" },
                {
                    ...probe().policy,
                    configSchema: {
                        properties: {
                            enforcementLevel: { type: "string" },
                            n: { type: "integer", default: "three" },
                            s: { type: "string", format: "email" },
                        },
                    },
                },
                probe().policy,
            ];
            assert.deepStrictEqual(validatePackConfig({}, bad), [
                'policy name "all" is reserved',
                "probe: enforcementLevel cannot be explicitly specified in properties",
                'probe: configSchema s: unsupported schema keyword "format"',
                "probe: configSchema default n: expected integer, got string",
                "probe: policy name is used twice",
            ]);
        });
    });

    describe("resource policies", () => {
        it("get the type, name, URN, options, provider and props of the resource", async () => {
            const { policy, seen } = probe();
            const provider: PolicyInputResource = {
                urn: urnOf("pulumi:providers:kubernetes", "k8s"),
                type: "pulumi:providers:kubernetes",
                name: "k8s",
                props: { namespace: "app", kubeconfig: { "@secret": "…" } },
            };
            const parent = urnOf("hangar:index:AppTier", "tier");
            await runPolicies(
                [provider, deployment(compliantPod(), "api")].map((r) =>
                    r.type === provider.type
                        ? r
                        : {
                              ...r,
                              parent,
                              provider: `${provider.urn}::0a1b`,
                              opts: { protect: true, aliases: ["urn:old", { urn: "urn:older" }] },
                          },
                ),
                {},
                { policies: [policy] },
            );
            const args = seen[1];
            assert.strictEqual(args.type, "kubernetes:apps/v1:Deployment");
            assert.strictEqual(args.name, "api");
            assert.strictEqual(args.urn, urnOf("kubernetes:apps/v1:Deployment", "api"));
            assert.deepStrictEqual(args.opts, {
                protect: true,
                ignoreChanges: [],
                aliases: ["urn:old", "urn:older"],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                parent,
            });
            assert.strictEqual(args.provider?.urn, provider.urn);
            assert.strictEqual(args.provider?.props.namespace, "app");
            assert.strictEqual(args.provider?.props.kubeconfig, "…");
            assert.strictEqual((args.props.spec as { replicas: number }).replicas, 2);
        });

        it("isType and asType compare the Pulumi type of a resource class", async () => {
            const { policy, seen } = probe();
            await runPolicies([deployment()], {}, { policies: [policy] });
            const Deployment = { __pulumiType: "kubernetes:apps/v1:Deployment" } as unknown as new () => never;
            const Service = {
                isInstance: (o: { __pulumiType: string }) => o.__pulumiType === "kubernetes:core/v1:Service",
            } as unknown as new () => never;
            assert.ok(seen[0].isType(Deployment));
            assert.ok(!seen[0].isType(Service));
            assert.strictEqual(seen[0].asType(Deployment as never), seen[0].props);
            assert.strictEqual(seen[0].asType(Service as never), undefined);
        });

        it("notApplicable() ends that validation quietly; violations already reported stay, as in server.js", async () => {
            const calls: string[] = [];
            const policy: ResourceValidationPolicy = {
                name: "two-steps",
                description: "Two steps.",
                enforcementLevel: "mandatory",
                validateResource: [
                    (args, report) => {
                        calls.push("first");
                        report("before");
                        args.notApplicable("not for this one");
                        calls.push("unreachable");
                    },
                    () => void calls.push("second"),
                ],
            };
            const records = await runPolicies([deployment()], {}, { policies: [policy] });
            assert.deepStrictEqual(calls, ["first", "second"]);
            assert.deepStrictEqual(
                records.map((r) => r.message),
                ["Two steps.\nbefore"],
            );
        });

        it("reports nothing for resources a rule does not apply to", async () => {
            assert.deepStrictEqual(
                await runPolicies(
                    [resource("api", compliantService()), resource("app", compliantNamespace())],
                    {},
                    { policies: [privileged, imagePinned] },
                ),
                [],
            );
        });

        it("fails the run when a policy throws anything else, naming the policy", async () => {
            const { policy } = probe({
                run: () => {
                    throw new TypeError("boom");
                },
            });
            await assert.rejects(
                runPolicies([deployment()], {}, { policies: [policy] }),
                /^Error: Error validating resource with policy 'probe' from policy pack 'hangar-guardrails@v0\.1\.0': boom$/,
            );
        });
    });

    describe("unknown values", () => {
        const unknownImage = () => deployment(withContainer(compliantPod(), (c) => (c.image = "@unknown")));
        const expected =
            "can't run policy 'kubernetes-container-image-pinned' from policy pack 'hangar-guardrails@v0.1.0' during preview: string value at .spec.template.spec.containers.0.image can't be known during preview";

        it("during preview: an advisory 'can't run … during preview', exactly as the policy server words it", async () => {
            assert.deepStrictEqual(await runPolicies([unknownImage(), ...podInputs()], {}, { preview: true }), [
                { policy: "kubernetes-container-image-pinned", enforcementLevel: "advisory", urn: unknownImage().urn, message: expected },
            ]);
        });

        it("stays advisory even when the policy is mandatory in config", async () => {
            const [record] = await runPolicies([unknownImage()], { all: "mandatory" }, { preview: true, policies: [imagePinned] });
            assert.strictEqual(record.enforcementLevel, "advisory");
        });

        it("outside preview: mandatory, since the engine never sends unknowns there (never a silent pass)", async () => {
            const [record] = await runPolicies([unknownImage()], {}, { policies: [imagePinned] });
            assert.strictEqual(record.enforcementLevel, "mandatory");
            assert.match(
                record.message,
                /^can't run policy 'kubernetes-container-image-pinned' .*: string value at \.spec\.template\.spec\.containers\.0\.image can't be known during preview, and this is not a preview/,
            );
        });

        it("only stops the rules that read the unknown value", async () => {
            const records = await runPolicies([unknownImage(), ...podInputs()], { all: "mandatory" }, { preview: true });
            assert.deepStrictEqual(
                records.map((r) => r.policy),
                ["kubernetes-container-image-pinned"],
            );
        });

        it("turns '@unknown' into the engine's unknown sentinel, not a string a rule could read", async () => {
            const { policy, seen } = probe();
            await runPolicies(
                [resource("cm", { apiVersion: "v1", kind: "ConfigMap", data: { a: "@unknown", b: "known" } })],
                {},
                { policies: [policy] },
            );
            const data = seen[0].props.data as Record<string, string>;
            assert.strictEqual(data.b, "known");
            assert.throws(() => data.a, /string value at \.data\.a can't be known during preview/);
            assert.strictEqual(
                UNKNOWN_STRING_SENTINEL,
                (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue,
            );
        });

        it("a stack policy that reads an unknown is reported the same way", async () => {
            const stack: StackValidationPolicy = {
                name: "stack-probe",
                description: "Stack probe.",
                enforcementLevel: "mandatory",
                validateStack: (args) => void args.resources.map((r) => (r.props.metadata as { name: string }).name),
            };
            const records = await runPolicies(
                [
                    resource(
                        "app",
                        mutated(compliantNamespace(), (n) => ((n.metadata as { name: string }).name = "@unknown")),
                    ),
                ],
                {},
                { policies: [stack], preview: true },
            );
            assert.deepStrictEqual(records, [
                {
                    policy: "stack-probe",
                    enforcementLevel: "advisory",
                    urn: undefined,
                    message:
                        "can't run policy 'stack-probe' from policy pack 'hangar-guardrails@v0.1.0' during preview: string value at .metadata.name can't be known during preview",
                },
            ]);
        });
    });

    describe("secrets", () => {
        it("are unwrapped before policies see props, at any depth", async () => {
            const { policy, seen } = probe();
            await runPolicies(
                [
                    resource("creds", {
                        apiVersion: "v1",
                        kind: "Secret",
                        metadata: { name: "creds" },
                        stringData: { "@secret": { password: "hunter2", nested: [{ "@secret": "x" }] } },
                    }),
                ],
                {},
                { policies: [policy] },
            );
            assert.deepStrictEqual(JSON.parse(JSON.stringify(seen[0].props.stringData)), { password: "hunter2", nested: ["x"] });
        });

        it("so a rule decides on a secret value as on any other", async () => {
            const secretImage = deployment(
                withContainer(compliantPod(), (c) => (c.image = { "@secret": "ghcr.io/hangar/api:latest" } as never)),
            );
            const [record] = await runPolicies([secretImage], {}, { policies: [imagePinned] });
            assert.match(lastLine(record.message) ?? "", /its tag latest moves/);
        });

        it("resource references become their URN", async () => {
            const { policy, seen } = probe();
            await runPolicies(
                [resource("cm", { apiVersion: "v1", kind: "ConfigMap", data: { ref: { "@resource": "urn:pulumi:x" } } })],
                {},
                { policies: [policy] },
            );
            assert.strictEqual((seen[0].props.data as { ref: string }).ref, "urn:pulumi:x");
        });
    });

    describe("stack policies", () => {
        it("get every resource with parent, dependencies, propertyDependencies and provider linked", async () => {
            let seen: PolicyResource[] = [];
            const stack: StackValidationPolicy = {
                name: "stack-probe",
                description: "Stack probe.",
                validateStack: (args) => void (seen = args.resources),
            };
            const provider: PolicyInputResource = {
                urn: urnOf("pulumi:providers:kubernetes", "k8s"),
                type: "pulumi:providers:kubernetes",
                name: "k8s",
                props: {},
            };
            const ns = resource("app", compliantNamespace());
            const q = resource("quota", compliantResourceQuota(), {
                parent: ns.urn,
                provider: provider.urn,
                dependencies: [ns.urn, "urn:missing"],
                propertyDependencies: { metadata: [ns.urn] },
            });
            await runPolicies([provider, ns, q], {}, { policies: [stack] });
            const [, nsSeen, qSeen] = seen;
            assert.strictEqual(qSeen.parent, nsSeen);
            assert.deepStrictEqual(qSeen.dependencies, [nsSeen]);
            assert.deepStrictEqual(qSeen.propertyDependencies, { metadata: [nsSeen] });
            assert.strictEqual(qSeen.provider?.urn, provider.urn);
            assert.strictEqual(qSeen.opts.parent, ns.urn);
        });

        it("report violations on the URN they name, after the resource policies", async () => {
            const records = await runPolicies(
                [resource("app", compliantNamespace()), privilegedDeployment()],
                {},
                { policies: [namespaceQuotaAndLimitRange, privileged] },
            );
            assert.deepStrictEqual(
                records.map((r) => [r.policy, r.urn]),
                [
                    ["kubernetes-container-privileged-disallowed", privilegedDeployment().urn],
                    ["kubernetes-namespace-quota-and-limit-range", urnOf("kubernetes:core/v1:Namespace", "app")],
                ],
            );
        });
    });

    describe("the whole pack", () => {
        const compliantStack = (): PolicyInputResource[] => [
            resource("app", compliantNamespace()),
            resource("quota", compliantResourceQuota()),
            resource("limits", compliantLimitRange()),
            ...WORKLOAD_KINDS.map((k) => resource(`w-${k.type}`, k.wrap(compliantPod()))),
            resource("ingress", compliantIngress()),
            // Under the listener hostname prod's pack declares for the cluster's Gateway (wiring-httproute-gateway).
            resource("route", {
                ...compliantHttpRoute(),
                spec: { ...(compliantHttpRoute().spec as object), hostnames: ["api.hangar.example.aero"] },
            }),
            resource("svc", compliantService()),
            ...podInputs(),
        ];

        for (const env of ["prod", "staging", "ephemeral"]) {
            it(`finds nothing wrong with the compliant fixtures under config/${env}.json`, async () => {
                assert.deepStrictEqual(await runPolicies(compliantStack(), require(`../../policies/config/${env}.json`)), []);
            });
        }

        it(`is named ${PACK_NAME} at the version in policies/package.json`, () => {
            assert.strictEqual(PACK_NAME, "hangar-guardrails");
            assert.strictEqual(PACK_VERSION, require("../../policies/package.json").version);
            assert.strictEqual(policies.length >= 20, true);
        });
    });
});

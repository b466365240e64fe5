import * as assert from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import * as rules from "../../policies/rules/kubernetes/pod-security";
import { Container, CONTAINER_GROUPS } from "../../policies/rules/kubernetes/pod-template";
import { compliantPod, CONTAINERS, NAMESPACE, onEveryKind, Paths, PodFixture, withContainer, WORKLOAD_KINDS } from "./fixtures";
import {
    assertHasViolation,
    assertNoViolations,
    assertNotApplicable,
    assertUnknown,
    createArgs,
    literal,
    mutated,
    runPolicy,
} from "./util";

/** "@unknown" typed to fit any field. */
const UNKNOWN = "@unknown" as never;

interface Case {
    title: string;
    pod: (compliant: PodFixture) => PodFixture;
    /** Messages (each a literal prefix, after `<specPath>`/`<metadataPath>` are filled in) that must all be reported. */
    expect: string[];
    config?: Record<string, unknown>;
}

interface RuleSpec {
    policy: ResourceValidationPolicy;
    fails: Case[];
    passes: { title: string; pod: (compliant: PodFixture) => PodFixture; config?: Record<string, unknown> }[];
    /** A field the rule reads, set to "@unknown". */
    unknown: { pod: (compliant: PodFixture) => PodFixture; path: RegExp };
}

/** One case per container group: the first container of each group, mutated the same way. */
function everyContainer(title: string, mutate: (c: Container) => void, fix: string): Case[] {
    return CONTAINER_GROUPS.map((group) => ({
        title: `${title} (${CONTAINERS[group].label})`,
        pod: (p) => withContainer(p, mutate, group),
        expect: [`${CONTAINERS[group].label}: ${fix}`],
    }));
}

const onPod = (mutate: (p: PodFixture) => void) => (p: PodFixture) => mutated(p, mutate);
const podContext = (p: PodFixture) => p.spec.securityContext ?? (p.spec.securityContext = {});
const allLabels = (fix: string) => CONTAINER_GROUPS.map((g) => `${CONTAINERS[g].label}: ${fix}`);
const windows = onPod((p) => (p.spec.os = { name: "windows" }));

function fill(message: string, paths: Paths): RegExp {
    return new RegExp(`^${literal(message.replace("<specPath>", paths.specPath).replace("<metadataPath>", paths.metadataPath))}`);
}

const SPECS: RuleSpec[] = [
    {
        policy: rules.privileged,
        fails: everyContainer(
            "refuses a privileged container",
            (c) => (c.securityContext!.privileged = true),
            "set securityContext.privileged: false",
        ),
        passes: [
            {
                title: "accepts privileged: false set explicitly",
                pod: (p) => withContainer(p, (c) => (c.securityContext!.privileged = false)),
            },
        ],
        unknown: {
            pod: (p) => withContainer(p, (c) => (c.securityContext!.privileged = UNKNOWN)),
            path: /containers\.0\.securityContext\.privileged/,
        },
    },
    {
        policy: rules.hostNamespaces,
        fails: (["hostNetwork", "hostPID", "hostIPC"] as const).map((field) => ({
            title: `refuses ${field}: true`,
            pod: onPod((p) => (p.spec[field] = true)),
            expect: [`pod: set <specPath>.${field}: false`],
        })),
        passes: [
            {
                title: "accepts host namespaces set to false",
                pod: onPod((p) => Object.assign(p.spec, { hostNetwork: false, hostPID: false, hostIPC: false })),
            },
        ],
        unknown: { pod: onPod((p) => (p.spec.hostNetwork = UNKNOWN)), path: /\.hostNetwork/ },
    },
    {
        policy: rules.hostPorts,
        fails: everyContainer(
            "refuses a host port",
            (c) => (c.ports = [{ containerPort: 8080, hostPort: 8080 }]),
            "remove ports[0].hostPort (8080)",
        ),
        passes: [
            {
                title: "accepts hostPort 0 (unset)",
                pod: (p) => withContainer(p, (c) => (c.ports = [{ containerPort: 8080, hostPort: 0 }])),
            },
            {
                title: "accepts a host port listed in allowedHostPorts",
                pod: (p) => withContainer(p, (c) => (c.ports = [{ containerPort: 9100, hostPort: 9100 }])),
                config: { allowedHostPorts: [9100] },
            },
        ],
        unknown: { pod: (p) => withContainer(p, (c) => (c.ports![0].hostPort = UNKNOWN)), path: /ports\.0\.hostPort/ },
    },
    {
        policy: rules.hostProcess,
        fails: [
            {
                title: "refuses a pod-level hostProcess",
                pod: onPod((p) => (podContext(p).windowsOptions = { hostProcess: true })),
                expect: ["pod: set <specPath>.securityContext.windowsOptions.hostProcess: false"],
            },
            ...everyContainer(
                "refuses a container hostProcess",
                (c) => (c.securityContext!.windowsOptions = { hostProcess: true }),
                "set securityContext.windowsOptions.hostProcess: false",
            ),
        ],
        passes: [
            {
                title: "accepts hostProcess: false",
                pod: onPod((p) => (podContext(p).windowsOptions = { hostProcess: false, runAsUserName: "ContainerUser" })),
            },
        ],
        unknown: { pod: onPod((p) => (podContext(p).windowsOptions = UNKNOWN)), path: /securityContext\.windowsOptions/ },
    },
    {
        policy: rules.capabilities,
        fails: [
            ...everyContainer(
                "refuses a container that does not drop capabilities",
                (c) => delete c.securityContext!.capabilities,
                'set securityContext.capabilities.drop: ["ALL"]',
            ),
            ...everyContainer(
                "refuses dropping less than ALL",
                (c) => (c.securityContext!.capabilities = { drop: ["NET_RAW"] }),
                'set securityContext.capabilities.drop: ["ALL"]',
            ),
            ...everyContainer(
                "refuses adding a capability besides NET_BIND_SERVICE",
                (c) => (c.securityContext!.capabilities!.add = ["NET_BIND_SERVICE", "SYS_ADMIN"]),
                "set securityContext.capabilities.add to only NET_BIND_SERVICE (remove SYS_ADMIN)",
            ),
            {
                title: "refuses NET_BIND_SERVICE when allowedAddCapabilities is empty",
                pod: (p) => withContainer(p, (c) => (c.securityContext!.capabilities!.add = ["NET_BIND_SERVICE"])),
                expect: ['container "api": set securityContext.capabilities.add to nothing (remove NET_BIND_SERVICE)'],
                config: { allowedAddCapabilities: [] },
            },
        ],
        passes: [
            {
                title: "accepts adding back NET_BIND_SERVICE",
                pod: (p) => withContainer(p, (c) => (c.securityContext!.capabilities!.add = ["NET_BIND_SERVICE"])),
            },
            {
                title: "does not require dropping ALL on Windows pods (Linux-only check)",
                pod: (p) => windows(withContainer(p, (c) => delete c.securityContext!.capabilities)),
            },
        ],
        unknown: {
            pod: (p) => withContainer(p, (c) => (c.securityContext!.capabilities = UNKNOWN)),
            path: /securityContext\.capabilities/,
        },
    },
    {
        policy: rules.volumeTypes,
        fails: [
            {
                title: "refuses a hostPath volume",
                pod: onPod((p) => p.spec.volumes!.push({ name: "host", hostPath: { path: "/var/run" } })),
                expect: ['pod: replace <specPath>.volumes[4] ("host") hostPath with one of configMap, csi'],
            },
            {
                title: "refuses a volume type outside the restricted list (nfs)",
                pod: onPod((p) => p.spec.volumes!.push({ name: "share", nfs: { server: "nfs", path: "/" } })),
                expect: ['pod: replace <specPath>.volumes[4] ("share") nfs with one of'],
            },
        ],
        passes: [
            {
                title: "accepts every restricted volume type, and a volume with no source (emptyDir)",
                pod: onPod((p) =>
                    p.spec.volumes!.push(
                        { name: "bare" },
                        { name: "csi", csi: { driver: "secrets-store.csi.k8s.io" } },
                        { name: "eph", ephemeral: { volumeClaimTemplate: { spec: {} } } },
                        { name: "info", downwardAPI: { items: [] } },
                        { name: "data", persistentVolumeClaim: { claimName: "data" } },
                    ),
                ),
            },
            {
                title: "accepts hostPath when config allows it",
                pod: onPod((p) => p.spec.volumes!.push({ name: "host", hostPath: { path: "/proc" } })),
                config: { allowedVolumeTypes: ["configMap", "emptyDir", "projected", "secret", "hostPath"] },
            },
        ],
        unknown: { pod: onPod((p) => (p.spec.volumes![0].emptyDir = UNKNOWN)), path: /volumes\.0\.emptyDir/ },
    },
    {
        policy: rules.appArmor,
        fails: [
            {
                title: "refuses an unconfined AppArmor annotation",
                pod: onPod((p) => (p.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/api": "unconfined" })),
                expect: [
                    'pod: set <metadataPath>.annotations["container.apparmor.security.beta.kubernetes.io/api"] to runtime/default or localhost/<profile> (it is unconfined)',
                ],
            },
            {
                title: "refuses a pod-level Unconfined appArmorProfile",
                pod: onPod((p) => (podContext(p).appArmorProfile = { type: "Unconfined" })),
                expect: ["pod: set <specPath>.securityContext.appArmorProfile.type to RuntimeDefault or Localhost (it is Unconfined)"],
            },
            ...everyContainer(
                "refuses a container overriding the pod's profile with Unconfined",
                (c) => (c.securityContext!.appArmorProfile = { type: "Unconfined" }),
                "set securityContext.appArmorProfile.type to RuntimeDefault or Localhost (it is Unconfined)",
            ),
        ],
        passes: [
            {
                title: "accepts runtime/default and localhost/* annotations",
                pod: onPod(
                    (p) =>
                        (p.metadata.annotations = {
                            "container.apparmor.security.beta.kubernetes.io/api": "runtime/default",
                            "container.apparmor.security.beta.kubernetes.io/migrate": "localhost/hangar",
                        }),
                ),
            },
            {
                title: "accepts a Localhost profile",
                pod: (p) =>
                    withContainer(p, (c) => (c.securityContext!.appArmorProfile = { type: "Localhost", localhostProfile: "hangar" })),
            },
        ],
        unknown: { pod: onPod((p) => (p.metadata.annotations = UNKNOWN)), path: /metadata\.annotations/ },
    },
    {
        policy: rules.seLinux,
        fails: [
            {
                title: "refuses a pod-level SELinux type outside the allowed list",
                pod: onPod((p) => (podContext(p).seLinuxOptions = { type: "spc_t" })),
                expect: [
                    "pod: set <specPath>.securityContext.seLinuxOptions.type to container_t, container_init_t, container_kvm_t or container_engine_t (it is spc_t)",
                ],
            },
            {
                title: "refuses a pod-level SELinux user",
                pod: onPod((p) => (podContext(p).seLinuxOptions!.user = "system_u")),
                expect: ["pod: remove <specPath>.securityContext.seLinuxOptions.user (it is system_u)"],
            },
            ...everyContainer(
                "refuses a container SELinux type outside the allowed list",
                (c) => (c.securityContext!.seLinuxOptions = { type: "unconfined_t" }),
                "set securityContext.seLinuxOptions.type to container_t",
            ),
            ...everyContainer(
                "refuses a container SELinux role",
                (c) => (c.securityContext!.seLinuxOptions = { role: "system_r" }),
                "remove securityContext.seLinuxOptions.role (it is system_r)",
            ),
        ],
        passes: [
            {
                title: "accepts container_init_t and a level alone",
                pod: (p) =>
                    withContainer(
                        p,
                        (c) => (c.securityContext!.seLinuxOptions = { type: "container_init_t", level: "s0:c1,c2" }),
                        "initContainers",
                    ),
            },
        ],
        unknown: { pod: onPod((p) => (podContext(p).seLinuxOptions = UNKNOWN)), path: /securityContext\.seLinuxOptions/ },
    },
    {
        policy: rules.procMount,
        fails: everyContainer(
            "refuses an Unmasked /proc",
            (c) => (c.securityContext!.procMount = "Unmasked"),
            "set securityContext.procMount: Default (it is Unmasked)",
        ),
        passes: [{ title: "accepts procMount: Default", pod: (p) => withContainer(p, (c) => (c.securityContext!.procMount = "Default")) }],
        unknown: { pod: (p) => withContainer(p, (c) => (c.securityContext!.procMount = UNKNOWN)), path: /securityContext\.procMount/ },
    },
    {
        policy: rules.sysctls,
        fails: [
            {
                title: "refuses an unsafe sysctl",
                pod: onPod((p) => podContext(p).sysctls!.push({ name: "kernel.msgmax", value: "65536" })),
                expect: ["pod: remove <specPath>.securityContext.sysctls[1] (kernel.msgmax)"],
            },
        ],
        passes: [
            {
                title: "accepts every safe sysctl",
                pod: onPod((p) =>
                    podContext(p).sysctls!.push(
                        ...[
                            "kernel.shm_rmid_forced",
                            "net.ipv4.ip_local_port_range",
                            "net.ipv4.tcp_syncookies",
                            "net.ipv4.ping_group_range",
                            "net.ipv4.ip_local_reserved_ports",
                            "net.ipv4.tcp_keepalive_time",
                            "net.ipv4.tcp_fin_timeout",
                            "net.ipv4.tcp_keepalive_intvl",
                            "net.ipv4.tcp_keepalive_probes",
                        ].map((name) => ({ name, value: "1" })),
                    ),
                ),
            },
        ],
        unknown: { pod: onPod((p) => (podContext(p).sysctls![0].name = UNKNOWN)), path: /sysctls\.0\.name/ },
    },
    {
        policy: rules.seccompProfile,
        fails: [
            {
                title: "refuses containers with no seccomp profile at either level",
                pod: onPod((p) => delete podContext(p).seccompProfile),
                expect: allLabels(
                    "set securityContext.seccompProfile.type: RuntimeDefault (or <specPath>.securityContext.seccompProfile.type: RuntimeDefault for every container)",
                ),
            },
            {
                title: "refuses a pod-level Unconfined profile",
                pod: onPod((p) => (podContext(p).seccompProfile = { type: "Unconfined" })),
                expect: ["pod: set <specPath>.securityContext.seccompProfile.type to RuntimeDefault or Localhost (it is Unconfined)"],
            },
            ...everyContainer(
                "refuses a container overriding the pod's profile with Unconfined",
                (c) => (c.securityContext!.seccompProfile = { type: "Unconfined" }),
                "set securityContext.seccompProfile.type to RuntimeDefault or Localhost (it is Unconfined)",
            ),
        ],
        passes: [
            {
                title: "accepts a pod-level Localhost profile",
                pod: onPod((p) => (podContext(p).seccompProfile = { type: "Localhost", localhostProfile: "profiles/hangar.json" })),
            },
            {
                title: "accepts every container setting its own profile when the pod sets none",
                pod: (p) =>
                    mutated(p, (q) => {
                        delete podContext(q).seccompProfile;
                        for (const g of CONTAINER_GROUPS)
                            for (const c of q.spec[g]!) c.securityContext!.seccompProfile = { type: "RuntimeDefault" };
                    }),
            },
            {
                title: "does not apply to Windows pods (Linux-only check)",
                pod: (p) => windows(mutated(p, (q) => delete podContext(q).seccompProfile)),
            },
        ],
        unknown: { pod: onPod((p) => (podContext(p).seccompProfile = UNKNOWN)), path: /securityContext\.seccompProfile/ },
    },
    {
        policy: rules.privilegeEscalation,
        fails: [
            ...everyContainer(
                "refuses allowPrivilegeEscalation: true",
                (c) => (c.securityContext!.allowPrivilegeEscalation = true),
                "set securityContext.allowPrivilegeEscalation: false",
            ),
            ...everyContainer(
                "refuses leaving allowPrivilegeEscalation unset",
                (c) => delete c.securityContext!.allowPrivilegeEscalation,
                "set securityContext.allowPrivilegeEscalation: false",
            ),
            ...everyContainer(
                "refuses a container without a securityContext",
                (c) => delete c.securityContext,
                "set securityContext.allowPrivilegeEscalation: false",
            ),
        ],
        passes: [
            {
                title: "does not apply to Windows pods (Linux-only check)",
                pod: (p) => windows(withContainer(p, (c) => delete c.securityContext!.allowPrivilegeEscalation)),
            },
        ],
        unknown: { pod: (p) => withContainer(p, (c) => (c.securityContext = UNKNOWN)), path: /containers\.0\.securityContext/ },
    },
    {
        policy: rules.runAsNonRoot,
        fails: [
            {
                title: "refuses containers that neither the pod nor they themselves make non-root",
                pod: onPod((p) => delete podContext(p).runAsNonRoot),
                expect: allLabels(
                    "set securityContext.runAsNonRoot: true (or <specPath>.securityContext.runAsNonRoot: true for every container)",
                ),
            },
            {
                title: "refuses a pod-level runAsNonRoot: false",
                pod: onPod((p) => (podContext(p).runAsNonRoot = false)),
                expect: ["pod: set <specPath>.securityContext.runAsNonRoot: true (it is false)"],
            },
            ...everyContainer(
                "refuses a container overriding the pod with runAsNonRoot: false",
                (c) => (c.securityContext!.runAsNonRoot = false),
                "set securityContext.runAsNonRoot: true (it is false)",
            ),
        ],
        passes: [
            {
                title: "accepts every container setting runAsNonRoot when the pod does not",
                pod: (p) =>
                    mutated(p, (q) => {
                        delete podContext(q).runAsNonRoot;
                        for (const g of CONTAINER_GROUPS) for (const c of q.spec[g]!) c.securityContext!.runAsNonRoot = true;
                    }),
            },
        ],
        unknown: { pod: onPod((p) => (podContext(p).runAsNonRoot = UNKNOWN)), path: /securityContext\.runAsNonRoot/ },
    },
    {
        policy: rules.runAsUserNonZero,
        fails: [
            {
                title: "refuses a pod-level runAsUser: 0",
                pod: onPod((p) => (podContext(p).runAsUser = 0)),
                expect: ["pod: set <specPath>.securityContext.runAsUser to a non-zero UID (it is 0)"],
            },
            {
                title: "refuses a pod-level runAsUser: 0 even when every container overrides it (as Pod Security admission does)",
                pod: (p) =>
                    mutated(p, (q) => {
                        podContext(q).runAsUser = 0;
                        for (const g of CONTAINER_GROUPS) for (const c of q.spec[g]!) c.securityContext!.runAsUser = 1000;
                    }),
                expect: ["pod: set <specPath>.securityContext.runAsUser to a non-zero UID (it is 0)"],
            },
            ...everyContainer(
                "refuses a container runAsUser: 0",
                (c) => (c.securityContext!.runAsUser = 0),
                "set securityContext.runAsUser to a non-zero UID (it is 0)",
            ),
        ],
        passes: [{ title: "accepts runAsUser left unset (the image's non-root USER)", pod: onPod((p) => delete podContext(p).runAsUser) }],
        unknown: { pod: (p) => withContainer(p, (c) => (c.securityContext!.runAsUser = UNKNOWN)), path: /securityContext\.runAsUser/ },
    },
];

describe("pod security (restricted profile, baseline included)", () => {
    it("covers every rule of pod-security.ts", () => {
        assert.deepStrictEqual(SPECS.map((s) => s.policy.name).sort(), rules.podSecurityPolicies.map((p) => p.name).sort());
    });

    for (const { policy, fails, passes, unknown } of SPECS) {
        describe(policy.name, () => {
            it("is mandatory and configurable by exemptNamespaces", () => {
                assert.strictEqual(policy.enforcementLevel, "mandatory");
                assert.ok(policy.configSchema?.properties.exemptNamespaces);
            });

            it("accepts the compliant pod on every pod-template kind", () =>
                onEveryKind(compliantPod(), (type, object) => assertNoViolations(policy, createArgs(policy, type, object))));

            for (const pass of passes) {
                it(pass.title, () =>
                    onEveryKind(pass.pod(compliantPod()), (type, object) =>
                        assertNoViolations(policy, createArgs(policy, type, object, { config: pass.config })),
                    ),
                );
            }

            for (const fail of fails) {
                it(fail.title, () =>
                    onEveryKind(fail.pod(compliantPod()), async (type, object, paths) => {
                        for (const message of fail.expect)
                            await assertHasViolation(
                                policy,
                                createArgs(policy, type, object, { config: fail.config }),
                                fill(message, paths),
                            );
                    }),
                );
            }

            it("skips a namespace listed in exemptNamespaces, and only that one", async () => {
                const failing = fails[0].pod(compliantPod());
                await onEveryKind(failing, async (type, object) => {
                    await assertNotApplicable(
                        policy,
                        createArgs(policy, type, object, { config: { ...fails[0].config, exemptNamespaces: [NAMESPACE] } }),
                        /exempt/,
                    );
                    const outcome = await runPolicy(
                        policy,
                        createArgs(policy, type, object, {
                            config: { ...fails[0].config, exemptNamespaces: ["monitoring-node-exporter"] },
                        }),
                    );
                    assert.ok(outcome.kind === "violations" && outcome.messages.length > 0);
                });
            });

            it("cannot decide, during preview, when a field it reads is unknown", () =>
                onEveryKind(unknown.pod(compliantPod()), (type, object) =>
                    assertUnknown(
                        policy,
                        createArgs(policy, type, object),
                        new RegExp(`${unknown.path.source}.* can't be known during preview`),
                    ),
                ));

            it("still decides when only the image is unknown", () =>
                onEveryKind(
                    withContainer(compliantPod(), (c) => (c.image = UNKNOWN)),
                    (type, object) => assertNoViolations(policy, createArgs(policy, type, object)),
                ));

            it("is not applicable to objects without a pod template", () =>
                assertNotApplicable(
                    policy,
                    createArgs(policy, "kubernetes:core/v1:Service", {
                        apiVersion: "v1",
                        kind: "Service",
                        metadata: { namespace: NAMESPACE },
                    }),
                    /only applies/,
                ));
        });
    }

    describe("exemptions follow the namespace an object lands in", () => {
        const policy = rules.privileged;
        const failing = withContainer(compliantPod(), (c) => (c.securityContext!.privileged = true));

        it("uses the provider's namespace when metadata.namespace is unset", async () => {
            const object = mutated(WORKLOAD_KINDS[1].wrap(failing), (o) => delete (o.metadata as { namespace?: string }).namespace);
            await assertNotApplicable(
                policy,
                createArgs(policy, WORKLOAD_KINDS[1].type, object, {
                    provider: { namespace: "monitoring-node-exporter" },
                    config: { exemptNamespaces: ["monitoring-node-exporter"] },
                }),
            );
            await assertHasViolation(
                policy,
                createArgs(policy, WORKLOAD_KINDS[1].type, object, { config: { exemptNamespaces: ["monitoring-node-exporter"] } }),
                /privileged: false/,
            );
        });

        it("treats an object without a namespace or provider namespace as in default", async () => {
            const object = mutated(WORKLOAD_KINDS[1].wrap(failing), (o) => delete (o.metadata as { namespace?: string }).namespace);
            await assertNotApplicable(
                policy,
                createArgs(policy, WORKLOAD_KINDS[1].type, object, { config: { exemptNamespaces: ["default"] } }),
            );
        });
    });

    describe("pod-level inheritance", () => {
        it("a container without its own runAsNonRoot and seccompProfile inherits the pod's", async () => {
            const pod = compliantPod();
            assert.strictEqual(pod.spec.containers![0].securityContext?.runAsNonRoot, undefined, "the fixture relies on inheritance");
            await assertNoViolations(
                rules.runAsNonRoot,
                createArgs(rules.runAsNonRoot, WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(pod)),
            );
            await assertNoViolations(
                rules.seccompProfile,
                createArgs(rules.seccompProfile, WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(pod)),
            );
        });

        it("one container override does not excuse the others", async () => {
            const pod = mutated(compliantPod(), (p) => {
                delete podContext(p).runAsNonRoot;
                p.spec.containers![0].securityContext!.runAsNonRoot = true;
            });
            const messages = await assertHasViolation(
                rules.runAsNonRoot,
                createArgs(rules.runAsNonRoot, WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(pod)),
                /^init container "migrate"/,
            );
            assert.ok(!messages.some((m) => m.startsWith('container "api"')), messages.join("\n"));
            assert.ok(
                messages.some((m) => m.startsWith('ephemeral container "debug"')),
                messages.join("\n"),
            );
        });

        it("reports a pod-level value once, not once per container that inherits it", async () => {
            const pod = onPod((p) => (podContext(p).runAsUser = 0))(compliantPod());
            const outcome = await runPolicy(
                rules.runAsUserNonZero,
                createArgs(rules.runAsUserNonZero, WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(pod)),
            );
            assert.deepStrictEqual(outcome, {
                kind: "violations",
                messages: ["pod: set spec.template.spec.securityContext.runAsUser to a non-zero UID (it is 0)"],
                urns: [undefined],
            });
        });
    });
});

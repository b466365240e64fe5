import * as assert from "assert";
import { policies } from "../../policies/rules";
import { namespacePodSecurity } from "../../policies/rules/kubernetes/namespaces";
import { podSecurityByVersion } from "../../policies/rules/kubernetes/pod-security-by-version";
import { sysctls } from "../../policies/rules/kubernetes/pod-security-baseline";
import { checksAt, judgedVersion, NEWEST_POLICY_VERSION, VERSIONED_CHECKS } from "../../policies/rules/kubernetes/pod-security-versions";
import { compliantNamespace, compliantPod, NAMESPACE, onEveryKind, PodFixture, withContainer, WORKLOAD_KINDS } from "./fixtures";
import {
    argsFor,
    assertHasViolation,
    assertNoViolations,
    assertNotApplicable,
    assertUnknown,
    createArgs,
    createStackArgs,
    mutated,
    StackResourceInput,
} from "./util";

const UNKNOWN = "@unknown" as never;

/** The namespace of the fixtures, pinned at `version` (undefined: no enforce-version label). */
function namespaceAt(version: string | undefined): StackResourceInput {
    const ns = mutated(compliantNamespace(), (n) => {
        const labels = (n.metadata as { labels: Record<string, string> }).labels;
        if (version === undefined) delete labels["pod-security.kubernetes.io/enforce-version"];
        else labels["pod-security.kubernetes.io/enforce-version"] = version;
    });
    return { type: "kubernetes:core/v1:Namespace", name: NAMESPACE, props: ns };
}

/** The stack: the namespace (unless `version` is "none": not in the stack) and the pod on one kind. */
function stack(type: string, object: Record<string, unknown>, version: string | undefined | "none") {
    const pod = { type, name: "workload", props: object };
    return createStackArgs(podSecurityByVersion, version === "none" ? [pod] : [namespaceAt(version), pod]);
}

const probeHost = (host: string) => (p: PodFixture) =>
    withContainer(p, (c) => (c.livenessProbe = { httpGet: { path: "/healthz", port: 8080, host } }));
const lifecycleHost = (host: string) => (p: PodFixture) =>
    withContainer(p, (c) => (c.lifecycle = { preStop: { tcpSocket: { port: 8080, host } } }), "initContainers");
const withSysctl = (name: string) => (p: PodFixture) => mutated(p, (q) => (q.spec.securityContext!.sysctls = [{ name, value: "1" }]));
const engineType = (p: PodFixture) => mutated(p, (q) => (q.spec.securityContext!.seLinuxOptions = { type: "container_engine_t" }));

interface VersionCase {
    title: string;
    pod: (p: PodFixture) => PodFixture;
    passesAt: (string | undefined)[];
    failsAt: (string | undefined | "none")[];
    message: RegExp;
}

const CASES: VersionCase[] = [
    {
        title: "a liveness probe with a host",
        pod: probeHost("169.254.169.254"),
        passesAt: ["v1.33", "v1.25"],
        failsAt: ["v1.34", "v1.37", "latest", undefined, "v1.40", "none"],
        message: /^container "api": remove livenessProbe\.httpGet\.host \(169\.254\.169\.254\)/,
    },
    {
        title: "a preStop handler with a host",
        pod: lifecycleHost("10.0.0.1"),
        passesAt: ["v1.33"],
        failsAt: ["v1.34", "latest"],
        message: /^init container "migrate": remove lifecycle\.preStop\.tcpSocket\.host \(10\.0\.0\.1\)/,
    },
    {
        title: "sysctl net.ipv4.tcp_notsent_lowat",
        pod: withSysctl("net.ipv4.tcp_notsent_lowat"),
        passesAt: ["v1.37", "latest", undefined],
        failsAt: ["v1.36", "v1.34"],
        message: /securityContext\.sysctls\[0\] \(net\.ipv4\.tcp_notsent_lowat\): it is safe only from policy v1\.37/,
    },
    {
        title: "sysctl net.ipv4.tcp_slow_start_after_idle",
        pod: withSysctl("net.ipv4.tcp_slow_start_after_idle"),
        passesAt: ["v1.37"],
        failsAt: ["v1.36"],
        message: /tcp_slow_start_after_idle\): it is safe only from policy v1\.37/,
    },
    {
        title: "sysctl net.ipv4.tcp_rmem",
        pod: withSysctl("net.ipv4.tcp_rmem"),
        passesAt: ["v1.32", "v1.36"],
        failsAt: ["v1.31"],
        message: /tcp_rmem\): it is safe only from policy v1\.32/,
    },
    {
        title: "SELinux type container_engine_t",
        pod: engineType,
        passesAt: ["v1.31", "latest"],
        failsAt: ["v1.30"],
        message: /^pod: set .*seLinuxOptions\.type to another type \(container_engine_t is allowed only from policy v1\.31\)/,
    },
];

describe("pod security by policy version (kubernetes-pod-security-by-version)", () => {
    it("is registered, mandatory, and knows v1.37 as the newest version", () => {
        assert.ok(policies.includes(podSecurityByVersion));
        assert.strictEqual(podSecurityByVersion.enforcementLevel, "mandatory");
        assert.strictEqual(NEWEST_POLICY_VERSION, 37);
        assert.strictEqual(judgedVersion("latest"), 37);
        assert.strictEqual(judgedVersion(undefined), 37);
        assert.strictEqual(judgedVersion("v1.99"), 37, "a newer pin clamps to the newest, as admission does");
        assert.strictEqual(judgedVersion("v1.33"), 33);
    });

    it("keeps the versioned checks as a table: each row starts or ends at a version", () => {
        for (const row of VERSIONED_CHECKS) assert.ok(row.since !== undefined || row.until !== undefined, row.id);
        const ids = (version: number) => checksAt(version).map((c) => c.id);
        assert.deepStrictEqual(ids(33), ["sysctls", "sysctls"], "the two sysctls 1.37 allows are refused before");
        assert.deepStrictEqual(ids(34), ["hostProbesAndHostLifecycle", "sysctls", "sysctls"]);
        assert.deepStrictEqual(ids(NEWEST_POLICY_VERSION), ["hostProbesAndHostLifecycle"], "the resource rules check the rest");
    });

    it("accepts the compliant pod at every version", () =>
        onEveryKind(compliantPod(), async (type, object) => {
            for (const version of ["v1.25", "v1.33", "v1.34", "latest", undefined, "none"] as const)
                await assertNoViolations(podSecurityByVersion, stack(type, object, version));
        }));

    it("accepts a probe naming the pod's loopback (127.0.0.1, ::1) at v1.34", () =>
        onEveryKind(probeHost("::1")(probeHost("127.0.0.1")(compliantPod())), (type, object) =>
            assertNoViolations(podSecurityByVersion, stack(type, object, "v1.34")),
        ));

    for (const c of CASES) {
        for (const version of c.passesAt)
            it(`accepts ${c.title} at ${version ?? "no enforce-version"}`, () =>
                onEveryKind(c.pod(compliantPod()), (type, object) =>
                    assertNoViolations(podSecurityByVersion, stack(type, object, version)),
                ));
        for (const version of c.failsAt)
            it(`refuses ${c.title} at ${version === "none" ? "a namespace outside the stack" : (version ?? "no enforce-version")}`, () =>
                onEveryKind(c.pod(compliantPod()), (type, object) =>
                    assertHasViolation(podSecurityByVersion, stack(type, object, version), c.message),
                ));
    }

    it("the resource rule accepts the newest version's sysctls; the version rule refuses them where the namespace pins an older one", async () => {
        const object = WORKLOAD_KINDS[1].wrap(withSysctl("net.ipv4.tcp_notsent_lowat")(compliantPod()));
        await assertNoViolations(sysctls, createArgs(sysctls, WORKLOAD_KINDS[1].type, object));
        await assertHasViolation(podSecurityByVersion, stack(WORKLOAD_KINDS[1].type, object, "v1.36"), /judged at policy v1\.36/);
    });

    it("relates a pod to its Namespace by propertyDependencies when the name is unknown during preview", async () => {
        const pod = mutated(WORKLOAD_KINDS[1].wrap(probeHost("10.1.1.1")(compliantPod())), (o) => {
            (o.metadata as { namespace: string }).namespace = UNKNOWN;
        });
        const ns = { ...namespaceAt("v1.33"), urn: "urn:ns" };
        const args = createStackArgs(podSecurityByVersion, [
            ns,
            { type: WORKLOAD_KINDS[1].type, name: "api", props: pod, propertyDependencies: { metadata: ["urn:ns"] } },
        ]);
        await assertNoViolations(podSecurityByVersion, args);
    });

    it("cannot decide when the namespace's enforce-version is unknown during preview", () =>
        assertUnknown(
            podSecurityByVersion,
            createStackArgs(podSecurityByVersion, [
                namespaceAt(UNKNOWN),
                { type: WORKLOAD_KINDS[1].type, name: "api", props: WORKLOAD_KINDS[1].wrap(compliantPod()) },
            ]),
            /cannot decide: .*enforce-version label of its Namespace is unknown/,
        ));

    it("cannot decide when a probe it reads is unknown during preview", () =>
        assertUnknown(
            podSecurityByVersion,
            stack(WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(probeHost(UNKNOWN)(compliantPod())), "latest"),
            /livenessProbe.*can't be known during preview/,
        ));

    it("skips exempt namespaces and stacks without pod templates", async () => {
        const object = WORKLOAD_KINDS[1].wrap(probeHost("10.1.1.1")(compliantPod()));
        await assertNotApplicable(
            podSecurityByVersion,
            createStackArgs(podSecurityByVersion, [namespaceAt("latest"), { type: WORKLOAD_KINDS[1].type, name: "api", props: object }], {
                exemptNamespaces: [NAMESPACE],
            }),
            /exempt/,
        );
        await assertNotApplicable(podSecurityByVersion, createStackArgs(podSecurityByVersion, [namespaceAt("latest")]), /only applies/);
    });
});

describe("namespace enforce-version labels", () => {
    const withLabel = (key: string, value: string) =>
        mutated(compliantNamespace(), (n) => ((n.metadata as { labels: Record<string, string> }).labels[key] = value));

    for (const value of ["v1.25", "v1.34", "v1.40", "latest"])
        it(`accepts enforce-version ${value}`, () =>
            assertNoViolations(
                namespacePodSecurity,
                argsFor(namespacePodSecurity, withLabel("pod-security.kubernetes.io/enforce-version", value)),
            ));

    for (const [mode, value] of [
        ["enforce", "1.34"],
        ["enforce", "v1.24"],
        ["audit", "v2.0"],
        ["warn", "newest"],
    ])
        it(`refuses ${mode}-version ${value}`, () =>
            assertHasViolation(
                namespacePodSecurity,
                argsFor(namespacePodSecurity, withLabel(`pod-security.kubernetes.io/${mode}-version`, value)),
                new RegExp(
                    `set metadata\\.labels\\["pod-security\\.kubernetes\\.io/${mode}-version"\\] to latest or v1\\.<minor> from v1\\.25 \\(it is ${value.replace(".", "\\.")}\\)`,
                ),
            ));
});

/**
 * The Pod Security Standards by policy version: what changes between the
 * versions a namespace can pin with `pod-security.kubernetes.io/enforce-version`.
 *
 * Source: the admission controller's registry of checks,
 * kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/check_<id>.go,
 * where each check lists `VersionedCheck{MinimumVersion: api.MajorMinorVersion(1, N)}`
 * entries, and registry.go, which clamps a requested version (and `latest`, newer
 * than everything: api/helpers.go `Older`) to the newest MinimumVersion registered.
 * Read at release-1.37:
 *  - check_sysctls.go: sysctlsAllowedV1Dot0 (5 names), V1Dot27 (+ip_local_reserved_ports),
 *    V1Dot29 (+tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes),
 *    V1Dot32 (+tcp_rmem, tcp_wmem), V1Dot37 (+tcp_slow_start_after_idle, tcp_notsent_lowat);
 *  - check_seLinuxOptions.go: selinuxAllowedTypes1_31 adds container_engine_t;
 *  - check_hostProbesAndhostLifecycle.go (KEP-4940): from 1.34, probes and lifecycle
 *    handlers (httpGet, tcpSocket) leave `host` empty or the pod's loopback (127.0.0.1, ::1).
 * Not modelled, so the pack is stricter there: the 1.35 relaxations for user-namespace
 * pods (`hostUsers: false` skips runAsNonRoot and runAsUser); and the pack does not
 * judge policy versions before 1.25 (the Windows exemptions of seccomp, capabilities
 * and privilege escalation): the namespace rule refuses them.
 */
import { PodView } from "./pod-template";

/** A policy version `v1.<minor>`, by its minor (every policy version has major 1). */
export type PolicyVersion = number;

/** The newest policy version the pack knows: what `latest` and any newer pin mean. */
export const NEWEST_POLICY_VERSION: PolicyVersion = 37;
/** The oldest policy version the pack judges. */
export const OLDEST_POLICY_VERSION: PolicyVersion = 25;

export const formatVersion = (version: PolicyVersion) => `v1.${version}`;

/** `latest` → the newest; `v1.N` → N; anything else → undefined (not a policy version). */
export function parsePolicyVersion(label: string): PolicyVersion | undefined {
    if (label === "latest") return NEWEST_POLICY_VERSION;
    const match = /^v1\.(0|[1-9][0-9]*)$/.exec(label);
    return match ? Number(match[1]) : undefined;
}

/** The version a namespace is judged at, as admission does: no label or `latest` is the newest; a newer pin clamps to it. */
export function judgedVersion(label: string | undefined): PolicyVersion {
    const parsed = label === undefined ? undefined : parsePolicyVersion(label);
    return Math.min(parsed ?? NEWEST_POLICY_VERSION, NEWEST_POLICY_VERSION);
}

/** Baseline's safe sysctls, each with the policy version it became safe at (check_sysctls.go). */
export const SAFE_SYSCTLS: readonly { name: string; since: PolicyVersion }[] = [
    { name: "kernel.shm_rmid_forced", since: 0 },
    { name: "net.ipv4.ip_local_port_range", since: 0 },
    { name: "net.ipv4.tcp_syncookies", since: 0 },
    { name: "net.ipv4.ping_group_range", since: 0 },
    { name: "net.ipv4.ip_unprivileged_port_start", since: 0 },
    { name: "net.ipv4.ip_local_reserved_ports", since: 27 },
    { name: "net.ipv4.tcp_keepalive_time", since: 29 },
    { name: "net.ipv4.tcp_fin_timeout", since: 29 },
    { name: "net.ipv4.tcp_keepalive_intvl", since: 29 },
    { name: "net.ipv4.tcp_keepalive_probes", since: 29 },
    { name: "net.ipv4.tcp_rmem", since: 32 },
    { name: "net.ipv4.tcp_wmem", since: 32 },
    { name: "net.ipv4.tcp_slow_start_after_idle", since: 37 },
    { name: "net.ipv4.tcp_notsent_lowat", since: 37 },
];

/** Baseline's SELinux types, each with the policy version it became allowed at (check_seLinuxOptions.go). */
export const SELINUX_TYPES: readonly { type: string; since: PolicyVersion }[] = [
    { type: "container_t", since: 0 },
    { type: "container_init_t", since: 0 },
    { type: "container_kvm_t", since: 0 },
    { type: "container_engine_t", since: 31 },
];

/** Hosts a probe or lifecycle handler may still name from 1.34: the pod's own loopback. */
const LOOPBACK_HOSTS = ["127.0.0.1", "::1"];

interface Handler {
    httpGet?: { host?: string };
    tcpSocket?: { host?: string };
}

function hostProbes(pod: PodView): string[] {
    const messages: string[] = [];
    for (const c of pod.containers) {
        const lifecycle = (c.container.lifecycle ?? {}) as Record<string, Handler | undefined>;
        const handlers: [string, Handler | undefined][] = [
            ...(["livenessProbe", "readinessProbe", "startupProbe"] as const).map((probe): [string, Handler | undefined] => [
                probe,
                c.container[probe] as Handler | undefined,
            ]),
            ...(["postStart", "preStop"] as const).map((hook): [string, Handler | undefined] => [`lifecycle.${hook}`, lifecycle[hook]]),
        ];
        for (const [where, handler] of handlers) {
            for (const action of ["httpGet", "tcpSocket"] as const) {
                const host = handler?.[action]?.host;
                if (host && !LOOPBACK_HOSTS.includes(host))
                    messages.push(
                        `${c.label}: remove ${where}.${action}.host (${host}); probes and lifecycle handlers target the pod's IP`,
                    );
            }
        }
    }
    return messages;
}

/** A check, or a refusal, that holds only over a range of policy versions. */
export interface VersionedCheck {
    /** The admission controller's check ID. */
    id: string;
    /** First policy version it applies at. @default every version */
    since?: PolicyVersion;
    /** First policy version it no longer applies at. @default every newer version */
    until?: PolicyVersion;
    check(pod: PodView): string[];
}

const refusedSysctl =
    (name: string, since: PolicyVersion) =>
    (pod: PodView): string[] =>
        (pod.securityContext.sysctls ?? [])
            .map((sysctl, i) => ({ sysctl, i }))
            .filter(({ sysctl }) => sysctl.name === name)
            .map(
                ({ i }) =>
                    `pod: remove ${pod.specPath}.securityContext.sysctls[${i}] (${name}): it is safe only from policy ${formatVersion(since)}`,
            );

function refusedSeLinuxType(type: string, since: PolicyVersion) {
    return (pod: PodView): string[] => {
        const sites = [
            { who: "pod", path: `${pod.specPath}.securityContext.seLinuxOptions`, value: pod.securityContext.seLinuxOptions },
            ...pod.containers.map((c) => ({ who: c.label, path: "securityContext.seLinuxOptions", value: c.own.seLinuxOptions })),
        ];
        return sites
            .filter((s) => s.value?.type === type)
            .map((s) => `${s.who}: set ${s.path}.type to another type (${type} is allowed only from policy ${formatVersion(since)})`);
    };
}

/**
 * What differs between policy versions, beyond what the resource rules check at
 * the newest version: checks that start at a version, and values the newest
 * version allows that older versions refuse (each refused until it became allowed).
 */
export const VERSIONED_CHECKS: readonly VersionedCheck[] = [
    { id: "hostProbesAndHostLifecycle", since: 34, check: hostProbes },
    ...SAFE_SYSCTLS.filter((s) => s.since > 0).map((s) => ({ id: "sysctls", until: s.since, check: refusedSysctl(s.name, s.since) })),
    ...SELINUX_TYPES.filter((t) => t.since > 0).map((t) => ({
        id: "seLinuxOptions",
        until: t.since,
        check: refusedSeLinuxType(t.type, t.since),
    })),
];

/** The checks in force at `version`. */
export function checksAt(version: PolicyVersion): VersionedCheck[] {
    return VERSIONED_CHECKS.filter((c) => (c.since ?? 0) <= version && (c.until === undefined || version < c.until));
}

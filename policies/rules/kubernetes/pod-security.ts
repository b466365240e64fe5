/**
 * The Pod Security Standards "restricted" profile, baseline checks included
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/), on
 * every pod-template kind and every container: containers, initContainers and
 * ephemeralContainers. Pod-level securityContext values count for every
 * container that does not override them. As in Pod Security admission, a
 * forbidden value is refused wherever it is set, even when every container
 * overrides a pod-level one; the Linux-only restricted checks (privilege
 * escalation, seccomp, dropping capabilities) skip `spec.os.name: windows` pods.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { ContainerView, InheritableSecurityContext, PodView } from "./pod-template";
import { ExemptionConfig, oneOf, podRule, stringList } from "./shared";

/** `pod: set spec.template.spec.securityContext.<field>`, the pod-level site of a field. */
const podField = (pod: PodView, field: string) => `${pod.specPath}.securityContext.${field}`;

/** How to fix an inheritable field that neither level sets: on the container, or once for the whole pod. */
function setInheritable(pod: PodView, c: ContainerView, field: keyof InheritableSecurityContext, value: string): string {
    return `${c.label}: set securityContext.${field}${value} (or ${podField(pod, field)}${value} for every container)`;
}

interface Site<V> {
    /** `pod` or the container's label. */
    who: string;
    /** The field's path as the fix names it: from the object's top for the pod, from the container for a container. */
    path: string;
    value: V;
}

/** Each place an inheritable field is set: the pod once, then each container that sets it. */
function sitesOf<K extends keyof InheritableSecurityContext>(pod: PodView, field: K): Site<NonNullable<InheritableSecurityContext[K]>>[] {
    const sites: Site<NonNullable<InheritableSecurityContext[K]>>[] = [];
    const podValue = pod.securityContext[field];
    if (podValue !== undefined && podValue !== null) sites.push({ who: "pod", path: podField(pod, field), value: podValue });
    for (const c of pod.containers) {
        const value = c.own[field];
        if (value !== undefined && value !== null) sites.push({ who: c.label, path: `securityContext.${field}`, value });
    }
    return sites;
}

/** Seccomp and AppArmor profiles: RuntimeDefault or Localhost wherever one is set, never Unconfined. */
const CONFINED_PROFILE_TYPES = ["RuntimeDefault", "Localhost"];

function unconfinedProfiles(pod: PodView, field: "seccompProfile" | "appArmorProfile"): string[] {
    return sitesOf(pod, field)
        .filter((s) => !CONFINED_PROFILE_TYPES.includes(s.value.type ?? ""))
        .map((s) => `${s.who}: set ${s.path}.type to ${oneOf(CONFINED_PROFILE_TYPES)} (it is ${s.value.type ?? "unset"})`);
}

export const runAsNonRoot: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-pod-run-as-non-root",
    description: "Pods must run as a non-root user: runAsNonRoot true for every container, at pod or container level (PSS restricted).",
    enforcementLevel: "mandatory",
    check: (pod) => {
        const messages: string[] = [];
        if (pod.securityContext.runAsNonRoot === false) messages.push(`pod: set ${podField(pod, "runAsNonRoot")}: true (it is false)`);
        for (const c of pod.containers) {
            if (c.own.runAsNonRoot === false) messages.push(`${c.label}: set securityContext.runAsNonRoot: true (it is false)`);
            else if (c.sourceOf("runAsNonRoot") === undefined) messages.push(setInheritable(pod, c, "runAsNonRoot", ": true"));
        }
        return messages;
    },
});

export const runAsUserNonZero: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-pod-run-as-user-non-zero",
    description: "Pods must not set runAsUser to 0 (root), at pod or container level (PSS restricted).",
    enforcementLevel: "mandatory",
    check: (pod) =>
        sitesOf(pod, "runAsUser")
            .filter((s) => s.value === 0)
            .map((s) => `${s.who}: set ${s.path} to a non-zero UID (it is 0)`),
});

export const privilegeEscalation: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-container-privilege-escalation-disallowed",
    description: "Containers must set securityContext.allowPrivilegeEscalation: false (PSS restricted).",
    enforcementLevel: "mandatory",
    check: (pod) =>
        pod.windows
            ? []
            : pod.containers
                  .filter((c) => c.own.allowPrivilegeEscalation !== false)
                  .map((c) => `${c.label}: set securityContext.allowPrivilegeEscalation: false`),
});

interface CapabilitiesConfig extends ExemptionConfig {
    allowedAddCapabilities: string[];
}

export const capabilities: ResourceValidationPolicy = podRule<CapabilitiesConfig>({
    name: "kubernetes-container-capabilities-restricted",
    description:
        "Containers must drop ALL capabilities and add back only NET_BIND_SERVICE (PSS restricted, which includes the baseline list).",
    enforcementLevel: "mandatory",
    properties: {
        allowedAddCapabilities: stringList("Capabilities a container may add back after dropping ALL.", ["NET_BIND_SERVICE"]),
    },
    check: (pod, config) => {
        const messages: string[] = [];
        for (const c of pod.containers) {
            const caps = c.own.capabilities ?? {};
            if (!pod.windows && !(caps.drop ?? []).includes("ALL"))
                messages.push(`${c.label}: set securityContext.capabilities.drop: ["ALL"]`);
            const extra = (caps.add ?? []).filter((cap) => !config.allowedAddCapabilities.includes(cap));
            if (extra.length > 0) {
                const allowed = config.allowedAddCapabilities.length ? `only ${oneOf(config.allowedAddCapabilities)}` : "nothing";
                messages.push(`${c.label}: set securityContext.capabilities.add to ${allowed} (remove ${extra.join(", ")})`);
            }
        }
        return messages;
    },
});

export const seccompProfile: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-pod-seccomp-profile-restricted",
    description:
        "Every container must run with a RuntimeDefault or Localhost seccomp profile, set at pod or container level; Unconfined is refused (PSS restricted).",
    enforcementLevel: "mandatory",
    check: (pod) => {
        if (pod.windows) return [];
        const messages = unconfinedProfiles(pod, "seccompProfile");
        for (const c of pod.containers) {
            if (c.sourceOf("seccompProfile") === undefined)
                messages.push(setInheritable(pod, c, "seccompProfile", ".type: RuntimeDefault"));
        }
        return messages;
    },
});

export const privileged: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-container-privileged-disallowed",
    description: "Containers must not run privileged (PSS baseline).",
    enforcementLevel: "mandatory",
    check: (pod) => pod.containers.filter((c) => c.own.privileged === true).map((c) => `${c.label}: set securityContext.privileged: false`),
});

export const hostNamespaces: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-pod-host-namespaces-disallowed",
    description: "Pods must not share the host's network, PID or IPC namespace (PSS baseline).",
    enforcementLevel: "mandatory",
    check: (pod) =>
        (["hostNetwork", "hostPID", "hostIPC"] as const)
            .filter((field) => pod.spec[field] === true)
            .map((field) => `pod: set ${pod.specPath}.${field}: false`),
});

interface HostPortConfig extends ExemptionConfig {
    allowedHostPorts: number[];
}

export const hostPorts: ResourceValidationPolicy = podRule<HostPortConfig>({
    name: "kubernetes-container-host-ports-disallowed",
    description: "Containers must not bind host ports (PSS baseline).",
    enforcementLevel: "mandatory",
    properties: {
        allowedHostPorts: {
            type: "array",
            items: { type: "integer", minimum: 1, maximum: 65535 },
            uniqueItems: true,
            default: [],
            description: "Host ports containers may bind anyway.",
        },
    },
    check: (pod, config) => {
        const messages: string[] = [];
        for (const c of pod.containers) {
            (c.container.ports ?? []).forEach((port, i) => {
                const hostPort = port.hostPort ?? 0;
                if (hostPort !== 0 && !config.allowedHostPorts.includes(hostPort))
                    messages.push(`${c.label}: remove ports[${i}].hostPort (${hostPort}) or set it to 0`);
            });
        }
        return messages;
    },
});

const RESTRICTED_VOLUME_TYPES = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

interface VolumeConfig extends ExemptionConfig {
    allowedVolumeTypes: string[];
}

export const volumeTypes: ResourceValidationPolicy = podRule<VolumeConfig>({
    name: "kubernetes-pod-volume-types-restricted",
    description: "Pods may use only the restricted profile's volume types; hostPath is refused (PSS baseline and restricted).",
    enforcementLevel: "mandatory",
    properties: {
        allowedVolumeTypes: stringList("Volume sources pods may use.", RESTRICTED_VOLUME_TYPES),
    },
    check: (pod, config) =>
        (pod.spec.volumes ?? []).flatMap((volume, i) =>
            // A volume with no source at all defaults to emptyDir.
            Object.keys(volume)
                .filter(
                    (key) =>
                        key !== "name" && volume[key] !== undefined && volume[key] !== null && !config.allowedVolumeTypes.includes(key),
                )
                .map(
                    (key) =>
                        `pod: replace ${pod.specPath}.volumes[${i}] ("${volume.name}") ${key} with one of ${oneOf(config.allowedVolumeTypes)}`,
                ),
        ),
});

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

export const appArmor: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-pod-apparmor-profile-restricted",
    description:
        "Pods must not run Unconfined under AppArmor: appArmorProfile.type RuntimeDefault or Localhost, annotations runtime/default or localhost/* (PSS baseline).",
    enforcementLevel: "mandatory",
    check: (pod) => {
        const annotations = pod.metadata.annotations ?? {};
        return Object.keys(annotations)
            .filter((key) => key.startsWith(APPARMOR_ANNOTATION))
            .filter((key) => annotations[key] !== "runtime/default" && !String(annotations[key]).startsWith("localhost/"))
            .map(
                (key) =>
                    `pod: set ${pod.metadataPath}.annotations["${key}"] to runtime/default or localhost/<profile> (it is ${annotations[key]})`,
            )
            .concat(unconfinedProfiles(pod, "appArmorProfile"));
    },
});

interface SELinuxConfig extends ExemptionConfig {
    allowedTypes: string[];
}

export const seLinux: ResourceValidationPolicy = podRule<SELinuxConfig>({
    name: "kubernetes-pod-selinux-options-restricted",
    description:
        "SELinux options may set only an allowed type (container_t, container_init_t, container_kvm_t, container_engine_t) and never user or role (PSS baseline).",
    enforcementLevel: "mandatory",
    properties: {
        allowedTypes: stringList("SELinux types pods and containers may set.", [
            "container_t",
            "container_init_t",
            "container_kvm_t",
            "container_engine_t",
        ]),
    },
    check: (pod, config) =>
        sitesOf(pod, "seLinuxOptions").flatMap(({ who, path, value }) => [
            ...(value.type && !config.allowedTypes.includes(value.type)
                ? [`${who}: set ${path}.type to ${oneOf(config.allowedTypes)} (it is ${value.type})`]
                : []),
            ...(["user", "role"] as const)
                .filter((field) => value[field])
                .map((field) => `${who}: remove ${path}.${field} (it is ${value[field]})`),
        ]),
});

export const procMount: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-container-proc-mount-default",
    description: "Containers must use the Default /proc mount (PSS baseline).",
    enforcementLevel: "mandatory",
    check: (pod) =>
        pod.containers
            .filter((c) => c.own.procMount !== undefined && c.own.procMount !== null && c.own.procMount !== "Default")
            .map((c) => `${c.label}: set securityContext.procMount: Default (it is ${c.own.procMount})`),
});

/** The "safe" sysctls of the baseline profile, as of Kubernetes 1.32. */
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

interface SysctlConfig extends ExemptionConfig {
    allowedSysctls: string[];
}

export const sysctls: ResourceValidationPolicy = podRule<SysctlConfig>({
    name: "kubernetes-pod-sysctls-safe",
    description: "Pods may set only the safe sysctls (PSS baseline).",
    enforcementLevel: "mandatory",
    properties: {
        allowedSysctls: stringList("Sysctls pods may set.", SAFE_SYSCTLS),
    },
    check: (pod, config) =>
        (pod.securityContext.sysctls ?? [])
            .map((sysctl, i) => ({ sysctl, i }))
            .filter(({ sysctl }) => !config.allowedSysctls.includes(sysctl.name))
            .map(({ sysctl, i }) => `pod: remove ${podField(pod, "sysctls")}[${i}] (${sysctl.name}); only the safe sysctls are allowed`),
});

export const hostProcess: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-pod-host-process-disallowed",
    description: "Windows pods must not run as host processes: windowsOptions.hostProcess must not be true (PSS baseline).",
    enforcementLevel: "mandatory",
    check: (pod) =>
        sitesOf(pod, "windowsOptions")
            .filter((s) => s.value.hostProcess === true)
            .map((s) => `${s.who}: set ${s.path}.hostProcess: false`),
});

/** The restricted profile, in the order of the Pod Security Standards page. */
export const podSecurityPolicies: ResourceValidationPolicy[] = [
    privileged,
    hostNamespaces,
    hostPorts,
    hostProcess,
    capabilities,
    volumeTypes,
    appArmor,
    seLinux,
    procMount,
    sysctls,
    seccompProfile,
    privilegeEscalation,
    runAsNonRoot,
    runAsUserNonZero,
];

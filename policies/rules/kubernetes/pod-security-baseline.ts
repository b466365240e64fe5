/**
 * The baseline checks of the Pod Security Standards, which the restricted profile
 * includes (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline):
 * privileged, host namespaces and ports, HostProcess, AppArmor, SELinux, /proc mount, sysctls.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { podField, sitesOf, unconfinedProfiles } from "./pod-security-sites";
import { SAFE_SYSCTLS, SELINUX_TYPES } from "./pod-security-versions";
import { ExemptionConfig, oneOf, podRule, stringList } from "./shared";

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
        allowedTypes: stringList(
            "SELinux types pods and containers may set (at the newest policy version).",
            SELINUX_TYPES.map((t) => t.type),
        ),
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

/** The "safe" sysctls at the newest policy version; older versions refuse some (kubernetes-pod-security-by-version). */
const SAFE_SYSCTL_NAMES = SAFE_SYSCTLS.map((s) => s.name);

interface SysctlConfig extends ExemptionConfig {
    allowedSysctls: string[];
}

export const sysctls: ResourceValidationPolicy = podRule<SysctlConfig>({
    name: "kubernetes-pod-sysctls-safe",
    description: "Pods may set only the safe sysctls of the newest policy version (PSS baseline).",
    enforcementLevel: "mandatory",
    properties: {
        allowedSysctls: stringList("Sysctls pods may set.", SAFE_SYSCTL_NAMES),
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

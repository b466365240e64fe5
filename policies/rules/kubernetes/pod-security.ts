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
import { podField, setInheritable, sitesOf, unconfinedProfiles } from "./pod-security-sites";
import { ExemptionConfig, oneOf, podRule, stringList } from "./shared";
import { appArmor, hostNamespaces, hostPorts, hostProcess, privileged, procMount, seLinux, sysctls } from "./pod-security-baseline";

export { appArmor, hostNamespaces, hostPorts, hostProcess, privileged, procMount, seLinux, sysctls };

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

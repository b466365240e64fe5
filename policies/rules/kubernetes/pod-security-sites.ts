/** Where a pod's security fields are set: the pod-level and container-level sites the rules report. */
import { ContainerView, InheritableSecurityContext, PodView } from "./pod-template";
import { oneOf } from "./shared";

/** `pod: set spec.template.spec.securityContext.<field>`, the pod-level site of a field. */
export const podField = (pod: PodView, field: string) => `${pod.specPath}.securityContext.${field}`;

/** How to fix an inheritable field that neither level sets: on the container, or once for the whole pod. */
export function setInheritable(pod: PodView, c: ContainerView, field: keyof InheritableSecurityContext, value: string): string {
    return `${c.label}: set securityContext.${field}${value} (or ${podField(pod, field)}${value} for every container)`;
}

export interface Site<V> {
    /** `pod` or the container's label. */
    who: string;
    /** The field's path as the fix names it: from the object's top for the pod, from the container for a container. */
    path: string;
    value: V;
}

/** Each place an inheritable field is set: the pod once, then each container that sets it. */
export function sitesOf<K extends keyof InheritableSecurityContext>(
    pod: PodView,
    field: K,
): Site<NonNullable<InheritableSecurityContext[K]>>[] {
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
export const CONFINED_PROFILE_TYPES = ["RuntimeDefault", "Localhost"];

export function unconfinedProfiles(pod: PodView, field: "seccompProfile" | "appArmorProfile"): string[] {
    return sitesOf(pod, field)
        .filter((s) => !CONFINED_PROFILE_TYPES.includes(s.value.type ?? ""))
        .map((s) => `${s.who}: set ${s.path}.type to ${oneOf(CONFINED_PROFILE_TYPES)} (it is ${s.value.type ?? "unset"})`);
}

/**
 * The Pod Security Standards' restricted profile, as pod and container security
 * contexts and as the namespace labels that make the admission controller
 * enforce it (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/).
 */

/**
 * The Pod Security Standards version namespaces pin by default: the cluster's minor
 * version (the standards are versioned with Kubernetes; `latest` would move the
 * rules under running pods at each control-plane upgrade, and the guardrails judge
 * pods at the pinned version, so both agree only when it is explicit).
 */
export const POD_SECURITY_VERSION_DEFAULT = "v1.34";

/** A policy version as the admission controller reads it: `v1.<minor>`. */
export const POD_SECURITY_VERSION = /^v1\.(0|[1-9][0-9]*)$/;

/** Labels that make a namespace enforce (and audit and warn about) the restricted Pod Security Standard at `version`. */
export function restrictedNamespaceLabels(version: string = POD_SECURITY_VERSION_DEFAULT): Record<string, string> {
    if (!POD_SECURITY_VERSION.test(version))
        throw new Error(`podSecurityVersion must be a Kubernetes minor version such as v1.34 (got "${version}")`);
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": version,
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": version,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": version,
    };
}

/**
 * What the restricted profile asks of a pod whose user the image (or its chart's defaults) chooses: non-root and
 * the runtime's seccomp profile. The charts' pods take it as it is; ours add their user (below).
 */
export function restrictedPodBase() {
    return { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
}

/** What the restricted profile asks of a container whose user the image chooses, root filesystem read-only. */
export function restrictedContainerBase() {
    return {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Pod-level security context of the restricted profile. */
export function restrictedPodSecurityContext(uid: number) {
    return { ...restrictedPodBase(), runAsUser: uid, runAsGroup: uid, fsGroup: uid };
}

/** Container-level security context of the restricted profile, root filesystem read-only. */
export function restrictedSecurityContext(uid: number) {
    return { ...restrictedContainerBase(), runAsUser: uid, runAsGroup: uid, privileged: false };
}

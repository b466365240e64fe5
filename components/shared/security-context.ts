/**
 * The Pod Security Standards' restricted profile, as pod and container security
 * contexts and as the namespace labels that make the admission controller
 * enforce it (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/).
 */

/** Labels that make a namespace enforce the restricted Pod Security Standard. */
export function restrictedNamespaceLabels(): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    };
}

/** Pod-level security context of the restricted profile. */
export function restrictedPodSecurityContext(uid: number) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level security context of the restricted profile, root filesystem read-only. */
export function restrictedSecurityContext(uid: number) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

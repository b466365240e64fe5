/**
 * The keys of a Secret, declared where a preview can read them. The Kubernetes SDK wraps a Secret's
 * `stringData` in one secret Output (@pulumi/kubernetes core/v1/secret.js: `pulumi.secret(args.stringData)`),
 * so during preview, when any value is unknown (a generated password, an endpoint), the keys are unknown
 * too. The annotation names them (sorted, comma-separated); the pack's wiring-pod-references-exist reads
 * it during preview to judge the pods' secretKeyRefs, and checks it against the data once that is known.
 */
export const SECRET_KEYS_ANNOTATION = "hangar.dev/secret-keys";

/** `{ "hangar.dev/secret-keys": "a,b" }` for a Secret whose stringData (or data) has keys a and b. */
export function secretKeysAnnotation(data: Record<string, unknown>): Record<string, string> {
    return { [SECRET_KEYS_ANNOTATION]: Object.keys(data).sort().join(",") };
}

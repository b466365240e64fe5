/**
 * wiring-pod-references-exist: every Secret and ConfigMap a pod reads exists in the
 * stack, in the pod's namespace, with the key it reads. A pod reads them through
 * (core/v1 API, https://kubernetes.io/docs/concepts/configuration/secret/#using-a-secret and
 * https://kubernetes.io/docs/concepts/configuration/configmap/#configmaps-and-pods):
 * - `env[].valueFrom.secretKeyRef` / `configMapKeyRef`: name and key;
 * - `envFrom[].secretRef` / `configMapRef`: name;
 * - `volumes[].secret.secretName`, `volumes[].configMap.name`, and the `secret` /
 *   `configMap` sources of `volumes[].projected.sources[]`: name, and each `items[].key`.
 * A reference marked `optional: true` is not required (the kubelet starts the pod
 * without it). A missing required one leaves the pod in CreateContainerConfigError or
 * ContainerCreating: every object valid alone, the pod never running. Secret keys are
 * those of `data` and `stringData`, ConfigMap keys those of `data` and `binaryData`.
 * Objects made at run time (cert-manager's certificate Secrets, an operator's generated
 * config) are exemptions in the policy config (`exemptObjects`: namespace, name pattern,
 * reason). During preview a Secret's keys are unknown whenever one of its values is (the Kubernetes
 * SDK wraps `stringData` in one secret Output): the rule then reads the keys the Secret declares in its
 * `hangar.dev/secret-keys` annotation, and reports a Secret whose annotation differs from its keys once
 * they are known; a Secret with unknown keys and no annotation leaves the reference undecided.
 * An ExternalSecret's target counts as a Secret of the stack with the keys its template or data
 * names (./external-secret-targets.ts): External Secrets Operator writes it at run time.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { exemptionFor, ObjectExemption, objectExemptionsSchema } from "./exemptions";
import { ConfigObject, KeyRef, objectKey, ObjectKind, podRuleInputs, PodFiles, SECRET_KEYS_ANNOTATION, UNKNOWN, Volume } from "./pod-files";

interface ReferenceConfig extends ExemptionConfig {
    exemptObjects: ObjectExemption[];
}

const schema = schemaWith({
    exemptObjects: objectExemptionsSchema(
        "Secrets and ConfigMaps created at run time, not by the stack (cert-manager, operators): { namespace, name (`*` wildcards), reason }.",
    ),
});

/** One read of a Secret or ConfigMap by a pod. */
export interface Reference {
    kind: ObjectKind;
    name: string | undefined;
    /** The keys read (none for envFrom and a whole-object volume). */
    keys: string[];
    optional: boolean;
    /** Where the pod reads it, for messages: `container "api" env DATABASE_URL`, `volume "ca"`. */
    where: string;
}

type ItemsSource = KeyRef & { secretName?: string; items?: { key?: string }[] };

function volumeReferences(volume: Volume): Reference[] {
    const refs: Reference[] = [];
    const add = (kind: ObjectKind, source: ItemsSource | undefined, where: string) => {
        if (!source) return;
        refs.push({
            kind,
            name: kind === "Secret" && source.secretName !== undefined ? source.secretName : source.name,
            keys: (source.items ?? []).map((i) => String(i.key)),
            optional: source.optional === true,
            where,
        });
    };
    add("Secret", volume.secret as ItemsSource | undefined, `volume "${volume.name}"`);
    add("ConfigMap", volume.configMap as ItemsSource | undefined, `volume "${volume.name}"`);
    const sources = ((volume.projected as { sources?: Record<string, ItemsSource>[] } | undefined)?.sources ?? []).entries();
    for (const [i, s] of sources) {
        add("Secret", s.secret, `volume "${volume.name}" projected source ${i}`);
        add("ConfigMap", s.configMap, `volume "${volume.name}" projected source ${i}`);
    }
    return refs;
}

/** Every Secret and ConfigMap the pod reads, containers and init containers included. */
export function referencesOf(pod: PodFiles): Reference[] {
    const refs: Reference[] = pod.volumes.flatMap(volumeReferences);
    for (const c of pod.containers) {
        for (const e of c.env) {
            for (const [kind, ref] of [
                ["Secret", e.valueFrom?.secretKeyRef],
                ["ConfigMap", e.valueFrom?.configMapKeyRef],
            ] as const) {
                if (ref)
                    refs.push({
                        kind,
                        name: ref.name,
                        keys: [String(ref.key)],
                        optional: ref.optional === true,
                        where: `${c.label} env ${e.name}`,
                    });
            }
        }
        for (const [i, f] of c.envFrom.entries()) {
            for (const [kind, ref] of [
                ["Secret", f.secretRef],
                ["ConfigMap", f.configMapRef],
            ] as const) {
                if (ref) refs.push({ kind, name: ref.name, keys: [], optional: ref.optional === true, where: `${c.label} envFrom[${i}]` });
            }
        }
    }
    return refs;
}

/** What is wrong with one reference: a message, "undecided", or undefined when it holds. */
export function referenceProblem(
    ref: Reference,
    namespace: string,
    objects: Map<string, ConfigObject>,
    exempt: ObjectExemption[],
): string | "undecided" | undefined {
    if (ref.optional) return undefined;
    const what = `${ref.kind} ${namespace}/${ref.name ?? "(no name)"}`;
    if (!ref.name) return `${ref.where} names no ${ref.kind}; set its name`;
    const object = objects.get(objectKey(ref.kind, namespace, ref.name));
    if (!object) {
        if (exemptionFor(exempt, namespace, ref.name)) return undefined;
        return (
            `${ref.where} reads ${what}, which the stack does not create in namespace ${namespace}; create it there, ` +
            `mark the reference optional, or exempt it in exemptObjects if something else creates it at run time`
        );
    }
    if (ref.keys.length === 0) return undefined;
    // During preview the keys may be unknown: then those the object declares (its hangar.dev/secret-keys
    // annotation, checked against the data by declarationProblem once the data is known).
    const keys = object.data !== UNKNOWN ? [...object.data.keys()] : object.declared;
    if (!keys) return "undecided";
    const missing = ref.keys.filter((k) => !keys.includes(k));
    if (missing.length === 0) return undefined;
    return (
        `${ref.where} reads key ${missing.map((k) => JSON.stringify(k)).join(", ")} of ${what}, which has no such key ` +
        `(it has ${keys.map((k) => JSON.stringify(k)).join(", ") || "none"}); read one of its keys or add it`
    );
}

/** A Secret whose `hangar.dev/secret-keys` annotation does not name exactly its keys (what a preview judged by). */
export function declarationProblem(object: ConfigObject): string | undefined {
    if (!object.declared || object.data === UNKNOWN) return undefined;
    const actual = [...object.data.keys()].sort();
    const declared = [...object.declared].sort();
    if (JSON.stringify(actual) === JSON.stringify(declared)) return undefined;
    return (
        `${object.kind} ${object.namespace}/${object.name}: its ${SECRET_KEYS_ANNOTATION} annotation declares ${declared.join(",") || "no key"} ` +
        `but its keys are ${actual.join(",") || "none"}; previews judge references by the annotation, so set it to its keys`
    );
}

export const podReferencesExist: StackValidationPolicy = {
    name: "wiring-pod-references-exist",
    description:
        "Every Secret and ConfigMap a pod reads (env valueFrom, envFrom, secret/configMap/projected volumes, init containers included) exists in the stack in the pod's namespace with the keys it reads, unless optional or exempt as created at run time.",
    enforcementLevel: "mandatory",
    configSchema: schema,
    validateStack: (args, reportViolation) => {
        const config = configOf<ReferenceConfig>(schema, args);
        const { pods, objects, undecided, done } = podRuleInputs(args);
        for (const object of objects.values()) {
            const problem = declarationProblem(object);
            if (problem && !config.exemptNamespaces.includes(object.namespace)) reportViolation(problem, object.urn);
        }
        for (const pod of pods) {
            if (config.exemptNamespaces.includes(pod.namespace)) continue;
            for (const ref of referencesOf(pod)) {
                const problem = referenceProblem(ref, pod.namespace, objects, config.exemptObjects);
                if (problem === "undecided") undecided.push(`${pod.workload} ${ref.where} (keys of ${ref.kind} ${ref.name})`);
                else if (problem) reportViolation(`${pod.workload}: ${problem}`, pod.urn);
            }
        }
        done();
    },
};

export const podInputPolicies = [podReferencesExist];

/**
 * Pod security at the policy version the namespace pins: each pod template is
 * judged at the `pod-security.kubernetes.io/enforce-version` of the Namespace the
 * stack creates for it (by name, or during preview by the Namespace its metadata
 * was computed from), as Pod Security admission will judge it. A namespace the
 * stack does not create, one without the label, or with `latest`, is judged at the
 * newest version the pack knows. The version table is pod-security-versions.ts.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf, POD_TEMPLATE_TYPES, PodView } from "./pod-template";
import { checksAt, formatVersion, judgedVersion } from "./pod-security-versions";
import { configOf, ExemptionConfig, namespaceOf, schemaWith } from "./shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";

const NAMESPACE = "kubernetes:core/v1:Namespace";
export const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

const schema = schemaWith();

/** Where a pod template's policy version comes from: its Namespace in the stack, if any. */
function namespaceFor(pod: PolicyResource, namespaces: PolicyResource[], name: string | undefined): PolicyResource | undefined {
    const fromMetadata = (pod.propertyDependencies.metadata ?? []).find((d) => d.type === NAMESPACE);
    if (fromMetadata) return fromMetadata;
    if (name === undefined) return undefined;
    return namespaces.find((ns) => {
        const nsName = readKnown(() => ((ns.props.metadata ?? {}) as ObjectMeta).name);
        return nsName.known && nsName.value === name;
    });
}

export const podSecurityByVersion: StackValidationPolicy = {
    name: "kubernetes-pod-security-by-version",
    description: `Pod templates must pass the Pod Security checks of the policy version their Namespace pins (${ENFORCE_VERSION_LABEL}; latest or unset: the newest), e.g. no probe host from v1.34.`,
    enforcementLevel: "mandatory",
    configSchema: schema,
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schema, args);
        const pods = args.resources.filter((r) => POD_TEMPLATE_TYPES.includes(r.type));
        if (pods.length === 0) args.notApplicable("Policy only applies to stacks with pod-template resources");
        const namespaces = args.resources.filter((r) => r.type === NAMESPACE);
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const undecided: string[] = [];
        const cannotDecide = (what: string, err: UnknownValueErrorInstance) => {
            firstUnknown ??= err;
            undecided.push(what);
        };
        let judged = 0;
        for (const resource of pods) {
            const name = readKnown(() => namespaceOf(resource));
            if (name.known && config.exemptNamespaces.includes(name.value)) continue;
            judged++;
            const ns = namespaceFor(resource, namespaces, name.known ? name.value : undefined);
            const label = ns ? readKnown(() => ((ns.props.metadata ?? {}) as ObjectMeta).labels?.[ENFORCE_VERSION_LABEL]) : undefined;
            if (label && !label.known) {
                cannotDecide(
                    `${resource.name}: the ${ENFORCE_VERSION_LABEL} label of its Namespace is unknown during preview`,
                    label.error,
                );
                continue;
            }
            const version = judgedVersion(label?.value);
            const messages = readKnown(() => {
                const pod = podTemplateOf(resource.type, resource.props) as PodView;
                return checksAt(version).flatMap((c) => c.check(pod));
            });
            if (!messages.known) {
                cannotDecide(`${resource.name}: ${messages.error.message}`, messages.error);
                continue;
            }
            const where = ns
                ? `namespace ${name.known ? `"${name.value}"` : ns.name} pins ${label?.value ?? "no version"}`
                : `its namespace is not created by the stack`;
            for (const message of messages.value)
                reportViolation(`${message} (judged at policy ${formatVersion(version)}: ${where})`, resource.urn);
        }
        if (judged === 0) args.notApplicable("every pod template is in an exempt namespace (exemptNamespaces)");
        throwIfUndecided(firstUnknown, undecided);
    },
};

export const podSecurityVersionPolicies = [podSecurityByVersion];
